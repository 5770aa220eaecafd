"""The legal register and the review of procedures in force (ISO 9001 clause 7.5.2; Decision
101/2018/QĐ-TTg: legal changes folded into the procedures within 3 months of their effect).

- ``legal_document_record``: one register row per document (matched by ``legal_document_key``);
  recording that it amends or replaces documents that procedures in force cite makes exactly those
  procedures due for review within 3 months of its effective date.
- At go-live (``issue_record`` calls ``issue_citations_record`` and ``review_cycle_restart``): the
  issue's legal basis becomes citations; the procedure's open reviews end ("superseded") and a
  periodic one is due ``review_interval_months`` after the effective date.
- ``review_close``: "no change" (a periodic review starts again from today) or "needs revision"
  (the officer drafts a new issue; the cycle restarts when it goes live).
- A TTHC's limit changed (``time_limit_reviews_open``, the core's signal) or the TTHC abolished
  (``tthc_abolition_reviews_open``) makes the procedures carrying it due; a step table over the
  new limit is flagged at once.
- ``periodic_reviews_ensure`` (nightly) and ``review_reminders_send`` (daily): each reminder
  threshold at most once, in the transaction that queues the notification.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import rules_review as rules
from documents.master_list import add_months
from documents.models import (
    IssueService,
    LegalCitation,
    LegalDocument,
    ProcedureIssue,
    ProcedurePage,
    ProcedureReview,
    ReminderThreshold,
    ReviewOutcome,
    ReviewReason,
    ReviewReminder,
)
from documents.selectors import in_force_on_q, issue_in_force
from documents.selectors_review import (
    officers_by_agency,
    reminder_due,
    reviews_in_force,
)
from qms import permissions
from qms.models import AdministrativeProcedure
from qms.models.catalogue import days_number
from qms.services.notifications import notify
from qms.text import fold, nfc

# Decision 101/2018/QĐ-TTg: a legal change is folded into the procedures within 3 months.
LEGAL_DEADLINE_MONTHS = 3

_AROUND_MARKS = re.compile(r"\s*([/-])\s*")
LEGAL_FIELDS = ("number", "title", "issuer", "issued_on", "effective_on")


def _date(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# --- The register ----------------------------------------------------------------------------


def legal_document_key(number: str | None) -> str:
    """The register's key of a document number, however it was typed: accents and case folded,
    the document type and "số" left out, no spaces ("Nghị định số 118/2025/NĐ-CP", "118/2025/nđ -
    cp" → "118/2025/nd-cp"). A number without a "/" (a law cited by its name) keys on the whole
    folded text."""
    text = _AROUND_MARKS.sub(r"\1", fold(number))
    for token in re.split(r"[\s:,;]+", text):
        if "/" in token and any(ch.isdigit() for ch in token):
            return token.strip(".")[:100]
    return re.sub(r"[\s:]+", "", text)[:100]


def legal_basis_entries(raw) -> list[dict]:
    """The legal documents of a procedure's ``legal_basis`` as stored (a revision's content: the
    StreamField's JSON text or list of blocks): ``[{"number", "title", "issuer", "issued_on",
    "effective_on"}]`` with dates as ISO text or None."""
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip() else []
    entries = []
    for block in raw or []:
        value = block.get("value") if isinstance(block, dict) else None
        if not isinstance(value, dict) or not (value.get("number") or "").strip():
            continue
        entries.append({k: value.get(k) for k in LEGAL_FIELDS})
    return entries


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _resolve(items, field: str, own_key: str, errors: dict) -> tuple[list, list[str]]:
    """Register rows for ``items`` (rows or typed numbers): (found rows, numbers not yet in the
    register). A document naming itself is an error on ``field``."""
    found, missing, seen = [], [], set()
    for item in items:
        if isinstance(item, LegalDocument):
            key, number = item.number_key, item.number
        else:
            number = nfc(item)
            key = legal_document_key(number)
        if not key or key in seen:
            continue
        seen.add(key)
        if key == own_key:
            errors.setdefault(field, []).append(
                _("Văn bản %(number)s không thể sửa đổi, thay thế chính nó.") % {"number": number}
            )
            continue
        row = item if isinstance(item, LegalDocument) and item.pk else None
        row = row or LegalDocument.objects.filter(number_key=key).first()
        if row is None:
            missing.append(number)
        else:
            found.append(row)
    return found, missing


def _may_record(actor, document: LegalDocument, adding: bool, agency) -> None:
    if actor is None:
        return
    if adding:
        if agency is None and not permissions.is_admin(actor):
            raise ValidationError({"agency": _("Hãy chọn cơ quan ghi nhận văn bản.")})
        if not permissions.can_act_on_agency(actor, rules.LEGAL_DOCUMENT, permissions.ADD, agency):
            raise PermissionDenied(
                _("Bạn không có quyền ghi văn bản pháp lý cho “%(agency)s”.")
                % {"agency": agency.name}
            )
        return
    if not permissions.has_permission(actor, rules.LEGAL_DOCUMENT, permissions.CHANGE, document):
        owner = document.agency
        raise PermissionDenied(
            _(
                "Văn bản %(number)s đã có trong danh mục, do “%(agency)s” ghi nhận: chỉ cán bộ "
                "đầu mối ISO hoặc lãnh đạo của cơ quan đó được sửa."
            )
            % {"number": document.number, "agency": owner.name if owner else "—"}
        )
    if (
        agency is not None
        and agency.pk != document.agency_id
        and not permissions.can_act_on_agency(actor, rules.LEGAL_DOCUMENT, permissions.ADD, agency)
    ):
        raise PermissionDenied(
            _("Bạn không có quyền ghi văn bản pháp lý cho “%(agency)s”.") % {"agency": agency.name}
        )


@transaction.atomic
def legal_document_record(
    *,
    actor,
    number: str,
    title: str = "",
    issuer: str = "",
    issued_on: datetime.date | None = None,
    effective_on: datetime.date | None = None,
    amends=(),
    replaces=(),
    agency=None,
    document: LegalDocument | None = None,
) -> LegalDocument:
    """Record a legal document in the register, or update the row of the same number (or
    ``document``, the row being edited). ``amends`` and ``replaces`` are rows or typed numbers (a
    number not yet in the register is added with its number only). Every procedure whose issue in
    force today cites a document this one amends or replaces is made due for review by the legal
    deadline (``legal_change_reviews_open``); its agency's officers are told at once.

    The row's ``reviews_opened`` lists the reviews opened or moved."""
    number = nfc(number)
    key = legal_document_key(number)
    errors: dict = {}
    if not key:
        errors["number"] = [_("Hãy ghi số, ký hiệu văn bản.")]
    same_key = LegalDocument.objects.select_for_update().filter(number_key=key).first()
    if document is not None:
        row = LegalDocument.objects.select_for_update().get(pk=document.pk)
        if same_key is not None and same_key.pk != row.pk:
            errors["number"] = [
                _("Văn bản số %(number)s đã có trong danh mục (ghi nhận lúc %(when)s).")
                % {
                    "number": same_key.number,
                    "when": timezone.localtime(same_key.created_at).strftime("%d/%m/%Y"),
                }
            ]
    else:
        row = same_key or LegalDocument(number_key=key)
    adding = row.pk is None
    _may_record(actor, row, adding, agency)
    amended, amended_new = _resolve(amends, "amends", key, errors)
    replaced, replaced_new = _resolve(replaces, "replaces", key, errors)
    both = {d.number_key for d in amended} & {d.number_key for d in replaced}
    both |= {legal_document_key(n) for n in amended_new} & {
        legal_document_key(n) for n in replaced_new
    }
    if both:
        errors.setdefault("replaces", []).append(
            _("Một văn bản không thể vừa bị sửa đổi vừa bị thay thế: %(numbers)s.")
            % {"numbers": ", ".join(sorted(both))}
        )
    if (amended or replaced or amended_new or replaced_new) and effective_on is None:
        errors.setdefault("effective_on", []).append(
            _(
                "Hãy ghi ngày có hiệu lực: văn bản sửa đổi, thay thế văn bản khác làm các quy trình "
                "trích dẫn văn bản đó đến hạn rà soát trong 3 tháng kể từ ngày này."
            )
        )
    if issued_on and effective_on and effective_on < issued_on:
        errors.setdefault("effective_on", []).append(
            _("Ngày có hiệu lực %(effective)s trước ngày ban hành %(issued)s.")
            % {"effective": _date(effective_on), "issued": _date(issued_on)}
        )
    if errors:
        raise ValidationError(errors)

    previous_effective = row.effective_on
    row.number = number
    row.number_key = key
    row.title = nfc(title)
    row.issuer = nfc(issuer)
    row.issued_on = issued_on
    row.effective_on = effective_on
    if agency is not None or adding:
        row.agency = agency
    row._history_user = actor
    row.save()
    for numbers, rows in ((amended_new, amended), (replaced_new, replaced)):
        for new_number in numbers:
            stub, _created = LegalDocument.objects.get_or_create(
                number_key=legal_document_key(new_number), defaults={"number": new_number}
            )
            rows.append(stub)
    before = set(row.amends.values_list("pk", flat=True)) | set(
        row.replaces.values_list("pk", flat=True)
    )
    row.amends.set(amended)
    row.replaces.set(replaced)
    after = {d.pk for d in amended} | {d.pk for d in replaced}
    row.reviews_opened = []
    if after and (after != before or previous_effective != effective_on or adding):
        row.reviews_opened = legal_change_reviews_open(document=row)
    return row


def legal_change_reviews_open(*, document: LegalDocument) -> list[ProcedureReview]:
    """For every procedure whose issue in force today cites a document ``document`` amends or
    replaces: an open review (reason "legal change") due 3 months after ``document`` takes
    effect, naming both numbers; the date follows ``document``'s (a correction moves it). Its
    agency's officers are told. Nobody else is touched."""
    if document.effective_on is None:
        return []
    today = timezone.localdate()
    amended = {d.pk: d for d in document.amends.all()}
    replaced = {d.pk: d for d in document.replaces.all()}
    citations = (
        LegalCitation.objects.filter(
            in_force_on_q(today, "issue__"), legal_document_id__in=[*amended, *replaced]
        )
        .select_related("issue__procedure__agency", "legal_document")
        .order_by("issue__procedure_id", "legal_document__number")
    )
    by_issue: dict[int, tuple[ProcedureIssue, list[LegalDocument]]] = {}
    for citation in citations:
        by_issue.setdefault(citation.issue_id, (citation.issue, []))[1].append(
            citation.legal_document
        )
    due = add_months(document.effective_on, LEGAL_DEADLINE_MONTHS)
    opened = []
    for issue, cited in by_issue.values():
        parts = []
        for verb, group in ((_("thay thế"), replaced), (_("sửa đổi, bổ sung"), amended)):
            numbers = [d.number for d in cited if d.pk in group]
            if numbers:
                parts.append(f"{verb} {', '.join(numbers)}")
        detail = _(
            "Văn bản %(new)s (hiệu lực từ %(date)s) %(change)s, là căn cứ pháp lý của lần ban hành "
            "%(number)d: rà soát, cập nhật quy trình trước %(due)s."
        ) % {
            "new": document.number,
            "date": _date(document.effective_on),
            "change": "; ".join(parts),
            "number": issue.number,
            "due": _date(due),
        }
        review = _open_or_move(
            issue,
            ReviewReason.LEGAL_CHANGE,
            due,
            detail,
            legal_document=document,
            tighten=False,
        )
        if review is not None:
            opened.append(review)
    _notify_opened(opened)
    return opened


def _open_or_move(
    issue: ProcedureIssue, reason: str, due: datetime.date, detail: str, *, tighten: bool, **key
) -> ProcedureReview | None:
    """The open review of ``issue``'s procedure for ``reason`` (and ``key``: the legal document or
    the TTHC), made or brought to ``due`` (only earlier when ``tighten``). Returns it when it was
    opened or changed, None when it already said so."""
    review = (
        ProcedureReview.objects.select_for_update()
        .filter(procedure_id=issue.procedure_id, reason=reason, outcome=ReviewOutcome.OPEN, **key)
        .first()
    )
    if review is None:
        return ProcedureReview.objects.create(
            procedure_id=issue.procedure_id,
            issue=issue,
            reason=reason,
            due_on=due,
            detail=detail,
            **key,
        )
    new_due = min(review.due_on, due) if tighten else due
    if review.due_on == new_due and review.detail == detail and review.issue_id == issue.pk:
        return None
    review.due_on, review.detail, review.issue = new_due, detail, issue
    review.save(update_fields=["due_on", "detail", "issue"])
    return review


# --- Go-live: citations and the periodic cycle ----------------------------------------------------


def issue_citations_record(issue: ProcedureIssue) -> list[LegalCitation]:
    """The issue's legal basis, as issued, becomes citations of register rows (made, or matched
    by key, filling only what the register lacks). Run at go-live; running again adds nothing."""
    citations = []
    for entry in legal_basis_entries(issue.revision.content.get("legal_basis")):
        number = nfc(entry["number"])
        key = legal_document_key(number)
        if not key:
            continue
        values = {
            "title": nfc(entry.get("title"))[:500],
            "issuer": nfc(entry.get("issuer"))[:200],
            "issued_on": _parse_date(entry.get("issued_on")),
            "effective_on": _parse_date(entry.get("effective_on")),
        }
        document, created = LegalDocument.objects.get_or_create(
            number_key=key, defaults={"number": number[:100], **values}
        )
        if not created:
            missing = {k: v for k, v in values.items() if v and not getattr(document, k)}
            if missing:
                for name, value in missing.items():
                    setattr(document, name, value)
                document.save(update_fields=list(missing))
        citation, _created = LegalCitation.objects.get_or_create(
            issue=issue, legal_document=document
        )
        citations.append(citation)
    return citations


def review_cycle_restart(issue: ProcedureIssue) -> ProcedureReview:
    """A new issue went live: the procedure's open reviews end (it was revised) and a periodic
    review is due ``review_interval_months`` after the issue's effective date. What the new issue
    still carries is flagged again: a cited document already replaced by one it does not cite, an
    abolished TTHC, a step table over a limit that takes effect later."""
    procedure = ProcedurePage.objects.get(pk=issue.procedure_id)
    now = timezone.now()
    for review in ProcedureReview.objects.select_for_update().filter(
        procedure=procedure, outcome=ReviewOutcome.OPEN
    ):
        review.outcome = ReviewOutcome.SUPERSEDED
        review.closed_at = now
        review.note = _("Lần ban hành %(number)d có hiệu lực từ %(date)s.") % {
            "number": issue.number,
            "date": _date(issue.effective_date),
        }
        review.save(update_fields=["outcome", "closed_at", "note"])
    periodic = _periodic_open(procedure, issue, issue.effective_date)
    _still_outdated(issue)
    return periodic


def _periodic_open(procedure: ProcedurePage, issue, since: datetime.date) -> ProcedureReview:
    months = procedure.review_interval_months or 12
    return ProcedureReview.objects.create(
        procedure=procedure,
        issue=issue,
        reason=ReviewReason.PERIODIC,
        due_on=add_months(since, months),
        detail=_(
            "Rà soát định kỳ %(months)d tháng, tính từ ngày %(date)s (lần ban hành %(number)d)."
        )
        % {"months": months, "date": _date(since), "number": issue.number if issue else 0},
    )


def _still_outdated(issue: ProcedureIssue) -> None:
    cited = list(
        LegalDocument.objects.filter(citations__issue=issue).prefetch_related("replaced_by")
    )
    cited_ids = {d.pk for d in cited}
    replacements = {
        new.pk: new
        for old in cited
        for new in old.replaced_by.all()
        if new.pk not in cited_ids and new.effective_on is not None
    }
    for new in replacements.values():
        olds = [d.number for d in cited if new in d.replaced_by.all()]
        due = add_months(new.effective_on, LEGAL_DEADLINE_MONTHS)
        _open_or_move(
            issue,
            ReviewReason.LEGAL_CHANGE,
            due,
            _(
                "Văn bản %(new)s (hiệu lực từ %(date)s) thay thế %(old)s mà lần ban hành %(number)d "
                "vẫn trích dẫn: rà soát, cập nhật quy trình trước %(due)s."
            )
            % {
                "new": new.number,
                "date": _date(new.effective_on),
                "old": ", ".join(olds),
                "number": issue.number,
                "due": _date(due),
            },
            legal_document=new,
            tighten=False,
        )
    services = list(issue.services.select_related("tthc"))
    for tthc in {s.tthc_id: s.tthc for s in services if not s.tthc.is_active}.values():
        _abolished_review(issue, tthc, timezone.localdate())
    for service in services:
        latest = service.tthc.time_limits.order_by("-effective_from").first()
        if (
            latest is not None
            and latest.effective_from > issue.effective_date
            and service.total_days > latest.working_days
        ):
            _time_limit_review(issue, service.tthc, latest, [service], previous=None)


# --- Closing a review ------------------------------------------------------------------------------


@transaction.atomic
def review_close(
    *, actor, review: ProcedureReview, outcome: str, note: str = ""
) -> ProcedureReview:
    """End an open review: "no change" (recorded; a periodic review starts again from today) or
    "needs revision" (with what must change; the officer drafts a new issue, and the cycle
    restarts when it goes live). Officers and leaders of the procedure's agency or above."""
    review = (
        ProcedureReview.objects.select_for_update()
        .select_related("procedure__agency")
        .get(pk=review.pk)
    )
    agency = review.procedure.agency
    if actor is not None and not permissions.has_permission(
        actor, rules.REVIEW, rules.CLOSE, review
    ):
        raise PermissionDenied(
            _(
                "Chỉ cán bộ đầu mối ISO hoặc lãnh đạo của “%(agency)s” hoặc cấp trên được kết thúc "
                "rà soát quy trình."
            )
            % {"agency": agency.name}
        )
    if not review.is_open:
        raise ValidationError(
            _("Rà soát “%(review)s” đã kết thúc: %(outcome)s.")
            % {"review": review, "outcome": review.get_outcome_display()}
        )
    if outcome not in (ReviewOutcome.NO_CHANGE, ReviewOutcome.NEEDS_REVISION):
        raise ValidationError(
            {"outcome": _("Kết quả rà soát “%(value)s” không hợp lệ.") % {"value": outcome}}
        )
    note = (note or "").strip()
    if outcome == ReviewOutcome.NEEDS_REVISION and not note:
        raise ValidationError({"note": _("Hãy ghi những nội dung quy trình cần sửa đổi.")})
    review.outcome = outcome
    review.closed_at = timezone.now()
    review.closed_by = actor
    review.note = note
    review._history_user = actor
    review.save(update_fields=["outcome", "closed_at", "closed_by", "note"])
    if outcome == ReviewOutcome.NO_CHANGE and review.reason == ReviewReason.PERIODIC:
        procedure = review.procedure
        _periodic_open(procedure, issue_in_force(procedure), timezone.localdate())
    return review


def review_admin_no_change(*, actor, instance: ProcedureReview, note: str = "") -> ProcedureReview:
    """The "no change" transition of the admin (``Transition.service``)."""
    return review_close(actor=actor, review=instance, outcome=ReviewOutcome.NO_CHANGE, note=note)


def review_admin_needs_revision(
    *, actor, instance: ProcedureReview, note: str = ""
) -> ProcedureReview:
    """The "needs revision" transition of the admin (``Transition.service``)."""
    return review_close(
        actor=actor, review=instance, outcome=ReviewOutcome.NEEDS_REVISION, note=note
    )


# --- TTHC changes ------------------------------------------------------------------------------------


def _issues_carrying(tthc, on_date: datetime.date) -> dict[int, tuple[ProcedureIssue, list]]:
    """Issues in force on ``on_date`` carrying ``tthc``, with their step tables for it."""
    found: dict[int, tuple[ProcedureIssue, list]] = {}
    for service in (
        IssueService.objects.filter(in_force_on_q(on_date, "issue__"), tthc=tthc)
        .select_related("issue__procedure__agency")
        .order_by("issue_id", "position")
    ):
        found.setdefault(service.issue_id, (service.issue, []))[1].append(service)
    return found


def _over_limit_text(tthc, service: IssueService, limit) -> str:
    """The excess of a step table as issued over ``limit``, in step_table_problems' words."""
    counted = [
        (step.get("code") or "?", Decimal(step["days"]))
        for step in service.steps
        if step.get("days") is not None
    ]
    return _(
        "Tổng thời gian các bước của thủ tục %(code)s%(variant)s là %(total)s ngày làm "
        "việc, vượt %(excess)s ngày so với thời hạn %(limit)s ngày áp dụng từ %(since)s "
        "(%(steps)s)."
    ) % {
        "code": tthc.code,
        "variant": f" – {service.variant}" if service.variant else "",
        "total": days_number(service.total_days),
        "excess": days_number(service.total_days - limit.working_days),
        "limit": days_number(limit.working_days),
        "since": _date(limit.effective_from),
        "steps": "; ".join(f"{code}: {days_number(days)}" for code, days in counted),
    }


def _time_limit_review(issue, tthc, limit, services, *, previous) -> ProcedureReview | None:
    due = add_months(limit.effective_from, LEGAL_DEADLINE_MONTHS)
    over = [s for s in services if s.total_days > limit.working_days]
    change = (
        _("từ %(old)s thành %(new)s ngày làm việc")
        % {"old": days_number(previous), "new": days_number(limit.working_days)}
        if previous is not None
        else _("là %(new)s ngày làm việc") % {"new": days_number(limit.working_days)}
    )
    detail = _(
        "Thời hạn giải quyết thủ tục %(code)s %(change)s, áp dụng từ %(since)s: rà soát quy trình "
        "trước %(due)s."
    ) % {
        "code": tthc.code,
        "change": change,
        "since": _date(limit.effective_from),
        "due": _date(due),
    }
    if over:
        detail += " " + " ".join(_over_limit_text(tthc, s, limit) for s in over)
    review = _open_or_move(
        issue, ReviewReason.TIME_LIMIT_CHANGE, due, detail, tthc=tthc, tighten=True
    )
    if review is not None and bool(over) != review.over_limit:
        review.over_limit = bool(over)
        review.save(update_fields=["over_limit"])
    return review


@transaction.atomic
def time_limit_reviews_open(*, tthc, time_limit, previous_working_days=None) -> list:
    """A TTHC's statutory limit was added or changed (``qms.signals.tthc_time_limit_changed``):
    every procedure whose issue in force on the limit's effective date (or today, if later)
    carries the TTHC is due for review within 3 months of that date, flagged "over the new limit"
    when its steps exceed it; its officers are told at once, with the excess. A limit that is not
    the one in force then (a correction of an older one), or that does not change the days, opens
    nothing."""
    on_date = max(time_limit.effective_from, timezone.localdate())
    current = tthc.time_limit_on(on_date)
    if current is None or current.pk != time_limit.pk:
        return []
    previous = previous_working_days
    if previous is None:
        before = tthc.time_limit_on(time_limit.effective_from - datetime.timedelta(days=1))
        previous = before.working_days if before is not None else None
    if previous is not None and Decimal(previous) == time_limit.working_days:
        return []
    # An issue approved after the limit was recorded was checked against it at approval (and at
    # go-live, ``_still_outdated``): nothing to review unless its steps exceed it. This matters
    # when the announcement runs after issues were made in the same transaction (a seed, a
    # bulk load): they must not be made due for a limit they were written for.
    first = time_limit.history.order_by("history_date").values_list("history_date", flat=True)
    recorded = first.first()
    opened = []
    for issue, services in _issues_carrying(tthc, on_date).values():
        over = any(service.total_days > time_limit.working_days for service in services)
        if not over and recorded is not None and issue.created_at >= recorded:
            continue
        review = _time_limit_review(issue, tthc, time_limit, services, previous=previous)
        if review is not None:
            opened.append(review)
    _notify_opened(opened)
    return opened


def _abolished_review(issue, tthc, today: datetime.date) -> ProcedureReview | None:
    due = add_months(today, LEGAL_DEADLINE_MONTHS)
    detail = _(
        "Thủ tục %(code)s “%(name)s” đã bị bãi bỏ: sửa đổi hoặc bãi bỏ quy trình trước %(due)s."
    ) % {"code": tthc.code, "name": tthc.name, "due": _date(due)}
    return _open_or_move(issue, ReviewReason.TTHC_ABOLISHED, due, detail, tthc=tthc, tighten=True)


@transaction.atomic
def tthc_abolition_reviews_open(*, tthc: AdministrativeProcedure) -> list:
    """A TTHC was abolished (``is_active`` turned off): every procedure whose issue in force
    today carries it is due for review within 3 months; its officers are told at once."""
    today = timezone.localdate()
    opened = []
    for issue, _services in _issues_carrying(tthc, today).values():
        review = _abolished_review(issue, tthc, today)
        if review is not None:
            opened.append(review)
    _notify_opened(opened)
    return opened


# --- Notifications, the nightly cycle, reminders ---------------------------------------------------


def review_url(review: ProcedureReview) -> str:
    try:
        return reverse("procedure_reviews:inspect", args=[review.pk])
    except NoReverseMatch:  # the admin's URLs are not loaded (a bare worker)
        return ""


def _notify_opened(reviews: list[ProcedureReview]) -> None:
    if not reviews:
        return
    procedures = ProcedurePage.objects.filter(
        pk__in={r.procedure_id for r in reviews}
    ).select_related("agency")
    by_pk = {p.pk: p for p in procedures}
    officers = officers_by_agency({p.agency for p in procedures})
    for review in reviews:
        procedure = by_pk[review.procedure_id]
        flag = _(" (vượt thời hạn mới)") if review.over_limit else ""
        notify(
            recipients=officers.get(procedure.agency_id, []),
            title=_("Quy trình cần rà soát%(flag)s: %(code)s %(title)s")
            % {"flag": flag, "code": procedure.code, "title": procedure.title},
            body=_("%(reason)s. %(detail)s Hạn rà soát: %(due)s.")
            % {
                "reason": review.get_reason_display(),
                "detail": review.detail,
                "due": _date(review.due_on),
            },
            url=review_url(review),
        )


@transaction.atomic
def periodic_reviews_ensure(*, on_date: datetime.date | None = None) -> int:
    """Every procedure with an issue in force and no open periodic review gets one, due
    ``review_interval_months`` after the issue's effective date (existing data; issues that went
    live before reviews existed). A review closed "needs revision" on the issue in force waits for
    the new issue instead. Idempotent."""
    on_date = on_date or timezone.localdate()
    open_periodic = ProcedureReview.objects.filter(
        procedure=OuterRef("procedure"),
        outcome=ReviewOutcome.OPEN,
        reason=ReviewReason.PERIODIC,
    )
    issues = (
        ProcedureIssue.objects.filter(in_force_on_q(on_date))
        .exclude(Exists(open_periodic))
        .select_related("procedure")
        .order_by("procedure_id", "-effective_date", "-number")
    )
    waiting = set(
        ProcedureReview.objects.filter(
            reason=ReviewReason.PERIODIC, outcome=ReviewOutcome.NEEDS_REVISION
        ).values_list("issue_id", flat=True)
    )
    made, seen = 0, set()
    for issue in issues:
        if issue.procedure_id in seen or issue.pk in waiting:
            seen.add(issue.procedure_id)
            continue
        seen.add(issue.procedure_id)
        _periodic_open(issue.procedure, issue, issue.effective_date)
        made += 1
    return made


def _reminder_text(review: ProcedureReview, threshold: str, today: datetime.date) -> tuple:
    procedure = review.procedure
    names = {"code": procedure.code, "title": procedure.title, "due": _date(review.due_on)}
    if threshold == ReminderThreshold.OVERDUE:
        title = _("Quá hạn rà soát quy trình: %(code)s %(title)s") % names
        when = _("đã quá hạn %(days)d ngày (hạn %(due)s)") % {
            **names,
            "days": (today - review.due_on).days,
        }
    else:
        title = _("Sắp đến hạn rà soát quy trình: %(code)s %(title)s") % names
        when = _("còn %(days)d ngày (hạn %(due)s)") % {
            **names,
            "days": (review.due_on - today).days,
        }
    body = _("%(reason)s: %(when)s. %(detail)s") % {
        "reason": review.get_reason_display(),
        "when": when,
        "detail": review.detail,
    }
    return title, body


def review_reminders_send(*, on_date: datetime.date | None = None) -> int:
    """Remind the officers of each procedure in force whose open review has reached a threshold
    (30 days before, 7 days before, overdue): only the most urgent one reached, and never one less
    urgent than a reminder already sent (a 30-day threshold missed is not sent after the 7-day
    one). Each reminder row is written in the transaction that queues its notification, under a
    unique constraint: a rerun, a concurrent run or a run after a crash sends each at most once.
    Returns the number of reminders sent."""
    today = on_date or timezone.localdate()
    reviews = list(
        reviews_in_force(ProcedureReview.objects.filter(outcome=ReviewOutcome.OPEN), today)
        .select_related("procedure__agency")
        .prefetch_related("reminders")
    )
    officers = officers_by_agency({r.procedure.agency for r in reviews})
    sent = 0
    for review in reviews:
        threshold = reminder_due(review, today, {r.threshold for r in review.reminders.all()})
        if threshold is None:
            continue
        title, body = _reminder_text(review, threshold, today)
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(review=review, threshold=threshold)
                notify(
                    recipients=officers.get(review.procedure.agency_id, []),
                    title=title,
                    body=body,
                    url=review_url(review),
                )
        except IntegrityError:  # another run sent it
            continue
        sent += 1
    return sent
