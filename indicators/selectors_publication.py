"""Reads of the published statistics (transparency, issue [9] item 8): the figures of a month as
they are published, which agencies publish, and what the public pages and the open-data CSV show.

**What is published.** Per agency that reports (a province or city, a department, a commune or
ward: the units inside a body roll into it) and per month, in total and per TTHC (code, name):
received, resolved, early, on time, late, the on-time rate Σ(early + on time) / Σ resolved,
withdrawn, and the dossiers pending and overdue at the moment of publication. Counts only: no
dossier code, no person. The counts come from the summary tables of the agency's subtree and of
the former bodies rolled into it across the 2025 reform (``indicators.selectors_bodies``: a
merged or renamed body's history counts in its successor); pending overdue from the dossiers.

**Versions.** A month's snapshot (``PublishedStatistic``) never changes; a correction is a dated
erratum (``StatisticErratum``) beside it. The public reads every version; the figures in force
are the last erratum's, or the snapshot's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from qms.display import format_day
from qms.formats.numbers import format_number, format_percent
from qms.models import AdministrativeProcedure, Agency, AgencyKind
from qms.models.agencies import AgencySuccession

from .models import DailySummary, Dossier, PublishedStatistic, StatisticErratum
from .models.dossiers import PENDING_STATES, RESOLVED_STATES, DossierState
from .selectors import period_end
from .selectors_bodies import ROLLED, reporting_bodies

# The bodies that publish: the units inside a body (offices, one-stop parts) roll into it, and
# districts exist only as history (abolished on 1 Jul 2025).
REPORTING_KINDS = (AgencyKind.PROVINCE, AgencyKind.DEPARTMENT, AgencyKind.COMMUNE)
# The counts of a row of figures, in the order the pages and the CSV show them.
SUMMED = ("received", "resolved", "early", "on_time", "late", "withdrawn")
COUNTS = (*SUMMED, "pending_overdue")
CENT = Decimal("0.01")


def month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    first = first.replace(day=1)
    return first, period_end("month", first)


def month_label(first: dt.date) -> str:
    return f"{first:%m/%Y}"


def on_time_rate(counts: dict) -> str | None:
    """Σ(early + on time) / Σ resolved as a percentage with two decimals, in text (JSON keeps
    it exact), or None when nothing was resolved."""
    resolved = counts.get("resolved") or 0
    if not resolved:
        return None
    rate = Decimal((counts.get("early") or 0) + (counts.get("on_time") or 0)) * 100 / resolved
    return str(rate.quantize(CENT, ROUND_HALF_UP))


def _row(counts: dict, **extra) -> dict:
    row = {**extra, **{name: int(counts.get(name) or 0) for name in COUNTS}}
    row["on_time_rate"] = on_time_rate(row)
    return row


def _pending_overdue_q(at: dt.datetime) -> Q:
    """Dossiers pending at the moment ``at`` (no result nor withdrawal by then) and past their
    due time then. A dossier resolved later still counts as it stood at ``at``, so the figures of
    a moment can be computed again later (an erratum compares like with like)."""
    after = Q(resolved_at__gt=at, state__in=(*RESOLVED_STATES, DossierState.WITHDRAWN))
    return (Q(state__in=PENDING_STATES) | after) & Q(due_at__lt=at)


def month_figures(agency: Agency, month: dt.date, *, at: dt.datetime) -> dict:
    """The figures of ``agency`` for the calendar month of ``month``, pending overdue as of
    ``at``: ``{"total": row, "procedures": [row with "code" and "name", by code]}``; a row holds
    ``COUNTS`` and ``on_time_rate`` (text, two decimals, or None). Three queries and the
    reporting bodies', whatever the number of dossiers."""
    first, last = month_bounds(month)
    scope = reporting_bodies(agency, first, last).scope_q()
    per_procedure: dict[int, dict] = {}
    summed = (
        DailySummary.objects.filter(scope, day__range=(first, last))
        .order_by()
        .values("procedure_id")
        .annotate(**{name: Sum(name) for name in SUMMED})
    )
    for values in summed:
        per_procedure[values["procedure_id"]] = {n: values[n] or 0 for n in SUMMED}
    overdue = (
        Dossier.objects.filter(scope, received_on__lte=last)
        .filter(_pending_overdue_q(at))
        .order_by()
        .values("procedure_id")
        .annotate(n=Count("pk"))
    )
    for values in overdue:
        per_procedure.setdefault(values["procedure_id"], {})["pending_overdue"] = values["n"]
    names = {
        pk: (code, name)
        for pk, code, name in AdministrativeProcedure.objects.filter(
            pk__in=list(per_procedure)
        ).values_list("pk", "code", "name")
    }
    procedures = []
    total = dict.fromkeys(COUNTS, 0)
    for pk, counts in per_procedure.items():
        row = _row(counts)
        if not any(row[name] for name in COUNTS):
            continue
        code, name = names.get(pk, (str(pk), ""))
        procedures.append({"code": code, "name": name, **row})
        for key in COUNTS:
            total[key] += row[key]
    procedures.sort(key=lambda r: r["code"])
    return {"total": _row(total), "procedures": procedures}


def has_figures(figures: dict) -> bool:
    return any(figures["total"][name] for name in COUNTS)


# --- Which agencies publish ----------------------------------------------------------------------


def _reporting(first: dt.date, last: dt.date):
    return (
        Agency.objects.filter(kind__in=REPORTING_KINDS)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
    )


def candidate_agencies(month: dt.date, *, at: dt.datetime) -> list[Agency]:
    """The reporting bodies of the month (valid during it) that may have figures: those with a
    dossier's activity in their subtree, or in a former body rolled into it, and no snapshot of
    the month yet. A handful of queries, so a daily catch-up costs little once all is published."""
    first, last = month_bounds(month)
    active = set(
        DailySummary.objects.filter(day__range=(first, last))
        .order_by()
        .values_list("agency_id", flat=True)
        .distinct()
    )
    # Pending overdue now (``at`` is the present here): the (state, due_at) index answers.
    active |= set(
        Dossier.objects.filter(state__in=PENDING_STATES, due_at__lt=at, received_on__lte=last)
        .order_by()
        .values_list("agency_id", flat=True)
        .distinct()
    )
    if not active:
        return []
    paths = dict(Agency.objects.values_list("pk", "path"))
    successors: dict[int, int] = {}
    for predecessor, successor in (
        AgencySuccession.objects.filter(kind__in=ROLLED)
        .order_by("effective_date", "pk")
        .values_list("predecessor_id", "successor_id")
    ):
        successors.setdefault(predecessor, successor)

    def ancestors(pk: int) -> list[int]:
        return [int(part) for part in paths.get(pk, "").strip("/").split("/") if part]

    touched: set[int] = set()
    for pk in active:
        chain = ancestors(pk)
        touched.update(chain)
        for node in chain:  # the history of a rolled body counts in its successors' subtrees
            seen = {node}
            while node in successors and successors[node] not in seen:
                node = successors[node]
                seen.add(node)
                touched.update(ancestors(node))
    done = PublishedStatistic.objects.filter(month=first).values("agency_id")
    return list(
        _reporting(first, last).filter(pk__in=touched).exclude(pk__in=done).order_by("path")
    )


# --- Versions and the public pages -------------------------------------------------------------


@dataclass
class Version:
    """One published version of a month's figures: the snapshot or an erratum."""

    figures: dict
    published_on: dt.date
    erratum: StatisticErratum | None = None

    @property
    def label(self) -> str:
        if self.erratum is None:
            return _("Công bố ngày %(day)s") % {"day": format_day(self.published_on)}
        return _("Đính chính ngày %(day)s") % {"day": format_day(self.published_on)}

    @property
    def kind_label(self) -> str:
        """The CSV's "phiên bản": "công bố" or "đính chính dd/mm/yyyy"."""
        if self.erratum is None:
            return _("công bố")
        return _("đính chính %(day)s") % {"day": format_day(self.published_on)}


@dataclass
class PublishedMonth:
    statistic: PublishedStatistic
    versions: list[Version] = field(default_factory=list)

    @property
    def month(self) -> dt.date:
        return self.statistic.month

    @property
    def label(self) -> str:
        return _("Tháng %(month)s") % {"month": month_label(self.statistic.month)}

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def corrected(self) -> bool:
        return len(self.versions) > 1


def versions_of(statistic: PublishedStatistic, errata=None) -> list[Version]:
    """The snapshot, then its errata in the order they were published."""
    if errata is None:
        errata = statistic.errata.order_by("created_at", "pk")
    return [Version(statistic.figures, statistic.published_on)] + [
        Version(e.figures, e.published_on, e) for e in errata
    ]


def current_figures(statistic: PublishedStatistic) -> dict:
    """The figures in force: the last erratum's, or the snapshot's."""
    last = statistic.errata.order_by("-created_at", "-pk").first()
    return last.figures if last is not None else statistic.figures


def published_months(agency: Agency, *, month: dt.date | None = None) -> list[PublishedMonth]:
    """The agency's published months, newest first (or the one of ``month``), each with its
    versions; two queries."""
    statistics = PublishedStatistic.objects.filter(agency=agency)
    if month is not None:
        statistics = statistics.filter(month=month.replace(day=1))
    statistics = statistics.order_by("-month").prefetch_related(
        Prefetch("errata", queryset=StatisticErratum.objects.order_by("created_at", "pk"))
    )
    return [PublishedMonth(s, versions_of(s, list(s.errata.all()))) for s in statistics]


def public_agency(code: str) -> Agency | None:
    """The agency of a public statistics page: a body that reports, or any that has published."""
    agency = Agency.objects.filter(code=code.upper()).select_related("parent").first()
    if agency is None:
        return None
    if agency.kind in REPORTING_KINDS or agency.published_statistics.exists():
        return agency
    return None


# --- Display -------------------------------------------------------------------------------------

HEADINGS = (
    ("received", "Tiếp nhận"),
    ("resolved", "Đã giải quyết"),
    ("early", "Trước hạn"),
    ("on_time", "Đúng hạn"),
    ("late", "Quá hạn"),
    ("on_time_rate", "Tỷ lệ trước và đúng hạn"),
    ("withdrawn", "Rút hồ sơ"),
    ("pending_overdue", "Đang giải quyết quá hạn (lúc công bố)"),
)


def headings() -> list[str]:
    return [_(label) for _key, label in HEADINGS]


def display_cells(row: dict) -> list[str]:
    """A row of figures as people read it: counts grouped, the rate with the decimal comma."""
    cells = []
    for key, _label in HEADINGS:
        value = row.get(key)
        if key == "on_time_rate":
            cells.append(format_percent(Decimal(value), 2) if value is not None else "—")
        else:
            cells.append(format_number(value or 0))
    return cells


def display_rows(figures: dict) -> list[tuple[str, str, list[str]]]:
    """(code, name, cells) per TTHC, then ("", "Tổng cộng", cells)."""
    rows = [(r["code"], r["name"], display_cells(r)) for r in figures.get("procedures", [])]
    rows.append(("", _("Tổng cộng"), display_cells(figures["total"])))
    return rows


def changed_cells(old: dict, new: dict) -> set[tuple[str, str]]:
    """(TTHC code or "" for the total, key) of the figures an erratum changed."""
    changed = set()
    old_rows = {r["code"]: r for r in old.get("procedures", [])}
    old_rows[""] = old["total"]
    new_rows = {r["code"]: r for r in new.get("procedures", [])}
    new_rows[""] = new["total"]
    for code in set(old_rows) | set(new_rows):
        for key, _label in HEADINGS:
            if (old_rows.get(code) or {}).get(key) != (new_rows.get(code) or {}).get(key):
                changed.add((code, key))
    return changed


# --- Open data -----------------------------------------------------------------------------------


def open_data_table(agency: Agency):
    """The open-data table: one row per published month × version × (each TTHC, then the total),
    months oldest first; every version kept, with its "phiên bản"."""
    from qms.exports import Table

    rows = []
    for published in reversed(published_months(agency)):
        for version in published.versions:
            lines = [(r["code"], r["name"], r) for r in version.figures.get("procedures", [])] + [
                ("", _("Tổng cộng"), version.figures["total"])
            ]
            for code, name, row in lines:
                rate = row.get("on_time_rate")
                rows.append(
                    [
                        agency.code,
                        f"{published.month:%Y-%m}",
                        version.kind_label,
                        format_day(version.published_on),
                        code,
                        name,
                        *(row.get(k) or 0 for k in SUMMED[:5]),
                        rate,  # as stored: "97.50" (two decimals, a dot: open data)
                        row.get("withdrawn") or 0,
                        row.get("pending_overdue") or 0,
                    ]
                )
    return Table(
        title=_("Số liệu công bố"),
        headings=[
            _("Mã cơ quan"),
            _("Tháng"),
            _("Phiên bản"),
            _("Ngày công bố"),
            _("Mã TTHC"),
            _("Tên TTHC"),
            _("Tiếp nhận"),
            _("Đã giải quyết"),
            _("Trước hạn"),
            _("Đúng hạn"),
            _("Quá hạn"),
            _("Tỷ lệ trước và đúng hạn (%)"),
            _("Rút hồ sơ"),
            _("Đang giải quyết quá hạn (lúc công bố)"),
        ],
        rows=rows,
        kinds=["text"] * 6 + ["count"] * 5 + ["points", "count", "count"],
    )


# --- The core's question -------------------------------------------------------------------------


def published_statistics(agency: Agency) -> dict | None:
    """``qms.providers.PUBLISHED_STATISTICS``: the agency's latest published month for its public
    page, or None when nothing is published: ``{"month", "month_label", "on_time_rate" (Decimal
    percentage or None), "rate_label", "published_on", "corrected_on" (the last erratum's date or
    None), "url"}``."""
    statistic = (
        PublishedStatistic.objects.filter(agency=agency)
        .order_by("-month")
        .prefetch_related(
            Prefetch("errata", queryset=StatisticErratum.objects.order_by("created_at", "pk"))
        )
        .first()
    )
    if statistic is None:
        return None
    versions = versions_of(statistic, list(statistic.errata.all()))
    current = versions[-1]
    rate = current.figures["total"].get("on_time_rate")
    rate = Decimal(rate) if rate is not None else None
    return {
        "month": statistic.month,
        "month_label": month_label(statistic.month),
        "on_time_rate": rate,
        "rate_label": format_percent(rate, 2) if rate is not None else "—",
        "published_on": statistic.published_on,
        "corrected_on": current.published_on if current.erratum is not None else None,
        "url": reverse("public_statistics", args=[agency.code]),
    }
