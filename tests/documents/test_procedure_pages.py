"""The page tree follows the agency tree; a procedure's step table must fit its TTHC's limit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from documents.models import AgencyPage, ProcedurePage
from qms import providers
from qms.models import Agency, AgencyKind, TimeLimit
from qms.services.agencies import agency_create, agency_move, agency_update
from tests import factories
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db


def test_every_agency_gets_its_page_nested_like_the_tree(world):
    for place in world.agencies():
        page = AgencyPage.objects.get(agency=place)
        assert page.live and page.title == place.name
        assert providers.ask_first(providers.AGENCY_PAGE, place) == page
    assert world.node.page.get_parent().specific == world.parent.page
    assert world.unit.page.get_parent().specific == world.node.page


def test_the_page_follows_a_rename_and_a_move(world):
    world.unit.name = "Phòng Hộ tịch thử"
    agency_update(actor=None, agency=world.unit)
    agency_move(actor=None, agency=Agency.objects.get(pk=world.unit.pk), new_parent=world.sibling)
    page = AgencyPage.objects.get(agency=world.unit)
    assert page.title == "Phòng Hộ tịch thử"
    assert page.get_parent().specific == world.sibling.page


def test_page_rights_land_on_the_agency_page(world):
    from wagtail.models import GroupPagePermission

    from qms.services.rights import group_name

    codenames = set(
        GroupPagePermission.objects.filter(
            group__name=group_name(world.node, "officer"), page=world.node.page
        ).values_list("permission__codename", flat=True)
    )
    assert {"add_page", "change_page"} <= codenames


def _limit(days, since=datetime.date(2020, 1, 1)):
    return factories.tthc(working_days=days, effective_from=since)


def test_a_step_table_within_the_limit_is_accepted(world):
    tthc = _limit("10")
    page = procedure(
        world.node,
        title="Cấp phiếu lý lịch tư pháp",
        code="QT-05/STP",
        tthc=tthc,
        steps=[("Bước 1", Decimal("0.5")), ("Bước 2", Decimal("9.5")), ("Bước 3", None)],
    )
    world.node.page.add_child(instance=page)
    page.full_clean()
    assert page.agency == world.node


def test_a_step_table_over_the_limit_by_a_quarter_day_names_the_excess_and_the_steps(world):
    tthc = _limit("10")
    page = procedure(
        world.node,
        title="Cấp phiếu lý lịch tư pháp",
        code="QT-05/STP",
        tthc=tthc,
        steps=[("Bước 1", Decimal("0.5")), ("Bước 2", Decimal("9.75")), ("Bước 3", None)],
    )
    with pytest.raises(ValidationError) as info:
        world.node.page.add_child(instance=page)  # Wagtail cleans a page when saving it
    message = " ".join(info.value.message_dict["services"])
    assert "10,25" in message and "0,25" in message
    assert "Bước 1: 0,5" in message and "Bước 2: 9,75" in message
    assert "Bước 3" not in message  # "not counted" steps are not in the sum


def test_the_limit_in_force_on_the_effective_date_applies(world):
    tthc = _limit("10", since=datetime.date(2020, 1, 1))
    TimeLimit.objects.create(
        procedure=tthc, working_days=Decimal("7"), effective_from=datetime.date(2030, 1, 1)
    )
    page = procedure(
        world.node, title="Q", code="QT-06/STP", tthc=tthc, steps=[("Bước 1", Decimal("8"))]
    )
    world.node.page.add_child(instance=page)
    page.full_clean()  # 8 ≤ 10 today
    page.go_live_at = datetime.datetime(2030, 6, 1, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as info:
        page.full_clean()
    assert "7" in " ".join(info.value.message_dict["services"])


def test_a_step_time_is_a_multiple_of_a_quarter_day(world):
    page = procedure(
        world.node,
        title="Q",
        code="QT-07/STP",
        tthc=_limit("10"),
        steps=[("Bước 1", Decimal("0.3"))],
    )
    with pytest.raises(ValidationError) as info:
        world.node.page.add_child(instance=page)
    assert "0,25" in " ".join(info.value.message_dict["services"])


def test_codes_are_unique_within_an_agency_and_units_must_belong_to_it(world):
    tthc = _limit("10")
    first = procedure(world.node, title="A", code="QT-01/STP", tthc=tthc)
    world.node.page.add_child(instance=first)
    second = procedure(
        world.node, title="B", code="qt-01/stp", tthc=tthc, responsible_unit=world.sibling
    )
    second.slug = "qt-01-stp-b"
    with pytest.raises(ValidationError) as info:
        world.node.page.add_child(instance=second)
    assert "code" in info.value.message_dict
    assert "responsible_unit" in info.value.message_dict


def test_an_agency_created_later_gets_a_page_too(world):
    ward = agency_create(
        actor=None,
        agency=Agency(
            code="PTEST", name="Phường Thử", kind=AgencyKind.COMMUNE, parent=world.parent
        ),
    )
    assert AgencyPage.objects.get(agency=ward).get_parent().specific == world.parent.page
    assert not ProcedurePage.objects.filter(agency=ward).exists()


def test_a_form_round_trip_is_not_a_change():
    """Dates typed dd/mm/yyyy and an empty "not counted" time prepare like the stored values, so
    acting on a draft from its edit page (a reviewer's approval) saves no new revision."""
    import datetime

    from documents.blocks import DateBlock, DaysBlock

    date_block, days_block = DateBlock(), DaysBlock()
    assert date_block.get_prep_value("26/11/2024") == date_block.get_prep_value(
        datetime.date(2024, 11, 26)
    )
    assert days_block.get_prep_value("") == days_block.get_prep_value(None) is None
    assert days_block.get_prep_value("0.5") == days_block.get_prep_value(Decimal("0.5")) == "0.5"
