"""The scorecard's thresholds in the admin: every member reads them, an administrator changes a
row (with history) and the scorecard's colours follow; a leader cannot change them; no row is
added or deleted."""

import pytest
from django.urls import NoReverseMatch, reverse

from indicators.models import ScorecardThreshold
from qms.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(db):
    threshold, _created = ScorecardThreshold.objects.get_or_create(
        measure="pending_overdue", defaults={"green": 0, "amber": 5}
    )
    return threshold


def test_members_read_the_thresholds_in_vietnamese(world, client, row):
    client.force_login(world.users["sibling", Role.STAFF])
    page = client.get(reverse("scorecard_thresholds:index")).content.decode()
    assert "Hồ sơ quá hạn chưa giải quyết" in page and "Càng ít càng tốt" in page
    assert client.get(reverse("scorecard_thresholds:edit", args=[row.pk])).status_code in (
        302,
        403,
    )


def test_an_administrator_changes_a_row_and_the_history_keeps_who(world, client, row):
    admin = factories.user("thresholds-admin", superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("scorecard_thresholds:edit", args=[row.pk]),
        {"green": "2", "amber": "10", "note": "Quyết định của Chủ tịch UBND"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.green, row.amber, row.note) == (2, 10, "Quyết định của Chủ tịch UBND")
    assert row.history.first().history_user == admin
    from indicators.selectors_scorecard import colour_of, thresholds

    assert thresholds()["pending_overdue"] == (2, 10)
    assert colour_of("pending_overdue", 2, thresholds()["pending_overdue"]) == "green"
    assert colour_of("pending_overdue", 3, thresholds()["pending_overdue"]) == "amber"


def test_no_row_is_added_or_deleted(row):
    for name in ("scorecard_thresholds:add", "scorecard_thresholds:delete"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[row.pk]) if name.endswith("delete") else reverse(name)
