"""Public statistics (issue [9] item 8): the monthly snapshot of each reporting body, its date of
publication, its immutability, the errata beside it, the daily task, the public pages and the
open-data CSV, and the admin's scoping.

Figures are checked against naive queries over the dossiers written here (not the summaries).
Dates worked by hand: March 2025 is published on Tue 08/04/2025 (Sat 5, Sun 6, Mon 7 is the Hùng
Kings' day); January 2027 on Thu 11/02/2027 (the 5th is Tết's eve, Tết runs to Wed 10/02).
"""

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import Dossier, PublishedStatistic, StatisticErratum
from indicators.models.dossiers import (
    PENDING_STATES,
    RESOLVED_STATES,
    DossierState,
    Timing,
)
from indicators.selectors_publication import published_statistics
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.publication import (
    erratum_publish,
    publication_date,
    publish_due,
    publish_month,
)
from qms import providers
from qms.models import AgencyKind, Role
from qms.models.agencies import AgencySuccession, SuccessionKind
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = dt.date(2025, 3, 1)
MARCH_END = dt.date(2025, 3, 31)
PUBLISHED = dt.date(2025, 4, 8)


def t(day, hour=8, month=3, year=2025):
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


_line = iter(range(2, 10_000))


def put(agency, procedure, code, **fields):
    record = DossierRecord(
        line=next(_line),
        agency_id=agency.pk,
        code=code,
        procedure_id=procedure.pk,
        channel=fields.pop("channel", "in_person"),
        **fields,
    )
    result = upsert([record], calendar=get_calendar())
    assert result.problems == []


class World:
    """A city with two departments (the first with a unit inside it) and two wards; two TTHC."""

    def __init__(self):
        f = factories
        self.city = f.agency(kind=AgencyKind.PROVINCE, code="TP", name="Thành phố Thử")
        self.dept = f.agency(parent=self.city, code="STP", name="Sở Tư pháp thử")
        self.unit = f.agency(
            kind=AgencyKind.UNIT, parent=self.dept, code="STP-HT", name="Phòng Hộ tịch"
        )
        self.other = f.agency(parent=self.city, code="STC", name="Sở Tài chính thử")
        self.ward_a = f.agency(
            kind=AgencyKind.COMMUNE, parent=self.city, code="PA", name="Phường A"
        )
        self.ward_b = f.agency(
            kind=AgencyKind.COMMUNE, parent=self.city, code="PB", name="Phường B"
        )
        self.civil = f.tthc(code="1.000001", name="Đăng ký khai sinh", working_days=3)
        self.land = f.tthc(code="1.000002", name="Cấp giấy phép", working_days=3)

    def march(self):
        """The department: early, on time, late, refused (land, early), withdrawn, pending
        overdue, waiting for a supplement, one received in February and resolved in March, one
        received in April; the unit: early; the other department: late; ward A: late."""
        d, c, land = self.dept, self.civil, self.land
        put(d, c, "HS-BIMAT-01", received_at=t(3), resolved_at=t(4), outcome="issued")
        put(d, c, "HS-BIMAT-02", received_at=t(3), resolved_at=t(6), outcome="issued")
        put(d, c, "HS-BIMAT-03", received_at=t(3), resolved_at=t(6, 10), outcome="issued")
        put(d, land, "HS-BIMAT-04", received_at=t(3), resolved_at=t(5), outcome="refused")
        put(d, c, "HS-BIMAT-05", received_at=t(3), resolved_at=t(5), outcome="withdrawn")
        put(d, c, "HS-BIMAT-06", received_at=t(3))
        put(d, c, "HS-BIMAT-07", received_at=t(3), supplement_requested_at=t(4, 9))
        put(d, land, "HS-BIMAT-08", received_at=t(25, month=2), resolved_at=t(3), outcome="issued")
        put(
            d,
            c,
            "HS-BIMAT-09",
            received_at=t(2, month=4),
            resolved_at=t(3, month=4),
            outcome="issued",
        )
        put(self.unit, c, "HS-BIMAT-10", received_at=t(3), resolved_at=t(5), outcome="issued")
        put(self.other, land, "HS-BIMAT-11", received_at=t(3), resolved_at=t(7), outcome="issued")
        put(self.ward_a, c, "HS-BIMAT-12", received_at=t(3), resolved_at=t(10), outcome="issued")


@pytest.fixture
def w(db):
    world = World()
    world.march()
    return world


def naive(agencies, first, last, at, procedure=None) -> dict:
    """The month's figures straight from the dossiers of ``agencies`` (listed by hand)."""
    dossiers = Dossier.objects.filter(agency__in=agencies)
    if procedure is not None:
        dossiers = dossiers.filter(procedure=procedure)
    resolved = dossiers.filter(state__in=RESOLVED_STATES, resolved_on__range=(first, last))
    figures = {
        "received": dossiers.filter(received_on__range=(first, last)).count(),
        "resolved": resolved.count(),
        "early": resolved.filter(timing=Timing.EARLY).count(),
        "on_time": resolved.filter(timing=Timing.ON_TIME).count(),
        "late": resolved.filter(timing=Timing.LATE).count(),
        "withdrawn": dossiers.filter(
            state=DossierState.WITHDRAWN, resolved_on__range=(first, last)
        ).count(),
        "pending_overdue": dossiers.filter(
            state__in=PENDING_STATES, received_on__lte=last, due_at__lt=at
        ).count(),
    }
    if figures["resolved"]:
        rate = (figures["early"] + figures["on_time"]) * 100 / figures["resolved"]
        figures["on_time_rate"] = f"{rate:.2f}"
    else:
        figures["on_time_rate"] = None
    return figures


# --- Publication date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (dt.date(2025, 5, 1), dt.date(2025, 6, 5)),  # a Thursday
        (dt.date(2025, 3, 1), dt.date(2025, 4, 8)),  # Sat, Sun, then the Hùng Kings' day
        (dt.date(2026, 8, 1), dt.date(2026, 9, 7)),  # Saturday 5/9 → Monday
        (dt.date(2027, 1, 1), dt.date(2027, 2, 11)),  # Tết's eve to its fifth day
        (dt.date(2025, 12, 1), dt.date(2026, 1, 5)),  # across the year
    ],
)
def test_publication_date_is_the_fifth_or_the_next_working_day(db, month, expected):
    assert publication_date(month) == expected
    assert publication_date(month.replace(day=17)) == expected


# --- The snapshot ------------------------------------------------------------------------------


def test_the_snapshot_equals_naive_queries_per_body_and_tthc(w):
    made = publish_month(month=MARCH, today=PUBLISHED)
    by_code = {s.agency.code: s for s in made}
    # Bodies that report and had dossiers; the unit rolls into its department, ward B had none.
    assert set(by_code) == {"TP", "STP", "STC", "PA"}
    groups = {
        "TP": [w.city, w.dept, w.unit, w.other, w.ward_a, w.ward_b],
        "STP": [w.dept, w.unit],
        "STC": [w.other],
        "PA": [w.ward_a],
    }
    for code, agencies in groups.items():
        statistic = by_code[code]
        at = statistic.published_at
        assert statistic.month == MARCH and statistic.published_on == PUBLISHED
        assert statistic.figures["total"] == naive(agencies, MARCH, MARCH_END, at)
        procedures = {r["code"]: r for r in statistic.figures["procedures"]}
        for procedure in (w.civil, w.land):
            expected = naive(agencies, MARCH, MARCH_END, at, procedure)
            if not any(v for k, v in expected.items() if k != "on_time_rate"):
                assert procedure.code not in procedures
                continue
            row = dict(procedures[procedure.code])
            assert (row.pop("code"), row.pop("name")) == (procedure.code, procedure.name)
            assert row == expected
    # The department by hand: 8 received in March (not the February one, nor April's), resolved
    # H1 early, H2 on time, H3 late, H4 refused early, H8 (from February, due 28/02) late and
    # the unit's early: 4 of 6 early or on time.
    total = by_code["STP"].figures["total"]
    assert (total["received"], total["resolved"], total["early"], total["on_time"]) == (8, 6, 3, 1)
    assert (total["late"], total["withdrawn"], total["pending_overdue"]) == (2, 1, 1)
    assert total["on_time_rate"] == "66.67"


def test_no_personal_data_in_a_snapshot(w):
    [statistic] = [s for s in publish_month(month=MARCH, today=PUBLISHED) if s.agency == w.dept]
    text = json.dumps(statistic.figures, ensure_ascii=False)
    assert "HS-BIMAT" not in text
    allowed = {"received", "resolved", "early", "on_time", "late", "on_time_rate", "withdrawn"}
    allowed |= {"pending_overdue", "code", "name"}
    assert set(statistic.figures) == {"total", "procedures"}
    for row in [statistic.figures["total"], *statistic.figures["procedures"]]:
        assert set(row) <= allowed


def test_a_snapshot_never_changes(w):
    made = publish_month(month=MARCH, today=PUBLISHED)
    statistic = PublishedStatistic.objects.get(agency=w.dept, month=MARCH)
    before = statistic.figures
    with pytest.raises(ValidationError):
        statistic.save()
    with pytest.raises(ValidationError):
        statistic.delete()
    # A later import changes March: nothing published changes, and publishing again makes nothing.
    put(w.dept, w.civil, "HS-BIMAT-06", received_at=t(3), resolved_at=t(20), outcome="issued")
    put(w.ward_b, w.civil, "HS-BIMAT-13", received_at=t(3), resolved_at=t(4), outcome="issued")
    again = publish_month(month=MARCH, today=dt.date(2025, 4, 9))
    assert PublishedStatistic.objects.get(pk=statistic.pk).figures == before
    # Ward B had no dossier at publication: its late figures are a new snapshot, the others stay.
    assert [s.agency.code for s in again] == ["PB"]
    assert PublishedStatistic.objects.count() == len(made) + 1


def test_a_run_that_loses_the_race_keeps_the_first_snapshot(w, monkeypatch):
    """Two runs at once: the unique (agency, month) constraint decides, the loser moves on."""
    from indicators.services import publication

    first = publish_month(month=MARCH, today=PUBLISHED)
    stale = [s.agency for s in first]  # what a concurrent run read before the first one wrote
    monkeypatch.setattr(publication, "candidate_agencies", lambda month, at: stale)
    put(w.dept, w.civil, "HS-BIMAT-16", received_at=t(12), resolved_at=t(13), outcome="issued")
    assert publish_month(month=MARCH, today=dt.date(2025, 4, 9)) == []
    assert {s.pk: s.figures for s in PublishedStatistic.objects.all()} == {
        s.pk: s.figures for s in first
    }


def test_publishing_before_the_date_is_refused(w):
    with pytest.raises(ValidationError, match="08/04/2025"):
        publish_month(month=MARCH, today=dt.date(2025, 4, 7))
    assert not PublishedStatistic.objects.exists()


def test_across_the_reform_a_merged_ward_rolls_into_its_successor(db):
    f = factories
    city = f.agency(kind=AgencyKind.PROVINCE, code="HN", name="Thành phố")
    district = f.agency(
        kind=AgencyKind.DISTRICT, parent=city, code="QHK", valid_to=dt.date(2025, 6, 30)
    )
    old_ward = f.agency(
        kind=AgencyKind.COMMUNE, parent=district, code="PCU", valid_to=dt.date(2025, 6, 30)
    )
    new_ward = f.agency(
        kind=AgencyKind.COMMUNE, parent=city, code="PMOI", valid_from=dt.date(2025, 7, 1)
    )
    AgencySuccession.objects.create(
        predecessor=old_ward,
        successor=new_ward,
        kind=SuccessionKind.MERGE,
        effective_date=dt.date(2025, 7, 1),
    )
    civil = f.tthc(code="1.000009", working_days=3)
    # Received by the former ward in June, resolved in July; one of the new ward's own in July.
    put(
        old_ward,
        civil,
        "HS-CU",
        received_at=t(27, month=6),
        resolved_at=t(2, month=7),
        outcome="issued",
    )
    put(
        new_ward,
        civil,
        "HS-MOI",
        received_at=t(7, month=7),
        resolved_at=t(8, month=7),
        outcome="issued",
    )
    june = {
        s.agency.code: s
        for s in publish_month(month=dt.date(2025, 6, 1), today=dt.date(2025, 7, 7))
    }
    july = {
        s.agency.code: s
        for s in publish_month(month=dt.date(2025, 7, 1), today=dt.date(2025, 8, 5))
    }
    # June: the former ward still existed (the district is history, it never publishes).
    assert set(june) == {"HN", "PCU"}
    assert june["PCU"].figures["total"]["received"] == 1
    # July: the former ward's dossier counts in its successor, once in the city.
    assert set(july) == {"HN", "PMOI"}
    assert july["PMOI"].figures["total"]["resolved"] == 2
    assert july["HN"].figures["total"]["resolved"] == 2


# --- The daily task ----------------------------------------------------------------------------


def test_the_task_publishes_once_and_catches_up(w, monkeypatch):
    from indicators.tasks import statistics_publish_due

    day = {"today": dt.date(2025, 4, 7)}
    monkeypatch.setattr(
        "indicators.services.publication.timezone.localdate", lambda *a: day["today"]
    )
    assert statistics_publish_due() == 0  # Hùng Kings' day: not yet
    assert not PublishedStatistic.objects.exists()
    day["today"] = dt.date(2025, 4, 10)  # the 8th was missed: caught up
    assert statistics_publish_due() == 4
    assert statistics_publish_due() == 0  # twice run, one snapshot each
    assert PublishedStatistic.objects.filter(month=MARCH).count() == 4
    assert set(PublishedStatistic.objects.values_list("published_on", flat=True)) == {
        dt.date(2025, 4, 10)
    }
    assert publish_due(dt.date(2025, 4, 30)) == []


def test_the_task_is_scheduled_daily():
    from qms.celery import app

    entry = app.conf.beat_schedule["indicators-statistics-publish"]
    assert entry["task"] == "indicators.tasks.statistics_publish_due"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {10})
    assert len(entry["schedule"].day_of_month) == 31
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


# --- Errata ------------------------------------------------------------------------------------


@pytest.fixture
def published(w):
    publish_month(month=MARCH, today=PUBLISHED)
    w.leader = factories.member(w.dept, Role.LEADER, username="lanhdao")
    w.officer = factories.member(w.dept, Role.OFFICER, username="daumoi")
    w.city_leader = factories.member(w.city, Role.LEADER, username="lanhdaotp")
    w.other_leader = factories.member(w.other, Role.LEADER, username="lanhdaostc")
    w.ward_a_leader = factories.member(w.ward_a, Role.LEADER, username="lanhdaopa")
    w.ward_b_leader = factories.member(w.ward_b, Role.LEADER, username="lanhdaopb")
    w.statistic = PublishedStatistic.objects.get(agency=w.dept, month=MARCH)
    return w


def test_an_erratum_is_dated_and_kept_beside_the_snapshot(published):
    w = published
    with pytest.raises(ValidationError, match="Số liệu không thay đổi so với lần công bố"):
        erratum_publish(actor=w.leader, statistic=w.statistic, reason="Kiểm tra")
    # A late import: a March dossier of the unit was missing, and H6 was in fact resolved in
    # April, before the publication moment (the snapshot counted it pending and overdue).
    put(w.unit, w.civil, "HS-BIMAT-14", received_at=t(10), resolved_at=t(11), outcome="issued")
    put(
        w.dept,
        w.civil,
        "HS-BIMAT-06",
        received_at=t(3),
        resolved_at=t(5, month=4),
        outcome="issued",
    )
    before = w.statistic.figures
    erratum = erratum_publish(
        actor=w.leader, statistic=w.statistic, reason=" Nhập bổ sung hồ sơ của phòng Hộ tịch "
    )
    assert erratum.published_on == timezone.localdate()
    assert erratum.reason == "Nhập bổ sung hồ sơ của phòng Hộ tịch"
    assert erratum.created_by == w.leader
    total = erratum.figures["total"]
    # One more received and resolved early; H6 no longer pending overdue at publication.
    assert (total["received"], total["resolved"], total["early"]) == (9, 7, 4)
    assert before["total"]["pending_overdue"] == 1 and total["pending_overdue"] == 0
    assert total == naive([w.dept, w.unit], MARCH, MARCH_END, w.statistic.published_at)
    assert PublishedStatistic.objects.get(pk=w.statistic.pk).figures == before
    with pytest.raises(ValidationError):
        erratum.save()
    with pytest.raises(ValidationError):
        erratum.delete()
    # Nothing changed since the erratum: refused with the clear message.
    with pytest.raises(ValidationError, match="Số liệu không thay đổi so với lần công bố"):
        erratum_publish(actor=w.city_leader, statistic=w.statistic, reason="Lần nữa")
    assert StatisticErratum.objects.count() == 1


def test_who_may_publish_an_erratum(published):
    w = published
    put(w.unit, w.civil, "HS-BIMAT-14", received_at=t(10), resolved_at=t(11), outcome="issued")
    for actor in (w.officer, w.other_leader, w.ward_a_leader, None):
        with pytest.raises(PermissionDenied):
            erratum_publish(actor=actor, statistic=w.statistic, reason="Sửa")
    with pytest.raises(ValidationError, match="lý do"):
        erratum_publish(actor=w.leader, statistic=w.statistic, reason="   ")
    ward = PublishedStatistic.objects.get(agency=w.ward_a)
    put(w.ward_a, w.civil, "HS-BIMAT-15", received_at=t(10), resolved_at=t(11), outcome="issued")
    with pytest.raises(PermissionDenied):
        erratum_publish(actor=w.ward_b_leader, statistic=ward, reason="Sửa")
    assert erratum_publish(actor=w.ward_a_leader, statistic=ward, reason="Sửa").statistic == ward
    assert erratum_publish(actor=w.city_leader, statistic=w.statistic, reason="Sửa")
    assert StatisticErratum.objects.count() == 2


# --- Public pages and open data ----------------------------------------------------------------


def _corrected(w):
    put(w.unit, w.civil, "HS-BIMAT-14", received_at=t(10), resolved_at=t(11), outcome="issued")
    return erratum_publish(actor=w.leader, statistic=w.statistic, reason="Nhập bổ sung")


def test_the_public_page_lists_months_with_errata_beside(published, client):
    w = published
    erratum = _corrected(w)
    response = client.get("/thong-ke/STP/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tháng 03/2025" in text
    assert "Công bố ngày 08/04/2025" in text
    assert f"Đính chính ngày {erratum.published_on:%d/%m/%Y}" in text
    assert "66,67\u00a0%" in text and "71,43\u00a0%" in text  # 4/6, then 5/7
    assert "/thong-ke/STP.csv" in text
    assert "HS-BIMAT" not in text and "lanhdao" not in text
    assert "Nhập bổ sung" not in text  # the reason is the keepers'
    month = client.get("/thong-ke/STP/2025-03/")
    assert month.status_code == 200
    body = month.content.decode()
    assert "Đăng ký khai sinh" in body and "1.000002" in body
    assert f"Đính chính ngày {erratum.published_on:%d/%m/%Y}" in body
    assert "HS-BIMAT" not in body
    assert client.get("/thong-ke/stp/").status_code == 200  # the code in any case
    assert client.get("/thong-ke/STP/2025-02/").status_code == 404
    assert client.get("/thong-ke/KHONGCO/").status_code == 404
    assert client.get("/thong-ke/STP-HT/").status_code == 404  # a unit does not publish
    assert client.get("/thong-ke/PB/").status_code == 200  # a ward with nothing yet


def test_the_open_data_csv_has_every_version(published, client):
    w = published
    erratum = _corrected(w)
    response = client.get("/thong-ke/STP.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert header[:6] == ["Mã cơ quan", "Tháng", "Phiên bản", "Ngày công bố", "Mã TTHC", "Tên TTHC"]
    versions = [r[2] for r in data]
    corrected = f"đính chính {erratum.published_on:%d/%m/%Y}"
    # Two TTHC and the total, as published and as corrected.
    assert versions == ["công bố"] * 3 + [corrected] * 3
    totals = [r for r in data if r[4] == ""]
    assert [r[5] for r in totals] == ["Tổng cộng", "Tổng cộng"]
    assert [r[6] for r in totals] == ["8", "9"]  # received
    assert [r[11] for r in totals] == ["66.67", "71.43"]
    assert "HS-BIMAT" not in response.content.decode("utf-8-sig")


def test_the_agency_public_page_links_the_statistics(published, client):
    from documents.models import AgencyPage

    w = published
    answer = providers.ask_first(providers.PUBLISHED_STATISTICS, w.dept)
    assert answer["month"] == MARCH and answer["rate_label"] == "66,67\u00a0%"
    assert answer["url"] == "/thong-ke/STP/" and answer["corrected_on"] is None
    assert published_statistics(w.ward_b) is None
    page = AgencyPage.objects.get(agency=w.dept)
    text = client.get(page.url).content.decode()
    assert 'href="/thong-ke/STP/"' in text and "66,67\u00a0%" in text
    assert (
        "published-statistics"
        not in client.get(AgencyPage.objects.get(agency=w.ward_b).url).content.decode()
    )


# --- Admin -------------------------------------------------------------------------------------


def test_the_admin_list_is_scoped(published, client):
    w = published
    client.force_login(w.officer)
    text = client.get(reverse("published_statistics:index")).content.decode()
    assert "Sở Tư pháp thử" in text and "03/2025" in text
    assert "Sở Tài chính thử" not in text and "Phường A" not in text
    other = PublishedStatistic.objects.get(agency=w.other)
    assert client.get(reverse("published_statistics:inspect", args=[other.pk])).status_code == 404
    page = client.get(reverse("published_statistics:inspect", args=[w.statistic.pk]))
    assert page.status_code == 200
    # An officer reads, a leader publishes errata.
    assert "Công bố đính chính" not in page.content.decode()
    client.force_login(w.leader)
    page = client.get(reverse("published_statistics:inspect", args=[w.statistic.pk]))
    assert "Công bố đính chính" in page.content.decode()


def test_the_erratum_action(published, client):
    w = published
    url = reverse("published_statistics:transition", args=[w.statistic.pk, "erratum"])
    put(w.unit, w.civil, "HS-BIMAT-14", received_at=t(10), resolved_at=t(11), outcome="issued")
    client.force_login(w.officer)
    client.post(url, {"reason": "Sửa"})
    client.force_login(w.other_leader)
    assert client.post(url, {"reason": "Sửa"}).status_code == 404
    assert not StatisticErratum.objects.exists()
    client.force_login(w.leader)
    assert client.get(url).status_code == 200
    client.post(url, {"reason": ""})
    assert not StatisticErratum.objects.exists()
    response = client.post(url, {"reason": "Nhập bổ sung hồ sơ"})
    assert response.status_code == 302
    [erratum] = StatisticErratum.objects.all()
    assert erratum.reason == "Nhập bổ sung hồ sơ" and erratum.created_by == w.leader
    page = client.get(reverse("published_statistics:inspect", args=[w.statistic.pk]))
    text = page.content.decode()
    assert "Đính chính ngày" in text and "Nhập bổ sung hồ sơ" in text
    # The old figures beside the new: 66,67 % as published, 71,43 % corrected.
    assert "66,67\u00a0%" in text and "71,43\u00a0%" in text
    # Once more, nothing changed: the clear message, no second erratum.
    response = client.post(url, {"reason": "Lần nữa"}, follow=True)
    assert "Số liệu không thay đổi so với lần công bố" in response.content.decode()
    assert StatisticErratum.objects.count() == 1


def test_a_ward_leader_cannot_reach_another_wards_erratum(published, client):
    w = published
    ward = PublishedStatistic.objects.get(agency=w.ward_a)
    put(w.ward_a, w.civil, "HS-BIMAT-15", received_at=t(10), resolved_at=t(11), outcome="issued")
    client.force_login(w.ward_b_leader)
    url = reverse("published_statistics:transition", args=[ward.pk, "erratum"])
    assert client.post(url, {"reason": "Sửa"}).status_code == 404
    assert client.get(reverse("published_statistics:inspect", args=[ward.pk])).status_code == 404
    assert "Phường A" not in client.get(reverse("published_statistics:index")).content.decode()
    assert not StatisticErratum.objects.exists()


def test_the_list_costs_the_same_queries_for_few_and_many_rows(published, client):
    w = published
    client.force_login(w.city_leader)
    url = reverse("published_statistics:index")

    def count():
        client.get(url)  # warm caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(number, month):
        statistic = PublishedStatistic.objects.create(
            agency=w.ward_b,
            month=dt.date(2024, month, 1),
            published_on=dt.date(2024, month + 1, 5),
            figures=w.statistic.figures,
        )
        StatisticErratum.objects.create(
            statistic=statistic,
            published_on=dt.date(2024, month + 1, 9),
            figures=w.statistic.figures,
            reason=f"Sửa {number}",
            created_by=w.city_leader if number % 2 else w.ward_b_leader,
        )

    add(0, 1)
    few = count()
    for number, month in enumerate((2, 4, 5, 6, 7, 8), start=1):
        add(number, month)
    assert count() == few
