"""The document list: each agency's procedures with issue, effective date, status and next review."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.master_list import ProcedureStatus, add_months, master_list
from documents.models import IssueStatus, ProcedureIssue
from documents.services.review import periodic_reviews_ensure
from tests import factories
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db


def _procedure(place, code, tthc, *, issued_on=None):
    page = place.page.add_child(
        instance=procedure(place, title=f"Quy trình {code}", code=code, tthc=tthc)
    )
    revision = page.save_revision()
    if issued_on:
        ProcedureIssue.objects.create(
            procedure=page,
            number=1,
            revision=revision,
            code=code,
            title=page.title,
            effective_date=issued_on,
            change_summary="Ban hành lần đầu",
            status=IssueStatus.IN_FORCE,
        )
        periodic_reviews_ensure()  # the periodic review the issue's go-live would have opened
    return page


@pytest.fixture
def listed(world):
    tthc = factories.tthc(working_days="5")
    return {
        "issued": _procedure(world.node, "QT-01/STP", tthc, issued_on=datetime.date(2025, 3, 31)),
        "draft": _procedure(world.unit, "QT-02/STP", tthc),
        "other": _procedure(world.sibling, "QT-01/STC", tthc),
    }


def test_status_issue_and_next_review_come_with_each_row(listed):
    rows = {p.code: p for p in master_list()}
    issued = rows["QT-01/STP"]
    assert (issued.status, issued.issue_number) == (ProcedureStatus.IN_FORCE, 1)
    assert issued.effective_date == datetime.date(2025, 3, 31)
    assert rows["QT-02/STP"].status == ProcedureStatus.DRAFT
    assert rows["QT-02/STP"].issue_number is None


def test_next_review_is_the_earliest_open_review(listed):
    from documents.models import ProcedureReview, ReviewReason

    rows = {p.code: p for p in master_list()}
    assert rows["QT-01/STP"].next_review == datetime.date(2026, 3, 31)  # a year after 31/03/2025
    assert rows["QT-02/STP"].next_review is None  # a draft has no review yet
    ProcedureReview.objects.create(
        procedure=listed["issued"],
        reason=ReviewReason.TIME_LIMIT_CHANGE,
        due_on=datetime.date(2025, 12, 1),
        tthc=factories.tthc(code="1.000001", working_days="3"),
    )
    rows = {p.code: p for p in master_list()}
    assert rows["QT-01/STP"].next_review == datetime.date(2025, 12, 1)


def test_next_review_is_a_year_later_even_at_the_end_of_a_month():
    assert add_months(datetime.date(2025, 3, 31), 12) == datetime.date(2026, 3, 31)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)


def test_staff_see_their_agency_and_its_units_only(client, world, listed):
    client.force_login(world.users["node", "staff"])
    html = client.get(reverse("documents_list")).content.decode()
    assert "QT-01/STP" in html and "QT-02/STP" in html
    assert "QT-01/STC" not in html
    assert "31/03/2026" in html  # next review, a year after 31/03/2025


def test_filter_by_agency_takes_its_units_and_by_status(client, world, listed):
    client.force_login(world.users["parent", "leader"])
    url = reverse("documents_list_results")
    html = client.get(url, {"agency": world.node.pk}).content.decode()
    assert "QT-01/STP" in html and "QT-02/STP" in html and "QT-01/STC" not in html
    html = client.get(url, {"status": "draft"}).content.decode()
    assert "QT-02/STP" in html and "QT-01/STP" not in html


def test_export_to_xlsx(client, world, listed):
    client.force_login(world.users["node", "officer"])
    response = client.get(reverse("documents_list"), {"export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã tài liệu"
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"QT-01/STP", "QT-02/STP"}
    assert by_code["QT-01/STP"][3] == 1 and by_code["QT-01/STP"][5] == "Đang áp dụng"


def test_query_count_does_not_grow_with_rows(client, world, listed):
    client.force_login(world.users["node", "officer"])
    client.get(reverse("documents_list"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("documents_list")).status_code == 200
        return len(queries)

    few = count()
    tthc = factories.tthc(working_days="5")
    for n in range(10):
        _procedure(world.node, f"QT-{10 + n}/STP", tthc, issued_on=datetime.date(2025, 1, 2))
    assert count() == few


def test_print_to_pdf_with_the_same_filters(client, world, listed, monkeypatch):
    from qms import pdf

    printed = {}
    render = pdf.Document.render

    def keep_text(document):
        printed["text"] = document.text()
        return render(document)

    monkeypatch.setattr(pdf.Document, "render", keep_text)
    client.force_login(world.users["parent", "leader"])
    html = client.get(reverse("documents_list"), {"status": "draft"}).content.decode()
    assert reverse("documents_list_pdf") + "?status=draft" in html
    response = client.get(reverse("documents_list_pdf"), {"status": "draft"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "QT-02/STP" in printed["text"] and "Dự thảo" in printed["text"]
    assert "QT-01/STP" not in printed["text"]


def test_the_dashboard_points_each_role_to_the_document_list(client, world):
    client.force_login(world.users["node", "leader"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("documents_list") + "?status=in_review" in html
    client.force_login(world.users["node", "staff"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("documents_list") + "?status=in_force" in html
