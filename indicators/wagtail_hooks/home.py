"""Admin home panels of indicators (issue [9] item 6): the officer's to-do list, and the
leader's scorecard summary with the service index. (The auditor's audits and verifications are
audits' panel "Việc đánh giá, khắc phục của tôi".)"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from indicators.selectors_home import leader_agencies, officer_todo
from qms.display import format_day


def _url(name: str, **query) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


class OfficerToDoPanel(Component):
    name = "indicators_officer_todo"
    order = 20  # first: the officer's work of the day
    template_name = "indicators/home/officer_todo.html"

    def __init__(self, request):
        self.request = request
        self.todo = officer_todo(request.user)

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if self.todo is not None else ""

    def get_context_data(self, parent_context=None):
        blocks = []
        for item in self.todo.agencies:
            agency = item.agency.pk
            lines = []
            if item.reviews_overdue:
                lines.append(
                    {
                        "text": _("%(n)d quy trình quá hạn rà soát") % {"n": item.reviews_overdue},
                        "url": _url("procedure_reviews:index", agency=agency, state="overdue"),
                        "urgent": True,
                    }
                )
            if item.reviews_due:
                lines.append(
                    {
                        "text": _("%(n)d quy trình đến hạn rà soát trong 30 ngày")
                        % {"n": item.reviews_due},
                        "url": _url("procedure_reviews:index", agency=agency, state="due"),
                    }
                )
            if item.actions_open:
                text = _("%(n)d hành động khắc phục chưa thực hiện xong") % {"n": item.actions_open}
                if item.actions_overdue:
                    text += _(" (%(n)d quá hạn)") % {"n": item.actions_overdue}
                lines.append(
                    {
                        "text": text,
                        "url": _url(
                            "corrective_actions:index",
                            agency=agency,
                            **({"overdue": "yes"} if item.actions_overdue else {}),
                        ),
                        "urgent": bool(item.actions_overdue),
                    }
                )
            if item.imports_with_errors:
                lines.append(
                    {
                        "text": _("%(n)d lần nhập dữ liệu hồ sơ có dòng bị từ chối hoặc bị lỗi")
                        % {"n": item.imports_with_errors},
                        "url": _url("dossier_imports:index", agency=agency),
                        "urgent": True,
                    }
                )
            drafts = [
                {
                    "text": f"{page.code} – {page.title}",
                    "url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    "when": format_day(page.latest_revision_created_at)
                    if page.latest_revision_created_at
                    else "",
                }
                for page in item.drafts
            ]
            blocks.append(
                {
                    "agency": item.agency.display_name,
                    "lines": lines,
                    "drafts": drafts,
                    "empty": item.is_empty,
                }
            )
        return {
            "title": _("Việc cần làm của cán bộ đầu mối ISO"),
            "blocks": blocks,
            "unread": self.todo.unread,
            "inbox_url": reverse("qms_inbox"),
        }


class LeaderScorecardPanel(Component):
    """For each agency the person leads: this month's scorecard total (each cell with its word),
    the worst bodies below it, and the service index from the year's start, with links to the
    dashboard, the charts and the index pages."""

    name = "indicators_leader_scorecard"
    order = 15  # first on a leader's home
    template_name = "indicators/home/leader_scorecard.html"
    WORST = 3

    def __init__(self, request):
        self.request = request
        self.agencies = leader_agencies(request.user)

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if self.agencies else ""

    def get_context_data(self, parent_context=None):
        from django.utils import timezone

        from indicators.dashboard_filter import DashboardFilter, default_period
        from indicators.models import ScorecardMeasure
        from indicators.periods import period_bounds
        from indicators.selectors_index import service_index
        from indicators.selectors_scorecard import MEASURES, RED, scorecard
        from indicators.wagtail_hooks.dashboard import COLOUR_ICONS, colour_word, value_text
        from qms.formats.numbers import format_number

        now = timezone.now()
        today = timezone.localdate(now)
        period = default_period(today)
        start, end = period_bounds(period)
        blocks = []
        for agency in self.agencies:
            filter_ = DashboardFilter(agency=agency, start=start, end=end, period=period)
            card = scorecard(filter_, now=now, today=today)
            cells = []
            for measure in MEASURES:
                cell = card.total.cells[measure]
                cells.append(
                    {
                        "label": ScorecardMeasure(measure).label,
                        "value": value_text(cell),
                        "colour": cell.colour or "none",
                        "word": colour_word(cell.colour),
                        "icon": COLOUR_ICONS[cell.colour],
                    }
                )
            worst = [
                {
                    "name": row.body.label,
                    "reds": row.colours(RED),
                    "url": f"{reverse('indicators_dashboard')}?{filter_.query(agency=row.body.agency)}",
                }
                for row in card.rows
                if row.colours(RED) and not row.body.own
            ][: self.WORST]
            index = service_index(agency, end.replace(month=1, day=1), today, today=today)
            blocks.append(
                {
                    "agency": agency.display_name,
                    "cells": cells,
                    "worst": worst,
                    "index_total": format_number(index.total, 2) if index.total is not None else "",
                    "index_groups": [
                        {
                            "name": group.name,
                            "points": format_number(group.points, 2)
                            if group.points is not None
                            else "–",
                            "max": format_number(group.max_points, 0),
                        }
                        for group in index.groups
                    ],
                    "dashboard_url": f"{reverse('indicators_dashboard')}?{filter_.query()}",
                    "charts_url": f"{reverse('indicators_charts')}?{filter_.query()}",
                    "index_url": f"{reverse('indicators_service_index')}?"
                    + filter_.query(period=f"y-{today.year}"),
                }
            )
        return {
            "title": _("Bảng điểm tháng %(month)02d/%(year)d")
            % {"month": start.month, "year": start.year},
            "blocks": blocks,
        }


@hooks.register("construct_homepage_panels")
def add_officer_todo_panel(request, panels):
    panels.append(OfficerToDoPanel(request))
    panels.append(LeaderScorecardPanel(request))
