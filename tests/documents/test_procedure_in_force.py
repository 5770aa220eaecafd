"""Which issue (and step table) was in force for a TTHC at an agency on any date; a procedure's
history; who may download a form as issued."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from documents.models import ProcedurePage
from documents.selectors import (
    form_for_download,
    issue_history,
    issue_in_force,
    procedure_in_force,
)
from documents.services.issues import issue_withdraw
from qms.models import Role
from tests import factories
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db

D1, D2, D3 = datetime.date(2026, 3, 2), datetime.date(2026, 6, 1), datetime.date(2026, 9, 1)


def _at(monkeypatch, day, hour=9):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _page(place, tthc, *, code, steps=(("Bước 1", "5"),)):
    page = procedure(
        place,
        title=f"Quy trình {code}",
        code=code,
        tthc=tthc,
        steps=[(c, None if d is None else Decimal(d)) for c, d in steps],
    )
    place.page.add_child(instance=page)
    return ProcedurePage.objects.get(pk=page.pk)


def _steps(tthc, steps, variant=""):
    return (
        "tthc",
        {
            "tthc": tthc,
            "variant": variant,
            "steps": [
                {"code": c, "content": "Xử lý", "responsible": "Phòng", "days": Decimal(d)}
                for c, d in steps
            ],
        },
    )


def _publish(page, **changes):
    return factories.procedure_publish(page, **changes).procedure_issue


def test_the_issue_in_force_on_any_past_date(world, monkeypatch):
    tthc = factories.tthc(working_days="10")
    page = _page(world.node, tthc, code="QT-01/STP", steps=[("Bước 1", "7")])
    _at(monkeypatch, D1)
    first = _publish(page)
    _at(monkeypatch, D2)
    second = _publish(page, services=[_steps(tthc, [("Bước 1", "4")])], change_summary="Rút ngắn")
    _at(monkeypatch, D3, hour=15)
    issue_withdraw(actor=world.users["node", Role.LEADER], issue=second, reason="Bãi bỏ TTHC")

    def in_force(day):
        service = procedure_in_force(world.node, tthc, day)
        return service and (service.issue.number, service.steps[0]["days"])

    assert in_force(D1 - datetime.timedelta(days=1)) is None
    assert in_force(D1) == (1, "7.00")
    assert in_force(D2 - datetime.timedelta(days=1)) == (1, "7.00")
    assert in_force(D2) == (2, "4.00")  # superseded that day: its successor is in force
    assert in_force(D3 - datetime.timedelta(days=1)) == (2, "4.00")
    assert in_force(D3) is None  # withdrawn that day
    assert procedure_in_force(world.node, tthc, D2).total_days == Decimal("4")
    assert procedure_in_force(world.node, factories.tthc(), D2) is None  # another TTHC
    assert [i.number for i in issue_history(page)] == [2, 1]
    assert issue_in_force(page, D1) == first and issue_in_force(page, D3) is None


def test_a_unit_follows_the_procedure_of_the_body_above_unless_it_has_its_own(world, monkeypatch):
    tthc = factories.tthc(working_days="10")
    _at(monkeypatch, D1)
    department = _publish(_page(world.node, tthc, code="QT-02/STP"))
    assert procedure_in_force(world.unit, tthc, D1).issue == department
    assert procedure_in_force(world.sibling, tthc, D1) is None  # another department
    assert procedure_in_force(world.parent, tthc, D1) is None  # not the province's own
    _at(monkeypatch, D2)
    own = _publish(_page(world.unit, tthc, code="QT-02/HC"))
    assert procedure_in_force(world.unit, tthc, D2).issue == own
    assert procedure_in_force(world.unit, tthc, D1).issue == department  # before its own
    assert procedure_in_force(world.node, tthc, D2).issue == department


def test_variants_of_a_tthc_are_told_apart(world, monkeypatch):
    tthc = factories.tthc(working_days="10")
    page = _page(world.node, tthc, code="QT-03/STP")
    _at(monkeypatch, D1)
    _publish(
        page,
        services=[
            _steps(tthc, [("Bước 1", "3")], variant="a) Đăng ký mới"),
            _steps(tthc, [("Bước 1", "1.5")], variant="b) Giải thể"),
        ],
    )
    assert procedure_in_force(world.node, tthc, D1).variant == "a) Đăng ký mới"
    dissolution = procedure_in_force(world.node, tthc, D1, variant="b) Giải thể")
    assert dissolution.total_days == Decimal("1.5")
    assert procedure_in_force(world.node, tthc, D1, variant="c) Khác") is None


def test_a_form_is_public_until_its_issue_is_withdrawn(world):
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    tthc = factories.tthc(working_days="10")
    page = _page(world.node, tthc, code="QT-04/STP")
    form = get_document_model().objects.create(
        title="Tờ khai",
        file=_file(),
        collection=Collection.objects.get(pk=world.node.collection_id),
    )
    issue = _publish(page, forms=[("form", form)])
    issued = issue.forms.get()
    for who in (None, world.users["sibling", Role.STAFF], world.users["node", Role.STAFF]):
        assert form_for_download(_user(who), issued)
    issue_withdraw(actor=world.users["node", Role.LEADER], issue=issue, reason="Bãi bỏ")
    issued.refresh_from_db()
    assert not form_for_download(_user(None), issued)
    assert not form_for_download(world.users["sibling", Role.LEADER], issued)
    assert form_for_download(world.users["node", Role.STAFF], issued)
    assert form_for_download(world.users["parent", Role.AUDITOR], issued)
    assert form_for_download(world.admin, issued)


def _file():
    from django.core.files.base import ContentFile

    return ContentFile(factories.pdf_bytes(), name="to-khai.pdf")


def _user(who):
    from django.contrib.auth.models import AnonymousUser

    return who or AnonymousUser()
