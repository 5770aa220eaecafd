"""Recording internal auditors' qualifications (training, certificate, dates).

Officers and leaders of the agency (or of a body above it) and administrators record them, for a
person holding an auditor role in that agency or a unit inside it; nobody records their own
(separation of duties, DESIGN.md §6). The history keeps every version.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from audits.models import AuditorQualification
from audits.rules_auditors import QUALIFICATION
from qms import permissions
from qms.display import format_day
from qms.models import Agency, Membership, Role
from qms.models.agencies import subtree_q
from qms.people import person_name
from qms.wagtail_scope import media_in_scope


def _certificate_errors(actor, instance: AuditorQualification) -> list[str]:
    document = instance.certificate
    if actor is not None and not (
        media_in_scope(actor, get_document_model()).filter(pk=document.pk).exists()
    ):
        return [
            _("Bản scan “%(title)s” không thuộc tài liệu bạn được chọn.")
            % {"title": document.title}
        ]
    owner = Agency.objects.owning_collection(document.collection)
    if owner is None or not owner.is_within(instance.agency):
        return [
            _(
                "Bản scan “%(title)s” phải nằm trong thư mục tài liệu của “%(agency)s” (hoặc đơn vị "
                "trực thuộc), để những người xem chứng chỉ mở được."
            )
            % {"title": document.title, "agency": instance.agency.name}
        ]
    return []


def qualification_date_errors(qualified_on, valid_until) -> dict[str, list[str]]:
    """The dates' problems by field: issued in the future, or not valid past the issue date (the
    admin form asks this before the model's own constraint, whose message names no date)."""
    errors = {}
    if qualified_on and qualified_on > timezone.localdate():
        errors["qualified_on"] = [
            _("Ngày cấp chứng chỉ %(date)s chưa đến.") % {"date": format_day(qualified_on)}
        ]
    if qualified_on and valid_until and valid_until <= qualified_on:
        errors["valid_until"] = [
            _("Ngày hết hiệu lực %(until)s phải sau ngày cấp chứng chỉ %(issued)s.")
            % {"until": format_day(valid_until), "issued": format_day(qualified_on)}
        ]
    return errors


@transaction.atomic
def qualification_save(*, actor, instance: AuditorQualification) -> AuditorQualification:
    """Record or correct an internal auditor's qualification. ``actor`` None is the system (demo
    data, migrations). Refuses with PermissionDenied (the actor's right) or ValidationError (the
    record's fields, each named) and writes nothing then."""
    adding = instance._state.adding
    action = permissions.ADD if adding else permissions.CHANGE
    agency = instance.agency if instance.agency_id else None
    before = None
    if not adding:
        before = AuditorQualification.objects.select_related("agency").get(pk=instance.pk)
    if actor is not None:
        if agency is None or not permissions.can_act_on_agency(
            actor, QUALIFICATION, action, agency
        ):
            raise PermissionDenied(
                _(
                    "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” hoặc cấp trên và quản trị "
                    "viên ghi chứng chỉ đánh giá viên nội bộ của đơn vị này."
                )
                % {"agency": agency.name if agency else "—"}
            )
        if before is not None and not permissions.has_permission(
            actor, QUALIFICATION, action, before
        ):
            raise PermissionDenied(
                _("Bạn không có quyền sửa chứng chỉ do “%(agency)s” lưu giữ.")
                % {"agency": before.agency.name}
            )
        if instance.user_id and actor.pk == instance.user_id:
            raise PermissionDenied(
                _(
                    "Không ai được tự ghi chứng chỉ đánh giá viên nội bộ của chính mình: hãy đề "
                    "nghị cán bộ đầu mối ISO hoặc lãnh đạo đơn vị ghi."
                )
            )

    instance.training = (instance.training or "").strip()
    instance.trainer = (instance.trainer or "").strip()
    instance.certificate_number = (instance.certificate_number or "").strip()
    errors: dict[str, list[str]] = {}
    if not instance.training:
        errors["training"] = [_("Hãy ghi tên khóa đào tạo đánh giá viên nội bộ.")]
    # A new record, or another person or agency: the person must hold the auditor role there now.
    # Correcting an older record of the same person needs no role today.
    moved = before is None or (before.user_id, before.agency_id) != (
        instance.user_id,
        instance.agency_id,
    )
    if moved and instance.user_id and agency is not None:
        holds_role = (
            Membership.objects.active()
            .filter(user_id=instance.user_id, role=Role.AUDITOR)
            .filter(subtree_q([agency.path], "agency__path"))
            .exists()
        )
        if not holds_role:
            errors["user"] = [
                _(
                    "%(name)s không giữ vai trò đánh giá viên nội bộ tại “%(agency)s” hoặc đơn vị "
                    "trực thuộc: lãnh đạo đơn vị phân công vai trò trước, rồi mới ghi chứng chỉ."
                )
                % {"name": person_name(instance.user), "agency": agency.name}
            ]
    errors.update(qualification_date_errors(instance.qualified_on, instance.valid_until))
    if instance.certificate_id and agency is not None:
        certificate_errors = _certificate_errors(actor, instance)
        if certificate_errors:
            errors["certificate"] = certificate_errors
    if errors:
        raise ValidationError(errors)
    instance._history_user = actor
    instance.save()
    return instance
