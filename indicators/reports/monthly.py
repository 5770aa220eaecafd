"""The monthly report e-mailed to an agency's leaders (issue [9] item 7): last month's figures of
the agency and its units (across the 2025 reform) in a few lines, with a link to the dashboard on
that agency and month. Sent by ``indicators.services.reports``.

The figures are the total row of the dashboard's scorecard for the month
(``indicators.selectors_scorecard.scorecard``: their definitions are written there) and the
month's received dossiers (``indicators.selectors.metrics``):
- last month: received; resolved, on time (early + on time) and the on-time rate Σ/Σ, against
  the agency's on-time objective; from the year's start: the on-time rate;
- now: dossiers pending past their due time, procedures overdue for review, open major and
  minor nonconformities, corrective actions overdue, complaints not yet answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.display import EMPTY, format_day
from qms.formats.numbers import format_number, format_percent
from qms.models import Agency

from ..dashboard_filter import DashboardFilter
from ..models.dashboard import ScorecardMeasure as M
from ..selectors import metrics, period_end


@dataclass
class MonthlyFigures:
    agency: Agency
    month: dt.date  # the first day of the month reported
    end: dt.date  # its last day
    received: int
    resolved: int
    on_time: int  # early + on time
    late: int
    rate: Decimal | None  # percent, Σ on time / Σ resolved
    year_rate: Decimal | None  # percent, from the 1st of January
    target: Decimal | None  # the agency's on-time objective (percent), if any
    pending_overdue: int
    reviews_overdue: int
    major_nc: int
    minor_nc: int
    actions_overdue: int
    complaints_open: int
    as_of: dt.date  # the day of the "now" figures
    filter: DashboardFilter

    @property
    def target_met(self) -> bool | None:
        if self.rate is None or self.target is None:
            return None
        return self.rate >= self.target


def month_filter(agency: Agency, month: dt.date) -> DashboardFilter:
    first = month.replace(day=1)
    return DashboardFilter(
        agency=agency, start=first, end=period_end("month", first), period=f"m-{first:%Y-%m}"
    )


def monthly_figures(
    agency: Agency, month: dt.date, *, now: dt.datetime | None = None
) -> MonthlyFigures:
    from ..selectors_scorecard import scorecard

    now = now or timezone.now()
    today = timezone.localdate(now)
    chosen = month_filter(agency, month)
    cells = scorecard(chosen, now=now, today=today).total.cells
    [row] = metrics(agency, chosen.start, chosen.end, now=now)
    on_time = cells[M.ON_TIME_MONTH]
    objective = on_time.objective
    return MonthlyFigures(
        agency=agency,
        month=chosen.start,
        end=chosen.end,
        received=row.received,
        resolved=on_time.denominator or 0,
        on_time=on_time.numerator or 0,
        late=row.late,
        rate=on_time.value,
        year_rate=cells[M.ON_TIME_YEAR].value,
        target=objective.target if objective is not None else None,
        pending_overdue=cells[M.PENDING_OVERDUE].value or 0,
        reviews_overdue=cells[M.REVIEWS_OVERDUE].value or 0,
        major_nc=cells[M.MAJOR_NC].value or 0,
        minor_nc=cells[M.MINOR_NC].value or 0,
        actions_overdue=cells[M.ACTIONS_OVERDUE].value or 0,
        complaints_open=cells[M.COMPLAINTS_OPEN].value or 0,
        as_of=today,
        filter=chosen,
    )


def dashboard_url(chosen: DashboardFilter) -> str:
    """The dashboard on the filter's agency and month (a link the leader can share)."""
    return f"{reverse('indicators_dashboard')}?{chosen.query()}"


def _n(value) -> str:
    return format_number(value or 0)


def _pct(value) -> str:
    return EMPTY if value is None else format_percent(value, 1)


def monthly_message(figures: MonthlyFigures) -> tuple[str, str, str]:
    """(title, body, url) of the notification."""
    month = f"{figures.month:%m/%Y}"
    agency = figures.agency
    if figures.target is None:
        against = _("chưa đặt mục tiêu chất lượng về tỷ lệ đúng hạn")
    else:
        target = _pct(figures.target)
        met = figures.target_met
        if met is None:
            against = _("mục tiêu ≥ %(target)s; chưa có hồ sơ giải quyết") % {"target": target}
        elif met:
            against = _("đạt mục tiêu ≥ %(target)s") % {"target": target}
        else:
            against = _("không đạt mục tiêu ≥ %(target)s") % {"target": target}
    title = _("Báo cáo tháng %(month)s: %(agency)s") % {"month": month, "agency": agency.name}
    lines = [
        _("Kết quả giải quyết hồ sơ tháng %(month)s của %(agency)s (gồm các đơn vị trực thuộc):")
        % {"month": month, "agency": agency.display_name},
        _("- Tiếp nhận: %(n)s hồ sơ") % {"n": _n(figures.received)},
        _("- Đã giải quyết: %(n)s, trong đó trước hạn và đúng hạn: %(ok)s, quá hạn: %(late)s")
        % {"n": _n(figures.resolved), "ok": _n(figures.on_time), "late": _n(figures.late)},
        _("- Tỷ lệ đúng hạn: %(rate)s (%(against)s)")
        % {"rate": _pct(figures.rate), "against": against},
        _("- Tỷ lệ đúng hạn từ đầu năm: %(rate)s") % {"rate": _pct(figures.year_rate)},
        "",
        _("Tình hình đến ngày %(today)s:") % {"today": format_day(figures.as_of)},
        _("- Hồ sơ chưa giải quyết đã quá hạn: %(n)s") % {"n": _n(figures.pending_overdue)},
        _("- Quy trình quá hạn rà soát: %(n)s") % {"n": _n(figures.reviews_overdue)},
        _("- Điểm không phù hợp đang mở: %(major)s nặng, %(minor)s nhẹ")
        % {"major": _n(figures.major_nc), "minor": _n(figures.minor_nc)},
        _("- Hành động khắc phục quá hạn: %(n)s") % {"n": _n(figures.actions_overdue)},
        _("- Khiếu nại, phản ánh chưa trả lời: %(n)s") % {"n": _n(figures.complaints_open)},
        "",
        _("Xem chi tiết trên bảng điều hành chất lượng."),
    ]
    return title, "\n".join(lines), dashboard_url(figures.filter)
