"""Admin wiring of the scorecard's thresholds ("Ngưỡng đánh giá bảng điểm", in the "Hồ sơ và chỉ
số" group): one row per measure of the leadership scorecard (written by the migration), where a
cell turns green or amber; every member reads them (the scorecard shows them), administrators
change them (reference data, indicators/rules.py THRESHOLD), with history. Rows are neither added
nor deleted: each measure has exactly one."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column

from indicators.models import ScorecardThreshold
from indicators.rules import THRESHOLD
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.formats.numbers import format_number
from qms.viewsets import AgencyScopedViewSet

permissions.register_policy(ScorecardThreshold, THRESHOLD)

HELP = gettext_lazy(
    "Tỷ lệ và chỉ số (càng cao càng tốt): xanh khi đạt từ ngưỡng xanh trở lên, vàng khi từ "
    "ngưỡng vàng trở lên, đỏ khi thấp hơn. Số đếm (càng ít càng tốt): xanh khi không quá ngưỡng "
    "xanh, vàng khi không quá ngưỡng vàng, đỏ khi nhiều hơn. Khi đơn vị có mục tiêu chất lượng "
    "về tỷ lệ đúng hạn, mục tiêu thay cho ngưỡng xanh."
)


def _direction(row) -> str:
    return _("Càng cao càng tốt") if row.higher_is_better else _("Càng ít càng tốt")


def _bound(value) -> str:
    return format_number(value)


class ThresholdViewSet(AgencyScopedViewSet):
    model = ScorecardThreshold
    resource = THRESHOLD
    icon = "resubmit"
    menu_label = gettext_lazy("Ngưỡng đánh giá bảng điểm")
    menu_hook = MENU_HOOK
    menu_order = 45
    list_display = [
        "measure",
        Column("direction", label=gettext_lazy("Chiều đánh giá"), accessor=_direction),
        Column("green", label=gettext_lazy("Ngưỡng xanh"), accessor=lambda r: _bound(r.green)),
        Column("amber", label=gettext_lazy("Ngưỡng vàng"), accessor=lambda r: _bound(r.amber)),
        "note",
    ]
    ordering = ["measure"]
    search_fields = ["note"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldRowPanel(
                [FieldPanel("green", help_text=HELP), FieldPanel("amber")],
            ),
            FieldPanel("note"),
        ]
    )
    inspect_view_fields = ["measure", "green", "amber", "note"]
    list_export = ["measure", "green", "amber", "note"]
    export_filename = "nguong-danh-gia-bang-diem"

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"delete_url_name": None, "add_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name not in ("delete", "add")]


@hooks.register("register_admin_viewset")
def register_threshold_viewset():
    return ThresholdViewSet("scorecard_thresholds")
