"""Journey 2 of DESIGN.md in a real browser, as the demo people: an internal auditor of the city plans an audit of a
department (not their own), starts it, generates the checklist and answers it in tablet mode,
records a minor nonconformity against clause 8.5.1 from the answered question; the department's
officer opens a corrective action, records the cause (5 whys) and the plan; the owner (a staff
member) reports it implemented; the auditor verifies it effective; the officer closes it and the
nonconformity closes with it; the auditor reports the audit with its conclusion and closes it, and
the audit report PDF carries the finding. Every move of the action is in its history with who and
when.

Screenshots of each step go to var/screens/ (ignored by git) for a person to look at."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    ActionState,
    Audit,
    AuditState,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    FindingKind,
    FindingState,
    ItemResult,
)
from documents.models import ProcedurePage
from qms.management.commands.seed_demo import DEMO_PASSWORD
from qms.people import person_name
from tests import factories
from tests.qms.pdf_text import pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
NOTES = "2/10 hồ sơ tháng 10 trả kết quả không có phiếu kiểm soát quá trình."
# The city's internal auditor, the Department of Justice's ISO officer and one of its staff.
DEMO_USERS = ("hn-auditor", "stp-officer", "stp-staff")
CONCLUSION = "Hệ thống quản lý chất lượng của đơn vị phù hợp, còn 01 điểm không phù hợp nhẹ."


@pytest.fixture
def scene(transactional_db):
    """The demo (made before the browser starts): the city's internal auditor (qualified, no
    working role anywhere), the Department of Justice's ISO officer and a staff member, and its
    procedure QT-01/STP in force."""
    call_command("seed_demo", verbosity=0)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_USERS)}
    procedure = ProcedurePage.objects.get(code="QT-01/STP")
    return users, procedure


def _sign_in(browser, base, user):
    page = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    return page


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"audit-{name}.png"), full_page=True, animations="disabled")


def _header_action(page, label):
    """Click an action of the object's header, opening its "more" menu when needed."""
    link = page.locator("header").get_by_role("link", name=label, exact=True)
    if not link.first.is_visible():
        page.locator("header").get_by_role("button", name="Thao tác").first.click()
        link.first.wait_for(state="visible")
    with page.expect_navigation():
        link.first.click()


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _fill_date(page, name, day):
    """Type a date in the admin's picker format; the picker opens a moment after the field takes
    focus and would cover the buttons below: wait for it, then Tab closes it."""
    from playwright.sync_api import expect

    page.fill(f"input[name={name}]", day.strftime("%d/%m/%Y"))
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)


def test_journey_2_audit_finding_action_report(scene, live_server, browser, monkeypatch):
    from playwright.sync_api import expect  # after the browser fixture's skip

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    users, procedure = scene
    auditor, officer, owner = (users[name] for name in DEMO_USERS)
    department = procedure.agency
    base = live_server.url
    today = timezone.localdate()
    errors = []

    # 1. The city's auditor plans an audit of the department, scope clause 8.5.1 and QT-02/STP.
    ui = _sign_in(browser, base, auditor)
    ui.on("pageerror", lambda exc: errors.append(str(exc)))
    ui.goto(f"{base}{reverse('audits:add')}")
    # The form offers the auditor's own body first; the auditee is another one, chosen from the
    # chooser's menu.
    ui.locator(".chooser [data-w-dropdown-target=toggle]").first.click()
    ui.get_by_role("button", name="Chọn cơ quan, đơn vị khác").first.click()
    modal = ui.locator(".modal-dialog")
    modal.locator("input[name=q]").fill(department.name)
    modal.get_by_role("link", name=department.name, exact=True).first.click()
    expect(modal).to_be_hidden()
    ui.fill("input[name=code]", "DGNB-2026-07")
    ui.fill("input[name=title]", "Đánh giá nội bộ Sở Tư pháp năm 2026")
    ui.fill("textarea[name=objectives]", "Xác định mức độ phù hợp với TCVN ISO 9001:2015.")
    ui.fill("textarea[name=criteria]", "TCVN ISO 9001:2015; các quy trình nội bộ đang áp dụng.")
    _fill_date(ui, "planned_start", today)
    _fill_date(ui, "planned_end", today + datetime.timedelta(days=2))
    ui.select_option("select[name=lead_auditor]", str(auditor.pk))
    ui.select_option("select[name=clauses]", label="8.5.1 Kiểm soát sản xuất và cung cấp dịch vụ")
    ui.locator("select[name=procedures]").select_option(str(procedure.pk))
    _shot(ui, "1-plan")
    _submit(ui, "Tạo mới")
    audit = Audit.objects.get(code="DGNB-2026-07")
    assert audit.agency == department and audit.state == AuditState.PLANNED
    assert audit.team.get().user == auditor

    # 2. Started from its page; the checklist generated and answered in tablet mode.
    ui.goto(f"{base}{reverse('audits:inspect', args=[audit.pk])}")
    _header_action(ui, "Bắt đầu đánh giá")
    _submit(ui, "Bắt đầu đánh giá")
    _shot(ui, "2-started")
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS
    ui.goto(f"{base}{reverse('audits:inspect', args=[audit.pk])}")
    _header_action(ui, "Phiếu đánh giá")
    _submit(ui, "Lập phiếu từ phạm vi đánh giá")
    items = list(ChecklistItem.objects.filter(audit=audit).order_by("position"))
    assert items and all(i.clause.number == "8.5.1" and i.procedure == procedure for i in items)
    _shot(ui, "3-checklist")
    with ui.expect_navigation():
        ui.get_by_role("link", name="Đánh giá từng câu (máy tính bảng)").first.click()
    expect(ui.locator("#tablet-progress")).to_contain_text(f"Câu 1/{len(items)}")
    # Choosing the result saves it at once (autosave); the notes go with "Lưu".
    ui.locator("label", has_text="Không phù hợp").locator("input[name=result]").check()
    expect(ui.get_by_text("Đã lưu").first).to_be_visible()
    assert ChecklistItem.objects.get(pk=items[0].pk).result == ItemResult.NONCONFORMITY
    ui.fill("textarea[name=notes]", NOTES)
    _shot(ui, "4-tablet")
    _submit(ui, "Lưu")
    first = ChecklistItem.objects.get(pk=items[0].pk)
    assert first.result == ItemResult.NONCONFORMITY and first.notes == NOTES
    assert first.answered_by == auditor

    # 3. The minor nonconformity, recorded from the answered question.
    ui.goto(f"{base}{reverse('audit_checklists:list', args=[audit.pk])}")
    with ui.expect_navigation():
        ui.get_by_role("link", name="Ghi nhận phát hiện").first.click()
    ui.select_option("select[name=kind]", FindingKind.MINOR_NC.value)
    assert ui.input_value("textarea[name=description]").strip() != ""
    _shot(ui, "5-finding")
    _submit(ui, "Tạo mới")
    _shot(ui, "5b-finding-saved")
    finding = Finding.objects.get(audit=audit)
    assert finding.kind == FindingKind.MINOR_NC and finding.clause.number == "8.5.1"
    assert finding.checklist_item_id == first.pk and finding.state == FindingState.ACTION_REQUIRED

    # 4. The department's officer opens the action, records the cause and the plan.
    office = _sign_in(browser, base, officer)
    office.on("pageerror", lambda exc: errors.append(str(exc)))
    office.goto(f"{base}{reverse('audit_findings:inspect', args=[finding.pk])}")
    _shot(office, "6-finding-officer")
    with office.expect_navigation():
        office.get_by_role("link", name="Thêm hành động khắc phục").first.click()
    office.select_option("select[name=owner]", str(owner.pk))
    office.select_option("select[name=verifier]", str(auditor.pk))
    _fill_date(office, "due_date", today + datetime.timedelta(days=20))
    office.fill("input[name=verification_wait_days]", "0")
    office.fill("textarea[name=correction]", "Bổ sung phiếu kiểm soát cho 2 hồ sơ.")
    _shot(office, "7-action-add")
    _submit(office, "Tạo mới")
    action = CorrectiveAction.objects.get(finding=finding)
    assert action.owner == owner and action.state == ActionState.OPEN
    action_url = f"{base}{reverse('corrective_actions:inspect', args=[action.pk])}"
    office.goto(action_url)
    _header_action(office, "Phân tích nguyên nhân")
    office.fill("input[name=why_1]", "Bộ phận một cửa không in phiếu kiểm soát.")
    office.fill("input[name=why_2]", "Phần mềm một cửa không nhắc in phiếu.")
    office.fill("textarea[name=root_cause]", "Quy trình chưa quy định bước in phiếu kiểm soát.")
    _shot(office, "8-cause")
    _submit(office, "Phân tích nguyên nhân")
    office.goto(action_url)
    _header_action(office, "Lập kế hoạch")
    office.fill("textarea[name=plan]", "Sửa quy trình QT-01/STP, bổ sung bước in phiếu.")
    _submit(office, "Lập kế hoạch")
    action.refresh_from_db()
    assert action.state == ActionState.ACTION_PLANNED

    # 5. The owner reports it implemented with an evidence file.
    staff = _sign_in(browser, base, owner)
    staff.on("pageerror", lambda exc: errors.append(str(exc)))
    staff.goto(f"{base}{reverse('corrective_actions:index')}")
    expect(staff.get_by_role("link", name=action.code)).to_be_visible()
    staff.goto(action_url)
    _header_action(staff, "Báo cáo đã thực hiện")
    staff.fill("textarea[name=implementation]", "Đã ban hành QT-01/STP lần mới, tập huấn bộ phận.")
    staff.set_input_files(
        "input[name=files]",
        files=[
            {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": factories.pdf_bytes()}
        ],
    )
    _shot(staff, "9-implement")
    _submit(staff, "Báo cáo đã thực hiện")
    action.refresh_from_db()
    assert action.state == ActionState.IMPLEMENTED and action.evidence_documents.count() == 1

    # 6. The auditor verifies it effective; the officer closes it, the finding follows.
    ui.goto(action_url)
    _header_action(ui, "Xác nhận hiệu lực")
    ui.get_by_label("Có hiệu lực", exact=True).check()
    ui.fill("textarea[name=note]", "Kiểm tra 10 hồ sơ tháng 11: đủ phiếu kiểm soát.")
    _submit(ui, "Xác nhận hiệu lực")
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED_EFFECTIVE
    office.goto(action_url)
    _header_action(office, "Đóng")
    _submit(office, "Đóng")
    action.refresh_from_db()
    finding.refresh_from_db()
    assert action.state == ActionState.CLOSED and finding.state == FindingState.CLOSED

    # Every move is in the action's page with who and when.
    office.goto(action_url)
    _shot(office, "10-action-closed")
    moves = office.inner_text("main")
    for person in (officer, owner, auditor):
        assert person_name(person) in moves
    assert action.steps.count() == 6
    # …and in its history (Wagtail's log of each move, with who and when).
    office.goto(f"{base}{reverse('corrective_actions:history', args=[action.pk])}")
    _shot(office, "10b-action-history")
    history = office.inner_text("main")
    for person in (officer, owner, auditor):
        assert person_name(person) in history

    # 7. The auditor reports the audit with its conclusion and closes it; the report PDF.
    ui.goto(f"{base}{reverse('audits:inspect', args=[audit.pk])}")
    _header_action(ui, "Báo cáo kết quả")
    ui.fill("textarea[name=conclusion]", CONCLUSION)
    _submit(ui, "Báo cáo kết quả")
    ui.goto(f"{base}{reverse('audits:inspect', args=[audit.pk])}")
    _header_action(ui, "Kết thúc cuộc đánh giá")
    _submit(ui, "Kết thúc cuộc đánh giá")
    audit.refresh_from_db()
    assert audit.state == AuditState.CLOSED and audit.conclusion == CONCLUSION
    _shot(ui, "11-closed")
    ui.goto(f"{base}{reverse('audits:inspect', args=[audit.pk])}")
    link = ui.locator("header").get_by_role("link", name="Báo cáo đánh giá (PDF)")
    if not link.first.is_visible():
        ui.locator("header").get_by_role("button", name="Thao tác").first.click()
    href = link.first.get_attribute("href")
    response = ui.request.get(f"{base}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(response.body()).split())
    assert finding.code in text and "8.5.1" in text
    assert " ".join(CONCLUSION.split()) in text
    assert person_name(auditor) in text
    assert errors == []
