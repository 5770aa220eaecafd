"""Management review (issue 9 point 4): the inputs of 9.3.2 compiled live while planned and
frozen the day it is held (they equal that day's data and do not change after), the refusals of
holding (attendees, a future day, the chair), the findings raised from it, the core's questions
answered or not, the reminder when no review was held in 12 months (at most once)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import (
    Finding,
    FindingKind,
    FindingSource,
    ManagementReview,
    QualitySystem,
    ReviewState,
    SystemReminder,
    SystemReminderKind,
)
from audits.selectors_reviews import inputs_of, review_inputs
from audits.services.actions import action_open
from audits.services.findings import finding_record
from audits.services.reviews import (
    review_hold,
    review_raise_finding,
    review_reminders_send,
    review_save,
)
from qms import providers
from qms.models import Notification, Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=200)


def _officer(world, relation="node"):
    return world.users[relation, Role.OFFICER]


def _leader(world, relation="node"):
    return world.users[relation, Role.LEADER]


def _review(world, *, actor=None, chair=None, attendees=None, **extra):
    return review_save(
        actor=actor or _officer(world),
        instance=ManagementReview(
            agency=extra.pop("agency", world.node),
            title=extra.pop("title", "Xem xét của lãnh đạo năm nay"),
            period_start=extra.pop("period_start", START),
            period_end=extra.pop("period_end", TODAY + datetime.timedelta(days=30)),
            planned_on=extra.pop("planned_on", TODAY),
            chair=chair or _leader(world),
            **extra,
        ),
        attendees=[_officer(world), _leader(world)] if attendees is None else attendees,
    )


def _nc(world, *, agency=None, actor=None, raised_on=None, description="Hồ sơ trả kết quả chậm."):
    return finding_record(
        actor=actor or _officer(world),
        instance=Finding(
            agency=agency or world.node,
            kind=FindingKind.MINOR_NC,
            source=FindingSource.COMPLAINT,
            description=description,
            raised_on=raised_on or TODAY - datetime.timedelta(days=20),
        ),
    )


def _section(inputs, key):
    return next(s for s in inputs["sections"] if s["key"] == key)


def _fact(inputs, key, label):
    return dict(_section(inputs, key)["facts"])[label]


def test_the_inputs_are_frozen_the_day_held_and_never_change(world):
    nc = _nc(world)
    action = action_open(
        actor=_officer(world),
        finding=nc,
        owner=world.users["node", Role.STAFF],
        due_date=TODAY + datetime.timedelta(days=3),
    )
    # Overdue by three days (a due date in the past is refused when the action is opened).
    type(action).objects.filter(pk=action.pk).update(due_date=TODAY - datetime.timedelta(days=3))
    review = _review(world)
    expected = review_inputs(world.node, review.period_start, review.period_end, TODAY)
    assert _fact(expected, "actions", "Hành động khắc phục quá hạn") == "1"
    held = review_hold(
        actor=_officer(world),
        instance=review,
        held_on=TODAY,
        decisions="Giao Văn phòng rà soát quy trình hộ tịch trong quý tới.",
    )
    assert held.state == ReviewState.HELD and held.held_on == TODAY
    assert held.inputs == expected and held.inputs_compiled_at is not None
    # The data move on; the review keeps what the leadership saw.
    _nc(world, description="Một điểm mới sau cuộc họp.")
    review.refresh_from_db()
    assert review.inputs == expected
    assert inputs_of(review) == expected
    live = review_inputs(world.node, review.period_start, review.period_end, TODAY)
    assert _fact(live, "actions", "Không phù hợp chưa đóng") == "2"
    assert _fact(review.inputs, "actions", "Không phù hợp chưa đóng") == "1"
    # Holding again (which would compile again) and changing it are refused.
    with pytest.raises(PermissionDenied):
        review_hold(actor=_officer(world), instance=review, held_on=TODAY, decisions="Lại")
    review.title = "Đổi tên"
    with pytest.raises(PermissionDenied):
        review_save(actor=_officer(world), instance=review)
    assert ManagementReview.objects.get(pk=review.pk).inputs == expected
    assert review.history.first().history_user == _officer(world)


def test_a_review_held_in_the_past_leaves_out_what_came_after(world):
    early = TODAY - datetime.timedelta(days=60)
    _nc(world, raised_on=early - datetime.timedelta(days=5), description="Trước cuộc họp.")
    _nc(world, raised_on=TODAY - datetime.timedelta(days=2), description="Sau cuộc họp.")
    review = _review(world, planned_on=early)
    review_hold(actor=_officer(world), instance=review, held_on=early, decisions="Kết luận.")
    review.refresh_from_db()
    assert review.inputs["as_of"] == early.isoformat()
    assert _fact(review.inputs, "actions", "Không phù hợp chưa đóng") == "1"


def test_the_live_inputs_follow_the_data_while_planned(world):
    review = _review(world)
    before = inputs_of(review)
    assert _fact(before, "actions", "Không phù hợp chưa đóng") == "0"
    _nc(world)
    after = inputs_of(review)
    assert _fact(after, "actions", "Không phù hợp chưa đóng") == "1"
    review.refresh_from_db()
    assert review.inputs == {} and review.state == ReviewState.PLANNED


def test_another_agencys_data_stays_out_and_units_count(world):
    _nc(world, agency=world.sibling, actor=_officer(world, "sibling"), description="Của Sở khác.")
    _nc(world, agency=world.unit, description="Của phòng trực thuộc.")
    inputs = inputs_of(_review(world))
    assert _fact(inputs, "actions", "Không phù hợp chưa đóng") == "1"


def test_without_answers_to_the_core_questions_the_inputs_say_no_data(world, monkeypatch):
    monkeypatch.setitem(providers._providers, providers.ON_TIME_PERFORMANCE, [])
    monkeypatch.setitem(providers._providers, providers.QUALITY_OBJECTIVES, [])
    inputs = inputs_of(_review(world))
    facts = dict(_section(inputs, "performance")["facts"])
    assert facts["Tỷ lệ giải quyết hồ sơ đúng hạn"] == "Chưa có số liệu"
    assert facts["Mục tiêu chất lượng"] == "Chưa có số liệu"


def test_the_answers_of_the_core_questions_appear(world, monkeypatch):
    asked = []

    def performance(agency, start, end):
        asked.append((agency, start, end))
        return {"resolved": 200, "early": 120, "on_time": 70, "late": 10, "pending_overdue": 3}

    def objectives(agency, start, end):
        return [
            {
                "name": "Hồ sơ đúng hạn",
                "target": "≥ 98 %",
                "actual": "95",
                "unit": "%",
                "met": False,
            }
        ]

    monkeypatch.setitem(providers._providers, providers.ON_TIME_PERFORMANCE, [performance])
    monkeypatch.setitem(providers._providers, providers.QUALITY_OBJECTIVES, [objectives])
    review = _review(world)
    inputs = inputs_of(review)
    section = _section(inputs, "performance")
    facts = dict(section["facts"])
    assert facts["Hồ sơ đã giải quyết"] == "200" and facts["Trễ hạn"] == "10"
    assert facts["Tỷ lệ giải quyết hồ sơ đúng hạn"] == "95,0\u00a0%"
    assert section["items"] == ["Hồ sơ đúng hạn: chỉ tiêu ≥ 98 %, thực hiện 95 % – không đạt"]
    assert asked == [(world.node, review.period_start, TODAY)]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"held_on": TODAY + datetime.timedelta(days=1)}, "held_on"),
        ({"held_on": START - datetime.timedelta(days=1)}, "held_on"),
        ({"decisions": "  "}, "decisions"),
        ({"attendees": []}, "attendees"),
    ],
)
def test_holding_is_refused_naming_the_field(world, change, field):
    review = _review(world)
    kwargs = {"held_on": TODAY, "decisions": "Kết luận.", **change}
    with pytest.raises(ValidationError) as exc:
        review_hold(actor=_officer(world), instance=review, **kwargs)
    assert field in exc.value.message_dict
    review.refresh_from_db()
    assert review.state == ReviewState.PLANNED and review.inputs == {}


def test_the_chair_is_a_leader_and_attendees_belong_to_the_agency_or_above(world):
    with pytest.raises(ValidationError) as exc:
        _review(world, chair=world.users["node", Role.STAFF])
    assert "chair" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _review(world, attendees=[_officer(world, "sibling")])
    assert "sibling_officer" in " ".join(exc.value.message_dict["attendees"])
    review = _review(world, chair=_leader(world, "parent"), attendees=[_officer(world, "parent")])
    assert review.chair == _leader(world, "parent")
    with pytest.raises(ValidationError) as exc:
        _review(world, period_end=START - datetime.timedelta(days=1))
    assert "period_end" in exc.value.message_dict


@pytest.mark.parametrize(
    "who, allowed",
    [
        (("node", Role.OFFICER), True),
        (("node", Role.LEADER), True),
        (("parent", Role.OFFICER), True),
        (("node", Role.STAFF), False),
        (("node", Role.AUDITOR), False),
        (("sibling", Role.LEADER), False),
    ],
)
def test_only_officers_and_leaders_of_the_agency_or_above_plan_and_hold(world, who, allowed):
    actor = world.users[who]
    if allowed:
        review = _review(world, actor=actor)
        review_hold(actor=actor, instance=review, held_on=TODAY, decisions="Kết luận.")
        assert ManagementReview.objects.get(pk=review.pk).state == ReviewState.HELD
    else:
        with pytest.raises(PermissionDenied):
            _review(world, actor=actor)
        review = _review(world)
        with pytest.raises(PermissionDenied):
            review_hold(actor=actor, instance=review, held_on=TODAY, decisions="Kết luận.")


def test_a_finding_raised_from_a_held_review_links_back(world):
    review = _review(world)
    with pytest.raises(PermissionDenied):
        review_raise_finding(
            actor=_officer(world), instance=review, kind=FindingKind.MINOR_NC, description="x"
        )
    review_hold(actor=_officer(world), instance=review, held_on=TODAY, decisions="Kết luận.")
    finding = review_raise_finding(
        actor=_leader(world),
        instance=review,
        kind=FindingKind.OPPORTUNITY,
        description="Số hóa sổ theo dõi hồ sơ.",
    )
    assert finding.source == FindingSource.MANAGEMENT_REVIEW
    assert finding.management_review == review and finding.agency == world.node
    assert finding.raised_on == TODAY and finding.code.startswith("PH-")
    assert list(review.findings.all()) == [finding]
    with pytest.raises(ValidationError) as exc:
        review_raise_finding(actor=_leader(world), instance=review, kind="x", description="y")
    assert "kind" in exc.value.message_dict
    # The next review lists it among the actions of previous reviews.
    later = _review(
        world,
        period_start=TODAY + datetime.timedelta(days=1),
        planned_on=TODAY + datetime.timedelta(days=40),
    )
    items = _section(inputs_of(later), "previous_reviews")["items"]
    assert len(items) == 1 and finding.code in items[0]


def _register(world, agency, *, months_ago):
    system = QualitySystem.objects.create(
        agency=agency, scope="Giải quyết TTHC.", quality_policy="Đúng hẹn."
    )
    first = system.history.first()
    if first is not None:
        first.history_date = timezone.now() - datetime.timedelta(days=31 * months_ago)
        first.save()
    else:  # created without history: record one in the past
        system.history.create(
            id=system.pk,
            agency=agency,
            scope=system.scope,
            quality_policy=system.quality_policy,
            updated_at=system.updated_at,
            history_date=timezone.now() - datetime.timedelta(days=31 * months_ago),
            history_type="+",
        )
    return system


def test_an_overdue_review_is_reminded_once_per_last_review(world):
    _register(world, world.node, months_ago=14)
    _register(world, world.sibling, months_ago=2)  # a new system: not due yet
    assert review_reminders_send(TODAY) == 1
    assert review_reminders_send(TODAY) == 0
    reminder = SystemReminder.objects.get(kind=SystemReminderKind.REVIEW_OVERDUE)
    assert reminder.subject == f"agency:{world.node.pk}" and reminder.key == "never"
    told = set(
        Notification.objects.filter(title__contains="Đến hạn xem xét").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"node_officer", "node_leader"}
    # A review held 13 months ago: a new cycle, reminded once more.
    held_on = TODAY - datetime.timedelta(days=400)
    old = _review(world, period_start=TODAY - datetime.timedelta(days=800), planned_on=held_on)
    ManagementReview.objects.filter(pk=old.pk).update(state=ReviewState.HELD, held_on=held_on)
    assert review_reminders_send(TODAY) == 1
    assert SystemReminder.objects.filter(key=held_on.isoformat()).count() == 1
    assert review_reminders_send(TODAY) == 0
    # Held within 12 months: nothing more.
    recent = _review(world, period_start=TODAY - datetime.timedelta(days=300))
    review_hold(actor=_officer(world), instance=recent, held_on=TODAY, decisions="Kết luận.")
    assert review_reminders_send(TODAY + datetime.timedelta(days=30)) == 0


def test_a_rate_is_rounded_not_cut(world, monkeypatch):
    monkeypatch.setitem(
        providers._providers,
        providers.ON_TIME_PERFORMANCE,
        [lambda *a: {"resolved": 3, "early": 1, "on_time": 1, "late": 1, "pending_overdue": 0}],
    )
    facts = dict(_section(inputs_of(_review(world)), "performance")["facts"])
    assert facts["Tỷ lệ giải quyết hồ sơ đúng hạn"] == "66,7\u00a0%"
