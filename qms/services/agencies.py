"""Agencies (nodes of the state tree): create, change and move, each recorded with who did it.

A node's materialised path holds its ancestors, so moving a node rewrites the paths of its whole
subtree: ``agency_move`` does that in one transaction and leaves a history row for every moved
node. ``Agency.save`` never moves anything.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from qms import permissions, signals
from qms.models import Agency
from qms.models.agencies import subtree_q
from qms.services.files import agency_collection_ensure, agency_collection_move


def _check(actor, action: str, agency: Agency | None) -> None:
    """The policy decides who may create, change or move agencies (administrators today)."""
    if actor is None:  # the system: seed, migrations, tasks
        return
    if not permissions.can_act_on_agency(actor, "agency", action, agency):
        if agency is None:
            raise PermissionDenied(_("Chỉ quản trị viên được tạo hoặc chuyển đơn vị cấp cao nhất."))
        raise PermissionDenied(
            _("Bạn không có quyền sửa cơ cấu tổ chức tại “%(agency)s”.") % {"agency": agency}
        )


@transaction.atomic
def agency_create(*, actor, agency: Agency) -> Agency:
    """Create a node from an unsaved ``Agency``; its first history row carries its path."""
    if agency.pk is not None:
        raise ValueError("agency_create takes an unsaved Agency")
    _check(actor, permissions.ADD, agency.parent)
    agency.full_clean()
    if actor is not None:
        agency._history_user = actor
    agency.save()
    agency_collection_ensure(agency)
    signals.agency_changed.send(sender=Agency, agency=agency, created=True)
    return agency


@transaction.atomic
def agency_move(*, actor, agency: Agency, new_parent: Agency | None) -> Agency:
    """Put ``agency`` (with its subtree) under ``new_parent`` (None: at the top of the tree).

    Field changes made on ``agency`` in memory are saved with the move, in the node's own history
    row; each node below gets a history row for its new path.
    """
    stored = Agency.objects.select_for_update().get(pk=agency.pk)
    _check(actor, permissions.CHANGE, stored)
    if new_parent is not None:
        new_parent = Agency.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.pk == agency.pk or new_parent.is_within(stored):
            raise ValidationError(
                {
                    "parent": _("Không thể chuyển “%(agency)s” vào “%(parent)s” nằm bên trong nó.")
                    % {"agency": stored, "parent": new_parent}
                }
            )
    _check(actor, permissions.ADD, new_parent)
    old_path = stored.path
    agency.parent = new_parent
    agency.path = agency.path_under(new_parent.path if new_parent else "/")
    agency.full_clean()
    if actor is not None:
        agency._history_user = actor
    agency.save()
    if agency.path == old_path:
        signals.agency_changed.send(sender=Agency, agency=agency, created=False)
        return agency
    below = list(
        Agency.objects.select_for_update()
        .filter(subtree_q([old_path]))
        .exclude(pk=agency.pk)
        .order_by("path")
    )
    for node in below:
        node.path = agency.path + node.path[len(old_path) :]
    bulk_update_with_history(
        below,
        Agency,
        ["path"],
        default_user=actor,
        default_change_reason=_("Chuyển theo đơn vị cấp trên %(code)s") % {"code": agency.code},
    )
    # The agency's files follow it: its collection moves under the new parent's, so collection
    # rights held above the new parent cover it (those held on the old parent no longer do).
    agency_collection_move(agency)
    signals.agency_changed.send(sender=Agency, agency=agency, created=False)
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency) -> Agency:
    """Save changes to an existing node; a new parent makes it a move (``agency_move``)."""
    stored = Agency.objects.select_for_update().get(pk=agency.pk)
    _check(actor, permissions.CHANGE, stored)
    if agency.parent_id != stored.parent_id:
        return agency_move(actor=actor, agency=agency, new_parent=agency.parent)
    agency.path = stored.path
    agency.full_clean()
    if actor is not None:
        agency._history_user = actor
    agency.save()
    signals.agency_changed.send(sender=Agency, agency=agency, created=False)
    return agency


def agency_save(*, actor, instance: Agency) -> Agency:
    """Admin form adapter (``AgencyScopedViewSet.save_service``): create, change or move."""
    if instance.pk is None:
        return agency_create(actor=actor, agency=instance)
    return agency_update(actor=actor, agency=instance)
