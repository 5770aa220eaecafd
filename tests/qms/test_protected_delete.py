"""Deleting a record another one protects (``on_delete=PROTECT``) names the holder instead of
answering 500: the multiple-upload screen's delete of a document a conformity announcement uses."""

import datetime

import pytest
from django.urls import reverse
from wagtail.documents import get_document_model

from audits.models import ConformityAnnouncement
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world):
    doc = factories.document(world.node, title="Quyết định công bố", filename="cong-bo.pdf")
    ConformityAnnouncement.objects.create(
        agency=world.node,
        announced_on=datetime.date(2026, 3, 2),
        number="12/QĐ-CB",
        document=doc,
        posted_at="Trụ sở cơ quan",
    )
    return doc


def test_the_upload_screens_delete_answers_409_naming_the_holder(world, client, held):
    client.force_login(world.admin)
    url = reverse("wagtaildocs:delete_multiple", args=[held.pk])
    response = client.post(url, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 409
    body = response.json()
    assert body["success"] is False and "12/QĐ-CB" in body["error_message"]
    assert get_document_model().objects.filter(pk=held.pk).exists()


def test_a_plain_post_goes_back_with_the_message(world, client, held):
    client.force_login(world.admin)
    url = reverse("wagtaildocs:delete_multiple", args=[held.pk])
    response = client.post(url, headers={"referer": "http://testserver/admin/documents/"})
    assert (
        response.status_code == 303 and response["Location"] == "http://testserver/admin/documents/"
    )
    page = client.get("/admin/documents/")
    assert "Không xóa được: đang được dùng bởi 12/QĐ-CB" in page.content.decode()
    assert get_document_model().objects.filter(pk=held.pk).exists()


def test_a_document_nobody_holds_is_deleted(world, client):
    doc = factories.document(world.node, title="Nháp", filename="nhap.pdf")
    client.force_login(world.admin)
    url = reverse("wagtaildocs:delete_multiple", args=[doc.pk])
    response = client.post(url, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200 and response.json()["success"] is True
    assert not get_document_model().objects.filter(pk=doc.pk).exists()
