"""Office hours: one set of defaults, one rule shared by the settings form and the calendar engine,
and a history of the settings that says who changed them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qms.models import WorkingCalendarSettings
from qms.workcal import WorkingCalendar, get_calendar
from tests import factories

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
t = dt.time


def _form_data(morning, afternoon, cutoff=""):
    return {
        "morning_start": morning[0].strftime("%H:%M"),
        "morning_end": morning[1].strftime("%H:%M"),
        "afternoon_start": afternoon[0].strftime("%H:%M"),
        "afternoon_end": afternoon[1].strftime("%H:%M"),
        "receipt_cutoff": cutoff,
    }


@pytest.mark.django_db
def test_a_new_installation_works_the_default_eight_hour_day():
    calendar = get_calendar()
    assert calendar.periods == WorkingCalendar().periods
    assert calendar.day_seconds == 8 * 3600
    monday = dt.datetime(2025, 3, 3, 7, 30, tzinfo=TZ)
    assert calendar.add_working_days(monday, 0.5) == monday.replace(hour=11, minute=30)
    assert calendar.add_working_days(monday, 1) == monday.replace(hour=17, minute=0)


ACCEPTED = [
    ((t(7, 30), t(11, 30)), (t(13, 0), t(17, 0))),
    # no lunch break: the morning ends when the afternoon starts (the "≤" of the rule)
    ((t(8, 0), t(12, 0)), (t(12, 0), t(16, 0))),
]
REFUSED = [
    ((t(7, 30), t(12, 0)), (t(11, 30), t(17, 0))),  # overlap
    ((t(11, 30), t(7, 30)), (t(13, 0), t(17, 0))),  # morning backwards
    ((t(7, 30), t(11, 30)), (t(13, 0), t(13, 0))),  # empty afternoon
    ((t(13, 0), t(17, 0)), (t(7, 30), t(11, 30))),  # afternoon before morning
]


def _form_refuses(morning, afternoon) -> list[str]:
    settings = WorkingCalendarSettings(
        morning_start=morning[0],
        morning_end=morning[1],
        afternoon_start=afternoon[0],
        afternoon_end=afternoon[1],
    )
    try:
        settings.clean()
    except ValidationError as error:
        return error.messages
    return []


def _engine_refuses(morning, afternoon) -> list[str]:
    try:
        WorkingCalendar(periods=[morning, afternoon])
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(("morning", "afternoon"), ACCEPTED)
def test_the_form_and_the_engine_accept_the_same_hours(morning, afternoon):
    assert _form_refuses(morning, afternoon) == []
    assert _engine_refuses(morning, afternoon) == []


@pytest.mark.parametrize(("morning", "afternoon"), REFUSED)
def test_the_form_and_the_engine_refuse_the_same_hours_with_one_message(morning, afternoon):
    form_messages = _form_refuses(morning, afternoon)
    assert form_messages and form_messages == _engine_refuses(morning, afternoon)
    (message,) = form_messages
    assert "sáng kết thúc ≤ chiều bắt đầu" in message  # the rule as the code applies it
    assert f"{morning[0]:%H:%M}–{morning[1]:%H:%M}" in message  # and what was entered


@pytest.mark.django_db
def test_an_administrator_edit_is_kept_in_the_history_with_their_name(client):
    admin = factories.user(superuser=True)
    settings = WorkingCalendarSettings.load()
    client.force_login(admin)
    url = reverse("wagtailsettings:edit", args=["qms", "workingcalendarsettings", settings.pk])

    response = client.post(url, _form_data((t(7, 0), t(11, 0)), (t(13, 0), t(17, 0)), "15:00"))
    assert response.status_code == 302

    last = settings.history.order_by("history_date", "history_id").last()
    assert last.history_user == admin
    assert (last.morning_start, last.receipt_cutoff) == (t(7, 0), t(15, 0))
    # the hours before the change stay readable, so an earlier due time can be explained
    first = settings.history.order_by("history_date", "history_id").first()
    assert (first.morning_start, first.receipt_cutoff) == (t(7, 30), None)


@pytest.mark.django_db
def test_the_settings_page_refuses_overlapping_hours_and_keeps_the_old_ones(client):
    admin = factories.user(superuser=True)
    settings = WorkingCalendarSettings.load()
    client.force_login(admin)
    url = reverse("wagtailsettings:edit", args=["qms", "workingcalendarsettings", settings.pk])

    response = client.post(url, _form_data((t(7, 30), t(12, 0)), (t(11, 30), t(17, 0))))
    assert response.status_code == 200
    assert "sáng kết thúc ≤ chiều bắt đầu" in response.content.decode()
    settings.refresh_from_db()
    assert settings.morning_end == t(11, 30)
    assert settings.history.count() == 1
