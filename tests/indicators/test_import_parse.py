"""The one-stop export read row by row: columns found by header (Vietnamese, English, a source's
mapping), personal-data columns dropped unread, each kind of bad row reported with its line, the
file's header and the value, a file written mm/dd refused whole (issue 10 point 4)."""

import datetime as dt

import pytest

from indicators import importing
from indicators.models import ImportSource, ImportState
from indicators.models.dossiers import Channel, DossierState, Outcome
from indicators.selectors_imports import error_report_rows, import_progress
from indicators.services.imports import import_check, import_upload
from qms.tabular import CellError
from tests.indicators.import_files import TZ, ImportWorld, csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return ImportWorld.build()


def checked(w, data: bytes, *, agency=None, source=None, name="ho-so.csv"):
    imp = import_upload(
        actor=w.officer, agency=agency or w.stp, file=upload(data, name), source=source
    )
    import_check(imp.pk)
    imp.refresh_from_db()
    return imp


BAD_HEADER = [
    "Mã cơ quan",
    "Mã hồ sơ",
    "Mã TTHC",
    "Họ tên",
    "Ngày tiếp nhận",
    "Ngày trả kết quả",
    "Ngày yêu cầu bổ sung",
    "Ngày nhận đủ hồ sơ bổ sung",
    "Trạng thái",
    "Kênh nộp",
    "Số hóa",
    "Mức độ hài lòng",
]
BAD_KEYS = [
    "agency",
    "code",
    "procedure",
    "name",
    "received",
    "resolved",
    "requested",
    "resubmitted",
    "status",
    "channel",
    "digitised",
    "rating",
]


def bad_row(code, **changes):
    values = {
        "agency": "",
        "code": code,
        "procedure": "1.001806",
        "name": "Phạm Thị Dung",
        "received": "03/03/2025 08:00",
        "resolved": "",
        "requested": "",
        "resubmitted": "",
        "status": "Đang giải quyết",
        "channel": "Trực tuyến",
        "digitised": "",
        "rating": "",
    }
    values.update(changes)
    return values


# Line 2 is the first row after the header.
BAD_ROWS = [
    bad_row("B-01"),  # 2: good
    bad_row("B-02", procedure="9.999999"),  # 3
    bad_row("B-03", agency="KHONGCO"),  # 4
    bad_row("B-04", agency="PHK"),  # 5: another agency
    bad_row("B-05", agency="stp-hctp"),  # 6: good, a unit inside the officer's agency
    bad_row("B-06", received="31/02/2025 08:00"),  # 7
    bad_row("B-07", received="2025-03-03"),  # 8
    bad_row(
        "B-08", received="05/03/2025 10:00", resolved="04/03/2025 16:00", status="Đã trả kết quả"
    ),  # 9
    bad_row("B-09", resubmitted="06/03/2025 09:00"),  # 10
    bad_row("B-10", requested="07/03/2025 09:00", resubmitted="06/03/2025 09:00"),  # 11
    bad_row("B-11", status="Đã giải quyết"),  # 12
    bad_row("B-12", status="Đang xử lý", resolved="06/03/2025 10:00"),  # 13
    bad_row("B-13", channel="Fax"),  # 14
    bad_row("B-14", status="Tạm dừng"),  # 15
    bad_row("B-15", digitised="Có lẽ"),  # 16
    bad_row("B-16", rating="7"),  # 17
    bad_row("B-01", received="04/03/2025 08:00"),  # 18: the code of line 2 again
    bad_row("B-17", received="15/06/2023 09:00"),  # 19: before the TTHC had a time limit
    bad_row("B-18", status="Rút hồ sơ"),  # 20: good, withdrawn without a date
    bad_row(""),  # 21
]
EXPECTED_ERRORS = [
    (
        3,
        "Mã TTHC",
        "9.999999",
        "Dòng 3, cột «Mã TTHC»: không có TTHC mang mã này trong danh mục (giá trị «9.999999»)",
    ),
    (
        4,
        "Mã cơ quan",
        "KHONGCO",
        "Dòng 4, cột «Mã cơ quan»: không có cơ quan, đơn vị mang mã này (giá trị «KHONGCO»)",
    ),
    (
        5,
        "Mã cơ quan",
        "PHK",
        "Dòng 5, cột «Mã cơ quan»: bạn không được nhập dữ liệu hồ sơ cho “UBND phường Hoàn Kiếm”"
        " (giá trị «PHK»)",
    ),
    (
        7,
        "Ngày tiếp nhận",
        "31/02/2025 08:00",
        "Dòng 7, cột «Ngày tiếp nhận»: ngày giờ 31/02/2025 08:00 không tồn tại"
        " (giá trị «31/02/2025 08:00»)",
    ),
    (
        8,
        "Ngày tiếp nhận",
        "2025-03-03",
        "Dòng 8, cột «Ngày tiếp nhận»: ngày giờ sai định dạng dd/mm/yyyy hoặc dd/mm/yyyy HH:MM"
        " (giá trị «2025-03-03»)",
    ),
    (
        9,
        "Ngày trả kết quả",
        "04/03/2025 16:00",
        "Dòng 9, cột «Ngày trả kết quả»: trước ngày tiếp nhận 05/03/2025 10:00"
        " (giá trị «04/03/2025 16:00»)",
    ),
    (
        10,
        "Ngày nhận đủ hồ sơ bổ sung",
        "06/03/2025 09:00",
        "Dòng 10, cột «Ngày nhận đủ hồ sơ bổ sung»: có ngày nhận đủ hồ sơ bổ sung mà không có"
        " ngày yêu cầu bổ sung (giá trị «06/03/2025 09:00»)",
    ),
    (
        11,
        "Ngày nhận đủ hồ sơ bổ sung",
        "06/03/2025 09:00",
        "Dòng 11, cột «Ngày nhận đủ hồ sơ bổ sung»: trước ngày yêu cầu bổ sung"
        " (giá trị «06/03/2025 09:00»)",
    ),
    (
        12,
        "Ngày trả kết quả",
        "",
        "Dòng 12, cột «Ngày trả kết quả»: trạng thái «Đã giải quyết» cần ngày trả kết quả",
    ),
    (
        13,
        "Ngày trả kết quả",
        "06/03/2025 10:00",
        "Dòng 13, cột «Ngày trả kết quả»: trạng thái «Đang xử lý» là hồ sơ chưa giải quyết mà"
        " có ngày trả kết quả (giá trị «06/03/2025 10:00»)",
    ),
    (
        14,
        "Kênh nộp",
        "Fax",
        "Dòng 14, cột «Kênh nộp»: kênh nộp không nhận ra (Trực tuyến, Trực tiếp, Bưu chính,"
        " Bưu chính công ích) (giá trị «Fax»)",
    ),
    (
        15,
        "Trạng thái",
        "Tạm dừng",
        "Dòng 15, cột «Trạng thái»: trạng thái không nhận ra (ví dụ: Đang giải quyết, Đã trả kết"
        " quả, Từ chối, Rút hồ sơ) (giá trị «Tạm dừng»)",
    ),
    (
        16,
        "Số hóa",
        "Có lẽ",
        "Dòng 16, cột «Số hóa»: không phải Có/Không (Có, Không, x, 1, 0) (giá trị «Có lẽ»)",
    ),
    (
        17,
        "Mức độ hài lòng",
        "7",
        "Dòng 17, cột «Mức độ hài lòng»: mức độ hài lòng phải là số nguyên từ 1 đến 5"
        " (giá trị «7»)",
    ),
    (
        18,
        "Mã hồ sơ",
        "B-01",
        "Dòng 18, cột «Mã hồ sơ»: mã hồ sơ trùng với dòng 2 của tệp (giá trị «B-01»)",
    ),
    (
        19,
        "Ngày tiếp nhận",
        "15/06/2023",
        "Dòng 19, cột «Ngày tiếp nhận»: TTHC chưa có thời hạn giải quyết áp dụng ngày 15/06/2023"
        " (giá trị «15/06/2023»)",
    ),
    (21, "Mã hồ sơ", "", "Dòng 21, cột «Mã hồ sơ»: thiếu mã hồ sơ"),
]


def test_each_kind_of_bad_row_is_reported_with_its_line_header_and_value(w):
    imp = checked(w, csv_bytes(BAD_ROWS, header=BAD_HEADER, keys=BAD_KEYS))
    assert imp.state == ImportState.CHECKED
    assert list(error_report_rows(imp)) == EXPECTED_ERRORS
    # 20 rows: lines 2, 6 and 20 are good and new; the 17 others rejected.
    assert (imp.total_rows, imp.rows_done) == (20, 20)
    assert (imp.new_count, imp.updated_count, imp.unchanged_count, imp.rejected_count) == (
        3,
        0,
        0,
        17,
    )
    assert imp.dropped_columns == ["Họ tên"]
    assert import_progress(imp) == {
        "state": "checked",
        "state_label": "Đã kiểm tra, chờ xác nhận",
        "percent": 100,
        "rows_done": 20,
        "total_rows": 20,
        "rejected_count": 17,
        "finished": True,
        "message": "Đã kiểm tra 20 dòng: 3 hồ sơ mới, 0 cập nhật, 0 không đổi, 17 dòng bị từ "
        "chối. Chưa ghi gì: hãy xác nhận ghi tất cả hoặc chỉ các dòng hợp lệ, hoặc hủy.",
    }


def test_a_row_may_have_several_problems_each_named(w):
    rows = [bad_row("C-01", procedure="9.999999", channel="Fax", rating="0")]
    imp = checked(w, csv_bytes(rows, header=BAD_HEADER, keys=BAD_KEYS))
    assert [(line, field) for line, field, _v, _m in error_report_rows(imp)] == [
        (2, "Mã TTHC"),
        (2, "Kênh nộp"),
        (2, "Mức độ hài lòng"),
    ]
    assert imp.rejected_count == 1


def test_a_row_longer_than_the_header_is_rejected_without_quoting_its_cells(w):
    data = csv_bytes([bad_row("C-02")], header=BAD_HEADER, keys=BAD_KEYS)
    data += "STP,C-03,1.001806,Phạm Thị Dung,03/03/2025 08:00,,,,Đang giải quyết,Trực tuyến,,,0912345678,001085012345\r\n".encode()
    imp = checked(w, data)
    assert list(error_report_rows(imp)) == [(3, "", "", "Dòng 3: dòng có nhiều ô hơn tiêu đề")]


def test_a_file_written_month_first_is_rejected_whole_with_an_example_line(w):
    rows = [
        bad_row("M-01", received="03/03/2025 08:00"),
        bad_row("M-02", received="03/12/2025 08:00"),
        bad_row("M-03", received="03/25/2025 08:00", resolved="04/02/2025 09:00", status="Xong"),
    ]
    imp = checked(w, csv_bytes(rows, header=BAD_HEADER, keys=BAD_KEYS))
    assert imp.state == ImportState.REJECTED
    assert imp.file_error == (
        "Dòng 4, cột «Ngày tiếp nhận»: ngày trong tệp được viết theo kiểu tháng/ngày "
        "(mm/dd/yyyy): không ngày nào có phần đầu lớn hơn 12 mà ở đây phần thứ hai lớn hơn 12. "
        "Hãy xuất lại tệp với ngày dạng dd/mm/yyyy; không dòng nào được ghi "
        "(giá trị «03/25/2025 08:00»)"
    )
    assert imp.total_rows == 3 and imp.rows_done == 0 and not imp.row_errors.exists()
    assert list(error_report_rows(imp)) == [(None, "", "", imp.file_error)]
    assert import_progress(imp)["finished"] is True


def test_a_day_over_12_elsewhere_makes_a_month_over_12_a_bad_row_not_a_bad_file(w):
    rows = [
        bad_row("M-04", received="25/03/2025 08:00"),
        bad_row("M-05", received="03/25/2025 08:00"),
    ]
    imp = checked(w, csv_bytes(rows, header=BAD_HEADER, keys=BAD_KEYS))
    assert imp.state == ImportState.CHECKED
    assert [(line, field, value) for line, field, value, _m in error_report_rows(imp)] == [
        (3, "Ngày tiếp nhận", "03/25/2025 08:00")
    ]


def test_missing_required_columns_reject_the_file_naming_each(w):
    header = ["Mã hồ sơ", "Mã TTHC", "Ngày tiếp nhận", "Họ tên"]
    keys = ["code", "procedure", "received", "name"]
    imp = checked(w, csv_bytes([bad_row("R-01")], header=header, keys=keys))
    assert imp.state == ImportState.REJECTED
    assert imp.file_error.splitlines() == [
        "Dòng 1, cột «Trạng thái»: thiếu cột bắt buộc (tên khác được nhận: status, state)",
        "Dòng 1, cột «Kênh nộp»: thiếu cột bắt buộc (tên khác được nhận: Hình thức nộp, channel,"
        " submission_channel)",
    ]
    assert imp.dropped_columns == ["Họ tên"]


def test_a_field_found_twice_rejects_the_file(w):
    header = ["Mã hồ sơ", "Số hồ sơ", "Mã TTHC", "Ngày tiếp nhận", "Trạng thái", "Kênh nộp"]
    keys = ["code", "code", "procedure", "received", "status", "channel"]
    imp = checked(w, csv_bytes([bad_row("R-02")], header=header, keys=keys))
    assert imp.state == ImportState.REJECTED
    assert imp.file_error == (
        "Dòng 1, cột «Mã hồ sơ»: cột của “Mã hồ sơ” xuất hiện nhiều lần («Mã hồ sơ», «Số hồ sơ»)"
    )


def test_english_headers_are_read(w):
    header = [
        "agency_code",
        "code",
        "procedure_code",
        "received_at",
        "resolved_at",
        "status",
        "channel",
        "rating",
    ]
    rows = [
        {
            "agency": "STP",
            "code": "E-01",
            "procedure": "2.000488",
            "received": "04/03/2025 14:00",
            "resolved": "05/03/2025 08:00",
            "status": "resolved",
            "channel": "in person",
            "rating": "4",
        }
    ]
    keys = ["agency", "code", "procedure", "received", "resolved", "status", "channel", "rating"]
    imp = checked(w, csv_bytes(rows, header=header, keys=keys))
    assert (imp.state, imp.new_count, imp.rejected_count) == (ImportState.CHECKED, 1, 0)


def test_a_sources_mapping_comes_before_the_known_headers(w):
    source = ImportSource.objects.create(
        agency=w.stp,
        name="Hệ thống một cửa điện tử tỉnh",
        mapping={"code": "Số biên nhận", "received_at": "Thời điểm nhận"},
    )
    header = ["Mã hồ sơ", "Số biên nhận", "Mã TTHC", "Thời điểm nhận", "Trạng thái", "Kênh nộp"]
    rows = [
        {
            "internal": "NOI-BO-1",
            "code": "SBN-0001",
            "procedure": "1.001806",
            "received": "03/03/2025 08:00",
            "status": "Đang giải quyết",
            "channel": "Trực tuyến",
        }
    ]
    keys = ["internal", "code", "procedure", "received", "status", "channel"]
    imp = checked(w, csv_bytes(rows, header=header, keys=keys), source=source)
    assert (imp.state, imp.new_count) == (ImportState.CHECKED, 1)

    with imp.file.open("rb") as handle, importing_table(handle) as table:
        columns = importing.resolve_columns(table, source.mapping)
    assert columns.headers["code"] == "Số biên nhận"
    assert columns.headers["received_at"] == "Thời điểm nhận"


def importing_table(handle):
    from qms.tabular import open_table

    return open_table(handle)


def test_a_mapping_to_a_personal_data_column_is_not_followed(w):
    source = ImportSource.objects.create(
        agency=w.stp, name="Nguồn sai", mapping={"code": "Số CCCD"}
    )
    header = ["Số CCCD", "Mã TTHC", "Ngày tiếp nhận", "Trạng thái", "Kênh nộp"]
    rows = [
        {
            "cccd": "001085012345",
            "procedure": "1.001806",
            "received": "03/03/2025 08:00",
            "status": "Đang giải quyết",
            "channel": "Trực tuyến",
        }
    ]
    keys = ["cccd", "procedure", "received", "status", "channel"]
    imp = checked(w, csv_bytes(rows, header=header, keys=keys), source=source)
    assert imp.state == ImportState.REJECTED
    assert imp.file_error.startswith("Dòng 1, cột «Mã hồ sơ»: thiếu cột bắt buộc")
    assert imp.dropped_columns == ["Số CCCD"]
    assert "001085012345" not in imp.file_error


@pytest.mark.parametrize(
    "header",
    [
        "Họ tên",
        "Họ và tên",
        "HỌ VÀ TÊN NGƯỜI NỘP",
        "Tên người nộp",
        "Chủ hồ sơ",
        "Số CMND",
        "Số CMND/CCCD",
        "CCCD",
        "Số định danh",
        "Số giấy tờ",
        "Địa chỉ",
        "Địa chỉ thường trú",
        "Số điện thoại",
        "Điện thoại",
        "Email",
        "Thư điện tử",
        "name",
        "Full name",
        "address",
        "phone",
        "id_number",
    ],
)
def test_personal_data_headers_are_recognised(header):
    assert importing.is_personal(header)


@pytest.mark.parametrize("header", ["Mã hồ sơ", "Mã TTHC", "Trạng thái", "Ngày tiếp nhận", "STT"])
def test_other_headers_are_not_personal(header):
    assert not importing.is_personal(header)


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("Mới tiếp nhận", DossierState.RECEIVED),
        ("Đang giải quyết", DossierState.IN_PROGRESS),
        ("đang xử lý", DossierState.IN_PROGRESS),
        ("Chờ bổ sung", importing.WAITING),
        ("Đã trả kết quả", Outcome.ISSUED),
        ("ĐÃ GIẢI QUYẾT", Outcome.ISSUED),
        ("Hoàn thành", Outcome.ISSUED),
        ("Từ chối", Outcome.REFUSED),
        ("Từ chối giải quyết", Outcome.REFUSED),
        ("Rút hồ sơ", Outcome.WITHDRAWN),
        ("in_progress", DossierState.IN_PROGRESS),
        ("withdrawn", Outcome.WITHDRAWN),
    ],
)
def test_status_words(text, meaning):
    assert importing.STATUSES[importing.header_key(text)] == meaning


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Trực tuyến", Channel.ONLINE),
        ("trực tiếp", Channel.IN_PERSON),
        ("Bưu chính", Channel.POSTAL),
        ("Bưu chính công ích", Channel.PUBLIC_POSTAL),
        ("Dịch vụ bưu chính công ích", Channel.PUBLIC_POSTAL),
        ("online", Channel.ONLINE),
        ("in_person", Channel.IN_PERSON),
        ("public postal", Channel.PUBLIC_POSTAL),
    ],
)
def test_channel_words(text, channel):
    assert importing.CHANNELS[importing.header_key(text)] == channel


@pytest.mark.parametrize(
    ("text", "value"),
    [("Có", True), ("x", True), ("1", True), ("yes", True), ("TRUE", True)]
    + [("Không", False), ("0", False), ("no", False), ("", False)],
)
def test_booleans(text, value):
    assert importing.parse_boolean(text) is value


def test_moments_are_local_time_typed_or_xlsx_cells():
    assert importing.parse_moment("24/01/2025 15:00", TZ) == dt.datetime(
        2025, 1, 24, 15, 0, tzinfo=TZ
    )
    assert importing.parse_moment("5/2/2025", TZ) == dt.datetime(2025, 2, 5, 0, 0, tzinfo=TZ)
    assert importing.parse_moment("05/02/2025 07:30:15", TZ) == dt.datetime(
        2025, 2, 5, 7, 30, 15, tzinfo=TZ
    )
    assert importing.parse_moment(dt.datetime(2025, 2, 5, 15, 0), TZ) == dt.datetime(
        2025, 2, 5, 15, 0, tzinfo=TZ
    )
    assert importing.parse_moment("", TZ) is None
    with pytest.raises(CellError):
        importing.parse_moment("05/02/2025 25:00", TZ)
    with pytest.raises(CellError):
        importing.parse_moment("5 tháng 2", TZ)


def test_ratings():
    assert importing.parse_rating("5") == 5
    assert importing.parse_rating("Rất hài lòng") == 5
    assert importing.parse_rating("") is None
    for bad in ("0", "6", "4,5", "tốt"):
        with pytest.raises(CellError):
            importing.parse_rating(bad)
