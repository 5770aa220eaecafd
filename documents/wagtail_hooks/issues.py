"""Admin wiring of documents: issues (lần ban hành) and the decisions that issued them.

An issue is read-only: no add, edit or delete view; its state changes only by the transitions
"withdraw" (with a reason) and "record decision", each a service of documents.services.issues.
"""

import django_filters
from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.documents import get_document_model

from documents import rules
from documents.diagram import diagram_svg, diagram_title
from documents.models import ApprovalDecision, IssueStatus, ProcedureIssue
from documents.services.issues import (
    decision_save,
    issue_admin_decision_record,
    issue_admin_withdraw,
)
from documents.wagtail_hooks.acknowledgements import AcknowledgementInspectMixin
from qms import permissions
from qms.choosers import agency_chooser_viewset
from qms.filters import AgencySubtreeFilter
from qms.models.catalogue import days_number
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
    TransitionView,
)
from qms.wagtail_scope import media_in_scope

ISSUE, DECISION = "procedureissue", "approvaldecision"
permissions.register_policy(ProcedureIssue)
permissions.register_policy(ApprovalDecision)


# --- Transitions ---------------------------------------------------------------------------------


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do bãi bỏ"),
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Ví dụ: TTHC đã bị bãi bỏ theo Quyết định số …; quy trình được thay thế."),
        error_messages={"required": _("Hãy ghi lý do bãi bỏ quy trình.")},
    )


class DecisionForm(forms.Form):
    decision = forms.ModelChoiceField(
        label=_("Quyết định ban hành"),
        queryset=ApprovalDecision.objects.none(),
        help_text=_(
            "Quyết định của cơ quan hoặc cơ quan cấp trên, ký không muộn hơn ngày hiệu lực. "
            "Chưa có trong danh sách: ghi quyết định trước ở mục “Quyết định ban hành”."
        ),
    )

    def limit_to(self, issue, user):
        """Decisions the person may read that could have issued ``issue``."""
        policy = permissions.policy_for(ApprovalDecision)
        self.fields["decision"].queryset = ApprovalDecision.objects.filter(
            policy.scope_q(user, [permissions.VIEW]),
            agency_id__in=issue.procedure.agency.ancestor_ids(),
            signed_on__lte=issue.effective_date,
        ).select_related("agency")


class IssueTransitionView(TransitionView):
    """A transition form may narrow its choices to the object and the person (``limit_to``)."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if hasattr(form, "limit_to"):
            form.limit_to(self.object, self.request.user)
        return form


# --- Issues --------------------------------------------------------------------------------------


class IssueFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=ISSUE, path_lookup="procedure__agency__path")
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=IssueStatus.choices)

    class Meta:
        model = ProcedureIssue
        fields = []


class IssueIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("procedure__agency__parent", "approved_by", "decision")
        )


class IssueStepsComponent(Component):
    """The TTHC of an issue with their step tables, and its forms, as issued."""

    template_name = "documents/admin/issue_steps.html"

    def __init__(self, issue):
        self.issue = issue

    def get_context_data(self, parent_context=None):
        forms_by_id = {form.pk: form for form in self.issue.forms.all()}
        services = []
        for service in self.issue.services.select_related("tthc"):
            steps = [
                {
                    **step,
                    "days_label": days_number(step["days"]) if step.get("days") else "",
                    "form_title": getattr(forms_by_id.get(step.get("form")), "title", ""),
                }
                for step in service.steps
            ]
            services.append(
                {
                    "service": service,
                    "steps": steps,
                    "total": days_number(service.total_days),
                    "diagram": diagram_svg(
                        service.steps, title=diagram_title(service.tthc, service.variant)
                    ),
                }
            )
        return {"services": services, "forms": list(forms_by_id.values())}


class IssueInspectView(AcknowledgementInspectMixin, ScopedInspectView):
    def get_field_label(self, field_name, field):
        if field_name == "services":
            return _("Thủ tục hành chính, trình tự và biểu mẫu đã ban hành")
        if field_name == "agency":
            return _("Cơ quan, đơn vị")
        return super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.procedure.agency.display_name

    def get_services_display_value(self):
        return IssueStepsComponent(self.object)

    def _person(self, name):
        user = getattr(self.object, name)
        return person_name(user) if user else None

    def get_drafted_by_display_value(self):
        return self._person("drafted_by")

    def get_reviewed_by_display_value(self):
        return self._person("reviewed_by")

    def get_approved_by_display_value(self):
        return self._person("approved_by")

    def get_withdrawn_by_display_value(self):
        return self._person("withdrawn_by")


def _in_force(issue) -> bool:
    return issue.status == IssueStatus.IN_FORCE


def _person_column(name, label):
    return Column(
        name,
        label=label,
        accessor=lambda issue: person_name(getattr(issue, name)) if getattr(issue, name) else "",
    )


class ProcedureIssueViewSet(AgencyScopedViewSet):
    model = ProcedureIssue
    resource = ISSUE
    icon = "doc-full"
    menu_label = _("Lần ban hành")
    index_view_class = IssueIndexView
    inspect_view_class = IssueInspectView
    read_only = True
    transition_view_class = IssueTransitionView
    filterset_class = IssueFilterSet
    list_display = [
        "code",
        "title",
        "number",
        Column(
            "effective_date",
            label=_("Ngày hiệu lực"),
            accessor=lambda issue: issue.effective_date.strftime("%d/%m/%Y"),
            sort_key="effective_date",
        ),
        "status",
        Column(
            "agency",
            label=_("Cơ quan, đơn vị"),
            accessor=lambda issue: issue.procedure.agency.display_name,
        ),
        _person_column("approved_by", _("Người phê duyệt")),
        "decision",
    ]
    ordering = ["-effective_date", "code", "-number"]
    search_fields = ["code", "title"]
    list_export = [
        "code",
        "title",
        "number",
        "effective_date",
        "status",
        "superseded_on",
        "withdrawn_at",
        "decision",
    ]
    export_filename = "lan-ban-hanh"
    # No add or edit view is routed (get_urlpatterns); Wagtail builds their form class regardless.
    form_fields = ["change_summary"]
    inspect_view_fields = [
        "code",
        "title",
        "number",
        "agency",
        "status",
        "effective_date",
        "change_summary",
        "drafted_by",
        "drafted_at",
        "reviewed_by",
        "reviewed_at",
        "approved_by",
        "approved_at",
        "decision",
        "superseded_on",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawal_reason",
        "acknowledgements",
        "services",
    ]
    transitions = (
        Transition(
            "record_decision",
            _("Ghi quyết định ban hành"),
            service=issue_admin_decision_record,
            action=rules.RECORD_DECISION,
            available=lambda issue: issue.decision_id is None,
            form_class=DecisionForm,
            icon="doc-full-inverse",
            log=False,  # the service logs it with the decision's number
        ),
        Transition(
            "withdraw",
            _("Bãi bỏ quy trình"),
            service=issue_admin_withdraw,
            action=rules.WITHDRAW,
            available=_in_force,
            form_class=WithdrawForm,
            confirmation=_(
                "Quy trình thôi áp dụng: gỡ khỏi trang công khai, hủy lịch ban hành và luồng duyệt "
                "đang chờ, khóa không cho sửa. Các lần ban hành vẫn được lưu để tra cứu."
            ),
            icon="warning",
            serious=True,
            log=False,  # the service logs it with the reason
        ),
    )


def issue_links(issues, *, html_id: str = ""):
    """Issues as a list of links to their admin pages, each with its title and agency (the
    issues need ``procedure__agency`` selected)."""
    return format_html(
        "<ul{}>{}</ul>",
        format_html(' id="{}"', html_id) if html_id else "",
        format_html_join(
            "",
            '<li><a href="{}">{}</a> – {} ({})</li>',
            (
                (
                    reverse("procedure_issues:inspect", args=[issue.pk]),
                    str(issue),
                    issue.title,
                    issue.procedure.agency.display_name,
                )
                for issue in issues
            ),
        ),
    )


# --- Decisions -----------------------------------------------------------------------------------


def _scans_in_scope(user):
    return media_in_scope(user, get_document_model())


class DecisionInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        if field_name == "issues":
            return _("Các lần ban hành theo quyết định")
        return super().get_field_label(field_name, field)

    def get_scan_display_value(self):
        return self.object.scan.title if self.object.scan_id else None

    def get_issues_display_value(self):
        """Every issue the decision approved that the reader may see, each linked, with its
        agency (a provincial decision approves procedures of many bodies at once)."""
        issues = (
            self.object.issues.filter(
                permissions.policy_for(ProcedureIssue).scope_q(
                    self.request.user, [permissions.VIEW]
                )
            )
            .select_related("procedure__agency")
            .order_by("procedure__agency__path", "code", "number")
        )
        if not issues:
            return _("Chưa có lần ban hành nào được liên kết với quyết định này.")
        return issue_links(issues, html_id="decision-issues")


class ApprovalDecisionViewSet(AgencyScopedViewSet):
    model = ApprovalDecision
    resource = DECISION
    icon = "doc-full-inverse"
    inspect_view_class = DecisionInspectView
    menu_label = _("Quyết định ban hành")
    list_display = ["number", "signed_on", "agency", "signer", "scan"]
    search_fields = ["number", "signer"]
    ordering = ["-signed_on", "number"]
    panels = [
        FieldPanel("agency", widget=agency_chooser_viewset.widget_class),
        FieldPanel("number"),
        FieldPanel("signed_on"),
        FieldPanel("signer"),
        FieldPanel("scan"),
    ]
    inspect_view_fields = ["agency", "number", "signed_on", "signer", "scan", "issues"]
    list_export = ["number", "signed_on", "agency", "signer"]
    export_filename = "quyet-dinh-ban-hanh"
    save_service = staticmethod(decision_save)
    field_scopes = {"scan": _scans_in_scope}


class DocumentIssuesGroup(ModelViewSetGroup):
    menu_label = _("Ban hành tài liệu")
    menu_icon = "doc-full"
    menu_order = 75
    items = (
        ProcedureIssueViewSet("procedure_issues"),
        ApprovalDecisionViewSet("approval_decisions"),
    )


@hooks.register("register_admin_viewset")
def register_issue_viewsets():
    return DocumentIssuesGroup()
