"""An approved publication becomes a numbered, frozen issue; the previous one is superseded; an
issue is withdrawn with a reason; the decision that issued it is linked once."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry, TaskState, Workflow, WorkflowState

from documents.models import (
    ApprovalDecision,
    IssueCounter,
    IssueForm,
    IssueService,
    IssueStatus,
    ProcedureIssue,
    ProcedurePage,
)
from documents.services.issues import (
    ISSUE_WITHDRAW_ACTION,
    decision_save,
    issue_decision_record,
    issue_record,
    issue_withdraw,
)
from qms.models import Role
from tests import factories
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db

FORM_BYTES = b"%PDF-1.4\n% mau don to khai\n%%EOF\n"


def _draft(world, *, code="QT-05/STP", steps=None, tthc=None, place=None):
    place = place or world.node
    tthc = tthc or factories.tthc(working_days="10")
    page = procedure(
        place,
        title="Cấp phiếu lý lịch tư pháp",
        code=code,
        tthc=tthc,
        steps=steps or [("Bước 1", Decimal("0.5")), ("Bước 2", Decimal("9.5")), ("Bước 3", None)],
    )
    place.page.add_child(instance=page)
    return ProcedurePage.objects.get(pk=page.pk)


def _officer(world):
    return world.users["node", Role.OFFICER]


def _leader(world):
    return world.users["node", Role.LEADER]


def _form(world, title="Tờ khai", content=FORM_BYTES, filename="to-khai.pdf", place=None):
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    # Read again: adding a sibling collection renumbers the tree paths of the others.
    collection = Collection.objects.get(pk=(place or world.node).collection_id)
    return get_document_model().objects.create(
        title=title, file=ContentFile(content, name=filename), collection=collection
    )


def _with_forms(page, *, listed, step_form):
    """The page's forms list holds ``listed``; its first step's form is ``step_form``."""
    page.forms = [("form", doc) for doc in listed]
    services = list(page.services.raw_data)
    services[0]["value"]["steps"][0]["value"]["form"] = step_form.pk  # a ListBlock item
    page.services = page.services.stream_block.to_python(services)
    return page


def test_going_live_gives_number_one_with_the_step_table_as_issued(world):
    page = _draft(world)
    revision = factories.procedure_publish(page, user=_officer(world))
    issue = ProcedureIssue.objects.get(revision=revision)
    assert issue.number == 1 and issue.status == IssueStatus.IN_FORCE
    assert (issue.code, issue.title) == ("QT-05/STP", "Cấp phiếu lý lịch tư pháp")
    assert issue.effective_date == timezone.localdate()
    assert issue.change_summary == "Ban hành lần đầu"
    assert issue.drafted_by == _officer(world) and issue.drafted_at == revision.created_at
    # Published without a workflow run: nobody signed as reviewer or approver.
    assert issue.reviewed_by is None and issue.approved_by is None
    service = IssueService.objects.get(issue=issue)
    assert service.total_days == Decimal("10")
    assert [(s["code"], s["days"]) for s in service.steps] == [
        ("Bước 1", "0.50"),
        ("Bước 2", "9.50"),
        ("Bước 3", None),
    ]
    assert service.steps[0]["responsible"] == "Bộ phận một cửa"
    assert IssueCounter.objects.get(procedure=page).last_number == 1


def test_the_next_issue_supersedes_the_previous_that_day(world):
    page = _draft(world)
    first = factories.procedure_publish(page, user=_officer(world))
    second = factories.procedure_publish(
        page, user=_officer(world), change_summary="Rút ngắn bước 2"
    )
    old, new = (
        ProcedureIssue.objects.get(revision=first),
        ProcedureIssue.objects.get(revision=second),
    )
    assert (old.number, new.number) == (1, 2)
    assert old.status == IssueStatus.SUPERSEDED and old.superseded_on == new.effective_date
    assert new.status == IssueStatus.IN_FORCE and new.change_summary == "Rút ngắn bước 2"


def test_purging_revisions_keeps_every_issued_revision(world):
    from wagtail.models import Revision

    page = _draft(world)
    first = factories.procedure_publish(page)
    factories.procedure_publish(page, change_summary="Lần 2")
    unissued = ProcedurePage.objects.get(pk=page.pk).save_revision()
    factories.procedure_publish(page, change_summary="Lần 3")
    call_command("purge_revisions", days=0, stdout=io.StringIO())
    assert Revision.objects.filter(pk=first.pk).exists()  # superseded, neither live nor latest
    assert not Revision.objects.filter(pk=unissued.pk).exists()


def test_the_same_revision_published_twice_keeps_one_number(world):
    page = _draft(world)
    revision = factories.procedure_publish(page)
    revision.publish(skip_permission_checks=True)  # e.g. a rerun of scheduled publishing
    assert issue_record(revision) == ProcedureIssue.objects.get(revision=revision)
    assert ProcedureIssue.objects.filter(procedure=page).count() == 1


def _later(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_cancelled_scheduled_issue_uses_no_number(world, monkeypatch):
    page = _draft(world)
    factories.procedure_publish(page)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    scheduled = factories.procedure_publish(page, go_live_at=tomorrow, change_summary="Hẹn giờ")
    assert not ProcedureIssue.objects.filter(revision=scheduled).exists()
    # The approving leader unschedules it (what Wagtail's "cancel scheduled publish" does).
    scheduled.approved_go_live_at = None
    scheduled.save(update_fields=["approved_go_live_at"])
    _later(monkeypatch, tomorrow + datetime.timedelta(hours=1))
    call_command("publish_scheduled")
    assert not ProcedureIssue.objects.filter(revision=scheduled).exists()
    now_live = factories.procedure_publish(page, go_live_at=None, change_summary="Sửa bước 1")
    assert ProcedureIssue.objects.get(revision=now_live).number == 2


def test_a_scheduled_issue_takes_its_number_and_date_when_it_goes_live(world, monkeypatch):
    from documents.tasks import publish_scheduled

    page = _draft(world)
    factories.procedure_publish(page)
    go_live = timezone.now() + datetime.timedelta(days=3)
    scheduled = factories.procedure_publish(page, go_live_at=go_live, change_summary="Lần 2")
    assert ProcedurePage.objects.get(pk=page.pk).live_revision_id != scheduled.pk
    assert not ProcedureIssue.objects.filter(revision=scheduled).exists()
    _later(monkeypatch, go_live + datetime.timedelta(minutes=3))
    publish_scheduled.delay()  # the beat task (eager in tests)
    issue = ProcedureIssue.objects.get(revision=scheduled)
    assert issue.number == 2 and issue.effective_date == timezone.localdate(go_live)
    first = ProcedureIssue.objects.get(procedure=page, number=1)
    assert first.superseded_on == timezone.localdate(go_live)


def test_a_first_publication_scheduled_for_later_has_no_issue_until_then(world, monkeypatch):
    page = _draft(world)
    go_live = timezone.now() + datetime.timedelta(days=2)
    scheduled = factories.procedure_publish(page, go_live_at=go_live)
    assert not ProcedureIssue.objects.filter(procedure=page).exists()
    _later(monkeypatch, go_live + datetime.timedelta(minutes=1))
    call_command("publish_scheduled")
    assert ProcedureIssue.objects.get(procedure=page).revision_id == scheduled.pk


def _approved_run(page, revision, *, reviewer, approver):
    """A finished run of a two-task workflow on ``revision`` (built as Wagtail stores it)."""
    from wagtail.models import Task, WorkflowTask

    workflow = Workflow.objects.create(name="Phê duyệt thử")
    tasks = [Task.objects.create(name=name) for name in ("Xem xét", "Phê duyệt")]
    for order, task in enumerate(tasks):
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    state = WorkflowState.objects.create(
        content_type=page.content_type,
        base_content_type=page.get_base_content_type(),
        object_id=str(page.pk),
        workflow=workflow,
        status=WorkflowState.STATUS_APPROVED,
        requested_by=revision.user,
    )
    moments = [timezone.now() - datetime.timedelta(hours=h) for h in (2, 1)]
    for task, person, when in zip(tasks, (reviewer, approver), moments, strict=True):
        TaskState.objects.create(
            workflow_state=state,
            revision=revision,
            task=task,
            status=TaskState.STATUS_APPROVED,
            finished_by=person,
            finished_at=when,
        )
    return moments


def test_the_signature_block_comes_from_the_workflow_run(world):
    page = _draft(world)
    reviewer = world.users["node", Role.LEADER]
    approver = world.users["parent", Role.LEADER]
    page = ProcedurePage.objects.get(pk=page.pk)
    revision = page.save_revision(user=_officer(world))
    reviewed_at, approved_at = _approved_run(page, revision, reviewer=reviewer, approver=approver)
    revision.publish(user=approver, skip_permission_checks=True)
    issue = ProcedureIssue.objects.get(revision=revision)
    assert (issue.drafted_by, issue.reviewed_by, issue.approved_by) == (
        _officer(world),
        reviewer,
        approver,
    )
    assert (issue.reviewed_at, issue.approved_at) == (reviewed_at, approved_at)
    assert issue.history.first().history_user == approver


def test_journey_1_the_approval_workflow_signs_the_issue(world):
    """Officer drafts, the responsible unit's leader reviews, the agency's leader approves: the
    issue that goes live carries the three of them with the dates of their decisions."""
    from tests.documents.approval_helpers import approve_through_workflow, draft, people

    who = people(world)
    page = approve_through_workflow(
        draft(world, who.officer), author=who.officer, reviewer=who.unit_leader, approver=who.leader
    )
    issue = ProcedureIssue.objects.get(procedure=page)
    assert issue.number == 1 and issue.revision_id == page.live_revision_id
    assert (issue.drafted_by, issue.reviewed_by, issue.approved_by) == (
        who.officer,
        who.unit_leader,
        who.leader,
    )
    states = {
        s.finished_by: s.finished_at for s in TaskState.objects.filter(revision=issue.revision)
    }
    assert (issue.reviewed_at, issue.approved_at) == (states[who.unit_leader], states[who.leader])


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def test_forms_are_copied_with_their_hash_and_outlive_the_document(world):
    listed = _form(world)
    step_form = _form(world, title="Phiếu hẹn", content=b"%PDF-1.4 phieu hen", filename="hen.pdf")
    page = _with_forms(_draft(world), listed=[listed, step_form], step_form=step_form)
    page.save_revision().publish(skip_permission_checks=True)
    issue = ProcedureIssue.objects.get(procedure=page)
    forms = {f.title: f for f in IssueForm.objects.filter(issue=issue)}
    assert set(forms) == {"Tờ khai", "Phiếu hẹn"}  # the step's form is copied once
    frozen = forms["Tờ khai"]
    assert frozen.file.name.startswith(f"issue-forms/{page.pk}/1/")
    assert frozen.file.name != listed.file.name
    assert _read(frozen.file) == FORM_BYTES
    assert frozen.sha256 == hashlib.sha256(FORM_BYTES).hexdigest()
    assert frozen.size == len(FORM_BYTES)
    steps = IssueService.objects.get(issue=issue).steps
    assert steps[0]["form"] == forms["Phiếu hẹn"].pk and steps[1]["form"] is None

    # The agency replaces the file, then deletes the document: the issue keeps what it issued.
    listed.file.delete(save=False)
    listed.file = ContentFile(b"%PDF-1.4 mau moi", name="to-khai-moi.pdf")
    listed.save()
    listed.delete()
    frozen = IssueForm.objects.get(pk=frozen.pk)
    assert frozen.source_document is None
    assert _read(frozen.file) == FORM_BYTES
    assert hashlib.sha256(_read(frozen.file)).hexdigest() == frozen.sha256


def test_a_missing_form_file_refuses_the_issue_naming_the_form(world):
    listed = _form(world, title="Tờ khai bị mất")
    page = _with_forms(_draft(world), listed=[listed], step_form=listed)
    listed.file.storage.delete(listed.file.name)
    revision = page.save_revision()
    with pytest.raises(ValidationError) as info:
        revision.publish(skip_permission_checks=True)
    assert "Tờ khai bị mất" in " ".join(info.value.messages)


# --- Withdrawal ---------------------------------------------------------------------------------


def _issued(world, **kwargs):
    page = _draft(world, **kwargs)
    revision = factories.procedure_publish(page, user=_officer(world))
    return ProcedureIssue.objects.get(revision=revision)


def test_a_leader_withdraws_the_issue_in_force_with_a_reason(world):
    issue = _issued(world)
    scheduled = factories.procedure_publish(
        issue.procedure,
        go_live_at=timezone.now() + datetime.timedelta(days=5),
        change_summary="Lần 2 hẹn giờ",
    )
    leader = _leader(world)
    issue_withdraw(actor=leader, issue=issue, reason="TTHC đã bị bãi bỏ")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.WITHDRAWN
    assert issue.withdrawn_by == leader and issue.withdrawal_reason == "TTHC đã bị bãi bỏ"
    assert issue.withdrawn_at is not None
    page = ProcedurePage.objects.get(pk=issue.procedure_id)
    assert not page.live and page.live_revision_id is None
    assert page.locked and page.locked_by is None  # read-only for everybody
    scheduled.refresh_from_db()
    assert scheduled.approved_go_live_at is None  # it will not come back on its own
    assert issue.history.first().history_user == leader
    assert issue.history.first().status == IssueStatus.WITHDRAWN
    entry = ModelLogEntry.objects.get(action=ISSUE_WITHDRAW_ACTION, object_id=str(issue.pk))
    assert entry.user == leader and entry.data["reason"] == "TTHC đã bị bãi bỏ"
    assert PageLogEntry.objects.filter(page=page, action="wagtail.unpublish", user=leader).exists()


def test_withdrawal_needs_a_reason(world):
    issue = _issued(world)
    with pytest.raises(ValidationError) as info:
        issue_withdraw(actor=_leader(world), issue=issue, reason="  ")
    assert "reason" in info.value.message_dict
    assert ProcedurePage.objects.get(pk=issue.procedure_id).live


@pytest.mark.parametrize("who", [("node", Role.OFFICER), ("sibling", Role.LEADER)])
def test_only_a_leader_of_the_agency_or_above_withdraws(world, who):
    issue = _issued(world)
    with pytest.raises(PermissionDenied):
        issue_withdraw(actor=world.users[who], issue=issue, reason="Không còn áp dụng")
    assert ProcedureIssue.objects.get(pk=issue.pk).status == IssueStatus.IN_FORCE
    issue_withdraw(actor=world.users["parent", Role.LEADER], issue=issue, reason="Bãi bỏ")


def test_a_superseded_issue_cannot_be_withdrawn(world):
    issue = _issued(world)
    factories.procedure_publish(issue.procedure, change_summary="Lần 2")
    with pytest.raises(ValidationError) as info:
        issue_withdraw(actor=_leader(world), issue=issue, reason="Nhầm")
    assert "Đã được thay thế" in " ".join(info.value.messages)


# --- The decision that issued it ----------------------------------------------------------------


def _decision(place, *, number="15/QĐ-STP", signed_on=None):
    return ApprovalDecision.objects.create(
        agency=place,
        number=number,
        signed_on=signed_on or timezone.localdate(),
        signer="Nguyễn Văn Giám đốc",
    )


def test_an_officer_links_the_decision_once(world):
    issue = _issued(world)
    decision = _decision(world.parent, number="120/QĐ-UBND")  # a body above may issue it
    issue_decision_record(actor=_officer(world), issue=issue, decision=decision)
    assert ProcedureIssue.objects.get(pk=issue.pk).decision == decision
    with pytest.raises(ValidationError) as info:
        issue_decision_record(
            actor=_officer(world), issue=issue, decision=_decision(world.node, number="16/QĐ")
        )
    assert "120/QĐ-UBND" in " ".join(info.value.messages)


def test_a_decision_of_another_agency_or_signed_after_the_effective_date_is_refused(world):
    issue = _issued(world)
    foreign = _decision(world.sibling, number="9/QĐ-STC")
    with pytest.raises(ValidationError) as info:
        issue_decision_record(actor=world.admin, issue=issue, decision=foreign)
    assert "9/QĐ-STC" in info.value.message_dict["decision"][0]
    late = _decision(
        world.node, number="17/QĐ", signed_on=issue.effective_date + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as info:
        issue_decision_record(actor=_officer(world), issue=issue, decision=late)
    assert "sau ngày hiệu lực" in info.value.message_dict["decision"][0]
    with pytest.raises(PermissionDenied):
        issue_decision_record(
            actor=world.users["node", Role.STAFF],
            issue=issue,
            decision=_decision(world.node, number="18/QĐ"),
        )
    assert ProcedureIssue.objects.get(pk=issue.pk).decision is None


def test_a_decision_is_saved_for_ones_own_agency_with_a_scan_one_may_see(world):
    officer = _officer(world)
    mine = decision_save(
        actor=officer,
        instance=ApprovalDecision(
            agency=world.node,
            number=" 15/QĐ-STP ",
            signed_on=datetime.date(2026, 1, 5),
            signer="Giám đốc",
            scan=_form(world, title="Bản scan QĐ"),
        ),
    )
    assert mine.number == "15/QĐ-STP" and mine.history.first().history_user == officer
    foreign_scan = _form(world, title="QĐ của sở khác", place=world.sibling)
    with pytest.raises(ValidationError) as info:
        decision_save(
            actor=officer,
            instance=ApprovalDecision(
                agency=world.node,
                number="16/QĐ-STP",
                signed_on=datetime.date(2026, 1, 5),
                signer="Giám đốc",
                scan=foreign_scan,
            ),
        )
    assert "scan" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        decision_save(
            actor=officer,
            instance=ApprovalDecision(
                agency=world.sibling, number="1", signed_on=datetime.date(2026, 1, 5), signer="X"
            ),
        )


# --- The admin: read-only issues with their transitions; decisions ------------------------------


def test_the_issue_list_and_page_show_the_issue_to_members_only(world, client):
    from django.urls import reverse

    issue = _issued(world)
    client.force_login(world.users["node", Role.STAFF])
    listing = client.get(reverse("procedure_issues:index"))
    assert listing.status_code == 200 and "QT-05/STP" in listing.content.decode()
    page = client.get(reverse("procedure_issues:inspect", args=[issue.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Bước 2" in body and "9,5" in body and "Không tính thời gian" in body
    # Read-only: no edit, add or delete route, and no transition for staff.
    for name in ("edit", "add", "delete"):
        assert not any(p.name == name for p in _issue_patterns())
    assert reverse("procedure_issues:transition", args=[issue.pk, "withdraw"]) not in body
    client.force_login(world.users["sibling", Role.LEADER])
    assert "QT-05/STP" not in client.get(reverse("procedure_issues:index")).content.decode()
    assert client.get(reverse("procedure_issues:inspect", args=[issue.pk])).status_code == 404


def _issue_patterns():
    from documents.wagtail_hooks.issues import ProcedureIssueViewSet

    return ProcedureIssueViewSet("procedure_issues_probe").get_urlpatterns()


def test_a_leader_withdraws_from_the_admin_and_a_reason_is_required(world, client):
    from django.urls import reverse

    issue = _issued(world)
    url = reverse("procedure_issues:transition", args=[issue.pk, "withdraw"])
    client.force_login(_leader(world))
    assert url in client.get(reverse("procedure_issues:inspect", args=[issue.pk])).content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "Hãy ghi lý do bãi bỏ" in refused.content.decode()
    assert ProcedurePage.objects.get(pk=issue.procedure_id).live
    done = client.post(url, {"reason": "TTHC bị bãi bỏ"})
    assert done.status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.WITHDRAWN and issue.withdrawn_by == _leader(world)
    client.force_login(_officer(world))
    assert client.post(url, {"reason": "x"}).status_code in (302, 403)
    assert ProcedureIssue.objects.get(pk=issue.pk).withdrawn_by == _leader(world)


def test_the_decision_form_offers_only_decisions_that_could_have_issued_it(world, client):
    from django.urls import reverse

    issue = _issued(world)
    own = _decision(world.node, number="15/QĐ-STP")
    above = _decision(world.parent, number="120/QĐ-UBND")
    _decision(world.sibling, number="9/QĐ-STC")
    _decision(
        world.node, number="99/QĐ-STP", signed_on=issue.effective_date + datetime.timedelta(1)
    )
    url = reverse("procedure_issues:transition", args=[issue.pk, "record_decision"])
    client.force_login(_officer(world))
    body = client.get(url).content.decode()
    assert "15/QĐ-STP" in body and "120/QĐ-UBND" in body
    assert "9/QĐ-STC" not in body and "99/QĐ-STP" not in body
    foreign = ApprovalDecision.objects.get(number="9/QĐ-STC")
    assert client.post(url, {"decision": foreign.pk}).status_code == 200  # not a valid choice
    assert ProcedureIssue.objects.get(pk=issue.pk).decision is None
    assert client.post(url, {"decision": above.pk}).status_code == 302
    assert ProcedureIssue.objects.get(pk=issue.pk).decision == above
    assert own.issues.count() == 0


def test_an_officer_records_a_decision_in_the_admin(world, client):
    from django.urls import reverse

    client.force_login(_officer(world))
    response = client.post(
        reverse("approval_decisions:add"),
        {
            "agency": world.node.pk,
            "number": "15/QĐ-STP",
            "signed_on": "2026-01-05",
            "signer": "Giám đốc Sở",
        },
    )
    assert response.status_code == 302
    decision = ApprovalDecision.objects.get(number="15/QĐ-STP")
    assert decision.history.first().history_user == _officer(world)
    refused = client.post(
        reverse("approval_decisions:add"),
        {"agency": world.sibling.pk, "number": "1/QĐ", "signed_on": "2026-01-05", "signer": "X"},
    )
    assert refused.status_code == 200
    assert not ApprovalDecision.objects.filter(number="1/QĐ").exists()


def test_the_site_history_links_an_issue_to_its_read_only_page(world, client):
    """Wagtail links each logged object to its "edit" view; an issue has none (it was a 500)."""
    from django.urls import reverse

    issue = _issued(world)
    issue_withdraw(actor=_leader(world), issue=issue, reason="Bãi bỏ")
    client.force_login(world.admin)
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    assert reverse("procedure_issues:inspect", args=[issue.pk]) in response.content.decode()


def test_an_issued_procedure_cannot_be_deleted_only_withdrawn(world):
    from documents.models import ProcedurePage
    from tests.documents.authz_rules import procedure

    tthc = factories.tthc(working_days="5")
    page = world.node.page.add_child(
        instance=procedure(world.node, title="Quy trình xóa thử", code="QT-98/STP", tthc=tthc)
    )
    draft_only = world.node.page.add_child(
        instance=procedure(world.node, title="Dự thảo xóa được", code="QT-99/STP", tthc=tthc)
    )
    factories.procedure_publish(page, user=world.users["node", "officer"])
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.issues.exists()
    assert not page.permissions_for_user(world.admin).can_delete()
    assert draft_only.permissions_for_user(world.admin).can_delete()
