"""Shared procedures: a body above issues one procedure for its subordinates; each follows it until
it adopts (and issues) its own; one decision approves many issues at once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from documents.models import ApprovalDecision, ProcedurePage
from documents.selectors import procedure_in_force, shared_issues_in_force
from documents.services.adoption import procedure_adopt
from documents.services.issues import issue_decision_record
from qms.models import AgencyKind, Role
from tests import factories
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db

D1, D2 = datetime.date(2026, 3, 2), datetime.date(2026, 6, 1)


def _at(monkeypatch, day):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _page(place, tthc, *, code, shared=False, steps=(("Bước 1", "5"),)):
    page = procedure(
        place,
        title=f"Quy trình {code}",
        code=code,
        tthc=tthc,
        steps=[(c, Decimal(d)) for c, d in steps],
        shared=shared,
    )
    place.page.add_child(instance=page)
    return ProcedurePage.objects.get(pk=page.pk)


def _publish(page, **changes):
    return factories.procedure_publish(page, **changes).procedure_issue


@pytest.fixture
def commune(world):
    ward = factories.agency(
        name="Phường Thử Nghiệm", kind=AgencyKind.COMMUNE, parent=world.parent, code="PTN"
    )
    ward.officer = factories.member(ward, Role.OFFICER, username="ptn_officer")
    ward.staff = factories.member(ward, Role.STAFF, username="ptn_staff")
    return ward


def test_a_commune_follows_the_shared_provincial_procedure_until_it_adopts_its_own(
    world, commune, monkeypatch
):
    tthc = factories.tthc(working_days="10")
    _at(monkeypatch, D1)
    provincial = _publish(_page(world.parent, tthc, code="QT-01/UBND", shared=True))
    assert provincial.shared
    assert procedure_in_force(commune, tthc, D1).issue == provincial
    assert procedure_in_force(world.node, tthc, D1).issue == provincial  # a department too
    assert procedure_in_force(world.unit, tthc, D1).issue == provincial  # and its units

    _at(monkeypatch, D2)
    draft = procedure_adopt(
        actor=commune.officer,
        source=provincial.procedure,
        agency=commune,
        code="QT-01/PTN",
    )
    assert not draft.live and draft.agency == commune
    assert draft.adopted_from_id == provincial.procedure_id
    assert draft.get_latest_revision().user == commune.officer
    assert [b.value["tthc"] for b in draft.services] == [tthc]
    assert procedure_in_force(commune, tthc, D2).issue == provincial  # a draft changes nothing

    own = _publish(draft)
    assert procedure_in_force(commune, tthc, D2).issue == own
    assert procedure_in_force(commune, tthc, D1).issue == provincial  # history keeps its answer
    assert procedure_in_force(world.node, tthc, D2).issue == provincial  # others still follow it
    [listed] = shared_issues_in_force(commune, D2)
    assert listed == provincial and listed.adopted_locally


def test_a_procedure_not_shared_stays_with_its_body(world, commune, monkeypatch):
    tthc = factories.tthc(working_days="10")
    _at(monkeypatch, D1)
    own_only = _publish(_page(world.parent, tthc, code="QT-02/UBND"))
    assert procedure_in_force(world.parent, tthc, D1).issue == own_only
    assert procedure_in_force(commune, tthc, D1) is None
    assert shared_issues_in_force(commune, D1) == []
    with pytest.raises(ValidationError) as info:
        procedure_adopt(
            actor=commune.officer, source=own_only.procedure, agency=commune, code="QT-02/PTN"
        )
    assert "không phải quy trình dùng chung" in " ".join(info.value.messages)


def test_adoption_is_for_the_officers_of_a_body_below(world, commune, monkeypatch):
    tthc = factories.tthc(working_days="10")
    _at(monkeypatch, D1)
    provincial = _publish(_page(world.parent, tthc, code="QT-03/UBND", shared=True))
    source = provincial.procedure
    with pytest.raises(PermissionDenied):
        procedure_adopt(actor=commune.staff, source=source, agency=commune, code="QT-03/PTN")
    with pytest.raises(ValidationError) as info:  # the issuing body itself
        procedure_adopt(
            actor=world.users["parent", Role.OFFICER],
            source=source,
            agency=world.parent,
            code="QT-03/X",
        )
    assert "không trực thuộc" in " ".join(info.value.messages)
    procedure_adopt(actor=commune.officer, source=source, agency=commune, code="QT-03/PTN")
    with pytest.raises(ValidationError) as info:
        procedure_adopt(actor=commune.officer, source=source, agency=commune, code="qt-03/ptn")
    assert "đã được dùng" in " ".join(info.value.messages)
    assert ProcedurePage.objects.filter(agency=commune).count() == 1


def test_the_commune_officer_adopts_from_the_admin(client, world, commune, monkeypatch):
    tthc = factories.tthc(working_days="10")
    provincial = _publish(_page(world.parent, tthc, code="QT-04/UBND", shared=True))
    url = reverse("documents_procedure_adopt", args=[provincial.procedure_id])
    client.force_login(commune.staff)
    assert client.get(url).status_code == 404
    client.force_login(world.users["sibling", Role.STAFF])
    assert client.get(url).status_code == 404
    client.force_login(commune.officer)
    page = client.get(url)
    assert page.status_code == 200
    assert "Phường Thử Nghiệm" in page.content.decode()
    response = client.post(url, {"agency": commune.pk, "code": ""})
    assert "Nhập mã tài liệu" in response.content.decode() or "bắt buộc" in (
        response.content.decode()
    )
    response = client.post(url, {"agency": commune.pk, "code": "QT-04/PTN"})
    draft = ProcedurePage.objects.get(agency=commune)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[draft.pk])
    assert draft.code == "QT-04/PTN" and not draft.live


def test_the_commune_lists_the_shared_procedure_in_force(client, world, commune):
    tthc = factories.tthc(working_days="10")
    provincial = _publish(_page(world.parent, tthc, code="QT-05/UBND", shared=True))
    _publish(_page(world.parent, tthc, code="QT-06/UBND"))  # the province's own, not shared
    client.force_login(commune.staff)
    listed = client.get(reverse("documents_list")).content.decode()
    assert "QT-05/UBND" in listed and "QT-06/UBND" not in listed
    client.force_login(commune.officer)
    listed = client.get(reverse("documents_list")).content.decode()
    assert reverse("documents_procedure_adopt", args=[provincial.procedure_id]) in listed
    public = client.get(commune.page.url).content.decode()
    assert 'id="shared-procedures"' in public and "QT-05/UBND" in public
    assert "QT-06/UBND" not in public


def test_one_decision_approves_several_issues_and_its_page_lists_them(client, world, commune):
    tthc = factories.tthc(working_days="10")
    officer = world.users["parent", Role.OFFICER]
    first = _publish(_page(world.parent, tthc, code="QT-07/UBND", shared=True))
    second = _publish(_page(world.parent, tthc, code="QT-08/UBND"))
    department = _publish(_page(world.node, tthc, code="QT-09/STP"))
    decision = ApprovalDecision.objects.create(
        agency=world.parent,
        number="2022/QĐ-UBND",
        signed_on=timezone.localdate(),
        signer="Chủ tịch Ủy ban nhân dân",
    )
    for issue in (first, second, department):
        issue_decision_record(actor=officer, issue=issue, decision=decision)
    assert set(decision.issues.all()) == {first, second, department}
    client.force_login(officer)
    html = client.get(reverse("approval_decisions:inspect", args=[decision.pk])).content.decode()
    listing = html[html.index('id="decision-issues"') :]
    for issue in (first, second, department):
        assert reverse("procedure_issues:inspect", args=[issue.pk]) in listing
    assert "QT-09/STP" in listing
