"""Reads about internal auditors: who may join an audit team on a given day.

A person is a qualified internal auditor on a day when, that day, they hold an auditor role
(``Membership`` role "auditor", within its start and end dates) and a certificate of internal
auditor training that is valid (issued on or before the day, not expired). The audit team service
asks ``qualification_refusal`` and shows its reason.
"""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from audits.models import AuditorQualification
from qms.collation import vi_person_order
from qms.models import Agency, Membership, Role
from qms.models.agencies import subtree_q
from qms.people import person_name


def auditor_memberships(on_date: datetime.date, agencies: Iterable[Agency] | None = None):
    """Auditor roles held on ``on_date`` (in ``agencies`` and the units inside them, if given)."""
    rows = Membership.objects.active(on_date).filter(role=Role.AUDITOR)
    if agencies is not None:
        paths = [agency.path for agency in agencies]
        rows = rows.filter(subtree_q(paths, "agency__path")) if paths else rows.none()
    return rows


def qualified_auditors(on_date: datetime.date, agencies: Iterable[Agency] | None = None):
    """Active people holding an auditor role on ``on_date`` (in ``agencies`` or below, if given)
    and a qualification valid that day, as one query, in Vietnamese name order."""
    memberships = auditor_memberships(on_date, agencies).filter(user=OuterRef("pk"))
    qualifications = AuditorQualification.objects.valid_on(on_date).filter(user=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Exists(memberships), Exists(qualifications))
        .order_by(*vi_person_order())
    )


def qualification_refusal(user, on_date: datetime.date) -> str | None:
    """Why ``user`` may not be an internal auditor on ``on_date`` (to join an audit team), or None
    when they may."""
    name = person_name(user)
    day = on_date.strftime("%d/%m/%Y")
    if not auditor_memberships(on_date).filter(user=user).exists():
        return _("%(name)s không giữ vai trò đánh giá viên nội bộ ngày %(day)s.") % {
            "name": name,
            "day": day,
        }
    if not AuditorQualification.objects.valid_on(on_date).filter(user=user).exists():
        return _("%(name)s chưa có chứng chỉ đánh giá viên nội bộ còn hiệu lực ngày %(day)s.") % {
            "name": name,
            "day": day,
        }
    return None


def is_qualified(user, on_date: datetime.date) -> bool:
    return getattr(user, "is_active", False) and qualification_refusal(user, on_date) is None


def auditors_in_scope(q: Q):
    """People holding an auditor role today in the agencies that ``q`` (a filter on
    ``agency__path``) selects: the persons an officer may record a qualification for."""
    memberships = Membership.objects.active().filter(q, role=Role.AUDITOR, user=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Exists(memberships))
        .order_by(*vi_person_order())
    )
