"""Following a body across the 2025 reform: successors and roll-ups of pre-reform data."""

import datetime

import pytest

from qms.models import AgencyKind, AgencySuccession, SuccessionKind
from qms.selectors import agency_current_successors, agency_rollup_ids
from tests import factories

pytestmark = pytest.mark.django_db
REFORM = datetime.date(2025, 7, 1)


@pytest.fixture
def reform():
    city = factories.agency(code="C", kind=AgencyKind.PROVINCE)
    district = factories.agency(
        code="Q", kind=AgencyKind.DISTRICT, parent=city, valid_to=datetime.date(2025, 6, 30)
    )
    district_office = factories.agency(code="Q-VP", kind=AgencyKind.UNIT, parent=district)
    ward_a = factories.agency(code="PA", kind=AgencyKind.COMMUNE, parent=city, valid_from=REFORM)
    ward_b = factories.agency(code="PB", kind=AgencyKind.COMMUNE, parent=city, valid_from=REFORM)
    other = factories.agency(code="PC", kind=AgencyKind.COMMUNE, parent=city, valid_from=REFORM)
    for ward in (ward_a, ward_b):
        AgencySuccession.objects.create(
            predecessor=district, successor=ward, kind=SuccessionKind.SPLIT, effective_date=REFORM
        )
    return district, district_office, ward_a, ward_b, other


def test_a_dissolved_district_leads_to_its_successor_wards(reform):
    district, _, ward_a, ward_b, _ = reform
    assert agency_current_successors(district, on=datetime.date(2025, 8, 1)) == [ward_a, ward_b]
    # Before the reform the district was still its own answer.
    assert agency_current_successors(district, on=datetime.date(2025, 6, 1)) == [district]


def test_a_chain_of_renames_is_followed(reform):
    _, _, ward_a, _, _ = reform
    renamed = factories.agency(code="PA2", kind=AgencyKind.COMMUNE, valid_from=REFORM)
    ward_a.valid_to = datetime.date(2026, 1, 1)
    ward_a.save()
    AgencySuccession.objects.create(
        predecessor=ward_a,
        successor=renamed,
        kind=SuccessionKind.RENAME,
        effective_date=datetime.date(2026, 1, 2),
    )
    assert agency_current_successors(ward_a, on=datetime.date(2026, 2, 1)) == [renamed]


def test_pre_reform_data_rolls_up_into_the_successor(reform):
    district, district_office, ward_a, _, other = reform
    ids = agency_rollup_ids(ward_a)
    assert {ward_a.pk, district.pk, district_office.pk} <= ids
    assert other.pk not in ids
