"""Admin wiring of findings ("Phát hiện", in the "Đánh giá nội bộ" group): list (code, agency,
kind, source, clause, audit, state in words, recurrence flag, raised on), filters (agency
subtree, state, kind, source, clause, audit, recurrence), search by code and description, add
and edit through ``finding_record`` / ``finding_update`` (a new finding prefilled from
``?checklist_item=<pk>``; a recurrence is shown as a warning), inspect with its corrective actions
(linked when the reader may open them), the transition "Đóng (kèm phản hồi)" for observations and
opportunities, history, XLSX. Also the audit report PDF's URL (``audits.report``)."""

import django_filters
from django import forms
from django.contrib import messages
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.log_actions import log

from audits.models import (
    ActionState,
    Audit,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
)
from audits.report import audit_report_view
from audits.rules_audits import AUDIT
from audits.rules_complaints import COMPLAINT
from audits.rules_findings import FINDING, KEEPERS
from audits.rules_register import INSPECTION
from audits.selectors_actions import overdue_label, with_overdue
from audits.selectors_audits import open_audit_paths
from audits.selectors_findings import open_audits_on_team, prefill_from_item, recurrence_message
from audits.services.actions import open_refusal
from audits.services.findings import (
    finding_record,
    finding_respond_close,
    finding_update,
    respond_refusal,
)
from audits.wagtail_hooks.menu import MENU_HOOK
from documents.models import ProcedureIssue, ProcedurePage
from qms import permissions
from qms.display import EMPTY, format_day
from qms.filters import AgencySubtreeFilter
from qms.models import Agency
from qms.models.agencies import subtree_q
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
)

permissions.register_policy(Finding, FINDING)


def _state_label(finding) -> str:
    return FindingState(finding.state).label


def _kind_label(finding) -> str:
    return FindingKind(finding.kind).label


def _source_label(finding) -> str:
    return FindingSource(finding.source).label


def _recurrence_label(finding) -> str:
    return _("Lặp lại") if finding.recurrence_of_id else ""


def _agencies_offered(user):
    """Where ``user`` may record findings: the subtrees where they are an officer or a leader,
    and the auditees (with their units) of the open audits they are on the team of."""
    if permissions.is_admin(user):
        return Agency.objects.all()
    paths = [m.agency.path for m in permissions.active_memberships(user) if m.role in KEEPERS]
    paths += open_audit_paths(user)
    if not paths:
        return Agency.objects.none()
    return Agency.objects.filter(subtree_q(sorted(set(paths)), "path")).order_by("path")


def _audits_offered(user, current=None):
    audits = Audit.objects.all() if permissions.is_admin(user) else open_audits_on_team(user)
    audits = audits.filter(state__in=("in_progress", "reported"))
    if current is not None:
        audits = Audit.objects.filter(pk__in=[*audits.values_list("pk", flat=True), current])
    return audits.select_related("agency").order_by("-planned_start", "code")


class FindingForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "checklist_item" in self.fields:
            self.fields["checklist_item"].widget = forms.HiddenInput()


class FindingSaveMixin:
    """The finding goes to its service; a recurrence is shown as a warning."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        service = finding_update if instance.pk else finding_record
        instance = service(actor=self.request.user, instance=instance)
        message = recurrence_message(instance)
        if message:
            messages.warning(self.request, message)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        user = self.request.user
        current = getattr(self, "object", None)
        fields = form.fields
        if "agency" in fields:
            agencies = _agencies_offered(user)
            if current is not None and current.pk:
                agencies = Agency.objects.filter(
                    pk__in=[*agencies.values_list("pk", flat=True), current.agency_id]
                )
            fields["agency"].queryset = agencies
        if "audit" in fields:
            fields["audit"].queryset = _audits_offered(
                user, current.audit_id if current is not None and current.pk else None
            )
        if "checklist_item" in fields:
            fields["checklist_item"].queryset = ChecklistItem.objects.filter(
                audit__in=_audits_offered(user, getattr(current, "audit_id", None))
            )
        if "procedure" in fields:
            scope = permissions.scope_q(user, "procedurepage", [permissions.VIEW], "agency__path")
            fields["procedure"].queryset = ProcedurePage.objects.filter(scope).order_by("code")
        if "procedure_issue" in fields:
            scope = permissions.scope_q(
                user, "procedureissue", [permissions.VIEW], "procedure__agency__path"
            )
            fields["procedure_issue"].queryset = ProcedureIssue.objects.filter(scope).order_by(
                "code", "number"
            )
        return form


class FindingCreateView(FindingSaveMixin, ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        initial.setdefault("raised_on", timezone.localdate())
        initial.update(prefill_from_item(self.request.user, self.request.GET.get("checklist_item")))
        return initial


class FindingEditView(FindingSaveMixin, ScopedEditView):
    pass


def _audits_filter_queryset(request):
    if request is None:
        return Audit.objects.none()
    scope = permissions.scope_q(request.user, AUDIT, [permissions.VIEW], "agency__path")
    return Audit.objects.filter(scope).order_by("-planned_start", "code")


class FindingFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=FINDING)
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=FindingState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Loại phát hiện"),
        choices=FindingKind.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Nguồn"),
        choices=FindingSource.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    clause = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Điều khoản"),
        queryset=Clause.objects.order_by("sort_key"),
        empty_label=gettext_lazy("Tất cả"),
    )
    audit = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Cuộc đánh giá"),
        queryset=_audits_filter_queryset,
        empty_label=gettext_lazy("Tất cả"),
    )
    recurrence = django_filters.ChoiceFilter(
        label=gettext_lazy("Lặp lại"),
        choices=[("yes", gettext_lazy("Có")), ("no", gettext_lazy("Không"))],
        empty_label=gettext_lazy("Tất cả"),
        method="filter_recurrence",
    )
    # "Still open" (not closed): the dashboard's counts of open nonconformities link here.
    open = django_filters.ChoiceFilter(
        label=gettext_lazy("Đang mở"),
        choices=[("yes", gettext_lazy("Chưa đóng"))],
        empty_label=gettext_lazy("Tất cả"),
        method="filter_open",
    )

    class Meta:
        model = Finding
        fields = []

    def filter_open(self, queryset, name, value):
        return queryset.exclude(state=FindingState.CLOSED) if value == "yes" else queryset

    def filter_recurrence(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(recurrence_of__isnull=False)
        if value == "no":
            return queryset.filter(recurrence_of__isnull=True)
        return queryset


class FindingIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__parent", "clause", "audit")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_inspect_url(instance)

        return column_class("code", label=_("Số hiệu"), accessor="code", get_url=get_url)

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.kind_label = _kind_label(item)
        item.source_label = _source_label(item)
        item.clause_label = item.clause.number if item.clause_id else EMPTY
        item.audit_label = item.audit.code if item.audit_id else EMPTY
        item.state_label = _state_label(item)
        item.recurrence_label = _recurrence_label(item)
        item.raised_label = format_day(item.raised_on)
        item.description_label = item.description
        return super().to_row_dict(item)


def _action_inspect_url(user, action) -> str | None:
    """The inspect URL of a corrective action's admin page when ``user`` may open it."""
    from wagtail.admin.viewsets import viewsets

    for viewset in viewsets.viewsets:
        if getattr(viewset, "model", None) is not CorrectiveAction:
            continue
        if not getattr(viewset, "inspect_view_enabled", False):
            continue
        policy = getattr(viewset, "permission_policy", None)
        if policy is None or not policy.user_has_any_permission_for_instance(
            user, [permissions.VIEW, permissions.CHANGE], action
        ):
            return None
        return reverse(viewset.get_url_name("inspect"), args=[action.pk])
    return None


class FindingInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        labels = {
            "actions": _("Hành động khắc phục"),
            "complaints": _("Khiếu nại, phản ánh"),
        }
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_kind_display_value(self):
        return _kind_label(self.object)

    def get_source_display_value(self):
        return _source_label(self.object)

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_audit_display_value(self):
        audit = self.object.audit
        if audit is None:
            return EMPTY
        if permissions.has_permission(self.request.user, AUDIT, permissions.VIEW, audit):
            url = reverse("audits:inspect", args=[audit.pk])
            return format_html('<a href="{}">{}</a>', url, str(audit))
        return audit.code

    def get_external_inspection_display_value(self):
        inspection = self.object.external_inspection
        if inspection is None:
            return EMPTY
        if permissions.has_permission(self.request.user, INSPECTION, permissions.VIEW, inspection):
            url = reverse("external_inspections:inspect", args=[inspection.pk])
            return format_html('<a href="{}">{}</a>', url, str(inspection))
        return str(inspection)

    def get_complaints_display_value(self):
        complaints = list(self.object.complaints.order_by("code"))
        if not complaints:
            return EMPTY
        user = self.request.user

        def link(complaint):
            if permissions.has_permission(user, COMPLAINT, permissions.VIEW, complaint):
                url = reverse("complaints:inspect", args=[complaint.pk])
                return format_html('<a href="{}">{}</a>', url, complaint.code)
            return complaint.code

        return format_html_join(", ", "{}", ((link(c),) for c in complaints))

    def get_clause_display_value(self):
        return str(self.object.clause) if self.object.clause_id else EMPTY

    def get_procedure_display_value(self):
        page = self.object.procedure
        return f"{page.code} – {page.title}" if page else EMPTY

    def get_procedure_issue_display_value(self):
        issue = self.object.procedure_issue
        if issue is None:
            return EMPTY
        return _("%(code)s, lần ban hành %(number)02d") % {
            "code": issue.code,
            "number": issue.number,
        }

    def get_recurrence_of_display_value(self):
        earlier = self.object.recurrence_of
        if earlier is None:
            return _("Không")
        return recurrence_message(self.object) or earlier.code

    def get_raised_by_display_value(self):
        return person_name(self.object.raised_by) if self.object.raised_by_id else EMPTY

    def get_raised_on_display_value(self):
        return format_day(self.object.raised_on)

    def get_closed_at_display_value(self):
        from django.utils import timezone

        closed = self.object.closed_at
        return timezone.localtime(closed).strftime("%d/%m/%Y %H:%M") if closed else EMPTY

    def get_actions_display_value(self):
        if not self.object.is_nonconformity:
            return EMPTY
        rows = list(
            with_overdue(self.object.actions.select_related("owner")).order_by("due_date", "pk")
        )
        add = _add_action_link(self.request.user, self.object)
        if not rows:
            return format_html("{} {}", _("Chưa có hành động khắc phục."), add)

        def label(action):
            text = _("%(code)s – %(state)s, hạn %(due)s, người thực hiện %(owner)s") % {
                "code": action.code,
                "state": ActionState(action.state).label,
                "due": format_day(action.due_date),
                "owner": person_name(action.owner),
            }
            late = overdue_label(action)
            if late:
                text = f"{text} ({late})"
            url = _action_inspect_url(self.request.user, action)
            return format_html('<a href="{}">{}</a>', url, text) if url else text

        return format_html(
            "<ul>{}</ul>{}",
            format_html_join("", "<li>{}</li>", ((label(a),) for a in rows)),
            add,
        )


def _add_action_link(user, finding) -> str:
    """The "add a corrective action" button of an open nonconformity, for those who may open one
    (``audits.services.actions.open_refusal``)."""
    if finding.state == FindingState.CLOSED or open_refusal(user, finding):
        return ""
    url = reverse("corrective_actions:add") + f"?finding={finding.pk}"
    return format_html(
        '<p><a class="button button-small" href="{}">{}</a></p>',
        url,
        _("Thêm hành động khắc phục"),
    )


class RespondForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("Ý kiến phản hồi"), widget=forms.Textarea, required=True
    )


def _change_refusal(user, finding):
    if finding.state == FindingState.CLOSED:
        return _("Phát hiện %(code)s đã đóng: không sửa được nữa.") % {"code": finding.code}
    return None


class FindingViewSet(AgencyScopedViewSet):
    model = Finding
    resource = FINDING
    icon = "warning"
    menu_label = gettext_lazy("Phát hiện")
    menu_hook = MENU_HOOK
    menu_order = 30
    index_view_class = FindingIndexView
    add_view_class = FindingCreateView
    edit_view_class = FindingEditView
    inspect_view_class = FindingInspectView
    filterset_class = FindingFilterSet
    change_refusal = staticmethod(_change_refusal)
    list_display = [
        "code",
        Column(
            "agency",
            label=gettext_lazy("Cơ quan, đơn vị"),
            accessor=lambda f: f.agency.display_name,
        ),
        Column("kind", label=gettext_lazy("Loại"), accessor=_kind_label),
        Column("source", label=gettext_lazy("Nguồn"), accessor=_source_label),
        Column(
            "clause",
            label=gettext_lazy("Điều khoản"),
            accessor=lambda f: f.clause.number if f.clause_id else EMPTY,
        ),
        Column(
            "audit",
            label=gettext_lazy("Cuộc đánh giá"),
            accessor=lambda f: f.audit.code if f.audit_id else EMPTY,
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column("recurrence", label=gettext_lazy("Lặp lại"), accessor=_recurrence_label),
        Column(
            "raised_on",
            label=gettext_lazy("Ngày ghi nhận"),
            accessor=lambda f: format_day(f.raised_on),
            sort_key="raised_on",
        ),
    ]
    ordering = ["-raised_on", "-pk"]
    search_fields = ["code", "description"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("audit"),
            FieldPanel("checklist_item"),
            FieldPanel("kind"),
            FieldPanel("source"),
            FieldPanel("clause"),
            FieldPanel("procedure"),
            FieldPanel("procedure_issue"),
            FieldPanel("description"),
            FieldPanel("evidence"),
            FieldPanel("raised_on"),
        ],
        base_form_class=FindingForm,
    )
    inspect_view_fields = [
        "code",
        "agency",
        "audit",
        "external_inspection",
        "complaints",
        "kind",
        "source",
        "clause",
        "procedure",
        "procedure_issue",
        "description",
        "evidence",
        "state",
        "recurrence_of",
        "actions",
        "response",
        "raised_by",
        "raised_on",
        "closed_at",
    ]
    list_export = [
        "code",
        "agency_label",
        "kind_label",
        "source_label",
        "clause_label",
        "audit_label",
        "description_label",
        "state_label",
        "recurrence_label",
        "raised_label",
    ]
    export_headings = {
        "code": gettext_lazy("Số hiệu"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "kind_label": gettext_lazy("Loại"),
        "source_label": gettext_lazy("Nguồn"),
        "clause_label": gettext_lazy("Điều khoản"),
        "audit_label": gettext_lazy("Cuộc đánh giá"),
        "description_label": gettext_lazy("Mô tả"),
        "state_label": gettext_lazy("Trạng thái"),
        "recurrence_label": gettext_lazy("Lặp lại"),
        "raised_label": gettext_lazy("Ngày ghi nhận"),
    }
    export_filename = "phat-hien"
    transitions = (
        Transition(
            name="respond_close",
            label=gettext_lazy("Đóng (kèm phản hồi)"),
            service=finding_respond_close,
            action=permissions.CHANGE,
            available=lambda f: not f.is_nonconformity and f.state != FindingState.CLOSED,
            refusal=respond_refusal,
            form_class=RespondForm,
            icon="check",
        ),
    )


@hooks.register("register_admin_viewset")
def register_finding_viewsets():
    return [FindingViewSet("audit_findings")]


@hooks.register("register_admin_urls")
def register_audit_report_urls():
    return [path("audits/<int:pk>/report.pdf", audit_report_view, name="audit_report_pdf")]
