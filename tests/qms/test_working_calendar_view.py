"""The working-calendar page shows which days count and why, including shipped overrides."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _cell(html, day):
    match = re.search(rf'data-date="{day}" data-working="(\d)">(.*?)</td>', html, re.S)
    assert match, day
    return match.group(1) == "1", match.group(2)


def test_january_2026_shows_the_new_year_swap(client, world):
    client.force_login(world.users[("node", "staff")])
    html = client.get(reverse("qms_working_calendar") + "?year=2026&month=1").content.decode()
    working, why = _cell(html, "2026-01-02")
    assert not working and "12729/VPCP-KGVX" in why
    working, why = _cell(html, "2026-01-10")
    assert working and "12729/VPCP-KGVX" in why
    assert not _cell(html, "2026-01-01")[0]
    assert _cell(html, "2026-01-05")[0]
    assert not _cell(html, "2026-01-11")[0]


def test_make_up_saturday_2025_is_marked(client, world):
    client.force_login(world.users[("node", "staff")])
    html = client.get(reverse("qms_working_calendar") + "?year=2025&month=4").content.decode()
    assert _cell(html, "2025-04-26")[0]
    assert not _cell(html, "2025-04-30")[0]


def test_bad_month_falls_back_to_this_month(client, world):
    client.force_login(world.users[("node", "staff")])
    response = client.get(reverse("qms_working_calendar") + "?month=13&year=x")
    today = timezone.localdate()
    assert response.context["year"] == today.year and response.context["month"] == today.month
