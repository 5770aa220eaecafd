"""Files are private to their agency: collections per agency, checked serving, upload limits."""

import importlib

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches, reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, GroupCollectionPermission, Page, Workflow, WorkflowPage

from qms.models import Role
from qms.services.agencies import agency_create
from qms.services.rights import group_name
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(world):
    doc = factories.document(world.node, title="Biểu mẫu nội bộ", filename="bieu-mau.pdf")
    img = factories.image(world.node, title="Sơ đồ", filename="so-do.png")
    return doc, img


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_each_agency_gets_its_own_collection_nested_like_the_tree(world):
    assert world.node.collection.get_parent() == world.parent.collection
    assert world.unit.collection.get_parent() == world.node.collection
    assert world.parent.collection.get_parent() == Collection.get_first_root_node()
    # a new agency through the service gets one too, named with its code
    new = agency_create(
        actor=None,
        agency=type(world.node)(
            code="STP-TT", name="Trung tâm thử", kind="unit", parent=world.node
        ),
    )
    assert new.collection.get_parent() == world.node.collection
    assert "STP-TT" in new.collection.name


def test_collection_rights_follow_the_rules_table(world):
    def codenames(role):
        return set(
            GroupCollectionPermission.objects.filter(
                group__name=group_name(world.node, role), collection=world.node.collection
            ).values_list("permission__codename", flat=True)
        )

    assert {"add_document", "change_document", "choose_document"} <= codenames(Role.OFFICER)
    assert {"add_image", "change_image", "choose_image"} <= codenames(Role.LEADER)
    assert codenames(Role.STAFF) == {"choose_document", "choose_image"}
    assert not any(c.startswith("delete_") for c in codenames(Role.OFFICER))


def test_document_is_served_to_its_agency_and_nobody_else(world, files):
    doc, _ = files
    url = doc.url
    assert url == reverse("wagtaildocs_serve", args=[doc.pk, doc.filename])
    assert _client().get(url).status_code == 404
    assert _client(world.users["sibling", "officer"]).get(url).status_code == 404
    for user in (world.users["node", "staff"], world.users["parent", "leader"], world.admin):
        response = _client(user).get(url)
        assert response.status_code == 200
        assert _body(response).startswith(b"%PDF-")


def test_image_original_and_rendition_are_checked(world, files):
    _, img = files
    original = "/media/" + img.file.name
    rendition = img.get_rendition("max-4x4").url
    for url in (original, rendition):
        assert _client().get(url).status_code == 404
        assert _client(world.users["sibling", "staff"]).get(url).status_code == 404
        response = _client(world.users["node", "auditor"]).get(url)
        assert response.status_code == 200
        assert _body(response).startswith(b"\x89PNG")
        assert "private" in response["Cache-Control"]


def test_nothing_serves_media_root_directly_even_with_debug(world, files, settings):
    doc, img = files
    settings.DEBUG = True
    import qms.urls

    importlib.reload(qms.urls)
    clear_url_caches()
    try:
        anonymous = _client()
        assert anonymous.get("/media/" + doc.file.name).status_code == 404
        assert anonymous.get("/media/" + img.file.name).status_code == 404
        # even the agency's own staff never get a document from /media/: only from its serve URL
        staff = _client(world.users["node", "staff"])
        assert staff.get("/media/" + doc.file.name).status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(qms.urls)
        clear_url_caches()


def test_a_file_referenced_by_a_live_page_is_public(world, files):
    from wagtail.models import ReferenceIndex

    doc, _ = files
    home = Page.objects.get(depth=2)
    # A live page that links the document (as documents' procedure pages will link forms).
    ReferenceIndex.objects.create(
        content_type_id=home.content_type_id,
        base_content_type_id=Page.objects.get(depth=1).content_type_id,
        object_id=str(home.pk),
        to_content_type_id=ReferenceIndex._get_base_content_type(doc).pk,
        to_object_id=str(doc.pk),
        model_path="intro",
        content_path="intro",
        content_path_hash=ReferenceIndex._get_content_path_hash("intro"),
    )
    assert _client().get(doc.url).status_code == 200
    home.unpublish()
    assert _client().get(doc.url).status_code == 404


def test_upload_checks_size_and_content(world, settings):
    officer = _client(world.users["node", "officer"])
    url = reverse("wagtaildocs:add")

    def upload(name, content):
        return officer.post(
            url,
            {
                "title": name,
                "file": SimpleUploadedFile(name, content),
                "collection": world.node.collection_id,
            },
        )

    response = upload("gia-mao.pdf", b"MZ\x90\x00 this is an executable, not a PDF")
    assert response.status_code == 200
    assert "không phải là tệp .pdf" in str(response.context["form"].errors["file"])

    settings.QMS_UPLOAD_MAX_BYTES = 10
    response = upload("lon.pdf", factories.pdf_bytes())
    assert "vượt giới hạn" in str(response.context["form"].errors["file"])

    settings.QMS_UPLOAD_MAX_BYTES = 1024 * 1024
    response = upload("dung.pdf", factories.pdf_bytes())
    assert response.status_code == 302
    doc = get_document_model().objects.get(title="dung.pdf")
    assert doc.collection == world.node.collection
    assert not get_document_model().objects.filter(title__in=["gia-mao.pdf", "lon.pdf"]).exists()


def test_officer_cannot_upload_into_another_agencys_collection(world):
    officer = _client(world.users["node", "officer"])
    response = officer.post(
        reverse("wagtaildocs:add"),
        {
            "title": "lạc chỗ",
            "file": SimpleUploadedFile("lac.pdf", factories.pdf_bytes()),
            "collection": world.sibling.collection_id,
        },
    )
    assert response.status_code == 200
    assert "collection" in response.context["form"].errors
    assert not get_document_model().objects.filter(title="lạc chỗ").exists()


def test_wagtail_default_groups_and_workflow_are_gone():
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not Workflow.objects.filter(active=True, name="Moderators approval").exists()
    assert not WorkflowPage.objects.filter(page__depth=1).exists()


def test_an_ended_agency_takes_no_new_files(world):
    import datetime

    from qms.models import Agency, AgencyKind

    ended = agency_create(
        actor=None,
        agency=Agency(
            code="STP-CU",
            name="Phòng đã giải thể",
            kind=AgencyKind.UNIT,
            parent=world.node,
            valid_to=datetime.date(2025, 6, 30),
        ),
    )
    officer = _client(world.users["node", "officer"])
    for url in (reverse("wagtaildocs:add"), reverse("wagtailimages:add")):
        response = officer.get(url)
        choices = set(
            response.context["form"].fields["collection"].queryset.values_list("pk", flat=True)
        )
        assert world.node.collection_id in choices and world.unit.collection_id in choices
        assert ended.collection_id not in choices
    html = officer.get(reverse("wagtaildocs:add")).content.decode()
    assert "tối đa" in html and "PDF" in html


def test_wagtail_roots_have_vietnamese_names():
    assert Collection.get_first_root_node().name == "Tất cả tệp"
    assert Page.objects.get(depth=1).title == "Gốc"
