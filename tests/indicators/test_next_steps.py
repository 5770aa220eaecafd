"""The dashboard's next steps of indicators: officers import the month's data, readers open the
on-time rates; an auditor alone gets neither."""

import pytest
from django.urls import reverse

from indicators.next_steps import indicator_next_steps
from qms.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_steps_by_role():
    import_url, metrics_url = reverse("dossier_imports:add"), reverse("indicators_metrics")
    officer = [s.url for s in indicator_next_steps(None, frozenset({Role.OFFICER}))]
    assert officer == [import_url, metrics_url]
    leader = indicator_next_steps(None, frozenset({Role.LEADER}))
    assert [s.url for s in leader] == [metrics_url] and leader[0].order == 10
    assert indicator_next_steps(None, frozenset({Role.AUDITOR})) == []


def test_an_officers_dashboard_links_to_the_import(client):
    agency = factories.agency(code="SOTP")
    officer = factories.member(agency, Role.OFFICER)
    client.force_login(officer)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("dossier_imports:add") in body
    assert "Nhập dữ liệu hồ sơ tháng từ hệ thống một cửa" in body
