"""Admin wiring of how each TTHC's clock treats a supplement request ("Cách tính thời hạn của
TTHC", in the "Hồ sơ và chỉ số" group): every member reads the list (TTHC code and name, the rule,
its legal basis); administrators add, change and delete rows (reference data shared by every
agency, indicators/rules.py). A TTHC without a row restarts its limit from zero when the complete
dossier arrives (the one-stop rules); a change applies to dossiers imported afterwards, and
stored due times move only through "Tính lại hạn giải quyết"."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn

from indicators.models import ClockRule, SupplementRule
from indicators.rules import CLOCK_RULE
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.choosers import tthc_chooser_viewset
from qms.display import empty
from qms.viewsets import AgencyScopedViewSet, ScopedIndexView, ScopedInspectView

permissions.register_policy(ClockRule, CLOCK_RULE)

RULE_HELP = gettext_lazy(
    "Mặc định (theo quy định về một cửa): khi yêu cầu bổ sung, thời hạn được tính lại từ đầu "
    "khi nhận đủ hồ sơ. “Tạm dừng và tính tiếp”: thời gian chờ bổ sung không tính, thời hạn "
    "tính tiếp phần còn lại. Thay đổi áp dụng cho hồ sơ nhập sau; hồ sơ đã lưu chỉ được tính lại "
    "qua “Tính lại hạn giải quyết”."
)


def _rule_label(rule) -> str:
    return SupplementRule(rule.supplement_rule).label


class ClockRuleIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("procedure")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Mã TTHC"),
            accessor=lambda r: r.procedure.code,
            get_url=lambda r: self.get_inspect_url(r),
        )

    template_name = "indicators/imports/clock_rules_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rule_help"] = RULE_HELP
        return context

    def to_row_dict(self, item):
        item.code_label = item.procedure.code
        item.name_label = item.procedure.name
        item.rule_label = _rule_label(item)
        item.basis_label = item.legal_basis
        return super().to_row_dict(item)


class ClockRuleInspectView(ScopedInspectView):
    def get_procedure_display_value(self):
        return f"{self.object.procedure.code} – {self.object.procedure.name}"

    def get_supplement_rule_display_value(self):
        return _rule_label(self.object)

    def get_legal_basis_display_value(self):
        return empty(self.object.legal_basis)


class ClockRuleFilterSet(WagtailFilterSet):
    supplement_rule = django_filters.ChoiceFilter(
        label=gettext_lazy("Khi yêu cầu bổ sung"),
        choices=SupplementRule.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = ClockRule
        fields = []


class ClockRuleViewSet(AgencyScopedViewSet):
    model = ClockRule
    resource = CLOCK_RULE
    icon = "time"
    menu_label = gettext_lazy("Cách tính thời hạn của TTHC")
    menu_hook = MENU_HOOK
    menu_order = 50
    index_view_class = ClockRuleIndexView
    inspect_view_class = ClockRuleInspectView
    filterset_class = ClockRuleFilterSet
    list_display = [
        "procedure",
        Column(
            "name",
            label=gettext_lazy("Tên thủ tục hành chính"),
            accessor=lambda r: r.procedure.name,
        ),
        Column("supplement_rule", label=gettext_lazy("Khi yêu cầu bổ sung"), accessor=_rule_label),
        Column(
            "legal_basis", label=gettext_lazy("Căn cứ pháp lý"), accessor=lambda r: r.legal_basis
        ),
    ]
    ordering = ["procedure__code"]
    search_fields = ["procedure__code", "legal_basis"]
    folded_search_fields = ["procedure__name_folded"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("procedure", widget=tthc_chooser_viewset.widget_class),
            FieldPanel("supplement_rule", help_text=RULE_HELP),
            FieldPanel("legal_basis"),
        ]
    )
    inspect_view_fields = ["procedure", "supplement_rule", "legal_basis"]
    list_export = ["code_label", "name_label", "rule_label", "basis_label"]
    export_headings = {
        "code_label": gettext_lazy("Mã TTHC"),
        "name_label": gettext_lazy("Tên thủ tục hành chính"),
        "rule_label": gettext_lazy("Khi yêu cầu bổ sung"),
        "basis_label": gettext_lazy("Căn cứ pháp lý"),
    }
    export_filename = "cach-tinh-thoi-han-tthc"


@hooks.register("register_admin_viewset")
def register_clock_rule_viewset():
    return ClockRuleViewSet("clock_rules")
