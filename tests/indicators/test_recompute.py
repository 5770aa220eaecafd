"""A calendar or limit change recomputes stored due times only on an explicit, logged request that
shows what changed (DESIGN.md §5): preview changes nothing, apply changes exactly the previewed
dossiers, writes their events and keeps the summary tables equal to a recomputation.

Dates worked by hand (office hours 07:30-11:30, 13:00-17:00; Tết 2025 Mon 27/01 to Sat 01/02):
- D1 received Fri 24/01/2025 15:00, 3 days: due Wed 05/02 15:00 (Fri 2 h, Mon 03/02 8, Tue 8,
  Wed 07:30-11:30 4, 13:00-15:00 2). Resolved Wed 05/02 16:00: late, Fri 2 + Mon 8 + Tue 8 + Wed
  7 = 25 h = 3,125 days. With Mon 03/02 declared off: Fri 2, Tue 8, Wed 8, Thu 06/02 6 -> due Thu
  06/02 15:00; resolved the day before the due day: early, 2 + 8 + 7 = 17 h = 2,125 days.
- D2 received Thu 23/01/2025 08:00, 3 days, pending: Thu 7,5 h, Fri 8 (15,5), Mon 03/02 8 (23,5),
  Tue 04/02 07:30-08:00 -> Tue 04/02 08:00; Monday off -> Wed 05/02 08:00.
- D3 received Mon 03/03/2025 08:00, 3 days: Mon 7,5, Tue 8, Wed 8, Thu 06/03 0,5 -> Thu 06/03
  08:00, untouched by February; under a 2-day limit: Mon 7,5, Tue 8, Wed 05/03 0,5 -> Wed 05/03
  08:00.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from indicators.models import DailySummary, Dossier, DossierEvent, Recomputation
from indicators.models.dossiers import EventKind, Outcome, RecomputationState, Timing
from indicators.services import summaries
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.recompute import (
    APPLY_ACTION,
    PREVIEW_ACTION,
    recompute_apply,
    recompute_preview,
)
from qms.models import CalendarOverride, Role, TimeLimit
from qms.models.calendar import OverrideKind
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = dt.date(2025, 1, 21), dt.date(2025, 3, 31)


def t(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


class Setup:
    def __init__(self):
        self.province, self.dept_a, self.dept_b, self.unit_a, _desk = factories.agency_tree()
        self.officer = factories.member(self.dept_a, Role.OFFICER)
        self.leader = factories.member(self.province, Role.LEADER)
        self.staff = factories.member(self.dept_a, Role.STAFF)
        self.other_officer = factories.member(self.dept_b, Role.OFFICER)
        self.procedure = factories.tthc(working_days=3, effective_from=dt.date(2024, 1, 1))

    def record(self, agency, code, received, line=2, **extra):
        return DossierRecord(
            line=line,
            agency_id=agency.pk,
            code=code,
            procedure_id=self.procedure.pk,
            channel="online",
            received_at=received,
            **extra,
        )

    def records(self):
        d1_resolved = dict(resolved_at=t(2025, 2, 5, 16), outcome=Outcome.ISSUED)
        return [
            self.record(self.unit_a, "D1", t(2025, 1, 24, 15), line=2, **d1_resolved),
            self.record(self.unit_a, "D2", t(2025, 1, 23, 8), line=3),
            self.record(self.dept_a, "D3", t(2025, 3, 3, 8), line=4),
            # Another agency, and a receipt before the period: never touched.
            self.record(self.dept_b, "D4", t(2025, 1, 24, 15), line=5),
            self.record(self.unit_a, "D5", t(2025, 1, 20, 8), line=6),
        ]

    def load(self):
        result = upsert(self.records(), calendar=get_calendar())
        assert result.new == [2, 3, 4, 5, 6] and result.problems == []

    def dossier(self, code):
        return Dossier.objects.get(code=code)


@pytest.fixture
def s(db):
    setup = Setup()
    setup.load()
    return setup


def monday_off():
    CalendarOverride.objects.create(
        date=dt.date(2025, 2, 3),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ bù sau Tết (thử)",
        document_number="9/TB-UBND",
        document_date=dt.date(2025, 1, 20),
    )


def snapshot():
    return {
        d.code: (d.due_at, d.timing, d.processing_days, d.calendar_version)
        for d in Dossier.objects.all()
    }


def test_an_override_added_after_import_changes_nothing_until_the_request(s):
    before = snapshot()
    old_version = s.dossier("D1").calendar_version
    monday_off()
    assert get_calendar().version != old_version
    # The same file again: nothing changes (the stored due time stands).
    result = upsert(s.records(), calendar=get_calendar())
    assert result.unchanged == [2, 3, 4, 5, 6]
    assert snapshot() == before
    assert s.dossier("D1").due_at == t(2025, 2, 5, 15)
    assert not DossierEvent.objects.filter(kind=EventKind.RECOMPUTED).exists()
    # The preview records what would change, and still changes nothing.
    recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    assert snapshot() == before
    assert summaries.drifts() == []


def test_preview_lists_exactly_the_changed_dossiers(s):
    monday_off()
    recomputation = recompute_preview(
        actor=s.officer,
        agency=s.dept_a,
        period_start=START,
        period_end=END,
        reason="Thông báo nghỉ bù ngày 03/02/2025",
    )
    assert recomputation.state == RecomputationState.PREVIEWED
    assert recomputation.requested_by == s.officer
    assert recomputation.calendar_version == get_calendar().version
    # D1, D2, D3 are dept_a's subtree's in the period; D1 and D2 change.
    assert (recomputation.examined, recomputation.changed) == (3, 2)
    assert [(c["code"], c["field"], c["before"], c["after"]) for c in recomputation.changes] == [
        ("D1", "hạn giải quyết", "05/02/2025 15:00", "06/02/2025 15:00"),
        ("D1", "đánh giá", "Quá hạn", "Trước hạn"),
        ("D1", "thời gian xử lý (ngày làm việc)", "3,125 ngày làm việc", "2,125 ngày làm việc"),
        ("D2", "hạn giải quyết", "04/02/2025 08:00", "05/02/2025 08:00"),
    ]
    assert {c["dossier"] for c in recomputation.changes} == {
        s.dossier("D1").pk,
        s.dossier("D2").pk,
    }
    actions = list(
        ModelLogEntry.objects.for_instance(recomputation).values_list("action", "user_id")
    )
    assert actions == [(PREVIEW_ACTION, s.officer.pk)]


def test_apply_changes_them_writes_events_and_keeps_summaries_equal(s):
    monday_off()
    old_version = s.dossier("D1").calendar_version
    untouched = {code: snapshot()[code] for code in ("D4", "D5")}
    late_row = DailySummary.objects.get(agency=s.unit_a, day=dt.date(2025, 2, 5))
    assert (late_row.late, late_row.early) == (1, 0)
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    recompute_apply(actor=s.leader, recomputation=recomputation)

    recomputation.refresh_from_db()
    assert recomputation.state == RecomputationState.APPLIED
    assert recomputation.applied_by == s.leader and recomputation.applied_at is not None
    new_version = get_calendar().version
    d1, d2, d3 = s.dossier("D1"), s.dossier("D2"), s.dossier("D3")
    assert (d1.due_at, d1.timing, d1.processing_days) == (
        t(2025, 2, 6, 15),
        Timing.EARLY,
        Decimal("2.125"),
    )
    assert d2.due_at == t(2025, 2, 5, 8)
    assert d3.due_at == t(2025, 3, 6, 8)
    assert {d1.calendar_version, d2.calendar_version, d3.calendar_version} == {new_version}
    assert {code: snapshot()[code] for code in ("D4", "D5")} == untouched

    events = DossierEvent.objects.filter(kind=EventKind.RECOMPUTED).order_by("dossier_id")
    assert [e.dossier_id for e in events] == [d1.pk, d2.pk]
    first = events[0]
    assert first.actor == s.leader
    assert first.data["recomputation"] == recomputation.pk
    assert first.data["calendar_version"] == [old_version, new_version]
    assert set(first.data["changes"]) == {"due_at", "timing", "processing_days"}
    assert first.data["changes"]["timing"] == ["late", "early"]

    late_row.refresh_from_db()
    assert (late_row.late, late_row.early, late_row.resolved) == (0, 1, 1)
    assert summaries.drifts() == []
    actions = list(
        ModelLogEntry.objects.for_instance(recomputation)
        .order_by("timestamp", "id")
        .values_list("action", "user_id")
    )
    assert actions == [(PREVIEW_ACTION, s.officer.pk), (APPLY_ACTION, s.leader.pk)]


def test_a_limit_change_is_recomputed_on_request(s):
    TimeLimit.objects.create(
        procedure=s.procedure,
        working_days=Decimal(2),
        effective_from=dt.date(2025, 3, 1),
        legal_basis="Quyết định 12/QĐ-UBND (thử)",
    )
    assert s.dossier("D3").due_at == t(2025, 3, 6, 8)
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Thời hạn mới"
    )
    assert (recomputation.examined, recomputation.changed) == (3, 1)
    assert [(c["code"], c["field"], c["before"], c["after"]) for c in recomputation.changes] == [
        ("D3", "thời hạn (ngày làm việc)", "3 ngày làm việc", "2 ngày làm việc"),
        ("D3", "hạn giải quyết", "06/03/2025 08:00", "05/03/2025 08:00"),
    ]
    recompute_apply(actor=s.officer, recomputation=recomputation)
    d3 = s.dossier("D3")
    assert (d3.limit_days, d3.due_at) == (Decimal(2), t(2025, 3, 5, 8))
    assert summaries.drifts() == []


def test_apply_refuses_twice(s):
    monday_off()
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    recompute_apply(actor=s.officer, recomputation=recomputation)
    with pytest.raises(ValidationError, match="đã được áp dụng"):
        recompute_apply(actor=s.officer, recomputation=recomputation)
    assert DossierEvent.objects.filter(kind=EventKind.RECOMPUTED).count() == 2


def test_apply_refuses_when_the_calendar_moved_since_the_preview(s):
    monday_off()
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    before = snapshot()
    CalendarOverride.objects.create(
        date=dt.date(2025, 2, 4),
        kind=OverrideKind.DAY_OFF,
        reason="Thêm một ngày (thử)",
        document_number="10/TB-UBND",
        document_date=dt.date(2025, 1, 21),
    )
    with pytest.raises(ValidationError, match="xem trước lại"):
        recompute_apply(actor=s.officer, recomputation=recomputation)
    assert snapshot() == before
    recomputation.refresh_from_db()
    assert recomputation.state == RecomputationState.PREVIEWED


def test_apply_refuses_when_the_dossiers_changed_since_the_preview(s):
    monday_off()
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    # D2 is resolved by an import after the preview: its recomputation now differs.
    d2 = s.record(s.unit_a, "D2", t(2025, 1, 23, 8), resolved_at=t(2025, 2, 4, 10))
    d2.outcome = Outcome.ISSUED
    assert upsert([d2], calendar=get_calendar()).updated == [2]
    before = snapshot()
    with pytest.raises(ValidationError, match="xem trước lại"):
        recompute_apply(actor=s.officer, recomputation=recomputation)
    assert snapshot() == before
    assert not DossierEvent.objects.filter(kind=EventKind.RECOMPUTED).exists()
    assert summaries.drifts() == []


def test_who_may_request_and_apply(s):
    monday_off()
    for outsider in (s.staff, s.other_officer):
        with pytest.raises(PermissionDenied):
            recompute_preview(
                actor=outsider, agency=s.dept_a, period_start=START, period_end=END, reason="x"
            )
    assert not Recomputation.objects.exists()
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    for outsider in (s.staff, s.other_officer):
        with pytest.raises(PermissionDenied):
            recompute_apply(actor=outsider, recomputation=recomputation)
    # An officer of a unit inside may not recompute the department above it.
    unit_officer = factories.member(s.unit_a, Role.OFFICER)
    with pytest.raises(PermissionDenied):
        recompute_apply(actor=unit_officer, recomputation=recomputation)
    assert not DossierEvent.objects.filter(kind=EventKind.RECOMPUTED).exists()


def test_preview_names_each_bad_field(s):
    with pytest.raises(ValidationError) as caught:
        recompute_preview(
            actor=s.officer,
            agency=s.dept_a,
            period_start=dt.date(2025, 3, 1),
            period_end=dt.date(2025, 2, 1),
            reason="  ",
        )
    assert set(caught.value.message_dict) == {"period_end", "reason"}
    assert "01/02/2025" in caught.value.message_dict["period_end"][0]
    assert not Recomputation.objects.exists()


def test_the_same_file_after_a_recomputation_changes_nothing(s):
    monday_off()
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    recompute_apply(actor=s.officer, recomputation=recomputation)
    after = snapshot()
    assert upsert(s.records(), calendar=get_calendar()).unchanged == [2, 3, 4, 5, 6]
    assert snapshot() == after
    assert summaries.drifts() == []


def test_many_changes_over_several_pages(s, monkeypatch):
    """Pages of 7 dossiers, 10 changes listed: every changed dossier is applied all the same."""
    from indicators.services import recompute

    monkeypatch.setattr(recompute, "CHUNK", 7)
    monkeypatch.setattr(recompute, "MAX_LISTED", 10)
    received = [t(2025, 1, 24, 15), t(2025, 1, 23, 8)]
    records = [s.record(s.unit_a, f"M{i:02d}", received[i % 2], line=10 + i) for i in range(30)]
    assert len(upsert(records, calendar=get_calendar()).new) == 30
    monday_off()
    recomputation = recompute_preview(
        actor=s.officer, agency=s.dept_a, period_start=START, period_end=END, reason="Nghỉ bù"
    )
    # D1, D2 and the 30 new ones change; D3 does not.
    assert (recomputation.examined, recomputation.changed) == (33, 32)
    assert len(recomputation.changes) == 10
    recompute_apply(actor=s.officer, recomputation=recomputation)
    assert DossierEvent.objects.filter(kind=EventKind.RECOMPUTED).count() == 32
    dues = set(Dossier.objects.filter(code__startswith="M").values_list("due_at", flat=True))
    assert dues == {t(2025, 2, 6, 15), t(2025, 2, 5, 8)}
    assert summaries.drifts() == []
