"""The service index's admin page, its exports and the entered values' screens: scoping (a
ward's leader never sees another ward), the figures shown, entering a value through the form."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models.dossiers import Channel, Outcome
from indicators.models.index import IndexEntry, IndexIndicator
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import AgencyKind, Role
from qms.workcal import get_calendar
from tests import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE = "indicators_service_index"
MARCH = {"period": "m-2025-03"}


def t(day, hour=8) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, tzinfo=TZ)


@pytest.fixture
def city():
    city = f.agency(name="Thành phố", kind=AgencyKind.PROVINCE, code="TP")
    ward_a = f.agency(name="Phường An Khánh", kind=AgencyKind.COMMUNE, parent=city, code="PA")
    ward_b = f.agency(name="Phường Bình Minh", kind=AgencyKind.COMMUNE, parent=city, code="PB")
    civil = f.tthc(code="1.000001", name="Đăng ký khai sinh", working_days=3)
    rows = []
    for n, (ward, early) in enumerate([(ward_a, True), (ward_a, False), (ward_b, True)]):
        rows.append(
            DossierRecord(
                line=n + 2,
                agency_id=ward.pk,
                code=f"H{n}",
                procedure_id=civil.pk,
                channel=Channel.ONLINE,
                received_at=t(3),
                resolved_at=t(4) if early else t(14),
                outcome=Outcome.ISSUED,
                rating=5,
            )
        )
    assert upsert(rows, calendar=get_calendar()).problems == []
    return {
        "city": city,
        "ward_a": ward_a,
        "ward_b": ward_b,
        "leader_a": f.member(ward_a, Role.LEADER, username="lanhdao_a"),
        "officer_a": f.member(
            ward_a, Role.OFFICER, username="canbo_a", first_name="Lan", last_name="Nguyễn"
        ),  # fmt: skip
        "city_leader": f.member(city, Role.LEADER, username="lanhdao_tp"),
    }


def test_a_ward_leader_sees_the_ward_and_never_another(client, city):
    client.force_login(city["leader_a"])
    response = client.get(reverse(PAGE), {**MARCH, "agency": city["ward_a"].pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phường An Khánh" in page and "Phường Bình Minh" not in page
    assert "Năm nhóm chỉ số" in page and "Chưa nhập" in page
    # 1 of 2 on time: 10 of the 20 points of 2.1 lost.
    assert "mất 10,00/20,00 điểm" in page
    # The leader may enter values: the link to the entry form is offered.
    assert reverse("index_entries:add") in page
    other = client.get(reverse(PAGE), {**MARCH, "agency": city["ward_b"].pk})
    assert other.status_code == 200
    text = other.content.decode()
    assert "Phường Bình Minh" not in text and "Năm nhóm chỉ số" not in text
    export = client.get(reverse(PAGE), {**MARCH, "agency": city["ward_b"].pk, "export": "xlsx"})
    assert export.get("Content-Disposition") is None


def test_the_city_leader_reads_the_bodies_and_downloads_every_table(client, city):
    client.force_login(city["city_leader"])
    params = {**MARCH, "agency": city["city"].pk}
    page = client.get(reverse(PAGE), params).content.decode()
    # Worst first: ward A (one late) before ward B.
    assert page.index("Phường An Khánh") < page.index("Phường Bình Minh")
    xlsx = client.get(reverse(PAGE), {**params, "export": "xlsx"})
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Chỉ số thành phần", "Nhóm chỉ số", "Theo đơn vị", "Theo tháng"]
    bodies = [list(r) for r in book["Theo đơn vị"].iter_rows(values_only=True)]
    names = [r[0] for r in bodies]
    assert "Phường An Khánh" in names and "Phường Bình Minh" in names
    row_a = bodies[names.index("Phường An Khánh")]
    assert row_a[1] is not None and 0 < row_a[1] < 100
    months = [r[0] for r in book["Theo tháng"].iter_rows(values_only=True)]
    assert "03/2025" in months and "04/2024" in months
    response = client.get(reverse(PAGE), {**params, "export": "csv", "table": "bodies"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any(r and r[0] == "Phường Bình Minh" for r in rows)
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)


def test_an_officer_enters_a_value_through_the_form(client, city):
    indicator = IndexIndicator.objects.get(group__scheme__code="QD766-2022", code="1.4")
    computed = IndexIndicator.objects.get(group__scheme__code="QD766-2022", code="2.1")
    client.force_login(city["officer_a"])
    form = client.get(reverse("index_entries:add"), {"indicator": indicator.pk})
    assert form.status_code == 200
    options = form.context["form"].fields["indicator"].queryset
    assert indicator in options and computed not in options
    assert set(form.context["form"].fields["agency"].queryset) == {city["ward_a"]}
    data = {
        "indicator": indicator.pk,
        "agency": city["ward_a"].pk,
        "month": "15/03/2025",
        "value": "85",
        "source": "Cổng Dịch vụ công quốc gia",
    }
    response = client.post(reverse("index_entries:add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = IndexEntry.objects.get()
    assert entry.month == dt.date(2025, 3, 1) and entry.entered_by == city["officer_a"]
    # Another ward: refused by the form (not offered).
    refused = client.post(reverse("index_entries:add"), {**data, "agency": city["ward_b"].pk})
    assert refused.status_code == 200 and IndexEntry.objects.count() == 1
    # The page now says who entered it.
    client.force_login(city["leader_a"])
    page = client.get(reverse(PAGE), {**MARCH, "agency": city["ward_a"].pk}).content.decode()
    assert "Nhập tay: Nguyễn Lan" in page or "Nhập tay: Lan Nguyễn" in page
    assert "85,0" in page
