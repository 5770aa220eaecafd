"""The step table drawn as a swimlane diagram (issue 7 point 4): one lane per responsible unit
(the same unit written with other case or spacing is one lane), one box per step with its time,
as SVG on the public procedure page and the admin's issue page, and as a drawing in the PDF."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from reportlab.graphics.shapes import Drawing, String

from documents.diagram import (
    diagram_drawing,
    diagram_drawings,
    diagram_svg,
    diagram_words,
    lane_names,
    layout,
)
from documents.models import ProcedureIssue, ProcedurePage
from documents.pdf import issue_document, issue_pdf
from qms import pdf
from qms.models import Role
from tests import factories
from tests.documents.issue_builders import draft, publish, service, step
from tests.qms.pdf_text import pdf_text

SVG = "{http://www.w3.org/2000/svg}"
ONE_STOP = "Bộ phận một cửa"
DEPARTMENT = "Phòng Hành chính tư pháp"
LEADER = "Lãnh đạo Sở"

STEPS = [
    step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", ONE_STOP),
    step("Bước 2", "9", "Thẩm định hồ sơ", DEPARTMENT),
    step("Bước 3", "0.25", "Ký duyệt kết quả", LEADER),
    step("Bước 4", None, "Trả kết quả", "  bộ phận  Một cửa "),
]


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if kind in g.get("class", "").split()]


def _texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def _svgs_in(html: str) -> list[ET.Element]:
    """The step diagrams in a page (not the icons)."""
    return [_svg(m) for m in re.findall(r'<svg [^>]*class="step-diagram".*?</svg>', html, re.S)]


# --- The layout and the SVG --------------------------------------------------------------------


def test_one_lane_per_unit_and_one_box_per_step():
    root = _svg(diagram_svg(STEPS, title="Sơ đồ quy trình: cấp phiếu lý lịch tư pháp"))
    lanes = _groups(root, "lane")
    steps = _groups(root, "step")
    assert [g.get("data-lane") for g in lanes] == [ONE_STOP, DEPARTMENT, LEADER]
    assert [g.get("data-step") for g in steps] == ["Bước 1", "Bước 2", "Bước 3", "Bước 4"]
    # each box sits in its unit's lane; the last step goes back to the one-stop desk
    assert [g.get("data-lane") for g in steps] == [ONE_STOP, DEPARTMENT, LEADER, ONE_STOP]
    assert [" ".join(_texts(g)) for g in lanes] == [ONE_STOP, DEPARTMENT, LEADER]
    # arrows join consecutive steps; each one here crosses lanes (the unit changes)
    arrows = _groups(root, "arrow")
    assert len(arrows) == 3 and all("crosses" in g.get("class") for g in arrows)


def test_the_svg_scales_and_names_itself_for_a_screen_reader():
    markup = diagram_svg(STEPS, title="Sơ đồ quy trình: cấp phiếu lý lịch tư pháp")
    root = _svg(markup)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Sơ đồ quy trình: cấp phiếu lý lịch tư pháp"
    assert root.find(f"{SVG}title").text == "Sơ đồ quy trình: cấp phiếu lý lịch tư pháp"
    assert root.find(f"{SVG}desc").text.startswith("4 bước, 3 đơn vị thực hiện")
    assert root.get("viewBox").startswith("0 0 ")
    assert "max-width:100%" in root.get("style")
    assert root.get("font-family") == "'DejaVu Sans', sans-serif"


def test_lanes_are_the_same_unit_whatever_its_case_or_spacing():
    assert lane_names(
        [
            {"responsible": "Bộ phận một cửa"},
            {"responsible": "bộ phận  Một cửa"},
            {"responsible": " BỘ PHẬN MỘT CỬA\n"},
            {"responsible": "Phòng Tư pháp"},
        ]
    ) == ["Bộ phận một cửa", "Phòng Tư pháp"]
    # a unit not written still has a lane, named so
    assert lane_names([{"responsible": ""}, {"responsible": None}]) == ["Chưa ghi đơn vị"]


def test_a_step_not_counted_is_labelled_and_days_read_as_stored():
    steps = [
        {"code": "B1", "content": "Tiếp nhận", "responsible": ONE_STOP, "days": "0.50"},
        {"code": "B2", "content": "Thẩm định", "responsible": ONE_STOP, "days": Decimal("9")},
        {"code": "B3", "content": "Trả kết quả", "responsible": ONE_STOP, "days": None},
        {"code": "B4", "content": "Lưu hồ sơ", "responsible": ONE_STOP, "days": ""},
    ]
    root = _svg(diagram_svg(steps))
    boxes = _groups(root, "step")
    assert [_texts(g)[1] for g in boxes[:2]] == ["0,5 ngày", "9 ngày"]
    for box in boxes[2:]:
        assert "Không tính TG" in _texts(box)
        assert "not-counted" in box.get("class")
    assert "not-counted" not in boxes[0].get("class")
    # one lane, so the arrows go straight down
    assert not any("crosses" in g.get("class") for g in _groups(root, "arrow"))


def test_text_is_escaped():
    steps = [
        {
            "code": 'B"1',
            "content": "Nếu a < b & c > d thì <script>alert(1)</script>",
            "responsible": "Phòng <b>Tư pháp</b> & Hộ tịch",
            "days": "1",
        }
    ]
    markup = diagram_svg(steps, title="Quy trình <thử> & xem")
    assert "<script>" not in markup and "<b>" not in markup
    root = _svg(markup)  # well-formed
    assert root.get("aria-label") == "Quy trình <thử> & xem"
    lane = _groups(root, "lane")[0]
    assert lane.get("data-lane") == "Phòng <b>Tư pháp</b> & Hộ tịch"
    box = _groups(root, "step")[0]
    assert box.get("data-step") == 'B"1'
    assert "Nếu a < b & c > d thì" in " ".join(_texts(box))
    assert "<script>alert(1)</script>" in box.find(f"{SVG}title").text


def test_long_content_is_wrapped_and_cut_with_an_ellipsis():
    long = " ".join(["Thẩm định hồ sơ, xác minh thông tin với cơ quan liên quan"] * 6)
    diagram = layout([{"code": "Bước 2", "content": long, "responsible": DEPARTMENT, "days": 3}])
    box = diagram.boxes[0]
    lines = [label.text for label in box.labels if not label.bold and not label.italic]
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert box.content == long  # the whole text is kept (the SVG's title, the table beside it)
    word = layout([{"code": "B", "content": "x" * 400, "responsible": "", "days": 1}])
    assert all(label.x + 1 < word.width for label in word.boxes[0].labels)


def test_no_steps_no_diagram():
    assert diagram_svg([]) == ""
    assert diagram_drawings([], 400, 700) == []
    assert diagram_words([]) == []


# --- The drawing in the PDF ----------------------------------------------------------------------


def _strings(drawing: Drawing) -> list[str]:
    found = []

    def walk(node):
        for child in getattr(node, "contents", []):
            if isinstance(child, String):
                found.append(child.text)
            walk(child)

    walk(drawing)
    return found


def test_the_drawing_has_the_lanes_and_the_steps_within_the_width():
    drawing = diagram_drawing(STEPS, 480)
    assert drawing.width <= 480
    words = _strings(drawing)
    for text in (ONE_STOP, DEPARTMENT, LEADER, "Bước 1", "0,5 ngày", "Không tính TG"):
        assert text in words, text
    # many lanes still fit the width (scaled down)
    wide = [step(f"Bước {i}", "1", "Xử lý", f"Đơn vị số {i}") for i in range(1, 10)]
    assert diagram_drawing(wide, 480).width <= 480 + 1e-6


def test_a_long_diagram_is_cut_into_parts_that_fit_a_page():
    steps = [
        step(f"Bước {i}", "1", "Xử lý hồ sơ theo quy định " * 4, (ONE_STOP, DEPARTMENT)[i % 2])
        for i in range(1, 31)
    ]
    drawings = diagram_drawings(steps, 480, 700)
    assert len(drawings) > 1
    assert all(d.height <= 700 for d in drawings)
    labels = [w for d in drawings for w in _strings(d) if w.startswith("Bước ")]
    assert labels == [f"Bước {i}" for i in range(1, 31)]  # each step once, in order
    for drawing in drawings:  # the lanes are named again on every part
        assert ONE_STOP in _strings(drawing) and DEPARTMENT in _strings(drawing)


def test_a_drawing_taller_than_a_page_is_scaled_to_fit_it():
    doc = pdf.Document(title="Thử", footer="Thử")
    tall = Drawing(200, doc.height * 2)
    tall.add(String(10, 10, "Đáy", fontName=pdf.FONT))
    doc.drawing(tall, "Đáy")
    data = doc.render()
    assert "Trang 1/1" in pdf_text(data) and "Đáy" in pdf_text(data)
    assert "Đáy" in doc.text()


# --- The public page, the admin and the printed issue --------------------------------------------


@pytest.fixture
def issue(db, world):
    tthc = factories.tthc(code="2.000488", name="Cấp Phiếu lý lịch tư pháp", working_days="10")
    page = draft(world.node, tthc=tthc, steps=STEPS)
    return publish(page)


@pytest.mark.django_db
def test_the_public_page_shows_the_diagram_under_the_step_table(issue):
    procedure = issue.procedure
    html = Client().get(procedure.url).content.decode()
    assert '<figure class="diagram">' in html and "Sơ đồ quy trình" in html
    assert html.index('class="steps stack"') < html.index('<figure class="diagram">')
    assert "documents/public.css" in html
    (root,) = _svgs_in(html)
    assert len(_groups(root, "lane")) == 3
    assert len(_groups(root, "step")) == 4
    assert root.get("aria-label") == "Sơ đồ quy trình: 2.000488 – Cấp Phiếu lý lịch tư pháp"


@pytest.mark.django_db
def test_a_drafts_steps_never_reach_the_public_diagram(issue):
    procedure = ProcedurePage.objects.get(pk=issue.procedure_id)
    tthc = issue.services.get().tthc
    procedure.services = [
        service(tthc, [*STEPS, step("Bước 5", None, "Bước của dự thảo", "Tổ dự thảo bí mật")])
    ]
    procedure.save_revision()  # a pending draft on top of the live page
    html = Client().get(procedure.url).content.decode()
    assert "Tổ dự thảo bí mật" not in html and "Bước của dự thảo" not in html
    (root,) = _svgs_in(html)
    assert len(_groups(root, "lane")) == 3
    assert [g.get("data-step") for g in _groups(root, "step")][-1] == "Bước 4"
    # a procedure never published has no public page at all
    never = draft(
        issue.procedure.agency,
        tthc=tthc,
        steps=[step("Bước 1", "1", "Bước riêng của bản nháp", "Tổ nháp")],
        code="QT-99/STP",
        title="Quy trình chưa ban hành",
    )
    assert Client().get(never.url_path.replace("/home", "", 1)).status_code == 404


@pytest.mark.django_db
def test_the_admin_issue_page_shows_the_diagram(world, issue):
    client = Client()
    client.force_login(world.users["node", Role.OFFICER])
    response = client.get(reverse("procedure_issues:inspect", args=[issue.pk]))
    assert response.status_code == 200
    (root,) = _svgs_in(response.content.decode())
    assert len(_groups(root, "lane")) == 3 and len(_groups(root, "step")) == 4


@pytest.mark.django_db
def test_the_printed_issue_has_the_diagram_and_the_same_bytes_each_time(issue):
    first = issue_pdf(ProcedureIssue.objects.get(pk=issue.pk))
    again = issue_pdf(ProcedureIssue.objects.get(pk=issue.pk))
    assert first == again
    text = pdf_text(first)
    assert "Sơ đồ quy trình" in text
    for words in ("0,5 ngày", "9 ngày", "0,25 ngày", "Không tính TG", LEADER):
        assert words in text, words
    assert text.index("Tổng thời gian giải quyết") < text.index("Không tính TG")
    lines = issue_document(issue).text().splitlines()
    assert "\t".join([ONE_STOP, DEPARTMENT, LEADER]) in lines
    assert "Bước 4\tKhông tính TG" in lines


@pytest.mark.django_db
def test_a_long_procedure_prints_its_diagram_over_several_pages(world):
    tthc = factories.tthc(working_days="30")
    steps = [
        step(f"Bước {i}", "1", "Xử lý hồ sơ theo quy định " * 4, (ONE_STOP, DEPARTMENT)[i % 2])
        for i in range(1, 26)
    ]
    issued = publish(draft(world.node, tthc=tthc, steps=steps))
    data = issue_pdf(issued)
    text = pdf_text(data)
    assert "Bước 25" in text
    assert data == issue_pdf(ProcedureIssue.objects.get(pk=issued.pk))
