"""A step-sheet file through the monthly import (issue 11): recognised by its columns, its rows
attach to dossiers of the agency already imported, each dossier's sheet written whole through the
same check → confirm → apply flow (all or nothing, or the good sheets only), a chunk never cutting
a dossier's rows; importing it again changes nothing. Times as in tests/indicators/steps_setup.py.
"""

import csv
import io

import pytest
from django.test import override_settings

from indicators.models import DossierStep, ImportMode, ImportRowError, ImportState
from indicators.models.dossiers import Timing
from indicators.selectors_steps import late_step
from indicators.services.imports import import_apply, import_check, import_confirm, import_upload
from qms.models import Role
from tests import factories
from tests.indicators.import_files import upload

from .steps_setup import dossier, issue_procedures, t

pytestmark = pytest.mark.django_db

# The one-stop system's own headers (bench/generate/files.py), the content and planned days
# ignored.
HEADER = ["Mã hồ sơ", "Mã cơ quan", "Mã TTHC", "Bước", "Nội dung", "Đơn vị thực hiện",
          "Thời hạn (ngày làm việc)", "Ngày nhận", "Ngày chuyển"]  # fmt: skip


def sheet_rows(code, agency="STP", tthc="1.STEP01"):
    def r(step, unit, handed_in, handed_out):
        return [code, agency, tthc, step, "Xử lý", unit, "1", handed_in, handed_out]

    return [
        r("B1", "Bộ phận một cửa", "10/03/2025 08:00", "10/03/2025 11:30"),
        r("B2", "Phòng Hộ tịch", "10/03/2025 13:00", "18/03/2025 13:00"),
        r("B3", "Lãnh đạo Sở", "18/03/2025 13:00", "20/03/2025 13:00"),
        r("B4", "Bộ phận một cửa", "20/03/2025 13:00", "21/03/2025 16:00"),
    ]


def csv_file(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@pytest.fixture
def setup(world, monkeypatch):
    tthc = factories.tthc(code="1.STEP01", name="Cấp phiếu thử", working_days=5)
    issue_procedures(world.node, tthc, monkeypatch, revise=False)
    dossiers = [
        dossier(world.node, tthc, f"HS-{i}", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
        for i in range(1, 4)
    ]
    return world, dossiers


def checked(world, data):
    officer = world.users["node", Role.OFFICER]
    imp = import_upload(actor=officer, agency=world.node, file=upload(data, "quy-trinh.csv"))
    import_check(imp.pk)
    imp.refresh_from_db()
    return imp


def applied(world, data, mode=ImportMode.ALL_OR_NOTHING):
    imp = checked(world, data)
    assert imp.state == ImportState.CHECKED, imp.file_error
    import_confirm(actor=world.users["node", Role.OFFICER], dossier_import=imp, mode=mode)
    import_apply(imp.pk)
    imp.refresh_from_db()
    return imp


@override_settings(QMS_IMPORT_CHUNK=3)  # chunks of 3 rows would cut every 4-row sheet
def test_a_good_sheet_file_is_checked_applied_and_measured_and_again_changes_nothing(setup):
    world, dossiers = setup
    rows = [r for d in dossiers for r in sheet_rows(d.code)]
    imp = checked(world, csv_file(rows))
    assert imp.state == ImportState.CHECKED, imp.file_error
    assert (imp.total_rows, imp.new_count, imp.updated_count, imp.rejected_count) == (12, 3, 0, 0)
    assert DossierStep.objects.count() == 0  # the dry run writes nothing

    imp = applied(world, csv_file(rows))
    assert imp.state == ImportState.APPLIED and imp.written_new == 3
    assert DossierStep.objects.count() == 12
    for d in dossiers:
        steps = list(DossierStep.objects.filter(dossier_id=d.pk).order_by("position"))
        assert [s.code for s in steps] == ["B1", "B2", "B3", "B4"]
        assert steps[1].timing == Timing.LATE
        assert late_step(d).unit == "Phòng Hộ tịch"

    again = applied(world, csv_file(rows))
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert (again.written_new, again.written_updated) == (0, 0)
    ids = set(DossierStep.objects.values_list("pk", flat=True))
    changed = [r[:] for r in rows]
    changed[1][5] = "Phòng Tư pháp"  # HS-1's B2 by another unit
    third = applied(world, csv_file(changed))
    assert (third.written_new, third.written_updated) == (0, 1)
    assert set(DossierStep.objects.values_list("pk", flat=True)) & ids  # the others untouched
    assert DossierStep.objects.get(dossier_id=dossiers[0].pk, code="B2").unit == "Phòng Tư pháp"


def test_bad_rows_reject_their_whole_sheet_and_name_the_row_field_and_value(setup):
    world, dossiers = setup
    bad_unit = sheet_rows("HS-2")
    bad_unit[2][5] = ""  # B3 without a unit
    backwards = sheet_rows("HS-3")
    backwards[1][8] = "09/03/2025 08:00"  # handed out before handed in
    rows = sheet_rows("HS-1") + bad_unit + backwards + sheet_rows("HS-KHONG-CO")
    rows.append(sheet_rows("HS-1")[0])  # HS-1 again, after other dossiers' rows
    imp = checked(world, csv_file(rows))
    assert imp.state == ImportState.CHECKED
    errors = {e.line: e for e in ImportRowError.objects.filter(dossier_import=imp)}
    # Lines: header 1; HS-1 2-5; HS-2 6-9; HS-3 10-13; unknown 14-17; HS-1 again 18.
    assert "thiếu đơn vị" in errors[8].message and errors[8].field == "Đơn vị thực hiện"
    assert "dòng 8" in errors[6].message  # the sheet's other lines name the bad one
    assert "09/03/2025 08:00" in errors[11].message and errors[11].field == "Ngày chuyển"
    assert "HS-KHONG-CO" in errors[14].message and "không có hồ sơ" in errors[14].message
    assert "liền nhau" in errors[18].message and "dòng 2" in errors[18].message
    assert set(errors) == {2, 3, 4, 5, *range(6, 19)}  # HS-1 split: its whole sheet too
    assert imp.rejected_count == 17

    good_only = sheet_rows("HS-1") + bad_unit
    imp = applied(world, csv_file(good_only), mode=ImportMode.GOOD_ROWS)
    assert imp.state == ImportState.APPLIED and imp.written_new == 1
    assert set(DossierStep.objects.values_list("dossier_id", flat=True)) == {dossiers[0].pk}

    imp = applied(world, csv_file(sheet_rows("HS-3") + bad_unit))
    assert imp.state == ImportState.CANCELLED  # all or nothing: nothing written
    assert not DossierStep.objects.filter(dossier_id=dossiers[2].pk).exists()


def test_a_sheet_file_without_a_required_column_is_rejected_naming_it(setup):
    world, _dossiers = setup
    header = [h if h != "Mã hồ sơ" else "Ghi chú" for h in HEADER]
    imp = checked(world, csv_file(sheet_rows("HS-1"), header=header))
    assert imp.state == ImportState.REJECTED
    assert "Mã hồ sơ" in imp.file_error and "thiếu cột bắt buộc" in imp.file_error


def test_another_agencys_dossier_is_refused(setup):
    world, _dossiers = setup
    imp = checked(world, csv_file(sheet_rows("HS-1", agency="STC")))
    errors = list(ImportRowError.objects.filter(dossier_import=imp).order_by("line"))
    assert errors and "không được nhập" in errors[0].message
