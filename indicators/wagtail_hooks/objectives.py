"""Admin wiring of quality objectives ("Mục tiêu chất lượng", in the "Hồ sơ và chỉ số" group):
the list (agency, TTHC, metric, target, the last month's result with its actual), the form by
which leaders set an objective (agency limited to where they may, through ``objective_save``),
the objective's page with its monthly evaluations and the link to each miss's nonconformity in
the audits admin, and the transition "Đánh giá tháng …" (``evaluate`` for a chosen past month).
History of who changed what: simple-history on the objective."""

import datetime as dt

import django_filters
from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn

from indicators.models import ObjectiveEvaluation, ObjectiveMetric, QualityObjective
from indicators.rules import OBJECTIVE
from indicators.selectors_objectives import result_label, with_last_result
from indicators.services.objectives import (
    evaluate_transition,
    format_measure,
    month_label,
    month_start,
    objective_save,
    previous_month,
    target_label,
)
from indicators.wagtail_hooks.imports import AgencySelectMixin
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.choosers import tthc_chooser_viewset
from qms.display import EMPTY, empty, format_day, format_moment
from qms.filters import AgencySubtreeFilter
from qms.formats.numbers import format_number
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
)

permissions.register_policy(QualityObjective, OBJECTIVE)

MONTHS_OFFERED = 12


def _procedure_label(o) -> str:
    if not o.procedure_id:
        return _("Mọi TTHC")
    return f"{o.procedure.code} – {o.procedure.name}"


def _metric_label(o) -> str:
    return ObjectiveMetric(o.metric).label


def _last_result(o) -> str:
    """The latest month's result in words: "10/2026: Không đạt (90,5 %)"."""
    period = getattr(o, "last_period", None)
    if period is None:
        return result_label(None, evaluated=False)
    text = f"{month_label(period)}: {result_label(o.last_met)}"
    if o.last_actual is not None:
        text += f" ({format_measure(o.metric, o.last_actual)})"
    return text


def _validity(o) -> str:
    if o.valid_until:
        return f"{format_day(o.valid_from)} – {format_day(o.valid_until)}"
    return _("từ %(day)s") % {"day": format_day(o.valid_from)}


class MonthForm(forms.Form):
    """The past month to evaluate (the last twelve, the month just ended first)."""

    month = forms.TypedChoiceField(
        label=gettext_lazy("Tháng"),
        coerce=dt.date.fromisoformat,
        help_text=gettext_lazy(
            "Tháng không đạt mục tiêu ghi nhận một điểm không phù hợp nhẹ (nguồn “Không đạt mục "
            "tiêu chất lượng”); đánh giá lại một tháng chỉ cập nhật số liệu."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first = previous_month()
        months = []
        for _i in range(MONTHS_OFFERED):
            months.append((first.isoformat(), month_label(first)))
            first = month_start(first - dt.timedelta(days=1))
        self.fields["month"].choices = months
        self.fields["month"].initial = months[0][0]


class ObjectiveFormMixin(AgencySelectMixin):
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if "target" in form.fields:
            form.fields["target"].help_text = _(
                "Tỷ lệ: phần trăm từ 0 đến 100, đạt khi thực hiện ≥ chỉ tiêu. Số hồ sơ: số "
                "nguyên không âm, đạt khi thực hiện ≤ chỉ tiêu (ví dụ 0 hồ sơ quá hạn)."
            )
        return form


class ObjectiveCreateView(ObjectiveFormMixin, ScopedCreateView):
    pass


class ObjectiveEditView(ObjectiveFormMixin, ScopedEditView):
    pass


class ObjectiveIndexView(ScopedIndexView):
    add_item_label = gettext_lazy("Đặt mục tiêu")

    def get_base_queryset(self):
        return with_last_result(
            super().get_base_queryset().select_related("agency__parent", "procedure")
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Tên mục tiêu"),
            accessor="name",
            get_url=lambda r: self.get_inspect_url(r),
        )

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.procedure_label = _procedure_label(item)
        item.metric_label = _metric_label(item)
        item.target_label = target_label(item)
        item.result_label = _last_result(item)
        return super().to_row_dict(item)


class ObjectiveInspectView(ScopedInspectView):
    template_name = "indicators/objectives/inspect.html"
    LABELS = {"validity": gettext_lazy("Thời gian áp dụng")}

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_procedure_display_value(self):
        return _procedure_label(self.object)

    def get_metric_display_value(self):
        return _metric_label(self.object)

    def get_target_display_value(self):
        return target_label(self.object)

    def get_validity_display_value(self):
        return _validity(self.object)

    def get_note_display_value(self):
        return empty(self.object.note)

    def get_set_by_display_value(self):
        return person_name(self.object.set_by) if self.object.set_by_id else EMPTY

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objective = self.object
        rows = []
        for e in (
            ObjectiveEvaluation.objects.filter(objective=objective)
            .select_related("finding", "evaluated_by")
            .order_by("-period_start")
        ):
            rows.append(
                {
                    "month": month_label(e.period_start),
                    "actual": format_measure(objective.metric, e.actual) or EMPTY,
                    "basis": format_number(e.basis),
                    "result": result_label(e.met),
                    "met": e.met,
                    "finding": e.finding,
                    "finding_url": (
                        reverse("audit_findings:inspect", args=[e.finding_id])
                        if e.finding_id
                        else ""
                    ),
                    "evaluated": format_moment(e.evaluated_at),
                    "by": person_name(e.evaluated_by) if e.evaluated_by_id else _("Tự động"),
                }
            )
        context.update(evaluations=rows, transition_buttons=self.transition_buttons(objective))
        return context


class ObjectiveFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=OBJECTIVE)
    metric = django_filters.ChoiceFilter(
        label=gettext_lazy("Chỉ số"),
        choices=ObjectiveMetric.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = QualityObjective
        fields = []


class ObjectiveViewSet(AgencyScopedViewSet):
    model = QualityObjective
    resource = OBJECTIVE
    icon = "crosshairs"
    menu_label = gettext_lazy("Mục tiêu chất lượng")
    menu_hook = MENU_HOOK
    menu_order = 70
    add_view_class = ObjectiveCreateView
    edit_view_class = ObjectiveEditView
    index_view_class = ObjectiveIndexView
    inspect_view_class = ObjectiveInspectView
    filterset_class = ObjectiveFilterSet
    save_service = staticmethod(objective_save)
    list_display = [
        "name",
        Column(
            "agency",
            label=gettext_lazy("Cơ quan, đơn vị"),
            accessor=lambda o: o.agency.display_name,
        ),
        Column("procedure", label=gettext_lazy("Thủ tục hành chính"), accessor=_procedure_label),
        Column("metric", label=gettext_lazy("Chỉ số"), accessor=_metric_label),
        Column("target", label=gettext_lazy("Chỉ tiêu"), accessor=target_label),
        Column("result", label=gettext_lazy("Kết quả tháng gần nhất"), accessor=_last_result),
    ]
    ordering = ["agency__path", "name", "pk"]
    search_fields = ["name", "procedure__code"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency", widget=forms.Select),
            FieldPanel("name"),
            FieldPanel("procedure", widget=tthc_chooser_viewset.widget_class),
            FieldRowPanel([FieldPanel("metric"), FieldPanel("target")]),
            FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
            FieldPanel("note"),
        ]
    )
    inspect_view_fields = [
        "agency",
        "name",
        "procedure",
        "metric",
        "target",
        "validity",
        "note",
        "set_by",
    ]
    list_export = [
        "name",
        "agency_label",
        "procedure_label",
        "metric_label",
        "target_label",
        "result_label",
    ]
    export_headings = {
        "name": gettext_lazy("Tên mục tiêu"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "procedure_label": gettext_lazy("Thủ tục hành chính"),
        "metric_label": gettext_lazy("Chỉ số"),
        "target_label": gettext_lazy("Chỉ tiêu"),
        "result_label": gettext_lazy("Kết quả tháng gần nhất"),
    }
    export_filename = "muc-tieu-chat-luong"

    def get_common_view_kwargs(self, **kwargs):
        # Objectives are kept with their evaluations (an ended one gets its end date): no delete.
        return super().get_common_view_kwargs(**{"delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]

    transitions = (
        Transition(
            name="evaluate",
            label=gettext_lazy("Đánh giá tháng …"),
            service=evaluate_transition,
            form_class=MonthForm,
            confirmation=gettext_lazy(
                "Đo kết quả thực hiện mục tiêu trong tháng đã chọn từ số liệu hồ sơ; nếu không "
                "đạt, một điểm không phù hợp được ghi nhận và báo cho cán bộ đầu mối ISO, lãnh đạo "
                "của cơ quan."
            ),
            icon="calendar-check",
        ),
    )


@hooks.register("register_admin_viewset")
def register_objective_viewset():
    return ObjectiveViewSet("quality_objectives")
