"""audits' answer to the dashboard's "what next" question (qms.providers.NEXT_STEPS): the
programme, the register, complaints and the management review, by role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audits.models import ProgrammeState, ReviewState
from qms.models import Role
from qms.providers import NextStep


def audit_next_steps(user, roles: frozenset[str]) -> list[NextStep]:
    steps = []
    programmes = reverse("audit_programmes:index")
    reviews = reverse("management_reviews:index")
    if Role.LEADER in roles:
        steps.append(
            NextStep(
                _(
                    "Phê duyệt chương trình đánh giá nội bộ, xem các khoảng trống chưa được đánh giá"
                ),
                f"{programmes}?state={ProgrammeState.DRAFT}",
                6,
            )
        )
        steps.append(
            NextStep(
                _("Chủ trì xem xét của lãnh đạo (ít nhất mỗi năm một lần)"),
                f"{reviews}?state={ReviewState.PLANNED}",
                20,
            )
        )
    if Role.OFFICER in roles:
        steps.append(
            NextStep(
                _("Cập nhật hồ sơ hệ thống chất lượng: phạm vi, chính sách, rủi ro và cơ hội"),
                reverse("quality_systems:index"),
                20,
            )
        )
        steps.append(
            NextStep(_("Ghi nhận, trả lời khiếu nại, phản ánh"), reverse("complaints:index"), 25)
        )
        steps.append(NextStep(_("Chuẩn bị cuộc họp xem xét của lãnh đạo"), reviews, 30))
    if Role.AUDITOR in roles:
        steps.append(NextStep(_("Lập chương trình đánh giá nội bộ của năm"), programmes, 8))
    return steps
