"""The agency tree: materialised paths, subtree and validity queries, districts, successions."""

import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from qms.models import Agency, AgencyKind, AgencySuccession, SuccessionKind
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return factories.agency_tree()


def test_root_and_child_paths(tree):
    province, dept_a, dept_b, unit_a, desk_a = factories.fresh(*tree)
    assert province.path == f"/{province.pk}/"
    assert dept_a.path == f"/{province.pk}/{dept_a.pk}/"
    assert unit_a.path == f"{dept_a.path}{unit_a.pk}/"
    assert desk_a.path == f"{unit_a.path}{desk_a.pk}/"
    assert (province.depth, dept_a.depth, unit_a.depth, desk_a.depth) == (1, 2, 3, 4)
    assert desk_a.ancestor_ids() == [province.pk, dept_a.pk, unit_a.pk, desk_a.pk]
    # the in-memory object returned by create knows its path too
    assert tree[3].path == unit_a.path


def test_saving_without_moving_keeps_paths(tree):
    _, dept_a, *_ = tree
    before = {a.pk: a.path for a in Agency.objects.all()}
    dept_a = Agency.objects.get(pk=dept_a.pk)
    dept_a.name = "Sở đổi tên"
    dept_a.save()
    assert {a.pk: a.path for a in Agency.objects.all()} == before


def test_node_cannot_move_inside_itself(tree):
    _, dept_a, _, unit_a, _ = tree
    dept_a = Agency.objects.get(pk=dept_a.pk)
    dept_a.parent = unit_a
    with pytest.raises(ValidationError) as excinfo:
        dept_a.full_clean()
    assert "parent" in excinfo.value.message_dict
    dept_a.parent = dept_a
    with pytest.raises(ValidationError) as excinfo:
        dept_a.full_clean()
    assert "parent" in excinfo.value.message_dict


def test_subtree_of_several_and_none(tree):
    province, dept_a, dept_b, unit_a, desk_a = tree
    assert set(Agency.objects.subtree_of([unit_a, dept_b])) == {unit_a, desk_a, dept_b}
    assert set(Agency.objects.subtree_of([province])) == set(tree)
    assert Agency.objects.subtree_of([]).count() == 0


def test_subtree_prefix_does_not_catch_similar_ids():
    # "/1/" must not match "/12/": paths end with a slash for this reason
    first = factories.agency(code="X1")
    others = [factories.agency(code=f"X{n}") for n in range(2, 14)]
    subtree = set(Agency.objects.subtree_of([first]))
    assert subtree == {first}
    assert all(o not in subtree for o in others)


def test_valid_on():
    d = datetime.date
    always = factories.agency(code="ALW")
    old = factories.agency(code="OLD", valid_from=d(2000, 1, 1), valid_to=d(2025, 6, 30))
    new = factories.agency(code="NEW", valid_from=d(2025, 7, 1))

    def valid(day):
        return set(Agency.objects.filter(code__in=["ALW", "OLD", "NEW"]).valid_on(day))

    assert valid(d(2025, 6, 30)) == {always, old}
    assert valid(d(2025, 7, 1)) == {always, new}
    assert valid(d(1999, 12, 31)) == {always}
    assert old.is_valid_on(d(2025, 6, 30)) and not old.is_valid_on(d(2025, 7, 1))
    assert new.is_valid_on(d(2030, 1, 1)) and not new.is_valid_on(d(2025, 6, 30))


def _district(**extra) -> Agency:
    return Agency(code="QH1", name="Quận Một", kind=AgencyKind.DISTRICT, **extra)


def test_district_without_end_date_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        _district().full_clean()
    assert "valid_to" in excinfo.value.message_dict


@pytest.mark.parametrize("valid_to", [datetime.date(2025, 7, 1), datetime.date(2026, 1, 1)])
def test_district_ending_on_or_after_reform_is_refused(valid_to):
    with pytest.raises(ValidationError) as excinfo:
        _district(valid_to=valid_to).full_clean()
    assert "valid_to" in excinfo.value.message_dict


def test_district_ending_before_reform_is_accepted():
    district = _district(valid_from=datetime.date(1976, 1, 1), valid_to=datetime.date(2025, 6, 30))
    district.full_clean()
    district.save()
    assert Agency.objects.get(code="QH1").kind == AgencyKind.DISTRICT


def test_other_kinds_need_no_end_date():
    Agency(code="XA1", name="Phường Một", kind=AgencyKind.COMMUNE).full_clean()


def test_valid_range_constraint():
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(
            code="BAD",
            name="Sai",
            kind=AgencyKind.DEPARTMENT,
            valid_from=datetime.date(2025, 1, 2),
            valid_to=datetime.date(2025, 1, 1),
        )


def test_succession_unique_and_not_self(tree):
    _, dept_a, dept_b, *_ = tree
    AgencySuccession.objects.create(
        predecessor=dept_a,
        successor=dept_b,
        kind=SuccessionKind.MERGE,
        effective_date=datetime.date(2025, 7, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencySuccession.objects.create(
            predecessor=dept_a,
            successor=dept_b,
            kind=SuccessionKind.RENAME,
            effective_date=datetime.date(2025, 8, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencySuccession.objects.create(
            predecessor=dept_a,
            successor=dept_a,
            kind=SuccessionKind.RENAME,
            effective_date=datetime.date(2025, 8, 1),
        )
    # the reverse direction is a different succession
    AgencySuccession.objects.create(
        predecessor=dept_b,
        successor=dept_a,
        kind=SuccessionKind.SPLIT,
        effective_date=datetime.date(2026, 1, 1),
    )
    assert AgencySuccession.objects.count() == 2
    assert list(dept_a.successions.values_list("successor", flat=True)) == [dept_b.pk]


def test_succession_validation_in_forms(tree):
    _, dept_a, *_ = tree
    succession = AgencySuccession(
        predecessor=dept_a,
        successor=dept_a,
        kind=SuccessionKind.RENAME,
        effective_date=datetime.date(2025, 7, 1),
    )
    with pytest.raises(ValidationError):
        succession.full_clean()


def test_name_is_nfc_and_folded_on_save():
    decomposed = unicodedata.normalize("NFD", "  Sở Tư pháp Thừa Thiên Huế ")
    assert decomposed.strip() != "Sở Tư pháp Thừa Thiên Huế"  # really decomposed
    agency = factories.agency(name=decomposed, code="TTH")
    agency = Agency.objects.get(pk=agency.pk)
    assert agency.name == "Sở Tư pháp Thừa Thiên Huế"
    assert unicodedata.is_normalized("NFC", agency.name)
    assert agency.name_folded == "so tu phap thua thien hue"
    # search by the folded form finds it whatever accents were typed
    assert Agency.objects.get(name_folded__icontains="thua thien") == agency


def test_folded_name_follows_renames_and_d_stroke():
    agency = factories.agency(name="Phòng Hành chính", code="PHC")
    agency.name = "Đội Kiểm tra Đô thị"
    agency.save()
    agency.refresh_from_db()
    assert agency.name_folded == "doi kiem tra do thi"


def test_clean_uppercases_code():
    agency = Agency(code="stp-hc", name="Phòng", kind=AgencyKind.UNIT)
    agency.full_clean()
    assert agency.code == "STP-HC"


def test_agency_history_is_kept(tree):
    _, dept_a, *_ = tree
    dept_a = Agency.objects.get(pk=dept_a.pk)
    dept_a.name = "Tên mới"
    dept_a.save()
    names = list(Agency.history.filter(id=dept_a.pk).order_by("history_date", "history_id"))
    assert [h.history_type for h in names][0] == "+"
    assert names[-1].name == "Tên mới"
