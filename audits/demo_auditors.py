"""Demo internal auditors' qualifications (run by ``audits.demo``): every demo auditor
(``<agency code>-auditor``) holds a certificate of an internal auditor course, issued over the
past two years and valid for three; one (``snv-auditor``) expired a month ago, so the list shows
both words and the audit team will refuse that person. Idempotent: a demo auditor who already has a
qualification is left as they are. Course names and certificate numbers are invented."""

import datetime

from django.utils import timezone

from audits.models import AuditorQualification
from audits.services.auditors import qualification_save
from qms.models import Membership, Role

EXPIRED_USERNAME = "snv-auditor"
TRAININGS = [
    ("Đánh giá viên nội bộ hệ thống quản lý chất lượng TCVN ISO 9001:2015", "Viện Năng suất Việt Nam"),
    ("Chuyên gia đánh giá nội bộ ISO 9001:2015 trong cơ quan hành chính nhà nước", "Trung tâm Chứng nhận Phù hợp (QUACERT)"),
]  # fmt: skip
VALID_DAYS = 3 * 365


def _demo_auditor_memberships() -> list[Membership]:
    """The auditor role each demo auditor holds on their own node, in the agencies' tree order."""
    rows = (
        Membership.objects.active()
        .filter(role=Role.AUDITOR, user__username__endswith="-auditor")
        .select_related("user", "agency")
        .order_by("agency__path", "pk")
    )
    return [m for m in rows if m.user.username == f"{m.agency.code.lower()}-auditor"]


def seed() -> dict:
    today = timezone.localdate()
    created = 0
    for index, membership in enumerate(_demo_auditor_memberships()):
        user, agency = membership.user, membership.agency
        if AuditorQualification.objects.filter(user=user).exists():
            continue
        if user.username == EXPIRED_USERNAME:
            valid_until = today - datetime.timedelta(days=30)
            qualified_on = valid_until - datetime.timedelta(days=VALID_DAYS)
        else:
            qualified_on = today - datetime.timedelta(days=60 + (index * 23) % 640)
            valid_until = qualified_on + datetime.timedelta(days=VALID_DAYS)
        training, trainer = TRAININGS[index % len(TRAININGS)]
        qualification_save(
            actor=None,
            instance=AuditorQualification(
                user=user,
                agency=agency,
                training=training,
                trainer=trainer,
                certificate_number=f"{qualified_on.year}/ĐGNB-{agency.code}",
                qualified_on=qualified_on,
                valid_until=valid_until,
                note="Dữ liệu minh họa.",
            ),
        )
        created += 1
    return {"auditor_qualifications": created}
