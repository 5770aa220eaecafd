"""documents' answer to the dashboard's "what next" question (qms.providers.NEXT_STEPS)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.master_list import ProcedureStatus
from qms.models import Role
from qms.providers import NextStep


def document_next_steps(user, roles: frozenset[str]) -> list[NextStep]:
    steps = []
    listed = reverse("documents_list")
    if Role.OFFICER in roles:
        explore = reverse("wagtailadmin_explore_root")
        steps.append(
            NextStep(_("Soạn quy trình nội bộ mới hoặc dự thảo sửa đổi quy trình"), explore, 5)
        )
        steps.append(NextStep(_("Xem danh mục tài liệu của đơn vị"), listed, 15))
    if Role.LEADER in roles:
        steps.append(
            NextStep(
                _("Xem xét, phê duyệt các quy trình đang trình duyệt"),
                f"{listed}?status={ProcedureStatus.IN_REVIEW}",
                5,
            )
        )
    if Role.STAFF in roles:
        steps.append(
            NextStep(
                _("Đọc các quy trình đang áp dụng của đơn vị"),
                f"{listed}?status={ProcedureStatus.IN_FORCE}",
                10,
            )
        )
    return steps
