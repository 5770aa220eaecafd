"""The admin dashboard tells a person which roles they hold today."""

import datetime

import pytest
from django.urls import reverse

from qms.services.memberships import membership_create

pytestmark = pytest.mark.django_db


def test_dashboard_lists_my_active_roles(client, world):
    user = world.users[("node", "officer")]
    membership_create(
        actor=None,
        user=user,
        agency=world.sibling,
        role="leader",
        acting=True,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2099, 12, 31),
    )
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    panel = html[html.index('id="qms-my-roles-panel"') :]
    assert "Sở Tư pháp thử" in panel and "Sở Tài chính thử" in panel
    assert "31/12/2099" in panel and "ủy quyền" in panel


def test_a_role_in_a_unit_names_its_department(client, world):
    user = world.users[("node", "staff")]
    membership_create(
        actor=None,
        user=user,
        agency=world.unit,
        role="officer",
        start_date=datetime.date(2020, 1, 1),
    )
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    panel = html[html.index('id="qms-my-roles-panel"') :]
    assert "Phòng Hành chính thử — Sở Tư pháp thử" in panel


def test_the_admin_search_box_leads_staff_to_the_tthc_catalogue(client, world):
    from qms.models import AdministrativeProcedure

    AdministrativeProcedure.objects.create(
        code="1.001193",
        name="Đăng ký khai sinh",
        field="Hộ tịch",
        level="commune",
        online_level="full",
    )
    client.force_login(world.users[("node", "staff")])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("tthc:index") in html
    results = client.get(reverse("tthc:index"), {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in results
