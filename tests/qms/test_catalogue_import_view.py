"""The admin upload of the TTHC catalogue: errors named by line and column, nothing half-written."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qms.models import AdministrativeProcedure, TimeLimit
from tests import factories
from tests.qms.test_catalogue_import import GOOD, HEADER, agencies  # noqa: F401  (fixture)


def _upload(client, text, dry_run=False):
    data = {"file": SimpleUploadedFile("tthc.csv", text.encode("utf-8"), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("qms_tthc_import"), data)


def test_admin_uploads_catalogue(client, agencies):  # noqa: F811
    client.force_login(factories.user(superuser=True))
    response = _upload(client, GOOD)
    assert response.status_code == 200
    assert 'id="import-result"' in response.content.decode()
    assert AdministrativeProcedure.objects.filter(code="1.009972").exists()
    assert TimeLimit.objects.filter(procedure__code="1.009972").count() == 2


def test_bad_row_is_shown_with_line_and_column_and_nothing_written(client, agencies):  # noqa: F811
    client.force_login(factories.user(superuser=True))
    bad = GOOD + "\n1.00x,Thủ tục lỗi,Hộ tịch,Cấp xã,Trực tuyến toàn trình,abc,01/07/2025,,PHK"
    response = _upload(client, bad)
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "Dòng 6" in html and "working_days" in html and "abc" in html
    assert AdministrativeProcedure.objects.count() == 0
    assert TimeLimit.objects.count() == 0


def test_dry_run_writes_nothing(client, agencies):  # noqa: F811
    client.force_login(factories.user(superuser=True))
    response = _upload(client, GOOD, dry_run=True)
    assert 'id="import-result"' in response.content.decode()
    assert AdministrativeProcedure.objects.count() == 0


def test_officer_cannot_reach_the_import(client, agencies):  # noqa: F811
    officer = factories.member(agencies["SXD"], "officer")
    client.force_login(officer)
    response = _upload(client, HEADER)
    assert response.status_code == 302
    assert AdministrativeProcedure.objects.count() == 0


def test_form_says_csv_and_xlsx_and_the_cap(client, settings, db):
    settings.QMS_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    client.force_login(factories.user(superuser=True))
    html = client.get(reverse("qms_tthc_import")).content.decode()
    assert "CSV (UTF-8 hoặc Windows-1258) hoặc XLSX" in html
    assert "Tối đa 10,0\xa0MB" in html


def test_admin_uploads_xlsx(client, agencies):  # noqa: F811
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(
        ["1.009972", "Cấp giấy phép xây dựng", "Xây dựng", "CAP TINH", "partial", 20, "30/12/2024"]
    )
    data = io.BytesIO()
    workbook.save(data)
    client.force_login(factories.user(superuser=True))
    upload = SimpleUploadedFile("tthc.xlsx", data.getvalue())
    response = client.post(reverse("qms_tthc_import"), {"file": upload})
    assert 'id="import-result"' in response.content.decode()
    assert TimeLimit.objects.get(procedure__code="1.009972").working_days == 20


def test_over_long_field_is_an_error_on_the_page_not_a_500(client, agencies):  # noqa: F811
    client.force_login(factories.user(superuser=True))
    huge = '\n2.000815,"' + "x" * 200_000 + '",Chứng thực,commune,none,1,01/01/2020,,PHK'
    response = _upload(client, GOOD + huge)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-errors"' in html and "Dòng 6: một ô dài quá" in html
    assert AdministrativeProcedure.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["qms_tthc_import", "qms_site_history", "qms_page_types_usage", "qms_task_chooser"]
)
@pytest.mark.django_db
def test_admin_only_pages_send_a_member_to_the_dashboard_not_round_in_circles(client, world, name):
    client.force_login(world.users[("node", "officer")])
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
