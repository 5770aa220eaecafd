"""The one PDF helper of qms: A4 documents in Vietnamese, used by every app that prints.

ReportLab lays the document out; the text is set in DejaVu Sans (regular, bold, italic), the fonts
matplotlib already ships, which cover Vietnamese (ư, ơ, ệ, Đ …) and are embedded in every file.
A document is a title block, headings, paragraphs, tables with header rows and column widths, and
drawings (diagrams); every page ends with an optional footer text and "Trang x/y". The same content
always gives the same bytes (ReportLab's invariant mode), so a printed issue can be compared with a
later print.

    doc = pdf.Document(title="Quy trình cấp phiếu lý lịch tư pháp", footer="QT-05/STP")
    doc.title_block("QUY TRÌNH …", left=["SỞ TƯ PHÁP"], right=[("Mã hiệu", "QT-05/STP")])
    doc.heading("1. MỤC ĐÍCH")
    doc.paragraph("Quy định trình tự …")
    doc.table([["TT", "Nội dung"], ["1", "Tiếp nhận"]], widths=(1, 6))
    return pdf.response(doc.render(), "QT-05-STP.pdf")
"""

from __future__ import annotations

import functools
import importlib.util
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT = "DejaVuSans"
FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
    f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
MARGIN = 18 * mm
FRAME_PADDING = 6  # ReportLab's default padding inside a page's frame (points)
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#e8e8e8")
ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


def font_dir() -> Path:
    """Where matplotlib keeps its DejaVu fonts (found without importing matplotlib)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib, which ships the DejaVu fonts, is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@functools.cache
def register_fonts() -> str:
    """Register DejaVu Sans and its bold and italic faces once; returns the family name."""
    folder = font_dir()
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=f"{FONT}-Bold",
        italic=f"{FONT}-Oblique",
        boldItalic=f"{FONT}-BoldOblique",
    )
    return FONT


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5, spaceAfter=4)
    return {
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11.5, spaceAfter=0),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=True,
        ),
        "subheading": ParagraphStyle(
            "subheading",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=10,
            spaceBefore=4,
            keepWithNext=True,
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=f"{FONT}-Bold", fontSize=13, leading=17, alignment=1
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
    }


def composed(text) -> str:
    """Text in Unicode NFC: a decomposed letter (e + U+0302 + U+0301 for ế, as some sources
    write Vietnamese) is printed as the one glyph the font has, and reads back as written."""
    return unicodedata.normalize("NFC", "" if text is None else str(text))


def markup(text, *, bold: bool = False, italic: bool = False) -> str:
    """Plain text as ReportLab paragraph markup: composed (NFC), escaped, line breaks kept."""
    value = escape(composed(text)).replace("\n", "<br/>")
    if italic:
        value = f"<i>{value}</i>"
    if bold:
        value = f"<b>{value}</b>"
    return value


@dataclass(frozen=True)
class Cell:
    """A table cell with its own look (a plain string is a left-aligned regular cell)."""

    text: object
    bold: bool = False
    italic: bool = False
    align: str = "left"


class _NumberedCanvas(Canvas):
    """Draws the footer of every page once the page count is known ("Trang x/y")."""

    footer = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initialFontName", FONT)
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int):
        width, _height = self._pagesize
        y = MARGIN - 8 * mm
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.4)
        self.line(MARGIN, y + 4 * mm, width - MARGIN, y + 4 * mm)
        self.setFont(FONT, 8)
        if self.footer:
            self.drawString(MARGIN, y, composed(self.footer))
        label = _("Trang %(page)d/%(pages)d") % {"page": self._pageNumber, "pages": total}
        self.drawRightString(width - MARGIN, y, label)
        self.restoreState()


class Document:
    """An A4 document built from a title block, headings, paragraphs and tables."""

    def __init__(self, *, title: str, author: str = "", subject: str = "", footer: str = ""):
        register_fonts()
        self.title, self.author, self.subject, self.footer = title, author, subject, footer
        self.width = A4[0] - 2 * MARGIN
        # The height a flowable may take on a page (the frame inside the margins and the footer,
        # less ReportLab's frame padding): a drawing taller than this is scaled down to it.
        self.height = A4[1] - 2 * MARGIN - 4 * mm - 2 * FRAME_PADDING
        # Each part makes its flowables afresh at every render (ReportLab changes them as it lays
        # them out); the words are kept beside them for ``text()``.
        self._parts: list[Callable[[], list[Flowable]]] = []
        self._words: list[str] = []

    def _add(self, make: Callable[[], list[Flowable]], *words) -> None:
        self._parts.append(make)
        self._words.extend(composed(w) for w in words if w not in (None, ""))

    # --- building --------------------------------------------------------------------------

    def title_block(
        self,
        title: str,
        *,
        left: Sequence[str] = (),
        right: Sequence[tuple[str, str]] = (),
        subtitle: str = "",
    ) -> None:
        """The head of a document as Vietnamese bodies print it, in a framed row of three cells:
        the issuing body (its superior first, the body itself in bold), the title, and a
        label: value list (code, issue, date …)."""
        left, right = list(left), list(right)

        def make():
            s = styles()
            left_cells = [
                Paragraph(markup(line, bold=i == len(left) - 1), _aligned(s["cell"], "center"))
                for i, line in enumerate(left)
            ]
            middle = [Paragraph(markup(title, bold=True), s["title"])]
            if subtitle:
                middle.append(Paragraph(markup(subtitle), _aligned(s["cell"], "center")))
            right_cells = [
                Paragraph(f"{markup(label)}: {markup(value, bold=True)}", s["cell"])
                for label, value in right
            ]
            widths = [w * self.width for w in (0.3, 0.42, 0.28)]
            table = Table([[left_cells, middle, right_cells]], colWidths=widths)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ]
                )
            )
            return [table, Spacer(1, 5 * mm)]

        self._add(make, *left, title, subtitle, *(f"{k}: {v}" for k, v in right))

    def heading(self, text: str) -> None:
        self._add(lambda: [Paragraph(markup(text), styles()["heading"])], text)

    def subheading(self, text: str) -> None:
        self._add(lambda: [Paragraph(markup(text), styles()["subheading"])], text)

    def paragraph(
        self,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        align: str = "left",
        small: bool = False,
    ) -> None:
        def make():
            style = _aligned(styles()["small" if small else "body"], align)
            return [Paragraph(markup(text, bold=bold, italic=italic), style)]

        self._add(make, text)

    def bullets(self, items: Iterable[str]) -> None:
        items = list(items)
        self._add(
            lambda: [Paragraph(f"–&nbsp;{markup(item)}", styles()["body"]) for item in items],
            *items,
        )

    def drawing(self, drawing: Drawing, *words) -> None:
        """A ReportLab drawing (e.g. a diagram), centred like the tables; ``words`` are its text
        for ``text()``. One wider or taller than a page is scaled down to fit it."""

        def make():
            scale = min(1, self.width / drawing.width, self.height / drawing.height)
            return [_Figure(drawing, scale)]

        self._add(make, *words)

    def image(self, png_bytes: bytes, *, width_mm: float | None = None, words=()) -> None:
        """A raster image (e.g. a chart drawn by matplotlib), centred, ``width_mm`` wide (at
        most the page width; by default the page width) with its proportions kept, scaled down
        to a page's height when taller; ``words`` are its text (a title, the labels) for
        ``text()``."""
        data = bytes(png_bytes)
        pixels_wide, pixels_high = ImageReader(io.BytesIO(data)).getSize()
        if pixels_wide <= 0 or pixels_high <= 0:
            raise ValueError("an image without pixels")
        width = min(self.width, width_mm * mm) if width_mm else self.width
        height = width * pixels_high / pixels_wide
        if height > self.height:
            width, height = width * self.height / height, self.height

        def make():
            picture = Image(io.BytesIO(data), width=width, height=height)
            picture.hAlign = "CENTER"
            return [picture, Spacer(1, 3 * mm)]

        self._add(make, *words)

    def space(self, height_mm: float = 4) -> None:
        self._add(lambda: [Spacer(1, height_mm * mm)])

    def table(
        self,
        rows: Sequence[Sequence[object]],
        *,
        widths: Sequence[float] | None = None,
        header_rows: int = 1,
        bold_rows: Iterable[int] = (),
        spans: Iterable[tuple[tuple[int, int], tuple[int, int]]] = (),
        align: Sequence[str] | None = None,
    ) -> None:
        """A framed table. ``widths`` are relative (e.g. ``(1, 5, 3, 2)``) and share the page
        width; the first ``header_rows`` rows are bold, shaded and repeated on each page;
        ``bold_rows`` (indexes, -1 for the last) are bold, e.g. a total; ``spans`` are
        ReportLab's ((first column, first row), (last column, last row)); ``align`` gives each
        column's alignment ("left", "center", "right")."""
        rows = [list(row) for row in rows]
        if not rows:
            return
        columns = max(len(row) for row in rows)
        weights = list(widths or [1] * columns)
        if len(weights) != columns:
            raise ValueError(f"{len(weights)} column widths for {columns} columns")
        col_widths = [self.width * w / sum(weights) for w in weights]
        bold = {i if i >= 0 else len(rows) + i for i in bold_rows} | set(range(header_rows))
        spans = list(spans)

        def column_align(r, c):
            if r < header_rows:
                return "center"
            return align[c] if align and c < len(align) else "left"

        def make():
            data = [
                [
                    _cell(row[c] if c < len(row) else "", bold=r in bold, align=column_align(r, c))
                    for c in range(columns)
                ]
                for r, row in enumerate(rows)
            ]
            style = [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
            if header_rows:
                style += [
                    ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
                    ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
                ]
            style += [("SPAN", first, last) for first, last in spans]
            table = Table(data, colWidths=col_widths, repeatRows=header_rows)
            table.setStyle(TableStyle(style))
            return [table, Spacer(1, 3 * mm)]

        self._add(
            make,
            *(
                "\t".join(str(cell.text if isinstance(cell, Cell) else cell or "") for cell in row)
                for row in rows
            ),
        )

    # --- output ----------------------------------------------------------------------------

    def text(self) -> str:
        """The document's words in order, one line per paragraph or table row (for tests)."""
        return "\n".join(self._words)

    def render(self) -> bytes:
        """The PDF file; the same content gives the same bytes."""
        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 4 * mm,
            title=composed(self.title),
            author=composed(self.author),
            subject=composed(self.subject),
            creator="qms",
            invariant=1,
        )
        footer = self.footer

        class Numbered(_NumberedCanvas):
            pass

        Numbered.footer = footer
        story = [flowable for make in self._parts for flowable in make()]
        template.build(story, canvasmaker=Numbered)
        return buffer.getvalue()


class _Figure(Flowable):
    """A drawing, scaled, centred, with room after it (a Spacer after a drawing as tall as the
    page would open a page of its own)."""

    def __init__(self, drawing: Drawing, scale: float = 1.0):
        super().__init__()
        self.drawing, self.scale = drawing, scale
        self.width, self.height = drawing.width * scale, drawing.height * scale
        self.hAlign = "CENTER"
        self.spaceAfter = 3 * mm

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        self.drawing.drawOn(self.canv, 0, 0)
        self.canv.restoreState()


def _cell(value, *, bold: bool, align: str) -> Paragraph:
    if isinstance(value, Cell):
        text = markup(value.text, bold=bold or value.bold, italic=value.italic)
        align = value.align
    else:
        text = markup(value, bold=bold)
    return Paragraph(text, _aligned(styles()["cell"], align))


def _aligned(style: ParagraphStyle, align: str) -> ParagraphStyle:
    if align == "left":
        return style
    return _variant(style, align)


@functools.cache
def _variant(style: ParagraphStyle, align: str) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-{align}", parent=style, alignment=ALIGN[align])


def response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An HTTP response carrying a PDF, downloaded under ``filename`` (made ASCII-safe)."""
    stem = filename[:-4] if filename.lower().endswith(".pdf") else filename
    safe = f"{slugify(_ascii(stem)) or 'tai-lieu'}.pdf"
    answer = HttpResponse(data, content_type="application/pdf")
    answer["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{safe}"'
    answer["Content-Length"] = str(len(data))
    return answer


def _ascii(text: str) -> str:
    from qms.text import fold

    return fold(text)
