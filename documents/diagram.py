"""A TTHC's step table drawn as a swimlane diagram: one lane per responsible unit, one box per step.

One layout (``layout``) turns the steps into geometry: the lanes are columns in the order the units
first appear (a unit written twice with other case or spacing is one lane), the steps go down one
row each, in their lane, and arrows join consecutive steps, across lanes when the responsible unit
changes. Each box shows the step's code, its content wrapped and cut with an ellipsis (the table
beside it has the full text) and its time ("0,5 ngày", "Không tính TG"). Text is measured with the
DejaVu Sans metrics the PDF uses (``qms.pdf``), so the same wrap reads on the page and on paper.

Two thin renderers draw that geometry: ``diagram_svg`` (inline SVG for the public page and the
admin, scaling with its ``viewBox``) and ``diagram_drawing`` / ``diagram_drawings`` (ReportLab
drawings for the printed issue, split into parts that fit a page, the lanes repeated on each).

Steps are dicts as issues store them (``{"code", "content", "responsible", "days", ...}``, days a
Decimal, a string such as ``"0.50"``, or None when the step is not counted) or objects with those
attributes (``documents.issue_content.Step``, ``documents.public.PublicStep``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.shapes import Drawing, Group, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from qms import pdf
from qms.models.catalogue import days_number
from qms.text import nfc

CONTENT_LINES = 3  # a step's content is cut to this many lines (with "…")
LANE_LINES = 3  # a lane's name likewise
ELLIPSIS = "…"

# The look, shared by both renderers.
INK = "#1d2433"
MUTED = "#5a6172"
LINE = "#9aa1ae"
HEADER = "#e6e9f0"
LANE_FILLS = ("#f7f8fa", "#eef0f5")
BOX = "#ffffff"
NOT_COUNTED_BOX = "#f4f5f8"

# SVG: in units of one CSS pixel; shown this much larger where there is room, and shrinking
# with its container down to a share of the units (text about 10px) before the container scrolls.
SVG_FONT_SIZE = 12.0
SVG_LANE_WIDTH = 140.0
SVG_DISPLAY_SCALE = 1.25
SVG_MIN_SCALE = 0.8
# PDF: points; a lane takes its share of the width between these bounds (the drawing is scaled
# down when even the narrowest lanes do not fit).
PDF_FONT_SIZE = 8.0
PDF_LANE_WIDTH = (96.0, 160.0)


# --- Geometry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """One line of text: ``y`` is its baseline (y grows downwards, as in SVG)."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    italic: bool = False
    anchor: str = "start"  # "start", "middle" or "end"


@dataclass(frozen=True)
class Lane:
    name: str  # as first written, spaces collapsed
    x: float
    width: float
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class Box:
    code: str
    content: str  # in full (the box shows it cut)
    responsible: str
    time: str  # "0,5 ngày", "Không tính TG"
    counted: bool
    lane: int
    x: float
    y: float
    width: float
    height: float
    labels: tuple[Label, ...]

    @property
    def center(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Arrow:
    points: tuple[tuple[float, float], ...]  # the line, ending at the next box's top
    head: tuple[tuple[float, float], ...]  # the arrowhead's triangle
    crosses: bool  # the responsible unit changes


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    header_height: float
    font_size: float
    gap: float  # between the header and a box, and between two boxes
    lanes: tuple[Lane, ...]
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]


# --- Reading the steps ---------------------------------------------------------------------------


def _field(step, name: str):
    return step.get(name) if isinstance(step, Mapping) else getattr(step, name, None)


def _text(value) -> str:
    """Text on one line: NFC, runs of spaces and line breaks made one space."""
    return " ".join(nfc("" if value is None else str(value)).split())


def lane_key(name) -> str:
    """What makes two responsible units one lane: the name without case or extra spaces."""
    return _text(name).casefold()


def _days(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def time_label(days) -> str:
    """A step's time in its box: "0,5 ngày", or "Không tính TG" when it is not counted."""
    days = _days(days)
    if days is None:
        return _("Không tính TG")
    return ngettext("%(days)s ngày", "%(days)s ngày", 1 if days == 1 else 2) % {
        "days": days_number(days)
    }


def lane_names(steps: Iterable) -> list[str]:
    """The lanes of ``steps``: each responsible unit once, in the order it first appears."""
    names: dict[str, str] = {}
    for step in steps:
        name = _lane(step)
        names.setdefault(lane_key(name), name)
    return list(names.values())


def _lane(step) -> str:
    """The lane of a step: its responsible unit ("Chưa ghi đơn vị" when none is written)."""
    return _text(_field(step, "responsible")) or _("Chưa ghi đơn vị")


# --- Text measure ------------------------------------------------------------------------------


def _font(bold: bool = False, italic: bool = False) -> str:
    family = pdf.register_fonts()
    if bold and italic:
        return f"{family}-BoldOblique"
    if bold:
        return f"{family}-Bold"
    if italic:
        return f"{family}-Oblique"
    return family


def _width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    return stringWidth(text, _font(bold, italic), size)


def _cut(text: str, size: float, room: float, bold: bool = False, more: bool = False) -> str:
    """``text`` as it fits ``room``: cut with "…" when it is too wide, or ``more`` follows."""
    if not more and _width(text, size, bold) <= room:
        return text
    if more:  # a cut line: drop whole words first
        while " " in text and _width(text + ELLIPSIS, size, bold) > room:
            text = text.rsplit(" ", 1)[0]
        text = text.rstrip(",;:.-–")
    while text and _width(text.rstrip() + ELLIPSIS, size, bold) > room:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def wrap(text: str, size: float, room: float, lines: int, bold: bool = False) -> list[str]:
    """``text`` in at most ``lines`` lines that fit ``room``; the last one ends with "…" when
    there is more (a word longer than a line is broken)."""
    found: list[str] = []
    current = ""
    for word in _text(text).split(" "):
        if len(found) > lines:
            break  # enough to know it is cut
        trial = f"{current} {word}" if current else word
        if _width(trial, size, bold) <= room:
            current = trial
            continue
        if current:
            found.append(current)
        while len(word) > 1 and _width(word, size, bold) > room:  # wider than the box
            cut = len(word) - 1
            while cut > 1 and _width(word[:cut], size, bold) > room:
                cut -= 1
            found.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        found.append(current)
    if len(found) <= lines:
        return found
    kept = found[:lines]
    kept[-1] = _cut(kept[-1], size, room, bold, more=True)
    return kept


# --- Layout ------------------------------------------------------------------------------------


def layout(
    steps: Sequence,
    *,
    lane_width: float = SVG_LANE_WIDTH,
    font_size: float = SVG_FONT_SIZE,
    lanes: Sequence[str] | None = None,
    continued: bool = False,
    first: int = 1,
) -> Diagram:
    """The diagram of ``steps``: lanes of ``lane_width``, text of ``font_size`` (both in the
    renderer's unit). ``lanes`` fixes the lanes (a part of a longer diagram keeps them all);
    ``continued`` draws an arrow from the lane header to the first box (the part goes on from
    the one before it); ``first`` is the number of its first step (a step without a code is
    "Bước <number>")."""
    steps = list(steps)
    size = font_size
    lead = size * 1.25
    pad = size * 0.5
    margin = size * 0.6  # between a lane's edge and its boxes
    gap = size * 1.6  # between two rows, where the arrows run
    names = list(lanes or [])
    known = {lane_key(name) for name in names}
    names += [name for name in lane_names(steps) if lane_key(name) not in known]
    index = {lane_key(name): i for i, name in enumerate(names)}

    wrapped = [wrap(name, size, lane_width - 2 * pad, LANE_LINES, bold=True) for name in names]
    header_height = max((len(lines) for lines in wrapped), default=1) * lead + 2 * pad
    lane_objects = []
    for i, (name, lines) in enumerate(zip(names, wrapped, strict=True)):
        x = i * lane_width
        labels = tuple(
            Label(x + lane_width / 2, pad + size + n * lead, line, size, bold=True, anchor="middle")
            for n, line in enumerate(lines)
        )
        lane_objects.append(Lane(name=name, x=x, width=lane_width, labels=labels))

    box_width = lane_width - 2 * margin
    room = box_width - 2 * pad
    small = size * 0.9
    boxes = []
    y = header_height + gap
    for number, step in enumerate(steps, start=first):
        responsible = _text(_field(step, "responsible"))
        lane = index[lane_key(_lane(step))]
        code = _text(_field(step, "code")) or _("Bước %(number)d") % {"number": number}
        content = _text(_field(step, "content"))
        days = _days(_field(step, "days"))
        x = lane * lane_width + margin
        lines = wrap(content, size, room, CONTENT_LINES) if content else []
        time = time_label(days)
        baseline = y + pad + size
        code = _cut(code, size, room, bold=True)
        labels = [Label(x + pad, baseline, code, size, bold=True)]
        # the time on the code's line, at the right, when both fit; else on a line of its own
        beside = _width(code, size, True) + size + _width(time, small, italic=True) <= room
        if beside:
            right = x + box_width - pad
            labels.append(Label(right, baseline, time, small, italic=True, anchor="end"))
        for line in lines:
            baseline += lead
            labels.append(Label(x + pad, baseline, line, size))
        if not beside:
            baseline += lead
            labels.append(Label(x + pad, baseline, _cut(time, small, room), small, italic=True))
        height = baseline - y + pad
        boxes.append(
            Box(
                code=code,
                content=content,
                responsible=responsible,
                time=time,
                counted=days is not None,
                lane=lane,
                x=x,
                y=y,
                width=box_width,
                height=height,
                labels=tuple(labels),
            )
        )
        y += height + gap

    head = size * 0.45
    arrows = []
    if continued and boxes:
        first = boxes[0]
        arrows.append(_arrow([(first.center, header_height), (first.center, first.y)], head, False))
    for before, after in zip(boxes, boxes[1:], strict=False):
        start = (before.center, before.bottom)
        end = (after.center, after.y)
        if before.lane == after.lane:
            points = [start, end]
        else:
            middle = before.bottom + gap / 2
            points = [start, (before.center, middle), (after.center, middle), end]
        arrows.append(_arrow(points, head, before.lane != after.lane))
    return Diagram(
        width=len(lane_objects) * lane_width,
        height=y,
        header_height=header_height,
        font_size=size,
        gap=gap,
        lanes=tuple(lane_objects),
        boxes=tuple(boxes),
        arrows=tuple(arrows),
    )


def _arrow(points: list[tuple[float, float]], head: float, crosses: bool) -> Arrow:
    """An arrow along ``points`` whose last segment goes down onto a box."""
    x, y = points[-1]
    return Arrow(
        points=tuple(points[:-1]) + ((x, y - head),),
        head=((x - head, y - head * 1.8), (x + head, y - head * 1.8), (x, y)),
        crosses=crosses,
    )


def parts(steps: Sequence, *, height: float, **options) -> list[Diagram]:
    """The diagram cut into parts no taller than ``height`` (a page), each with all the lanes;
    a part after the first starts with an arrow from its header (it goes on)."""
    steps = list(steps)
    whole = layout(steps, **options)
    if whole.height <= height or len(steps) < 2:
        return [whole]
    names = [lane.name for lane in whole.lanes]
    gap = whole.gap
    found, start, used = [], 0, whole.header_height + gap
    for i, box in enumerate(whole.boxes):
        if i > start and used + box.height + gap > height:
            found.append((start, i))
            start, used = i, whole.header_height + gap
        used += box.height + gap
    found.append((start, len(steps)))
    return [
        layout(steps[a:b], lanes=names, continued=a > 0, first=a + 1, **options)
        for a, b in found
        if a < b
    ]


def diagram_words(steps: Sequence) -> list[str]:
    """The diagram's text, one line for the lanes and one per step ("Bước 1\t0,5 ngày"), as
    ``qms.pdf.Document.text()`` keeps it."""
    steps = list(steps)
    if not steps:
        return []
    diagram = layout(steps)
    return ["\t".join(lane.name for lane in diagram.lanes)] + [
        f"{box.code}\t{box.time}" for box in diagram.boxes
    ]


# --- SVG -----------------------------------------------------------------------------------------


def _attr(value) -> str:
    return escape(str(value), {'"': "&quot;"})


def _n(value: float) -> str:
    """A coordinate, short and the same every time."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg_label(label: Label) -> str:
    extra = ""
    if label.bold:
        extra += ' font-weight="bold"'
    if label.italic:
        extra += f' font-style="italic" fill="{MUTED}"'
    if label.anchor != "start":
        extra += f' text-anchor="{label.anchor}"'
    return (
        f'<text x="{_n(label.x)}" y="{_n(label.y)}" font-size="{_n(label.size)}"{extra}>'
        f"{escape(label.text)}</text>"
    )


def _points(points) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def render_svg(diagram: Diagram, *, title: str, description: str = "") -> str:
    """``diagram`` as inline SVG: every lane a ``<g class="lane" data-lane="…">``, every step a
    ``<g class="step" data-step="…">``; it scales with its ``viewBox`` down to a share of its
    natural width, below which its container scrolls."""
    width, height = diagram.width, diagram.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="step-diagram" role="img" '
        f'aria-label="{_attr(title)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width * SVG_DISPLAY_SCALE)}" height="{_n(height * SVG_DISPLAY_SCALE)}" '
        f'style="max-width:100%;height:auto;min-width:{_n(width * SVG_MIN_SCALE)}px" '
        f'font-family="\'DejaVu Sans\', sans-serif" fill="{INK}">',
        f"<title>{escape(title)}</title>",
    ]
    if description:
        out.append(f"<desc>{escape(description)}</desc>")
    for i, lane in enumerate(diagram.lanes):
        out.append(f'<g class="lane" data-lane="{_attr(lane.name)}">')
        out.append(
            f'<rect x="{_n(lane.x)}" y="0" width="{_n(lane.width)}" height="{_n(height)}" '
            f'fill="{LANE_FILLS[i % 2]}" stroke="{LINE}" stroke-width="0.75"/>'
        )
        out.append(
            f'<rect x="{_n(lane.x)}" y="0" width="{_n(lane.width)}" '
            f'height="{_n(diagram.header_height)}" fill="{HEADER}" stroke="{LINE}" '
            f'stroke-width="0.75"/>'
        )
        out.extend(_svg_label(label) for label in lane.labels)
        out.append("</g>")
    for arrow in diagram.arrows:
        out.append(
            f'<g class="arrow{" crosses" if arrow.crosses else ""}" aria-hidden="true">'
            f'<polyline points="{_points(arrow.points)}" fill="none" stroke="{INK}" '
            f'stroke-width="1.2"/><polygon points="{_points(arrow.head)}" fill="{INK}"/></g>'
        )
    for box in diagram.boxes:
        dash = "" if box.counted else ' stroke-dasharray="4 3"'
        full = " – ".join(
            part for part in (box.code, box.content, box.responsible, box.time) if part
        )
        out.append(
            f'<g class="step{"" if box.counted else " not-counted"}" '
            f'data-step="{_attr(box.code)}" data-lane="{_attr(diagram.lanes[box.lane].name)}">'
            f"<title>{escape(full)}</title>"
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
            f'height="{_n(box.height)}" rx="4" fill="{BOX if box.counted else NOT_COUNTED_BOX}" '
            f'stroke="{INK}" stroke-width="1"{dash}/>'
        )
        out.extend(_svg_label(label) for label in box.labels)
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def summary(diagram: Diagram) -> str:
    """What the diagram holds, for a screen reader: "3 bước, 2 đơn vị thực hiện"."""
    return _("%(steps)d bước, %(lanes)d đơn vị thực hiện: %(names)s") % {
        "steps": len(diagram.boxes),
        "lanes": len(diagram.lanes),
        "names": "; ".join(lane.name for lane in diagram.lanes),
    }


def diagram_title(tthc, variant: str = "") -> str:
    """The name a screen reader gives a TTHC's diagram: "Sơ đồ quy trình: 1.001806 – …"."""
    if tthc is None:
        return _("Sơ đồ quy trình")
    name = f"{tthc.code} – {tthc.name}" + (f" ({variant})" if variant else "")
    return _("Sơ đồ quy trình: %(name)s") % {"name": name}


def diagram_svg(steps: Sequence, *, title: str | None = None) -> SafeString:
    """The swimlane diagram of ``steps`` as inline SVG ("" when there is no step)."""
    steps = list(steps)
    if not steps:
        return mark_safe("")
    diagram = layout(steps)
    name = title or _("Sơ đồ quy trình")
    return mark_safe(render_svg(diagram, title=name, description=summary(diagram)))


# --- PDF (ReportLab) -----------------------------------------------------------------------------


def _color(value: str):
    return colors.HexColor(value)


def render_drawing(diagram: Diagram, *, scale: float = 1.0) -> Drawing:
    """``diagram`` as a ReportLab drawing (points; y flipped: ReportLab's y grows upwards)."""
    height = diagram.height
    group = Group()

    def flip(points) -> list[float]:
        return [value for x, y in points for value in (x, height - y)]

    def string(label: Label) -> String:
        return String(
            label.x,
            height - label.y,
            label.text,
            fontName=_font(label.bold, label.italic),
            fontSize=label.size,
            fillColor=_color(MUTED if label.italic else INK),
            textAnchor=label.anchor,
        )

    for i, lane in enumerate(diagram.lanes):
        group.add(
            Rect(
                lane.x,
                0,
                lane.width,
                height,
                fillColor=_color(LANE_FILLS[i % 2]),
                strokeColor=_color(LINE),
                strokeWidth=0.5,
            )
        )
        group.add(
            Rect(
                lane.x,
                height - diagram.header_height,
                lane.width,
                diagram.header_height,
                fillColor=_color(HEADER),
                strokeColor=_color(LINE),
                strokeWidth=0.5,
            )
        )
        for label in lane.labels:
            group.add(string(label))
    for arrow in diagram.arrows:
        group.add(PolyLine(flip(arrow.points), strokeColor=_color(INK), strokeWidth=0.8))
        group.add(
            Polygon(flip(arrow.head), fillColor=_color(INK), strokeColor=_color(INK), strokeWidth=0)
        )
    for box in diagram.boxes:
        group.add(
            Rect(
                box.x,
                height - box.bottom,
                box.width,
                box.height,
                rx=2.5,
                ry=2.5,
                fillColor=_color(BOX if box.counted else NOT_COUNTED_BOX),
                strokeColor=_color(INK),
                strokeWidth=0.7,
                strokeDashArray=None if box.counted else [3, 2],
            )
        )
        for label in box.labels:
            group.add(string(label))
    if scale != 1:
        group.scale(scale, scale)
    drawing = Drawing(diagram.width * scale, height * scale)
    drawing.add(group)
    return drawing


def _pdf_options(steps: Sequence, width: float) -> tuple[dict, float]:
    """The lane width and font for ``width`` points, and the scale when the lanes do not fit."""
    narrowest, widest = PDF_LANE_WIDTH
    count = max(len(lane_names(steps)), 1)
    lane_width = min(widest, max(narrowest, width / count))
    scale = min(1.0, width / (lane_width * count))
    return {"lane_width": lane_width, "font_size": PDF_FONT_SIZE}, scale


def diagram_drawing(steps: Sequence, width: float) -> Drawing:
    """The swimlane diagram of ``steps`` as one ReportLab drawing at most ``width`` points wide."""
    options, scale = _pdf_options(steps, width)
    return render_drawing(layout(list(steps), **options), scale=scale)


def diagram_drawings(steps: Sequence, width: float, height: float) -> list[Drawing]:
    """The diagram as drawings at most ``width`` × ``height`` points (one per page it needs)."""
    steps = list(steps)
    if not steps:
        return []
    options, scale = _pdf_options(steps, width)
    return [
        render_drawing(part, scale=scale) for part in parts(steps, height=height / scale, **options)
    ]
