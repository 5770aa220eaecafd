"""Two issues compared: a changed step shows as that step, old → new; added and removed steps in
their places; time changes; text sections word by word; the admin's comparison scoped to the
procedure's agency."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from documents.compare import ADDED, CHANGED, REMOVED, SAME, compare_issues, word_diff
from documents.wagtail_hooks.compare import CompareIssuesButton
from qms.models import Role
from tests import factories
from tests.documents.issue_builders import draft, legal, publish, service, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def tthc(db):
    return factories.tthc(code="2.000488", name="Cấp Phiếu lý lịch tư pháp", working_days="10")


def _first(world, tthc, **fields):
    page = draft(
        world.node,
        tthc=tthc,
        steps=[
            step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
            step("Bước 2", "9", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp"),
            step("Bước 3", None, "Trả kết quả", "Bộ phận một cửa"),
        ],
        **fields,
    )
    return page, publish(page, user=world.users["node", Role.OFFICER])


def _rows(service_change):
    return [(s.code, s.status) for s in service_change.steps]


def test_a_changed_step_shows_as_that_step_old_and_new(world, tthc):
    page, one = _first(world, tthc)
    two = publish(
        page,
        services=[
            service(
                tthc,
                [
                    step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
                    step("Bước 2", "8.5", "Thẩm định, xác minh hồ sơ", "Phòng Lý lịch tư pháp"),
                    step("Bước 3", None, "Trả kết quả", "Bộ phận một cửa"),
                ],
            )
        ],
        change_summary="Rút ngắn thời gian thẩm định",
    )
    diff = compare_issues(one, two)
    (changed_service,) = diff.services
    assert changed_service.status == CHANGED
    assert _rows(changed_service) == [("Bước 1", SAME), ("Bước 2", CHANGED), ("Bước 3", SAME)]
    second = changed_service.steps[1]
    assert (second.old.content, second.new.content) == (
        "Thẩm định hồ sơ",
        "Thẩm định, xác minh hồ sơ",
    )
    assert {f.key: (f.old, f.new) for f in second.changed_fields} == {
        "content": ("Thẩm định hồ sơ", "Thẩm định, xác minh hồ sơ"),
        "responsible": ("Phòng Hành chính tư pháp", "Phòng Lý lịch tư pháp"),
        "days": ("9", "8,5"),
    }
    content, responsible, days, output, form = second.cells
    assert str(content) == "Thẩm <del>định</del><ins>định, xác minh</ins> hồ sơ"
    assert str(responsible) == "Phòng <del>Hành chính</del><ins>Lý lịch</ins> tư pháp"
    assert str(days) == "<del>9</del><ins>8,5</ins>"
    assert second.days_change is not None
    html = render_to_string("documents/includes/issue_diff.html", {"diff": diff})
    row = html.split('data-step="Bước 2"')[1].split("</tr>")[0]
    assert "<del>9</del><ins>8,5</ins>" in row and "Sửa đổi" in row
    assert "Rút ngắn thời gian thẩm định" in html


def test_added_and_removed_steps_stand_where_they_were(world, tthc):
    page, one = _first(world, tthc)
    two = publish(
        page,
        services=[
            service(
                tthc,
                [
                    step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
                    step("Bước 2a", "1", "Xin ý kiến cơ quan công an", "Phòng Lý lịch tư pháp"),
                    step("Bước 3", None, "Trả kết quả", "Bộ phận một cửa"),
                ],
            )
        ],
    )
    (change,) = compare_issues(one, two).services
    assert _rows(change) == [
        ("Bước 1", SAME),
        ("Bước 2", REMOVED),
        ("Bước 2a", ADDED),
        ("Bước 3", SAME),
    ]
    removed, added = change.steps[1], change.steps[2]
    assert removed.new is None and removed.old.content == "Thẩm định hồ sơ"
    assert added.old is None and added.new.content == "Xin ý kiến cơ quan công an"
    assert str(removed.cell("content")) == "<del>Thẩm định hồ sơ</del>"
    assert str(added.cell("days")) == "<ins>1</ins>"
    assert change.counts == {ADDED: 1, REMOVED: 1, CHANGED: 0, SAME: 2}


def test_steps_are_matched_by_code_whatever_their_place_case_or_accents(world, tthc):
    page, one = _first(world, tthc)
    two = publish(
        page,
        services=[
            service(
                tthc,
                [
                    step("Bước 0", "0.5", "Hướng dẫn người nộp hồ sơ", "Bộ phận một cửa"),
                    step("bước 1", "0", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
                    step("Buoc 2", "9", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp"),
                    step("Bước 3", None, "Trả kết quả", "Bộ phận một cửa"),
                ],
            )
        ],
    )
    (change,) = compare_issues(one, two).services
    assert _rows(change) == [
        ("Bước 0", ADDED),
        ("bước 1", CHANGED),  # its time, and the way its code is written
        ("Buoc 2", CHANGED),  # the code only
        ("Bước 3", SAME),
    ]
    assert change.steps[1].days_change == (change.steps[1].old.days, change.steps[1].new.days)
    assert [f.key for f in change.steps[2].changed_fields] == []


def test_time_changes_show_in_the_steps_and_the_total(world, tthc):
    page, one = _first(world, tthc)
    two = publish(
        page,
        services=[
            service(
                tthc,
                [
                    step("Bước 1", None, "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
                    step("Bước 2", "9.25", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp"),
                    step("Bước 3", "0.25", "Trả kết quả", "Bộ phận một cửa"),
                ],
            )
        ],
    )
    (change,) = compare_issues(one, two).services
    assert (change.old_total, change.new_total) == (one.services.get().total_days, 9.5)
    assert change.total_changed is False  # 0,5 + 9 = 9,25 + 0,25
    first, second, third = change.steps
    assert str(first.cell("days")) == "<del>0,5</del><ins>Không tính thời gian</ins>"
    assert str(second.cell("days")) == "<del>9</del><ins>9,25</ins>"
    assert str(third.cell("days")) == "<del>Không tính thời gian</del><ins>0,25</ins>"

    three = publish(
        page,
        services=[service(tthc, [step("Bước 1", "0.5"), step("Bước 2", "7")])],
    )
    (change,) = compare_issues(two, three).services
    assert change.total_changed and str(change.total_html) == "<del>9,5</del><ins>7,5</ins>"
    html = render_to_string(
        "documents/includes/issue_diff.html", {"diff": compare_issues(two, three)}
    )
    assert "<del>9,5</del><ins>7,5</ins>" in html.split("data-total")[1]


def test_a_tthc_is_matched_by_its_code_and_variant(world, tthc):
    other = factories.tthc(code="2.000505", name="Cấp bản sao trích lục hộ tịch")
    page, one = _first(world, tthc)
    kept = service(
        tthc,
        [
            step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
            step("Bước 2", "9", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp"),
            step("Bước 3", None, "Trả kết quả", "Bộ phận một cửa"),
        ],
    )
    two = publish(
        page,
        services=[
            kept,
            service(tthc, [step("Bước 1", "3")], variant="b) Cấp cho cơ quan tiến hành tố tụng"),
            service(other, [step("Bước 1", "1")]),
        ],
    )
    three = publish(page, services=[kept])
    forward = compare_issues(one, two).services
    assert [(s.tthc.code, s.variant, s.status) for s in forward] == [
        ("2.000488", "", SAME),
        ("2.000488", "b) Cấp cho cơ quan tiến hành tố tụng", ADDED),
        ("2.000505", "", ADDED),
    ]
    assert _rows(forward[1]) == [("Bước 1", ADDED)]
    back = compare_issues(two, three).services
    assert [(s.tthc.code, s.status) for s in back] == [
        ("2.000488", SAME),
        ("2.000488", REMOVED),
        ("2.000505", REMOVED),
    ]
    assert back[2].old_total == 1 and back[2].new_total is None


def test_text_sections_are_compared_word_by_word(world, tthc):
    page, one = _first(world, tthc)
    two = publish(
        page,
        purpose="Quy định trình tự cấp phiếu lý lịch tư pháp số 1 cho công dân Việt Nam.",
        legal_basis=[legal("Nghị định 118/2025/NĐ-CP", "về thực hiện thủ tục hành chính")]
        + [legal("Thông tư 03/2025/TT-VPCP", "hướng dẫn một cửa", issuer="Văn phòng Chính phủ")],
    )
    diff = compare_issues(one, two)
    changed = {s.key: str(s.html) for s in diff.changed_sections}
    assert set(changed) == {"purpose", "legal_basis"}
    assert changed["purpose"] == (
        "Quy định trình tự cấp phiếu lý lịch tư pháp <ins>số 1 </ins>cho công "
        "<del>dân.</del><ins>dân Việt Nam.</ins>"
    )
    assert changed["legal_basis"] == (
        "Nghị định 118/2025/NĐ-CP ngày 09/06/2025 của Chính phủ: về thực hiện thủ tục hành chính"
        "<ins><br>Thông tư 03/2025/TT-VPCP ngày 09/06/2025 của Văn phòng Chính phủ: hướng dẫn "
        "một cửa</ins>"
    )
    assert not diff.services[0].changed


def test_a_tthc_s_details_are_compared_word_by_word(world, tthc):
    steps = [step("Bước 1", "0.5"), step("Bước 2", "9")]
    page = draft(world.node, tthc=tthc, steps=steps)
    one = publish(page, services=[service(tthc, steps, fees="200.000 đồng/trường hợp")])
    two = publish(page, services=[service(tthc, steps, fees="100.000 đồng/trường hợp")])
    (change,) = compare_issues(one, two).services
    assert change.status == CHANGED and _rows(change) == [("Bước 1", SAME), ("Bước 2", SAME)]
    (fees,) = change.changed_details
    assert (fees.key, str(fees.label)) == ("fees", "Phí, lệ phí")
    assert str(fees.html) == "<del>200.000</del><ins>100.000</ins> đồng/trường hợp"


def test_forms_as_issued_are_compared(world, tthc):
    page, one = _first(world, tthc)
    old_form = factories.document(world.node, title="Tờ khai mẫu 03/2013", filename="tk03.pdf")
    new_form = factories.document(world.node, title="Tờ khai mẫu 03/2025", filename="tk25.pdf")
    steps = [
        step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
        step("Bước 2", "9", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp"),
    ]
    two = publish(
        page,
        forms=[("form", old_form)],
        services=[service(tthc, [steps[0] | {"form": old_form}, steps[1]])],
    )
    three = publish(
        page,
        forms=[("form", new_form)],
        services=[service(tthc, [steps[0] | {"form": new_form}, steps[1]])],
    )
    diff = compare_issues(two, three)
    (forms,) = diff.changed_sections
    assert forms.key == "forms"
    assert str(forms.html) == "Tờ khai mẫu <del>03/2013</del><ins>03/2025</ins>"
    first = diff.services[0].steps[0]
    assert first.status == CHANGED
    assert [(f.key, f.old, f.new) for f in first.changed_fields] == [
        ("form", "Tờ khai mẫu 03/2013", "Tờ khai mẫu 03/2025")
    ]
    assert one.forms.count() == 0


def test_the_same_issue_has_no_change_and_text_is_escaped(world, tthc):
    page, one = _first(world, tthc, scope="Áp dụng tại <Sở> & các phòng")
    diff = compare_issues(one, one)
    assert not diff.changed
    html = render_to_string("documents/includes/issue_diff.html", {"diff": diff})
    assert "Hai lần ban hành có nội dung như nhau." in html
    assert str(word_diff("<b>a</b>", "<script>x</script>")) == (
        "<del>&lt;b&gt;a&lt;/b&gt;</del><ins>&lt;script&gt;x&lt;/script&gt;</ins>"
    )


# --- The admin's comparison ----------------------------------------------------------------------


def _two_issues(world, tthc):
    page, one = _first(world, tthc)
    two = publish(
        page,
        services=[
            service(
                tthc,
                [
                    step("Bước 1", "0.5", "Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa"),
                    step("Bước 2", "8", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp"),
                    step("Bước 2a", "1", "Trình lãnh đạo ký", "Phòng Hành chính tư pháp"),
                    step("Bước 3", None, "Trả kết quả", "Bộ phận một cửa"),
                ],
            )
        ],
        change_summary="Thêm bước trình ký",
    )
    return page, one, two


def _get(world, user, url):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(url)


def test_members_of_the_agency_and_above_compare_any_two_issues(world, tthc):
    page, one, two = _two_issues(world, tthc)
    url = reverse("documents_issue_compare", args=[page.pk])
    for who in (("node", Role.STAFF), ("parent", Role.LEADER), ("node", Role.AUDITOR)):
        response = _get(world, world.users[who], url)
        assert response.status_code == 200, who
        html = response.content.decode()
        assert 'data-step="Bước 2a"' in html and "<del>9</del><ins>8</ins>" in html
        assert reverse("documents_issue_pdf", args=[two.pk]) in html
    reverse_order = _get(world, world.users["node", Role.OFFICER], f"{url}?old=2&new=1")
    assert "<del>9</del><ins>8</ins>" in reverse_order.content.decode()
    same = _get(world, world.users["node", Role.OFFICER], f"{url}?old=1&new=1")
    assert "Hãy chọn hai lần ban hành khác nhau" in same.content.decode()
    assert "data-step=" not in same.content.decode()


def test_another_agency_cannot_compare_its_issues(world, tthc):
    page, one, two = _two_issues(world, tthc)
    url = reverse("documents_issue_compare", args=[page.pk])
    for role in Role.values:
        assert _get(world, world.users["sibling", role], url).status_code == 404
    assert _get(world, world.users["node", Role.STAFF], url + "?old=1&new=9").status_code == 200
    missing = reverse("documents_issue_compare", args=[999999])
    assert _get(world, world.admin, missing).status_code == 404


def test_the_compare_button_is_offered_to_those_who_may_read_the_issues(world, tthc):
    page, one, two = _two_issues(world, tthc)
    button = CompareIssuesButton(page=page)
    assert button.is_shown(world.users["node", Role.STAFF])
    assert not button.is_shown(world.users["sibling", Role.LEADER])
    assert not CompareIssuesButton(page=world.node.page).is_shown(world.admin)
    assert button.url == reverse("documents_issue_compare", args=[page.pk])
