"""The dashboard's pages: the scorecard (colours in words, targets, drill-down links, exports) and
the TTHC drill-down (rows, links to the late and overdue dossiers), scoped to the reader (a ward's
leader never sees another ward, in the page, the drill-down or the exports), the URL holding the
filter, and flat query counts."""

import csv
import datetime as dt
import io
import random
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import Dossier
from qms.models import Role
from tests import factories as f
from tests.indicators.test_scorecard import make_dossiers, tree, year_filter  # noqa: F401

pytestmark = pytest.mark.django_db

DASHBOARD = "indicators_dashboard"
PROCEDURES = "indicators_dashboard_procedures"


def _user(t, code, role=Role.LEADER):
    return t["people"][code, role]


def _get(client, name, **params):
    return client.get(reverse(name), params)


def _xlsx_text(response) -> str:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_city_leader_reads_the_scorecard_with_words_targets_and_links(client, tree):  # noqa: F811
    t = tree
    client.force_login(_user(t, "TPT"))
    response = _get(client, DASHBOARD, agency=t["city"].pk, period="y-2025")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Phường An", "Phường Bình", "Sở Tư pháp Thử", "Quận Cũ (đã kết thúc hoạt động)"):
        assert name in html
    assert "Tổng cộng" in html
    html = html[html.index('<section class="qms-dashboard"') : html.index("</section>")]
    # Colour in words (not colour alone), targets and the objective.
    assert "Không đạt" in html or "Cần chú ý" in html
    assert "Chưa có số liệu" in html  # the department's audits: no 2025 programme
    assert "mục tiêu" in html and "Đúng hạn phường An" in html
    # Drill-down: a body's name opens the same page for that body; counts open their lists.
    flt = year_filter(t["city"])
    assert f"?{flt.query(agency=t['ward_a'])}".replace("&", "&amp;") in html
    assert reverse(PROCEDURES) in html
    assert reverse("audit_findings:index") + f"?agency={t['ward_a'].pk}&amp;kind=major_nc" in html
    assert reverse("corrective_actions:index") in html and "overdue=yes" in html
    assert reverse("complaints:index") in html and "state=received" in html
    assert reverse("procedure_reviews:index") in html and "state=overdue" in html
    # Dates and numbers as Vietnamese write them; no raw values.
    assert "01/01/2025 – 31/12/2025" in html
    assert "True" not in html and "None" not in html


def test_exports_carry_the_table(client, tree):  # noqa: F811
    t = tree
    client.force_login(_user(t, "TPT"))
    params = {"agency": t["city"].pk, "period": "y-2025"}
    xlsx = _get(client, DASHBOARD, **params, export="xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _xlsx_text(xlsx)
    assert "Phường An" in text and "Tổng cộng" in text and "Đúng hạn phường An" in text
    raw = _get(client, DASHBOARD, **params, export="csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    header = next(r for r in rows if r and r[0] == "Cơ quan, đơn vị")
    total = next(r for r in rows if r and r[0] == "Tổng cộng")
    assert len(header) == len(total)
    procedures = _get(client, PROCEDURES, **params, export="xlsx")
    assert "1.900001" in _xlsx_text(procedures)


def test_a_ward_leader_never_sees_another_ward(client, tree):  # noqa: F811
    t = tree
    client.force_login(_user(t, "PAN"))
    # Opened on their own ward; only their ward is offered.
    response = _get(client, DASHBOARD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Phường An" in html
    form = response.context["form"]
    assert list(form.fields["agency"].queryset) == [t["ward_a"], t["unit_a"]]
    for name in (DASHBOARD, PROCEDURES):
        for params in ({}, {"period": "y-2025"}, {"agency": t["ward_a"].pk, "period": "y-2025"}):
            for export in ("", "csv", "xlsx"):
                query = {**params, **({"export": export} if export else {})}
                answer = _get(client, name, **query)
                assert answer.status_code == 200
                text = (
                    _xlsx_text(answer) if export == "xlsx" else answer.content.decode("utf-8-sig")
                )
                for other in ("Phường Bình", "Sở Tư pháp Thử", "Quận Cũ", "Thành phố Thử"):
                    assert other not in text, (name, query, other)
        # Another ward asked in the URL: refused by the form, nothing of it shown or exported.
        for export in ("", "csv", "xlsx"):
            query = {"agency": t["ward_b"].pk, "period": "y-2025"}
            if export:
                query["export"] = export
            answer = _get(client, name, **query)
            assert answer.status_code == 200
            assert answer["Content-Type"].startswith("text/html")
            text = answer.content.decode()
            assert "Phường Bình" not in text
            assert "Bạn không được xem số liệu của cơ quan này" in text


def test_auditors_are_refused(client, tree):  # noqa: F811
    t = tree
    client.force_login(_user(t, "PAN", Role.AUDITOR))
    assert _get(client, DASHBOARD).status_code in (302, 403)
    assert _get(client, PROCEDURES).status_code in (302, 403)


def test_drill_down_lists_tthc_and_links_to_late_or_overdue_dossiers(client, tree):  # noqa: F811
    t = tree
    client.force_login(_user(t, "TPT"))
    response = _get(client, PROCEDURES, agency=t["ward_a"].pk, period="y-2025")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r["code"] for r in rows} <= {"1.900001", "1.900002"} and rows
    links = [r["link"] for r in rows if r["link"]]
    assert links
    url = urlparse(links[0])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == reverse("dossiers:index")
    assert query["overdue"] == "late_or_overdue" and query["agency"] == str(t["ward_a"].pk)
    assert (query["received_from"], query["received_to"]) == ("2025-01-01", "2025-12-31")
    listing = client.get(links[0])
    assert listing.status_code == 200
    shown = {d.pk for d in listing.context["object_list"]}
    now = timezone.now()
    expected = {
        d.pk
        for d in Dossier.objects.filter(
            agency__path__startswith=t["ward_a"].path,
            procedure_id=query["procedure"],
            received_on__range=("2025-01-01", "2025-12-31"),
        )
        if d.timing == "late"
        or (d.state in ("received", "in_progress", "waiting") and d.due_at and d.due_at < now)
    }
    assert shown == expected


def test_findings_list_filter_open(client, tree):  # noqa: F811
    t = tree
    client.force_login(_user(t, "PAN"))
    response = client.get(
        reverse("audit_findings:index"), {"agency": t["ward_a"].pk, "open": "yes"}
    )
    codes = {x.code for x in response.context["object_list"]}
    from audits.models import Finding

    assert codes == set(
        Finding.objects.filter(agency__path__startswith=t["ward_a"].path)
        .exclude(state="closed")
        .values_list("code", flat=True)
    )


def test_query_count_of_the_page_does_not_grow_with_bodies(client, tree):  # noqa: F811
    t = tree
    client.force_login(_user(t, "TPT"))

    def count(name, place):
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, name, agency=place.pk, period="y-2025")
            assert response.status_code == 200
        return len(queries), len(response.context["rows"])

    empty = f.agency(name="Sở Nhỏ", parent=t["city"], code="SNHO")
    other = f.tthc(code="1.900003", name="Thủ tục thứ ba", working_days=5)
    make_dossiers(
        empty, [other], dt.date(2025, 3, 3), dt.date(2025, 3, 20), 4, random.Random(3), "SN"
    )
    for name in (DASHBOARD, PROCEDURES):
        count(name, t["city"])  # warm the person's caches
        few, few_rows = count(name, empty)
        many, many_rows = count(name, t["city"])
        assert few_rows < many_rows
        assert few == many
