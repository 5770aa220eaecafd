"""Numbers as Vietnamese writes them (1.234,5; 98,6 %) where a quantity is shown, while years and
ids stay untouched (no 2.025)."""

import decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from qms.formats.numbers import format_number, format_percent
from tests import factories


def test_format_number_uses_the_languages_separators():
    with translation.override("vi"):
        assert format_number(1234.5, 1) == "1.234,5"
        assert format_number(decimal.Decimal("1234567.891"), 2) == "1.234.567,89"
        assert format_number(0.1 + 0.2) == "0,3"
        assert format_number(98.6) == "98,6"
        assert format_number(None) == ""
        assert format_number("12 tháng") == "12 tháng"
        assert format_percent(98.6) == "98,6\u00a0%"
        assert format_percent(0.9864, ratio=True) == "98,6\u00a0%"
        # Rounded half up, not cut (Django's numberformat alone would print 66,6 and 98,6).
        assert format_percent(2 / 3, ratio=True) == "66,7\u00a0%"
        assert format_number(98.65, 1) == "98,7"
        assert format_number(decimal.Decimal("-1.25"), 1) == "-1,3"
        # Wagtail's counts and page numbers go through intcomma: grouped too.
        assert intcomma(12345) == "12.345"
    with translation.override("en"):
        assert format_number(1234.5, 1) == "1,234.5"
        assert format_percent(98.6) == "98.6%"


def test_templates_format_quantities_and_leave_years_and_ids_alone():
    template = Template(
        "{% load qms_format %}"
        "{{ x|vi_number:1 }}|{{ rate|vi_percent }}|{{ ratio|vi_ratio_percent }}"
        "|{{ year }}|{{ pk }}|{{ decimal_days }}|<a href='?year={{ year }}&id={{ pk }}'>"
    )
    context = Context(
        {"x": 1234.5, "rate": 98.6, "ratio": 0.5, "count": 12345, "year": 2025, "pk": 12345,
         "decimal_days": decimal.Decimal("0.5")}
    )  # fmt: skip
    with translation.override("vi"):
        rendered = template.render(context)
    assert rendered == (
        "1.234,5|98,6\u00a0%|50,0\u00a0%|2025|12345|0,5|<a href='?year=2025&id=12345'>"
    )


def test_admin_page_keeps_years_in_text_and_links(client, db):
    client.force_login(factories.member(factories.agency(), "officer"))
    body = client.get(reverse("qms_working_calendar"), {"year": 2025, "month": 12}).content.decode()
    assert "?year=2026&month=1" in body
    assert "12/2025" in body
    assert "2.025" not in body and "2.026" not in body
