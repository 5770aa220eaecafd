"""Import of an existing procedure from Word (.docx), issue 7 point 2: a file in the shape of
DESIGN.md §7 becomes a new draft with its step table exactly as written (nothing live, no issue,
no workflow, the officer its author); a damaged one names every cell it could not read; a file
that is not a .docx, or holds no step table, is refused with nothing created; only those who may
add a procedure under the agency page may import."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import PageLogEntry

from documents.docx_import import CellError, parse_days, parse_legal_document, read_procedure_docx
from documents.models import ProcedureIssue, ProcedurePage
from documents.policy import may_review
from documents.services.docx_import import IMPORT_ACTION, procedure_import_docx
from documents.wagtail_hooks.docx_import import DocxImportButton
from qms.models import Role
from tests import factories
from tests.documents import docx_builders as build
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db

D = Decimal
# The step table of docx_builders.STEPS as it must arrive in the draft.
EXPECTED = [
    (
        "Bước 1",
        "Tiếp nhận, kiểm tra hồ sơ; lập phiếu hẹn trả kết quả",
        "Bộ phận một cửa",
        D("0.5"),
        "Phiếu hẹn trả kết quả",
    ),
    ("Bước 2", "Chuyển hồ sơ về phòng chuyên môn", "Bộ phận một cửa", D("0.5"), ""),
    (
        "Bước 3",
        "Thẩm định hồ sơ, dự thảo quyết định",
        "Phòng Hành chính tư pháp",
        D("7"),
        "Tờ trình, dự thảo Quyết định",
    ),
    ("Bước 4", "Xem xét, trình ký", "Lãnh đạo Phòng Hành chính tư pháp", D("0.5"), ""),
    ("Bước 5", "Ký quyết định", "Lãnh đạo Sở", D("1"), "Quyết định"),
    ("Bước 6", "Vào sổ, đóng dấu, chuyển kết quả", "Văn phòng Sở", D("0.5"), ""),
    (
        "Bước 7",
        "Trả kết quả cho tổ chức, cá nhân",
        "Bộ phận một cửa",
        None,
        "Quyết định đăng ký hoạt động",
    ),
]
TABLE = "Bảng 2 (TTHC 1.001806)"


@pytest.fixture
def tthc(db):
    return factories.tthc(
        code="1.001806", name="Đăng ký hoạt động Văn phòng công chứng", working_days="10"
    )


def _file(document) -> io.BytesIO:
    return io.BytesIO(build.to_bytes(document))


def _import(world, document, *, actor=None, filename="QT-05-STP.docx", place=None):
    fileobj = document if isinstance(document, io.BytesIO) else _file(document)
    return procedure_import_docx(
        actor=actor or world.users["node", Role.OFFICER],
        agency_page=(place or world.node).page,
        fileobj=fileobj,
        filename=filename,
    )


def _draft(page) -> ProcedurePage:
    return ProcedurePage.objects.get(pk=page.pk).get_latest_revision_as_object()


def _steps(block) -> list[tuple]:
    return [
        (s["code"], s["content"], s["responsible"], s["days"], s["output"])
        for s in block.value["steps"]
    ]


# --- A file in the shape of DESIGN.md §7 ---------------------------------------------------------


def test_a_procedure_in_the_design_shape_imports_its_step_table_exactly(world, tthc):
    officer = world.users["node", Role.OFFICER]
    page, problems = _import(world, build.procedure_docx())

    assert problems == []
    draft = _draft(page)
    (block,) = draft.services
    assert block.value["tthc"] == tthc
    assert block.value["variant"] == ""
    assert _steps(block) == EXPECTED
    assert sum(s[3] for s in EXPECTED if s[3] is not None) == D("10")
    assert (draft.code, draft.title) == (
        "QT-05/STP",
        "Quy trình đăng ký hoạt động Văn phòng công chứng",
    )
    assert page.slug == "qt-05-stp"
    assert draft.purpose.startswith("Quy định trình tự, thời gian, trách nhiệm")
    assert draft.scope == "Áp dụng đối với Sở Tư pháp và các tổ chức, cá nhân có liên quan."
    assert [
        (d.value["number"], d.value["title"], d.value["issuer"], d.value["issued_on"])
        for d in draft.legal_basis
    ] == [
        ("46/2024/QH15", "Luật Công chứng", "Quốc hội", datetime.date(2024, 11, 26)),
        (
            "104/2025/NĐ-CP",
            "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Công chứng",
            "Chính phủ",
            datetime.date(2025, 5, 15),
        ),
    ]
    assert [(d.value["term"], d.value["meaning"]) for d in draft.definitions] == [
        ("TTHC", "Thủ tục hành chính"),
        ("VPCC", "Văn phòng công chứng"),
    ]
    assert draft.change_summary == "Ban hành lần đầu"

    # A new draft, nothing more: not live, never published, no issue, no workflow; the officer
    # wrote its only revision (so the policy keeps them from reviewing it).
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.agency == world.node and page.get_parent().pk == world.node.page.pk
    assert not page.live and page.live_revision_id is None and page.first_published_at is None
    assert not ProcedureIssue.objects.filter(procedure=page).exists()
    assert page.current_workflow_state is None and not page.workflow_states.exists()
    assert [r.user for r in page.revisions.all()] == [officer]
    assert page.owner == officer
    assert not may_review(officer, page)
    entry = PageLogEntry.objects.get(page=page, action=IMPORT_ACTION)
    assert entry.user == officer and entry.data["filename"] == "QT-05-STP.docx"


def test_columns_are_found_by_their_header_in_any_order(world, tthc):
    order = [3, 0, 4, 2, 1]  # time, step, output, responsible, content
    header = tuple(
        ["Thời gian thực hiện", "Bước", "Kết quả/Biểu mẫu", "Trách nhiệm", "Nội dung công việc"]
    )
    steps = [tuple(step[i] for i in order) for step in build.STEPS]
    page, problems = _import(world, build.procedure_docx(header=header, steps=steps))
    assert problems == []
    assert _steps(_draft(page).services[0]) == EXPECTED


def test_variants_each_with_their_own_table(world):
    tthc = factories.tthc(code="1.002001", name="Thành lập, giải thể hội", working_days="15")
    page, problems = _import(world, build.variants_docx(), filename="hoi.docx")
    assert problems == []
    draft = _draft(page)
    assert draft.code == "QT-07/STP"
    assert draft.title == "Quy trình thành lập và giải thể hội"
    first, second = draft.services
    assert (first.value["tthc"], first.value["variant"]) == (tthc, "a) Trường hợp thành lập")
    assert (second.value["tthc"], second.value["variant"]) == (tthc, "b) Trường hợp giải thể")
    assert _steps(first) == [
        ("Bước 1", "Tiếp nhận hồ sơ", "Bộ phận một cửa", D("0.5"), "Phiếu hẹn"),
        ("Bước 2", "Thẩm định, trình ký", "Phòng Hành chính tư pháp", D("14"), "Tờ trình"),
        ("Bước 3", "Trả kết quả", "Bộ phận một cửa", None, "Quyết định"),
    ]
    # The hand-over step's empty time is "not counted"; the dossier's lettered list is no variant.
    assert [s[3] for s in _steps(second)] == [D("0.25"), D("9.75"), None]


def test_a_variant_written_as_a_merged_row_inside_the_table(world):
    factories.tthc(code="1.002001", working_days="15")
    document = docx.Document()
    build.front(document, code="QT-08/STP", title=("QUY TRÌNH GIẢI THỂ HỘI", None))
    build.sections(document)
    document.add_paragraph("Mã TTHC: 1.002001")
    grid = build.table(
        document,
        [
            ("Bước 1", "Tiếp nhận", "Bộ phận một cửa", "0,5", ""),
            ("Bước 2", "Thẩm định", "Phòng chuyên môn", "9,5", ""),
        ],
        title_row="a) Trường hợp giải thể tự nguyện",
    )
    assert grid is not None
    page, problems = _import(world, document)
    assert problems == []
    (block,) = _draft(page).services
    assert block.value["variant"] == "a) Trường hợp giải thể tự nguyện"
    assert [s[0] for s in _steps(block)] == ["Bước 1", "Bước 2"]


def test_the_total_row_is_compared_not_imported(world, tthc):
    steps = [*build.STEPS[:6], build.STEPS[6]]
    document = build.procedure_docx(steps=steps)
    document.tables[-1].rows[-1].cells[3].text = "11 ngày làm việc"
    page, problems = _import(world, document)
    assert problems == [
        f"{TABLE}, dòng Tổng cộng: ghi 11 ngày làm việc nhưng các bước cộng lại 10 ngày"
    ]
    assert [s[0] for s in _steps(_draft(page).services[0])] == [s[0] for s in EXPECTED]


def test_word_styles_and_the_page_header(world):
    """Headings in Word's styles without numbers, the title in the Title style, the code and
    issue in the page header."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Mã hiệu: QT-09/STP   Lần ban hành: 01"
    document.add_heading("QUY TRÌNH CẤP PHIẾU LÝ LỊCH TƯ PHÁP", level=0)
    document.add_heading("Mục đích", level=1)
    document.add_paragraph("Quy định trình tự cấp Phiếu lý lịch tư pháp.")
    document.add_heading("Phạm vi áp dụng", level=1)
    document.add_paragraph("Áp dụng tại Sở Tư pháp.")
    document.add_heading("Lưu đồ", level=1)
    document.add_paragraph("(Xem sơ đồ kèm theo)")
    document.add_heading("Trình tự thực hiện", level=1)
    document.add_paragraph("Tên TTHC: Cấp Phiếu lý lịch tư pháp cho công dân – 2.000488")
    build.table(document, build.STEPS[:2] + build.STEPS[6:], total=None)
    imported = read_procedure_docx(_file(document), name="ll.docx")
    assert (imported.code, imported.issue_number) == ("QT-09/STP", 1)
    assert imported.title == "Quy trình cấp phiếu lý lịch tư pháp"
    assert imported.purpose == "Quy định trình tự cấp Phiếu lý lịch tư pháp."
    assert imported.scope == "Áp dụng tại Sở Tư pháp."
    (service,) = imported.services
    assert (service.tthc_code, service.tthc_name) == (
        "2.000488",
        "Cấp Phiếu lý lịch tư pháp cho công dân",
    )
    assert [s.code for s in service.steps] == ["Bước 1", "Bước 2", "Bước 7"]
    assert imported.problems == []


# --- A damaged file names its cells --------------------------------------------------------------


def test_a_damaged_table_names_the_cells_it_could_not_read(world, tthc):
    steps = [list(step) for step in build.STEPS]
    steps[2][3] = "ba ngày"  # Bước 3: a time in words
    steps[3][2] = ""  # Bước 4: nobody responsible
    document = build.procedure_docx(steps=[tuple(s) for s in steps])
    row = document.tables[-1].rows[5]._tr  # Bước 5 (row 0 is the header)
    row.remove(row.tc_lst[-1])  # its last cell (the output) is missing

    page, problems = _import(world, document)

    assert problems == [
        f"{TABLE}, dòng 3 (Bước 3), cột Thời gian: “ba ngày” không đọc được số ngày",
        f"{TABLE}, dòng 4 (Bước 4), cột Đơn vị, người thực hiện: ô trống",
        f"{TABLE}, dòng 5 (Bước 5), cột Kết quả, biểu mẫu: thiếu ô (dòng có ít ô hơn dòng tiêu đề)",
        f"{TABLE}, dòng Tổng cộng: ghi 10 ngày làm việc nhưng các bước cộng lại 3 ngày",
    ]
    # Still a draft with every step, the unread cells left for the officer.
    rows = _steps(_draft(page).services[0])
    assert [r[0] for r in rows] == [s[0] for s in EXPECTED]
    assert rows[2][3] is None and rows[3][2] == "" and rows[4][4] == ""
    assert not ProcedurePage.objects.get(pk=page.pk).live


def test_cells_merged_down_rows(world, tthc):
    """A unit responsible for two steps is repeated; a time shared by two steps counts once."""
    document = build.procedure_docx()
    grid = document.tables[-1]
    grid.cell(2, 2).merge(grid.cell(3, 2)).text = "Phòng Hành chính tư pháp"  # Bước 2 and 3
    grid.cell(3, 3).merge(grid.cell(4, 3)).text = "7,5 ngày"  # Bước 3 and 4: one time
    page, problems = _import(world, document)
    rows = _steps(_draft(page).services[0])
    assert rows[1][2] == rows[2][2] == "Phòng Hành chính tư pháp"
    assert (rows[2][3], rows[3][3]) == (D("7.5"), None)
    assert problems == [
        f"{TABLE}, dòng 4 (Bước 4), cột Thời gian: ô gộp với dòng trên: thời gian chung "
        "“7,5 ngày” đã tính cho Bước 3, bước này để trống; hãy chia lại thời gian"
    ]


def test_unknown_tthc_keeps_its_steps_without_a_tthc(world):
    page, problems = _import(world, build.procedure_docx(tthc="1.009999"))
    assert problems == [
        "Bảng 2 (TTHC 1.009999): mã TTHC 1.009999 (Đăng ký hoạt động Văn phòng công chứng) "
        "không có trong danh mục TTHC; các bước vẫn được nhập, hãy chọn thủ tục trong bản dự "
        "thảo (hoặc nhờ quản trị viên thêm vào danh mục) trước khi trình duyệt."
    ]
    (block,) = _draft(page).services
    assert block.value["tthc"] is None
    assert _steps(block) == EXPECTED


def test_a_table_over_the_limit_is_still_a_draft_the_edit_form_refuses(world):
    factories.tthc(code="1.001806", working_days="8")
    page, problems = _import(world, build.procedure_docx())
    assert len(problems) == 1 and "vượt 2 ngày so với thời hạn 8 ngày" in problems[0]
    assert problems[0].startswith(f"{TABLE}: Tổng thời gian các bước của thủ tục 1.001806")
    draft = _draft(page)
    assert _steps(draft.services[0]) == EXPECTED
    with pytest.raises(ValidationError) as refused:
        draft.full_clean()
    assert "services" in refused.value.message_dict


def test_missing_header_fields_are_named(world, tthc):
    document = docx.Document()
    build.front(document, code=None, issue="03", title=("", None))
    build.sections(document, purpose=False)
    document.add_paragraph("Mã TTHC: 1.001806")
    build.table(document, build.STEPS)
    page, problems = _import(world, document, filename="quy-trinh-cu.docx")
    draft = _draft(page)
    assert draft.code == "" and draft.purpose == ""
    assert draft.title == "quy-trinh-cu"
    assert problems == [
        "Không tìm thấy mã tài liệu (ví dụ “Mã hiệu: QT-05/STP”).",
        "Không tìm thấy tên quy trình.",
        "Không tìm thấy mục “Mục đích”.",
        "Tạm đặt tên quy trình theo tên tệp: “quy-trinh-cu”; hãy sửa.",
        "Tệp ghi lần ban hành 03; trên hệ thống đây sẽ là lần ban hành 1, tóm tắt nội dung sửa "
        "đổi tạm ghi “Ban hành lần đầu”: hãy sửa nếu cần.",
    ]


# --- Refused files: nothing created -------------------------------------------------------------


def _refused(world, fileobj, filename="QT-05-STP.docx") -> str:
    before = ProcedurePage.objects.count()
    with pytest.raises(ValidationError) as refused:
        _import(world, fileobj, filename=filename)
    assert ProcedurePage.objects.count() == before
    return " ".join(refused.value.messages)


def test_bytes_that_are_not_a_docx_are_refused(world, tthc):
    message = _refused(world, io.BytesIO(b"%PDF-1.4 not a Word file"))
    assert "Tệp “QT-05-STP.docx” không phải là tệp Word .docx" in message
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "xin chào")
    assert "không phải là tệp Word .docx" in _refused(world, archive)
    old_word = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "là tệp Word cũ (.doc)" in _refused(world, old_word)


def test_a_docx_without_a_step_table_is_refused(world, tthc):
    document = docx.Document()
    build.front(document, title=("QUY TRÌNH", "Đăng ký hoạt động Văn phòng công chứng"))
    build.sections(document)
    document.add_paragraph("Bước 1: tiếp nhận hồ sơ (0,5 ngày).")
    message = _refused(world, _file(document))
    assert message.startswith("Không tìm thấy bảng các bước trong tệp “QT-05-STP.docx”")


def test_a_code_already_used_in_the_agency_is_refused(world, tthc):
    existing = world.node.page.add_child(
        instance=procedure(
            world.node, title="Quy trình cũ", code="qt-05/stp", tthc=tthc, live=False
        )
    )
    message = _refused(world, _file(build.procedure_docx()))
    assert "Mã tài liệu QT-05/STP" in message and f"“{existing.title}”" in message


def test_only_those_who_may_add_a_procedure_there_import(world, tthc):
    for label in (("node", Role.STAFF), ("node", Role.AUDITOR), ("sibling", Role.OFFICER)):
        with pytest.raises(PermissionDenied):
            _import(world, build.procedure_docx(), actor=world.users[label])
    assert not ProcedurePage.objects.exists()
    # Rights flow down the tree: the province's officer may import into the department.
    page, _problems = _import(world, build.procedure_docx(), actor=world.users["parent", "officer"])
    assert page.agency == world.node


# --- The admin: button, form, result -------------------------------------------------------------


def _upload(content: bytes, name="QT-05-STP.docx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_view_round_trip(client, world, tthc):
    officer = world.users["node", Role.OFFICER]
    client.force_login(officer)
    url = reverse("documents_docx_import", args=[world.node.page.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Nhập quy trình từ Word" in response.content.decode()

    response = client.post(url, {"file": _upload(build.to_bytes(build.procedure_docx()))})
    page = ProcedurePage.objects.get(code="QT-05/STP")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "Đã nhập “Quy trình đăng ký hoạt động Văn phòng công chứng” thành bản dự thảo" in (
        response.content.decode()
    )
    assert page.latest_revision.user == officer and not page.live


def test_the_view_lists_the_problems_with_a_link_to_the_draft(client, world, tthc):
    client.force_login(world.users["node", Role.OFFICER])
    steps = [list(step) for step in build.STEPS]
    steps[2][3] = "ba ngày"
    document = build.procedure_docx(steps=[tuple(s) for s in steps])
    response = client.post(
        reverse("documents_docx_import", args=[world.node.page.pk]),
        {"file": _upload(build.to_bytes(document))},
    )
    page = ProcedurePage.objects.get(code="QT-05/STP")
    result_url = reverse("documents_docx_import_result", args=[page.pk])
    assert response.status_code == 302 and response["Location"] == result_url
    html = client.get(result_url).content.decode()
    assert "2 chỗ chưa đọc được" in html
    assert f"{TABLE}, dòng 3 (Bước 3), cột Thời gian: “ba ngày” không đọc được số ngày" in html
    assert "Mở bản dự thảo để kiểm tra" in html
    assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in html
    assert "QT-05-STP.docx" in html


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("giay-to.docx", b"not a word file at all", "không phải là tệp .docx"),
        ("quy-trinh.doc", b"\xd0\xcf\x11\xe0", "Chỉ nhận tệp Word .docx"),
    ],
)
def test_the_view_refuses_what_is_not_a_docx(client, world, tthc, name, content, expected):
    client.force_login(world.users["node", Role.OFFICER])
    response = client.post(
        reverse("documents_docx_import", args=[world.node.page.pk]),
        {"file": _upload(content, name)},
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not ProcedurePage.objects.exists()


def test_the_view_shows_a_file_without_a_step_table_refused(client, world, tthc):
    client.force_login(world.users["node", Role.OFFICER])
    document = docx.Document()
    build.front(document)
    build.sections(document)
    response = client.post(
        reverse("documents_docx_import", args=[world.node.page.pk]),
        {"file": _upload(build.to_bytes(document))},
    )
    assert response.status_code == 200
    assert "Không tìm thấy bảng các bước" in response.content.decode()
    assert not ProcedurePage.objects.exists()


def _refused_by_admin(response) -> bool:
    """Wagtail's admin answers a PermissionDenied by sending the person to the dashboard with
    "Sorry, you do not have permission…" (403 for a request that expects JSON)."""
    if response.status_code == 302:
        return response["Location"] == reverse("wagtailadmin_home")
    return response.status_code == 403


def test_the_view_refuses_others(client, world, tthc):
    url = reverse("documents_docx_import", args=[world.node.page.pk])
    for label in (("node", Role.STAFF), ("sibling", Role.OFFICER), ("sibling", Role.LEADER)):
        client.force_login(world.users[label])
        assert _refused_by_admin(client.get(url))
        post = client.post(url, {"file": _upload(build.to_bytes(build.procedure_docx()))})
        assert _refused_by_admin(post)
    assert not ProcedurePage.objects.exists()
    client.force_login(world.admin)
    draft = world.node.page.add_child(
        instance=procedure(world.node, title="Quy trình", code="QT-1", tthc=tthc, live=False)
    )
    assert client.get(reverse("documents_docx_import", args=[draft.pk])).status_code == 404
    client.force_login(world.users["sibling", Role.OFFICER])
    result = reverse("documents_docx_import_result", args=[draft.pk])
    assert client.get(result).status_code == 404


def test_the_button_shows_to_those_who_may_import_without_a_query(
    world, tthc, django_assert_num_queries
):
    page = world.node.page
    officer, staff = world.users["node", Role.OFFICER], world.users["node", Role.STAFF]
    assert DocxImportButton(page=page).is_shown(officer)
    assert not DocxImportButton(page=page).is_shown(staff)
    assert not DocxImportButton(page=page).is_shown(world.users["sibling", Role.OFFICER])
    draft = page.add_child(
        instance=procedure(world.node, title="Quy trình", code="QT-1", tthc=tthc, live=False)
    )
    assert not DocxImportButton(page=draft).is_shown(officer)
    # The page listing asks it for every row: no query once the user's rights are read.
    with django_assert_num_queries(0):
        for agency_page in (page, world.parent.page, world.sibling.page, world.unit.page):
            DocxImportButton(page=agency_page).is_shown(officer)


def test_the_page_header_and_the_choice_of_page_type_link_to_the_import(client, world):
    client.force_login(world.users["node", Role.OFFICER])
    url = reverse("documents_docx_import", args=[world.node.page.pk])
    explore = client.get(reverse("wagtailadmin_explore", args=[world.node.page.pk]))
    assert url in explore.content.decode()
    # The choice of page type (an agency page or a procedure) offers the import beside them.
    response = client.get(reverse("wagtailadmin_pages:add_subpage", args=[world.node.page.pk]))
    assert response.status_code == 200 and url in response.content.decode()
    client.force_login(world.users["node", Role.STAFF])
    explore = client.get(reverse("wagtailadmin_explore", args=[world.node.page.pk]))
    assert url not in explore.content.decode()


# --- The reader's parts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,days",
    [
        ("0,5 ngày làm việc", D("0.5")),
        ("0,25", D("0.25")),
        ("07 ngày", D("7")),
        ("01 ngày làm việc", D("1")),
        ("1/2 ngày", D("0.5")),
        ("4 giờ", D("0.5")),
        ("02 giờ làm việc", D("0.25")),
        ("01 buổi", D("0.5")),
        ("0,5 ngày (04 giờ)", D("0.5")),
        ("Không tính thời gian", None),
        ("", None),
    ],
)
def test_times_as_officers_write_them(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["ba ngày", "0,5 tuần", "1/0 ngày", "theo quy định"])
def test_times_that_cannot_be_read(text):
    with pytest.raises(CellError) as error:
        parse_days(text)
    assert str(error.value) == f"“{text}” không đọc được số ngày"


def test_a_legal_line_read_as_far_as_written():
    doc = parse_legal_document(
        "+ Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ hướng dẫn thi "
        "hành một số quy định của Nghị định số 61/2018/NĐ-CP, có hiệu lực thi hành từ ngày "
        "08/01/2019;"
    )
    assert (doc.number, doc.issuer, doc.issued_on, doc.effective_on) == (
        "01/2018/TT-VPCP",
        "Văn phòng Chính phủ",
        datetime.date(2018, 11, 23),
        datetime.date(2019, 1, 8),
    )
    assert doc.title.startswith("Thông tư hướng dẫn thi hành một số quy định")
    standard = parse_legal_document("- TCVN ISO 9001:2015 Hệ thống quản lý chất lượng")
    assert standard.number == "TCVN ISO 9001:2015" and standard.issuer == ""
    assert standard.issued_on is None


def test_an_unreadable_legal_line_is_named(world, tthc):
    page, problems = _import(
        world, build.procedure_docx(legal=["- Các văn bản hướng dẫn hiện hành"])
    )
    assert problems == [
        "Căn cứ pháp lý, dòng 1: “Các văn bản hướng dẫn hiện hành” không đọc được số, ký "
        "hiệu, ngày ban hành, cơ quan ban hành"
    ]
    (doc,) = _draft(page).legal_basis
    assert doc.value["title"] == "Các văn bản hướng dẫn hiện hành"


def test_the_upload_cap_applies(world, tthc, settings):
    settings.QMS_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as refused:
        read_procedure_docx(_file(build.procedure_docx()), name="lon.docx")
    assert "vượt giới hạn" in refused.value.messages[0]


def test_the_edit_page_opens_an_imported_draft_to_correct(client, world):
    """The officer lands on the draft's edit page, even with its TTHC left empty (an unknown
    code) or a table over its limit."""
    factories.tthc(code="1.001806", working_days="8")
    client.force_login(world.users["node", Role.OFFICER])
    over_limit, _problems = _import(world, build.procedure_docx())
    unknown, _problems = _import(world, build.procedure_docx(code="QT-06/STP", tthc="1.009999"))
    for page in (over_limit, unknown):
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="QT-0' in html  # the code in its field, the steps in the block data
        assert json.dumps("Thẩm định hồ sơ, dự thảo quyết định")[1:-1] in html
