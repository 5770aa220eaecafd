"""Reads about corrective actions: overdue (derived, never stored), who may own an action (and in
which unit), who may verify it (qualified and independent of the owner's unit)."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import OPEN_STATES, UNDONE_STATES, ActionState, Audit, CorrectiveAction
from audits.selectors_auditors import qualification_refusal
from audits.selectors_audits import WORKING_ROLES
from qms.collation import vi_person_order
from qms.models import Agency, Membership
from qms.models.agencies import subtree_q
from qms.people import person_name


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (two dates), as an integer on SQLite and PostgreSQL."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        if connection.vendor == "sqlite":
            sql = f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)"
        else:
            sql = f"({end_sql} - {start_sql})"
        return sql, (*end_params, *start_params)


def overdue_q(today: datetime.date) -> Q:
    return Q(state__in=UNDONE_STATES, due_date__lt=today)


def with_overdue(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Actions annotated with ``is_overdue`` (not yet implemented and past the due date) and
    ``days_overdue`` (0 when not overdue)."""
    today = today or timezone.localdate()
    late = overdue_q(today)
    return queryset.annotate(
        is_overdue=Case(
            When(late, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        days_overdue=Case(
            When(late, then=DaysBetween(Value(today, output_field=DateField()), "due_date")),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def overdue_label(action) -> str:
    days = getattr(action, "days_overdue", 0) or 0
    if not getattr(action, "is_overdue", False) or days <= 0:
        return ""
    return _("Quá hạn %(days)s ngày") % {"days": days}


def owner_membership(user, agency: Agency, on_date: datetime.date | None = None):
    """The user's working membership (officer, leader, staff) in ``agency`` or a unit inside it,
    the deepest node first (the owner's unit), or None."""
    return (
        Membership.objects.active(on_date or timezone.localdate())
        .filter(user=user, user__is_active=True, role__in=WORKING_ROLES)
        .filter(subtree_q([agency.path], "agency__path"))
        .select_related("agency")
        .order_by(-Length("agency__path"), "pk")
        .first()
    )


def owners_offered(agencies) -> QuerySet:
    """Active people with a working role in ``agencies`` or the units inside them."""
    paths = [a.path for a in agencies]
    if not paths:
        return get_user_model().objects.none()
    rows = Membership.objects.active().filter(
        subtree_q(paths, "agency__path"), role__in=WORKING_ROLES, user=OuterRef("pk")
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Exists(rows))
        .order_by(*vi_person_order())
    )


def verifier_refusal(verifier, owner, owner_unit: Agency, on_date: datetime.date) -> str | None:
    """Why ``verifier`` may not verify an action owned by ``owner`` in ``owner_unit``, or None:
    a qualified internal auditor on the day, never the owner, never holding a working role in
    the owner's unit nor in a unit inside it (DESIGN.md §6)."""
    if owner is not None and verifier.pk == owner.pk:
        return _("%(name)s là người thực hiện nên không xác nhận hiệu lực hành động của mình.") % {
            "name": person_name(verifier)
        }
    reason = qualification_refusal(verifier, on_date)
    if reason:
        return reason
    if owner_unit is not None:
        working = (
            Membership.objects.active(on_date)
            .filter(user=verifier, role__in=WORKING_ROLES)
            .filter(subtree_q([owner_unit.path], "agency__path"))
            .select_related("agency")
            .first()
        )
        if working is not None:
            return _(
                "%(name)s không độc lập với người thực hiện: đang làm việc tại “%(node)s”, thuộc "
                "đơn vị “%(unit)s” của người thực hiện."
            ) % {
                "name": person_name(verifier),
                "node": working.agency.name,
                "unit": owner_unit.name,
            }
    return None


def my_work(user, today: datetime.date | None = None) -> dict:
    """What waits for ``user`` on the dashboard: the actions they own not yet implemented (the
    overdue first), the actions implemented that they are to verify, and the open audits they are
    on. Three queries, whatever the number of rows."""
    today = today or timezone.localdate()
    if not getattr(user, "is_authenticated", False):
        return {"owned": [], "to_verify": [], "audits": []}
    base = CorrectiveAction.objects.select_related("finding__agency")
    owned = with_overdue(base.filter(owner=user, state__in=UNDONE_STATES), today).order_by(
        "due_date", "pk"
    )
    to_verify = base.filter(verifier=user, state=ActionState.IMPLEMENTED).order_by(
        "implemented_at", "pk"
    )
    audits = (
        Audit.objects.filter(state__in=OPEN_STATES, team__user=user)
        .select_related("agency")
        .order_by("planned_start", "pk")
    )
    return {"owned": list(owned), "to_verify": list(to_verify), "audits": list(audits)}
