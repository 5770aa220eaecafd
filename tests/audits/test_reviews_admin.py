"""Management review screens (issue 9 point 4): the list, the page, its history, the export and the
minutes PDF reach the agency's members and those above only (no auditor, no sibling); the page
shows the inputs of 9.3.2 compiled "as of today" while planned and frozen once the meeting is
recorded through the admin (the attendees preselected, a refusal named); a nonconformity raised
from the held review links back; a held review is not edited; the minutes hold the decisions;
the list costs the same queries for few and many reviews; the demo seeds last year's held
review and this year's planned one, once."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    Clause,
    CorrectiveAction,
    Finding,
    FindingKind,
    FindingSource,
    ManagementReview,
    ReviewState,
)
from audits.reviews_minutes import minutes_document
from audits.selectors_reviews import review_inputs
from audits.services.findings import finding_record
from audits.services.reviews import review_hold, review_raise_finding, review_save
from qms.models import AgencyKind, Role
from tests import factories
from tests.qms.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=200)
DECISIONS = "Giao Văn phòng rà soát quy trình hộ tịch."


def _day(day) -> str:
    return day.strftime("%d/%m/%Y")


def _officer(world, relation="node"):
    return world.users[relation, Role.OFFICER]


def _leader(world, relation="node"):
    return world.users[relation, Role.LEADER]


def _review(world, relation="node", *, title=None, planned_on=None):
    place = getattr(world, relation)
    return review_save(
        actor=_officer(world, relation),
        instance=ManagementReview(
            agency=place,
            title=title or f"Xem xét của lãnh đạo {place.code}",
            period_start=START,
            period_end=TODAY + datetime.timedelta(days=30),
            planned_on=planned_on or TODAY,
            chair=_leader(world, relation),
        ),
        attendees=[_officer(world, relation), world.users[relation, Role.STAFF]],
    )


def _hold(world, review, relation="node"):
    return review_hold(
        actor=_officer(world, relation), instance=review, held_on=TODAY, decisions=DECISIONS
    )


def _nc(world, description="Hồ sơ trả kết quả chậm không có thư xin lỗi."):
    return finding_record(
        actor=_officer(world),
        instance=Finding(
            agency=world.node,
            kind=FindingKind.MINOR_NC,
            source=FindingSource.COMPLAINT,
            description=description,
            raised_on=TODAY - datetime.timedelta(days=10),
        ),
    )


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def _export_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return [
        " ".join(str(v) for v in row if v is not None)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]


# --- Scoping ------------------------------------------------------------------------------------


def test_list_inspect_history_export_and_minutes_reach_members_and_those_above(world, client):
    mine = _hold(world, _review(world))
    theirs = _review(world, "sibling")
    urls = {
        "inspect": reverse("management_reviews:inspect", args=[mine.pk]),
        "history": reverse("management_reviews:history", args=[mine.pk]),
        "minutes": reverse("management_review_minutes_pdf", args=[mine.pk]),
    }
    for label in (("node", Role.STAFF), ("node", Role.LEADER), ("parent", Role.STAFF)):
        user = world.users[label]
        above = label[0] == "parent"  # the province reads its departments' reviews
        listing = _page(client, user, reverse("management_reviews:index")).content.decode()
        assert mine.title in listing and (theirs.title in listing) == above, label
        for name, url in urls.items():
            assert client.get(url).status_code == 200, (label, name)
        export = client.get(reverse("management_reviews:index") + "?export=xlsx")
        rows = _export_rows(export)
        assert any(mine.title in row and _day(TODAY) in row for row in rows), label
        assert any(theirs.title in row for row in rows) == above, label
    for label in (("node", Role.AUDITOR), ("sibling", Role.OFFICER), ("sibling", Role.LEADER)):
        user = world.users[label]
        listing = _page(client, user, reverse("management_reviews:index")).content.decode()
        assert mine.title not in listing, label
        for name, url in urls.items():
            assert client.get(url).status_code in (302, 403, 404), (label, name)
    client.force_login(world.users["node", Role.STAFF])
    assert client.get(reverse("management_reviews:edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("management_review_minutes_pdf", args=[theirs.pk])).status_code == 404


def test_the_filters_narrow_by_state_and_year(world, client):
    held = _hold(world, _review(world, title="Xem xét đã họp"))
    planned = _review(
        world, title="Xem xét năm sau", planned_on=TODAY + datetime.timedelta(days=400)
    )
    client.force_login(_officer(world))
    index = reverse("management_reviews:index")
    body = client.get(index, {"state": ReviewState.HELD}).content.decode()
    assert held.title in body and planned.title not in body
    body = client.get(index, {"year": planned.planned_on.year}).content.decode()
    assert planned.title in body and held.title not in body


# --- Add, edit, inspect -------------------------------------------------------------------------


def test_the_add_form_saves_through_the_service_and_names_a_wrong_period(world, client):
    officer = _officer(world)
    client.force_login(officer)
    url = reverse("management_reviews:add")
    form = client.get(url).content.decode()
    assert "Thành phần tham dự" in form and "Kết luận, quyết định" not in form
    data = {
        "agency": world.node.pk,
        "title": "Xem xét của lãnh đạo năm nay",
        "period_start": TODAY.isoformat(),
        "period_end": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "planned_on": TODAY.isoformat(),
        "chair": _leader(world).pk,
        "attendees": [officer.pk, world.users["node", Role.STAFF].pk],
        "other_attendees": "Chuyên gia tư vấn",
    }
    body = client.post(url, data).content.decode()
    assert "trước ngày bắt đầu" in body and not ManagementReview.objects.exists()
    data["period_start"] = START.isoformat()
    response = client.post(url, data)
    assert response.status_code == 302
    review = ManagementReview.objects.get()
    assert review.state == ReviewState.PLANNED and review.created_by == officer
    assert set(review.attendees.all()) == {officer, world.users["node", Role.STAFF]}
    assert review.history.first().history_user == officer


def test_a_chair_who_is_not_a_leader_of_the_agency_is_refused_by_name(world, client):
    officer = _officer(world, "parent")
    client.force_login(officer)
    url = reverse("management_reviews:add")
    data = {
        "agency": world.sibling.pk,
        "title": "Xem xét",
        "period_start": START.isoformat(),
        "period_end": TODAY.isoformat(),
        "planned_on": TODAY.isoformat(),
        "chair": world.users["node", Role.STAFF].pk,
        "attendees": [officer.pk],
    }
    # Only leaders are offered as chair.
    form = client.get(url).content.decode()
    chair_select = form[form.index('name="chair"') :]
    chair_select = chair_select[: chair_select.index("</select>")]
    assert f'value="{_leader(world).pk}"' in chair_select
    assert f'value="{world.users["node", Role.STAFF].pk}"' not in chair_select
    assert "hợp lệ" in client.post(url, data).content.decode()
    # A leader of another department does not chair the sibling's review: the service says who.
    data["chair"] = _leader(world).pk
    body = client.post(url, data).content.decode()
    assert "không phải lãnh đạo của “Sở Tài chính thử” hoặc cấp trên" in body.replace(
        "&ldquo;", "“"
    ).replace("&rdquo;", "”")
    assert not ManagementReview.objects.exists()


def test_the_page_shows_live_inputs_while_planned(world, client):
    _nc(world)
    review = _review(world)
    body = _page(
        client,
        world.users["node", Role.STAFF],
        reverse("management_reviews:inspect", args=[review.pk]),
    ).content.decode()
    assert f"Tổng hợp đến hôm nay {_day(TODAY)}" in body
    live = review_inputs(review.agency, review.period_start, review.period_end, TODAY)
    for section in live["sections"]:
        assert section["title"] in body
    assert "Không phù hợp chưa đóng" in body
    assert "Biên bản (PDF)" in body
    assert reverse("management_review_minutes_pdf", args=[review.pk]) in body
    # The outputs of the meeting are not there before it is held.
    assert "Kết luận, quyết định" not in body


def test_recording_the_meeting_through_the_admin_freezes_the_inputs(world, client):
    _nc(world)
    review = _review(world)
    officer, staff = _officer(world), world.users["node", Role.STAFF]
    client.force_login(officer)
    url = reverse("management_reviews:transition", args=[review.pk, "hold"])
    form = client.get(url).content.decode()
    # The attendees recorded when planning are preselected.
    for person in (officer, staff):
        assert f'value="{person.pk}"' in form
    assert form.count("checked") >= 2
    # A day in the future is refused and named; nothing changes.
    tomorrow = TODAY + datetime.timedelta(days=1)
    body = client.post(
        url,
        {"held_on": tomorrow.isoformat(), "decisions": DECISIONS, "attendees": [officer.pk]},
        follow=True,
    ).content.decode()
    assert _day(tomorrow) in body and "tương lai" in body
    assert ManagementReview.objects.get(pk=review.pk).state == ReviewState.PLANNED
    expected = review_inputs(review.agency, review.period_start, review.period_end, TODAY)
    response = client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            "decisions": DECISIONS,
            "resource_needs": "Bồi dưỡng thêm đánh giá viên.",
            "attendees": [officer.pk, staff.pk, _leader(world).pk],
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.HELD and review.held_on == TODAY
    assert review.decisions == DECISIONS and review.inputs == expected
    assert set(review.attendees.all()) == {officer, staff, _leader(world)}
    # Later data do not move the frozen inputs shown on the page.
    _nc(world, description="Một điểm mới sau cuộc họp.")
    body = client.get(reverse("management_reviews:inspect", args=[review.pk])).content.decode()
    assert f"Đầu vào đã chốt ngày {_day(TODAY)}" in body
    assert "Tổng hợp đến hôm nay" not in body
    assert DECISIONS in body and "Bồi dưỡng thêm đánh giá viên." in body
    review.refresh_from_db()
    assert review.inputs == expected
    # Recorded once: the transition is no longer offered nor accepted.
    assert url not in body
    client.post(url, {"held_on": TODAY.isoformat(), "decisions": "Lại"})
    assert ManagementReview.objects.get(pk=review.pk).decisions == DECISIONS


def test_a_held_review_is_not_edited(world, client):
    review = _hold(world, _review(world))
    client.force_login(_officer(world))
    edit = reverse("management_reviews:edit", args=[review.pk])
    body = client.get(reverse("management_reviews:inspect", args=[review.pk])).content.decode()
    assert edit not in body
    response = client.get(edit, follow=True)
    assert "biên bản không sửa được nữa" in response.content.decode()
    response = client.post(
        edit,
        {
            "agency": world.node.pk,
            "title": "Đổi tên",
            "period_start": START.isoformat(),
            "period_end": TODAY.isoformat(),
            "planned_on": TODAY.isoformat(),
            "chair": _leader(world).pk,
        },
    )
    assert ManagementReview.objects.get(pk=review.pk).title == review.title


def test_raising_a_nonconformity_through_the_admin_links_back(world, client):
    review = _review(world)
    officer = _officer(world)
    client.force_login(officer)
    url = reverse("management_reviews:transition", args=[review.pk, "raise_finding"])
    # Not before the meeting.
    body = client.get(url, follow=True).content.decode()
    assert "chưa họp" in body and not Finding.objects.exists()
    _hold(world, review)
    clause = Clause.objects.get(number="9.1.2")
    response = client.post(
        url,
        {
            "kind": FindingKind.MINOR_NC,
            "clause": clause.pk,
            "description": "Chưa khảo sát sự hài lòng quý III.",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.source == FindingSource.MANAGEMENT_REVIEW
    assert finding.management_review == review and finding.clause == clause
    assert finding.raised_by == officer and finding.raised_on == TODAY
    body = client.get(reverse("management_reviews:inspect", args=[review.pk])).content.decode()
    assert reverse("audit_findings:inspect", args=[finding.pk]) in body and finding.code in body
    listing = client.get(reverse("management_reviews:index")).content.decode()
    assert ">1<" in listing.replace(" ", "").replace("\n", "")
    # A member who reads the review but not the finding sees its code without a link.
    staff = world.users["node", Role.STAFF]
    body = _page(client, staff, reverse("management_reviews:inspect", args=[review.pk]))
    assert finding.code in body.content.decode()


# --- The minutes --------------------------------------------------------------------------------


def test_the_minutes_pdf_holds_the_meeting_its_inputs_and_decisions(world, client):
    review = _hold(world, _review(world))
    finding = review_raise_finding(
        actor=_officer(world),
        instance=review,
        kind=FindingKind.OPPORTUNITY,
        description="Số hóa sổ theo dõi.",
    )
    review.refresh_from_db()
    words = minutes_document(review).text()
    assert "BIÊN BẢN HỌP XEM XÉT CỦA LÃNH ĐẠO" in words
    assert f"Ngày họp: {_day(TODAY)}" in words
    assert f"Đầu vào đã chốt ngày {_day(TODAY)}." in words
    for section in review.inputs["sections"]:
        assert section["title"] in words
        for label, value in section["facts"]:
            assert f"{label}\t{value}" in words
    assert "Thư ký cuộc họp\tChủ trì cuộc họp" in words
    assert finding.code in words
    client.force_login(world.users["parent", Role.STAFF])
    response = client.get(reverse("management_review_minutes_pdf", args=[review.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in (
        DECISIONS,
        review.title,
        "Sở Tư pháp thử",
        finding.code,
        "Số hóa sổ theo dõi.",
    ):
        assert expected in text, expected


def test_the_minutes_of_a_planned_review_print_the_inputs_as_of_today(world):
    review = _review(world)
    words = minutes_document(review, today=TODAY).text()
    assert f"Tổng hợp đến ngày {_day(TODAY)}" in words
    assert "Trạng thái: Dự kiến" in words


# --- Query count --------------------------------------------------------------------------------


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_few_and_many_reviews(world, client):
    officer, leader = _officer(world), _leader(world, "parent")
    url = reverse("management_reviews:index")
    _review(world)
    few = {u.pk: _list_queries(client, u, url) for u in (officer, leader)}
    for n in range(6):
        review = _review(world, title=f"Xem xét {n}")
        if n % 2:
            _hold(world, review)
            review_raise_finding(
                actor=officer,
                instance=review,
                kind=FindingKind.MINOR_NC,
                description=f"Vấn đề {n}",
            )
    many = {u.pk: _list_queries(client, u, url) for u in (officer, leader)}
    assert many == few


# --- Demo ---------------------------------------------------------------------------------------


def test_the_demo_holds_last_years_review_and_plans_this_years_once():
    from audits import demo_reviews

    city = factories.agency(
        name="Ủy ban nhân dân thành phố Hà Nội", kind=AgencyKind.PROVINCE, code="HN"
    )
    stp = factories.agency(name="Sở Tư pháp", parent=city, code="STP")
    for username, place, role in (
        ("hn-officer", city, Role.OFFICER),
        ("hn-leader", city, Role.LEADER),
        ("hn-staff", city, Role.STAFF),
        ("stp-leader", stp, Role.LEADER),
    ):
        factories.member(place, role, username=username)
    created = demo_reviews.seed()
    assert created == {"management_reviews": 2, "findings": 1, "corrective_actions": 1}
    held = ManagementReview.objects.get(agency=city, state=ReviewState.HELD)
    assert held.held_on == datetime.date(TODAY.year - 1, 12, 15)
    assert held.inputs["as_of"] == held.held_on.isoformat()
    assert held.chair.username == "hn-leader" and held.decisions
    assert {u.username for u in held.attendees.all()} == {"hn-officer", "hn-staff", "stp-leader"}
    finding = held.findings.get()
    assert finding.kind == FindingKind.MINOR_NC and finding.raised_on == held.held_on
    assert CorrectiveAction.objects.filter(finding=finding).count() == 1
    planned = ManagementReview.objects.get(agency=city, state=ReviewState.PLANNED)
    assert planned.planned_on == TODAY + datetime.timedelta(days=10)
    assert planned.created_by.username == "hn-officer"
    assert planned.chair.username == "hn-leader"
    # This year's inputs carry last year's nonconformity as an action from a previous review.
    live = review_inputs(city, planned.period_start, planned.period_end, TODAY)
    previous = next(s for s in live["sections"] if s["key"] == "previous_reviews")
    assert any(finding.code in item for item in previous["items"])
    assert demo_reviews.seed() == {"management_reviews": 0, "findings": 0, "corrective_actions": 0}
    assert ManagementReview.objects.count() == 2


def test_the_attendees_offered_are_the_agencys_people_and_its_units_heads(world):
    from audits.wagtail_hooks.reviews import HoldForm

    review = _review(world, "parent")
    form = HoldForm()
    form.bind_review(_officer(world, "parent"), review)
    offered = set(form.fields["attendees"].queryset.values_list("username", flat=True))
    # The province's own people (any role), the departments' leaders and ISO officers only.
    assert {"parent_staff", "parent_leader", "parent_officer"} <= offered
    assert {"node_leader", "node_officer", "sibling_leader"} <= offered
    assert not offered & {"node_staff", "sibling_staff", "node_auditor"}
