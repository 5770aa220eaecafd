"""The core CSV/XLSX reader: encodings, delimiters, NFC, errors by line and column, lazy records."""

import datetime
import io
import unicodedata
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from qms import tabular
from qms.tabular import CellError, TabularError

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """``text`` as a Vietnamese office's Windows-1258 file: base letters, then combining tones."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(
            unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones
        )
    return "".join(out).encode("cp1258")


def read(data: bytes, **kwargs):
    with tabular.open_table(io.BytesIO(data), **kwargs) as table:
        return table, list(table)


def messages(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(TabularError) as excinfo:
        read(data, **kwargs)
    return excinfo.value.messages


def test_header_is_folded_values_are_nfc_and_blank_rows_skipped():
    decomposed = unicodedata.normalize("NFD", "Hộ tịch")
    table, records = read(f"Mã TTHC, Lĩnh vực \n\n1.001193,  {decomposed} \n,\n".encode())
    assert table.columns == ["ma tthc", "linh vuc"]
    assert table.header == ["Mã TTHC", "Lĩnh vực"]
    assert records == [(3, {"ma tthc": "1.001193", "linh vuc": "Hộ tịch"})]


def test_line_numbers_follow_quoted_fields_over_several_lines():
    _, records = read(b'a,b\n1,"two\nlines"\n3,x\n')
    assert [line for line, _ in records] == [2, 4]
    assert records[0][1]["b"] == "two\nlines"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed_from_the_header(delimiter):
    text = delimiter.join(["code", "working_days", "name"]) + "\n"
    text += delimiter.join(["1.001193", '"0,5"' if delimiter == "," else "0,5", "a"]) + "\n"
    _, records = read(text.encode())
    assert records == [(2, {"code": "1.001193", "working_days": "0,5", "name": "a"})]


def test_utf8_with_bom():
    table, records = read("\ufeffcode,tên\n1,Đà Nẵng\n".encode())
    assert table.columns == ["code", "ten"]
    assert table.encoding == "utf-8"
    assert records[0][1]["ten"] == "Đà Nẵng"


def test_windows_1258_is_read_and_said():
    table, records = read(windows_1258("tên,lĩnh vực\nThủ tục đăng ký kết hôn,Hộ tịch\n"))
    assert table.encoding_name == "Windows-1258"
    assert table.columns == ["ten", "linh vuc"]
    assert records == [(2, {"ten": "Thủ tục đăng ký kết hôn", "linh vuc": "Hộ tịch"})]


def test_a_file_in_neither_encoding_names_the_line_in_words():
    data = windows_1258("tên\nHộ tịch\n") + b"x\x81y\n"
    assert messages(data) == [
        "Dòng 3: tệp không phải UTF-8 hay Windows-1258 (dòng này không đọc được theo bảng mã"
        " nào): hãy lưu lại dưới dạng CSV UTF-8"
    ]


def test_a_file_mixing_utf8_and_windows_1258_names_both_lines():
    data = "tên\nHộ tịch\n".encode() + windows_1258("Chứng thực\n")
    (message,) = messages(data)
    assert message.startswith("Dòng 3: dòng này không phải UTF-8 trong khi dòng 2 là UTF-8")


def test_utf16_and_nul_and_xls_are_refused_in_words():
    assert "UTF-16" in messages("tên\tx\n".encode("utf-16"))[0]
    assert messages(b"a,b\nx\x00,y\n") == [
        "Dòng 2: dòng chứa ký tự NUL: tệp không phải CSV văn bản"
    ]
    assert ".xls" in messages(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)[0]


def test_over_long_field_names_the_line_where_it_starts():
    data = b'a,b\n1,2\n3,"' + b"x" * 200_000 + b"\n4,5\n"
    (message,) = messages(data)
    assert message.startswith("Dòng 3: một ô dài quá 131.072 ký tự")


def test_records_are_read_lazily():
    data = b'a,b\n1,2\n3,"' + b"x" * 200_000 + b"\n"
    with tabular.open_table(io.BytesIO(data)) as table:
        records = iter(table)
        assert next(records) == (2, {"a": "1", "b": "2"})  # the bad line 3 is not read yet
        with pytest.raises(TabularError):
            next(records)


def test_size_cap_names_size_and_cap(settings):
    settings.QMS_IMPORT_MAX_BYTES = 2048
    (message,) = messages(b"a\n" + b"1\n" * 2000)
    assert message == (
        "Tệp nặng 3,9\xa0KB, vượt giới hạn 2,0\xa0KB: hãy chia thành nhiều tệp nhỏ hơn."
    )
    assert read(b"a\n1\n", limit=4)[1] == [(2, {"a": "1"})]


def test_empty_file_and_short_and_long_rows():
    assert messages(b"\n \n") == ["Tệp trống: thiếu dòng tiêu đề."]
    _, records = read(b"a,b,\n1\n1,2,3,,4\n")
    assert records[0] == (2, {"a": "1", "b": ""})
    line, values = records[1]
    assert values[None] == ["3", "4"]
    assert tabular.extra_cells_problem(line, values) == (
        "Dòng 3: dòng có nhiều ô hơn tiêu đề (giá trị «3 | 4»)"
    )
    assert tabular.extra_cells_problem(*records[0]) is None


def test_check_columns_names_unknown_repeated_and_missing_columns():
    with (
        tabular.open_table(io.BytesIO("Mã,tên,TÊN,,x\n".encode())) as table,
        pytest.raises(TabularError) as excinfo,
    ):
        table.check_columns(required=["ma", "ten", "code"], optional=["ghi chu"])
    assert excinfo.value.messages == [
        "Dòng 1, cột «ten»: cột bị lặp (giá trị «ten»)",
        "Dòng 1, cột «số 4»: cột không có tên",
        "Dòng 1, cột «x»: cột không được hỗ trợ (giá trị «x»)",
        "Dòng 1, cột «code»: thiếu cột bắt buộc (giá trị «»)",
    ]


def test_path_and_uploads_are_read_and_uploads_left_open(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a\n1\n")
    with tabular.open_table(path) as table:
        assert list(table) == [(2, {"a": "1"})]
    for upload in (
        SimpleUploadedFile("f.csv", b"a\n1\n"),
        TemporaryUploadedFile("f.csv", "text/csv", 4, None),
    ):
        if isinstance(upload, TemporaryUploadedFile):
            upload.write(b"a\n1\n")
        with tabular.open_table(upload) as table:
            assert list(table) == [(2, {"a": "1"})]
        assert not upload.closed
        upload.seek(0)
        assert upload.read() == b"a\n1\n"


def _xlsx(rows, *, sheet=None) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    if sheet:
        sheet(workbook.active)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_xlsx_rows_keep_sheet_line_numbers_dates_and_numbers_as_text():
    data = _xlsx(
        [
            ["Mã", "Số ngày", "Hiệu lực", None],
            [],
            ["1.001193", 0.5, datetime.datetime(2025, 7, 1), None],
            ["2.000884", 20.0, "31/12/2025", "thừa"],
        ],
        sheet=lambda ws: ws.cell(row=6, column=1, value="=1+1"),  # a formula never computed
    )
    table, records = read(data)
    assert (table.format, table.encoding, table.columns) == (
        "xlsx",
        None,
        ["ma", "so ngay", "hieu luc"],
    )
    assert records == [
        (3, {"ma": "1.001193", "so ngay": "0.5", "hieu luc": datetime.datetime(2025, 7, 1)}),
        (4, {"ma": "2.000884", "so ngay": "20", "hieu luc": "31/12/2025", None: ["thừa"]}),
    ]


def test_zip_that_is_not_xlsx_and_damaged_xlsx_are_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("content.xml", "<x/>")
    assert "không phải bảng tính XLSX" in messages(archive.getvalue())[0]
    assert "XLSX hỏng" in messages(_xlsx([["a"]])[:300])[0]


def test_xlsx_that_unpacks_far_beyond_the_cap_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<x/>")
        zf.writestr("xl/worksheets/sheet1.xml", " " * 5_000_000)
    (message,) = messages(archive.getvalue(), limit=100_000)
    assert message.startswith("Tệp XLSX giải nén ra")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("01/07/2025", datetime.date(2025, 7, 1)),
        ("1/7/2025", datetime.date(2025, 7, 1)),
        (datetime.datetime(2025, 7, 1, 8, 30), datetime.date(2025, 7, 1)),
        (datetime.date(2024, 2, 29), datetime.date(2024, 2, 29)),
    ],
)
def test_parse_date_reads_dd_mm_yyyy_and_date_cells(value, expected):
    assert tabular.parse_date(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("31/02/2026", "ngày 31/02/2026 không tồn tại"),
        ("29/02/2025", "ngày 29/02/2025 không tồn tại"),
        ("2026-02-01", "ngày sai định dạng dd/mm/yyyy"),
        ("01/07/25", "ngày sai định dạng dd/mm/yyyy"),
        ("", "ngày sai định dạng dd/mm/yyyy"),
    ],
)
def test_parse_date_tells_a_missing_day_from_a_bad_format(value, message):
    with pytest.raises(CellError) as excinfo:
        tabular.parse_date(value)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    "value, expected",
    [("0,5", "0.5"), ("0.5", "0.5"), (" 7 ", "7"), (0.25, "0.25"), (20, "20"), ("-1,5", "-1.5")],
)
def test_parse_decimal_accepts_comma_and_point(value, expected):
    assert tabular.parse_decimal(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["abc", "1.234,5", "NaN", "Infinity", True, ""])
def test_parse_decimal_refuses_what_is_not_one_number(value):
    with pytest.raises(CellError):
        tabular.parse_decimal(value)


def test_problem_wording_and_long_values_cut_short():
    assert tabular.problem(4, "name", "dài quá", "x" * 500) == (
        "Dòng 4, cột «name»: dài quá (giá trị «" + "x" * 79 + "…»)"
    )
    assert tabular.problem(2, None, "lỗi") == "Dòng 2: lỗi"
    assert tabular.problem(2, "code", "lỗi", datetime.date(2026, 1, 2)) == (
        "Dòng 2, cột «code»: lỗi (giá trị «02/01/2026»)"
    )
