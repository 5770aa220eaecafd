"""The dashboard panel "Việc đánh giá, khắc phục của tôi": the corrective actions a person owns
(the overdue ones marked), those waiting for their verification, and the open audits they are on
(with the checklist), so an owner or a verifier finds their work without searching the lists."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from audits.models import ActionState, AuditState
from audits.selectors_actions import my_work, overdue_label


class MyAuditWorkPanel(Component):
    name = "audits_my_work"
    # Before the procedures to read (35): an overdue action is the more urgent.
    order = 30
    template_name = "audits/my_work_panel.html"

    def __init__(self, request):
        self.request = request
        self.work = my_work(request.user)

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if any(self.work.values()) else ""

    def get_context_data(self, parent_context=None):
        def action_row(action):
            return {
                "code": action.code,
                "url": reverse("corrective_actions:inspect", args=[action.pk]),
                "finding": action.finding.code,
                "agency": action.finding.agency.display_name,
                "state": ActionState(action.state).label,
                "due": action.due_date.strftime("%d/%m/%Y"),
                "overdue": overdue_label(action),
            }

        audits = [
            {
                "code": audit.code,
                "title": audit.title,
                "agency": audit.agency.display_name,
                "state": AuditState(audit.state).label,
                "url": reverse("audits:inspect", args=[audit.pk]),
                "checklist_url": reverse("audit_checklists:list", args=[audit.pk]),
            }
            for audit in self.work["audits"]
        ]
        return {
            "owned": [action_row(a) for a in self.work["owned"]],
            "to_verify": [action_row(a) for a in self.work["to_verify"]],
            "audits": audits,
            "title": _("Việc đánh giá, khắc phục của tôi"),
        }


@hooks.register("construct_homepage_panels")
def add_my_audit_work_panel(request, panels):
    panels.append(MyAuditWorkPanel(request))
