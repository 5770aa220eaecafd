"""Creating and moving agencies: paths in the history from the first row, subtree moves in one
transaction with a history row per moved node, refusals that say why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qms.models import Agency, AgencyKind
from qms.services import agencies as agency_services
from qms.services.agencies import agency_create, agency_move
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return factories.agency_tree()


def _history(agency):
    return list(Agency.history.filter(id=agency.pk).order_by("history_date", "history_id"))


# Creation -------------------------------------------------------------------------------------


def test_first_history_row_of_a_new_agency_holds_its_path(tree):
    admin = factories.user(superuser=True)
    _, dept_a, *_ = tree
    unit = agency_create(
        actor=admin,
        agency=Agency(code="a2", name="Phòng mới", kind=AgencyKind.UNIT, parent=dept_a),
    )
    first = _history(unit)[0]
    assert first.history_type == "+"
    assert first.path == f"{dept_a.path}{unit.pk}/" == Agency.objects.get(pk=unit.pk).path
    assert first.history_user == admin
    assert first.code == "A2"  # cleaned before saving


def test_agencies_created_without_the_service_also_record_their_path(tree):
    province, dept_a, _, unit_a, desk_a = tree
    for agency in (province, dept_a, desk_a):
        first = _history(agency)[0]
        assert first.history_type == "+"
        assert first.path == agency.path != ""


def test_only_an_administrator_creates_agencies(world):
    officer = world.users[("node", "officer")]
    with pytest.raises(PermissionDenied):
        agency_create(
            actor=officer,
            agency=Agency(code="X1", name="Phòng lạ", kind=AgencyKind.UNIT, parent=world.node),
        )
    assert not Agency.objects.filter(code="X1").exists()


def test_bad_agency_is_refused_before_anything_is_written():
    with pytest.raises(ValidationError) as excinfo:
        agency_create(actor=None, agency=Agency(code="QH9", name="Quận", kind=AgencyKind.DISTRICT))
    assert "valid_to" in excinfo.value.message_dict
    assert not Agency.objects.filter(code="QH9").exists()
    assert not Agency.history.filter(code="QH9").exists()


# Moving ---------------------------------------------------------------------------------------


def test_moving_a_node_moves_its_subtree(tree):
    province, dept_a, dept_b, unit_a, desk_a = tree
    agency_move(actor=None, agency=Agency.objects.get(pk=unit_a.pk), new_parent=dept_b)

    province, dept_a, dept_b, unit_a, desk_a = factories.fresh(*tree)
    assert unit_a.parent == dept_b
    assert unit_a.path == f"/{province.pk}/{dept_b.pk}/{unit_a.pk}/"
    assert desk_a.path == f"{unit_a.path}{desk_a.pk}/"
    assert set(Agency.objects.subtree_of([dept_b])) == {dept_b, unit_a, desk_a}
    assert set(Agency.objects.subtree_of([dept_a])) == {dept_a}
    assert dept_a.path == f"/{province.pk}/{dept_a.pk}/"


def test_moving_to_the_top_and_back(tree):
    province, dept_a, *_ = tree
    agency_move(actor=None, agency=Agency.objects.get(pk=dept_a.pk), new_parent=None)
    _, dept_a, _, unit_a, desk_a = factories.fresh(*tree)
    assert dept_a.parent is None and dept_a.path == f"/{dept_a.pk}/"
    assert desk_a.path == f"/{dept_a.pk}/{unit_a.pk}/{desk_a.pk}/"
    assert province not in Agency.objects.subtree_of([dept_a])

    agency_move(actor=None, agency=dept_a, new_parent=province)
    _, dept_a, _, unit_a, desk_a = factories.fresh(*tree)
    assert desk_a.path == f"/{province.pk}/{dept_a.pk}/{unit_a.pk}/{desk_a.pk}/"


def test_every_moved_node_gets_a_history_row_with_the_mover(tree):
    admin = factories.user(superuser=True)
    province, dept_a, dept_b, unit_a, desk_a = tree
    before = {a.pk: len(_history(a)) for a in tree}

    agency_move(actor=admin, agency=Agency.objects.get(pk=unit_a.pk), new_parent=dept_b)

    for moved in factories.fresh(unit_a, desk_a):
        rows = _history(moved)
        assert len(rows) == before[moved.pk] + 1
        last = rows[-1]
        assert last.history_type == "~"
        assert last.path == moved.path
        assert last.history_user == admin
    assert _history(unit_a)[-1].parent_id == dept_b.pk
    assert "A1" in _history(desk_a)[-1].history_change_reason  # moved along with its parent
    for untouched in (province, dept_a, dept_b):
        assert len(_history(untouched)) == before[untouched.pk]


def test_a_failed_move_changes_nothing(tree, monkeypatch):
    _, dept_a, dept_b, unit_a, desk_a = tree
    before = {a.pk: a.path for a in Agency.objects.all()}
    history_rows = Agency.history.count()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(agency_services, "bulk_update_with_history", broken)
    with pytest.raises(RuntimeError):
        agency_move(actor=None, agency=Agency.objects.get(pk=unit_a.pk), new_parent=dept_b)
    assert {a.pk: a.path for a in Agency.objects.all()} == before
    assert Agency.objects.get(pk=unit_a.pk).parent_id == dept_a.pk
    assert Agency.history.count() == history_rows


def test_a_node_cannot_move_inside_itself(tree):
    _, dept_a, _, unit_a, desk_a = tree
    for target in (dept_a, desk_a):
        with pytest.raises(ValidationError) as excinfo:
            agency_move(actor=None, agency=Agency.objects.get(pk=dept_a.pk), new_parent=target)
        assert "parent" in excinfo.value.message_dict
    assert Agency.objects.get(pk=dept_a.pk).path == dept_a.path


def test_a_plain_save_never_moves_a_node(tree):
    _, dept_a, dept_b, unit_a, _ = tree
    unit_a = Agency.objects.get(pk=unit_a.pk)
    unit_a.parent = dept_b
    with pytest.raises(ValueError, match="agency_move"):
        unit_a.save()
    assert Agency.objects.get(pk=unit_a.pk).parent_id == dept_a.pk


def test_an_officer_cannot_move_their_agency(world):
    officer = world.users[("node", "officer")]
    with pytest.raises(PermissionDenied):
        agency_move(actor=officer, agency=world.unit, new_parent=world.sibling)
    assert Agency.objects.get(pk=world.unit.pk).parent_id == world.node.pk


def test_admin_edit_form_moves_the_subtree(client, tree):
    admin = factories.user(superuser=True)
    province, dept_a, dept_b, unit_a, desk_a = tree
    client.force_login(admin)
    response = client.post(
        reverse("agencies:edit", args=[unit_a.pk]),
        {
            "code": "A1",
            "name": "Phòng được chuyển",
            "kind": AgencyKind.UNIT,
            "parent": dept_b.pk,
            "valid_from": "",
            "valid_to": "",
            "email": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    _, _, dept_b, unit_a, desk_a = factories.fresh(*tree)
    assert unit_a.name == "Phòng được chuyển"
    assert desk_a.path == f"{dept_b.path}{unit_a.pk}/{desk_a.pk}/"
    last = _history(unit_a)[-1]
    assert (last.name, last.parent_id, last.history_user) == ("Phòng được chuyển", dept_b.pk, admin)
    assert _history(desk_a)[-1].history_user == admin


def test_admin_add_form_creates_with_the_path_in_history(client, tree):
    admin = factories.user(superuser=True)
    _, dept_a, *_ = tree
    client.force_login(admin)
    response = client.post(
        reverse("agencies:add"),
        {"code": "a9", "name": "Phòng thêm", "kind": AgencyKind.UNIT, "parent": dept_a.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Agency.objects.get(code="A9")
    first = _history(created)[0]
    assert first.path == created.path == f"{dept_a.path}{created.pk}/"
    assert first.history_user == admin


def test_the_agency_collection_moves_with_it(world):
    from wagtail.models import Collection

    from qms.services.agencies import agency_move

    agency_move(actor=None, agency=world.unit, new_parent=world.sibling)
    files = Collection.objects.get(pk=world.unit.collection_id)
    assert files.get_parent() == world.sibling.collection
    # collection rights of the old department no longer reach the unit's files
    assert not files.is_descendant_of(Collection.objects.get(pk=world.node.collection_id))
