"""Shared steps of the approval tests: the people of journey 1, a draft procedure, the edit form's
POST data, and a run of the approval workflow."""

from decimal import Decimal
from types import SimpleNamespace

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from documents.models import ProcedurePage
from qms.models import Role
from tests import factories
from tests.documents.authz_rules import procedure

STEPS = [("Bước 1", Decimal("0.5")), ("Bước 2", Decimal("9")), ("Bước 3", None)]


def people(world):
    """The officer drafts, the responsible unit's leader reviews, the agency's leader approves;
    another officer of the agency, a leader of the sibling agency and of the province, and the
    administrator stand by."""
    return SimpleNamespace(
        officer=world.users["node", "officer"],
        other_officer=factories.member(world.node, Role.OFFICER, username="node_officer_2"),
        unit_leader=factories.member(world.unit, Role.LEADER, username="unit_leader"),
        leader=world.users["node", "leader"],
        sibling_leader=world.users["sibling", "leader"],
        province_leader=world.users["parent", "leader"],
        admin=world.admin,
    )


def draft(world, author, *, code="QT-05/STP", steps=STEPS, **extra) -> ProcedurePage:
    """A procedure of the node (never live), responsible unit: the node's unit, its first
    revision saved by ``author``."""
    extra.setdefault("responsible_unit", world.unit)
    page = procedure(
        world.node,
        title="Cấp phiếu lý lịch tư pháp",
        code=code,
        tthc=factories.tthc(working_days="10"),
        steps=steps,
        live=False,
        **extra,
    )
    world.node.page.add_child(instance=page)
    page.save_revision(user=author)
    return ProcedurePage.objects.get(pk=page.pk)


def revise(page, author, **changes):
    """A new revision of ``page``'s draft by ``author``."""
    page = ProcedurePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(page, name, value)
    return page.save_revision(user=author)


def _steps(steps) -> dict:
    data = {"count": str(len(steps))}
    for index, step in enumerate(steps):
        days = step["days"]
        data[str(index)] = {
            "value": {
                "code": step["code"],
                "content": step["content"],
                "responsible": step["responsible"],
                "days": "" if days is None else str(days),
                "output": step.get("output") or "",
                "form": "",
            },
            "deleted": "",
            "order": str(index),
            "id": "",
        }
    return data


def form_data(page, **changes) -> dict:
    """What the edit form of ``page``'s draft posts, with ``changes`` (form field values)."""
    if page.pk:
        page = ProcedurePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    services = [
        (
            "tthc",
            {
                "tthc": str(block.value["tthc"].pk),
                "variant": block.value.get("variant") or "",
                "conditions": "",
                "components": "",
                "copies": "",
                "where": "",
                "fees": "",
                "steps": _steps(block.value["steps"]),
            },
        )
        for block in page.services
    ]
    data = {
        "title": page.title,
        "slug": page.slug,
        "code": page.code,
        "responsible_unit": str(page.responsible_unit_id or ""),
        "approving_agency": str(page.approving_agency_id or ""),
        "review_interval_months": str(page.review_interval_months or 12),
        **({"shared": "on"} if page.shared else {}),
        "purpose": page.purpose,
        "scope": page.scope,
        "legal_basis": streamfield([]),
        "definitions": streamfield([]),
        "services": streamfield(services),
        "forms": streamfield([]),
        "records": streamfield([]),
        "change_summary": page.change_summary,
        "go_live_at": "",
        "comments": inline_formset([]),
    }
    data.update(changes)
    return nested_form_data(data)


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def submit(client, page, **changes):
    """The author's "submit for approval" from the edit page."""
    return client.post(edit_url(page), {**form_data(page, **changes), "action-submit": "1"})


def act(client, page, action, comment=None):
    """A reviewer's or approver's decision through Wagtail's workflow action view."""
    page = ProcedurePage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])
    data = {} if comment is None else {"comment": comment}
    return client.post(url, data)


def approve_through_workflow(page, *, author, reviewer, approver):
    """Submit ``page`` as ``author`` and let the workflow run (review, then approval)."""
    page = ProcedurePage.objects.get(pk=page.pk)
    page.get_workflow().start(page, author)
    for person in (reviewer, approver):
        page = ProcedurePage.objects.get(pk=page.pk)
        state = page.current_workflow_task_state
        state.task.specific.on_action(state, person, "approve")
    return ProcedurePage.objects.get(pk=page.pk)
