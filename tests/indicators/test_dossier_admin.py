"""Admin screens of dossiers and metrics (issue [7] item 7): the read-only dossier list with its
filters and exports, a dossier's page with its clock explained and its timeline, the metrics page
per node and period with its exports; who reaches them (DESIGN.md §6) and a query count that does
not grow with the rows.

Dossiers, by hand (office hours 07:30-11:30, 13:00-17:00): a 3-day TTHC received Mon 03/03/2025
08:00 is due Thu 06/03/2025 08:00; resolved Tue 04/03 08:00 is early, Thu 06/03 10:00 late.
"""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from indicators.models import Dossier
from indicators.models.dossiers import Channel, Outcome
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import Role
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LIST = "dossiers:index"
METRICS = "indicators_metrics"


def t(day, hour=0, minute=0, month=3, year=2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


_lines = iter(range(2, 10**6))


def put(agency, procedure, code, **fields):
    record = DossierRecord(
        line=next(_lines),
        agency_id=agency.pk,
        code=code,
        procedure_id=procedure.pk,
        channel=fields.pop("channel", Channel.IN_PERSON),
        **fields,
    )
    result = upsert([record], calendar=get_calendar())
    assert result.problems == []
    return Dossier.objects.get(agency=agency, code=code)


@pytest.fixture
def tthc(db):
    return factories.tthc(code="1.000046", name="Đăng ký khai sinh", working_days=3)


@pytest.fixture
def dossiers(world, tthc):
    """The node: HS-EARLY (early), HS-LATE (late), HS-OVERDUE (pending, overdue now), HS-ONLINE
    (online, early, digitised); its unit: HS-UNIT (early); the sibling: HS-SIBLING (late)."""
    received = t(3, 8)
    put(world.node, tthc, "HS-EARLY", received_at=received, resolved_at=t(4, 8), outcome="issued")
    put(world.node, tthc, "HS-LATE", received_at=received, resolved_at=t(6, 10), outcome="issued")
    put(world.node, tthc, "HS-OVERDUE", received_at=received)
    put(
        world.node,
        tthc,
        "HS-ONLINE",
        channel=Channel.ONLINE,
        digitised=True,
        received_at=received,
        resolved_at=t(4, 8),
        outcome=Outcome.ISSUED,
    )
    put(world.unit, tthc, "HS-UNIT", received_at=received, resolved_at=t(4, 8), outcome="issued")
    put(
        world.sibling,
        tthc,
        "HS-SIBLING",
        received_at=received,
        resolved_at=t(6, 10),
        outcome=Outcome.ISSUED,
    )
    return world


def body(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def visible(html: str) -> str:
    """What a person reads on the page: the text outside tags, scripts and styles."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def no_raw_values(html: str) -> bool:
    return not re.search(r"\b(None|True|False)\b", visible(html))


def _codes(text):
    return {
        code
        for code in ("HS-EARLY", "HS-LATE", "HS-OVERDUE", "HS-ONLINE", "HS-UNIT", "HS-SIBLING")
        if code in text
    }


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_the_subtree_to_its_people_and_nothing_of_the_sibling(dossiers, client):
    world = dossiers
    everything_of_node = {"HS-EARLY", "HS-LATE", "HS-OVERDUE", "HS-ONLINE", "HS-UNIT"}
    for role in (Role.OFFICER, Role.LEADER, Role.STAFF):
        client.force_login(world.users["node", role])
        assert _codes(body(client, reverse(LIST))) == everything_of_node
    client.force_login(world.users["parent", Role.LEADER])
    assert _codes(body(client, reverse(LIST))) == everything_of_node | {"HS-SIBLING"}
    client.force_login(world.users["sibling", Role.OFFICER])
    assert _codes(body(client, reverse(LIST))) == {"HS-SIBLING"}
    client.force_login(world.users["node", Role.AUDITOR])
    response = client.get(reverse(LIST))
    assert response.status_code == 302  # no dossier of any agency without an open audit


def test_the_list_columns_are_words_and_local_times(dossiers, client):
    client.force_login(dossiers.users["node", Role.OFFICER])
    text = body(client, reverse(LIST), q="HS-LATE")
    for word in (
        "HS-LATE",
        "1.000046",
        "Sở Tư pháp thử",
        "Trực tiếp",
        "03/03/2025 08:00",
        "06/03/2025 08:00",
        "06/03/2025 10:00",
        "Đã trả kết quả",
        "Quá hạn",
    ):
        assert word in text, word
    assert no_raw_values(text)
    text = body(client, reverse(LIST), q="HS-OVERDUE")
    assert "Đang quá hạn" in text and "Đang giải quyết" in text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"timing": "early"}, {"HS-EARLY", "HS-ONLINE", "HS-UNIT"}),
        ({"timing": "late"}, {"HS-LATE"}),
        ({"state": "in_progress"}, {"HS-OVERDUE"}),
        ({"overdue": "yes"}, {"HS-OVERDUE"}),
        ({"overdue": "no"}, {"HS-EARLY", "HS-LATE", "HS-ONLINE", "HS-UNIT"}),
        ({"received_from": "2025-03-03", "received_to": "2025-03-03"}, None),
        ({"received_from": "2025-03-04"}, set()),
        ({"q": "online"}, {"HS-ONLINE"}),
    ],
)
def test_the_list_filters(dossiers, client, params, expected):
    client.force_login(dossiers.users["node", Role.OFFICER])
    everything = {"HS-EARLY", "HS-LATE", "HS-OVERDUE", "HS-ONLINE", "HS-UNIT"}
    got = _codes(body(client, reverse("dossiers:index_results"), **params))
    assert got == (everything if expected is None else expected)


def test_the_agency_and_tthc_filters(dossiers, client, tthc):
    world = dossiers
    other = factories.tthc(code="1.000047", name="Đăng ký kết hôn")
    put(world.node, other, "HS-MARRIAGE", received_at=t(3, 9))
    client.force_login(world.users["parent", Role.LEADER])
    got = body(client, reverse("dossiers:index_results"), agency=world.unit.pk)
    assert _codes(got) == {"HS-UNIT"}
    got = body(client, reverse("dossiers:index_results"), procedure=other.pk)
    assert "HS-MARRIAGE" in got and not _codes(got)
    # The TTHC offered are those of the dossiers the person reads.
    client.force_login(world.users["sibling", Role.OFFICER])
    text = body(client, reverse(LIST))
    assert "Đăng ký khai sinh" in text and "Đăng ký kết hôn" not in text
    # Another agency cannot be chosen: the filter ignores it (the form refuses the choice).
    got = body(client, reverse("dossiers:index_results"), agency=world.node.pk)
    assert not (_codes(got) - {"HS-SIBLING"})


def test_nobody_adds_edits_or_deletes_a_dossier(dossiers):
    dossier = Dossier.objects.get(code="HS-LATE")
    for name in ("dossiers:add", "dossiers:edit", "dossiers:delete", "dossiers:copy"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[dossier.pk] if name != "dossiers:add" else [])


def test_the_exports_hold_the_rows_in_words(dossiers, client):
    client.force_login(dossiers.users["node", Role.OFFICER])
    response = client.get(reverse(LIST), {"export": "csv", "timing": "late"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Mã hồ sơ",
        "Mã TTHC",
        "Tên thủ tục",
        "Cơ quan, đơn vị",
        "Kênh nộp",
        "Tiếp nhận lúc",
        "Hạn giải quyết",
        "Trả kết quả lúc",
        "Trạng thái",
        "Đánh giá",
    ]
    assert rows[1:] == [
        [
            "HS-LATE",
            "1.000046",
            "Đăng ký khai sinh",
            "Sở Tư pháp thử",
            "Trực tiếp",
            "03/03/2025 08:00",
            "06/03/2025 08:00",
            "06/03/2025 10:00",
            "Đã trả kết quả",
            "Quá hạn",
        ]
    ]
    response = client.get(reverse(LIST), {"export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert cells == {"HS-EARLY", "HS-LATE", "HS-OVERDUE", "HS-ONLINE", "HS-UNIT"}


def _list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_few_and_many_rows(dossiers, client, tthc):
    world = dossiers
    client.force_login(world.users["parent", Role.LEADER])
    client.get(reverse(LIST))  # warm the caches (content types, site)
    few = _list_queries(client, reverse(LIST))
    few_export = _list_queries(client, reverse(LIST) + "?export=csv")
    others = [factories.tthc(working_days=5) for _ in range(3)]
    for i in range(40):
        place = (world.node, world.unit, world.sibling, world.parent)[i % 4]
        put(
            place,
            others[i % 3],
            f"HS-MANY-{i}",
            received_at=t(10, 8) + dt.timedelta(hours=i),
            resolved_at=t(20, 8) if i % 2 else None,
            outcome="issued" if i % 2 else "",
        )
    assert _list_queries(client, reverse(LIST)) == few
    assert _list_queries(client, reverse(LIST) + "?export=csv") == few_export


# --- The dossier's page --------------------------------------------------------------------------


def test_the_page_shows_facts_clock_and_timeline(dossiers, client):
    dossier = Dossier.objects.get(code="HS-LATE")
    client.force_login(dossiers.users["node", Role.STAFF])
    text = body(client, reverse("dossiers:inspect", args=[dossier.pk]))
    for words in (
        "1.000046 · Đăng ký khai sinh",
        "Sở Tư pháp thử",
        "Trực tiếp",
        "03/03/2025 08:00",
        "06/03/2025 08:00",
        "3 ngày làm việc",
        "Quá hạn",
        # The clock explained, sentence by sentence.
        "Cách tính thời hạn",
        "Hạn giải quyết: 08:00 thứ Năm 06/03/2025.",
        # The timeline.
        "Diễn biến của hồ sơ",
        "Tiếp nhận",
        "Trả kết quả",
    ):
        assert words in text, words
    assert no_raw_values(text)


def test_the_page_is_for_the_agency_and_above_only(dossiers, client):
    world = dossiers
    url = reverse("dossiers:inspect", args=[Dossier.objects.get(code="HS-UNIT").pk])
    for label in ("node_officer", "node_leader", "node_staff", "parent_leader", "parent_staff"):
        relation, role = label.split("_")
        client.force_login(world.users[relation, role])
        assert client.get(url).status_code == 200, label
    for label in ("sibling_officer", "sibling_leader", "node_auditor", "parent_auditor"):
        relation, role = label.split("_")
        client.force_login(world.users[relation, role])
        assert client.get(url).status_code in (302, 403, 404), label


def test_the_menu_group_shows_dossiers_and_metrics_to_their_readers(dossiers, client):
    world = dossiers
    client.force_login(world.users["node", Role.STAFF])
    text = body(client, reverse("wagtailadmin_home"))
    assert reverse(LIST) in text and reverse(METRICS) in text
    client.force_login(world.users["node", Role.AUDITOR])
    text = body(client, reverse("wagtailadmin_home"))
    assert reverse(LIST) not in text and reverse(METRICS) not in text


# --- The metrics page ----------------------------------------------------------------------------


MARCH = {"period": "m-2025-03", "scope": "subtree"}


def test_the_metrics_page_opens_on_ones_own_agency(dossiers, client):
    world = dossiers
    client.force_login(world.users["node", Role.OFFICER])
    text = body(client, reverse(METRICS))
    assert "Chỉ số giải quyết hồ sơ" in text
    assert f'<option value="{world.node.pk}" selected>' in text
    # The sibling is not offered.
    assert f'<option value="{world.sibling.pk}"' not in text


def test_the_metrics_table_by_tthc(dossiers, client, tthc):
    world = dossiers
    client.force_login(world.users["node", Role.LEADER])
    text = body(client, reverse(METRICS), agency=world.node.pk, group_by="procedure", **MARCH)
    # Node with its unit: 5 received, 4 resolved (3 early, 1 late): 75,0 %; one overdue now.
    assert "1.000046 · Đăng ký khai sinh" in text
    assert "75,0\u00a0%" in text
    assert "Tổng cộng" in text
    assert "Tiếp nhận" in text and "Tỷ lệ đúng hạn" in text and "Phân vị 90" in text
    # Online share 1 of 5 received.
    assert "20,0\u00a0%" in text
    assert no_raw_values(text)
    # The TTHC links to its dossiers received in the period.
    assert f"procedure={tthc.pk}" in text and "received_from=2025-03-01" in text


def test_the_metrics_by_child_agency_link_to_each_child(dossiers, client):
    world = dossiers
    client.force_login(world.users["parent", Role.LEADER])
    text = body(client, reverse(METRICS), agency=world.parent.pk, group_by="agency", **MARCH)
    assert "Sở Tư pháp thử" in text and "Sở Tài chính thử" in text
    assert f"agency={world.node.pk}" in text


def test_the_metrics_of_another_agency_are_refused(dossiers, client):
    world = dossiers
    client.force_login(world.users["sibling", Role.LEADER])
    text = body(client, reverse(METRICS), agency=world.node.pk, group_by="procedure", **MARCH)
    assert "Bạn không được xem chỉ số của cơ quan này" in text
    assert 'class="listing qms-metrics-table"' not in text
    response = client.get(
        reverse(METRICS), {"agency": world.node.pk, "export": "csv", "group_by": "", **MARCH}
    )
    assert response["Content-Type"].startswith("text/html")  # no file: the form again
    client.force_login(world.users["node", Role.AUDITOR])
    assert client.get(reverse(METRICS)).status_code == 302


def test_the_metrics_empty_state_is_worded_for_people(dossiers, client):
    world = dossiers
    client.force_login(world.users["node", Role.OFFICER])
    text = body(client, reverse(METRICS), agency=world.node.pk, period="m-2025-01", scope="own")
    assert "chưa có hồ sơ nào trong kỳ từ 01/01/2025 đến 31/01/2025" in text
    assert 'class="listing qms-metrics-table"' not in text


def test_the_metrics_custom_range_is_checked(dossiers, client):
    world = dossiers
    client.force_login(world.users["node", Role.OFFICER])
    text = body(
        client,
        reverse(METRICS),
        agency=world.node.pk,
        scope="subtree",
        period="range",
        start="2025-03-31",
        end="2025-03-01",
    )
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi." in text
    text = body(
        client,
        reverse(METRICS),
        agency=world.node.pk,
        scope="subtree",
        period="range",
        start="2025-03-03",
        end="2025-03-07",
        group_by="day",
    )
    assert (
        "03/03/2025" in text
        and "07/03/2025" in text
        and 'class="listing qms-metrics-table"' in text
    )


def test_the_metrics_exports(dossiers, client):
    world = dossiers
    client.force_login(world.users["node", Role.OFFICER])
    params = {"agency": world.node.pk, "group_by": "channel", "export": "csv", **MARCH}
    response = client.get(reverse(METRICS), params)
    assert response["Content-Type"].startswith("text/csv")
    assert "chi-so-ho-so-stp-20250301-20250331.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows.index(next(r for r in rows if r and r[0] == "Kênh nộp"))
    table = {r[0]: r for r in rows[header + 1 :]}
    assert rows[header][1:7] == [
        "Tiếp nhận",
        "Đã giải quyết",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Tỷ lệ đúng hạn",
    ]
    assert table["Trực tiếp"][1:7] == ["4", "3", "2", "0", "1", "66,7\u00a0%"]
    assert table["Trực tuyến"][1:7] == ["1", "1", "1", "0", "0", "100,0\u00a0%"]
    assert table["Bưu chính"][6] == ""  # nothing resolved: no rate
    assert table["Tổng cộng"][1:3] == ["5", "4"]
    params["export"] = "xlsx"
    response = client.get(reverse(METRICS), params)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.title == "Chỉ số"
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Trực tiếp"]
    assert values[0][1:6] == (4, 3, 2, 0, 1)
    assert values[0][6] == pytest.approx(2 / 3)


def test_the_metrics_page_costs_the_same_queries_for_few_and_many_rows(dossiers, client):
    world = dossiers
    client.force_login(world.users["parent", Role.LEADER])
    url = reverse(METRICS)
    params = {"agency": world.parent.pk, "group_by": "procedure", **MARCH}
    client.get(url, params)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    few = count()
    for i in range(12):
        procedure = factories.tthc(working_days=2)
        put(
            world.unit,
            procedure,
            f"HS-M{i}",
            received_at=t(11, 8),
            resolved_at=t(12, 8),
            outcome="issued",
        )
    assert count() == few


def test_the_team_of_an_open_audit_reads_the_auditees_dossiers_not_the_metrics(dossiers, client):
    from audits.services.audits import audit_start
    from tests.audits.test_audits import _auditor, _plan

    world = dossiers
    lead = _auditor(world)  # the sibling's auditor, auditing the node
    url = reverse("dossiers:inspect", args=[Dossier.objects.get(code="HS-UNIT").pk])
    client.force_login(lead)
    assert client.get(url).status_code in (302, 404)  # planned: not yet
    audit_start(actor=lead, instance=_plan(world, lead=lead))
    assert _codes(body(client, reverse(LIST))) == {
        "HS-EARLY",
        "HS-LATE",
        "HS-OVERDUE",
        "HS-ONLINE",
        "HS-UNIT",
    }
    assert "Cách tính thời hạn" in body(client, url)
    assert client.get(reverse(METRICS)).status_code == 302
