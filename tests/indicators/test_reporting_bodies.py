"""The rows of a report across the 2025 reform: merges and renames roll into the successor, a
split body keeps its history as an ended row, nothing counts twice."""

import datetime as dt

import pytest

from indicators.selectors_bodies import reporting_bodies
from qms.models import AgencyKind
from qms.models.agencies import AgencySuccession, SuccessionKind
from tests import factories as f

pytestmark = pytest.mark.django_db

ENDED = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)


@pytest.fixture
def tree():
    city = f.agency(name="Thành phố", kind=AgencyKind.PROVINCE)
    district = f.agency(name="Quận cũ", kind=AgencyKind.DISTRICT, parent=city, valid_to=ENDED)
    district_unit = f.agency(name="Phòng Tư pháp quận", kind=AgencyKind.UNIT, parent=district)
    old_ward = f.agency(name="Phường cũ", kind=AgencyKind.COMMUNE, parent=district, valid_to=ENDED)
    ward_a = f.agency(name="Phường A", kind=AgencyKind.COMMUNE, parent=city, valid_from=REFORM)
    ward_b = f.agency(name="Phường B", kind=AgencyKind.COMMUNE, parent=city, valid_from=REFORM)
    ward_c = f.agency(name="Phường C", kind=AgencyKind.COMMUNE, parent=city, valid_from=REFORM)
    ward_c_unit = f.agency(name="Bộ phận một cửa", kind=AgencyKind.ONE_STOP, parent=ward_c)
    old_dept = f.agency(name="Sở cũ", parent=city, valid_to=ENDED)
    new_dept = f.agency(name="Sở mới", parent=city, valid_from=REFORM)
    for successor in (ward_a, ward_b):
        AgencySuccession.objects.create(
            predecessor=district,
            successor=successor,
            kind=SuccessionKind.SPLIT,
            effective_date=REFORM,
        )
    AgencySuccession.objects.create(
        predecessor=old_ward, successor=ward_c, kind=SuccessionKind.MERGE, effective_date=REFORM
    )
    AgencySuccession.objects.create(
        predecessor=old_dept,
        successor=new_dept,
        kind=SuccessionKind.RENAME,
        effective_date=REFORM,
    )
    return locals()


def test_city_rows_roll_merges_and_renames_and_keep_the_split_district(tree):
    t = tree
    bodies = reporting_bodies(t["city"], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    names = [b.agency.name for b in bodies.rows]
    # Own records first, then the children in Vietnamese order; the renamed department and the
    # merged ward have no row of their own.
    assert names == ["Thành phố", "Phường A", "Phường B", "Phường C", "Quận cũ", "Sở mới"]
    by_name = {b.agency.name: b for b in bodies.rows}
    assert by_name["Quận cũ"].ended and not by_name["Phường A"].ended
    assert "đã kết thúc hoạt động" in by_name["Quận cũ"].label
    assert bodies.row_of(t["district_unit"].pk) is by_name["Quận cũ"]
    assert bodies.row_of(t["old_ward"].pk) is by_name["Phường C"]
    assert bodies.row_of(t["ward_c_unit"].pk) is by_name["Phường C"]
    assert bodies.row_of(t["old_dept"].pk) is by_name["Sở mới"]
    assert [a.name for a in by_name["Sở mới"].absorbed] == ["Sở cũ"]
    assert [a.name for a in by_name["Phường C"].absorbed] == ["Phường cũ"]
    assert bodies.row_of(t["city"].pk) is by_name["Thành phố"]
    # Nothing counts twice: every agency of the tree in exactly one row.
    every = {a.pk for k, a in t.items() if k not in ("successor",) and hasattr(a, "path")}
    assert bodies.agency_ids() == every
    assert sorted(sum((bodies.members(b) for b in bodies.rows), [])) == sorted(every)


def test_a_successor_reads_the_history_of_what_was_merged_into_it(tree):
    t = tree
    bodies = reporting_bodies(t["ward_c"], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert t["old_ward"].path in bodies.paths
    own = bodies.rows[0]
    assert own.own and bodies.row_of(t["old_ward"].pk) is own
    assert [a.name for a in own.absorbed] == ["Phường cũ"]
    assert bodies.row_of(t["ward_c_unit"].pk).agency == t["ward_c_unit"]
    # A split's successors never read the split body's records.
    ward_a = reporting_bodies(t["ward_a"], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert ward_a.row_of(t["district"].pk) is None
    assert ward_a.paths == [t["ward_a"].path]


def test_a_former_body_read_alone_keeps_its_own_history(tree):
    t = tree
    bodies = reporting_bodies(t["district"], dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    # The old ward's successor is outside the district: its records stay here.
    assert bodies.row_of(t["old_ward"].pk).agency == t["old_ward"]
    assert bodies.row_of(t["district_unit"].pk).agency == t["district_unit"]
