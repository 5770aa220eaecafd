"""No role, superuser included, makes a procedure live outside its approval workflow: every path
Wagtail offers is tried by POST as the administrator and as the agency's leader (the approving
body's), and each leaves the live revision and the effective date as they were."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Revision

from documents.models import ProcedurePage
from tests.documents.approval_helpers import (
    approve_through_workflow,
    draft,
    edit_url,
    form_data,
    people,
    revise,
)
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db

FUTURE = "2031-01-02 08:00"


@pytest.fixture
def cast(world):
    return people(world)


@pytest.fixture
def live_procedure(world, cast):
    """Issue 1 in force (through the workflow), and the officer's draft of issue 2."""
    page = approve_through_workflow(
        draft(world, cast.officer),
        author=cast.officer,
        reviewer=cast.unit_leader,
        approver=cast.leader,
    )
    assert page.live
    revise(page, cast.officer, purpose="Mục đích của lần ban hành 2.")
    return ProcedurePage.objects.get(pk=page.pk)


@pytest.fixture(params=["admin", "leader"])
def actor(request, cast, client):
    user = getattr(cast, request.param)
    client.force_login(user)
    return client


def snapshot(page):
    page = ProcedurePage.objects.get(pk=page.pk)
    return {
        "live": page.live,
        "live_revision": page.live_revision_id,
        "go_live_at": page.go_live_at,
        "expire_at": page.expire_at,
        "scheduled": set(
            Revision.page_revisions.filter(approved_go_live_at__isnull=False).values_list(
                "pk", flat=True
            )
        ),
        "live_procedures": set(ProcedurePage.objects.live().values_list("pk", flat=True)),
        "procedures": ProcedurePage.objects.count(),
    }


def _latest_revision_id(page):
    return ProcedurePage.objects.get(pk=page.pk).latest_revision_id


def test_edit_view_publish_saves_a_draft_only(live_procedure, actor):
    before = snapshot(live_procedure)
    revision = _latest_revision_id(live_procedure)
    response = actor.post(
        edit_url(live_procedure), {**form_data(live_procedure), "action-publish": "1"}
    )
    assert response.status_code == 302
    # The form was accepted (a new draft revision), and nothing went live.
    assert _latest_revision_id(live_procedure) != revision
    assert snapshot(live_procedure) == before


def test_scheduling_without_approval_schedules_nothing(live_procedure, actor):
    before = snapshot(live_procedure)
    revision = _latest_revision_id(live_procedure)
    response = actor.post(
        edit_url(live_procedure),
        {**form_data(live_procedure, go_live_at=FUTURE), "action-publish": "1"},
    )
    assert response.status_code == 302
    assert _latest_revision_id(live_procedure) != revision
    draft_object = ProcedurePage.objects.get(pk=live_procedure.pk).get_latest_revision_as_object()
    assert draft_object.go_live_at is not None  # kept as the draft's effective date...
    assert snapshot(live_procedure) == before  # ...approved by no one, scheduled nowhere


def test_create_view_publish_creates_a_draft_only(world, cast, live_procedure, actor):
    before = snapshot(live_procedure)
    new = procedure(
        world.node, title="Quy trình mới", code="QT-09/STP", tthc=cast_tthc(live_procedure)
    )
    url = reverse("wagtailadmin_pages:add", args=["documents", "procedurepage", world.node.page.pk])
    response = actor.post(url, {**form_data(new), "action-publish": "1"})
    assert response.status_code == 302
    created = ProcedurePage.objects.get(code="QT-09/STP")
    assert not created.live and created.live_revision_id is None
    after = snapshot(live_procedure)
    assert after.pop("procedures") == before.pop("procedures") + 1
    assert after == before


def cast_tthc(page):
    return page.services[0].value["tthc"]


def test_bulk_publish_publishes_no_procedure(world, live_procedure, actor):
    before = snapshot(live_procedure)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    ids = f"?id={live_procedure.pk}&id={world.node.page.pk}"
    response = actor.post(url + ids, {"include_descendants": "on"})
    assert response.status_code in (200, 302)
    assert snapshot(live_procedure) == before


def test_revert_and_publish_saves_a_draft_only(live_procedure, actor):
    before = snapshot(live_procedure)
    first = ProcedurePage.objects.get(pk=live_procedure.pk).revisions.order_by("pk").first()
    url = reverse("wagtailadmin_pages:revisions_revert", args=[live_procedure.pk, first.pk])
    response = actor.post(url, {**form_data(live_procedure), "action-publish": "1"})
    assert response.status_code == 302
    assert snapshot(live_procedure) == before


@pytest.mark.parametrize("how", [{"publish_copies": "on"}, {"alias": "on"}])
def test_copy_with_publish_and_alias_are_refused(world, live_procedure, actor, how):
    before = snapshot(live_procedure)
    for page, subpages in ((live_procedure, ""), (world.node.page, "on")):
        response = actor.post(
            reverse("wagtailadmin_pages:copy", args=[page.pk]),
            {
                "new_title": "Bản sao",
                "new_slug": f"ban-sao-{page.pk}",
                "new_parent_page": str(world.sibling.page.pk),
                "copy_subpages": subpages,
                **how,
            },
        )
        assert response.status_code in (302, 403)
        assert not Page.objects.filter(slug=f"ban-sao-{page.pk}").exists()
    assert snapshot(live_procedure) == before


@pytest.mark.parametrize(
    "action, data",
    [
        ("publish", {}),
        ("unpublish", {}),
        ("copy", {"destination_page_id": 0, "keep_live": True, "slug": "ban-sao-api"}),
        ("create_alias", {"destination_page_id": 0, "update_slug": "bi-danh-api"}),
        ("revert_to_page_revision", {"revision_id": 0}),
    ],
)
def test_admin_api_actions_are_refused(world, live_procedure, actor, action, data):
    before = snapshot(live_procedure)
    data = dict(data)
    if "destination_page_id" in data:
        data["destination_page_id"] = world.sibling.page.pk
    if "revision_id" in data:
        data["revision_id"] = live_procedure.live_revision_id
    url = reverse(
        "wagtailadmin_api:pages:action", kwargs={"pk": live_procedure.pk, "action_name": action}
    )
    response = actor.post(url, data, content_type="application/json")
    if action != "revert_to_page_revision":  # a revert only saves a draft, as in the admin
        assert response.status_code == 403, response.content
    assert snapshot(live_procedure) == before


def test_unpublish_is_refused(live_procedure, actor):
    before = snapshot(live_procedure)
    response = actor.post(reverse("wagtailadmin_pages:unpublish", args=[live_procedure.pk]))
    assert response.status_code in (302, 403)
    assert snapshot(live_procedure) == before


def test_nobody_holds_the_right_to_publish_a_procedure(world, cast, live_procedure):
    for person in vars(cast).values():
        tester = live_procedure.permissions_for_user(person)
        assert not tester.can_publish()
        assert not tester.can_unpublish()
        assert not tester.can_copy_to(world.node.page)
        parent = world.node.page.permissions_for_user(person)
        assert not parent.can_publish_subpage()


def test_the_expiry_date_is_not_on_the_form(live_procedure, cast, client):
    form_class = ProcedurePage.get_edit_handler().get_form_class()
    assert "go_live_at" in form_class.base_fields
    assert "expire_at" not in form_class.base_fields
    client.force_login(cast.officer)
    client.post(edit_url(live_procedure), form_data(live_procedure, expire_at="2030-01-01 08:00"))
    latest = ProcedurePage.objects.get(pk=live_procedure.pk).get_latest_revision_as_object()
    assert latest.expire_at is None


@pytest.fixture
def scheduled(world, cast):
    """Issue 1 approved with an effective date in the future: scheduled, not live."""
    page = draft(world, cast.officer)
    revise(page, cast.officer, go_live_at=timezone.now() + datetime.timedelta(days=30))
    page = approve_through_workflow(
        page, author=cast.officer, reviewer=cast.unit_leader, approver=cast.leader
    )
    revision = page.get_latest_revision()
    assert revision.approved_go_live_at is not None and not page.live
    return page, revision


def test_an_approved_future_date_goes_live_on_that_date(scheduled):
    page, revision = scheduled
    # The effective date arrives (moved back to a minute ago, in the approved revision too).
    when = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = when.isoformat()
    revision.approved_go_live_at = when
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled", verbosity=0)
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.live and page.live_revision_id == revision.pk


def test_the_approving_leader_may_unschedule_no_one_else(scheduled, cast, client):
    page, revision = scheduled
    url = reverse("wagtailadmin_pages:revisions_unschedule", args=[page.pk, revision.pk])
    for person in (cast.officer, cast.unit_leader, cast.sibling_leader, cast.admin):
        client.force_login(person)
        client.post(url)
        revision.refresh_from_db()
        assert revision.approved_go_live_at is not None, person
    client.force_login(cast.leader)
    assert client.post(url).status_code == 302
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None
    assert not ProcedurePage.objects.get(pk=page.pk).live
