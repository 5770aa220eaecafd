"""A procedure revision is drafted, reviewed and approved by three different people the policy
names (DESIGN.md §6); each step notifies the next people; a draft sent back shows why."""

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import TaskState, WorkflowState

from documents import policy
from documents.models import ProcedureApprovalTask, ProcedurePage
from documents.workflow import approval_workflow_ensure, procedure_workflow
from qms.models import Notification
from tests.documents.approval_helpers import (
    act,
    approve_through_workflow,
    draft,
    edit_url,
    people,
    revise,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    return people(world)


def _client(client, user):
    client.force_login(user)
    return client


def _fresh(page):
    return ProcedurePage.objects.get(pk=page.pk)


def _stage(page):
    state = _fresh(page).current_workflow_task_state
    return state.task.specific.stage if state else None


def _inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_every_procedure_has_the_two_stage_workflow(world, cast):
    page = draft(world, cast.officer)
    workflow = page.get_workflow()
    assert workflow == procedure_workflow() and workflow.active
    stages = [task.specific.stage for task in workflow.tasks]
    assert stages == ["review", "approve"]
    assert approval_workflow_ensure() == workflow  # no second one


def test_happy_path_officer_unit_leader_agency_leader_goes_live(world, cast, client):
    page = draft(world, cast.officer)

    response = submit(_client(client, cast.officer), page)
    assert response.status_code == 302
    assert _stage(page) == "review"
    assert any("chờ xem xét" in title for title in _inbox(cast.unit_leader))
    assert not _inbox(cast.leader)

    assert act(_client(client, cast.unit_leader), page, "approve").status_code == 302
    assert _stage(page) == "approve"
    assert any("chờ phê duyệt" in title for title in _inbox(cast.leader))

    assert act(_client(client, cast.leader), page, "approve").status_code == 302
    page = _fresh(page)
    assert page.live
    assert page.live_revision == page.get_latest_revision()
    run = WorkflowState.objects.for_instance(page).get()
    assert run.status == WorkflowState.STATUS_APPROVED
    decided = {
        s.task.specific.stage: s.finished_by
        for s in TaskState.objects.filter(workflow_state=run, status="approved")
    }
    assert decided == {"review": cast.unit_leader, "approve": cast.leader}
    assert any("đã được phê duyệt" in title for title in _inbox(cast.officer))


def test_another_officer_of_the_agency_may_review(world, cast):
    page = draft(world, cast.officer)
    assert policy.may_review(cast.other_officer, page)
    assert policy.may_review(cast.leader, page)  # the agency's leader is above the unit
    assert not policy.may_review(cast.province_leader, page)
    assert not policy.may_review(cast.sibling_leader, page)


def test_a_leader_of_agency_b_cannot_approve_agency_a_procedure(world, cast, client):
    page = draft(world, cast.officer)
    page.get_workflow().start(page, cast.officer)
    act(_client(client, cast.unit_leader), page, "approve")
    assert _stage(page) == "approve"

    for outsider in (cast.sibling_leader, cast.province_leader, cast.admin):
        task = _fresh(page).current_workflow_task
        assert task.get_actions(_fresh(page), outsider) == []
        response = act(_client(client, outsider), page, "approve")
        assert response.status_code in (302, 403)
        assert _stage(page) == "approve" and not _fresh(page).live


def test_a_leader_of_the_approving_body_above_approves_when_the_procedure_names_it(world, cast):
    page = draft(world, cast.officer, approving_agency=world.parent)
    assert policy.may_approve(cast.province_leader, page)
    assert not policy.may_approve(cast.leader, page)


def test_the_author_cannot_review_or_approve_their_own_revision(world, cast, client):
    # The agency's leader writes part of the draft: they may neither review nor approve it.
    page = draft(world, cast.officer)
    revise(page, cast.leader, purpose="Sửa mục đích.")
    assert not policy.may_review(cast.leader, page)
    assert not policy.may_approve(cast.leader, page)
    assert not policy.may_review(cast.officer, page)

    page.get_workflow().start(_fresh(page), cast.officer)
    assert act(_client(client, cast.leader), page, "approve").status_code in (302, 403)
    assert _stage(page) == "review"
    # Nobody who wrote it is asked to review it.
    assert cast.leader not in policy.stage_people(page, "review")


def test_the_reviewer_is_not_the_approver(world, cast):
    page = draft(world, cast.officer)
    page.get_workflow().start(page, cast.officer)
    state = _fresh(page).current_workflow_task_state
    state.task.specific.on_action(state, cast.leader, "approve")  # the agency's leader reviews
    assert _stage(page) == "approve"
    assert not policy.may_approve(cast.leader, page)
    state = _fresh(page).current_workflow_task_state
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, cast.leader, "approve")
    assert not _fresh(page).live


def test_an_edit_during_review_restarts_it(world, cast):
    page = draft(world, cast.officer)
    page.get_workflow().start(page, cast.officer)
    state = _fresh(page).current_workflow_task_state
    state.task.specific.on_action(state, cast.unit_leader, "approve")
    revise(page, cast.officer, scope="Phạm vi đã sửa.")
    state = _fresh(page).current_workflow_task_state
    state.task.specific.on_action(state, cast.leader, "approve")
    # The approval was of an older revision: the new one is reviewed again.
    assert _stage(page) == "review" and not _fresh(page).live


def test_rejection_returns_to_draft_with_the_comment_shown(world, cast, client):
    page = draft(world, cast.officer)
    submit(_client(client, cast.officer), page)
    comment = "Bước 2 ghi rõ bộ phận thực hiện."
    response = act(_client(client, cast.unit_leader), page, "reject", comment=comment)
    assert response.status_code == 302

    page = _fresh(page)
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not page.workflow_in_progress and not page.live  # a draft again
    rejected = state.current_task_state
    assert (rejected.status, rejected.finished_by, rejected.comment) == (
        "rejected",
        cast.unit_leader,
        comment,
    )
    assert rejected.finished_at is not None
    assert any(comment in body for body in _bodies(cast.officer))

    response = _client(client, cast.officer).get(edit_url(page))
    assert response.status_code == 200
    assert comment in response.content.decode()

    # The author fixes it and resubmits: the review starts again.
    assert submit(client, page, purpose="Mục đích đã sửa.").status_code == 302
    assert _stage(page) == "review"


def _bodies(user):
    return list(Notification.objects.filter(recipient=user).values_list("body", flat=True))


def test_a_rejection_needs_a_reason(world, cast, client):
    page = draft(world, cast.officer)
    submit(_client(client, cast.officer), page)
    act(_client(client, cast.unit_leader), page, "reject", comment="")
    assert _stage(page) == "review"
    assert _fresh(page).current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_the_finish_action_refuses_a_run_without_both_signatures(world, cast):
    """An administrator who strips the workflow down to one task still cannot publish by it."""
    page = draft(world, cast.officer)
    workflow = procedure_workflow()
    workflow.workflow_tasks.filter(
        task__in=ProcedureApprovalTask.objects.filter(stage="review")
    ).delete()
    page.get_workflow().start(_fresh(page), cast.officer)
    state = _fresh(page).current_workflow_task_state
    assert state.task.specific.stage == "approve"
    with pytest.raises(PermissionDenied, match="xem xét và phê duyệt"):
        state.task.specific.on_action(state, cast.leader, "approve")
    page = _fresh(page)
    assert not page.live and page.live_revision is None


def test_moderation_lists_show_only_what_the_person_may_decide(world, cast):
    page = draft(world, cast.officer)
    page.get_workflow().start(page, cast.officer)
    assert TaskState.objects.reviewable_by(cast.unit_leader).count() == 1
    for nobody in (cast.officer, cast.sibling_leader, cast.admin):
        assert TaskState.objects.reviewable_by(nobody).count() == 0


def test_superusers_get_no_special_right(world, cast):
    page = approve_through_workflow(
        draft(world, cast.officer),
        author=cast.officer,
        reviewer=cast.unit_leader,
        approver=cast.leader,
    )
    assert page.live
    tester = page.permissions_for_user(cast.admin)
    assert not tester.can_publish() and not tester.can_unpublish()
    assert not policy.may_review(cast.admin, page) and not policy.may_approve(cast.admin, page)
