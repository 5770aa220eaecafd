"""indicators' answer to the dashboard's "what next" question (qms.providers.NEXT_STEPS): officers
import the month's one-stop data; leaders and staff read the on-time rates; leaders set quality
objectives where their agency has none, and see to the nonconformity a missed objective raised."""

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
    if Role.LEADER in roles and user is not None:
        steps += _objective_steps(user)
    return steps


def _objective_steps(user) -> list[NextStep]:
    from urllib.parse import urlencode

    from audits.models import Finding, FindingSource, FindingState
    from qms import permissions
    from qms.models.agencies import subtree_q

    from .models import QualityObjective

    led = [m.agency for m in permissions.active_memberships(user) if m.role == Role.LEADER]
    if not led:
        return []
    steps = []
    paths = [agency.path for agency in led]
    if not QualityObjective.objects.filter(agency__in=led).exists():
        steps.append(
            NextStep(
                _("Đặt mục tiêu chất lượng cho cơ quan (ví dụ: ≥ 95 % hồ sơ đúng hạn mỗi tháng)"),
                reverse("quality_objectives:add"),
                12,
            )
        )
    breaches = list(
        Finding.objects.filter(subtree_q(paths, "agency__path"))
        .filter(source=FindingSource.OBJECTIVE_BREACH)
        .exclude(state=FindingState.CLOSED)
        .order_by("raised_on", "pk")
        .values_list("pk", "code")[:2]
    )
    if len(breaches) == 1:
        pk, code = breaches[0]
        steps.append(
            NextStep(
                _("Xử lý điểm không phù hợp %(code)s: không đạt mục tiêu chất lượng")
                % {"code": code},
                reverse("audit_findings:inspect", args=[pk]),
                11,
            )
        )
    elif breaches:
        steps.append(
            NextStep(
                _("Xử lý các điểm không phù hợp do không đạt mục tiêu chất lượng"),
                reverse("audit_findings:index")
                + "?"
                + urlencode({"source": FindingSource.OBJECTIVE_BREACH}),
                11,
            )
        )
    return steps
