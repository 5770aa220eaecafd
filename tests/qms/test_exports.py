"""Exported cells that a spreadsheet would run as formulas are escaped, in CSV and XLSX alike."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from wagtail.log_actions import log

from qms.exports import safe_cell, safe_row
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1+1", "'  =1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r\n=1+1", "'\r\n=1+1"),
        ("\tcột", "'\tcột"),
        ("\rcột", "'\rcột"),
        ("'=1+1", "'=1+1"),  # already escaped: left alone
        ("Sở Tư pháp = 1", "Sở Tư pháp = 1"),
        ("a-b", "a-b"),
        ("", ""),
        (-5, -5),
        (0.5, 0.5),
        (datetime.date(2026, 1, 2), datetime.date(2026, 1, 2)),
        (None, None),
    ],
)
def test_safe_cell_escapes_formula_starts_only(value, expected):
    assert safe_cell(value) == expected


def test_safe_row_escapes_lists_and_dicts():
    assert safe_row(["=1", 2]) == ["'=1", 2]
    assert safe_row({"a": "@x", "b": "y"}) == {"a": "'@x", "b": "y"}


@pytest.fixture
def formula_agency():
    return factories.agency(name="=1+1", valid_from=datetime.date(2025, 7, 1))


def _export(client, url, export_format):
    response = client.get(url + f"?export={export_format}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_agency_csv_export_writes_the_formula_as_text(client, formula_agency):
    client.force_login(factories.user(superuser=True))
    body = _export(client, reverse("agencies:index"), "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    row = next(r for r in rows if r[0] == formula_agency.code)
    assert row[1] == "'=1+1"
    assert "\n=1+1" not in body and ",=1+1" not in body


def test_agency_xlsx_export_reads_back_as_the_escaped_string(client, formula_agency):
    client.force_login(factories.user(superuser=True))
    workbook = openpyxl.load_workbook(
        io.BytesIO(_export(client, reverse("agencies:index"), "xlsx"))
    )
    sheet = workbook.active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == formula_agency.code)
    name, valid_from = row[1], row[4]
    assert (name.value, name.data_type) == ("'=1+1", "s")
    assert valid_from.is_date  # dates keep their type
    assert valid_from.value == datetime.date(2025, 7, 1)


def test_wagtail_report_export_is_escaped_too(client, formula_agency):
    admin = factories.user(superuser=True)
    log(instance=formula_agency, action="wagtail.edit", user=admin)
    client.force_login(admin)
    body = _export(client, reverse("qms_site_history"), "csv").decode("utf-8-sig")
    labels = [row[1] for row in csv.reader(io.StringIO(body))]
    assert "'=1+1" in labels
    assert "=1+1" not in labels


def test_a_table_export_keeps_numbers_and_escapes_formulas():
    import csv as csv_module
    import io
    from decimal import Decimal

    import openpyxl

    from qms.exports import Table, table_csv, table_xlsx

    table = Table(
        title="Bảng: điểm/ngày",
        facts=["Cơ quan: =Sở Tư pháp"],
        headings=["Đơn vị", "Đã giải quyết", "Tỷ lệ"],
        kinds=["text", "count", "rate"],
        rows=[["=HYPERLINK(1)", 12, Decimal("0.955")], ["Phường A", 0, None]],
    )
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(table)))
    sheet = book.worksheets[0]
    assert sheet.title == "Bảng điểmngày"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Cơ quan: =Sở Tư pháp"  # not a formula: it does not start with "="
    assert values[2] == ["Đơn vị", "Đã giải quyết", "Tỷ lệ"]
    assert values[3][0] == "'=HYPERLINK(1)" and values[3][1] == 12
    assert abs(values[3][2] - 0.955) < 1e-9
    assert sheet.cell(row=4, column=3).number_format == "0.0%"
    assert values[4][2] is None
    rows = list(csv_module.reader(io.StringIO(table_csv(table).lstrip("\ufeff"))))
    assert rows[3] == ["'=HYPERLINK(1)", "12", "0.955"] and rows[4] == ["Phường A", "0", ""]
