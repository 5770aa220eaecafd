"""Reading an agency's existing procedure from Word (.docx): a pure reader, no database.

``read_procedure_docx(fileobj)`` returns an ``ImportedProcedure``: the header fields (document code
such as QT-05/STP, title, issue number), purpose, scope, legal basis (each line parsed into number,
title, issuer and date where possible), definitions, and one ``ImportedService`` per step table,
in the shape of DESIGN.md §7: each table belongs to the TTHC named before it by its national code
(“Mã TTHC: 1.001806”), or to one of its variants (“a) …”, “b) …”, as paragraphs before each table
or as a merged row inside it). A step table is recognised by its header (folded with
``qms.text.fold``, in any column order): Bước / Nội dung công việc / Đơn vị, người thực hiện
(Trách nhiệm) / Thời gian (ngày làm việc) / Kết quả, biểu mẫu. A total row (“Tổng cộng”, “Tổng thời
gian”) is read and compared with the steps, never imported as a step.

Every cell that cannot be read becomes a problem naming the table, row, column and raw text, e.g.
“Bảng 2 (TTHC 1.001806), dòng 3 (Bước 3), cột Thời gian: “ba ngày” không đọc được số ngày”. Tables
are numbered as they come in the document (every table counts, so the officer finds it in Word);
rows are counted from the first row under the header. A file that is not a .docx, or that holds no
step table, raises ``DocxImportError`` and nothing is read.

Merged cells: a cell merged across columns belongs to its first column; a cell merged down rows
repeats its text (a unit responsible for several steps), except a time cell, whose time is counted
once, on the first step, and named as a problem on the others. Word's automatic list numbering is
not text in the file, so a variant lettered by it (rather than typed “a)”) is not recognised.

Modules: ``values`` (the records returned; a cell's text as days, a legal line, a definition),
``tables`` (a table as a grid of cells; the header of a step table), ``reader`` (the walk through
the paragraphs and tables), ``steps`` (a step table row by row).
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .reader import _Reader
from .tables import _distinct, _grid, _header
from .values import (
    HOURS_PER_DAY,
    MAX_EXPANSION,
    CellError,
    DocxImportError,
    ImportedDefinition,
    ImportedLegalDocument,
    ImportedProcedure,
    ImportedService,
    ImportedStep,
    _clean,
    parse_days,
    parse_legal_document,
)

__all__ = [
    "CellError",
    "DocxImportError",
    "ImportedDefinition",
    "ImportedLegalDocument",
    "ImportedProcedure",
    "ImportedService",
    "ImportedStep",
    "parse_days",
    "parse_legal_document",
    "read_procedure_docx",
]


def _blocks(document):
    """The paragraphs and tables of the document's body in order (content controls opened)."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    parent = document._body

    def walk(element):
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, parent)
            elif child.tag == qn("w:tbl"):
                yield Table(child, parent)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from walk(content)

    yield from walk(body)


def _style_name(paragraph) -> str:
    try:
        return paragraph.style.name or ""
    except Exception:  # a damaged styles part: the style only helps to find headings
        return ""


def _open(fileobj, name: str, max_bytes: int):
    import docx

    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocxImportError(
            _("Tệp “%(name)s” vượt giới hạn %(limit)s.")
            % {"name": name, "limit": filesizeformat(max_bytes)}
        )
    not_docx = _(
        "Tệp “%(name)s” không phải là tệp Word .docx (có thể tệp bị hỏng hoặc bị đổi tên): hãy "
        "mở bằng Word và lưu lại dưới dạng “Word Document (*.docx)”."
    ) % {"name": name}
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocxImportError(
            _(
                "Tệp “%(name)s” là tệp Word cũ (.doc): hãy mở bằng Word và lưu lại dưới dạng "
                "“Word Document (*.docx)”."
            )
            % {"name": name}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DocxImportError(not_docx) from None
    names = {info.filename for info in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise DocxImportError(not_docx)
    if sum(info.file_size for info in infos) > max_bytes * MAX_EXPANSION:
        raise DocxImportError(_("Tệp “%(name)s” giải nén ra quá lớn để đọc.") % {"name": name})
    try:
        return docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds (KeyError, ValueError, XML syntax errors)
        raise DocxImportError(not_docx) from None


def read_procedure_docx(
    fileobj,
    *,
    name: str | None = None,
    hours_per_day: Decimal = HOURS_PER_DAY,
    max_bytes: int | None = None,
) -> ImportedProcedure:
    """Read a procedure from the .docx ``fileobj`` (a binary file or a Django upload). Raises
    ``DocxImportError`` when the file is not a .docx or holds no step table."""
    name = name or getattr(fileobj, "name", None) or "tệp"
    max_bytes = max_bytes or settings.QMS_UPLOAD_MAX_BYTES
    document = _open(fileobj, name, max_bytes)
    reader = _Reader(hours_per_day)
    # The page header often carries the code and the issue ("Mã hiệu: QT-05/STP / Lần ban hành").
    for section in document.sections:
        try:
            header = section.header
            for paragraph in header.paragraphs:
                reader._fields(_clean(paragraph.text))
            for table in header.tables:
                for row in _grid(table._tbl):
                    for cell in _distinct(row):
                        reader._fields(cell.text)
        except Exception:  # a damaged header part: the body is what matters
            continue
    from docx.table import Table

    for block in _blocks(document):
        if isinstance(block, Table):
            reader.table(block._tbl)
        else:
            reader.paragraph(block.text, _style_name(block))
    if not any(s.steps for s in reader.result.services) and not _any_step_table(document):
        raise DocxImportError(
            _(
                "Không tìm thấy bảng các bước trong tệp “%(name)s”: cần một bảng có dòng tiêu đề "
                "với các cột Bước, Nội dung công việc, Đơn vị/người thực hiện (Trách nhiệm), Thời "
                "gian (ngày làm việc), Kết quả/biểu mẫu."
            )
            % {"name": name}
        )
    result = reader.finish()
    if not result.services:
        raise DocxImportError(
            _("Bảng các bước trong tệp “%(name)s” không có bước nào đọc được: %(problems)s")
            % {"name": name, "problems": " ".join(result.problems)}
        )
    return result


def _any_step_table(document) -> bool:
    from docx.table import Table

    return any(
        isinstance(block, Table) and _header(_grid(block._tbl)) is not None
        for block in _blocks(document)
    )
