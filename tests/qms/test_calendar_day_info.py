"""Why a day is worked or not, from the calendar itself: holiday names, make-up days, overrides."""

import datetime as dt

import pytest

from qms.models import CalendarOverride, OverrideKind
from qms.selectors import calendar_month
from qms.workcal import Override, WorkingCalendar, get_calendar

d = dt.date


def test_public_holiday_has_its_name_in_either_language():
    calendar = WorkingCalendar()
    vi = calendar.day_info(d(2025, 9, 2))
    en = calendar.day_info(d(2025, 9, 2), language="en")
    assert not vi.working and not en.working
    assert "Quốc khánh" in vi.holiday
    assert "National Day" in en.holiday
    assert vi.override is None and not vi.make_up


def test_official_make_up_saturday_is_worked_and_marked():
    calendar = WorkingCalendar()
    saturday = calendar.day_info(d(2025, 4, 26))  # worked for the 30/4-1/5 bridge in 2025
    assert saturday.working and saturday.make_up and saturday.holiday is None
    ordinary = calendar.day_info(d(2025, 4, 19))
    assert not ordinary.working and not ordinary.make_up


def test_override_with_its_document_wins():
    note = Override(
        OverrideKind.WORKING_DAY, "Làm bù", "12729/VPCP-KGVX", document_date=d(2025, 12, 1)
    )
    calendar = WorkingCalendar(overrides={d(2025, 9, 2): note, d(2025, 3, 4): "off"})
    national_day = calendar.day_info(d(2025, 9, 2))
    assert national_day.working and national_day.override == note
    assert "Quốc khánh" in national_day.holiday  # the reason it would have been off
    plain = calendar.day_info(d(2025, 3, 4))
    assert not plain.working and plain.override.kind == OverrideKind.DAY_OFF


@pytest.mark.django_db
def test_corrected_document_of_an_override_is_shown_at_once():
    override = CalendarOverride.objects.create(
        date=d(2027, 3, 5),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ bù",
        document_number="1/VPCP",
        document_date=d(2027, 1, 5),
    )
    before = get_calendar()
    assert before.day_info(d(2027, 3, 5)).override.document_number == "1/VPCP"
    override.document_number = "2/VPCP"
    override.save()
    after = get_calendar()
    assert after.version == before.version  # due times do not move for a corrected number
    assert after.day_info(d(2027, 3, 5)).override.document_number == "2/VPCP"


@pytest.mark.django_db
def test_calendar_month_is_the_calendars_day_info():
    month = calendar_month(2025, 9, language="vi")
    calendar = get_calendar()
    days = [day for week in month["weeks"] for day in week]
    assert [day["info"] for day in days] == [calendar.day_info(day["info"].date) for day in days]
    assert sum(day["in_month"] for day in days) == 30
