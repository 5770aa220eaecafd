"""The QMS register, risks and opportunities, conformity announcements and external inspections
(issue 9 point 1): the register's units and TTHC limited to the agency, ``scope_procedures``, risk
scores and levels, the inspection's report due 2 months after its conclusion (end-of-month
clamp), findings recorded from an inspection, the report refused while a nonconformity has no
corrective action, the reminders at most once, the finding's page linking back to its inspection
and its complaint, scoping of lists, inspect, history and exports, flat list query counts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    Complaint,
    ConformityAnnouncement,
    ExternalInspection,
    Finding,
    FindingKind,
    FindingSource,
    InspectionState,
    QualitySystem,
    Risk,
    RiskKind,
    RiskState,
    SystemReminder,
    SystemReminderKind,
)
from audits.selectors_register import level_label, scope_procedures
from audits.services.actions import action_open
from audits.services.complaints import complaint_raise_finding, complaint_record
from audits.services.register import (
    announcement_save,
    inspection_record_finding,
    inspection_reminders_send,
    inspection_report_sent,
    inspection_save,
    quality_system_save,
    report_due,
    risk_close,
    risk_save,
)
from qms.models import Notification, Role
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _officer(world, relation="node"):
    return world.users[relation, Role.OFFICER]


def _inspection(world, *, agency=None, concluded_on=None, actor=None, number="KL-01"):
    concluded_on = concluded_on or TODAY - datetime.timedelta(days=10)
    return inspection_save(
        actor=actor or _officer(world),
        instance=ExternalInspection(
            agency=agency or world.node,
            inspected_on=concluded_on - datetime.timedelta(days=7),
            concluded_on=concluded_on,
            conclusion_number=number,
            summary="Hệ thống cơ bản phù hợp; còn một số điểm cần khắc phục.",
        ),
    )


def _risk(world, *, agency=None, likelihood=3, impact=4, title="Hồ sơ trả chậm", **extra):
    return risk_save(
        actor=_officer(world),
        instance=Risk(
            agency=agency or world.node,
            kind=extra.pop("kind", RiskKind.RISK),
            title=title,
            likelihood=likelihood,
            impact=impact,
            treatment="Theo dõi hằng tuần trên phần mềm một cửa.",
            owner=extra.pop("owner", _officer(world)),
            **extra,
        ),
    )


def _system(world, *, agency=None, units=(), procedures=(), actor=None):
    return quality_system_save(
        actor=actor or _officer(world),
        instance=QualitySystem(
            agency=agency or world.node,
            scope="Giải quyết TTHC lĩnh vực hộ tịch, chứng thực.",
            quality_policy="Công khai, minh bạch, đúng hẹn.",
            policy_issued_on=datetime.date(2025, 3, 1),
        ),
        units=list(units),
        procedures=list(procedures),
    )


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


# --- The report's due day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("concluded", "due"),
    [
        (datetime.date(2026, 3, 15), datetime.date(2026, 5, 15)),
        (datetime.date(2025, 12, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2027, 12, 31), datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 30), datetime.date(2027, 1, 30)),
        (datetime.date(2026, 8, 31), datetime.date(2026, 10, 31)),
        (datetime.date(2026, 7, 31), datetime.date(2026, 9, 30)),
    ],
)
def test_the_report_is_due_two_calendar_months_after_the_conclusion(concluded, due):
    assert report_due(concluded) == due


def test_an_inspection_stores_its_due_day_and_follows_a_changed_conclusion(world):
    inspection = _inspection(world, concluded_on=datetime.date(2025, 12, 31))
    assert inspection.report_due_on == datetime.date(2026, 2, 28)
    assert inspection.state == InspectionState.REPORT_DUE
    inspection.concluded_on = datetime.date(2026, 1, 5)
    inspection_save(actor=_officer(world), instance=inspection)
    inspection.refresh_from_db()
    assert inspection.report_due_on == datetime.date(2026, 3, 5)
    assert inspection.history.first().history_user == _officer(world)


def test_an_inspection_concluded_before_it_took_place_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        inspection_save(
            actor=_officer(world),
            instance=ExternalInspection(
                agency=world.node,
                inspected_on=datetime.date(2026, 3, 10),
                concluded_on=datetime.date(2026, 3, 1),
            ),
        )
    assert "01/03/2026" in str(exc.value.error_dict["concluded_on"])


def test_an_inspection_of_another_agency_is_refused(world):
    with pytest.raises(PermissionDenied) as exc:
        _inspection(world, agency=world.sibling)
    assert world.sibling.name in str(exc.value)
    assert not ExternalInspection.objects.exists()


# --- Findings of an inspection and the report ---------------------------------------------------


def test_a_finding_recorded_from_an_inspection_carries_its_source_and_link(world):
    inspection = _inspection(world, number="KL-77")
    finding = inspection_record_finding(
        actor=_officer(world),
        instance=inspection,
        kind=FindingKind.MINOR_NC,
        description="Chưa cập nhật danh mục tài liệu bên ngoài.",
    )
    finding.refresh_from_db()
    assert finding.source == FindingSource.EXTERNAL_INSPECTION
    assert finding.external_inspection == inspection
    assert finding.agency == world.node
    assert finding.raised_on == inspection.concluded_on
    assert "KL-77" in finding.evidence
    assert finding.raised_by == _officer(world)


def test_the_report_is_refused_while_a_nonconformity_has_no_action(world):
    inspection = _inspection(world)
    nc = inspection_record_finding(
        actor=_officer(world), instance=inspection, description="Thiếu hồ sơ đánh giá rủi ro."
    )
    inspection_record_finding(
        actor=_officer(world),
        instance=inspection,
        kind=FindingKind.OBSERVATION,
        description="Nên số hóa sổ theo dõi hồ sơ.",
    )
    with pytest.raises(ValidationError) as exc:
        inspection_report_sent(actor=_officer(world), instance=inspection)
    assert nc.code in " ".join(exc.value.messages)
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.REPORT_DUE and inspection.reported_on is None

    action_open(
        actor=_officer(world),
        finding=nc,
        owner=world.users["node", Role.STAFF],
        due_date=TODAY + datetime.timedelta(days=20),
    )
    report = SimpleUploadedFile("bao-cao.pdf", factories.pdf_bytes(), "application/pdf")
    inspection_report_sent(
        actor=_officer(world), instance=inspection, reported_on=TODAY, report_file=report
    )
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.REPORTED
    assert inspection.reported_on == TODAY
    assert inspection.report_document.collection == world.node.collection
    assert inspection.history.first().history_user == _officer(world)
    # Reported: no more findings, no more changes.
    with pytest.raises(ValidationError):
        inspection_record_finding(actor=_officer(world), instance=inspection, description="x")
    with pytest.raises(PermissionDenied):
        inspection_save(actor=_officer(world), instance=inspection)


def test_the_report_is_refused_before_the_conclusion(world):
    inspection = _inspection(world, concluded_on=TODAY - datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        inspection_report_sent(
            actor=_officer(world),
            instance=inspection,
            reported_on=TODAY - datetime.timedelta(days=5),
        )
    assert "reported_on" in exc.value.error_dict


def test_only_keepers_send_the_report(world):
    inspection = _inspection(world)
    for who in (("node", Role.STAFF), ("node", Role.AUDITOR), ("sibling", Role.OFFICER)):
        with pytest.raises(PermissionDenied):
            inspection_report_sent(actor=world.users[who], instance=inspection)
    inspection_report_sent(actor=world.users["parent", Role.LEADER], instance=inspection)
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.REPORTED


def test_the_report_transition_through_the_admin(world, client):
    inspection = _inspection(world)
    url = reverse("external_inspections:transition", args=[inspection.pk, "record_finding"])
    client.force_login(_officer(world))
    response = client.post(
        url, {"kind": FindingKind.MAJOR_NC, "description": "Không kiểm soát hồ sơ."}
    )
    assert response.status_code == 302
    finding = Finding.objects.get(external_inspection=inspection)
    assert finding.kind == FindingKind.MAJOR_NC
    url = reverse("external_inspections:transition", args=[inspection.pk, "report_sent"])
    response = client.post(url, {"reported_on": TODAY.strftime("%Y-%m-%d")}, follow=True)
    assert finding.code in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.REPORT_DUE


# --- Reminders ------------------------------------------------------------------------------


def test_report_reminders_are_sent_at_most_once(world):
    inspection = _inspection(world, concluded_on=datetime.date(2026, 1, 10))
    due = inspection.report_due_on
    assert due == datetime.date(2026, 3, 10)
    keepers = {_officer(world), world.users["node", Role.LEADER]}

    assert inspection_reminders_send(today=due - datetime.timedelta(days=20)) == 0
    assert inspection_reminders_send(today=due - datetime.timedelta(days=14)) == 1
    assert inspection_reminders_send(today=due - datetime.timedelta(days=13)) == 0
    assert inspection_reminders_send(today=due - datetime.timedelta(days=2)) == 0
    notes = Notification.objects.filter(recipient__in=keepers)
    assert notes.count() == 2 and {n.recipient for n in notes} == keepers
    assert "10/03/2026" in notes.first().title
    assert not Notification.objects.filter(recipient=world.users["node", Role.STAFF]).exists()

    assert inspection_reminders_send(today=due + datetime.timedelta(days=1)) == 1
    assert inspection_reminders_send(today=due + datetime.timedelta(days=5)) == 0
    assert Notification.objects.filter(recipient__in=keepers).count() == 4
    keys = set(
        SystemReminder.objects.filter(
            kind=SystemReminderKind.INSPECTION_REPORT_DUE, subject=f"inspection:{inspection.pk}"
        ).values_list("key", flat=True)
    )
    assert keys == {"due_14:2026-03-10", "overdue:2026-03-10"}

    # A reported inspection is not reminded.
    other = _inspection(world, concluded_on=datetime.date(2026, 1, 12), number="KL-02")
    inspection_report_sent(actor=_officer(world), instance=other)
    assert inspection_reminders_send(today=datetime.date(2026, 3, 20)) == 0


# --- The register --------------------------------------------------------------------------


def test_the_register_refuses_units_and_tthc_outside_the_agency(world):
    handled = factories.tthc(code="1.000001", agencies=[world.unit])
    foreign = factories.tthc(code="2.000002", agencies=[world.sibling])
    with pytest.raises(ValidationError) as exc:
        _system(world, units=[world.unit, world.sibling], procedures=[handled, foreign])
    errors = exc.value.error_dict
    assert world.sibling.name in str(errors["units"])
    assert world.unit.name not in str(errors["units"])
    assert "2.000002" in str(errors["administrative_procedures"])
    assert "1.000001" not in str(errors["administrative_procedures"])
    assert not QualitySystem.objects.exists()

    system = _system(world, units=[world.node, world.unit], procedures=[handled])
    assert set(system.units.all()) == {world.node, world.unit}
    assert list(system.administrative_procedures.all()) == [handled]
    assert system.updated_by == _officer(world)
    with pytest.raises(ValidationError) as exc:
        _system(world)
    assert world.node.name in str(exc.value.error_dict["agency"])


def test_only_keepers_of_the_agency_or_above_keep_the_register(world):
    with pytest.raises(PermissionDenied):
        _system(world, actor=world.users["node", Role.STAFF])
    with pytest.raises(PermissionDenied):
        _system(world, actor=world.users["sibling", Role.OFFICER])
    assert _system(world, actor=world.users["parent", Role.LEADER]).agency == world.node


def test_scope_procedures_gathers_the_registers_of_the_subtree(world):
    node_tthc = factories.tthc(code="1.000010", agencies=[world.node])
    unit_tthc = factories.tthc(code="1.000011", agencies=[world.unit])
    sibling_tthc = factories.tthc(code="1.000012", agencies=[world.sibling])
    _system(world, procedures=[node_tthc, unit_tthc])
    _system(world, agency=world.unit, procedures=[unit_tthc])
    _system(
        world,
        agency=world.sibling,
        procedures=[sibling_tthc],
        actor=world.users["sibling", Role.OFFICER],
    )
    assert list(scope_procedures(world.node)) == [node_tthc, unit_tthc]
    assert list(scope_procedures(world.unit)) == [unit_tthc]
    assert list(scope_procedures(world.parent)) == [node_tthc, unit_tthc, sibling_tthc]


def test_the_register_inspect_lists_units_and_tthc(world, client):
    handled = factories.tthc(code="1.000020", name="Đăng ký khai sinh", agencies=[world.node])
    system = _system(world, units=[world.unit], procedures=[handled])
    response = _get(
        client,
        world.users["node", Role.STAFF],
        reverse("quality_systems:inspect", args=[system.pk]),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "1.000020 – Đăng ký khai sinh" in text and world.unit.name in text
    assert "01/03/2025" in text


def test_the_register_form_saves_units_and_tthc_through_the_service(world, client):
    handled = factories.tthc(code="1.000030", agencies=[world.node])
    foreign = factories.tthc(code="1.000031", agencies=[world.sibling])
    client.force_login(world.users["parent", Role.OFFICER])
    data = {
        "agency": world.node.pk,
        "scope": "Lĩnh vực hộ tịch.",
        "units": [world.unit.pk, world.sibling.pk],
        "administrative_procedures": [handled.pk, foreign.pk],
        "quality_policy": "Đúng hẹn.",
        "policy_issued_on": "2025-03-01",
    }
    response = client.post(reverse("quality_systems:add"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert world.sibling.name in text and "1.000031" in text
    assert not QualitySystem.objects.exists()
    data.update(units=[world.unit.pk], administrative_procedures=[handled.pk])
    response = client.post(reverse("quality_systems:add"), data)
    assert response.status_code == 302
    system = QualitySystem.objects.get()
    assert list(system.units.all()) == [world.unit]
    assert list(system.administrative_procedures.all()) == [handled]


# --- Risks and opportunities -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "label"),
    [(25, "Cao"), (15, "Cao"), (14, "Trung bình"), (8, "Trung bình"), (6, "Thấp")],
)
def test_risk_levels(score, label):
    assert level_label(score) == label


def test_a_risk_owner_must_be_a_member_of_the_agency(world):
    with pytest.raises(ValidationError) as exc:
        _risk(world, owner=world.users["sibling", Role.STAFF])
    assert "owner" in exc.value.error_dict
    unit_staff = factories.member(world.unit, Role.STAFF, username="unit-staff")
    assert _risk(world, owner=unit_staff).owner == unit_staff


def test_a_closed_risk_is_not_changed(world):
    risk = _risk(world)
    risk_close(actor=_officer(world), instance=risk, closed_on=TODAY)
    risk.refresh_from_db()
    assert risk.state == RiskState.CLOSED and risk.closed_on == TODAY
    assert risk.history.first().history_user == _officer(world)
    risk.title = "Đổi tên"
    with pytest.raises(PermissionDenied):
        risk_save(actor=_officer(world), instance=risk)
    with pytest.raises(ValidationError):
        risk_close(actor=_officer(world), instance=risk)


def test_the_risk_list_is_sorted_by_score_and_filtered_by_level(world, client):
    _risk(world, title="Rủi ro thấp", likelihood=1, impact=2)
    _risk(world, title="Rủi ro cao", likelihood=5, impact=4)
    _risk(world, title="Cơ hội trung bình", likelihood=2, impact=4, kind=RiskKind.OPPORTUNITY)
    client.force_login(world.users["node", Role.STAFF])
    text = client.get(reverse("quality_risks:index")).content.decode()
    assert text.index("Rủi ro cao") < text.index("Cơ hội trung bình") < text.index("Rủi ro thấp")
    assert "20 (Cao)" in text
    text = client.get(reverse("quality_risks:index") + "?level=medium").content.decode()
    assert "Cơ hội trung bình" in text and "Rủi ro cao" not in text and "Rủi ro thấp" not in text


# --- Announcements --------------------------------------------------------------------------


def test_an_announcement_document_must_be_in_the_agencys_collection(world):
    own = factories.document(world.unit, title="Quyết định công bố", filename="cb.pdf")
    foreign = factories.document(world.sibling, title="Tài liệu khác", filename="khac.pdf")
    announcement = ConformityAnnouncement(
        agency=world.node,
        announced_on=TODAY,
        number="15/QĐ-STP",
        posted_at="Trụ sở và cổng thông tin",
        document=foreign,
    )
    with pytest.raises(ValidationError) as exc:
        announcement_save(actor=_officer(world), instance=announcement)
    assert "Tài liệu khác" in str(exc.value.error_dict["document"])
    announcement.document = own
    announcement_save(actor=_officer(world), instance=announcement)
    assert announcement.created_by == _officer(world)


# --- Links between a finding, its inspection and its complaint --------------------------------


def test_the_finding_page_links_to_its_inspection_and_its_complaint(world, client):
    inspection = _inspection(world, number="KL-55")
    from_inspection = inspection_record_finding(
        actor=_officer(world), instance=inspection, description="Thiếu biên bản họp."
    )
    complaint = complaint_record(
        actor=_officer(world),
        instance=Complaint(
            agency=world.node,
            kind="complaint",
            received_on=TODAY,
            content="Trả kết quả chậm.",
        ),
    )
    from_complaint = complaint_raise_finding(actor=_officer(world), instance=complaint)
    client.force_login(_officer(world))
    text = client.get(reverse("audit_findings:inspect", args=[from_inspection.pk])).content.decode()
    assert reverse("external_inspections:inspect", args=[inspection.pk]) in text
    text = client.get(reverse("audit_findings:inspect", args=[from_complaint.pk])).content.decode()
    assert reverse("complaints:inspect", args=[complaint.pk]) in text
    assert complaint.code in text
    # The inspection's page lists its finding with a link.
    text = client.get(
        reverse("external_inspections:inspect", args=[inspection.pk])
    ).content.decode()
    assert reverse("audit_findings:inspect", args=[from_inspection.pk]) in text
    assert "Còn" in text and inspection.report_due_on.strftime("%d/%m/%Y") in text


# --- Scoping --------------------------------------------------------------------------------


def _world_records(world):
    own = {
        "system": _system(world),
        "risk": _risk(world, title="Rủi ro riêng của sở"),
        "announcement": announcement_save(
            actor=_officer(world),
            instance=ConformityAnnouncement(
                agency=world.node, announced_on=TODAY, number="99/QĐ-RIENG", posted_at="Trụ sở"
            ),
        ),
        "inspection": _inspection(world, number="KL-RIENG"),
    }
    return own


def test_another_agencys_records_are_invisible(world, client):
    own = _world_records(world)
    outsider = world.users["sibling", Role.LEADER]
    views = {
        "quality_systems": (own["system"], "Giải quyết TTHC lĩnh vực hộ tịch"),
        "quality_risks": (own["risk"], "Rủi ro riêng của sở"),
        "conformity_announcements": (own["announcement"], "99/QĐ-RIENG"),
        "external_inspections": (own["inspection"], "KL-RIENG"),
    }
    for prefix, (obj, text) in views.items():
        for url in (
            reverse(f"{prefix}:index"),
            reverse(f"{prefix}:index") + "?export=csv",
            reverse(f"{prefix}:index") + "?export=xlsx",
        ):
            response = _get(client, outsider, url)
            assert response.status_code == 200, url
            if "xlsx" not in url:
                assert text not in _text(response), url
        for name in ("inspect", "history", "edit"):
            response = _get(client, outsider, reverse(f"{prefix}:{name}", args=[obj.pk]))
            assert response.status_code == 404, (prefix, name)
        # The parent's leader (a body above) reads them all, in the list and the export.
        leader = world.users["parent", Role.LEADER]
        for url in (reverse(f"{prefix}:index"), reverse(f"{prefix}:index") + "?export=csv"):
            assert text in _text(_get(client, leader, url)), url
        response = _get(client, leader, reverse(f"{prefix}:history", args=[obj.pk]))
        assert response.status_code == 200


def test_staff_read_the_register_but_not_the_inspections(world, client):
    own = _world_records(world)
    staff = world.users["node", Role.STAFF]
    assert (
        _get(client, staff, reverse("quality_risks:inspect", args=[own["risk"].pk])).status_code
        == 200
    )
    response = _get(
        client, staff, reverse("external_inspections:inspect", args=[own["inspection"].pk])
    )
    assert response.status_code == 404
    response = _get(client, staff, reverse("quality_risks:edit", args=[own["risk"].pk]))
    assert response.status_code in (302, 403)


# --- Lists cost the same queries for few and many rows ---------------------------------------


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_lists_cost_the_same_queries_for_few_and_many_rows(world, client):
    officer = _officer(world)
    leader = world.users["parent", Role.LEADER]
    urls = [
        reverse(f"{p}:index")
        for p in (
            "quality_systems",
            "quality_risks",
            "conformity_announcements",
            "external_inspections",
        )
    ]
    tthc = factories.tthc(agencies=[world.node, world.unit])
    _system(world, procedures=[tthc])
    _risk(world)
    announcement_save(
        actor=officer,
        instance=ConformityAnnouncement(
            agency=world.node, announced_on=TODAY, number="1/QĐ", posted_at="Trụ sở"
        ),
    )
    inspection = _inspection(world)
    inspection_record_finding(actor=officer, instance=inspection, description="Một phát hiện.")
    few = {(u.pk, url): _list_queries(client, u, url) for u in (officer, leader) for url in urls}
    _system(world, agency=world.unit, units=[world.unit], procedures=[tthc])
    for n in range(5):
        _risk(world, agency=world.unit, likelihood=n + 1, owner=None)
        announcement_save(
            actor=officer,
            instance=ConformityAnnouncement(
                agency=world.unit, announced_on=TODAY, number=f"{n + 2}/QĐ", posted_at="Trụ sở"
            ),
        )
        other = _inspection(world, agency=world.unit, number=f"KL-{n + 2}")
        inspection_record_finding(actor=officer, instance=other, description="Phát hiện.")
    many = {(u.pk, url): _list_queries(client, u, url) for u in (officer, leader) for url in urls}
    assert many == few
