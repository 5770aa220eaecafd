"""The public home: agencies in force as a tree, siblings in Vietnamese order, each linked to its
page once it has one; the header says who is signed in."""

import datetime

import pytest

from qms import providers
from qms.models import AgencyKind
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    city = factories.agency(name="Thành phố Mẫu", kind=AgencyKind.PROVINCE)
    # Created in an order that is neither alphabetical nor Vietnamese.
    for name in ("Sở Xây dựng", "Sở Đổi mới thử", "Sở Du lịch"):
        department = factories.agency(name=name, parent=city)
        factories.agency(name="Văn phòng Sở", kind=AgencyKind.UNIT, parent=department)
    factories.agency(name="Xã Ân Thi", kind=AgencyKind.COMMUNE, parent=city)
    factories.agency(name="Phường Ba Đình", kind=AgencyKind.COMMUNE, parent=city)
    factories.agency(
        name="Quận Cũ",
        kind=AgencyKind.DISTRICT,
        parent=city,
        valid_to=datetime.date(2025, 6, 30),
    )
    factories.agency(name="Sở Đã Giải Thể", parent=city, valid_to=datetime.date(2024, 12, 31))
    return city


def _positions(html, names):
    return [html.index(name) for name in names]


def test_agencies_in_tree_and_vietnamese_order(client, city):
    html = client.get("/").content.decode()
    departments = ["Sở Du lịch", "Sở Đổi mới thử", "Sở Xây dựng"]  # d < đ < x
    communes = ["Phường Ba Đình", "Xã Ân Thi"]
    order = _positions(html, ["Thành phố Mẫu", *departments, *communes])
    assert order == sorted(order)
    # Departments and communes are grouped under their province, units and ended bodies left out.
    assert html.index("Sở, ban, ngành") < order[1] and html.index("Xã, phường, đặc khu") < order[4]
    for absent in ("Văn phòng Sở", "Quận Cũ", "Sở Đã Giải Thể"):
        assert absent not in html


def test_an_agency_links_to_its_page_only_when_it_has_a_live_one(client, city):
    travel = city.children.get(name="Sở Du lịch")
    page = providers.ask_first(providers.AGENCY_PAGE, travel)
    assert page is not None and page.live  # the documents app makes one with each agency
    html = client.get("/").content.decode()
    assert f'<a href="{page.url}">Sở Du lịch</a>' in html
    page.unpublish()
    # a plain name, no dead link
    assert "<span>Sở Du lịch</span>" in client.get("/").content.decode()


def test_header_signs_in_an_anonymous_visitor(client, city):
    html = client.get("/").content.decode()
    assert "Đăng nhập" in html
    assert "Đăng xuất" not in html


def test_header_names_the_signed_in_person_and_offers_admin_and_logout(client, city):
    person = factories.member(city, "staff", username="an", last_name="Nguyễn Văn", first_name="An")
    client.force_login(person)
    html = client.get("/").content.decode()
    header = html[: html.index("</header>")]
    assert "Nguyễn Văn An" in header
    assert 'href="/admin/"' in header
    assert 'action="/admin/logout/"' in header and "Đăng xuất" in header
    assert "Đăng nhập" not in header
    response = client.post("/admin/logout/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Đăng nhập" in client.get("/").content.decode()


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("qms/favicon.ico")
    html = client.get("/").content.decode()
    assert "qms/favicon.svg" in html
