"""The core's PDF helper: Vietnamese text that reads back, the fonts embedded, A4, page numbers
"Trang x/y", tables with header rows, the same bytes for the same content."""

import re

import pytest

from qms import pdf
from tests.qms.pdf_text import fonts, pdf_text

TITLE = "QUY TRÌNH CẤP PHIẾU LÝ LỊCH TƯ PHÁP"
SENTENCE = (
    "Người yêu cầu nộp hồ sơ tại Bộ phận một cửa; công chức tiếp nhận, kiểm tra và hướng dẫn."
)


def _document(paragraphs=1, rows=2, footer="QT-05/STP – Lần ban hành 02"):
    doc = pdf.Document(title="Quy trình thử", author="Sở Tư pháp", footer=footer)
    doc.title_block(
        TITLE,
        left=["ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "SỞ TƯ PHÁP"],
        right=[("Mã hiệu", "QT-05/STP"), ("Lần ban hành", "02")],
    )
    doc.heading("1. MỤC ĐÍCH")
    for _ in range(paragraphs):
        doc.paragraph(SENTENCE)
    doc.table(
        [["Bước", "Nội dung công việc", "Thời gian"]]
        + [[f"Bước {i}", "Thẩm định hồ sơ", "0,5"] for i in range(1, rows + 1)]
        + [["Tổng thời gian giải quyết", "", f"{rows * 0.5:g}".replace(".", ",")]],
        widths=(1, 5, 1.5),
        bold_rows=(-1,),
        spans=[((0, rows + 1), (1, rows + 1))],
    )
    return doc


def test_vietnamese_text_reads_back_from_the_file():
    data = _document().render()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for words in (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
        "SỞ TƯ PHÁP",
        TITLE,
        "Mã hiệu: QT-05/STP",
        SENTENCE,
        "Tổng thời gian giải quyết",
        "Trang 1/1",
        "QT-05/STP – Lần ban hành 02",
    ):
        assert words in text, words


def test_the_dejavu_fonts_are_embedded_and_the_page_is_a4():
    data = _document().render()
    embedded = set(fonts(data).values())
    assert any(name.endswith("+DejaVuSans") for name in embedded)
    assert any(name.endswith("+DejaVuSans-Bold") for name in embedded)  # the title, the headers
    assert b"/FontFile2" in data  # the TrueType program itself is in the file
    assert re.search(rb"/MediaBox \[ 0 0 595\.27\d* 841\.88\d* \]", data)


def test_every_page_is_numbered_out_of_the_total_and_table_headers_repeat():
    data = _document(paragraphs=3, rows=80).render()
    text = pdf_text(data)
    pages = re.findall(r"Trang (\d+)/(\d+)", text)
    assert len(pages) >= 2
    total = len(pages)
    assert pages == [(str(n), str(total)) for n in range(1, total + 1)]
    assert text.count("QT-05/STP – Lần ban hành 02") == total
    # The header row is printed again on the page the table continues on.
    assert text.count("Bước Nội dung công việc Thời gian") == total
    assert "Bước 80" in text


def test_the_same_content_gives_the_same_bytes():
    assert _document().render() == _document().render()
    assert _document().render() != _document(footer="QT-05/STP – Lần ban hành 03").render()
    doc = _document()
    assert doc.render() == doc.render()  # a document can be rendered again


def test_text_is_printed_as_written_not_read_as_markup():
    doc = pdf.Document(title="x")
    doc.paragraph("Phí <b>50.000</b> đồng & lệ phí\nDòng hai")
    doc.table([["A & B", "<i>C</i>"], [pdf.Cell("Đ", bold=True), None]], widths=(1, 1))
    text = pdf_text(doc.render())
    assert "Phí <b>50.000</b> đồng & lệ phí" in text
    assert "Dòng hai" in text and "A & B" in text and "<i>C</i>" in text
    assert "Phí <b>50.000</b> đồng & lệ phí\nDòng hai" in doc.text()


def test_column_widths_must_match_the_columns():
    with pytest.raises(ValueError, match="3 column widths for 2 columns"):
        pdf.Document(title="x").table([["a", "b"]], widths=(1, 2, 3))


def test_a_download_names_the_file_in_plain_letters():
    response = pdf.response(b"%PDF-1.4 x", "QT-05/STP lần 2 Đống Đa.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="qt-05stp-lan-2-dong-da.pdf"'
    assert response.content == b"%PDF-1.4 x"
    inline = pdf.response(b"%PDF", "x.pdf", inline=True)
    assert inline["Content-Disposition"].startswith("inline;")


def _png(width, height, color=(30, 90, 200)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_image_is_embedded_scaled_to_the_page_width_with_its_words():
    doc = pdf.Document(title="Biểu đồ")
    doc.heading("Tỷ lệ đúng hạn theo tháng")
    doc.image(_png(800, 450), words=["Biểu đồ: tỷ lệ đúng hạn", "Tháng 10/2026"])
    data = doc.render()
    assert b"/Subtype /Image" in data and b"/Width 800" in data and b"/Height 450" in data
    assert "Biểu đồ: tỷ lệ đúng hạn\nTháng 10/2026" in doc.text()
    picture = doc._parts[-1]()[0]
    assert picture.drawWidth == pytest.approx(doc.width)
    assert picture.drawHeight == pytest.approx(doc.width * 450 / 800)
    assert doc.render() == data  # rendered again, the same bytes


def test_an_image_takes_the_width_asked_and_never_more_than_the_page():
    doc = pdf.Document(title="x")
    doc.image(_png(400, 200), width_mm=80)
    doc.image(_png(400, 200), width_mm=900)
    doc.image(_png(100, 2000))  # taller than a page: scaled down to its height
    small, wide, tall = (make()[0] for make in doc._parts)
    assert small.drawWidth == pytest.approx(80 * 72 / 25.4)
    assert wide.drawWidth == pytest.approx(doc.width)
    assert tall.drawHeight == pytest.approx(doc.height)
    assert tall.drawWidth == pytest.approx(doc.height * 100 / 2000)
    assert pdf_text(doc.render()).strip().startswith("Trang 1/")


def test_decomposed_text_is_printed_and_read_back_composed():
    import unicodedata

    words = "Phường Hoàn Kiếm: Đánh giá nội bộ, hành động khắc phục"
    decomposed = unicodedata.normalize("NFD", words)
    assert decomposed != words
    doc = pdf.Document(title=decomposed, footer=decomposed)
    doc.heading(decomposed)
    doc.table([["Nội dung"], [decomposed]])
    text = pdf_text(doc.render())
    assert text.count(words) == 3  # heading, cell, footer
    assert decomposed not in text
    assert doc.text() == f"{words}\nNội dung\n{words}"
