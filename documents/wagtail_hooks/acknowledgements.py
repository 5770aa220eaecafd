"""Admin wiring of acknowledgements (đã đọc, nắm được quy trình).

- the dashboard panel "Quy trình mới cần đọc": the issues in force awaiting the person's
  acknowledgement, each with a link to read it (its public page) and the button "Tôi đã đọc và nắm
  được quy trình" (a POST to ``documents_issue_acknowledge``);
- per issue, for the officers and leaders of its agency and above, who is expected to read it and
  who has (``documents_issue_acknowledgements``), with the counts "x/y đã xác nhận" also on the
  issue's inspect page (``AcknowledgementInspectMixin``).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.widgets.button import Button

from documents import acknowledgement_selectors as selectors
from documents.models import ProcedureIssue
from documents.services.acknowledgements import acknowledgement_record
from documents.wagtail_hooks.compare import visible_issues
from qms import permissions
from qms.models import Role

RESOURCE = "acknowledgement"
# The officers and leaders of the issue's agency, and of the bodies above it, read who has
# acknowledged it (people's names: not for staff). Recording one's own is the service's rule.
permissions.register_rules(RESOURCE, {permissions.VIEW: {Role.OFFICER, Role.LEADER}})


def may_view_list(user, issue) -> bool:
    return permissions.has_permission(user, RESOURCE, permissions.VIEW, issue)


# --- The dashboard panel --------------------------------------------------------------------------


class AcknowledgementPanel(Component):
    """The issues in force the person has yet to acknowledge; nothing when there are none."""

    name = "documents_acknowledgements"
    order = 35
    template_name = "documents/admin/acknowledgement_panel.html"

    def __init__(self, request):
        self.request = request
        self.issues = selectors.issues_awaiting(request.user)

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if self.issues else ""

    def get_context_data(self, parent_context=None):
        rows = []
        for issue in self.issues:
            page = issue.procedure
            rows.append(
                {
                    "issue": issue,
                    "agency": issue.procedure.agency.display_name,
                    "read_url": page.get_url(self.request) if page.live else "",
                    "acknowledge_url": reverse("documents_issue_acknowledge", args=[issue.pk]),
                }
            )
        # Rendered on its own (no request context): the button's form needs the token.
        return {
            "rows": rows,
            "next": self.request.get_full_path(),
            "csrf_token": get_token(self.request),
        }


@hooks.register("construct_homepage_panels")
def add_acknowledgement_panel(request, panels):
    panels.append(AcknowledgementPanel(request))


# --- Recording one's acknowledgement --------------------------------------------------------------


@require_POST
def issue_acknowledge(request, pk):
    """The button "Tôi đã đọc và nắm được quy trình": records it (the service refuses whoever
    the issue does not apply to, and an issue no longer in force) and goes back."""
    issue = get_object_or_404(ProcedureIssue, pk=pk)
    try:
        acknowledgement_record(actor=request.user, issue=issue)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(
            request,
            _("Đã ghi nhận: bạn đã đọc và nắm được “%(issue)s” – %(title)s.")
            % {"issue": issue, "title": issue.title},
        )
    return redirect(get_valid_next_url_from_request(request) or reverse("wagtailadmin_home"))


# --- Who has acknowledged an issue ----------------------------------------------------------------


def issue_acknowledgements(request, pk):
    """Everyone expected to read the issue, those who have not first, with the counts."""
    issue = get_object_or_404(visible_issues(request.user), pk=pk)
    if not may_view_list(request.user, issue):
        raise PermissionDenied
    status = selectors.acknowledgement_status(issue)
    return TemplateResponse(
        request,
        "documents/admin/acknowledgement_list.html",
        {
            "issue": issue,
            "status": status,
            "inspect_url": reverse("procedure_issues:inspect", args=[issue.pk]),
            "header_title": _("Xác nhận đã đọc quy trình"),
            "header_subtitle": f"{issue} – {issue.title}",
        },
    )


@hooks.register("register_admin_urls")
def register_acknowledgement_urls():
    return [
        path(
            "procedures/issues/<int:pk>/acknowledge/",
            issue_acknowledge,
            name="documents_issue_acknowledge",
        ),
        path(
            "procedures/issues/<int:pk>/acknowledgements/",
            issue_acknowledgements,
            name="documents_issue_acknowledgements",
        ),
    ]


# --- On the issue's inspect page ------------------------------------------------------------------


class AcknowledgementInspectMixin:
    """For the issue's inspect view: the field "acknowledgements" (counts, and a link to the list
    for those who may read it) and a header button to the list."""

    def get_field_label(self, field_name, field):
        if field_name == "acknowledgements":
            return gettext_lazy("Xác nhận đã đọc")
        return super().get_field_label(field_name, field)

    def get_acknowledgements_display_value(self):
        acknowledged, expected = selectors.acknowledgement_counts(self.object)
        if expected:
            text = _("%(done)d/%(total)d đã xác nhận") % {"done": acknowledged, "total": expected}
        elif selectors.is_in_force(self.object):
            text = _("Không có ai phải xác nhận")
        else:
            text = _("%(done)d người đã xác nhận khi lần ban hành còn áp dụng") % {
                "done": acknowledged
            }
        if not may_view_list(self.request.user, self.object):
            return text
        return format_html(
            '{} · <a href="{}">{}</a>',
            text,
            reverse("documents_issue_acknowledgements", args=[self.object.pk]),
            _("Xem danh sách"),
        )

    def get_header_more_buttons(self):
        buttons = super().get_header_more_buttons()
        if may_view_list(self.request.user, self.object):
            buttons = sorted(
                [
                    *buttons,
                    Button(
                        _("Xác nhận đã đọc"),
                        url=reverse("documents_issue_acknowledgements", args=[self.object.pk]),
                        icon_name="tick",
                        priority=60,
                    ),
                ]
            )
        return buttons
