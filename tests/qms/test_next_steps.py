"""The dashboard greets each role with what qms is for and what to do next, and an app adds its
own steps by answering the NEXT_STEPS question (no core file edited)."""

import datetime

import pytest
from django.urls import reverse

from qms import next_steps, permissions, providers
from qms.providers import NextStep
from qms.services.memberships import membership_create
from tests import factories

pytestmark = pytest.mark.django_db


def _panel(client, user) -> str:
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    start = html.index('id="qms-next-steps-panel"')
    return html[start : html.index("</section>", start)]


def test_officer_is_greeted_by_name_and_led_to_the_core_screens(client, world):
    officer = world.users[("node", "officer")]
    officer.last_name, officer.first_name = "Nguyễn Văn", "An"
    officer.save()
    panel = _panel(client, officer)
    assert "Nguyễn Văn An" in panel
    assert "TCVN ISO 9001:2015" in panel
    assert "Cán bộ đầu mối ISO" in panel
    for url in (reverse("tthc:index"), reverse("memberships:index")):
        assert f'href="{url}"' in panel
    assert reverse("qms_working_calendar") in panel
    assert reverse("qms_tthc_import") not in panel  # an administrator's step


def test_staff_reads_procedures_and_is_not_sent_to_assign_roles(client, world):
    panel = _panel(client, world.users[("node", "staff")])
    assert "Công chức, viên chức" in panel
    assert reverse("tthc:index") in panel
    assert reverse("memberships:index") not in panel


def test_administrator_is_led_to_agencies_import_calendar_and_schedules(client, world):
    panel = _panel(client, world.admin)
    assert "Quản trị hệ thống" in panel
    for name in (
        "agencies:index",
        "qms_tthc_import",
        "calendar_overrides:index",
        "admin:django_celery_beat_periodictask_changelist",
    ):
        assert reverse(name) in panel


def test_a_person_without_a_role_is_told_whom_to_ask(world):
    # Such a person reaches the admin only in between (a role ended today, rights not yet synced).
    from qms.wagtail_hooks import NextStepsPanel

    panel = NextStepsPanel(factories.user("newcomer")).render_html({})
    assert "chưa được phân công" in panel
    assert "<ol" not in panel


def test_an_app_adds_its_steps_by_answering_the_question(world):
    def audits_steps(user, roles):
        if "auditor" in roles:
            return [
                NextStep(text="Lập kế hoạch đánh giá nội bộ năm", url="/admin/audits/", order=5)
            ]
        return None

    providers.register(providers.NEXT_STEPS, audits_steps)
    try:
        steps = next_steps.next_steps(world.users[("node", "auditor")])
        assert steps[0].url == "/admin/audits/"  # ordered before the core's
        assert reverse("tthc:index") in [s.url for s in steps]
        assert "/admin/audits/" not in [
            s.url for s in next_steps.next_steps(world.users[("node", "staff")])
        ]
    finally:
        providers._providers[providers.NEXT_STEPS].remove(audits_steps)


def test_one_step_per_screen_for_a_person_with_several_roles(world):
    officer = world.users[("node", "officer")]
    membership_create(
        actor=None,
        user=officer,
        agency=world.unit,
        role="staff",
        start_date=datetime.date(2020, 1, 1),
    )
    permissions.clear_cache(officer)
    core = [s.url for s in next_steps.core_next_steps(officer, next_steps.roles_today(officer))]
    assert len(core) > len(set(core))  # officer and staff both lead to the catalogue…
    shown = [s.url for s in next_steps.next_steps(officer)]
    assert len(shown) == len(set(shown))  # …the dashboard shows it once
    assert set(core) <= set(shown)
