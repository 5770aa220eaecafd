"""Admin wiring of the yearly audit programme and its entries ("Chương trình đánh giá", in the
"Đánh giá nội bộ" group).

Programmes: list (year, scope, state, objectives, progress "3/8 đã thực hiện", gap count), filters
(scope subtree, year, state), add and edit a draft through ``programme_save``, inspect (the
entries with their priority and reasons, the progress per quarter, the coverage matrix units ×
clauses 4–10 with its legend and the gap lists), transitions approve, return to draft and refresh
priorities, history, XLSX/CSV export.

Entries ("Cuộc đánh giá dự kiến", reached from the programme's page): list with priority and
reasons, add (``?programme=<id>`` chooses the programme) and edit through ``entry_save`` while the
programme is a draft, delete through ``entry_delete``, the transition "schedule" (plan the audit
prefilled from the entry, or link an existing one), history, export.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from audits.models import (
    QUARTER_CHOICES,
    Audit,
    AuditProgramme,
    Clause,
    EntryPriority,
    ProgrammeEntry,
    ProgrammeState,
)
from audits.rules_audits import AUDIT
from audits.rules_programme import APPROVE, ENTRY, PROGRAMME, REOPEN
from audits.selectors_programme import (
    entries_with_scope,
    entry_status,
    programme_entries,
    quarter_bounds,
    summaries,
)
from audits.services.programme import (
    ROMAN,
    approve_refusal,
    change_refusal,
    entry_change_refusal,
    entry_delete,
    entry_save,
    entry_schedule,
    linkable_audits,
    programme_approve,
    programme_refresh_priorities,
    programme_reopen,
    programme_save,
    refresh_refusal,
    reopen_refusal,
    schedule_refusal,
)
from audits.wagtail_hooks.audits import _auditors_offered
from audits.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY, format_moment
from qms.filters import AgencySubtreeFilter
from qms.models import AdministrativeProcedure
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
    TransitionView,
)

permissions.register_policy(AuditProgramme, PROGRAMME)
permissions.register_policy(ProgrammeEntry, ENTRY)

STATUS_LABELS = {
    "planned": gettext_lazy("Chưa lập cuộc đánh giá"),
    "scheduled": gettext_lazy("Đã lập kế hoạch"),
    "done": gettext_lazy("Đã thực hiện"),
    "cancelled": gettext_lazy("Đã hủy"),
}
PRIORITY_CLASSES = {
    EntryPriority.HIGH: "qms-priority-high",
    EntryPriority.MEDIUM: "qms-priority-medium",
    EntryPriority.NORMAL: "qms-priority-normal",
}


def _datetime(value) -> str:
    return format_moment(value)


def _state_label(p) -> str:
    return ProgrammeState(p.state).label


def _quarter_label(quarter) -> str:
    return _("Quý %(q)s") % {"q": ROMAN[quarter]}


def _priority_label(e) -> str:
    return EntryPriority(e.priority).label


def _reasons_label(e) -> str:
    return "; ".join(e.priority_reasons or []) or EMPTY


def _status_label(e) -> str:
    return str(STATUS_LABELS[entry_status(e)])


def _audit_label(e) -> str:
    return e.audit.code if e.audit_id else EMPTY


def _summary(programme):
    summary = getattr(programme, "_summary", None)
    if summary is None:
        summary = summaries([programme])[programme.pk]
        programme._summary = summary
    return summary


def _progress_label(programme) -> str:
    progress = _summary(programme)[1]
    return _("%(done)d/%(planned)d đã thực hiện") % {
        "done": progress.done,
        "planned": progress.planned,
    }


def _gaps_label(programme) -> str:
    coverage = _summary(programme)[0]
    if not coverage.gap_count:
        return _("Không có khoảng trống")
    return _("%(count)d khoảng trống") % {"count": coverage.gap_count}


def _short(text: str, size: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


# --- Programmes ---------------------------------------------------------------------------------


class ProgrammeFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=PROGRAMME)
    year = django_filters.NumberFilter(label=gettext_lazy("Năm"))
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=ProgrammeState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = AuditProgramme
        fields = []


class ProgrammeIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent", "created_by")
            .annotate(entry_count=Count("entries"))
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_inspect_url(instance)

        return column_class("year", label=_("Năm"), accessor="year", get_url=get_url)

    def paginate_queryset(self, queryset, page_size):
        # The page's progress and gaps in a fixed number of queries (not one batch per row).
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        object_list = list(object_list)
        for programme in object_list:
            programme._summary = None
        found = summaries(object_list)
        for programme in object_list:
            programme._summary = found[programme.pk]
        return paginator, page, object_list, is_paginated

    def as_spreadsheet(self, queryset, spreadsheet_format):
        rows = list(queryset)
        found = summaries(rows)
        for programme in rows:
            programme._summary = found[programme.pk]
        return super().as_spreadsheet(rows, spreadsheet_format)

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.state_label = _state_label(item)
        item.progress_label = _progress_label(item)
        item.gaps_label = _gaps_label(item)
        item.preparer_label = person_name(item.created_by) if item.created_by_id else EMPTY
        item.approved_label = _datetime(item.approved_at)
        item.objectives_label = item.objectives
        return super().to_row_dict(item)


class ProgrammeInspectView(ScopedInspectView):
    LABELS = {
        "entries": gettext_lazy("Các cuộc đánh giá dự kiến"),
        "progress": gettext_lazy("Tiến độ thực hiện"),
        "coverage": gettext_lazy("Mức độ bao phủ"),
    }

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_approved_by_display_value(self):
        return person_name(self.object.approved_by) if self.object.approved_by_id else EMPTY

    def get_approved_at_display_value(self):
        return _datetime(self.object.approved_at)

    def get_created_at_display_value(self):
        return _datetime(self.object.created_at)

    def _entries(self):
        if not hasattr(self, "_entry_rows"):
            user = self.request.user
            may_change = change_refusal(user, self.object) is None
            rows = []
            for entry in programme_entries(self.object):
                audit = entry.audit
                audit_url = None
                if audit is not None and permissions.has_permission(
                    user, AUDIT, permissions.VIEW, audit
                ):
                    audit_url = reverse("audits:inspect", args=[audit.pk])
                schedule_url = None
                if entry_status(entry) == "planned" and schedule_refusal(user, entry) is None:
                    schedule_url = reverse(
                        "programme_entries:transition", args=[entry.pk, "schedule"]
                    )
                rows.append(
                    {
                        "entry": entry,
                        "quarter": _quarter_label(entry.quarter),
                        "clauses": ", ".join(c.number for c in entry.clauses.all()) or EMPTY,
                        "tthc": ", ".join(t.code for t in entry.administrative_procedures.all())
                        or EMPTY,
                        "priority": _priority_label(entry),
                        "priority_class": PRIORITY_CLASSES[entry.priority],
                        "reasons": entry.priority_reasons,
                        "status": STATUS_LABELS[entry_status(entry)],
                        "audit_url": audit_url,
                        "inspect_url": reverse("programme_entries:inspect", args=[entry.pk]),
                        "edit_url": reverse("programme_entries:edit", args=[entry.pk])
                        if may_change
                        else None,
                        "schedule_url": schedule_url,
                    }
                )
            self._entry_rows = (rows, may_change)
        return self._entry_rows

    def get_entries_display_value(self):
        rows, may_change = self._entries()
        add_url = None
        if may_change:
            add_url = reverse("programme_entries:add") + f"?programme={self.object.pk}"
        return render_to_string(
            "audits/programme/entries.html",
            {"rows": rows, "add_url": add_url},
            request=self.request,
        )

    def get_progress_display_value(self):
        progress = _summary(self.object)[1]
        quarters = [
            {"label": _quarter_label(q), **progress.quarters[q]} for q in sorted(progress.quarters)
        ]
        totals = {
            key: progress.total(key)
            for key in ("planned", "unscheduled", "scheduled", "done", "cancelled")
        }
        return render_to_string(
            "audits/programme/progress.html",
            {"quarters": quarters, "totals": totals, "summary": _progress_label(self.object)},
            request=self.request,
        )

    def get_coverage_display_value(self):
        coverage = _summary(self.object)[0]
        return render_to_string(
            "audits/programme/coverage.html",
            {"coverage": coverage},
            request=self.request,
        )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Ý kiến phê duyệt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do trả về dự thảo để sửa đổi"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProgrammeViewSet(AgencyScopedViewSet):
    model = AuditProgramme
    resource = PROGRAMME
    icon = "date"
    menu_label = gettext_lazy("Chương trình đánh giá")
    menu_hook = MENU_HOOK
    menu_order = 5
    index_view_class = ProgrammeIndexView
    inspect_view_class = ProgrammeInspectView
    filterset_class = ProgrammeFilterSet
    save_service = staticmethod(programme_save)
    change_refusal = staticmethod(change_refusal)
    list_display = [
        "year",
        Column(
            "agency",
            label=gettext_lazy("Phạm vi"),
            accessor=lambda p: p.agency.display_name,
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column(
            "objectives", label=gettext_lazy("Mục tiêu"), accessor=lambda p: _short(p.objectives)
        ),
        Column("progress", label=gettext_lazy("Tiến độ"), accessor=_progress_label),
        Column("gaps", label=gettext_lazy("Khoảng trống bao phủ"), accessor=_gaps_label),
    ]
    ordering = ["-year", "agency__path"]
    search_fields = ["objectives", "agency__name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [FieldPanel("agency"), FieldPanel("year"), FieldPanel("objectives")],
        base_form_class=WagtailAdminModelForm,
    )
    inspect_view_fields = [
        "agency",
        "year",
        "state",
        "objectives",
        "created_by",
        "created_at",
        "approved_by",
        "approved_at",
        "approval_note",
        "progress",
        "entries",
        "coverage",
    ]
    list_export = [
        "year",
        "agency_label",
        "state_label",
        "objectives_label",
        "progress_label",
        "gaps_label",
        "preparer_label",
        "approved_label",
    ]
    export_headings = {
        "year": gettext_lazy("Năm"),
        "agency_label": gettext_lazy("Phạm vi"),
        "state_label": gettext_lazy("Trạng thái"),
        "objectives_label": gettext_lazy("Mục tiêu"),
        "progress_label": gettext_lazy("Tiến độ"),
        "gaps_label": gettext_lazy("Khoảng trống bao phủ"),
        "preparer_label": gettext_lazy("Người lập"),
        "approved_label": gettext_lazy("Phê duyệt lúc"),
    }
    export_filename = "chuong-trinh-danh-gia"
    transitions = (
        Transition(
            name="approve",
            label=gettext_lazy("Phê duyệt"),
            service=programme_approve,
            action=APPROVE,
            available=lambda p: p.state == ProgrammeState.DRAFT,
            refusal=approve_refusal,
            form_class=ApproveForm,
            icon="check",
        ),
        Transition(
            name="reopen",
            label=gettext_lazy("Trả về dự thảo để sửa đổi"),
            service=programme_reopen,
            action=REOPEN,
            available=lambda p: p.state == ProgrammeState.APPROVED,
            refusal=reopen_refusal,
            form_class=ReopenForm,
            icon="undo",
        ),
        Transition(
            name="refresh",
            label=gettext_lazy("Cập nhật mức ưu tiên"),
            service=programme_refresh_priorities,
            action=permissions.VIEW,
            refusal=refresh_refusal,
            confirmation=gettext_lazy(
                "Tính lại mức ưu tiên và lý do của mọi cuộc đánh giá dự kiến từ kết quả gần nhất."
            ),
            icon="rotate",
        ),
    )


# --- Entries ------------------------------------------------------------------------------------


def _draft_programmes(user):
    """Programmes the person may add entries to: drafts in their preparing scope."""
    scope = permissions.scope_q(user, PROGRAMME, [permissions.CHANGE], "agency__path")
    return (
        AuditProgramme.objects.filter(scope, state=ProgrammeState.DRAFT)
        .select_related("agency")
        .order_by("-year", "agency__path")
    )


def _auditees(user):
    return (
        permissions.assignable_agencies(user, ENTRY, permissions.ADD)
        .select_related("parent")
        .order_by("path")
    )


def _programmes_filter(request):
    if request is None:
        return AuditProgramme.objects.none()
    scope = permissions.scope_q(request.user, PROGRAMME, [permissions.VIEW], "agency__path")
    return AuditProgramme.objects.filter(scope).select_related("agency").order_by("-year")


class EntryForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "clauses" in self.fields:
            self.fields["clauses"].queryset = Clause.objects.order_by("sort_key")
        if "administrative_procedures" in self.fields:
            self.fields[
                "administrative_procedures"
            ].queryset = AdministrativeProcedure.objects.order_by("code")
        if "auditee" in self.fields:
            self.fields["auditee"].label_from_instance = lambda a: a.display_name


class EntrySaveMixin:
    """Clauses and TTHC go to the service with the entry (never saved by the form)."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        data = self.form.cleaned_data
        instance = entry_save(
            actor=self.request.user,
            instance=instance,
            clauses=list(data.get("clauses") or []),
            administrative_procedures=list(data.get("administrative_procedures") or []),
        )
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance


class EntryCreateView(EntrySaveMixin, ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        wanted = self.request.GET.get("programme")
        if wanted and wanted.isdigit():
            programme = _draft_programmes(self.request.user).filter(pk=int(wanted)).first()
            if programme is not None:
                initial["programme"] = programme.pk
                initial.setdefault("auditee", programme.agency_id)
        return initial


class EntryEditView(EntrySaveMixin, ScopedEditView):
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get("programme")
        if field is not None and self.object.programme_id:
            field.queryset = (
                field.queryset | AuditProgramme.objects.filter(pk=self.object.programme_id)
            ).distinct()
        return form


class EntryDeleteView(ScopedDeleteView):
    """The refusal of ``entry_delete`` (an approved programme, an entry with its audit) as a
    message on the entry's page, before the confirmation."""

    def dispatch(self, request, *args, **kwargs):
        if not hasattr(self, "object"):
            self.object = self.get_object()
        entry = self.object
        reason = entry_change_refusal(request.user, entry)
        if not reason and entry.audit_id:
            reason = _("“%(entry)s” đã có cuộc đánh giá %(code)s: không xóa được.") % {
                "entry": entry,
                "code": entry.audit.code,
            }
        if reason:
            messages.error(request, reason)
            return redirect(reverse("programme_entries:inspect", args=[entry.pk]))
        return super().dispatch(request, *args, **kwargs)


class EntryFilterSet(WagtailFilterSet):
    programme = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Chương trình"),
        queryset=_programmes_filter,
        empty_label=gettext_lazy("Tất cả"),
    )
    auditee = AgencySubtreeFilter(resource=ENTRY, path_lookup="auditee__path")
    quarter = django_filters.ChoiceFilter(
        label=gettext_lazy("Quý"), choices=QUARTER_CHOICES, empty_label=gettext_lazy("Tất cả")
    )
    priority = django_filters.ChoiceFilter(
        label=gettext_lazy("Mức ưu tiên"),
        choices=EntryPriority.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = ProgrammeEntry
        fields = []


class EntryIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return entries_with_scope(super().get_base_queryset())

    def get_delete_url(self, instance):
        # An approved programme's entry (or one with its audit) is not taken out.
        url = super().get_delete_url(instance)
        return None if url and (self.refusal_for(instance) or instance.audit_id) else url

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_inspect_url(instance)

        return column_class(
            "auditee",
            label=_("Đơn vị được đánh giá"),
            accessor=lambda e: e.auditee.display_name,
            get_url=get_url,
        )

    def to_row_dict(self, item):
        item.programme_label = str(item.programme)
        item.auditee_label = item.auditee.display_name
        item.quarter_label = _quarter_label(item.quarter)
        item.clauses_label = ", ".join(c.number for c in item.clauses.all())
        item.tthc_label = ", ".join(t.code for t in item.administrative_procedures.all())
        item.priority_label = _priority_label(item)
        item.reasons_label = _reasons_label(item)
        item.audit_label = _audit_label(item)
        item.status_label = _status_label(item)
        item.note_label = item.note
        return super().to_row_dict(item)


class EntryInspectView(ScopedInspectView):
    LABELS = {"status": gettext_lazy("Tình trạng")}

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_programme_display_value(self):
        programme = self.object.programme
        url = reverse("audit_programmes:inspect", args=[programme.pk])
        return format_html('<a href="{}">{}</a>', url, str(programme))

    def get_auditee_display_value(self):
        return self.object.auditee.display_name

    def get_quarter_display_value(self):
        return _quarter_label(self.object.quarter)

    def get_clauses_display_value(self):
        return ", ".join(str(c) for c in self.object.clauses.order_by("sort_key")) or EMPTY

    def get_administrative_procedures_display_value(self):
        return (
            "; ".join(str(t) for t in self.object.administrative_procedures.order_by("code"))
            or EMPTY
        )

    def get_priority_display_value(self):
        return _priority_label(self.object)

    def get_priority_reasons_display_value(self):
        return _reasons_label(self.object)

    def get_audit_display_value(self):
        audit = self.object.audit
        if audit is None:
            return EMPTY
        if permissions.has_permission(self.request.user, AUDIT, permissions.VIEW, audit):
            url = reverse("audits:inspect", args=[audit.pk])
            return format_html('<a href="{}">{}</a>', url, str(audit))
        return audit.code

    def get_status_display_value(self):
        return _status_label(self.object)


class ScheduleForm(forms.Form):
    """Plan the audit from the entry (lead auditor, dates inside the quarter, an optional code),
    or link an audit already planned for the auditee that year."""

    audit = forms.ModelChoiceField(
        label=gettext_lazy("Gắn với cuộc đánh giá đã lập"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Để trống để lập cuộc đánh giá mới theo các thông tin dưới đây."),
    )
    lead_auditor = forms.ModelChoiceField(
        label=gettext_lazy("Trưởng đoàn đánh giá"),
        queryset=get_user_model().objects.none(),
        required=False,
    )
    planned_start = forms.DateField(
        label=gettext_lazy("Ngày bắt đầu dự kiến"), required=False, widget=AdminDateInput
    )
    planned_end = forms.DateField(
        label=gettext_lazy("Ngày kết thúc dự kiến"), required=False, widget=AdminDateInput
    )
    code = forms.CharField(
        label=gettext_lazy("Số hiệu cuộc đánh giá"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Để trống để hệ thống tự đặt số hiệu."),
    )

    def __init__(self, *args, entry=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audit"].queryset = linkable_audits(entry) if entry else Audit.objects.none()
        self.fields["lead_auditor"].queryset = _auditors_offered(user)
        self.fields["lead_auditor"].label_from_instance = person_name


class EntryTransitionView(TransitionView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.transition.form_class is ScheduleForm:
            kwargs.update(entry=self.object, user=self.request.user)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.transition.form_class is ScheduleForm:
            first, _last = quarter_bounds(self.object.programme.year, self.object.quarter)
            initial.update(planned_start=first, planned_end=first)
        return initial


class EntryViewSet(AgencyScopedViewSet):
    model = ProgrammeEntry
    resource = ENTRY
    icon = "date"
    add_to_admin_menu = False
    index_view_class = EntryIndexView
    add_view_class = EntryCreateView
    edit_view_class = EntryEditView
    delete_view_class = EntryDeleteView
    inspect_view_class = EntryInspectView
    transition_view_class = EntryTransitionView
    filterset_class = EntryFilterSet
    change_refusal = staticmethod(entry_change_refusal)
    delete_service = staticmethod(entry_delete)
    field_scopes = {"programme": _draft_programmes, "auditee": _auditees}
    list_display = [
        "auditee",
        Column(
            "programme", label=gettext_lazy("Chương trình"), accessor=lambda e: str(e.programme)
        ),
        Column("quarter", label=gettext_lazy("Quý"), accessor=lambda e: _quarter_label(e.quarter)),
        Column("priority", label=gettext_lazy("Mức ưu tiên"), accessor=_priority_label),
        Column("reasons", label=gettext_lazy("Lý do ưu tiên"), accessor=_reasons_label),
        Column("status", label=gettext_lazy("Tình trạng"), accessor=_status_label),
        Column("audit", label=gettext_lazy("Cuộc đánh giá"), accessor=_audit_label),
        Column("note", label=gettext_lazy("Ghi chú"), accessor=lambda e: _short(e.note) or EMPTY),
    ]
    ordering = ["-programme__year", "quarter", "auditee__path", "pk"]
    search_fields = ["note", "auditee__name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("programme"),
            FieldPanel("auditee"),
            FieldPanel("quarter"),
            FieldPanel("clauses"),
            FieldPanel("administrative_procedures"),
            FieldPanel("note"),
        ],
        base_form_class=EntryForm,
    )
    inspect_view_fields = [
        "programme",
        "auditee",
        "quarter",
        "clauses",
        "administrative_procedures",
        "note",
        "priority",
        "priority_reasons",
        "status",
        "audit",
    ]
    list_export = [
        "programme_label",
        "auditee_label",
        "quarter_label",
        "clauses_label",
        "tthc_label",
        "priority_label",
        "reasons_label",
        "status_label",
        "audit_label",
        "note_label",
    ]
    export_headings = {
        "programme_label": gettext_lazy("Chương trình"),
        "auditee_label": gettext_lazy("Đơn vị được đánh giá"),
        "quarter_label": gettext_lazy("Quý"),
        "clauses_label": gettext_lazy("Điều khoản"),
        "tthc_label": gettext_lazy("Thủ tục hành chính"),
        "priority_label": gettext_lazy("Mức ưu tiên"),
        "reasons_label": gettext_lazy("Lý do ưu tiên"),
        "status_label": gettext_lazy("Tình trạng"),
        "audit_label": gettext_lazy("Cuộc đánh giá"),
        "note_label": gettext_lazy("Ghi chú"),
    }
    export_filename = "cuoc-danh-gia-du-kien"
    transitions = (
        Transition(
            name="schedule",
            label=gettext_lazy("Lập cuộc đánh giá"),
            service=entry_schedule,
            available=lambda e: e.audit_id is None and e.programme.state == ProgrammeState.APPROVED,
            refusal=schedule_refusal,
            form_class=ScheduleForm,
            icon="calendar",
        ),
    )


@hooks.register("register_admin_viewset")
def register_programme_viewsets():
    return [ProgrammeViewSet("audit_programmes"), EntryViewSet("programme_entries")]
