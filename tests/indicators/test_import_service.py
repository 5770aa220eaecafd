"""The one-stop import end to end below the admin: upload, dry run, confirmation (all or nothing,
good rows only), writing in checkpointed chunks, cancel (issue 10 point 4)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators import tasks
from indicators.models import (
    DailySummary,
    Dossier,
    DossierEvent,
    DossierImport,
    DossierKey,
    ImportMode,
    ImportRowError,
    ImportState,
    SummaryBin,
)
from indicators.models.dossiers import EventKind
from indicators.selectors_imports import error_report_rows, import_progress
from indicators.services import dossiers as dossier_service
from indicators.services import imports as service
from indicators.services import summaries
from indicators.services.imports import (
    import_apply,
    import_cancel,
    import_check,
    import_confirm,
    import_upload,
)
from qms.models import Notification, OutboundEmail
from tests.indicators.import_files import (
    GOOD_ROWS,
    PERSONAL_HEADERS,
    PERSONAL_VALUES,
    ImportWorld,
    csv_bytes,
    dossiers_of,
    events_of,
    many_rows,
    summaries_of,
    t,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

ALL, GOOD = ImportMode.ALL_OR_NOTHING, ImportMode.GOOD_ROWS


@pytest.fixture
def w(db):
    return ImportWorld.build()


def checked(w, data, *, agency=None, actor=None, name="ho-so-thang-3.csv"):
    imp = import_upload(actor=actor or w.officer, agency=agency or w.stp, file=upload(data, name))
    import_check(imp.pk)
    imp.refresh_from_db()
    return imp


def applied(w, data, *, agency=None, mode=ALL, name="ho-so-thang-3.csv"):
    imp = checked(w, data, agency=agency, name=name)
    assert imp.state == ImportState.CHECKED, imp.file_error
    import_confirm(actor=w.officer, dossier_import=imp, mode=mode)
    import_apply(imp.pk)
    imp.refresh_from_db()
    return imp


def written_counts():
    return (
        Dossier.objects.count(),
        DossierKey.objects.count(),
        DossierEvent.objects.count(),
        DailySummary.objects.count(),
        SummaryBin.objects.count(),
    )


def test_a_good_file_is_checked_confirmed_and_written_with_hand_worked_due_times(w):
    imp = checked(w, csv_bytes(GOOD_ROWS))
    assert (imp.state, imp.total_rows, imp.rows_done) == (ImportState.CHECKED, 4, 4)
    assert (imp.new_count, imp.updated_count, imp.unchanged_count, imp.rejected_count) == (
        4,
        0,
        0,
        0,
    )
    assert written_counts() == (0, 0, 0, 0, 0)  # the dry run writes nothing

    import_confirm(actor=w.officer, dossier_import=imp, mode=ALL)
    assert (imp.state, imp.mode, imp.confirmed_by) == (ImportState.APPLYING, ALL, w.officer)
    import_apply(imp.pk)
    imp.refresh_from_db()
    assert imp.state == ImportState.APPLIED and imp.finished_at is not None
    assert (imp.written_new, imp.written_updated, imp.rows_done, imp.checkpoint_line) == (
        4,
        0,
        4,
        5,
    )

    d = dossiers_of(w.stp)
    assert sorted(d) == ["H-0001", "H-0002", "H-0003", "H-0004"]
    # Fri 24/01/2025 15:00 + 3 days across Tết 2025: Wed 05/02/2025 15:00; returned Tue 04/02.
    assert d["H-0001"]["due_at"] == t(2025, 2, 5, 15, 0)
    assert d["H-0001"]["resolved_at"] == t(2025, 2, 4, 9, 30)
    assert (d["H-0001"]["state"], d["H-0001"]["outcome"], d["H-0001"]["timing"]) == (
        "resolved",
        "issued",
        "early",
    )
    assert d["H-0001"]["appointment_at"] == t(2025, 2, 5, 15, 0)
    assert d["H-0001"]["due_mismatch"] is False
    assert (d["H-0001"]["channel"], d["H-0001"]["digitised"], d["H-0001"]["rating"]) == (
        "online",
        True,
        5,
    )
    assert d["H-0001"]["limit_days"] == Decimal("3.00")
    # Mon 03/03/2025 08:00 + 3 days: Thu 06/03/2025 08:00; the appointment "06/03/2025" is a day.
    assert d["H-0002"]["due_at"] == t(2025, 3, 6, 8, 0)
    assert (d["H-0002"]["state"], d["H-0002"]["timing"], d["H-0002"]["channel"]) == (
        "in_progress",
        "",
        "in_person",
    )
    assert d["H-0002"]["due_mismatch"] is False
    assert d["H-0002"]["resolved_at"] is None and d["H-0002"]["rating"] is None
    # Tue 04/03/2025 14:00 + half a day: Wed 05/03/2025 08:30; refused at 10:00 that day: late.
    assert d["H-0003"]["due_at"] == t(2025, 3, 5, 8, 30)
    assert (d["H-0003"]["state"], d["H-0003"]["outcome"], d["H-0003"]["timing"]) == (
        "refused",
        "refused",
        "late",
    )
    assert (d["H-0003"]["channel"], d["H-0003"]["digitised"], d["H-0003"]["rating"]) == (
        "postal",
        True,
        2,
    )
    # Complete on Mon 10/03/2025 14:00: the 3 days restart, due Thu 13/03/2025 14:00.
    assert d["H-0004"]["due_at"] == t(2025, 3, 13, 14, 0)
    assert d["H-0004"]["clock_started_at"] == t(2025, 3, 10, 14, 0)
    assert d["H-0004"]["supplement_requested_at"] == t(2025, 3, 6, 10, 0)
    assert d["H-0004"]["supplement_count"] == 1
    assert (d["H-0004"]["state"], d["H-0004"]["channel"]) == ("in_progress", "public_postal")

    assert set(Dossier.objects.values_list("last_import", flat=True)) == {imp.pk}
    kinds = [(code, kind) for code, kind, _at, _data in events_of(w.stp)]
    assert sorted(kinds) == sorted(
        [
            ("H-0001", EventKind.RECEIVED),
            ("H-0001", EventKind.RESOLVED),
            ("H-0002", EventKind.RECEIVED),
            ("H-0003", EventKind.RECEIVED),
            ("H-0003", EventKind.REFUSED),
            ("H-0004", EventKind.RECEIVED),
            ("H-0004", EventKind.SUPPLEMENT_REQUESTED),
            ("H-0004", EventKind.RESUBMITTED),
        ]
    )
    assert set(DossierEvent.objects.values_list("dossier_import", "actor")) == {
        (imp.pk, w.officer.pk)
    }
    assert summaries.drifts() == []
    received = {
        (s.procedure.code, s.day): s.received
        for s in DailySummary.objects.filter(agency=w.stp, received__gt=0)
    }
    assert received == {
        ("1.001806", dt.date(2025, 1, 24)): 1,
        ("1.001806", dt.date(2025, 3, 3)): 1,
        ("2.000488", dt.date(2025, 3, 4)): 1,
        ("1.001806", dt.date(2025, 3, 5)): 1,
    }

    # The uploader is told, in Vietnamese, with the counts.
    (notification,) = Notification.objects.filter(recipient=w.officer)
    assert notification.title == (
        "Đã ghi dữ liệu hồ sơ từ tệp «ho-so-thang-3.csv»: 4 hồ sơ mới, 0 cập nhật, "
        "0 dòng bị từ chối"
    )
    assert import_progress(imp) == {
        "state": "applied",
        "state_label": "Đã ghi dữ liệu",
        "percent": 100,
        "rows_done": 4,
        "total_rows": 4,
        "rejected_count": 0,
        "finished": True,
        "message": "Đã ghi: 4 hồ sơ mới, 0 cập nhật; 0 dòng bị từ chối không được ghi.",
    }


def test_upload_keeps_the_file_its_name_hash_and_uploader_and_schedules_the_check(
    w, django_capture_on_commit_callbacks
):
    data = csv_bytes(GOOD_ROWS)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        imp = import_upload(actor=w.officer, agency=w.stp, file=upload(data, "thang-3.csv"))
    (check,) = callbacks  # run eagerly in the tests
    assert (check.func.__self__.name, check.args) == ("indicators.tasks.import_check", (imp.pk,))
    imp.refresh_from_db()
    assert imp.state == ImportState.CHECKED
    assert (imp.file_name, imp.uploaded_by, imp.agency) == ("thang-3.csv", w.officer, w.stp)
    import hashlib

    assert imp.file_sha256 == hashlib.sha256(data).hexdigest()
    with imp.file.open("rb") as handle:
        assert handle.read() == data  # kept as uploaded until the import is over

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_confirm(actor=w.officer, dossier_import=imp, mode=GOOD)
    assert (callbacks[0].func.__self__.name, callbacks[0].args) == (
        "indicators.tasks.import_apply",
        (imp.pk,),
    )
    imp.refresh_from_db()
    assert imp.state == ImportState.APPLIED and Dossier.objects.count() == 4


def test_upload_refuses_other_files(w):
    with pytest.raises(ValidationError) as excinfo:
        import_upload(actor=w.officer, agency=w.stp, file=upload(b"%PDF-1.4", "ho-so.pdf"))
    assert "không phải CSV hay XLSX" in excinfo.value.messages[0]
    assert not DossierImport.objects.exists()


def test_an_officer_cannot_import_into_another_agency(w):
    with pytest.raises(ValidationError) as excinfo:
        import_upload(actor=w.officer, agency=w.phk, file=upload(csv_bytes(GOOD_ROWS)))
    assert excinfo.value.messages == [
        "Bạn không được nhập dữ liệu hồ sơ cho “UBND phường Hoàn Kiếm”."
    ]
    # A leader reads imports but does not upload them.
    with pytest.raises(ValidationError):
        import_upload(actor=w.leader, agency=w.stp, file=upload(csv_bytes(GOOD_ROWS)))
    assert not DossierImport.objects.exists()


def test_nor_through_the_agency_code_column(w):
    header = ["Mã đơn vị", "Mã hồ sơ", "Mã TTHC", "Ngày tiếp nhận", "Trạng thái", "Kênh nộp"]
    keys = ["agency", "code", "procedure", "received", "status", "channel"]
    base = {"procedure": "1.001806", "status": "Đang giải quyết", "channel": "Trực tuyến"}
    rows = [
        {**base, "agency": "PHK", "code": "X-01", "received": "03/03/2025 08:00"},
        {**base, "agency": "STP-HCTP", "code": "X-02", "received": "03/03/2025 09:00"},
        {**base, "agency": "", "code": "X-03", "received": "03/03/2025 10:00"},
    ]
    imp = applied(w, csv_bytes(rows, header=header, keys=keys), mode=GOOD)
    assert [(line, field, value) for line, field, value, _m in error_report_rows(imp)] == [
        (2, "Mã đơn vị", "PHK")
    ]
    assert imp.state == ImportState.APPLIED
    assert set(Dossier.objects.values_list("agency__code", "code")) == {
        ("STP-HCTP", "X-02"),
        ("STP", "X-03"),
    }
    assert not Dossier.objects.filter(agency=w.phk).exists()
    assert not DossierKey.objects.filter(agency=w.phk).exists()


def test_only_an_officer_of_the_agency_confirms_or_cancels(w):
    imp = checked(w, csv_bytes(GOOD_ROWS))
    for actor in (w.leader, w.other_officer):
        with pytest.raises(PermissionDenied):
            import_confirm(actor=actor, dossier_import=imp, mode=ALL)
        with pytest.raises(PermissionDenied):
            import_cancel(actor=actor, dossier_import=imp)
    imp.refresh_from_db()
    assert imp.state == ImportState.CHECKED and imp.confirmed_by is None
    with pytest.raises(ValidationError):
        import_confirm(actor=w.officer, dossier_import=imp, mode="some")


def test_a_confirmed_or_cancelled_import_is_not_confirmed_again(w):
    imp = checked(w, csv_bytes(GOOD_ROWS))
    import_cancel(actor=w.officer, dossier_import=imp)
    assert imp.state == ImportState.CANCELLED and imp.finished_at is not None
    assert import_progress(imp)["message"] == "Đã hủy, không ghi gì."
    with pytest.raises(ValidationError) as excinfo:
        import_confirm(actor=w.officer, dossier_import=imp, mode=GOOD)
    assert excinfo.value.messages == [
        "Lần nhập đang ở trạng thái “Đã hủy”: chỉ xác nhận được khi đã kiểm tra xong."
    ]
    import_apply(imp.pk)  # a stray task does nothing
    assert written_counts() == (0, 0, 0, 0, 0)


def bad_and_good():
    bad = dict(GOOD_ROWS[1], code="H-0009", channel="Fax")
    return [*GOOD_ROWS[:2], bad, *GOOD_ROWS[2:]]


def test_all_or_nothing_with_rejected_rows_writes_nothing_and_says_so(w):
    imp = checked(w, csv_bytes(bad_and_good()))
    assert (imp.new_count, imp.rejected_count) == (4, 1)
    import_confirm(actor=w.officer, dossier_import=imp, mode=ALL)
    imp.refresh_from_db()
    assert imp.state == ImportState.CANCELLED and imp.confirmed_by == w.officer
    assert written_counts() == (0, 0, 0, 0, 0)
    assert import_progress(imp)["message"] == (
        "Không ghi gì: tệp có 1 dòng bị từ chối và đã chọn “tất cả hoặc không ghi gì”, nên lần "
        "nhập đã bị hủy. Sửa các dòng trong báo cáo lỗi rồi tải tệp lên lại, hoặc chọn chỉ ghi "
        "các dòng hợp lệ ở lần nhập sau."
    )


def test_good_rows_only_writes_the_good_rows(w):
    imp = applied(w, csv_bytes(bad_and_good()), mode=GOOD)
    assert imp.state == ImportState.APPLIED
    assert (imp.written_new, imp.rejected_count) == (4, 1)
    assert sorted(dossiers_of(w.stp)) == ["H-0001", "H-0002", "H-0003", "H-0004"]
    assert not DossierKey.objects.filter(code="H-0009").exists()
    assert summaries.drifts() == []
    assert Notification.objects.get(recipient=w.officer).title.endswith(
        "4 hồ sơ mới, 0 cập nhật, 1 dòng bị từ chối"
    )


def test_a_rejected_file_writes_nothing(w):
    rows = [dict(r) for r in GOOD_ROWS]
    rows[1]["received"] = "03/13/2025 08:00"  # the only dates: month first
    for r in rows:
        r["appointment"] = ""
        r["resolved"] = r["resolved"] and "02/04/2025 09:30"
        r["requested"] = r["requested"] and "03/06/2025 10:00"
        r["resubmitted"] = r["resubmitted"] and "03/10/2025 14:00"
    rows[0]["received"] = "01/24/2025 15:00"
    rows[2]["received"], rows[2]["resolved"] = "03/04/2025 14:00", "03/05/2025 10:00"
    rows[3]["received"] = "03/05/2025 09:00"
    imp = checked(w, csv_bytes(rows))
    assert imp.state == ImportState.REJECTED
    assert "tháng/ngày" in imp.file_error and imp.file_error.startswith("Dòng 2,")
    # Nothing to confirm, nothing written.
    with pytest.raises(ValidationError):
        import_confirm(actor=w.officer, dossier_import=imp, mode=GOOD)
    import_apply(imp.pk)
    assert written_counts() == (0, 0, 0, 0, 0)
    assert not ImportRowError.objects.exists()


def test_re_importing_the_same_file_changes_nothing(w):
    data = csv_bytes(GOOD_ROWS)
    applied(w, data)
    before = (
        dossiers_of(w.stp),
        events_of(w.stp),
        summaries_of(w.stp),
        list(Dossier.objects.order_by("pk").values_list("pk", "updated_at", "last_import")),
        written_counts(),
    )
    again = checked(w, data)
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    import_confirm(actor=w.officer, dossier_import=again, mode=ALL)
    import_apply(again.pk)
    again.refresh_from_db()
    assert again.state == ImportState.APPLIED
    assert (again.written_new, again.written_updated) == (0, 0)
    after = (
        dossiers_of(w.stp),
        events_of(w.stp),
        summaries_of(w.stp),
        list(Dossier.objects.order_by("pk").values_list("pk", "updated_at", "last_import")),
        written_counts(),
    )
    assert after == before


def test_a_later_file_updates_what_changed(w):
    applied(w, csv_bytes(GOOD_ROWS))
    rows = [dict(r) for r in GOOD_ROWS]
    rows[1].update(resolved="05/03/2025 16:00", status="Đã trả kết quả")
    imp = applied(w, csv_bytes(rows), name="ho-so-thang-3-lan-2.csv")
    assert (imp.new_count, imp.updated_count, imp.unchanged_count) == (0, 1, 3)
    assert (imp.written_new, imp.written_updated) == (0, 1)
    d = dossiers_of(w.stp)["H-0002"]
    # Due Thu 06/03/2025 08:00, returned Wed 05/03 16:00: a day before, early.
    assert (d["state"], d["timing"], d["resolved_at"]) == (
        "resolved",
        "early",
        t(2025, 3, 5, 16, 0),
    )
    assert summaries.drifts() == []


def import_into(w, agency, data, name):
    return applied(w, data, agency=agency, name=name)


def test_csv_in_every_encoding_and_xlsx_give_identical_dossiers(w):
    from tests import factories

    files = {
        "utf-8": ("ho-so.csv", csv_bytes(GOOD_ROWS)),
        "utf-8-bom": ("ho-so-bom.csv", csv_bytes(GOOD_ROWS, encoding="utf-8-sig")),
        "windows-1258": ("ho-so-1258.csv", csv_bytes(GOOD_ROWS, encoding="cp1258")),
        "semicolon": ("ho-so-excel.csv", csv_bytes(GOOD_ROWS, delimiter=";")),
        "xlsx-date-cells": ("ho-so.xlsx", xlsx_bytes(GOOD_ROWS)),
        "xlsx-typed-dates": ("ho-so-chu.xlsx", xlsx_bytes(GOOD_ROWS, date_cells=False)),
    }
    results = {}
    for n, (label, (name, data)) in enumerate(files.items()):
        unit = factories.agency(name=f"Bộ phận một cửa {n}", parent=w.stp, code=f"STP-MC{n}")
        imp = import_into(w, unit, data, name)
        assert (imp.state, imp.written_new, imp.rejected_count) == (ImportState.APPLIED, 4, 0), (
            label,
            imp.file_error,
            list(error_report_rows(imp)),
        )
        results[label] = (dossiers_of(unit), events_of(unit), summaries_of(unit))
    first = results["utf-8"]
    assert first[0]["H-0001"]["due_at"] == t(2025, 2, 5, 15, 0)
    for label, result in results.items():
        assert result == first, label
    assert summaries.drifts() == []


def stored_text() -> str:
    """Every text a model of the import may hold, rows and files."""
    parts = []
    for model in (Dossier, DossierKey, DossierEvent, ImportRowError, DossierImport):
        for row in model.objects.values():
            parts.append(json.dumps(row, default=str, ensure_ascii=False))
    for model in (Notification, OutboundEmail):
        for row in model.objects.values():
            parts.append(json.dumps(row, default=str, ensure_ascii=False))
    for imp in DossierImport.objects.all():
        with imp.file.open("rb") as handle:
            parts.append(handle.read().decode("utf-8-sig", errors="replace"))
    return "\n".join(parts)


def test_personal_data_columns_are_never_stored(w):
    rows = bad_and_good()
    rows.append(dict(GOOD_ROWS[0], code="H-0010", procedure="9.999999", received="bad"))
    data = csv_bytes(rows)
    for value in PERSONAL_VALUES:
        assert value in data.decode()
    imp = applied(w, data, mode=GOOD)
    assert imp.state == ImportState.APPLIED and imp.rejected_count == 2
    assert imp.dropped_columns == PERSONAL_HEADERS
    # An XLSX file cancelled, and a CSV one cancelled by all-or-nothing, too.
    workbook = checked(w, xlsx_bytes(rows), name="ho-so.xlsx")
    import_cancel(actor=w.officer, dossier_import=workbook)
    assert workbook.file.name.startswith("dossier-imports/khong-du-lieu-ca-nhan/ho-so")
    cancelled = checked(w, data)
    import_confirm(actor=w.officer, dossier_import=cancelled, mode=ALL)
    assert cancelled.state == ImportState.CANCELLED
    text = stored_text()
    for value in PERSONAL_VALUES:
        assert value not in text, value
    # Once over, the stored copy has the other columns and the original lines.
    imp.refresh_from_db()
    with imp.file.open("rb") as handle:
        copy = handle.read().decode("utf-8-sig").splitlines()
    assert imp.file.name.startswith("dossier-imports/khong-du-lieu-ca-nhan/ho-so-thang-3")
    assert imp.file_name == "ho-so-thang-3.csv"
    assert copy[0] == (
        "Dòng trong tệp gốc,STT,Mã hồ sơ,Mã TTHC,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,"
        "Ngày yêu cầu bổ sung,Ngày nhận đủ hồ sơ bổ sung,Trạng thái,Kênh nộp,Số hóa,"
        "Mức độ hài lòng"
    )
    assert copy[1] == (
        "2,1,H-0001,1.001806,24/01/2025 15:00,05/02/2025 15:00,04/02/2025 09:30,,,"
        "Đã trả kết quả,Trực tuyến,Có,5"
    )
    assert len(copy) == 7


def test_the_check_starts_over_cleanly_when_delivered_again(w):
    imp = checked(w, csv_bytes(bad_and_good()))
    errors = list(error_report_rows(imp))
    counts = (imp.new_count, imp.rejected_count, imp.rows_done)
    # A worker died in the middle of the check: the task comes again.
    DossierImport.objects.filter(pk=imp.pk).update(state=ImportState.CHECKING, rows_done=2)
    import_check(imp.pk)
    imp.refresh_from_db()
    assert list(error_report_rows(imp)) == errors
    assert (imp.new_count, imp.rejected_count, imp.rows_done) == counts
    # Once checked, a late duplicate of the task does nothing.
    import_check(imp.pk)
    assert ImportRowError.objects.count() == 1


def test_a_crashed_apply_resumes_from_its_checkpoint_and_equals_a_clean_run(
    w, settings, monkeypatch
):
    from tests import factories

    settings.QMS_IMPORT_CHUNK = 3
    data = csv_bytes(many_rows(10))  # lines 2-11: chunks 2-4, 5-7, 8-10, 11
    calls, crashed = [], []
    real_upsert = dossier_service.upsert

    def crashing_upsert(records, **kwargs):
        calls.append([r.line for r in records])
        if len(calls) == 2 and not crashed:
            crashed.append(True)
            raise RuntimeError("the worker's machine lost power")
        return real_upsert(records, **kwargs)

    imp = checked(w, data)
    import_confirm(actor=w.officer, dossier_import=imp, mode=ALL)
    monkeypatch.setattr(service, "upsert", crashing_upsert)
    with pytest.raises(RuntimeError):
        import_apply(imp.pk)
    imp.refresh_from_db()
    # The first chunk is committed, the second rolled back as a whole.
    assert (imp.state, imp.checkpoint_line, imp.rows_done, imp.written_new) == (
        ImportState.FAILED,
        4,
        3,
        3,
    )
    assert sorted(dossiers_of(w.stp)) == ["N-0000", "N-0001", "N-0002"]
    assert summaries.drifts() == []
    assert import_progress(imp)["message"] == (
        "Lỗi hệ thống khi ghi dữ liệu; các dòng đến dòng 4 của tệp đã được ghi và được giữ. "
        "Chạy lại sẽ ghi tiếp từ dòng sau, không ghi lại dòng nào."
    )
    assert imp.file_error == ""

    calls.clear()
    import_apply(imp.pk)  # the task delivered again
    imp.refresh_from_db()
    assert calls == [[5, 6, 7], [8, 9, 10], [11]]  # resumed after line 4, nothing redone
    assert (imp.state, imp.checkpoint_line, imp.rows_done, imp.written_new) == (
        ImportState.APPLIED,
        11,
        10,
        10,
    )
    assert Notification.objects.filter(recipient=w.officer).count() == 1

    monkeypatch.setattr(service, "upsert", real_upsert)
    clean_agency = factories.agency(name="Bộ phận một cửa sạch", parent=w.stp, code="STP-SACH")
    clean = applied(w, data, agency=clean_agency)
    assert clean.written_new == 10
    assert dossiers_of(w.stp) == dossiers_of(clean_agency)
    assert events_of(w.stp) == events_of(clean_agency)
    assert summaries_of(w.stp) == summaries_of(clean_agency)
    assert summaries.drifts() == []


def test_a_long_apply_hands_over_to_a_new_run_after_its_checkpoint(
    w, settings, django_capture_on_commit_callbacks
):
    settings.QMS_IMPORT_CHUNK = 3
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # every run is out of time after one chunk
    imp = checked(w, csv_bytes(many_rows(7)))
    import_confirm(actor=w.officer, dossier_import=imp, mode=ALL)
    with django_capture_on_commit_callbacks() as callbacks:
        import_apply(imp.pk)
    imp.refresh_from_db()
    assert (imp.state, imp.checkpoint_line, imp.rows_done) == (ImportState.APPLYING, 4, 3)
    assert len(callbacks) == 1  # tasks.import_apply.delay for the rest
    import_apply(imp.pk)
    import_apply(imp.pk)
    imp.refresh_from_db()
    assert (imp.state, imp.checkpoint_line, imp.written_new) == (ImportState.APPLIED, 8, 7)


def test_a_failed_check_can_be_retried(w, monkeypatch, django_capture_on_commit_callbacks):
    imp = import_upload(actor=w.officer, agency=w.stp, file=upload(csv_bytes(GOOD_ROWS)))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "upsert", broken)
    with pytest.raises(RuntimeError):
        import_check(imp.pk)
    imp.refresh_from_db()
    assert imp.state == ImportState.FAILED and imp.file_error == ""
    assert import_progress(imp)["finished"] is True
    assert import_progress(imp)["message"] == (
        "Lỗi hệ thống khi kiểm tra tệp, chưa ghi gì; quản trị viên đã được báo. Có thể chạy lại "
        "việc kiểm tra."
    )
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        service.import_retry(actor=w.officer, dossier_import=imp)
    imp.refresh_from_db()
    assert (imp.state, imp.new_count) == (ImportState.CHECKED, 4)


def test_the_nightly_summary_check_repairs_drift(w, caplog):
    applied(w, csv_bytes(GOOD_ROWS))
    assert tasks.summaries_nightly_check() == 0
    DailySummary.objects.filter(agency=w.stp).update(received=7)
    assert tasks.summaries_nightly_check() > 0
    assert "summary tables drifted" in caplog.text
    assert summaries.drifts() == []


def test_the_nightly_check_is_scheduled():
    from celery.schedules import crontab

    from qms.celery import collect_beat_schedules

    entry = collect_beat_schedules()["indicators-summaries-check"]
    assert entry["task"] == "indicators.tasks.summaries_nightly_check"
    assert entry["schedule"] == crontab(hour=2, minute=30)


EXTENSION_HEADER = [
    "Mã hồ sơ",
    "Mã TTHC",
    "Ngày tiếp nhận",
    "Ngày trả kết quả",
    "Trạng thái",
    "Kênh nộp",
    "Ngày gửi thư xin lỗi",
    "Ngày hẹn trả lại",
    "Ngày cập nhật",
]
EXTENSION_KEYS = [
    "code",
    "procedure",
    "received",
    "resolved",
    "status",
    "channel",
    "extended",
    "extended_due",
    "updated",
]


def extension_file(**changes) -> bytes:
    values = {
        "code": "H-0002",
        "procedure": "1.001806",
        "received": "03/03/2025 08:00",
        "resolved": "",
        "status": "Đang giải quyết",
        "channel": "Trực tiếp",
        "extended": "06/03/2025 09:00",
        "extended_due": "10/03/2025 16:00",
        "updated": "06/03/2025 09:00",
    }
    values.update(changes)
    return csv_bytes([values], header=EXTENSION_HEADER, keys=EXTENSION_KEYS)


def test_an_extension_is_kept_once_and_an_older_update_is_ignored(w):
    first = applied(w, extension_file())
    assert first.written_new == 1
    d = dossiers_of(w.stp)["H-0002"]
    # Due Thu 06/03/2025 08:00 (3 days from Mon 08:00); the apology letter's new date is kept
    # beside it and does not move it.
    assert (d["due_at"], d["extended_at"], d["extended_due_at"], d["source_updated_at"]) == (
        t(2025, 3, 6, 8, 0),
        t(2025, 3, 6, 9, 0),
        t(2025, 3, 10, 16, 0),
        t(2025, 3, 6, 9, 0),
    )
    # A second apology letter: the upsert's refusal, worded like the file's other errors.
    second = checked(w, extension_file(extended="07/03/2025 09:00", updated="07/03/2025 09:00"))
    assert list(error_report_rows(second)) == [
        (
            2,
            "Ngày gửi thư xin lỗi",
            "07/03/2025 09:00",
            "Dòng 2, cột «Ngày gửi thư xin lỗi»: hồ sơ đã gia hạn (thư xin lỗi) ngày 06/03/2025; "
            "chỉ được gia hạn một lần (giá trị «07/03/2025 09:00»)",
        )
    ]
    # A row the source updated before what is stored changes nothing.
    older = checked(
        w,
        extension_file(
            resolved="05/03/2025 16:00", status="Đã trả kết quả", updated="05/03/2025 17:00"
        ),
    )
    assert (older.new_count, older.updated_count, older.unchanged_count) == (0, 0, 1)
