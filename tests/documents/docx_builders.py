"""Word files for the import tests, written with python-docx in the shape of DESIGN.md §7 (a
provincial decision's internal procedure): a header table with the code and issue, the title,
numbered sections (purpose, scope, legal basis, definitions, content) and one step table per TTHC
(or per variant), its last row the total."""

import io

import docx

HEADER = (
    "Bước",
    "Nội dung công việc",
    "Đơn vị, người thực hiện",
    "Thời gian (ngày làm việc)",
    "Kết quả, biểu mẫu",
)

# (step, content, responsible, time as written, output): 0,5 + 0,5 + 7 + 0,5 + 1 + 0,5 = 10.
STEPS = [
    (
        "Bước 1",
        "Tiếp nhận, kiểm tra hồ sơ; lập phiếu hẹn trả kết quả",
        "Bộ phận một cửa",
        "0,5 ngày làm việc",
        "Phiếu hẹn trả kết quả",
    ),
    ("Bước 2", "Chuyển hồ sơ về phòng chuyên môn", "Bộ phận một cửa", "0,5", ""),
    (
        "Bước 3",
        "Thẩm định hồ sơ, dự thảo quyết định",
        "Phòng Hành chính tư pháp",
        "07 ngày",
        "Tờ trình, dự thảo Quyết định",
    ),
    ("Bước 4", "Xem xét, trình ký", "Lãnh đạo Phòng Hành chính tư pháp", "1/2 ngày", ""),
    ("Bước 5", "Ký quyết định", "Lãnh đạo Sở", "01 ngày làm việc", "Quyết định"),
    ("Bước 6", "Vào sổ, đóng dấu, chuyển kết quả", "Văn phòng Sở", "4 giờ", ""),
    (
        "Bước 7",
        "Trả kết quả cho tổ chức, cá nhân",
        "Bộ phận một cửa",
        "Không tính thời gian",
        "Quyết định đăng ký hoạt động",
    ),
]

LEGAL = [
    "- Luật Công chứng số 46/2024/QH15 ngày 26/11/2024 của Quốc hội;",
    "- Nghị định số 104/2025/NĐ-CP ngày 15/5/2025 của Chính phủ quy định chi tiết một số "
    "điều và biện pháp thi hành Luật Công chứng;",
]


def table(document, steps, *, header=HEADER, total="10 ngày làm việc", title_row=None):
    """A step table: the header, ``steps`` (tuples in the header's order) and a total row whose
    label is merged over the first three columns."""
    rows = len(steps) + 1 + (1 if total is not None else 0) + (1 if title_row else 0)
    grid = document.add_table(rows=rows, cols=len(header))
    grid.style = "Table Grid"
    offset = 0
    if title_row:
        merged = grid.cell(0, 0).merge(grid.cell(0, len(header) - 1))
        merged.text = title_row
        offset = 1
    for col, text in enumerate(header):
        grid.cell(offset, col).text = text
    for r, step in enumerate(steps, start=offset + 1):
        for col, text in enumerate(step):
            grid.cell(r, col).text = text
    if total is not None:
        last, width = rows - 1, len(header)
        days = [i for i, h in enumerate(header) if h.startswith("Thời gian")][0]
        first, end = (1, width - 1) if days == 0 else (0, days - 1)
        label = grid.cell(last, first).merge(grid.cell(last, end))
        label.text = "Tổng thời gian giải quyết"
        grid.cell(last, days).text = total
    return grid


def front(document, *, code="QT-05/STP", issue="01", title=("QUY TRÌNH", None)):
    head = document.add_table(rows=1, cols=2)
    head.cell(0, 0).text = "ỦY BAN NHÂN DÂN THÀNH PHỐ THỬ\nSỞ TƯ PHÁP"
    lines = []
    if code:
        lines.append(f"Mã hiệu: {code}")
    if issue:
        lines.append(f"Lần ban hành: {issue}")
    lines.append("Ngày ban hành: 15/01/2026")
    head.cell(0, 1).text = "\n".join(lines)
    first, second = title
    document.add_paragraph(first)
    if second:
        document.add_paragraph(second)


def sections(document, *, legal=LEGAL, purpose=True):
    if purpose:
        document.add_paragraph("1. MỤC ĐÍCH")
        document.add_paragraph(
            "Quy định trình tự, thời gian, trách nhiệm giải quyết thủ tục đăng ký hoạt động "
            "Văn phòng công chứng."
        )
    document.add_paragraph("2. PHẠM VI ÁP DỤNG")
    document.add_paragraph("Áp dụng đối với Sở Tư pháp và các tổ chức, cá nhân có liên quan.")
    document.add_paragraph("3. CĂN CỨ PHÁP LÝ")
    for line in legal:
        document.add_paragraph(line)
    document.add_paragraph("4. ĐỊNH NGHĨA, CHỮ VIẾT TẮT")
    document.add_paragraph("- TTHC: Thủ tục hành chính")
    document.add_paragraph("- VPCC: Văn phòng công chứng")
    document.add_paragraph("5. NỘI DUNG QUY TRÌNH")


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def procedure_docx(
    *, steps=STEPS, header=HEADER, code="QT-05/STP", issue="01", tthc="1.001806", **kw
):
    """The shape of DESIGN.md §7 with one TTHC and its step table (total 10 working days)."""
    document = docx.Document()
    front(
        document,
        code=code,
        issue=issue,
        title=("QUY TRÌNH", "Đăng ký hoạt động Văn phòng công chứng"),
    )
    sections(document, **kw)
    document.add_paragraph(f"5.1. Đăng ký hoạt động Văn phòng công chứng (Mã TTHC: {tthc})")
    table(document, steps, header=header)
    return document


def variants_docx():
    """One TTHC with two variants a) and b), each with its own table; the dossier's lettered
    list inside variant b) is not a variant."""
    document = docx.Document()
    front(document, code="QT-07/STP", title=("QUY TRÌNH THÀNH LẬP VÀ GIẢI THỂ HỘI", None))
    sections(document)
    document.add_paragraph("5.1. Thủ tục: Thành lập, giải thể hội (1.002001)")
    document.add_paragraph("a) Trường hợp thành lập")
    table(
        document,
        [
            ("Bước 1", "Tiếp nhận hồ sơ", "Bộ phận một cửa", "0,5", "Phiếu hẹn"),
            ("Bước 2", "Thẩm định, trình ký", "Phòng Hành chính tư pháp", "14", "Tờ trình"),
            ("Bước 3", "Trả kết quả", "Bộ phận một cửa", "Không tính thời gian", "Quyết định"),
        ],
        total="14,5 ngày làm việc",
    )
    document.add_paragraph("b) Trường hợp giải thể")
    document.add_paragraph("Thành phần hồ sơ:")
    document.add_paragraph("a) Đơn đề nghị giải thể hội;")
    document.add_paragraph("b) Nghị quyết giải thể của đại hội.")
    table(
        document,
        [
            ("Bước 1", "Tiếp nhận hồ sơ", "Bộ phận một cửa", "0,25", "Phiếu hẹn"),
            ("Bước 2", "Thẩm định, trình ký", "Phòng Hành chính tư pháp", "9,75", ""),
            ("Bước 3", "Trả kết quả", "Bộ phận một cửa", "", "Quyết định"),
        ],
    )
    return document
