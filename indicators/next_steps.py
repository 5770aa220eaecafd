"""indicators' answer to the dashboard's "what next" question (qms.providers.NEXT_STEPS): officers
import the month's one-stop data; leaders and staff read the on-time rates."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qms.models import Role
from qms.providers import NextStep


def indicator_next_steps(user, roles: frozenset[str]) -> list[NextStep]:
    steps = []
    if Role.OFFICER in roles:
        steps.append(
            NextStep(
                _("Nhập dữ liệu hồ sơ tháng từ hệ thống một cửa (CSV, XLSX)"),
                reverse("dossier_imports:add"),
                15,
            )
        )
    if roles & {Role.LEADER, Role.OFFICER, Role.STAFF}:
        steps.append(
            NextStep(
                _("Xem tỷ lệ giải quyết hồ sơ đúng hạn theo TTHC"),
                reverse("indicators_metrics"),
                40 if Role.LEADER not in roles else 10,
            )
        )
    return steps
