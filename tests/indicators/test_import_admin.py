"""The import screens through the admin: upload → dry run → confirm with the test client (Celery
runs eagerly, the tasks are scheduled on commit), the progress JSON the page polls, the error
report as CSV and XLSX, the personal-data columns dropped and named, cancel and all-or-nothing,
who may do what (a sibling officer gets 404, a leader reads but does not confirm), the saved
column mappings (a source's headers used by an upload, personal-data headers refused, history
kept), the clock rules (read by members, kept by the administrator), flat list query counts."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import (
    ClockRule,
    Dossier,
    DossierImport,
    ImportMode,
    ImportRowError,
    ImportSource,
    ImportState,
    SupplementRule,
)
from qms.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "Mã hồ sơ,Mã TTHC,Họ tên,Số điện thoại,Ngày tiếp nhận,Ngày trả kết quả,Trạng thái,Kênh nộp"
ROWS = [
    "HS-001,1.000777,Nguyễn Văn Riêng,0912345678,24/01/2025 15:00,05/02/2025 10:00,"
    "Đã trả kết quả,Trực tuyến",
    "HS-002,1.000777,Trần Thị Riêng,0987654321,03/03/2025 08:00,,Đang giải quyết,Trực tiếp",
    "HS-003,9.999999,Lê Văn Riêng,0900000000,03/03/2025 09:00,,Đang giải quyết,Trực tiếp",
]
PERSONAL = ("Riêng", "0912345678", "0987654321")


def _csv(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


class Setup:
    def __init__(self):
        self.province, self.dept_a, self.dept_b, self.unit_a, _desk = factories.agency_tree()
        self.officer = factories.member(self.dept_a, Role.OFFICER)
        self.leader = factories.member(self.dept_a, Role.LEADER)
        self.staff = factories.member(self.dept_a, Role.STAFF)
        self.other_officer = factories.member(self.dept_b, Role.OFFICER)
        self.admin = factories.user(superuser=True)
        self.procedure = factories.tthc(
            code="1.000777",
            working_days=3,
            effective_from=dt.date(2024, 1, 1),
            agencies=[self.dept_a, self.dept_b],
        )


@pytest.fixture
def s(db):
    return Setup()


def _login(client, user):
    client.force_login(user)
    return client


def _upload(client, django_capture_on_commit_callbacks, agency, content, name="ho-so.csv", **extra):
    data = {"agency": agency.pk, "file": SimpleUploadedFile(name, content), **extra}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("dossier_imports:add"), data)


def _transition(client, django_capture_on_commit_callbacks, imp, name):
    url = reverse("dossier_imports:transition", args=[imp.pk, name])
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url)


def _page(client, imp, **query):
    response = client.get(reverse("dossier_imports:inspect", args=[imp.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_upload_check_and_write_the_good_rows_through_the_admin(
    s, client, django_capture_on_commit_callbacks
):
    _login(client, s.officer)
    response = _upload(client, django_capture_on_commit_callbacks, s.dept_a, _csv(*ROWS))
    imp = DossierImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossier_imports:inspect", args=[imp.pk])
    assert (imp.agency, imp.uploaded_by, imp.file_name) == (s.dept_a, s.officer, "ho-so.csv")
    # The dry run ran (eagerly, after the commit) and wrote nothing.
    assert imp.state == ImportState.CHECKED
    assert (imp.new_count, imp.updated_count, imp.unchanged_count, imp.rejected_count) == (
        2,
        0,
        0,
        1,
    )
    assert not Dossier.objects.exists()
    assert imp.dropped_columns == ["Họ tên", "Số điện thoại"]

    page = _page(client, imp)
    assert "Ghi tất cả hoặc không ghi gì" in page and "Chỉ ghi các dòng hợp lệ" in page
    assert "Họ tên" in page and "Số điện thoại" in page  # the dropped columns, named
    assert "9.999999" in page and "không có TTHC mang mã này trong danh mục" in page
    assert 'data-finished="1"' in page
    for value in PERSONAL:
        assert value not in page

    response = _transition(client, django_capture_on_commit_callbacks, imp, "confirm_good")
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.state == ImportState.APPLIED
    assert (imp.mode, imp.confirmed_by) == (ImportMode.GOOD_ROWS, s.officer)
    assert (imp.written_new, imp.written_updated) == (2, 0)
    assert sorted(Dossier.objects.values_list("code", flat=True)) == ["HS-001", "HS-002"]
    assert Dossier.objects.get(code="HS-001").due_at is not None
    page = _page(client, imp)
    assert "Ghi tất cả hoặc không ghi gì" not in page
    assert "Đã ghi dữ liệu" in page
    # Where to go next: the dossiers written, another upload.
    assert f"{reverse('dossiers:index')}?agency={s.dept_a.pk}" in page
    assert reverse("dossier_imports:add") in page

    # Nothing of the personal-data columns was stored anywhere.
    stored = repr(
        [
            *ImportRowError.objects.values_list("field", "value", "message"),
            *DossierImport.objects.values_list("file_name", "file_error", "dropped_columns"),
            *Dossier.objects.values(),
        ]
    )
    for value in PERSONAL:
        assert value not in stored


def test_all_or_nothing_with_a_rejected_row_writes_nothing(
    s, client, django_capture_on_commit_callbacks
):
    _login(client, s.officer)
    _upload(client, django_capture_on_commit_callbacks, s.dept_a, _csv(*ROWS))
    imp = DossierImport.objects.get()
    assert "Ghi tất cả hoặc không ghi gì” sẽ không ghi gì" in _page(client, imp)
    _transition(client, django_capture_on_commit_callbacks, imp, "confirm_all")
    imp.refresh_from_db()
    assert (imp.state, imp.mode) == (ImportState.CANCELLED, ImportMode.ALL_OR_NOTHING)
    assert not Dossier.objects.exists()


def test_all_or_nothing_of_a_clean_file_writes_everything(
    s, client, django_capture_on_commit_callbacks
):
    _login(client, s.officer)
    _upload(client, django_capture_on_commit_callbacks, s.dept_a, _csv(*ROWS[:2]))
    imp = DossierImport.objects.get()
    _transition(client, django_capture_on_commit_callbacks, imp, "confirm_all")
    imp.refresh_from_db()
    assert imp.state == ImportState.APPLIED
    assert Dossier.objects.count() == 2


def test_cancel_writes_nothing_and_ends_the_import(s, client, django_capture_on_commit_callbacks):
    _login(client, s.officer)
    _upload(client, django_capture_on_commit_callbacks, s.dept_a, _csv(*ROWS[:2]))
    imp = DossierImport.objects.get()
    _transition(client, django_capture_on_commit_callbacks, imp, "cancel")
    imp.refresh_from_db()
    assert (imp.state, imp.confirmed_by) == (ImportState.CANCELLED, s.officer)
    assert not Dossier.objects.exists()
    # A cancelled import offers nothing more; a second confirmation is refused with a message.
    page = _page(client, imp)
    assert "Chỉ ghi các dòng hợp lệ" not in page
    response = _transition(client, django_capture_on_commit_callbacks, imp, "confirm_good")
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.state == ImportState.CANCELLED


def test_a_file_rejected_whole_shows_its_reason_and_offers_nothing(
    s, client, django_capture_on_commit_callbacks
):
    _login(client, s.officer)
    _upload(
        client,
        django_capture_on_commit_callbacks,
        s.dept_a,
        _csv("HS-001,1.000777", header="Mã hồ sơ,Mã TTHC"),
    )
    imp = DossierImport.objects.get()
    assert imp.state == ImportState.REJECTED and imp.file_error
    page = _page(client, imp)
    assert "Tệp bị từ chối, không ghi gì" in page
    assert "thiếu cột bắt buộc" in page
    assert "Chỉ ghi các dòng hợp lệ" not in page
    # The error report gives the file's reasons first, without a line.
    report = client.get(reverse("dossier_imports:report", args=[imp.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["Dòng", "Cột", "Giá trị", "Lý do"]
    assert rows[1][0] == "" and "thiếu cột bắt buộc" in rows[1][3]


def test_the_upload_page_states_the_formats_and_the_personal_data_rule(s, client):
    _login(client, s.officer)
    page = client.get(reverse("dossier_imports:add")).content.decode()
    assert "13/2023/NĐ-CP" in page
    assert "Windows-1258" in page and "XLSX" in page and "dd/mm/yyyy" in page
    assert "“Mã hồ sơ”" in page and "“Ngày tiếp nhận”" in page
    # Only the agencies the officer may import into are offered.
    assert f'value="{s.dept_a.pk}"' in page and f'value="{s.unit_a.pk}"' in page
    assert f'value="{s.dept_b.pk}"' not in page


def test_an_officer_cannot_upload_into_another_agency(
    s, client, django_capture_on_commit_callbacks
):
    _login(client, s.officer)
    response = _upload(client, django_capture_on_commit_callbacks, s.dept_b, _csv(*ROWS[:1]))
    assert response.status_code == 200  # the form again, with the error
    assert not DossierImport.objects.exists()


def test_a_leader_reads_imports_but_neither_uploads_nor_confirms(
    s, client, django_capture_on_commit_callbacks
):
    _login(client, s.officer)
    _upload(client, django_capture_on_commit_callbacks, s.dept_a, _csv(*ROWS[:2]))
    imp = DossierImport.objects.get()
    _login(client, s.leader)
    page = _page(client, imp)
    assert "Chỉ ghi các dòng hợp lệ" not in page
    assert client.get(reverse("dossier_imports:add")).status_code == 302
    response = _transition(client, django_capture_on_commit_callbacks, imp, "confirm_good")
    assert response.status_code == 302  # refused with a message
    imp.refresh_from_db()
    assert imp.state == ImportState.CHECKED


@pytest.mark.parametrize("relation", ["other_officer", "staff"])
def test_others_do_not_see_the_import_at_all(
    s, client, django_capture_on_commit_callbacks, relation
):
    _login(client, s.officer)
    _upload(client, django_capture_on_commit_callbacks, s.dept_a, _csv(*ROWS))
    imp = DossierImport.objects.get()
    client = Client()  # without the uploader's messages
    _login(client, getattr(s, relation))
    for url in (
        reverse("dossier_imports:inspect", args=[imp.pk]),
        reverse("dossier_imports:progress", args=[imp.pk]),
        reverse("dossier_imports:report", args=[imp.pk, "csv"]),
        reverse("dossier_imports:report", args=[imp.pk, "xlsx"]),
    ):
        assert client.get(url).status_code == 404, url
    response = _transition(client, django_capture_on_commit_callbacks, imp, "confirm_good")
    assert response.status_code == 404
    imp.refresh_from_db()
    assert imp.state == ImportState.CHECKED
    listing = client.get(reverse("dossier_imports:index"))
    assert "ho-so.csv" not in listing.content.decode()


def _running_import(s, **fields) -> DossierImport:
    imp = DossierImport(agency=s.dept_a, file_name="dang-chay.csv", uploaded_by=s.officer, **fields)
    imp.file.save("dang-chay.csv", ContentFile(_csv(*ROWS)), save=False)
    imp.save()
    return imp


def test_the_progress_json_and_the_page_that_polls_it(s, client):
    imp = _running_import(
        s, state=ImportState.CHECKING, total_rows=200, rows_done=50, rejected_count=3
    )
    _login(client, s.leader)
    data = client.get(reverse("dossier_imports:progress", args=[imp.pk])).json()
    assert data == {
        "state": "checking",
        "state_label": "Đang kiểm tra",
        "percent": 25,
        "rows_done": 50,
        "total_rows": 200,
        "rejected_count": 3,
        "finished": False,
        "message": "Đang kiểm tra: 50/200 dòng, 3 dòng bị từ chối đến lúc này.",
    }
    page = _page(client, imp)
    progress_url = reverse("dossier_imports:progress", args=[imp.pk])
    assert f'data-progress-url="{progress_url}"' in page and 'data-finished="0"' in page
    assert '<progress class="qms-import-bar" max="100" value="25"' in page
    # Without JavaScript the page refreshes itself while the task runs.
    assert '<noscript><meta http-equiv="refresh"' in page

    DossierImport.objects.filter(pk=imp.pk).update(
        state=ImportState.CHECKED, rows_done=200, rejected_count=3
    )
    data = client.get(progress_url).json()
    assert (data["percent"], data["finished"]) == (100, True)
    assert '<noscript><meta http-equiv="refresh"' not in _page(client, imp)


def test_the_error_report_as_csv_and_xlsx_and_the_rows_page_by_page(s, client):
    imp = _running_import(s, state=ImportState.CHECKED, total_rows=120, rows_done=120)
    ImportRowError.objects.bulk_create(
        ImportRowError(
            dossier_import=imp,
            line=line,
            field="Ngày tiếp nhận",
            value="=31/02/2025" if line == 2 else f"{line}/13/2025",
            message=f"Dòng {line}, cột «Ngày tiếp nhận»: ngày không hợp lệ",
        )
        for line in range(2, 122)
    )
    DossierImport.objects.filter(pk=imp.pk).update(rejected_count=120)
    _login(client, s.officer)

    response = client.get(reverse("dossier_imports:report", args=[imp.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Dòng", "Cột", "Giá trị", "Lý do"]
    assert len(rows) == 121
    # A value a spreadsheet would read as a formula is escaped.
    assert rows[1] == [
        "2",
        "Ngày tiếp nhận",
        "'=31/02/2025",
        "Dòng 2, cột «Ngày tiếp nhận»: ngày không hợp lệ",
    ]

    response = client.get(reverse("dossier_imports:report", args=[imp.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = list(book.worksheets[0].iter_rows(values_only=True))
    assert cells[0] == ("Dòng", "Cột", "Giá trị", "Lý do")
    assert cells[2] == (
        3,
        "Ngày tiếp nhận",
        "3/13/2025",
        "Dòng 3, cột «Ngày tiếp nhận»: ngày không hợp lệ",
    )
    assert len(cells) == 121
    assert client.get(reverse("dossier_imports:report", args=[imp.pk, "pdf"])).status_code == 404

    first, third = _page(client, imp), _page(client, imp, p=3)
    assert "Dòng 51, cột" in first and "Dòng 52, cột" not in first
    assert "Trang 1/3" in first
    assert "Dòng 121, cột" in third and "Dòng 51, cột" not in third


def test_the_import_list_is_filtered_by_state(s, client):
    _running_import(s, state=ImportState.CHECKING)
    done = _running_import(s, state=ImportState.APPLIED)
    DossierImport.objects.filter(pk=done.pk).update(file_name="xong.csv")
    _login(client, s.leader)
    page = client.get(reverse("dossier_imports:index"), {"state": "applied"}).content.decode()
    assert "xong.csv" in page and "dang-chay.csv" not in page


# --- Saved column mappings ----------------------------------------------------------------------


def _source_form(agency, name, **headers):
    data = {"agency": agency.pk, "name": name}
    data.update({f"header_{key}": value for key, value in headers.items()})
    return data


def test_a_saved_mapping_reads_a_file_with_other_headers(
    s, client, django_capture_on_commit_callbacks
):
    _login(client, s.officer)
    response = client.post(
        reverse("dossier_import_sources:add"),
        _source_form(
            s.dept_a,
            "Một cửa tỉnh",
            code="Số biên nhận",
            received_at="Thời điểm nhận",
            channel="Hình thức",
        ),
    )
    assert response.status_code == 302
    source = ImportSource.objects.get()
    assert source.mapping == {
        "code": "Số biên nhận",
        "received_at": "Thời điểm nhận",
        "channel": "Hình thức",
    }
    assert source.created_by == s.officer

    header = "Số biên nhận,Mã TTHC,Thời điểm nhận,Trạng thái,Hình thức"
    content = _csv("BN-1,1.000777,03/03/2025 08:00,Đang giải quyết,Trực tuyến", header=header)
    _upload(client, django_capture_on_commit_callbacks, s.dept_a, content, source=str(source.pk))
    imp = DossierImport.objects.get()
    assert (imp.source, imp.state, imp.new_count) == (source, ImportState.CHECKED, 1)

    # Edited: the history keeps each version, the page shows them.
    response = client.post(
        reverse("dossier_import_sources:edit", args=[source.pk]),
        _source_form(s.dept_a, "Một cửa tỉnh", code="Mã biên nhận"),
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.mapping == {"code": "Mã biên nhận"}
    assert [h.mapping for h in source.history.order_by("history_date")] == [
        {"code": "Số biên nhận", "received_at": "Thời điểm nhận", "channel": "Hình thức"},
        {"code": "Mã biên nhận"},
    ]
    page = client.get(reverse("dossier_import_sources:inspect", args=[source.pk])).content
    assert "Số biên nhận" in page.decode() and "Mã biên nhận" in page.decode()


def test_a_mapping_refuses_personal_data_and_a_header_used_twice(s, client):
    _login(client, s.officer)
    response = client.post(
        reverse("dossier_import_sources:add"),
        _source_form(s.dept_a, "Nguồn lỗi", code="Họ và tên", procedure="Mã", status="mã"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "dữ liệu cá nhân" in page
    assert "đã được dùng cho “Mã TTHC”" in page
    assert not ImportSource.objects.exists()


def test_sources_are_the_officers(s, client):
    source = ImportSource.objects.create(agency=s.dept_a, name="Nguồn A")
    for user, status in ((s.officer, 200), (s.leader, 404), (s.other_officer, 404)):
        _login(client, user)
        url = reverse("dossier_import_sources:edit", args=[source.pk])
        assert client.get(url).status_code == status, user


# --- Clock rules ---------------------------------------------------------------------------------


def test_clock_rules_are_read_by_members_and_kept_by_the_administrator(s, client):
    rule = ClockRule.objects.create(
        procedure=s.procedure, supplement_rule=SupplementRule.PAUSE, legal_basis="NĐ thử"
    )
    _login(client, s.staff)
    page = client.get(reverse("clock_rules:index")).content.decode()
    assert "1.000777" in page and "Tạm dừng và tính tiếp" in page
    assert client.get(reverse("clock_rules:edit", args=[rule.pk])).status_code == 302
    assert client.get(reverse("clock_rules:add")).status_code == 302

    other = factories.tthc(code="1.000778")
    _login(client, s.admin)
    response = client.post(
        reverse("clock_rules:add"),
        {"procedure": other.pk, "supplement_rule": "pause", "legal_basis": "Quyết định thử"},
    )
    assert response.status_code == 302
    assert ClockRule.objects.get(procedure=other).supplement_rule == SupplementRule.PAUSE


# --- Query counts ----------------------------------------------------------------------------------


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_rows(s, n, start):
    for i in range(start, start + n):
        imp = DossierImport(
            agency=s.unit_a if i % 2 else s.dept_a,
            file_name=f"tep-{i}.csv",
            uploaded_by=factories.user(),
            state=ImportState.CHECKED,
        )
        imp.file.save(f"tep-{i}.csv", ContentFile(b"x"), save=False)
        imp.save()
        ImportSource.objects.create(agency=s.unit_a if i % 2 else s.dept_a, name=f"Nguồn {i}")
        ClockRule.objects.create(procedure=factories.tthc())


def test_the_lists_cost_the_same_queries_for_few_and_many_rows(s, client):
    urls = [
        reverse("dossier_imports:index"),
        reverse("dossier_import_sources:index"),
        reverse("clock_rules:index"),
    ]
    _add_rows(s, 2, 0)
    few = [_list_queries(client, s.officer, url) for url in urls]
    _add_rows(s, 12, 2)
    many = [_list_queries(client, s.officer, url) for url in urls]
    assert many == few
