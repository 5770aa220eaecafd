"""Admin lists, detail pages and exports show booleans and empty values as words or marks, never
raw True/False/None, and sort text columns in Vietnamese alphabetical order."""

import csv
import io
import re

from django.urls import reverse
from django.utils import translation

from qms.display import display_value, yes_no
from qms.models import Membership
from tests import factories


def test_words_for_booleans_and_nothing():
    with translation.override("vi"):
        assert [yes_no(True), yes_no(False), yes_no(None)] == ["Có", "Không", "—"]
        assert display_value("") == "—"
        assert display_value(1234.5) == "1.234,5"
        assert display_value(7) == 7
    with translation.override("en"):
        assert [yes_no(True), yes_no(False)] == ["Yes", "No"]


def _department_with_officer():
    department = factories.agency()
    officer = factories.member(department, "officer")
    factories.member(department, "staff", acting=True)
    return department, officer


def test_list_shows_booleans_as_words(client, db):
    _department, officer = _department_with_officer()
    client.force_login(officer)
    body = client.get(reverse("memberships:index")).content.decode()
    assert "Không" in body and "Có" in body
    for raw in (">False<", ">True<", ">None<", "\tFalse", "\tTrue"):
        assert raw not in body
    assert "False" not in body.split("<tbody", 1)[1]


def test_inspect_view_shows_a_dash_for_nothing(client, db):
    department, officer = _department_with_officer()
    client.force_login(officer)
    body = client.get(reverse("agencies:inspect", args=[department.pk])).content.decode()
    values = [
        re.sub(r"<[^>]+>", "", dd).strip() for dd in re.findall(r"<dd[^>]*>(.*?)</dd>", body, re.S)
    ]
    assert "—" in values  # valid_to and the e-mail are empty
    assert not {"None", "True", "False", ""} & set(values)


def test_csv_export_writes_words(client, db):
    _department, officer = _department_with_officer()
    client.force_login(officer)
    response = client.get(reverse("memberships:index"), {"export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    acting_column = [str(Membership._meta.get_field("acting").verbose_name).capitalize()]
    heading = rows[0]
    index = next(i for i, name in enumerate(heading) if name.lower() == acting_column[0].lower())
    values = {row[index] for row in rows[1:]}
    assert values == {"Có", "Không"}


def test_sorting_a_text_column_follows_the_vietnamese_alphabet(client, db):
    province = factories.agency(name="Tỉnh thử")
    names = ["Đông Anh", "Dương Nội", "Ân Thi", "Anh Sơn", "Bà Rịa", "Ba Vì"]
    for name in names:
        factories.agency(name=name, parent=province)
    client.force_login(factories.user(superuser=True))
    body = client.get(reverse("agencies:index"), {"ordering": "name"}).content.decode()
    positions = [
        body.index(f">{name}<") if f">{name}<" in body else body.index(name) for name in names
    ]
    expected = ["Anh Sơn", "Ân Thi", "Bà Rịa", "Ba Vì", "Dương Nội", "Đông Anh"]
    assert [name for _, name in sorted(zip(positions, names, strict=True))] == expected
    body = client.get(reverse("agencies:index"), {"ordering": "-name"}).content.decode()
    positions = [body.index(name) for name in names]
    assert [name for _, name in sorted(zip(positions, names, strict=True))] == expected[::-1]
