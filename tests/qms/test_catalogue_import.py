"""The TTHC import: parsing Vietnamese-style cells, all-or-nothing rejection, idempotency."""

import datetime
import io
import unicodedata
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from qms.models import AdministrativeProcedure, AgencyKind, OnlineLevel, ProcedureLevel, TimeLimit
from qms.services.catalogue import catalogue_import
from qms.tabular import TabularError
from tests import factories
from tests.qms.test_tabular import windows_1258

HEADER = (
    "code,name,field,level,online_level,working_days,effective_from,legal_basis,handling_agencies"
)

GOOD = "\n".join(
    [
        HEADER,
        '1.001193,Thủ tục đăng ký khai sinh,Hộ tịch,Cấp xã,Trực tuyến toàn trình,"0,5",01/07/2025,'
        "Luật Hộ tịch 2014,PHK;PBD",
        "2.000884,Chứng thực chữ ký,Chứng thực,commune,none,0.25,10/04/2015,"
        "Nghị định 23/2015/NĐ-CP,PHK",
        "1.009972,Cấp giấy phép xây dựng,Xây dựng,CAP TINH,truc tuyen mot phan,20,30/12/2024,,SXD",
        "1.009972,Cấp giấy phép xây dựng,Xây dựng,CAP TINH,truc tuyen mot phan,15,01/07/2025,,SXD",
    ]
)


@pytest.fixture
def agencies(db):
    city = factories.agency(code="HN", name="Thành phố", kind=AgencyKind.PROVINCE)
    return {
        "PHK": factories.agency(code="PHK", kind=AgencyKind.COMMUNE, parent=city),
        "PBD": factories.agency(code="PBD", kind=AgencyKind.COMMUNE, parent=city),
        "SXD": factories.agency(code="SXD", parent=city),
    }


def run(text, **kwargs):
    return catalogue_import(actor=None, file=io.BytesIO(text.encode("utf-8")), **kwargs)


def counts():
    return AdministrativeProcedure.objects.count(), TimeLimit.objects.count()


def test_good_file_imports_codes_limits_and_agencies(agencies):
    result = run(GOOD)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.time_limits_created == 4
    birth = AdministrativeProcedure.objects.get(code="1.001193")
    assert birth.name_folded == "thu tuc dang ky khai sinh"
    assert birth.level == ProcedureLevel.COMMUNE
    assert birth.online_level == OnlineLevel.FULL
    assert set(birth.handling_agencies.values_list("code", flat=True)) == {"PHK", "PBD"}
    assert birth.time_limits.get().working_days == Decimal("0.5")  # "0,5" with a decimal comma
    signature = AdministrativeProcedure.objects.get(code="2.000884")
    assert signature.time_limits.get().working_days == Decimal("0.25")
    assert signature.online_level == OnlineLevel.NONE
    permit = AdministrativeProcedure.objects.get(code="1.009972")
    assert permit.level == ProcedureLevel.PROVINCE  # label matched without case or accents
    assert list(permit.time_limits.values_list("working_days", flat=True)) == [20, 15]


def test_bom_semicolon_file_and_cells_are_normalised(agencies):
    decomposed = unicodedata.normalize("NFD", "Thủ tục đăng ký kết hôn")
    text = "\ufeff" + HEADER.replace(",", ";") + "\n"
    text += f"1.000894;{decomposed};Hộ tịch;commune;partial;1;01/01/2016;;PHK\n"
    run(text)
    procedure = AdministrativeProcedure.objects.get(code="1.000894")
    assert procedure.name == unicodedata.normalize("NFC", decomposed)


def test_second_import_changes_nothing(agencies):
    run(GOOD)
    history = AdministrativeProcedure.history.count(), TimeLimit.history.count()

    result = run(GOOD)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert (result.time_limits_created, result.time_limits_updated) == (0, 0)
    assert (AdministrativeProcedure.history.count(), TimeLimit.history.count()) == history


def test_changed_limit_and_agencies_count_as_updated(agencies):
    run(GOOD)
    changed = GOOD.replace('"0,5",01/07/2025', "1,01/07/2025").replace("PHK;PBD", "PHK")

    result = run(changed)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    birth = AdministrativeProcedure.objects.get(code="1.001193")
    assert birth.time_limits.get().working_days == 1
    assert list(birth.handling_agencies.values_list("code", flat=True)) == ["PHK"]


def test_history_records_the_actor(agencies):
    admin = factories.user(superuser=True)
    catalogue_import(actor=admin, file=io.BytesIO(GOOD.encode()))
    record = AdministrativeProcedure.history.filter(code="1.001193").first()
    assert record.history_user == admin


def test_non_admin_actor_is_refused(agencies):
    with pytest.raises(PermissionDenied):
        catalogue_import(actor=factories.user(), file=io.BytesIO(GOOD.encode()))


def test_dry_run_counts_but_writes_nothing(agencies):
    result = run(GOOD, dry_run=True)
    assert result.created == 3
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    "old, new, column",
    [
        ("CAP TINH,truc tuyen mot phan,20", "CAP TINH,truc tuyen mot phan,abc", "working_days"),
        (
            "1.009972,Cấp giấy phép xây dựng,Xây dựng,CAP TINH,truc tuyen mot phan,20",
            "1.00x,Cấp giấy phép xây dựng,Xây dựng,CAP TINH,truc tuyen mot phan,20",
            "code",
        ),
        ("20,30/12/2024", "20,2024-12-30", "effective_from"),
        ("CAP TINH,truc tuyen mot phan,20", "CAP TINH,truc tuyen mot phan,0.3", "working_days"),
        ("CAP TINH,truc tuyen mot phan,20", "cap huyen xa,truc tuyen mot phan,20", "level"),
    ],
)
def test_one_bad_row_rejects_the_whole_file(agencies, old, new, column):
    before = counts()
    bad = GOOD.replace(old, new, 1)
    assert bad != GOOD

    with pytest.raises(TabularError) as excinfo:
        run(bad)

    # The building-permit row is line 4 (the header is line 1).
    assert any(m.startswith(f"Dòng 4, cột «{column}»") for m in excinfo.value.messages), (
        excinfo.value.messages
    )
    assert counts() == before  # nothing written, not even the good rows 2 and 3


def test_bad_row_leaves_existing_data_untouched(agencies):
    run(GOOD)
    before = counts()
    with pytest.raises(TabularError):
        run(GOOD + "\n2.000815,X,Chứng thực,commune,none,abc,01/01/2020,,")
    assert counts() == before


def test_unknown_agency_names_row_and_code(agencies):
    with pytest.raises(TabularError) as excinfo:
        run(GOOD.replace("PHK;PBD", "PHK;NOPE"))
    (message,) = excinfo.value.messages
    assert message.startswith("Dòng 2, cột «handling_agencies»")
    assert "NOPE" in message
    assert counts() == (0, 0)


def test_missing_and_unknown_columns_are_errors(agencies):
    text = GOOD.replace(",working_days,", ",days,", 1)
    with pytest.raises(TabularError) as excinfo:
        run(text)
    messages = excinfo.value.messages
    assert any("Dòng 1, cột «days»" in m for m in messages)
    assert any("Dòng 1, cột «working_days»" in m for m in messages)
    assert counts() == (0, 0)


def test_duplicate_code_with_conflicting_data_names_both_rows(agencies):
    text = GOOD + "\n1.001193,Đăng ký khai sinh (khác),Hộ tịch,commune,full,1,01/01/2016,,PHK;PBD"
    with pytest.raises(TabularError) as excinfo:
        run(text)
    (message,) = excinfo.value.messages
    assert message.startswith("Dòng 6, cột «name»")
    assert "dòng 2" in message
    assert counts() == (0, 0)


def test_errors_list_every_bad_row(agencies):
    text = GOOD.replace('"0,5"', "abc").replace("0.25", "x")
    with pytest.raises(TabularError) as excinfo:
        run(text)
    lines = sorted(m.split(",")[0] for m in excinfo.value.messages)
    assert lines == ["Dòng 2", "Dòng 3"]


def test_command_imports_and_fails_with_nonzero_exit(agencies, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("import_tthc", str(good), "--dry-run")
    assert counts() == (0, 0)
    call_command("import_tthc", str(good))
    assert counts() == (3, 4)

    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("PHK;PBD", "NOPE"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_tthc", str(bad))
    assert "Dòng 2, cột «handling_agencies»" in capsys.readouterr().err


def test_command_exit_code_is_nonzero(agencies, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n1.00x,X,Y,commune,none,1,01/01/2020,,\n", encoding="utf-8")
    # CommandError becomes exit status 1 only through the real entry point; --skip-checks keeps
    # the test about this command, not about the URL conf of apps in progress.
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "import_tthc", str(bad), "--skip-checks"])
    assert excinfo.value.code != 0


def test_windows_1258_file_imports_with_its_encoding_named(agencies):
    result = catalogue_import(actor=None, file=io.BytesIO(windows_1258(GOOD)))

    birth = AdministrativeProcedure.objects.get(code="1.001193")
    assert birth.name == "Thủ tục đăng ký khai sinh"  # tone marks recombined (NFC)
    assert birth.field == "Hộ tịch"
    assert result.encoding == "cp1258"
    assert "Windows-1258" in result.summary()


def test_unreadable_encoding_is_named_in_words(agencies):
    # Windows-1258 leaves 0x81 undefined: line 3 is neither UTF-8 nor Windows-1258.
    data = windows_1258(GOOD).replace(b"2.000884,", b"2.000884\x81,")

    with pytest.raises(TabularError) as excinfo:
        catalogue_import(actor=None, file=io.BytesIO(data))

    (message,) = excinfo.value.messages
    assert message.startswith("Dòng 3:")
    assert "UTF-8" in message and "Windows-1258" in message
    assert "81" not in message and "\\x" not in message  # words, not bytes
    assert counts() == (0, 0)


def test_date_that_does_not_exist_is_told_apart_from_a_bad_format(agencies):
    text = GOOD.replace("20,30/12/2024", "20,31/02/2026").replace("15,01/07/2025", "15,2025-07-01")

    with pytest.raises(TabularError) as excinfo:
        run(text)

    assert excinfo.value.messages == [
        "Dòng 4, cột «effective_from»: ngày 31/02/2026 không tồn tại (giá trị «31/02/2026»)",
        "Dòng 5, cột «effective_from»: ngày sai định dạng dd/mm/yyyy (giá trị «2025-07-01»)",
    ]
    assert counts() == (0, 0)


def test_huge_field_names_its_line_and_writes_nothing(agencies):
    huge = '2.000815,"' + "x" * 200_000 + '",Chứng thực,commune,none,1,01/01/2020,,PHK'

    with pytest.raises(TabularError) as excinfo:
        run(GOOD + "\n" + huge)

    (message,) = excinfo.value.messages
    assert message.startswith("Dòng 6: một ô dài quá")
    assert len(message) < 300  # the field is not echoed back
    assert counts() == (0, 0)


def test_file_over_the_cap_is_refused_with_its_size(agencies, settings):
    settings.QMS_IMPORT_MAX_BYTES = 100
    with pytest.raises(TabularError) as excinfo:
        run(GOOD)
    (message,) = excinfo.value.messages
    assert "vượt giới hạn 100\xa0byte" in message
    assert counts() == (0, 0)


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_xlsx_file_imports_with_date_and_number_cells(agencies):
    data = _xlsx(
        [
            HEADER.split(","),
            [
                "1.001193",
                "Thủ tục đăng ký khai sinh",
                "Hộ tịch",
                "Cấp xã",
                "Trực tuyến toàn trình",
                0.5,
                datetime.datetime(2025, 7, 1),
                "Luật Hộ tịch 2014",
                "PHK;PBD",
            ],
            [],
            [
                "1.009972",
                "Cấp giấy phép xây dựng",
                "Xây dựng",
                "CAP TINH",
                "partial",
                20,
                "30/12/2024",
            ],
        ]
    )

    result = catalogue_import(actor=None, file=io.BytesIO(data))

    assert (result.created, result.time_limits_created) == (2, 2)
    birth = AdministrativeProcedure.objects.get(code="1.001193")
    limit = birth.time_limits.get()
    assert (limit.working_days, limit.effective_from) == (Decimal("0.5"), datetime.date(2025, 7, 1))
    assert set(birth.handling_agencies.values_list("code", flat=True)) == {"PHK", "PBD"}
    permit = AdministrativeProcedure.objects.get(code="1.009972")
    assert permit.time_limits.get().effective_from == datetime.date(2024, 12, 30)


def test_xlsx_errors_name_the_sheet_row(agencies):
    data = _xlsx(
        [
            HEADER.split(","),
            [],
            ["1.001193", "Khai sinh", "Hộ tịch", "commune", "full", "abc", "31/02/2026"],
        ]
    )
    with pytest.raises(TabularError) as excinfo:
        catalogue_import(actor=None, file=io.BytesIO(data))
    assert sorted(excinfo.value.messages) == [
        "Dòng 3, cột «effective_from»: ngày 31/02/2026 không tồn tại (giá trị «31/02/2026»)",
        "Dòng 3, cột «working_days»: không phải số (ví dụ 0,5 hoặc 7) (giá trị «abc»)",
    ]


@pytest.mark.django_db
def test_a_changed_time_limit_is_announced_once_committed(django_capture_on_commit_callbacks):
    from qms import signals

    heard = []

    def listener(sender, procedure, time_limit, previous_working_days, **kwargs):
        heard.append((procedure.code, time_limit.working_days, previous_working_days))

    signals.tthc_time_limit_changed.connect(listener)
    try:
        header = "code,name,field,level,online_level,working_days,effective_from\n"
        first = header + "1.000123,Cấp phiếu thử,Hộ tịch,commune,none,5,01/01/2024\n"
        with django_capture_on_commit_callbacks(execute=True):
            catalogue_import(actor=None, file=io.BytesIO(first.encode()))
        later = first + "1.000123,Cấp phiếu thử,Hộ tịch,commune,none,3,01/07/2025\n"
        with django_capture_on_commit_callbacks(execute=True):
            catalogue_import(actor=None, file=io.BytesIO(later.encode()))
        changed = later.replace(",3,", ",4,")
        with django_capture_on_commit_callbacks(execute=True):
            catalogue_import(actor=None, file=io.BytesIO(changed.encode()))
        # a dry run changes nothing and announces nothing
        with django_capture_on_commit_callbacks(execute=True):
            catalogue_import(
                actor=None, file=io.BytesIO(later.replace(",3,", ",2,").encode()), dry_run=True
            )
    finally:
        signals.tthc_time_limit_changed.disconnect(listener)
    assert [(code, str(days), prev) for code, days, prev in heard] == [
        ("1.000123", "5.00", None),
        ("1.000123", "3.00", None),
        ("1.000123", "4.00", Decimal("3.00")),
    ]
