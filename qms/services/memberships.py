"""Memberships (user × agency × role): grant, change, end; rights follow at once.

Who may grant which role is the policy's (``permissions.grant_refusal``, DESIGN.md §6): nobody
touches a role of their own, leaders are appointed from above, auditors by a leader of their agency
or above, officers appoint officers and staff in their scope. A membership is ended, never
deleted, except by an administrator correcting a mistake. Every refusal says why.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import permissions, signals
from qms.models import Agency, Membership
from qms.services.rights import rights_sync_user


def _check_grant(actor, *, holder, agency: Agency, role: str) -> None:
    reason = permissions.grant_refusal(actor, holder=holder, agency=agency, role=role)
    if reason:
        raise PermissionDenied(reason)


def _announce(membership: Membership, previous: Membership | None) -> None:
    """Send the core's membership events (qms.signals) after the change is committed."""
    today = timezone.localdate()
    was = previous is not None and previous.is_active_on(today)
    now = membership.is_active_on(today)
    if now and not was:
        signal = signals.membership_started
    elif was and not now:
        signal = signals.membership_ended
    else:
        return
    transaction.on_commit(lambda: signal.send(sender=Membership, membership=membership))


@transaction.atomic
def membership_save(*, actor, membership: Membership) -> Membership:
    """Create or change a membership: the actor must be allowed to grant the role it had (when
    changing) and the role it gets, on the agency it had and the one it gets."""
    previous = None
    if membership.pk:
        previous = Membership.objects.select_related("agency", "user").get(pk=membership.pk)
        _check_grant(actor, holder=previous.user, agency=previous.agency, role=previous.role)
    _check_grant(actor, holder=membership.user, agency=membership.agency, role=membership.role)
    membership.full_clean()
    if actor is not None:
        membership._history_user = actor
    membership.save()
    rights_sync_user(membership.user)
    if previous is not None and previous.user_id != membership.user_id:
        rights_sync_user(previous.user)
    _announce(membership, previous)
    return membership


def membership_create(
    *,
    actor,
    user,
    agency: Agency,
    role: str,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    acting: bool = False,
    note: str = "",
) -> Membership:
    membership = Membership(
        user=user, agency=agency, role=role, end_date=end_date, acting=acting, note=note
    )
    if start_date:
        membership.start_date = start_date
    return membership_save(actor=actor, membership=membership)


@transaction.atomic
def membership_end(
    *, actor, membership: Membership, end_date: datetime.date | None = None
) -> Membership:
    """End a membership on ``end_date`` (today when not given): the last day the role is held."""
    end_date = end_date or timezone.localdate()
    if end_date < membership.start_date:
        raise ValidationError(
            {
                "end_date": _("Ngày kết thúc (%(end)s) phải từ ngày bắt đầu (%(start)s) trở đi.")
                % {"end": f"{end_date:%d/%m/%Y}", "start": f"{membership.start_date:%d/%m/%Y}"}
            }
        )
    if membership.end_date is not None and membership.end_date <= end_date:
        raise ValidationError(
            {
                "end_date": _("Phân công này đã kết thúc ngày %(end)s.")
                % {"end": f"{membership.end_date:%d/%m/%Y}"}
            }
        )
    membership.end_date = end_date
    return membership_save(actor=actor, membership=membership)


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    """Remove a membership entered by mistake: administrators only (and the system); everyone
    else ends it, so the history of who held which role stays."""
    if actor is not None and not permissions.may_delete_membership(actor):
        raise PermissionDenied(
            _(
                "Phân công vai trò không bị xóa mà được kết thúc (nhập ngày kết thúc); chỉ quản trị "
                "viên được xóa một phân công nhập nhầm."
            )
        )
    user = membership.user
    if actor is not None:
        membership._history_user = actor
    was_active = membership.is_active_on(timezone.localdate())
    membership.delete()
    rights_sync_user(user)
    if was_active:
        transaction.on_commit(
            lambda: signals.membership_ended.send(sender=Membership, membership=membership)
        )


def membership_admin_save(*, actor, instance: Membership) -> Membership:
    """Admin form adapter (``AgencyScopedViewSet.save_service``)."""
    return membership_save(actor=actor, membership=instance)


def membership_admin_delete(*, actor, instance: Membership) -> None:
    membership_delete(actor=actor, membership=instance)


def membership_admin_end(*, actor, instance: Membership, end_date=None) -> Membership:
    """The "end" transition of the admin (``Transition.service``)."""
    return membership_end(actor=actor, membership=instance, end_date=end_date)
