"""The one register of legal documents procedures cite: a row per document however its number is
typed, what it amends or replaces, who may record and change it, and its admin screens."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from documents.models import LegalDocument, ProcedureReview, ReviewReason
from documents.services.review import legal_document_key, legal_document_record
from qms.models import Role
from tests import factories
from tests.documents.issue_builders import draft, legal, publish, step

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    [
        "Nghị định 118/2025/NĐ-CP",
        "Nghị định số 118/2025/NĐ-CP",
        "118/2025/nđ-cp",
        "Số: 118 / 2025 / NĐ - CP",
        "  NGHỊ ĐỊNH  118/2025/NĐ-CP ngày 09/6/2025",
    ],
)
def test_one_key_however_the_number_is_typed(typed):
    assert legal_document_key(typed) == "118/2025/nd-cp"


def test_a_law_cited_by_its_name_keys_on_its_name():
    assert legal_document_key("Luật Hộ tịch") == legal_document_key("luật  hộ tịch")
    assert legal_document_key("Luật Hộ tịch") != legal_document_key("Luật Công chứng")


def test_recording_a_number_again_updates_the_same_row(world):
    officer = world.users["node", Role.OFFICER]
    first = legal_document_record(
        actor=officer, number="Nghị định 118/2025/NĐ-CP", title="", agency=world.node
    )
    again = legal_document_record(
        actor=officer,
        number="118/2025/NĐ-CP",
        title="về thực hiện thủ tục hành chính theo cơ chế một cửa",
        issuer="Chính phủ",
        effective_on=datetime.date(2025, 7, 1),
        agency=world.node,
    )
    assert again.pk == first.pk and LegalDocument.objects.count() == 1
    assert again.title.startswith("về thực hiện") and again.number == "118/2025/NĐ-CP"


def test_a_document_cannot_amend_or_replace_itself_and_needs_its_effective_date(world):
    with pytest.raises(ValidationError) as refused:
        legal_document_record(
            actor=None,
            number="Nghị định 118/2025/NĐ-CP",
            effective_on=datetime.date(2025, 7, 1),
            replaces=["118/2025/nđ-cp"],
        )
    assert "chính nó" in str(refused.value.message_dict["replaces"])
    with pytest.raises(ValidationError) as refused:
        legal_document_record(actor=None, number="118/2025/NĐ-CP", replaces=["61/2018/NĐ-CP"])
    assert "effective_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        legal_document_record(
            actor=None,
            number="118/2025/NĐ-CP",
            effective_on=datetime.date(2025, 7, 1),
            replaces=["61/2018/NĐ-CP"],
            amends=["Nghị định 61/2018/NĐ-CP"],
        )
    assert "vừa bị sửa đổi vừa bị thay thế" in str(refused.value)
    assert not LegalDocument.objects.exists()  # nothing half-written


def test_who_records_and_changes_the_register(world):
    node_officer = world.users["node", Role.OFFICER]
    with pytest.raises(PermissionDenied):
        legal_document_record(
            actor=world.users["node", Role.STAFF], number="1/2026/NĐ-CP", agency=world.node
        )
    with pytest.raises(ValidationError):  # an officer names the agency recording it
        legal_document_record(actor=node_officer, number="1/2026/NĐ-CP")
    owned = legal_document_record(actor=node_officer, number="1/2026/NĐ-CP", agency=world.node)
    # Another agency's officer may not change it, even by typing the same number.
    with pytest.raises(PermissionDenied) as refused:
        legal_document_record(
            actor=world.users["sibling", Role.OFFICER],
            number="1/2026/nđ-cp",
            title="Sửa",
            agency=world.sibling,
        )
    assert "Sở Tư pháp thử" in str(refused.value)
    # The leader above may.
    legal_document_record(
        actor=world.users["parent", Role.LEADER],
        number=owned.number,
        title="Đã sửa",
        document=owned,
    )
    # A row that came in with a procedure (no agency): any officer completes it.
    unowned = legal_document_record(actor=None, number="61/2018/NĐ-CP")
    legal_document_record(
        actor=world.users["sibling", Role.OFFICER],
        number=unowned.number,
        effective_on=datetime.date(2018, 6, 21),
        document=unowned,
    )
    unowned.refresh_from_db()
    assert unowned.effective_on == datetime.date(2018, 6, 21)


def test_the_admin_form_records_a_replacing_document_and_opens_the_reviews(world, client):
    tthc = factories.tthc(working_days="10")
    page = draft(
        world.node,
        tthc=tthc,
        steps=[step("Bước 1", "1")],
        legal_basis=[legal("Nghị định 61/2018/NĐ-CP", "về một cửa")],
    )
    publish(page)
    client.force_login(world.users["node", Role.OFFICER])
    response = client.post(
        reverse("legal_documents:add"),
        {
            "number": "Nghị định 118/2025/NĐ-CP",
            "title": "về thực hiện thủ tục hành chính theo cơ chế một cửa",
            "issuer": "Chính phủ",
            "issued_on": "2025-06-09",
            "effective_on": "2025-07-01",
            "replaces": "61/2018/NĐ-CP",
            "amends": "",
            "agency": world.node.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    new = LegalDocument.objects.get(number_key="118/2025/nd-cp")
    assert [d.number for d in new.replaces.all()] == ["Nghị định 61/2018/NĐ-CP"]
    review = ProcedureReview.objects.get(reason=ReviewReason.LEGAL_CHANGE)
    assert review.procedure_id == page.pk and review.due_on == datetime.date(2025, 10, 1)
    assert "đến hạn rà soát" in response.content.decode()
    # The edit form shows the links typed back; a refusal comes back on the form.
    edit = reverse("legal_documents:edit", args=[new.pk])
    assert "61/2018/NĐ-CP" in client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            "number": new.number,
            "title": new.title,
            "issuer": new.issuer,
            "issued_on": "2025-06-09",
            "effective_on": "",
            "replaces": "61/2018/NĐ-CP",
            "amends": "",
            "agency": world.node.pk,
        },
    )
    assert response.status_code == 200 and "Hãy ghi ngày có hiệu lực" in response.content.decode()


def test_the_register_is_read_by_every_member_and_searched_without_accents(world, client):
    legal_document_record(
        actor=None, number="Nghị định 118/2025/NĐ-CP", title="về một cửa", agency=world.node
    )
    client.force_login(world.users["sibling", Role.STAFF])
    url = reverse("legal_documents:index")
    assert "118/2025/NĐ-CP" in client.get(url, {"q": "118/2025/nd-cp"}).content.decode()
    assert "118/2025/NĐ-CP" not in client.get(url, {"q": "61/2018"}).content.decode()


def test_the_register_list_query_count_does_not_grow_with_rows(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["node", Role.OFFICER])
    url = reverse("legal_documents:index")

    def add(start, count):
        for n in range(start, start + count):
            legal_document_record(
                actor=None,
                number=f"{n}/2026/NĐ-CP",
                effective_on=datetime.date(2026, 1, 1),
                replaces=[f"{n}/2020/NĐ-CP"],
                amends=[f"{n}/2021/NĐ-CP"],
                agency=world.node if n % 2 else None,
            )

    add(1, 1)
    client.get(url, {"q": "2026"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "2026"})
    add(10, 6)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url, {"q": "2026"}).content.decode()
    assert "15/2026/NĐ-CP" in html and "15/2020/NĐ-CP" in html
    assert len(many) == len(few)
