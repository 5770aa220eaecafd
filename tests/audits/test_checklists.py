"""Audit checklists (issue 8 point 4): generation from the scope (clauses × procedures, questions of
the bank and of the auditee and the bodies above, sub-clauses included, idempotent), the team's
edits, answers refused outside "in progress" and to non-members (with the message), evidence files in
the auditee's collection and read only by allowed people, the tablet mode, the list's query count."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    Audit,
    AuditorQualification,
    ChecklistEvidence,
    ChecklistItem,
    Clause,
    ItemResult,
    Question,
)
from audits.services.auditors import qualification_save
from audits.services.audits import audit_close, audit_plan, audit_report, audit_start
from audits.services.checklists import (
    checklist_answer,
    checklist_generate,
    checklist_item_add,
    checklist_item_delete,
    checklist_item_move,
    checklist_item_update,
)
from audits.views_checklists import finding_url
from qms.models import Role
from qms.people import person_name
from tests import factories

pytestmark = pytest.mark.django_db


def _qualify(user, agency):
    if not AuditorQualification.objects.filter(user=user).exists():
        qualification_save(
            actor=None,
            instance=AuditorQualification(
                user=user,
                agency=agency,
                training="Đánh giá viên nội bộ TCVN ISO 9001:2015",
                qualified_on=datetime.date(2024, 5, 10),
            ),
        )
    return user


def _plan(world, *, clauses=("8.5",), code="DG-01", team=()):
    lead = _qualify(world.users["sibling", Role.AUDITOR], world.sibling)
    start = timezone.localdate() + datetime.timedelta(days=10)
    audit = audit_plan(
        actor=world.users["parent", Role.OFFICER],
        instance=Audit(
            agency=world.node,
            code=code,
            title="Đánh giá nội bộ năm 2026",
            objectives="Xác định sự phù hợp với TCVN ISO 9001:2015.",
            criteria="TCVN ISO 9001:2015",
            planned_start=start,
            planned_end=start + datetime.timedelta(days=2),
            lead_auditor=lead,
        ),
        team=list(team),
        clauses=list(Clause.objects.filter(number__in=clauses)),
    )
    return audit, lead


def _procedure(world, place, code):
    from tests.documents.authz_rules import procedure

    page = procedure(place, title=f"Quy trình {code}", code=code, tthc=factories.tthc(), live=False)
    return place.page.add_child(instance=page)


def _question(place, number, text, **extra):
    return Question.objects.create(
        clause=Clause.objects.get(number=number), agency=place, text=text, **extra
    )


def _in_scope(number: str) -> bool:
    return number == "8.5" or number.startswith("8.5.")


# --- Generation --------------------------------------------------------------------------------


def test_generate_clauses_times_procedures_with_sub_clause_questions(world):
    own = _question(world.node, "8.5.1", "Hồ sơ có phiếu kiểm soát quá trình không?")
    above = _question(world.parent, "8.5.2", "Hồ sơ có được nhận biết theo mã không?")
    sibling = _question(world.sibling, "8.5.1", "Câu hỏi của Sở Tài chính")
    below = _question(world.unit, "8.5.1", "Câu hỏi của phòng")
    retired = _question(world.node, "8.5.1", "Câu hỏi cũ", is_active=False)
    outside = _question(world.node, "7.1", "Câu hỏi ngoài phạm vi")
    audit, lead = _plan(world)
    first, second = (
        _procedure(world, world.node, "QT-02/STP"),
        _procedure(world, world.node, "QT-01/STP"),
    )
    audit.procedures.set([first, second])

    created = checklist_generate(actor=lead, audit=audit)

    expected = [
        q.pk
        for q in Question.objects.filter(is_active=True)
        .select_related("clause")
        .order_by("clause__sort_key", "pk")
        if _in_scope(q.clause.number)
        and (q.agency_id is None or q.agency_id in (world.node.pk, world.parent.pk))
    ]
    assert own.pk in expected and above.pk in expected
    items = list(ChecklistItem.objects.filter(audit=audit).select_related("clause"))
    assert len(created) == len(items) == 2 * len(expected)
    assert {(i.question_id, i.procedure_id) for i in items} == {
        (q, p.pk) for q in expected for p in (first, second)
    }
    used = {i.question_id for i in items}
    assert not used & {sibling.pk, below.pk, retired.pk, outside.pk}
    assert [i.position for i in items] == list(range(1, len(items) + 1))
    keys = [i.clause.sort_key for i in items]
    assert keys == sorted(keys)
    # Each question: the procedures in code order.
    assert [i.procedure.code for i in items[:2]] == ["QT-01/STP", "QT-02/STP"]
    assert all(i.text for i in items)
    assert {i.clause.number for i in items} >= {"8.5.1", "8.5.2"}


def test_generate_without_procedures_and_idempotent(world):
    _question(world.node, "8.5.1", "Hồ sơ có phiếu kiểm soát quá trình không?")
    audit, lead = _plan(world)
    created = checklist_generate(actor=lead, audit=audit)
    assert created and all(i.procedure_id is None for i in created)
    total = len(created)
    assert checklist_generate(actor=lead, audit=audit) == []

    audit_start(actor=lead, instance=audit)
    audit.refresh_from_db()
    first = ChecklistItem.objects.filter(audit=audit).order_by("position").first()
    checklist_answer(actor=lead, item=first, result=ItemResult.CONFORMS, notes="Đủ hồ sơ")
    added = _question(None, "8.5", "Câu hỏi mới trên 8.5")
    again = checklist_generate(actor=lead, audit=audit)
    assert [i.question_id for i in again] == [added.pk]
    assert ChecklistItem.objects.filter(audit=audit).count() == total + 1
    first.refresh_from_db()
    assert first.result == ItemResult.CONFORMS and first.notes == "Đủ hồ sơ"
    # The new 8.5 question sits before the sub-clauses' ones (clause order), positions 1…n.
    items = list(ChecklistItem.objects.filter(audit=audit).select_related("clause"))
    assert [i.position for i in items] == list(range(1, total + 2))
    keys = [i.clause.sort_key for i in items]
    assert keys == sorted(keys)


def test_generate_is_the_teams_while_planned_or_in_progress(world):
    audit, lead = _plan(world)
    with pytest.raises(PermissionDenied, match="DG-01"):
        checklist_generate(actor=world.users["node", Role.OFFICER], audit=audit)
    audit_start(actor=lead, instance=audit)
    audit_report(actor=lead, instance=audit)
    with pytest.raises(ValidationError, match="Đã báo cáo"):
        checklist_generate(actor=lead, audit=audit)
    assert not ChecklistItem.objects.exists()


def test_generate_needs_clauses_in_scope(world):
    audit, lead = _plan(world, clauses=())
    with pytest.raises(ValidationError, match="chưa có điều khoản"):
        checklist_generate(actor=lead, audit=audit)


# --- The team's edits ----------------------------------------------------------------------------


def test_add_edit_move_delete_by_the_team(world):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_generate(actor=lead, audit=audit)
    clause_4 = Clause.objects.get(number="4.1")
    own = checklist_item_add(actor=lead, audit=audit, clause=clause_4, text="Bối cảnh?")
    assert own.position == 1 and own.question_id is None  # clause 4.1 comes before 8.5.1
    with pytest.raises(PermissionDenied):
        checklist_item_add(
            actor=world.users["node", Role.OFFICER], audit=audit, clause=clause_4, text="X"
        )
    with pytest.raises(ValidationError):
        checklist_item_add(actor=lead, audit=audit, clause=clause_4, text="  ")
    checklist_item_update(actor=lead, item=own, clause=clause_4, text="Bối cảnh nội bộ?")
    own.refresh_from_db()
    assert own.text == "Bối cảnh nội bộ?"
    assert own.history.first().history_user == lead
    checklist_item_move(actor=lead, item=own, step=1)
    own.refresh_from_db()
    assert own.position == 2
    count = ChecklistItem.objects.filter(audit=audit).count()
    checklist_item_delete(actor=lead, item=own)
    assert ChecklistItem.objects.filter(audit=audit).count() == count - 1
    positions = list(ChecklistItem.objects.filter(audit=audit).values_list("position", flat=True))
    assert positions == list(range(1, count))


def test_an_answered_item_is_not_edited_moved_or_deleted(world):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_generate(actor=lead, audit=audit)
    audit_start(actor=lead, instance=audit)
    item = ChecklistItem.objects.filter(audit=audit).first()
    checklist_answer(actor=lead, item=item, result=ItemResult.NONCONFORMITY, notes="Thiếu phiếu")
    for call in (
        lambda: checklist_item_update(actor=lead, item=item, clause=item.clause, text="Khác"),
        lambda: checklist_item_move(actor=lead, item=item, step=1),
        lambda: checklist_item_delete(actor=lead, item=item),
    ):
        with pytest.raises(ValidationError, match="Không phù hợp"):
            call()
    assert ChecklistItem.objects.filter(pk=item.pk).exists()


# --- Answers -----------------------------------------------------------------------------------


def test_answer_refused_outside_in_progress_and_to_non_members(world):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_generate(actor=lead, audit=audit)
    item = ChecklistItem.objects.filter(audit=audit).first()
    with pytest.raises(ValidationError) as refused:
        checklist_answer(actor=lead, item=item, result=ItemResult.CONFORMS)
    assert "DG-01" in str(refused.value) and "Đã lập kế hoạch" in str(refused.value)
    audit_start(actor=lead, instance=audit)
    for outsider in (world.users["node", Role.OFFICER], world.users["parent", Role.AUDITOR]):
        with pytest.raises(PermissionDenied, match="DG-01"):
            checklist_answer(actor=outsider, item=item, result=ItemResult.CONFORMS)
    checklist_answer(actor=lead, item=item, result=ItemResult.OBSERVATION, notes="Ghi chép")
    item.refresh_from_db()
    assert item.result == ItemResult.OBSERVATION and item.answered_by == lead
    assert item.answered_at is not None
    with pytest.raises(ValidationError):
        checklist_answer(actor=lead, item=item, result="bad")
    audit_report(actor=lead, instance=audit)
    with pytest.raises(ValidationError, match="Đã báo cáo"):
        checklist_answer(actor=lead, item=item, result=ItemResult.CONFORMS)
    item.refresh_from_db()
    assert item.result == ItemResult.OBSERVATION


def _pdf(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, factories.pdf_bytes(), content_type="application/pdf")


def test_evidence_is_stored_in_the_auditee_collection_and_read_only_by_allowed(world, client):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_generate(actor=lead, audit=audit)
    audit_start(actor=lead, instance=audit)
    item = ChecklistItem.objects.filter(audit=audit).first()
    # A file whose content is not what its name says: refused, nothing written.
    bad = SimpleUploadedFile("anh.pdf", factories.png_bytes(), content_type="application/pdf")
    with pytest.raises(ValidationError):
        checklist_answer(actor=lead, item=item, result=ItemResult.CONFORMS, files=[bad])
    item.refresh_from_db()
    assert item.result == ItemResult.PENDING and not ChecklistEvidence.objects.exists()

    checklist_answer(actor=lead, item=item, result=ItemResult.CONFORMS, files=[_pdf()])
    evidence = ChecklistEvidence.objects.get()
    world.node.refresh_from_db()
    assert evidence.document.collection_id == world.node.collection_id
    assert evidence.added_by == lead and evidence.item == item
    url = reverse("audit_checklists:evidence", args=[evidence.pk])

    def status(user):
        client.force_login(user)
        return client.get(url).status_code

    assert status(lead) == 200
    assert status(world.users["node", Role.OFFICER]) == 200
    assert status(world.users["parent", Role.LEADER]) == 200
    assert status(world.users["sibling", Role.OFFICER]) == 404
    assert status(world.users["node", Role.STAFF]) == 404
    # The team from another department does not reach it through Wagtail's serve view.
    client.force_login(lead)
    assert client.get(evidence.document.url).status_code == 404
    audit_report(actor=lead, instance=audit)
    assert status(lead) == 200
    audit_close(actor=lead, instance=audit)
    assert status(lead) == 404


def test_finding_link_for_nonconformity_and_observation(world):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_generate(actor=lead, audit=audit)
    audit_start(actor=lead, instance=audit)
    item = ChecklistItem.objects.filter(audit=audit).first()
    assert finding_url(item) is None
    add = reverse("audit_findings:add")
    for result in (ItemResult.NONCONFORMITY, ItemResult.OBSERVATION):
        checklist_answer(actor=lead, item=item, result=result)
        item.refresh_from_db()
        assert finding_url(item) == f"{add}?checklist_item={item.pk}"
    checklist_answer(actor=lead, item=item, result=ItemResult.CONFORMS)
    item.refresh_from_db()
    assert finding_url(item) is None


# --- Admin ---------------------------------------------------------------------------------------


def test_list_shows_progress_and_hides_from_other_agencies(world, client):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_generate(actor=lead, audit=audit)
    audit_start(actor=lead, instance=audit)
    item = ChecklistItem.objects.filter(audit=audit).first()
    checklist_answer(actor=lead, item=item, result=ItemResult.NONCONFORMITY, notes="Thiếu phiếu")
    total = ChecklistItem.objects.filter(audit=audit).count()
    url = reverse("audit_checklists:list", args=[audit.pk])
    client.force_login(world.users["node", Role.OFFICER])
    text = client.get(url).content.decode()
    assert f"Đã đánh giá 1/{total} câu hỏi" in text
    assert "Không phù hợp" in text and "Thiếu phiếu" in text
    assert "Lập phiếu từ phạm vi" not in text  # not on the team
    client.force_login(lead)
    text = client.get(url).content.decode()
    assert "Lập phiếu từ phạm vi" in text and "máy tính bảng" in text
    client.force_login(world.users["sibling", Role.OFFICER])
    assert client.get(url).status_code == 404
    client.force_login(world.users["node", Role.STAFF])
    assert client.get(url).status_code == 404
    client.force_login(world.users["node", Role.OFFICER])
    assert client.get(reverse("audit_checklists:tablet", args=[audit.pk])).status_code in (302, 403)


def test_generate_through_the_admin(world, client):
    audit, lead = _plan(world, clauses=("8.5.1",))
    client.force_login(lead)
    response = client.post(reverse("audit_checklists:generate", args=[audit.pk]), follow=True)
    assert "Đã thêm" in response.content.decode()
    assert ChecklistItem.objects.filter(audit=audit).exists()


def test_tablet_shows_one_question_and_saves_on_next(world, client):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_item_add(
        actor=lead, audit=audit, clause=Clause.objects.get(number="8.5.1"), text="Câu A?"
    )
    checklist_item_add(
        actor=lead, audit=audit, clause=Clause.objects.get(number="8.5.1"), text="Câu B?"
    )
    audit_start(actor=lead, instance=audit)
    first, second = ChecklistItem.objects.filter(audit=audit).order_by("position")
    url = reverse("audit_checklists:tablet", args=[audit.pk])
    client.force_login(lead)
    text = client.get(url).content.decode()
    assert "Câu 1/2" in text and "Câu A?" in text and "Câu B?" not in text
    assert 'type="radio"' in text and "Câu sau" in text
    response = client.post(
        url,
        {"n": "1", "go": "next", "result": ItemResult.CONFORMS, "notes": "Đủ", "files": [_pdf()]},
    )
    assert response.status_code == 302 and response["Location"].endswith("?n=2")
    first.refresh_from_db()
    assert first.result == ItemResult.CONFORMS and first.notes == "Đủ"
    assert first.evidence.count() == 1
    text = client.get(response["Location"]).content.decode()
    assert "Câu 2/2" in text and "Câu B?" in text
    # The autosave of a change (the page's script), answered in JSON.
    saved = client.post(
        reverse("audit_checklists:autosave", args=[second.pk]),
        {"result": ItemResult.OBSERVATION, "notes": "Ghi nhanh"},
    )
    assert saved.status_code == 200 and saved.json()["status"] == "Đã lưu"
    second.refresh_from_db()
    assert second.result == ItemResult.OBSERVATION and second.notes == "Ghi nhanh"
    # Someone not on the team: refused.
    client.force_login(world.users["node", Role.OFFICER])
    assert client.post(reverse("audit_checklists:autosave", args=[second.pk])).status_code == 403


def test_tablet_after_the_fieldwork_is_read_only(world, client):
    audit, lead = _plan(world, clauses=("8.5.1",))
    checklist_generate(actor=lead, audit=audit)
    audit_start(actor=lead, instance=audit)
    audit_report(actor=lead, instance=audit)
    client.force_login(lead)
    url = reverse("audit_checklists:tablet", args=[audit.pk])
    text = client.get(url).content.decode()
    assert "Đã báo cáo" in text and "disabled" in text
    response = client.post(url, {"n": "1", "go": "next", "result": ItemResult.CONFORMS})
    assert response.status_code == 200 and "Đã báo cáo" in response.content.decode()
    assert not ChecklistItem.objects.filter(audit=audit).exclude(result="").exists()


def test_the_list_costs_the_same_queries_for_few_and_many_items(world, client):
    audit, lead = _plan(world, clauses=("8.5",))
    clauses = list(Clause.objects.filter(number__startswith="8.5.").order_by("sort_key"))
    checklist_item_add(actor=lead, audit=audit, clause=clauses[0], text="Câu 0")
    audit_start(actor=lead, instance=audit)
    first = ChecklistItem.objects.get(audit=audit)
    checklist_answer(actor=lead, item=first, result=ItemResult.NONCONFORMITY, files=[_pdf()])
    url = reverse("audit_checklists:list", args=[audit.pk])
    readers = (lead, world.users["node", Role.OFFICER])

    def queries():
        counts = []
        for user in readers:
            client.force_login(user)
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    few = queries()
    for n in range(1, 8):
        item = checklist_item_add(
            actor=lead, audit=audit, clause=clauses[n % len(clauses)], text=f"Câu {n}"
        )
        if n % 2:
            checklist_answer(
                actor=lead, item=item, result=ItemResult.OBSERVATION, files=[_pdf(f"{n}.pdf")]
            )
    assert ChecklistItem.objects.filter(audit=audit).count() == 8
    assert queries() == few


@pytest.mark.slow  # builds the marked world of the authorization matrix
def test_the_matrix_holds_for_the_checklist_screens(db):
    from tests.authz import url_patterns
    from tests.test_authorization_matrix import run_matrix

    only = {
        name
        for name, _route, _conv in url_patterns()
        if name and name.startswith("audit_checklists:")
    }
    assert len(only) == 10
    failures = run_matrix(factories.World.build(objects=True), only=only)
    assert not failures, "\n".join(failures)


def test_the_checklist_history_names_who_answered_what_and_when(world, client):
    """The history page lists each recorded change with its author, for the checklist's
    readers only (an officer of another agency gets a 404); its queries do not grow with rows."""
    audit, lead = _plan(world, clauses=("8.5",))
    audit_start(actor=lead, instance=audit)
    checklist_generate(actor=lead, audit=audit)
    items = list(ChecklistItem.objects.filter(audit=audit).order_by("position"))
    assert len(items) > 2
    checklist_answer(
        actor=lead, item=items[0], result=ItemResult.NONCONFORMITY, notes="Thiếu phiếu kiểm soát"
    )
    url = reverse("audit_checklists:history", args=[audit.pk])
    client.force_login(world.users["node", Role.OFFICER])
    page = client.get(url).content.decode()
    assert "Thiếu phiếu kiểm soát" in page and "Không phù hợp" in page
    assert person_name(lead) in page
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for item in items[1:]:
        checklist_answer(actor=lead, item=item, result=ItemResult.CONFORMS, notes="Đạt")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    client.force_login(world.users["sibling", Role.OFFICER])
    assert client.get(url).status_code == 404
