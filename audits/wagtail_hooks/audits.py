"""Admin wiring of internal audits ("Cuộc đánh giá", in the "Đánh giá nội bộ" group): list (code,
auditee, dates, lead, state in words, double-booked flag), filters (agency subtree, state),
add and edit while planned through ``audit_plan`` / ``audit_update`` (the team offered: qualified
internal auditors of the planner's scope), inspect (scope, team, warnings, links to the read-only
procedure views while open), the transitions start, report, close and cancel, history, XLSX.

The read-only view of an auditee's procedure (drafts included) is ``audits.views``, at
``admin/audits/<audit>/procedures/<page>/``."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
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
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from audits import views
from audits.models import Audit, AuditState, TeamRole
from audits.rules_audits import AUDIT
from audits.selectors_auditors import qualified_auditors
from audits.selectors_audits import (
    auditee_procedure,
    double_booking_messages,
    on_open_team,
    with_double_booked,
)
from audits.services.audits import (
    audit_cancel,
    audit_close,
    audit_plan,
    audit_report,
    audit_start,
    audit_update,
    cancel_refusal,
    close_refusal,
    planning_refusal,
    report_refusal,
    start_refusal,
)
from audits.wagtail_hooks.checklists import checklist_button
from audits.wagtail_hooks.menu import MENU_HOOK
from documents.models import ProcedureIssue, ProcedurePage
from documents.selectors import in_force_on_q
from qms import permissions
from qms.choosers import agency_chooser_viewset
from qms.display import EMPTY, format_day
from qms.filters import AgencySubtreeFilter
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
)

permissions.register_policy(Audit, AUDIT)


def _dates_label(audit) -> str:
    return f"{format_day(audit.planned_start)} – {format_day(audit.planned_end)}"


def _state_label(audit) -> str:
    return AuditState(audit.state).label


def _flag_label(audit) -> str:
    return _("Trùng lịch") if getattr(audit, "double_booked", False) else ""


def _auditors_offered(user):
    """Qualified internal auditors (today) of the agencies where ``user`` may plan audits: a
    department plans with its own auditors, the city with any of its subtree's."""
    today = timezone.localdate()
    if permissions.is_admin(user):
        return qualified_auditors(today)
    agencies = permissions.assignable_agencies(user, AUDIT, permissions.ADD)
    return qualified_auditors(today, agencies=list(agencies))


def _procedures_offered(user):
    """Procedures with an issue in force today, of the agencies where ``user`` may plan audits
    (the service then keeps those in force at or applicable to the auditee)."""
    in_force = ProcedureIssue.objects.filter(in_force_on_q(timezone.localdate()))
    scope = permissions.scope_q(user, AUDIT, [permissions.ADD], "agency__path", relations=False)
    return (
        ProcedurePage.objects.filter(scope, pk__in=in_force.values("procedure_id"))
        .select_related("agency")
        .order_by("code")
    )


class AuditForm(WagtailAdminModelForm):
    team = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thành viên đoàn đánh giá"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Đánh giá viên nội bộ có chứng chỉ còn hiệu lực; trưởng đoàn luôn là thành viên."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].label_from_instance = person_name
        if "lead_auditor" in self.fields:
            self.fields["lead_auditor"].label_from_instance = person_name
        if self.instance.pk and not self.is_bound:
            self.initial["team"] = list(
                self.instance.team.filter(role=TeamRole.MEMBER).values_list("user_id", flat=True)
            )


class AuditSaveMixin:
    """The team and the scope go to the service with the audit (never saved by the form)."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        data = self.form.cleaned_data
        service = audit_update if instance.pk else audit_plan
        instance = service(
            actor=self.request.user,
            instance=instance,
            team=list(data.get("team") or []),
            clauses=list(data.get("clauses") or []),
            procedures=list(data.get("procedures") or []),
        )
        for message in double_booking_messages(instance):
            messages.warning(self.request, message)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        offered = _auditors_offered(self.request.user)
        if getattr(self, "object", None) is not None and self.object.pk:
            current = get_user_model().objects.filter(pk__in=self.object.team.values("user_id"))
            offered = (offered | current).distinct()
        for name in ("team", "lead_auditor"):
            if name in form.fields:
                form.fields[name].queryset = offered
        if "procedures" in form.fields:
            procedures = _procedures_offered(self.request.user)
            if getattr(self, "object", None) is not None and self.object.pk:
                current = ProcedurePage.objects.filter(pk__in=self.object.procedures.values("pk"))
                procedures = (procedures | current).distinct()
            form.fields["procedures"].queryset = procedures
        return form


class AuditCreateView(AuditSaveMixin, ScopedCreateView):
    pass


class AuditEditView(AuditSaveMixin, ScopedEditView):
    pass


class AuditFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=AUDIT)
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=AuditState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = Audit
        fields = []


class AuditIndexView(ScopedIndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("agency__parent", "lead_auditor")
        return with_double_booked(queryset)

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_inspect_url(instance)

        return column_class("code", label=_("Số hiệu"), accessor="code", get_url=get_url)

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.lead_label = person_name(item.lead_auditor)
        item.state_label = _state_label(item)
        item.flag_label = _flag_label(item)
        item.start_label = format_day(item.planned_start)
        item.end_label = format_day(item.planned_end)
        return super().to_row_dict(item)


def _team_list(audit) -> str:
    members = audit.team.select_related("user").order_by("role", "pk")
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{} ({})</li>",
            ((person_name(m.user), TeamRole(m.role).label) for m in members),
        ),
    )


class AuditInspectView(ScopedInspectView):
    def get_header_more_buttons(self):
        report = Button(
            _("Báo cáo đánh giá (PDF)"),
            url=reverse("audit_report_pdf", args=[self.object.pk]),
            icon_name="doc-full",
            priority=90,
        )
        return sorted(
            [
                *super().get_header_more_buttons(),
                *checklist_button(self.request.user, self.object),
                report,
            ]
        )

    def get_field_label(self, field_name, field):
        labels = {
            "team": _("Đoàn đánh giá"),
            "double_booking": _("Trùng lịch"),
            "dates": _("Thời gian dự kiến"),
        }
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_dates_display_value(self):
        return _dates_label(self.object)

    def get_actual_start_display_value(self):
        return format_day(self.object.actual_start)

    def get_actual_end_display_value(self):
        return format_day(self.object.actual_end)

    def get_lead_auditor_display_value(self):
        return person_name(self.object.lead_auditor)

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_team_display_value(self):
        return _team_list(self.object)

    def get_double_booking_display_value(self):
        messages = double_booking_messages(self.object)
        if self.object.state == AuditState.CANCELLED or not messages:
            return _("Không")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((m,) for m in messages))
        )

    def get_clauses_display_value(self):
        clauses = list(self.object.clauses.order_by("sort_key"))
        if not clauses:
            return EMPTY
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((str(c),) for c in clauses))
        )

    def get_procedures_display_value(self):
        audit, user = self.object, self.request.user
        pages = list(audit.procedures.select_related("agency").order_by("code"))
        if not pages:
            return EMPTY
        # may_read_procedure, its team check asked once for all the pages.
        reader = on_open_team(user, audit)

        def label(page):
            text = f"{page.code} – {page.title}"
            if reader and auditee_procedure(audit, page):
                url = reverse("audit_procedure", args=[audit.pk, page.pk])
            else:
                url = page.get_url(request=self.request) if page.live else None
            if not url:
                return text
            return format_html('<a href="{}">{}</a>', url, text)

        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((label(p),) for p in pages))
        )


class ReportForm(forms.Form):
    conclusion = forms.CharField(
        label=gettext_lazy("Kết luận của đoàn đánh giá"),
        widget=forms.Textarea,
        required=False,
        help_text=gettext_lazy("In trong báo cáo đánh giá (PDF)."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Lý do hủy"), widget=forms.Textarea, required=True)


def _change_refusal(user, audit):
    if audit.state != AuditState.PLANNED:
        return _("Cuộc đánh giá %(code)s ở trạng thái “%(state)s”: không sửa được nữa.") % {
            "code": audit.code,
            "state": _state_label(audit),
        }
    return planning_refusal(user, audit.agency)


class AuditViewSet(AgencyScopedViewSet):
    model = Audit
    resource = AUDIT
    icon = "tasks"
    menu_label = gettext_lazy("Cuộc đánh giá")
    menu_hook = MENU_HOOK
    menu_order = 10
    index_view_class = AuditIndexView
    add_view_class = AuditCreateView
    edit_view_class = AuditEditView
    inspect_view_class = AuditInspectView
    filterset_class = AuditFilterSet
    change_refusal = staticmethod(_change_refusal)
    list_display = [
        "code",
        "title",
        Column(
            "agency",
            label=gettext_lazy("Đơn vị được đánh giá"),
            accessor=lambda a: a.agency.display_name,
        ),
        Column(
            "planned_start",
            label=gettext_lazy("Thời gian dự kiến"),
            accessor=_dates_label,
            sort_key="planned_start",
        ),
        Column(
            "lead_auditor",
            label=gettext_lazy("Trưởng đoàn"),
            accessor=lambda a: person_name(a.lead_auditor),
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column("double_booked", label=gettext_lazy("Trùng lịch"), accessor=_flag_label),
    ]
    ordering = ["-planned_start", "-pk"]
    search_fields = ["code", "title"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency", widget=agency_chooser_viewset.widget_class),
            FieldPanel("code"),
            FieldPanel("title"),
            FieldPanel("objectives"),
            FieldPanel("criteria"),
            FieldPanel("planned_start"),
            FieldPanel("planned_end"),
            FieldPanel("lead_auditor"),
            FieldPanel("team"),
            FieldPanel("clauses"),
            FieldPanel("procedures"),
        ],
        base_form_class=AuditForm,
    )
    inspect_view_fields = [
        "code",
        "title",
        "agency",
        "state",
        "dates",
        "actual_start",
        "actual_end",
        "lead_auditor",
        "team",
        "double_booking",
        "objectives",
        "criteria",
        "clauses",
        "procedures",
        "conclusion",
        "cancel_reason",
        "created_by",
    ]
    list_export = [
        "code",
        "title",
        "agency_label",
        "start_label",
        "end_label",
        "lead_label",
        "state_label",
        "flag_label",
    ]
    export_headings = {
        "code": gettext_lazy("Số hiệu"),
        "title": gettext_lazy("Tên cuộc đánh giá"),
        "agency_label": gettext_lazy("Đơn vị được đánh giá"),
        "start_label": gettext_lazy("Ngày bắt đầu dự kiến"),
        "end_label": gettext_lazy("Ngày kết thúc dự kiến"),
        "lead_label": gettext_lazy("Trưởng đoàn"),
        "state_label": gettext_lazy("Trạng thái"),
        "flag_label": gettext_lazy("Trùng lịch"),
    }
    export_filename = "cuoc-danh-gia-noi-bo"
    transitions = (
        Transition(
            name="start",
            label=gettext_lazy("Bắt đầu đánh giá"),
            service=audit_start,
            action=permissions.VIEW,
            available=lambda a: a.state == AuditState.PLANNED,
            refusal=start_refusal,
            confirmation=gettext_lazy(
                "Đoàn đánh giá được đọc các quy trình (cả dự thảo) của đơn vị được đánh giá cho "
                "đến khi cuộc đánh giá kết thúc."
            ),
            icon="resubmit",
        ),
        Transition(
            name="report",
            label=gettext_lazy("Báo cáo kết quả"),
            service=audit_report,
            action=permissions.VIEW,
            available=lambda a: a.state == AuditState.IN_PROGRESS,
            refusal=report_refusal,
            form_class=ReportForm,
            icon="doc-full",
        ),
        Transition(
            name="close",
            label=gettext_lazy("Kết thúc cuộc đánh giá"),
            service=audit_close,
            action=permissions.VIEW,
            available=lambda a: a.state == AuditState.REPORTED,
            refusal=close_refusal,
            icon="check",
        ),
        Transition(
            name="cancel",
            label=gettext_lazy("Hủy cuộc đánh giá"),
            service=audit_cancel,
            action=permissions.VIEW,
            available=lambda a: a.state == AuditState.PLANNED,
            refusal=cancel_refusal,
            form_class=CancelForm,
            icon="cross",
            serious=True,
        ),
    )


@hooks.register("register_admin_viewset")
def register_audit_viewsets():
    return [AuditViewSet("audits")]


@hooks.register("register_admin_urls")
def register_audit_urls():
    return [
        path(
            "audits/<int:audit_id>/procedures/<int:page_id>/",
            views.audit_procedure,
            name="audit_procedure",
        )
    ]
