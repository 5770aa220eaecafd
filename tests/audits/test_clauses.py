"""The ISO 9001 clause catalogue (loaded by a data migration) and the question bank: the full tree
as the standard numbers it, in order, with both titles; which questions an agency's checklists may
use; who adds and changes questions, and what each person sees in the admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Clause, Question
from audits.selectors import clause_by_number, clause_tree, questions_for
from audits.services.questions import question_activate, question_deactivate, question_save
from qms.models import Role

pytestmark = pytest.mark.django_db

# Typed out from ISO 9001:2015 / TCVN ISO 9001:2015, clauses 4 to 10 (not read from the migration).
_BY_CHAPTER = (
    "4 4.1 4.2 4.3 4.4 4.4.1 4.4.2",
    "5 5.1 5.1.1 5.1.2 5.2 5.2.1 5.2.2 5.3",
    "6 6.1 6.1.1 6.1.2 6.2 6.2.1 6.2.2 6.3",
    "7 7.1 7.1.1 7.1.2 7.1.3 7.1.4 7.1.5 7.1.5.1 7.1.5.2 7.1.6 7.2 7.3 7.4",
    "7.5 7.5.1 7.5.2 7.5.3 7.5.3.1 7.5.3.2",
    "8 8.1 8.2 8.2.1 8.2.2 8.2.3 8.2.3.1 8.2.3.2 8.2.4",
    "8.3 8.3.1 8.3.2 8.3.3 8.3.4 8.3.5 8.3.6",
    "8.4 8.4.1 8.4.2 8.4.3",
    "8.5 8.5.1 8.5.2 8.5.3 8.5.4 8.5.5 8.5.6 8.6 8.7 8.7.1 8.7.2",
    "9 9.1 9.1.1 9.1.2 9.1.3 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3",
    "10 10.1 10.2 10.2.1 10.2.2 10.3",
)
EXPECTED = [number for line in _BY_CHAPTER for number in line.split()]


def test_the_catalogue_holds_every_numbered_clause_from_4_to_10():
    numbers = list(Clause.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert sorted(numbers) == sorted(EXPECTED)
    assert len(EXPECTED) == 91


def test_each_clause_hangs_under_its_number_without_the_last_part():
    for clause in Clause.objects.select_related("parent"):
        parent_number = clause.number.rpartition(".")[0]
        if parent_number:
            assert clause.parent is not None and clause.parent.number == parent_number, clause
        else:
            assert clause.parent is None, clause
        assert clause.depth == clause.number.count(".") + 1


def test_the_tree_reads_in_numeric_order():
    numbers = [c.number for c in clause_tree()]
    assert numbers == EXPECTED  # typed above in the standard's order
    assert numbers == sorted(EXPECTED, key=lambda n: [int(p) for p in n.split(".")])
    at = numbers.index
    assert at("7.1.5") < at("7.1.5.1") < at("7.1.5.2") < at("7.1.6") < at("7.2")
    assert at("9.3.3") < at("10") < at("10.1")
    assert numbers[-1] == "10.3"


def test_titles_in_both_languages():
    for clause in Clause.objects.all():
        assert clause.title_vi.strip() and clause.title_en.strip(), clause.number
    titles = {c.number: (c.title_vi, c.title_en) for c in Clause.objects.all()}
    assert titles["7.5.3"] == (
        "Kiểm soát thông tin dạng văn bản",
        "Control of documented information",
    )
    assert titles["8.5.1"][0] == "Kiểm soát sản xuất và cung cấp dịch vụ"
    assert titles["10.2"][0] == "Sự không phù hợp và hành động khắc phục"
    assert titles["9.2"] == ("Đánh giá nội bộ", "Internal audit")
    assert titles["7.1.5"][1] == "Monitoring and measuring resources"
    assert titles["4"] == ("Bối cảnh của tổ chức", "Context of the organization")


def test_clause_by_number():
    assert clause_by_number("8.5.1").title_vi == "Kiểm soát sản xuất và cung cấp dịch vụ"
    assert clause_by_number(" 8.5.1. ").number == "8.5.1"
    assert clause_by_number("11") is None


def test_the_bank_starts_with_questions_on_the_clauses_that_matter():
    bank = Question.objects.filter(agency=None, is_active=True)
    for number in ("4.3", "6.2", "7.5.3", "8.5.1", "9.2", "10.2"):
        assert bank.filter(clause__number=number).exists(), number
    assert bank.filter(clause__number="9.2").count() >= 2


def _question(place, number="9.2", text="Câu hỏi", **extra):
    return Question.objects.create(
        clause=Clause.objects.get(number=number), agency=place, text=text, **extra
    )


def test_questions_for_an_agency_are_the_banks_its_own_and_those_above(world):
    mine = _question(world.node, text="Của sở")
    above = _question(world.parent, text="Của thành phố")
    sibling = _question(world.sibling, text="Của sở bên cạnh")
    below = _question(world.unit, text="Của phòng")
    retired = _question(world.node, text="Đã ngừng", is_active=False)
    nine_two = Clause.objects.get(number="9.2")

    found = set(questions_for(world.node, [nine_two]))
    bank = set(Question.objects.filter(agency=None, clause=nine_two))
    assert bank and bank <= found
    assert {mine, above} <= found
    assert not {sibling, below, retired} & found
    assert all(q.clause_id == nine_two.pk for q in found)
    # Every clause when none is named; no agency: the bank alone.
    assert mine in set(questions_for(world.node))
    assert set(questions_for(None)) == set(Question.objects.filter(agency=None, is_active=True))


# --- The service ------------------------------------------------------------------------------


def _new(place, text="Hồ sơ có được lưu đúng thời hạn không?", number="7.5.3"):
    return Question(clause=Clause.objects.get(number=number), agency=place, text=text)


def test_officers_and_leaders_add_questions_for_their_agency(world):
    officer = world.users["node", Role.OFFICER]
    question = question_save(actor=officer, instance=_new(world.node))
    assert question.pk and question.created_by == officer and question.is_active
    assert question.history.count() == 1
    # For a unit inside it too, and a leader above.
    question_save(actor=officer, instance=_new(world.unit))
    question_save(actor=world.users["parent", Role.LEADER], instance=_new(world.node))


@pytest.mark.parametrize("role", [Role.STAFF, Role.AUDITOR])
def test_staff_and_auditors_do_not_add_questions(world, role):
    with pytest.raises(ValidationError) as refused:
        question_save(actor=world.users["node", role], instance=_new(world.node))
    assert "Sở Tư pháp thử" in " ".join(refused.value.messages)
    assert not Question.objects.filter(agency=world.node).exists()


def test_an_officer_adds_nothing_for_another_agency_nor_for_the_bank(world):
    officer = world.users["node", Role.OFFICER]
    with pytest.raises(ValidationError):
        question_save(actor=officer, instance=_new(world.sibling))
    with pytest.raises(ValidationError) as refused:
        question_save(actor=officer, instance=_new(None))
    assert "agency" in refused.value.error_dict
    assert not Question.objects.exclude(agency=None).exists()
    # An administrator adds to the bank itself.
    assert question_save(actor=world.admin, instance=_new(None)).agency is None


def test_empty_text_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        question_save(actor=world.users["node", Role.OFFICER], instance=_new(world.node, text="  "))
    assert "text" in refused.value.error_dict


def test_the_banks_own_questions_change_only_by_administrators(world):
    officer = world.users["node", Role.OFFICER]
    bank_question = Question.objects.filter(agency=None).first()
    bank_question.text = "Sửa đổi"
    with pytest.raises(PermissionDenied):
        question_save(actor=officer, instance=bank_question)
    with pytest.raises(PermissionDenied):
        question_deactivate(actor=officer, instance=bank_question)
    # Nor may an officer move a sibling's question into their own agency.
    theirs = _question(world.sibling, text="Của sở bên cạnh")
    theirs.agency = world.node
    with pytest.raises(PermissionDenied):
        question_save(actor=officer, instance=theirs)
    assert Question.objects.get(pk=theirs.pk).agency == world.sibling


def test_a_question_is_taken_out_of_use_and_back(world):
    officer = world.users["node", Role.OFFICER]
    question = _question(world.node)
    with pytest.raises(PermissionDenied):
        question_deactivate(actor=world.users["node", Role.STAFF], instance=question)
    question_deactivate(actor=officer, instance=question)
    question.refresh_from_db()
    assert not question.is_active
    assert question not in set(questions_for(world.node))
    with pytest.raises(ValidationError):
        question_deactivate(actor=officer, instance=question)
    question_activate(actor=officer, instance=question)
    question.refresh_from_db()
    assert question.is_active


# --- The admin --------------------------------------------------------------------------------


def test_the_clause_list_is_the_indented_tree_searchable_without_accents(client, world):
    client.force_login(world.users["node", Role.STAFF])
    html = client.get(reverse("iso_clauses:index")).content.decode()
    assert (
        "Kiểm soát thông tin dạng văn bản" in html and "Control of documented information" in html
    )
    assert "Cải tiến liên tục" in html  # the last clause: the whole tree on one page
    assert "padding-inline-start: 4.5rem" in html  # 7.1.5.1, four levels deep
    found = client.get(reverse("iso_clauses:index"), {"q": "kiem soat thong tin"}).content.decode()
    assert "7.5.3" in found and "Năng lực" not in found
    found = client.get(reverse("iso_clauses:index"), {"q": "8.5.1"}).content.decode()
    assert "Kiểm soát sản xuất và cung cấp dịch vụ" in found and "Bảo toàn" not in found
    # Reference data: no add or edit screen for anyone.
    assert "/admin/iso_clauses/new/" not in html
    assert client.get("/admin/iso_clauses/new/").status_code == 404


def test_a_clause_page_shows_its_parent_children_and_the_questions_one_may_see(client, world):
    mine = _question(world.node, number="7.5.3", text="Câu hỏi riêng của sở")
    _question(world.sibling, number="7.5.3", text="Câu hỏi riêng của sở bên cạnh")
    client.force_login(world.users["node", Role.STAFF])
    clause = Clause.objects.get(number="7.5.3")
    html = client.get(reverse("iso_clauses:inspect", args=[clause.pk])).content.decode()
    assert "7.5 Thông tin dạng văn bản" in html
    assert "7.5.3.1" in html and "7.5.3.2" in html
    assert mine.text in html and "sở bên cạnh" not in html
    bank = Question.objects.filter(agency=None, clause=clause).first()
    assert bank.text in html


def test_staff_read_the_bank_but_cannot_add(client, world):
    client.force_login(world.users["node", Role.STAFF])
    bank = Question.objects.filter(agency=None, clause__number="4.3").first()
    html = client.get(reverse("audit_questions:index")).content.decode()
    assert bank.text[:60] in html
    assert client.get(reverse("audit_questions:add")).status_code in (302, 403)
    response = client.get(reverse("audit_questions:edit", args=[bank.pk]))
    assert response.status_code in (302, 403)


def test_an_officer_of_another_agency_sees_nothing_of_this_agencys_question(client, world):
    theirs = _question(world.node, number="4", text="Câu hỏi riêng mk-node-only")
    client.force_login(world.users["sibling", Role.OFFICER])
    index = reverse("audit_questions:index")
    assert "mk-node-only" not in client.get(index).content.decode()
    for export in ("csv", "xlsx"):
        response = client.get(index, {"export": export})
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"mk-node-only" not in body
    for name in ("inspect", "edit", "history"):
        response = client.get(reverse(f"audit_questions:{name}", args=[theirs.pk]))
        assert response.status_code == 404, name
    # The node's own officer and the parent's leader see it.
    for user in (world.users["node", Role.OFFICER], world.users["parent", Role.LEADER]):
        client.force_login(user)
        assert "mk-node-only" in client.get(index).content.decode()


def test_the_officer_adds_a_question_through_the_form(client, world):
    officer = world.users["node", Role.OFFICER]
    client.force_login(officer)
    clause = Clause.objects.get(number="8.5.1")
    response = client.post(
        reverse("audit_questions:add"),
        {
            "clause": clause.pk,
            "text": "Phiếu kiểm soát quá trình có đủ chữ ký?",
            "agency": world.node.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(agency=world.node)
    assert question.clause == clause and question.created_by == officer
    # Leaving the agency empty (the bank's own) is refused with the reason on the field.
    response = client.post(
        reverse("audit_questions:add"),
        {"clause": clause.pk, "text": "Câu hỏi chung?", "agency": ""},
    )
    assert response.status_code == 200
    assert "Chỉ quản trị viên" in response.content.decode()
    # The filters: by top-level clause (its sub-clauses included) and by agency.
    index = reverse("audit_questions:index")
    html = client.get(index, {"clause": Clause.objects.get(number="8").pk}).content.decode()
    assert "Phiếu kiểm soát quá trình có đủ chữ ký?" in html
    html = client.get(index, {"clause": Clause.objects.get(number="9").pk}).content.decode()
    assert "Phiếu kiểm soát quá trình có đủ chữ ký?" not in html
    html = client.get(index, {"agency": "null"}).content.decode()
    assert "Phiếu kiểm soát quá trình có đủ chữ ký?" not in html
    html = client.get(index, {"agency": world.node.pk}).content.decode()
    assert "Phiếu kiểm soát quá trình có đủ chữ ký?" in html
    # Taking it out of use from the admin.
    url = reverse("audit_questions:transition", args=[question.pk, "deactivate"])
    assert client.post(url).status_code == 302
    question.refresh_from_db()
    assert not question.is_active


def test_the_question_list_costs_the_same_queries_for_few_and_many_rows(client, world):
    client.force_login(world.users["node", Role.OFFICER])
    url = reverse("audit_questions:index")
    places = [world.node, world.unit]

    def add(count):
        for n in range(count):
            _question(places[n % 2], number="4", text=f"Câu hỏi số {n}")

    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(15)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Câu hỏi số 14" in html
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as few_clauses:
        client.get(reverse("iso_clauses:index"))
    assert len(few_clauses) < 30


@pytest.mark.slow  # builds the marked world of the authorization matrix
def test_the_matrix_holds_for_the_clause_and_question_screens(db):
    """The matrix's rules for every URL of the two viewsets, and its leak test (each agency's
    marked question), every actor."""
    from tests import factories
    from tests.authz import url_patterns
    from tests.test_authorization_matrix import run_matrix

    only = {
        name
        for name, _route, _conv in url_patterns()
        if name and name.startswith(("iso_clauses:", "audit_questions:"))
    }
    assert len(only) >= 15
    failures = run_matrix(factories.World.build(objects=True), only=only)
    assert not failures, "\n".join(failures)
