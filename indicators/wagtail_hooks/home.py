"""Admin home panels of indicators (issue [9] item 6): the officer's to-do list. (The auditor's
audits and verifications are audits' panel "Việc đánh giá, khắc phục của tôi"; the leader's
scorecard summary and index is the dashboard's panel.)"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from indicators.selectors_home import officer_todo
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


@hooks.register("construct_homepage_panels")
def add_officer_todo_panel(request, panels):
    panels.append(OfficerToDoPanel(request))
