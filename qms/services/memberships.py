"""Memberships (user × agency × role): create, change, end; page rights follow automatically."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qms import permissions
from qms.models import Agency, Membership
from qms.services.page_rights import page_rights_sync_user


def _check_scope(actor, agency: Agency, action: str) -> None:
    if actor is None:  # system (seed, migrations, tasks)
        return
    if not permissions.can_act_on_agency(actor, "membership", action, agency):
        raise PermissionDenied(
            _("Bạn không có quyền phân công vai trò tại “%(agency)s”.") % {"agency": agency}
        )


@transaction.atomic
def membership_save(*, actor, membership: Membership) -> Membership:
    """Create or change a membership after checking the actor's scope on old and new agency."""
    if membership.pk:
        previous = Membership.objects.select_related("agency").get(pk=membership.pk)
        _check_scope(actor, previous.agency, permissions.CHANGE)
        _check_scope(actor, membership.agency, permissions.CHANGE)
    else:
        _check_scope(actor, membership.agency, permissions.ADD)
    membership.full_clean()
    if actor is not None:
        membership._history_user = actor
    membership.save()
    page_rights_sync_user(membership.user)
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
def membership_end(*, actor, membership: Membership, end_date: datetime.date) -> Membership:
    _check_scope(actor, membership.agency, permissions.CHANGE)
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    membership.end_date = end_date
    return membership_save(actor=actor, membership=membership)


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    _check_scope(actor, membership.agency, permissions.DELETE)
    user = membership.user
    if actor is not None:
        membership._history_user = actor
    membership.delete()
    page_rights_sync_user(user)


def membership_admin_save(*, actor, instance: Membership) -> Membership:
    """Admin form adapter (``AgencyScopedViewSet.save_service``)."""
    return membership_save(actor=actor, membership=instance)


def membership_admin_delete(*, actor, instance: Membership) -> None:
    membership_delete(actor=actor, membership=instance)
