"""Vietnamese alphabetical order: the Python key, the database ordering on SQLite and PostgreSQL,
and the key checked against PostgreSQL's ICU ``vi-x-icu`` on the demo's names."""

import csv
import os
import random

import pytest
from django.contrib.auth import get_user_model

from qms.collation import COLLATION, vi_order, vi_person_order, vi_sort_key, vi_sorted
from qms.management.commands import seed_demo
from qms.models import Agency
from tests import factories
from tests.conftest import need_service


def demo_names() -> list[str]:
    """Agency names, TTHC names and fields, and people of the demo, plus hard pairs."""
    names = [seed_demo.CITY[1], seed_demo.DISTRICT[1]]
    for _code, name, units in seed_demo.DEPARTMENTS:
        names += [name, *(unit[1] for unit in units)]
    names += [name for _code, name in seed_demo.WARDS]
    with open(seed_demo.FIXTURE, encoding="utf-8") as fixture:
        for row in csv.DictReader(fixture):
            names += [row["name"], row["field"]]
    for index in range(112):
        family_middle, given = seed_demo.demo_full_name(index)
        names += [f"{family_middle} {given}", given]
    names += [
        "Nguyen Anh", "nguyễn anh", "Nguyễn Ánh", "Nguyễn Ảnh", "Nguyễn Ân", "Ủy ban", "Uy ban",
        "Đặng Tú", "Dặng Tú", "Lê Ơn", "Lê Ôn", "Lê On", "Phạm Ưng", "Phạm Ung", "Thủ tục 2",
        "Thủ tục 10", "Thủ tục (A)", "Thủ tục, A", "Thủ-tục",
    ]  # fmt: skip
    return sorted(set(names))


def test_letters_then_tones_then_case():
    assert vi_sorted(["ư", "u", "ơ", "ô", "o", "đ", "d", "ê", "e", "â", "ă", "a"]) == [
        "a",
        "ă",
        "â",
        "d",
        "đ",
        "e",
        "ê",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
    ]
    # Tones (CLDR's Vietnamese order) only break a tie between equal letters ...
    assert vi_sorted(["bạ", "bá", "bã", "bả", "bà", "ba"]) == ["ba", "bà", "bả", "bã", "bá", "bạ"]
    assert vi_sorted(["bàn", "bán", "ban", "bạc"]) == ["bạc", "ban", "bàn", "bán"]
    # ... and case only a tie between equal letters and tones.
    assert vi_sorted(["Bà", "bà", "Ba", "ba"]) == ["ba", "Ba", "bà", "Bà"]
    # ă, â, đ, ơ … are letters of their own, not a with a mark: "Ăn" after "Az".
    assert vi_sorted(["Ăn", "Az", "Đa", "Dz"]) == ["Az", "Ăn", "Dz", "Đa"]
    # Composed and decomposed spellings sort as one.
    assert vi_sort_key("Ủy") == vi_sort_key("U\u0309y")
    assert vi_sort_key(None) == vi_sort_key("")


def test_database_orders_by_vietnamese_alphabet(db):
    names = ["Đông Anh", "Dương Nội", "Ân Thi", "Anh Sơn", "Ứng Hòa", "Uông Bí", "Ba Vì", "Bà Rịa"]
    for name in names:
        factories.agency(name=name)
    got = list(
        Agency.objects.filter(name__in=names)
        .order_by(vi_order("name"))
        .values_list("name", flat=True)
    )
    assert got == [
        "Anh Sơn",
        "Ân Thi",
        "Bà Rịa",  # the letters decide first: r before v, whatever the tones
        "Ba Vì",
        "Dương Nội",
        "Đông Anh",
        "Uông Bí",
        "Ứng Hòa",
    ]
    descending = Agency.objects.filter(name__in=names).order_by(vi_order("name", descending=True))
    assert list(descending.values_list("name", flat=True)) == got[::-1]


def test_people_by_given_name_then_family_name(db):
    for last, first in [
        ("Trần Văn", "Đức"),
        ("Nguyễn Văn", "Dũng"),
        ("Lê Thị", "Ánh"),
        ("Bùi", "Anh"),
    ]:
        factories.user(last_name=last, first_name=first)
    users = get_user_model().objects.exclude(first_name="")
    got = [f"{u.last_name} {u.first_name}" for u in users.order_by(*vi_person_order())]
    assert got == ["Bùi Anh", "Lê Thị Ánh", "Nguyễn Văn Dũng", "Trần Văn Đức"]


@pytest.mark.postgres
def test_python_key_gives_the_order_of_postgresql_icu():
    need_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg

    url = os.environ.get("QMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    names = demo_names()
    shuffled = names[:]
    random.Random(5).shuffle(shuffled)
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            f'SELECT name FROM unnest(%s::text[]) AS t(name) ORDER BY name COLLATE "{COLLATION}"',
            [shuffled],
        ).fetchall()
    icu = [row[0] for row in rows]
    assert len(icu) == len(names) > 150
    assert vi_sorted(shuffled) == icu
