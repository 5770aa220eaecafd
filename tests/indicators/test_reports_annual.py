"""The annual QMS report (issue [9] item 7): each section's figures against naive queries over
dossiers, issues, audits, findings, actions and complaints written here; the reform (a former
ward merged into ward A counts in A's report, not in B's); the PDF rendered from decomposed (NFD)
input reads back composed (NFC) with a glyph of DejaVu for every character; the download's
scoping (a ward's officer never gets another ward's report)."""

import datetime as dt
import functools
import unicodedata
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    UNDONE_STATES,
    ActionState,
    Audit,
    Complaint,
    ComplaintState,
    CorrectiveAction,
    Finding,
    FindingKind,
)
from documents.models import ProcedureIssue
from indicators.models import Dossier
from indicators.models.dossiers import PENDING_STATES, RESOLVED_STATES
from indicators.reports.annual import annual_report, title_of
from indicators.reports.annual_data import annual_figures
from qms import pdf
from qms.models import Role
from tests.indicators.reports_setup import NOW, YEAR, build
from tests.qms.pdf_text import pdf_text

pytestmark = pytest.mark.django_db
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)


@pytest.fixture
def w(monkeypatch):
    return build(monkeypatch)


@pytest.fixture(autouse=True)
def _no_charts(monkeypatch):
    """The charts are the charts helper's (tested there); here a small PNG stands for each."""
    import indicators.charts as charts
    from tests.factories import png_bytes

    monkeypatch.setattr(charts, "render", lambda key, f, fmt, now=None: png_bytes())


def members(w, name):
    return {
        "city": [
            w[k] for k in ("city", "district", "old_ward", "ward_a", "unit_a", "ward_b", "dept")
        ],
        "ward_a": [w["ward_a"], w["unit_a"], w["old_ward"]],
        "ward_b": [w["ward_b"]],
    }[name]


def naive_dossiers(agencies, start, end):
    """Counts from the dossiers themselves (not the summaries)."""
    rows = list(Dossier.objects.filter(agency__in=agencies))
    in_year = lambda d: d is not None and start <= d <= end  # noqa: E731
    resolved = [d for d in rows if d.state in RESOLVED_STATES and in_year(d.resolved_on)]
    return {
        "received": sum(1 for d in rows if in_year(d.received_on)),
        "resolved": len(resolved),
        "in_time": sum(1 for d in resolved if d.timing in ("early", "on_time")),
        "late": sum(1 for d in resolved if d.timing == "late"),
        "pending_overdue": sum(
            1 for d in rows if d.state in PENDING_STATES and d.received_on <= end and d.due_at < NOW
        ),
    }


@pytest.mark.parametrize("name", ["city", "ward_a", "ward_b"])
def test_on_time_figures_by_year_month_and_tthc_equal_the_dossiers(w, name):
    agency = w[name]
    agencies = members(w, name)
    f = annual_figures(agency, YEAR, now=NOW)
    expected = naive_dossiers(agencies, START, END)
    total = f.total
    assert expected["resolved"] > 0
    assert {
        "received": total.received,
        "resolved": total.resolved,
        "in_time": total.early + total.on_time,
        "late": total.late,
        "pending_overdue": total.pending_overdue,
    } == expected
    assert [row.period[0].month for row in f.months] == list(range(1, 13))
    for row in f.months:
        first, last = row.period
        month = naive_dossiers(agencies, first, last)
        assert (row.received, row.resolved, row.early + row.on_time, row.late) == (
            month["received"],
            month["resolved"],
            month["in_time"],
            month["late"],
        ), row.label
    by_tthc = Counter()
    for d in Dossier.objects.filter(
        agency__in=agencies, state__in=RESOLVED_STATES, resolved_on__range=(START, END)
    ):
        by_tthc[d.procedure_id] += 1
    assert {row.key: row.resolved for row in f.procedures if row.resolved} == dict(by_tthc)
    # Σ/Σ, never a mean of the months' rates.
    if total.resolved:
        assert float(total.on_time_rate) == pytest.approx(
            expected["in_time"] / expected["resolved"], abs=1e-9
        )


def test_a_merged_ward_counts_in_its_successor_only(w):
    a = annual_figures(w["ward_a"], YEAR, now=NOW).total
    b = annual_figures(w["ward_b"], YEAR, now=NOW).total
    city = annual_figures(w["city"], YEAR, now=NOW).total
    old = naive_dossiers([w["old_ward"]], START, END)
    assert old["resolved"] > 0
    own_a = naive_dossiers([w["ward_a"], w["unit_a"]], START, END)
    assert a.resolved == own_a["resolved"] + old["resolved"]
    assert b.resolved == naive_dossiers([w["ward_b"]], START, END)["resolved"]
    # The city counts every dossier once.
    assert city.resolved == naive_dossiers(members(w, "city"), START, END)["resolved"]


def test_documents_audits_findings_actions_complaints_equal_naive_counts(w):
    agencies = members(w, "ward_a")
    f = annual_figures(w["ward_a"], YEAR, now=NOW)
    issues = ProcedureIssue.objects.filter(
        procedure__agency__in=agencies, effective_date__year=YEAR
    )
    assert f.issued == issues.filter(number=1).count() == 1
    assert f.revised == issues.filter(number__gt=1).count() == 1

    audits = [
        a
        for a in Audit.objects.filter(agency__in=agencies)
        if a.planned_start.year == YEAR or (a.actual_start and a.actual_start.year == YEAR)
    ]
    assert sorted(a.code for a in f.audits) == sorted(a.code for a in audits)
    assert {a.code for a in f.audits} == {"DG-A-2025", "DG-C-2025", "DG-A-HUY"}
    by_code = {a.code: a for a in f.audits}
    assert (by_code["DG-A-2025"].n_major, by_code["DG-A-2025"].n_minor) == (1, 1)
    assert by_code["DG-A-2025"].n_other == 1
    assert [i.pk for i in f.inspections] == [w["inspection"].pk]
    assert f.inspections[0].n_minor == 1

    findings = Finding.objects.filter(agency__in=agencies, raised_on__year=YEAR)
    assert f.findings_by_kind == dict(Counter(findings.values_list("kind", flat=True)))
    assert {x.code for x in f.nonconformities} == set(
        findings.filter(kind__in=[FindingKind.MAJOR_NC, FindingKind.MINOR_NC]).values_list(
            "code", flat=True
        )
    )

    actions = list(CorrectiveAction.objects.filter(finding__agency__in=agencies))
    local = lambda moment: moment and timezone.localtime(moment).date()  # noqa: E731
    today = timezone.localtime(NOW).date()
    assert f.actions.opened == sum(1 for a in actions if local(a.created_at).year == YEAR) == 3
    assert f.actions.closed == sum(
        1 for a in actions if a.closed_at and local(a.closed_at).year == YEAR
    )
    assert f.actions.closed == 2
    assert f.actions.not_closed == sum(1 for a in actions if a.state != ActionState.CLOSED)
    assert f.actions.overdue == sum(
        1 for a in actions if a.state in UNDONE_STATES and a.due_date < today
    )
    assert f.actions.overdue == 1

    complaints = list(Complaint.objects.filter(agency__in=agencies))
    answered = [
        c for c in complaints if c.state == ComplaintState.ANSWERED and c.answered_on.year == YEAR
    ]
    assert f.complaints.received == sum(1 for c in complaints if c.received_on.year == YEAR)
    assert f.complaints.answered == len(answered) == 4
    assert f.complaints.answered_on_time == sum(1 for c in answered if c.answered_on <= c.due_on)
    assert f.complaints.answered_on_time == 3
    pending = [c for c in complaints if c.state == ComplaintState.RECEIVED and c.received_on <= END]
    assert f.complaints.pending == len(pending) == 2
    assert f.complaints.pending_overdue == sum(1 for c in pending if c.due_on < today) == 1

    assert [o.name for o, _e in f.objectives] == ["Tỷ lệ hồ sơ giải quyết đúng hạn"]
    assert len(f.objectives[0][1]) == 3
    assert f.on_time_target == 95
    assert [r.title for r in f.reviews] == ["Xem xét của lãnh đạo năm 2025"]


def test_another_wards_report_holds_none_of_ward_a(w):
    f = annual_figures(w["ward_b"], YEAR, now=NOW)
    assert f.issues == [] and f.inspections == [] and f.reviews == []
    assert {a.code for a in f.audits} == {"DG-B-2025"}
    assert f.complaints.received == 1 and f.complaints.pending_overdue == 1
    assert (f.actions.not_closed, f.actions.overdue) == (1, 1)
    text = annual_report(w["ward_b"], YEAR, now=NOW).text()
    assert "Hoàn Kiếm" not in text and "Phường Cũ" not in text and "PH-T-001" not in text


@functools.cache
def _dejavu_characters() -> frozenset[str]:
    """Every character the three DejaVu faces have a glyph for (read once: loading the fonts
    takes a while)."""
    from fontTools.ttLib import TTFont

    characters = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        font = TTFont(str(pdf.font_dir() / name))
        characters.update(chr(code) for code in font.getBestCmap())
    return frozenset(characters)


def test_the_pdf_from_decomposed_input_reads_back_composed_with_every_glyph(w):
    name = "Phường Hoàn Kiếm Thử"
    finding = "Chưa cập nhật sổ theo dõi hồ sơ trễ hạn; thiếu phiếu xin lỗi người dân."
    decision = "Duy trì hệ thống; bổ sung nhân lực cho bộ phận một cửa."
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    assert nfd(name) != name
    type(w["ward_a"]).objects.filter(pk=w["ward_a"].pk).update(name=nfd(name))
    Finding.objects.filter(pk=w["nc1"].pk).update(description=nfd(finding))
    type(w["review"]).objects.filter(pk=w["review"].pk).update(decisions=nfd(decision))
    ward = type(w["ward_a"]).objects.get(pk=w["ward_a"].pk)
    assert ward.name == nfd(name)

    doc = annual_report(ward, YEAR, now=NOW)
    data = doc.render()
    text = pdf_text(data)
    assert "\ufffd" not in text and "?" not in text
    # pypdf, an independent reader, extracts the same composed words (it may break lines
    # differently: compare with the spaces and line breaks collapsed).
    import io

    from pypdf import PdfReader

    extracted = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert unicodedata.is_normalized("NFC", extracted) and "\ufffd" not in extracted
    flat = " ".join(extracted.split())
    for expected in (name.upper(), finding, decision, "Quyết định số 101/2018/QĐ-TTg"):
        assert " ".join(expected.split()) in flat, expected
    for expected in (
        title_of(YEAR),
        name.upper(),
        finding,
        decision,
        "Quyết định số 101/2018/QĐ-TTg",
        "Ban hành mới: 1 quy trình; sửa đổi, bổ sung: 1 lần",
        "1. TÀI LIỆU, QUY TRÌNH BAN HÀNH VÀ SỬA ĐỔI TRONG NĂM",
        "6. XEM XÉT CỦA LÃNH ĐẠO",
        "7. KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
    ):
        assert unicodedata.is_normalized("NFC", expected)
        assert expected in text, expected
    assert nfd(name) not in text and nfd(finding) not in text
    # The document's words are NFC too, and every character printed has a DejaVu glyph.
    assert unicodedata.is_normalized("NFC", doc.text())
    glyphs = _dejavu_characters()
    missing = {c for c in text if c not in glyphs and not c.isspace()}
    assert missing == set()
    assert data.startswith(b"%PDF-") and b"DejaVuSans" in data


def test_the_figures_in_words_and_numbers_with_the_decimal_comma(w):
    f = annual_figures(w["ward_a"], YEAR, now=NOW)
    text = pdf_text(annual_report(w["ward_a"], YEAR, now=NOW).render())
    from qms.formats.numbers import format_percent

    text = text.replace("\u00a0", " ")
    rate = format_percent(f.total.on_time_rate, 1, ratio=True).replace("\u00a0", " ")
    assert f"tỷ lệ đúng hạn {rate}" in text
    assert "," in format_percent(f.total.on_time_rate, 1, ratio=True) or (
        f.total.on_time_rate * 1000 % 10 == 0
    )
    assert "chỉ tiêu: ≥ 95,0 %" in text
    assert "Kỳ báo cáo: 01/01/2025 – 31/12/2025" in text
    assert "Phường Cũ" in text  # the merged ward is named in the scope
    assert "True" not in text and "False" not in text and "None" not in text


# --- The download -----------------------------------------------------------------------------


def _get(client, user, **query):
    client.force_login(user)
    return client.get(reverse("indicators_annual_report"), query)


def test_a_wards_officer_downloads_their_report_and_not_another_wards(w, client):
    officer = w["people"]["PBDT", Role.OFFICER]
    own = _get(client, officer, agency=w["ward_b"].pk, year=YEAR)
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert own["Content-Disposition"] == 'attachment; filename="bao-cao-htqlcl-pbdt-2025.pdf"'
    assert "Phường Ba Đình Thử".upper() in pdf_text(own.content)
    other = _get(client, officer, agency=w["ward_a"].pk, year=YEAR)
    assert other.status_code == 404
    assert _get(client, officer, agency="x").status_code == 404
    assert _get(client, officer, agency=w["ward_b"].pk, year=1999).status_code == 404
    # Without an agency: the person's own.
    default = _get(client, officer, year=YEAR)
    assert default.status_code == 200 and "PHƯỜNG BA ĐÌNH THỬ" in pdf_text(default.content)


def test_the_city_leader_reads_a_wards_report_and_staff_none(w, client):
    leader = w["people"]["TPT", Role.LEADER]
    assert _get(client, leader, agency=w["ward_a"].pk, year=YEAR).status_code == 200
    staff = w["people"]["PHKT", Role.STAFF]
    # Refused (Wagtail's admin answers a refusal by sending back to the dashboard).
    assert _get(client, staff, agency=w["ward_a"].pk, year=YEAR).status_code in (302, 403)
    client.logout()
    anonymous = client.get(reverse("indicators_annual_report"))
    assert anonymous.status_code == 302


def test_the_form_offers_the_persons_agencies_only(w, client):
    client.force_login(w["people"]["PBDT", Role.LEADER])
    page = client.get(reverse("indicators_reports"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Phường Ba Đình Thử" in body and "Phường Hoàn Kiếm Thử" not in body
    assert reverse("indicators_annual_report") in body
    client.force_login(w["people"]["PHKT", Role.STAFF])
    assert client.get(reverse("indicators_reports")).status_code in (302, 403)


def test_the_index_and_the_charts_are_in_the_report(w, monkeypatch):
    import indicators.charts as charts
    from indicators.reports import annual

    drawn = []

    def render(key, chart_filter, fmt, now=None):
        drawn.append((key, chart_filter.agency, chart_filter.start, chart_filter.end, fmt, now))
        return real_render(key, chart_filter, fmt, now=now)

    real_render = _real_render()
    monkeypatch.setattr(charts, "render", render)
    doc = annual.annual_report(w["ward_a"], YEAR, now=NOW)
    keys = [key for key in annual.CHART_KEYS if key in charts.CHARTS]
    assert [d[0] for d in drawn] == keys and len(keys) >= 8
    assert {d[1:] for d in drawn} == {(w["ward_a"], START, END, "png", NOW)}
    data = doc.render()
    assert data.count(b"/Subtype /Image") >= len(keys)  # (and a transparency mask or two)
    text = pdf_text(data)
    for key in keys:
        assert str(charts.CHARTS[key].title) in text
    assert "8. CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP" in text
    from indicators.selectors_index import service_index
    from qms.formats.numbers import format_number

    index = service_index(w["ward_a"], START, END, today=NOW.date())
    total = "—" if index.total is None else format_number(index.total, 2)
    assert f"Tổng điểm {format_number(index.max_total, 2)} {total}" in text
    for group in index.groups:
        assert f"{group.number}. {group.name}" in text


def _real_render():
    """The charts helper's own drawing (the module fixture stands a small PNG in for it)."""
    import indicators.charts as charts

    def draw(key, chart_filter, fmt, now=None):
        return charts.render_table(charts.table_of(key, chart_filter, now), (fmt,))[fmt]

    return draw
