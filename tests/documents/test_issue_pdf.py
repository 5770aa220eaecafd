"""An issue printed as PDF: the header block and signatures as Vietnamese procedures print them,
the step tables with their total and "Không tính thời gian", the same bytes whatever later
happens to the agency's files or name; the download scoped to the procedure's agency."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from documents.models import ApprovalDecision, ProcedureIssue
from documents.pdf import issue_document, issue_pdf
from qms.models import Agency, Role
from qms.services.agencies import agency_update
from tests import factories
from tests.documents.issue_builders import draft, publish, service, step
from tests.qms.pdf_text import fonts, pdf_text

pytestmark = pytest.mark.django_db


def _named(user, last, first):
    get_user_model().objects.filter(pk=user.pk).update(last_name=last, first_name=first)
    user.refresh_from_db()
    return user


@pytest.fixture
def issue(world):
    tthc = factories.tthc(code="2.000488", name="Cấp Phiếu lý lịch tư pháp", working_days="10")
    officer = _named(world.users["node", Role.OFFICER], "Nguyễn Văn", "An")
    page = draft(
        world.node,
        tthc=tthc,
        steps=[
            step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
            step("Bước 2", "9", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp", output="Phiếu"),
            step("Bước 3", None, "Trả kết quả", "Bộ phận một cửa"),
        ],
    )
    issued = publish(page, user=officer)
    reviewer = _named(world.users["node", Role.LEADER], "Trần Thị", "Bình")
    approver = _named(world.users["parent", Role.LEADER], "Lê Văn", "Cường")
    moment = timezone.make_aware(datetime.datetime(2025, 7, 14, 9, 30))
    ProcedureIssue.objects.filter(pk=issued.pk).update(
        reviewed_by=reviewer,
        reviewed_at=moment,
        approved_by=approver,
        approved_at=moment + datetime.timedelta(days=1),
    )
    return ProcedureIssue.objects.get(pk=issued.pk)


def _text(issue):
    return pdf_text(issue_pdf(ProcedureIssue.objects.get(pk=issue.pk)))


def test_the_header_block_names_the_body_the_procedure_and_who_signed_it(issue):
    data = issue_pdf(issue)
    assert data.startswith(b"%PDF-")
    assert any(name.endswith("+DejaVuSans") for name in fonts(data).values())
    text = pdf_text(data)
    effective = issue.effective_date.strftime("%d/%m/%Y")
    drafted = timezone.localtime(issue.drafted_at).strftime("%d/%m/%Y")
    for words in (
        "THÀNH PHỐ THỬ SỞ TƯ PHÁP THỬ QUY TRÌNH CẤP PHIẾU LÝ LỊCH TƯ PHÁP",
        "Mã hiệu: QT-05/STP Lần ban hành: 01",
        f"Ngày hiệu lực: {effective}",
        "Trách nhiệm Soạn thảo Xem xét Phê duyệt",
        "Họ và tên Nguyễn Văn An Trần Thị Bình Lê Văn Cường",
        f"Ngày {drafted} 14/07/2025 15/07/2025",
        f"01 {effective} Ban hành lần đầu",
        f"QT-05/STP – Lần ban hành 01 – Hiệu lực từ {effective} Trang 1/2",  # 2: the diagram
    ):
        assert words in text, words


def test_sections_and_the_step_table_with_its_total(issue):
    text = _text(issue)
    for words in (
        "1. MỤC ĐÍCH Quy định trình tự cấp phiếu lý lịch tư pháp cho công dân.",
        "2. PHẠM VI ÁP DỤNG Áp dụng tại cơ quan.",
        "3. CĂN CỨ PHÁP LÝ – Nghị định 118/2025/NĐ-CP ngày 09/06/2025 của Chính phủ",
        "5.1. 2.000488 – Cấp Phiếu lý lịch tư pháp",
        "Thời hạn giải quyết theo quy định: 10 ngày làm việc.",
        "Bước 1 Tiếp nhận, kiểm tra hồ sơ Bộ phận một cửa 0,5",
        "Bước 2 Thẩm định hồ sơ Phòng Hành chính tư pháp 9 Phiếu",
        "Bước 3 Trả kết quả Bộ phận một cửa Không tính thời gian",
        "Tổng thời gian giải quyết 9,5",
        "7. HỒ SƠ CẦN LƯU",
        "1 Sổ theo dõi hồ sơ Phòng Hành chính tư pháp 05 năm",
    ):
        assert words in text, words


def test_a_superseded_issue_says_so_and_keeps_its_own_record_of_changes(world, issue):
    page = issue.procedure
    second = publish(
        page,
        services=[service(issue.services.get().tthc, [step("Bước 1", "5")])],
        change_summary="Rút gọn còn một bước",
    )
    first_text = _text(issue)
    assert "BẢN KHÔNG CÒN HIỆU LỰC: đã được thay thế từ ngày" in first_text
    assert "Rút gọn còn một bước" not in first_text  # later issues are not in its record
    second_text = _text(second)
    assert "BẢN KHÔNG CÒN HIỆU LỰC" not in second_text
    assert "Ban hành lần đầu" in second_text and "02" in second_text
    assert "Rút gọn còn một bước" in second_text and "Lần ban hành: 02" in second_text


def test_the_decision_that_issued_it_is_printed(world, issue):
    decision = ApprovalDecision.objects.create(
        agency=world.node, number="125/QĐ-STP", signed_on=datetime.date(2025, 7, 15), signer="X"
    )
    ProcedureIssue.objects.filter(pk=issue.pk).update(decision=decision)
    assert "Ban hành kèm theo Quyết định số 125/QĐ-STP ngày 15/07/2025" in _text(issue)


def test_the_same_issue_prints_the_same_bytes_whatever_happens_to_its_form_or_agency(world):
    tthc = factories.tthc(working_days="10")
    form = factories.document(world.node, title="Tờ khai mẫu 03/2025", filename="to-khai.pdf")
    page = draft(
        world.node,
        tthc=tthc,
        steps=[step("Bước 1", "1", form=form), step("Bước 2", None)],
        forms=[("form", form)],
    )
    issue = publish(page)
    before = issue_pdf(issue)
    assert "Tờ khai mẫu 03/2025" in pdf_text(before)
    assert "Mẫu: Tờ khai mẫu 03/2025" in issue_document(issue).text()

    form.title = "Tờ khai mẫu mới"
    form.file.delete(save=False)
    form.file = ContentFile(b"%PDF-1.4 mau moi", name="to-khai-moi.pdf")
    form.save()
    replaced = issue_pdf(ProcedureIssue.objects.get(pk=issue.pk))
    form.delete()
    deleted = issue_pdf(ProcedureIssue.objects.get(pk=issue.pk))
    node = Agency.objects.get(pk=world.node.pk)
    node.name = "Sở Tư pháp mới"
    agency_update(actor=None, agency=node)
    renamed = issue_pdf(ProcedureIssue.objects.get(pk=issue.pk))
    with translation.override("en"):  # the official text, whoever reads it
        in_english = issue_pdf(ProcedureIssue.objects.get(pk=issue.pk))
    assert before == replaced == deleted == renamed == in_english
    assert "SỞ TƯ PHÁP THỬ" in pdf_text(renamed)


def test_the_download_is_for_the_agency_and_the_bodies_above(world, issue):
    url = reverse("documents_issue_pdf", args=[issue.pk])
    for who in (("node", Role.STAFF), ("parent", Role.OFFICER)):
        client = Client()
        client.force_login(world.users[who])
        response = client.get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="qt-05stp-lan-01.pdf"'
        assert response.content == issue_pdf(issue)
    for role in Role.values:
        client = Client()
        client.force_login(world.users["sibling", role])
        assert client.get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
