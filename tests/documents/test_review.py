"""The review of procedures in force (issue 7 point 3): legal changes make exactly the citing
procedures due by the legal deadline; the periodic cycle; a TTHC's limit change or abolition; gaps;
reminders at most once per threshold; the report and who may act on it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import (
    LegalCitation,
    LegalDocument,
    ProcedureReview,
    ReminderThreshold,
    ReviewOutcome,
    ReviewReason,
    ReviewReminder,
)
from documents.selectors import procedure_in_force
from documents.selectors_review import review_gaps
from documents.services import review as review_service
from documents.services.review import (
    legal_document_record,
    periodic_reviews_ensure,
    review_close,
    review_reminders_send,
)
from qms.models import HandlingAgency, Notification, Role, TimeLimit
from qms.services.catalogue import time_limit_announce
from tests import factories
from tests.documents.issue_builders import draft, legal, publish, step

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _procedure(place, tthc, *, code, cites=("Nghị định 118/2025/NĐ-CP",), steps=None, **fields):
    """A procedure of ``place`` for ``tthc`` citing ``cites``, published: its issue."""
    page = draft(
        place,
        tthc=tthc,
        steps=steps or [step("Bước 1", "1"), step("Bước 2", None)],
        code=code,
        title=f"Quy trình {code}",
        legal_basis=[legal(number, "Văn bản căn cứ") for number in cites],
        **fields,
    )
    return publish(page)


def _officer(world, relation="node"):
    return world.users[relation, Role.OFFICER]


def _open(procedure, reason=None):
    rows = ProcedureReview.objects.filter(procedure=procedure, outcome=ReviewOutcome.OPEN)
    return rows.filter(reason=reason) if reason else rows


@pytest.fixture
def tthc(world):
    return factories.tthc(working_days="10", agencies=[world.node, world.sibling])


# --- Legal changes -------------------------------------------------------------------------------


def test_a_replacing_document_makes_exactly_the_citing_procedures_due(world, tthc):
    first = _procedure(world.node, tthc, code="QT-01/STP", cites=["Nghị định 61/2018/NĐ-CP"])
    second = _procedure(
        world.sibling, tthc, code="QT-01/STC", cites=["61/2018/nđ-cp", "Luật Hộ tịch 2014"]
    )
    other = _procedure(world.node, tthc, code="QT-02/STP", cites=["Thông tư 01/2018/TT-VPCP"])
    # Issue 1 cited the old decree; issue 2, in force, no longer does.
    moved_on = _procedure(world.node, tthc, code="QT-03/STP", cites=["Nghị định 61/2018/NĐ-CP"])
    publish(moved_on.procedure, legal_basis=[legal("Thông tư 01/2018/TT-VPCP", "Thông tư")])
    Notification.objects.all().delete()

    new = legal_document_record(
        actor=_officer(world),
        number="Nghị định 118/2025/NĐ-CP",
        title="về thực hiện thủ tục hành chính theo cơ chế một cửa",
        issuer="Chính phủ",
        issued_on=datetime.date(2025, 6, 9),
        effective_on=datetime.date(2025, 7, 1),
        replaces=["Nghị định số 61/2018/NĐ-CP"],
        agency=world.node,
    )

    due = ProcedureReview.objects.filter(reason=ReviewReason.LEGAL_CHANGE)
    assert {r.procedure_id for r in due} == {first.procedure_id, second.procedure_id}
    for review in due:
        assert review.due_on == datetime.date(2025, 10, 1)  # 3 months after its effect
        assert review.legal_document == new and review.is_open
        assert "118/2025/NĐ-CP" in review.detail and "61/2018/NĐ-CP" in review.detail
    assert not _open(other.procedure, ReviewReason.LEGAL_CHANGE).exists()
    assert not _open(moved_on.procedure, ReviewReason.LEGAL_CHANGE).exists()
    # Told at once: the officers of each agency whose procedure is due, nobody else.
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"node_officer", "sibling_officer"}
    assert len(new.reviews_opened) == 2
    # Recorded again unchanged: nothing new, nobody told twice.
    Notification.objects.all().delete()
    legal_document_record(
        actor=_officer(world),
        number="118/2025/NĐ-CP",
        title=new.title,
        issuer=new.issuer,
        issued_on=new.issued_on,
        effective_on=new.effective_on,
        replaces=["61/2018/NĐ-CP"],
        agency=world.node,
    )
    assert due.count() == 2 and not Notification.objects.exists()


def test_an_amending_document_too_and_a_correction_moves_the_date(world, tthc):
    citing = _procedure(world.node, tthc, code="QT-01/STP", cites=["Luật Hộ tịch 60/2014/QH13"])
    _procedure(world.sibling, tthc, code="QT-01/STC", cites=["Nghị định 123/2015/NĐ-CP"])
    amending = legal_document_record(
        actor=None,
        number="Luật 15/2026/QH15",
        effective_on=datetime.date(2026, 7, 1),
        amends=["60/2014/QH13"],
    )
    review = ProcedureReview.objects.get(reason=ReviewReason.LEGAL_CHANGE)
    assert review.procedure_id == citing.procedure_id
    assert review.due_on == datetime.date(2026, 10, 1)
    assert "sửa đổi, bổ sung Luật Hộ tịch 60/2014/QH13" in review.detail
    legal_document_record(
        actor=None,
        number=amending.number,
        effective_on=datetime.date(2026, 8, 1),
        amends=["60/2014/QH13"],
        document=amending,
    )
    review.refresh_from_db()
    assert review.due_on == datetime.date(2026, 11, 1)
    assert ProcedureReview.objects.filter(reason=ReviewReason.LEGAL_CHANGE).count() == 1


def test_a_new_issue_still_citing_a_replaced_document_is_due_again(world, tthc):
    issue = _procedure(world.node, tthc, code="QT-01/STP", cites=["61/2018/NĐ-CP"])
    legal_document_record(
        actor=None,
        number="118/2025/NĐ-CP",
        effective_on=datetime.date(2025, 7, 1),
        replaces=["61/2018/NĐ-CP"],
    )
    second = publish(issue.procedure, change_summary="Sửa bước 1")
    review = _open(issue.procedure, ReviewReason.LEGAL_CHANGE).get()
    assert review.issue == second and review.due_on == datetime.date(2025, 10, 1)
    # Citing the new decree ends it.
    publish(issue.procedure, legal_basis=[legal("118/2025/NĐ-CP", "Nghị định")])
    assert not _open(issue.procedure, ReviewReason.LEGAL_CHANGE).exists()


# --- The periodic cycle ------------------------------------------------------------------------------


def test_periodic_review_due_from_the_effective_date_and_interval(world, tthc):
    issue = _procedure(world.node, tthc, code="QT-01/STP", review_interval_months=6)
    review = _open(issue.procedure).get()
    assert review.reason == ReviewReason.PERIODIC and review.issue == issue
    assert review.due_on == review_service.add_months(issue.effective_date, 6)
    assert list(issue.citations.values_list("legal_document__number_key", flat=True)) == [
        "118/2025/nd-cp"
    ]
    # The next issue ends it (superseded) and starts the cycle again.
    second = publish(issue.procedure, change_summary="Sửa đổi")
    review.refresh_from_db()
    assert review.outcome == ReviewOutcome.SUPERSEDED and review.closed_at
    assert _open(issue.procedure).get().issue == second


def test_no_change_resets_the_periodic_review_from_today(world, tthc):
    issue = _procedure(world.node, tthc, code="QT-01/STP", review_interval_months=12)
    review = _open(issue.procedure).get()
    ProcedureReview.objects.filter(pk=review.pk).update(due_on=TODAY() - datetime.timedelta(5))
    closed = review_close(
        actor=world.users["node", Role.LEADER],
        review=review,
        outcome=ReviewOutcome.NO_CHANGE,
        note="Đối chiếu văn bản mới, quy trình vẫn phù hợp.",
    )
    assert closed.outcome == ReviewOutcome.NO_CHANGE and closed.closed_by.username == "node_leader"
    following = _open(issue.procedure).get()
    assert following.reason == ReviewReason.PERIODIC
    assert following.due_on == review_service.add_months(TODAY(), 12)
    with pytest.raises(ValidationError):
        review_close(actor=None, review=review, outcome=ReviewOutcome.NO_CHANGE)


def test_needs_revision_waits_for_the_new_issue(world, tthc):
    issue = _procedure(world.node, tthc, code="QT-01/STP")
    review = _open(issue.procedure).get()
    with pytest.raises(ValidationError):
        review_close(actor=_officer(world), review=review, outcome=ReviewOutcome.NEEDS_REVISION)
    review_close(
        actor=_officer(world),
        review=review,
        outcome=ReviewOutcome.NEEDS_REVISION,
        note="Cập nhật căn cứ pháp lý",
    )
    assert not _open(issue.procedure).exists()
    assert periodic_reviews_ensure() == 0  # the nightly task does not reopen it
    second = publish(issue.procedure, change_summary="Cập nhật căn cứ pháp lý")
    assert _open(issue.procedure).get().issue == second


def test_the_nightly_task_gives_existing_procedures_a_periodic_review(world, tthc):
    issue = _procedure(world.node, tthc, code="QT-01/STP")
    ProcedureReview.objects.all().delete()  # as before reviews existed
    assert periodic_reviews_ensure() == 1
    review = _open(issue.procedure).get()
    assert review.due_on == review_service.add_months(issue.effective_date, 12)
    assert periodic_reviews_ensure() == 0


def test_the_nightly_task_is_not_fooled_by_other_reviews(world, tthc):
    issue = _procedure(world.node, tthc, code="QT-01/STP", cites=["61/2018/NĐ-CP"])
    second = publish(issue.procedure, change_summary="Sửa đổi")  # the first periodic superseded
    _open(issue.procedure, ReviewReason.PERIODIC).delete()
    legal_document_record(
        actor=None,
        number="118/2025/NĐ-CP",
        effective_on=datetime.date(2025, 7, 1),
        replaces=["61/2018/NĐ-CP"],
    )
    assert periodic_reviews_ensure() == 1
    assert _open(issue.procedure, ReviewReason.PERIODIC).get().issue == second


def test_a_new_issue_over_a_limit_taking_effect_later_is_flagged(world, tthc):
    TimeLimit.objects.create(
        procedure=tthc,
        working_days=Decimal("6"),
        effective_from=TODAY() + datetime.timedelta(days=60),
    )
    over = _procedure(world.node, tthc, code="QT-01/STP", steps=[step("Bước 1", "8")])
    within = _procedure(world.sibling, tthc, code="QT-01/STC", steps=[step("Bước 1", "5")])
    assert _open(over.procedure, ReviewReason.TIME_LIMIT_CHANGE).get().over_limit
    assert not _open(within.procedure, ReviewReason.TIME_LIMIT_CHANGE).exists()


# --- TTHC changes ------------------------------------------------------------------------------------


def test_a_limit_change_flags_the_procedure_over_the_new_limit(
    world, tthc, django_capture_on_commit_callbacks
):
    over = _procedure(
        world.node, tthc, code="QT-01/STP", steps=[step("Bước 1", "2"), step("Bước 2", "8")]
    )
    within = _procedure(world.sibling, tthc, code="QT-01/STC", steps=[step("Bước 1", "6")])
    Notification.objects.all().delete()
    effective = TODAY() + datetime.timedelta(days=40)
    with django_capture_on_commit_callbacks(execute=True):
        limit = TimeLimit.objects.create(
            procedure=tthc, working_days=Decimal("8"), effective_from=effective
        )
        time_limit_announce(limit, previous_working_days=None)

    flagged = _open(over.procedure, ReviewReason.TIME_LIMIT_CHANGE).get()
    fine = _open(within.procedure, ReviewReason.TIME_LIMIT_CHANGE).get()
    assert flagged.over_limit and not fine.over_limit
    assert flagged.due_on == fine.due_on == review_service.add_months(effective, 3)
    assert "từ 10 thành 8" in flagged.detail and "vượt 2 ngày" in flagged.detail
    assert "vượt" not in fine.detail
    told = Notification.objects.get(recipient=_officer(world))
    assert "vượt thời hạn mới" in told.title and "vượt 2 ngày" in told.body
    # The same limit announced again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        time_limit_announce(limit, previous_working_days=Decimal("10"))
    assert ProcedureReview.objects.filter(reason=ReviewReason.TIME_LIMIT_CHANGE).count() == 2


def test_a_limit_announced_after_issues_written_for_it_opens_nothing(world, tthc):
    # The catalogue's announcement runs on commit: a seed or bulk load that records a limit and
    # then issues procedures within it in one transaction announces the limit afterwards.
    limit = TimeLimit.objects.create(
        procedure=tthc, working_days=Decimal("8"), effective_from=datetime.date(2025, 7, 1)
    )
    within = _procedure(world.node, tthc, code="QT-01/STP", steps=[step("Bước 1", "6")])
    assert (
        review_service.time_limit_reviews_open(
            tthc=tthc, time_limit=limit, previous_working_days=Decimal("10")
        )
        == []
    )
    assert not _open(within.procedure, ReviewReason.TIME_LIMIT_CHANGE).exists()


def test_a_correction_of_an_older_limit_opens_nothing(world, tthc):
    _procedure(world.node, tthc, code="QT-01/STP")
    old = tthc.time_limits.get()
    newer = TimeLimit.objects.create(
        procedure=tthc, working_days=Decimal("12"), effective_from=datetime.date(2025, 7, 1)
    )
    assert (
        review_service.time_limit_reviews_open(
            tthc=tthc, time_limit=old, previous_working_days=Decimal("9")
        )
        == []
    )
    assert review_service.time_limit_reviews_open(
        tthc=tthc, time_limit=newer, previous_working_days=None
    )


def test_an_abolished_tthc_makes_its_procedures_due(world, tthc):
    issue = _procedure(world.node, tthc, code="QT-01/STP")
    other = factories.tthc()
    _procedure(world.sibling, other, code="QT-01/STC")
    Notification.objects.all().delete()
    tthc.is_active = False
    tthc.save()
    review = ProcedureReview.objects.get(reason=ReviewReason.TTHC_ABOLISHED)
    assert review.procedure_id == issue.procedure_id and review.tthc == tthc
    assert review.due_on == review_service.add_months(TODAY(), 3)
    assert Notification.objects.filter(recipient=_officer(world)).exists()
    tthc.save()  # saved again while abolished: nothing new
    assert ProcedureReview.objects.filter(reason=ReviewReason.TTHC_ABOLISHED).count() == 1


# --- Gaps --------------------------------------------------------------------------------------------


def test_gaps_list_tthc_handled_without_a_procedure_in_force(world, tthc):
    unit_tthc = factories.tthc(agencies=[world.unit, world.sibling])
    shared_tthc = factories.tthc(agencies=[world.sibling, world.node])
    _procedure(world.node, tthc, code="QT-01/STP")  # covers the node (and its unit)
    _procedure(world.node, unit_tthc, code="QT-02/STP")
    _procedure(world.parent, shared_tthc, code="QT-01/TP", shared=True)
    abolished = factories.tthc(agencies=[world.node])
    abolished.is_active = False
    abolished.save()

    gaps = {(g.agency_id, g.procedure_id) for g in review_gaps()}
    assert gaps == {(world.sibling.pk, tthc.pk), (world.sibling.pk, unit_tthc.pk)}
    # The same answer as asking procedure_in_force pair by pair.
    for link in HandlingAgency.objects.filter(procedure__is_active=True):
        found = procedure_in_force(link.agency, link.procedure, TODAY())
        assert (found is None) == ((link.agency_id, link.procedure_id) in gaps)


def test_the_gap_list_is_scoped_and_flat(world, tthc, client):
    client.force_login(world.users["sibling", Role.STAFF])
    html = client.get(reverse("documents_review_gaps")).content.decode()
    assert tthc.code in html
    client.force_login(world.users["node", Role.STAFF])
    html = client.get(reverse("documents_review_gaps")).content.decode()
    assert tthc.code in html  # no procedure at the node yet either
    _procedure(world.node, tthc, code="QT-01/STP")
    html = client.get(reverse("documents_review_gaps")).content.decode()
    assert tthc.code not in html
    client.force_login(world.users["sibling", Role.STAFF])
    response = client.get(reverse("documents_review_gaps") + "?export=xlsx")
    assert response.status_code == 200


# --- Reminders ---------------------------------------------------------------------------------------


def _review_due_in(world, tthc, days):
    issue = _procedure(world.node, tthc, code="QT-01/STP")
    review = _open(issue.procedure).get()
    ProcedureReview.objects.filter(pk=review.pk).update(
        due_on=TODAY() + datetime.timedelta(days=days)
    )
    Notification.objects.all().delete()
    return review


def _sent(review):
    return list(
        ReviewReminder.objects.filter(review=review)
        .order_by("pk")
        .values_list("threshold", flat=True)
    )


def test_reminders_at_most_once_per_threshold(world, tthc):
    review = _review_due_in(world, tthc, 20)
    today = TODAY()
    assert review_reminders_send(on_date=today) == 1
    assert review_reminders_send(on_date=today) == 0  # rerun
    assert review_reminders_send(on_date=today + datetime.timedelta(days=5)) == 0
    assert review_reminders_send(on_date=today + datetime.timedelta(days=14)) == 1  # 6 days left
    assert review_reminders_send(on_date=today + datetime.timedelta(days=15)) == 0
    assert review_reminders_send(on_date=today + datetime.timedelta(days=21)) == 1  # overdue
    assert review_reminders_send(on_date=today + datetime.timedelta(days=30)) == 0
    assert _sent(review) == [
        ReminderThreshold.DAYS_30,
        ReminderThreshold.DAYS_7,
        ReminderThreshold.OVERDUE,
    ]
    notes = Notification.objects.filter(recipient=_officer(world)).order_by("pk")
    assert notes.count() == 3 and "Quá hạn" in notes.last().title
    # Only the agency's officers.
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "node_officer"
    }


def test_a_missed_threshold_is_not_sent_late(world, tthc):
    review = _review_due_in(world, tthc, 5)
    assert review_reminders_send() == 1
    assert _sent(review) == [ReminderThreshold.DAYS_7]
    assert review_reminders_send() == 0


def test_a_crash_after_notifying_records_nothing_and_the_rerun_sends_once(world, tthc, monkeypatch):
    review = _review_due_in(world, tthc, -3)
    real_notify = review_service.notify

    def notify_then_crash(**kwargs):
        real_notify(**kwargs)
        raise RuntimeError("worker lost")

    monkeypatch.setattr(review_service, "notify", notify_then_crash)
    with pytest.raises(RuntimeError):
        review_reminders_send()
    assert not ReviewReminder.objects.exists() and not Notification.objects.exists()
    monkeypatch.setattr(review_service, "notify", real_notify)
    assert review_reminders_send() == 1
    assert review_reminders_send() == 0
    assert _sent(review) == [ReminderThreshold.OVERDUE]
    assert Notification.objects.count() == 1


def test_a_withdrawn_procedure_is_not_reminded(world, tthc):
    from documents.services.issues import issue_withdraw

    review = _review_due_in(world, tthc, -3)
    issue_withdraw(actor=None, issue=review.issue, reason="TTHC bãi bỏ")
    assert review_reminders_send() == 0


# --- The report ---------------------------------------------------------------------------------------


def test_the_report_shows_the_reason_and_the_new_documents_number(world, tthc, client):
    _procedure(world.node, tthc, code="QT-01/STP", cites=["61/2018/NĐ-CP"])
    legal_document_record(
        actor=None,
        number="Nghị định 118/2025/NĐ-CP",
        effective_on=datetime.date(2025, 7, 1),
        replaces=["61/2018/NĐ-CP"],
    )
    client.force_login(world.users["node", Role.STAFF])
    html = client.get(reverse("procedure_reviews:index") + "?state=overdue").content.decode()
    assert "QT-01/STP" in html and "Nghị định 118/2025/NĐ-CP" in html
    assert "Văn bản căn cứ được sửa đổi, thay thế" in html and "Quá hạn" in html
    html = client.get(reverse("procedure_reviews:index") + "?state=due").content.decode()
    assert "118/2025" not in html
    response = client.get(reverse("procedure_reviews:index") + "?export=xlsx")
    assert response.status_code == 200


def test_the_report_query_count_does_not_grow_with_rows(world, tthc, client):
    issue = _procedure(world.node, tthc, code="QT-01/STP")
    other = _procedure(world.unit, factories.tthc(), code="QT-01/HC")
    client.force_login(world.users["parent", Role.OFFICER])
    url = reverse("procedure_reviews:index")

    def add_reviews(count, start):
        for n in range(start, start + count):
            document = LegalDocument.objects.create(number=f"{n}/2026/NĐ-CP", number_key=f"{n}")
            for each in (issue, other):
                ProcedureReview.objects.create(
                    procedure=each.procedure,
                    issue=each,
                    reason=ReviewReason.LEGAL_CHANGE,
                    legal_document=document,
                    due_on=TODAY(),
                )

    add_reviews(1, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_reviews(8, 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "17/2026/NĐ-CP" in response.content.decode()
    assert len(many) == len(few)


def test_staff_cannot_close_and_another_agency_cannot_see(world, tthc, client):
    issue = _procedure(world.node, tthc, code="QT-01/STP")
    review = _open(issue.procedure).get()
    with pytest.raises(PermissionDenied):
        review_close(
            actor=world.users["node", Role.STAFF], review=review, outcome=ReviewOutcome.NO_CHANGE
        )
    with pytest.raises(PermissionDenied):
        review_close(
            actor=_officer(world, "sibling"), review=review, outcome=ReviewOutcome.NO_CHANGE
        )
    close_url = reverse("procedure_reviews:transition", args=[review.pk, "no_change"])
    client.force_login(world.users["node", Role.STAFF])
    assert client.post(close_url, {"note": ""}).status_code in (302, 403)
    assert _open(issue.procedure).get() == review
    assert client.get(reverse("procedure_reviews:inspect", args=[review.pk])).status_code == 200
    client.force_login(world.users["sibling", Role.LEADER])
    assert client.get(reverse("procedure_reviews:inspect", args=[review.pk])).status_code == 404
    assert "QT-01/STP" not in client.get(reverse("procedure_reviews:index")).content.decode()
    # The officer closes it in the admin.
    client.force_login(_officer(world))
    response = client.post(close_url, {"note": "Vẫn phù hợp"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.outcome == ReviewOutcome.NO_CHANGE and review.note == "Vẫn phù hợp"


def test_needs_revision_in_the_admin_opens_the_edit_page(world, tthc, client):
    issue = _procedure(world.node, tthc, code="QT-01/STP")
    review = _open(issue.procedure).get()
    client.force_login(_officer(world))
    url = reverse("procedure_reviews:transition", args=[review.pk, "needs_revision"])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200  # the reason is required
    response = client.post(url, {"note": "Cập nhật bước 2"})
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[issue.procedure_id])


def test_the_migration_records_citations_of_existing_issues(world, tthc):
    import importlib

    from django.apps import apps

    issue = _procedure(world.node, tthc, code="QT-01/STP", cites=["Nghị định 61/2018/NĐ-CP"])
    LegalCitation.objects.all().delete()
    LegalDocument.objects.all().delete()
    migration = importlib.import_module("documents.migrations.0006_issue_citations")
    migration.issue_citations(apps, None)
    migration.issue_citations(apps, None)  # twice: nothing more
    assert list(issue.citations.values_list("legal_document__number", flat=True)) == [
        "Nghị định 61/2018/NĐ-CP"
    ]
    assert LegalDocument.objects.count() == 1


def test_the_demo_has_a_procedure_overdue_by_a_replaced_decree_and_a_gap(db):
    from django.core.management import call_command

    from documents import demo_review

    call_command("seed_demo", verbosity=0)  # documents.demo runs demo_review.seed()
    assert LegalDocument.objects.filter(replaces__number_key="118/2025/nd-cp").count() == 1
    overdue = ProcedureReview.objects.filter(
        reason=ReviewReason.LEGAL_CHANGE, outcome=ReviewOutcome.OPEN, due_on__lt=TODAY()
    ).select_related("legal_document", "procedure")
    assert overdue.exists()
    for review in overdue:
        assert review.legal_document.replaces.filter(number_key="118/2025/nd-cp").exists()
        assert "118/2025/NĐ-CP" in review.detail
    assert demo_review.gaps_count() > 0
    assert demo_review.seed() == {"legal_documents": 0, "reviews": 0, "periodic_reviews": 0}


def test_the_gap_list_query_count_does_not_grow_with_rows(world, client):
    client.force_login(world.users["parent", Role.STAFF])
    url = reverse("documents_review_gaps")
    factories.tthc(agencies=[world.node])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _n in range(6):
        factories.tthc(agencies=[world.node, world.sibling, world.unit])
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count("Thủ tục thử") >= 19
    assert len(many) == len(few)


def test_the_menu_offers_the_report_the_gaps_and_the_register(world, client):
    client.force_login(world.users["node", Role.STAFF])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for url in ("procedure_reviews:index", "documents_review_gaps", "legal_documents:index"):
        assert reverse(url) in html
