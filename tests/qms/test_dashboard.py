"""The admin dashboard tells a person which roles they hold today."""

import datetime

import pytest

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
