"""The QMS register (scope, policy), risks and opportunities, conformity announcements and
external inspections: every state change, in a transaction, with history and notifications
(issue 9 point 1; ISO 9001 clauses 4.3, 5.2, 6.1; Decision 101/2018/QĐ-TTg).

Who: officers and leaders of the agency or of a body above it (or an administrator) keep the
register, the risks, the announcements and the inspections (``keeper_refusal``).

- The register (one per agency) names units of the agency itself (the agency and the units inside
  it) and TTHC that the agency or its units handle; a refusal names the others.
- A risk's owner is a member of its agency (or of a unit inside it); a closed risk is not changed.
- A signed document (an announcement, an inspection's conclusion or report) lies in the agency's
  collection (or a unit's inside it), where its members read it.
- An inspection's corrective report is due 2 calendar months after the conclusion was received
  (``report_due``: the same day of the month, or the month's last day when it has none); the
  findings of the inspection are recorded through ``finding_record`` with the source "external
  inspection"; the report is sent once every nonconformity has a corrective action, never before
  the conclusion.
- ``inspection_reminders_send`` reminds the agency's officers and leaders once when the report is
  due within 14 days and once when it is overdue (the ``SystemReminder`` row is written with the
  notification, under its unique constraint).
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from audits.models import (
    ConformityAnnouncement,
    ExternalInspection,
    Finding,
    FindingKind,
    FindingSource,
    InspectionState,
    QualitySystem,
    Risk,
    RiskKind,
    RiskState,
    SystemReminder,
    SystemReminderKind,
)
from audits.selectors_register import (
    inspection_nonconformities_without_action,
    inspections_report_due,
    is_member_of,
    procedures_allowed,
    units_allowed,
)
from audits.services.findings import finding_record
from qms import permissions
from qms.display import format_day
from qms.models import Membership, Role
from qms.people import person_name
from qms.services.files import agency_collection_ensure
from qms.services.notifications import notify
from qms.uploads import validate_upload

KEEPERS = (Role.OFFICER, Role.LEADER)
REPORT_MONTHS = 2
REMIND_DAYS_BEFORE = 14
DUE_14, OVERDUE = "due_14", "overdue"


def _check(reason, exc=PermissionDenied):
    if reason:
        raise exc(reason)


def report_due(concluded_on: datetime.date) -> datetime.date:
    """``concluded_on`` plus 2 calendar months; 31/12 → 28/02 (29/02 in a leap year)."""
    month = concluded_on.month - 1 + REPORT_MONTHS
    year = concluded_on.year + month // 12
    month = month % 12 + 1
    day = min(concluded_on.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def _is_keeper(user, agency) -> bool:
    if permissions.is_admin(user):
        return True
    return any(
        m.role in KEEPERS and agency.is_within(m.agency)
        for m in permissions.active_memberships(user)
    )


def keeper_refusal(actor, agency, what: str = "") -> str | None:
    """Why ``actor`` may not keep the QMS records of ``agency``, or None (None actor: a system
    call, the demo)."""
    if actor is None:
        return None
    if agency is None:
        return _("Hãy chọn cơ quan, đơn vị.")
    if _is_keeper(actor, agency):
        return None
    return _(
        "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” hoặc cấp trên cập nhật %(what)s."
    ) % {"agency": agency.name, "what": what or _("hệ thống quản lý chất lượng")}


def _agency_or_none(instance):
    return instance.agency if instance.agency_id else None


def _keepers_of(agency) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(agency=agency, role__in=KEEPERS, user__is_active=True)
        .select_related("user")
    ]


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the admin's URLs are not loaded (a bare worker)
        return ""


def _not_future(errors, name, day, label):
    if day and day > timezone.localdate():
        errors[name] = [
            _("%(label)s %(day)s ở tương lai.") % {"label": label, "day": format_day(day)}
        ]


def _document_refusal(document, agency) -> str | None:
    """A signed document must lie in the agency's collection (or a unit's inside it)."""
    if document is None or agency is None:
        return None
    owner = permissions.agency_of(document)
    if owner is not None and owner.is_within(agency):
        return None
    return _("Tài liệu “%(title)s” không thuộc thư mục tài liệu của “%(agency)s”.") % {
        "title": document.title,
        "agency": agency.name,
    }


def _store_file(file, agency, title: str, actor):
    """An uploaded file kept as a document in the agency's collection."""
    validate_upload(file)
    document = get_document_model()(
        title=title[:255],
        file=file,
        collection=agency_collection_ensure(agency),
        uploaded_by_user=actor,
    )
    document.save()
    return document


# --- The register ------------------------------------------------------------------------------


def register_refusal(actor, system: QualitySystem) -> str | None:
    return keeper_refusal(actor, _agency_or_none(system), _("hệ thống quản lý chất lượng"))


@transaction.atomic
def quality_system_save(*, actor, instance: QualitySystem, units=None, procedures=None):
    """Record or change an agency's register: scope, units, TTHC, exclusions, policy. ``units``
    and ``procedures`` (None: left as they are) must belong to the agency; a refusal names the
    others."""
    before = None
    if instance.pk:
        before = (
            QualitySystem.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=instance.pk)
        )
        _check(register_refusal(actor, before))
    _check(register_refusal(actor, instance))
    instance.scope = (instance.scope or "").strip()
    instance.quality_policy = (instance.quality_policy or "").strip()
    instance.exclusions = (instance.exclusions or "").strip()
    errors: dict[str, list[str]] = {}
    agency = _agency_or_none(instance)
    if agency is None:
        errors["agency"] = [_("Hãy chọn cơ quan, đơn vị.")]
    elif before is not None and before.agency_id != agency.pk:
        errors["agency"] = [
            _("Hệ thống quản lý chất lượng của “%(agency)s”: không đổi được cơ quan.")
            % {"agency": before.agency.name}
        ]
    elif QualitySystem.objects.filter(agency=agency).exclude(pk=instance.pk or None).exists():
        errors["agency"] = [
            _("“%(agency)s” đã có hồ sơ hệ thống quản lý chất lượng.") % {"agency": agency.name}
        ]
    if not instance.scope:
        errors["scope"] = [_("Hãy ghi phạm vi áp dụng.")]
    if not instance.quality_policy:
        errors["quality_policy"] = [_("Hãy ghi chính sách chất lượng.")]
    _not_future(errors, "policy_issued_on", instance.policy_issued_on, _("Ngày ban hành"))
    units = list(units) if units is not None else None
    procedures = list(procedures) if procedures is not None else None
    if agency is not None and units:
        allowed = set(units_allowed(agency).values_list("pk", flat=True))
        outside = [u for u in units if u.pk not in allowed]
        if outside:
            errors["units"] = [
                _("Không thuộc “%(agency)s”: %(units)s.")
                % {"agency": agency.name, "units": ", ".join(u.name for u in outside)}
            ]
    if agency is not None and procedures:
        allowed = set(procedures_allowed(agency).values_list("pk", flat=True))
        outside = sorted(p.code for p in procedures if p.pk not in allowed)
        if outside:
            errors["administrative_procedures"] = [
                _("“%(agency)s” và các đơn vị trực thuộc không giải quyết TTHC %(codes)s.")
                % {"agency": agency.name, "codes": ", ".join(outside)}
            ]
    if errors:
        raise ValidationError(errors)
    instance.updated_by = actor
    instance._history_user = actor
    instance.save()
    if units is not None:
        instance.units.set(units)
    if procedures is not None:
        instance.administrative_procedures.set(procedures)
    return instance


# --- Risks and opportunities -------------------------------------------------------------------


def risk_refusal(actor, risk: Risk) -> str | None:
    return keeper_refusal(actor, _agency_or_none(risk), _("rủi ro và cơ hội"))


def risk_change_refusal(actor, risk: Risk) -> str | None:
    if risk.state == RiskState.CLOSED:
        return _("“%(title)s” đã kết thúc: không sửa được nữa.") % {"title": risk.title}
    return risk_refusal(actor, risk)


def _validate_risk(instance: Risk) -> None:
    instance.title = (instance.title or "").strip()
    instance.treatment = (instance.treatment or "").strip()
    instance.description = (instance.description or "").strip()
    errors: dict[str, list[str]] = {}
    agency = _agency_or_none(instance)
    if agency is None:
        errors["agency"] = [_("Hãy chọn cơ quan, đơn vị.")]
    if instance.kind not in RiskKind.values:
        errors["kind"] = [_("Hãy chọn loại: rủi ro hoặc cơ hội.")]
    if not instance.title:
        errors["title"] = [_("Hãy ghi tên rủi ro, cơ hội.")]
    if not instance.treatment:
        errors["treatment"] = [_("Hãy ghi biện pháp xử lý.")]
    for name in ("likelihood", "impact"):
        value = getattr(instance, name)
        if value is None or not 1 <= value <= 5:
            errors[name] = [
                _("%(label)s phải từ 1 đến 5.")
                % {"label": Risk._meta.get_field(name).verbose_name.capitalize()}
            ]
    owner = instance.owner
    if owner is not None and agency is not None and not is_member_of(owner, agency):
        errors["owner"] = [
            _("%(person)s không phải thành viên của “%(agency)s”.")
            % {"person": person_name(owner), "agency": agency.name}
        ]
    page = instance.procedure
    if page is not None and agency is not None and not agency.is_within(page.agency):
        errors["procedure"] = [
            _("Quy trình “%(procedure)s” không áp dụng cho “%(agency)s”.")
            % {"procedure": page.title, "agency": agency.name}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def risk_save(*, actor, instance: Risk) -> Risk:
    """Record a risk or an opportunity, or change one still followed."""
    if instance.pk:
        before = Risk.objects.select_for_update(of=("self",)).get(pk=instance.pk)
        _check(risk_change_refusal(actor, before))
        instance.state = before.state
        instance.closed_on = before.closed_on
        instance.created_by_id = before.created_by_id
    else:
        instance.state = RiskState.OPEN
        instance.closed_on = None
        instance.created_by = actor
    _check(risk_refusal(actor, instance))
    _validate_risk(instance)
    instance._history_user = actor
    instance.save()
    return instance


@transaction.atomic
def risk_close(*, actor, instance: Risk, closed_on=None) -> Risk:
    """Open → closed on a day (today by default, never in the future)."""
    risk = Risk.objects.select_for_update(of=("self",)).select_related("agency").get(pk=instance.pk)
    if risk.state == RiskState.CLOSED:
        raise ValidationError(risk_change_refusal(None, risk))
    _check(risk_refusal(actor, risk))
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise ValidationError(
            {
                "closed_on": [
                    _("Ngày kết thúc %(day)s ở tương lai.") % {"day": format_day(closed_on)}
                ]
            }
        )
    risk.state = RiskState.CLOSED
    risk.closed_on = closed_on
    risk._history_user = actor
    risk.save(update_fields=["state", "closed_on"])
    instance.refresh_from_db()
    return risk


# --- Conformity announcements ------------------------------------------------------------------


def announcement_refusal(actor, announcement: ConformityAnnouncement) -> str | None:
    return keeper_refusal(actor, _agency_or_none(announcement), _("công bố hệ thống phù hợp"))


@transaction.atomic
def announcement_save(*, actor, instance: ConformityAnnouncement) -> ConformityAnnouncement:
    """Record or change the announcement that the agency's system conforms to TCVN ISO 9001."""
    if instance.pk:
        before = (
            ConformityAnnouncement.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=instance.pk)
        )
        _check(announcement_refusal(actor, before))
        instance.created_by_id = before.created_by_id
    else:
        instance.created_by = actor
    _check(announcement_refusal(actor, instance))
    instance.number = (instance.number or "").strip()
    instance.posted_at = (instance.posted_at or "").strip()
    instance.note = (instance.note or "").strip()
    errors: dict[str, list[str]] = {}
    if not instance.number:
        errors["number"] = [_("Hãy ghi số quyết định công bố.")]
    if not instance.posted_at:
        errors["posted_at"] = [_("Hãy ghi nơi niêm yết, đăng tải.")]
    if not instance.announced_on:
        errors["announced_on"] = [_("Hãy ghi ngày công bố.")]
    _not_future(errors, "announced_on", instance.announced_on, _("Ngày công bố"))
    reason = _document_refusal(instance.document, _agency_or_none(instance))
    if reason:
        errors["document"] = [reason]
    if errors:
        raise ValidationError(errors)
    instance._history_user = actor
    instance.save()
    return instance


# --- External inspections ----------------------------------------------------------------------


def inspection_refusal(actor, inspection: ExternalInspection) -> str | None:
    return keeper_refusal(actor, _agency_or_none(inspection), _("kết quả kiểm tra"))


def inspection_change_refusal(actor, inspection: ExternalInspection) -> str | None:
    if inspection.state == InspectionState.REPORTED:
        return _("%(inspection)s đã báo cáo khắc phục: không sửa được nữa.") % {
            "inspection": inspection
        }
    return inspection_refusal(actor, inspection)


@transaction.atomic
def inspection_save(*, actor, instance: ExternalInspection) -> ExternalInspection:
    """Record or change an inspection whose report is still due; the report's due day follows
    the day the conclusion was received."""
    if instance.pk:
        before = (
            ExternalInspection.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=instance.pk)
        )
        _check(inspection_change_refusal(actor, before))
        if before.findings.exists() and before.agency_id != instance.agency_id:
            raise ValidationError(
                {
                    "agency": [
                        _("%(inspection)s đã có phát hiện: không đổi được cơ quan được kiểm tra.")
                        % {"inspection": before}
                    ]
                }
            )
        for name in ("state", "reported_on", "report_document_id", "created_by_id"):
            setattr(instance, name, getattr(before, name))
    else:
        instance.state = InspectionState.REPORT_DUE
        instance.reported_on = None
        instance.report_document = None
        instance.created_by = actor
    _check(inspection_refusal(actor, instance))
    instance.inspecting_body = (instance.inspecting_body or "").strip()
    instance.conclusion_number = (instance.conclusion_number or "").strip()
    instance.summary = (instance.summary or "").strip()
    errors: dict[str, list[str]] = {}
    if not instance.inspecting_body:
        errors["inspecting_body"] = [_("Hãy ghi cơ quan kiểm tra.")]
    if not instance.inspected_on:
        errors["inspected_on"] = [_("Hãy ghi ngày kiểm tra.")]
    if not instance.concluded_on:
        errors["concluded_on"] = [_("Hãy ghi ngày nhận kết luận.")]
    _not_future(errors, "inspected_on", instance.inspected_on, _("Ngày kiểm tra"))
    _not_future(errors, "concluded_on", instance.concluded_on, _("Ngày nhận kết luận"))
    if (
        instance.inspected_on
        and instance.concluded_on
        and instance.concluded_on < instance.inspected_on
        and "concluded_on" not in errors
    ):
        errors["concluded_on"] = [
            _("Ngày nhận kết luận %(day)s trước ngày kiểm tra %(inspected)s.")
            % {
                "day": format_day(instance.concluded_on),
                "inspected": format_day(instance.inspected_on),
            }
        ]
    reason = _document_refusal(instance.conclusion_document, _agency_or_none(instance))
    if reason:
        errors["conclusion_document"] = [reason]
    if errors:
        raise ValidationError(errors)
    instance.report_due_on = report_due(instance.concluded_on)
    instance._history_user = actor
    instance.save()
    return instance


def _check_inspection(actor, inspection: ExternalInspection) -> None:
    """A reported inspection is closed to changes (ValidationError); only its keepers act on it
    (PermissionDenied)."""
    if inspection.state == InspectionState.REPORTED:
        raise ValidationError(inspection_change_refusal(None, inspection))
    _check(inspection_refusal(actor, inspection))


def _lock_inspection(instance) -> ExternalInspection:
    return (
        ExternalInspection.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=instance.pk)
    )


def record_finding_refusal(actor, inspection: ExternalInspection) -> str | None:
    return inspection_change_refusal(actor, inspection)


@transaction.atomic
def inspection_record_finding(
    *,
    actor,
    instance: ExternalInspection,
    kind: str = FindingKind.MINOR_NC,
    description: str = "",
    evidence: str = "",
    clause=None,
    procedure=None,
) -> Finding:
    """A finding of the inspection (source "external inspection", linked to it), recorded
    through ``finding_record`` on the day the conclusion was received."""
    inspection = _lock_inspection(instance)
    _check_inspection(actor, inspection)
    evidence = (evidence or "").strip() or _(
        "Kết luận kiểm tra %(number)s của %(body)s nhận ngày %(day)s."
    ) % {
        "number": inspection.conclusion_number or "",
        "body": inspection.inspecting_body,
        "day": format_day(inspection.concluded_on),
    }
    return finding_record(
        actor=actor,
        instance=Finding(
            agency=inspection.agency,
            kind=kind,
            source=FindingSource.EXTERNAL_INSPECTION,
            external_inspection=inspection,
            clause=clause,
            procedure=procedure,
            description=description,
            evidence=" ".join(evidence.split()),
            raised_on=inspection.concluded_on,
        ),
    )


def report_refusal(actor, inspection: ExternalInspection) -> str | None:
    return inspection_change_refusal(actor, inspection)


@transaction.atomic
def inspection_report_sent(
    *, actor, instance: ExternalInspection, reported_on=None, report_file=None
) -> ExternalInspection:
    """Report due → reported: the corrective report was sent on ``reported_on`` (its file kept
    in the agency's collection). Refused before the conclusion and while a nonconformity of the
    inspection has no corrective action (naming them)."""
    inspection = _lock_inspection(instance)
    _check_inspection(actor, inspection)
    reported_on = reported_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if reported_on > timezone.localdate():
        errors["reported_on"] = [
            _("Ngày gửi báo cáo %(day)s ở tương lai.") % {"day": format_day(reported_on)}
        ]
    elif reported_on < inspection.concluded_on:
        errors["reported_on"] = [
            _("Ngày gửi báo cáo %(day)s trước ngày nhận kết luận %(concluded)s.")
            % {"day": format_day(reported_on), "concluded": format_day(inspection.concluded_on)}
        ]
    if errors:
        raise ValidationError(errors)
    missing = list(
        inspection_nonconformities_without_action(inspection).values_list("code", flat=True)
    )
    if missing:
        raise ValidationError(
            _(
                "Chưa thể gửi báo cáo khắc phục của %(inspection)s: điểm không phù hợp "
                "%(findings)s chưa có hành động khắc phục."
            )
            % {"inspection": inspection, "findings": ", ".join(missing)}
        )
    if report_file:
        title = _("Báo cáo khắc phục – %(inspection)s") % {"inspection": inspection}
        try:
            inspection.report_document = _store_file(
                report_file, inspection.agency, str(title), actor
            )
        except ValidationError as exc:
            raise ValidationError({"report_file": exc.messages}) from None
    inspection.reported_on = reported_on
    inspection.state = InspectionState.REPORTED
    inspection._history_user = actor
    inspection.save(update_fields=["reported_on", "report_document", "state"])
    instance.refresh_from_db()
    return inspection


def _sent(subject: str, key: str) -> bool:
    return SystemReminder.objects.filter(
        kind=SystemReminderKind.INSPECTION_REPORT_DUE, subject=subject, key=key
    ).exists()


def inspection_reminders_send(today: datetime.date | None = None) -> int:
    """Remind the agency's officers and leaders of each corrective report still due: once when
    it is due within 14 days, once when it is overdue. The reminder row and the notification
    are written in one transaction under the row's unique constraint (a rerun sends nothing)."""
    today = today or timezone.localdate()
    sent = 0
    for inspection in inspections_report_due(today, REMIND_DAYS_BEFORE):
        due = inspection.report_due_on
        threshold = OVERDUE if due < today else DUE_14
        subject = f"inspection:{inspection.pk}"
        key = f"{threshold}:{due.isoformat()}"
        if _sent(subject, key):
            continue
        recipients = _keepers_of(inspection.agency)
        if not recipients:
            continue
        if threshold == OVERDUE:
            title = _("Quá hạn báo cáo khắc phục sau kiểm tra: %(agency)s") % {
                "agency": inspection.agency.name
            }
            body = _(
                "%(inspection)s: báo cáo khắc phục hạn ngày %(due)s chưa được gửi "
                "(quá hạn %(days)s ngày)."
            ) % {"inspection": inspection, "due": format_day(due), "days": (today - due).days}
        else:
            title = _("Hạn báo cáo khắc phục sau kiểm tra: %(day)s") % {"day": format_day(due)}
            body = _(
                "%(inspection)s: báo cáo khắc phục của “%(agency)s” cần gửi trước hết ngày "
                "%(due)s (Quyết định 101/2018/QĐ-TTg: trong 2 tháng)."
            ) % {"inspection": inspection, "agency": inspection.agency.name, "due": format_day(due)}
        try:
            with transaction.atomic():
                SystemReminder.objects.create(
                    kind=SystemReminderKind.INSPECTION_REPORT_DUE, subject=subject, key=key
                )
                notify(
                    recipients=recipients,
                    title=title,
                    body=body,
                    url=_url("external_inspections:inspect", inspection.pk),
                )
        except IntegrityError:  # another run sent it
            continue
        sent += 1
    return sent
