"""Admin wiring of corrective actions ("Hành động khắc phục", in the "Đánh giá nội bộ" group): list
(code, finding, agency, owner, due date, state in words, "Quá hạn N ngày"), filters (agency
subtree, state, overdue, mine, clause and source of the finding), XLSX, add from a finding
(``corrective_actions:add?finding=<pk>``) through ``action_open``, edit of the assignment through
``action_update``, inspect (the finding's description, evidence and clause, the five whys, the
fishbone by category, plan, evidence files, verification, the steps "who moved it, when"), the
transitions (analyse, plan, implement, verify, close) and history.

Evidence files are opened through ``corrective_action_evidence`` (whoever may read the action),
since the owner and the verifier need not read the agency's collection."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
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
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from audits.models import (
    NONCONFORMITY_KINDS,
    OPEN_STATES,
    ActionState,
    Audit,
    CauseCategory,
    Clause,
    CorrectiveAction,
    Finding,
    FindingSource,
    FindingState,
)
from audits.rules_actions import ACTION
from audits.selectors_actions import overdue_label, overdue_q, owners_offered, with_overdue
from audits.selectors_auditors import qualified_auditors
from audits.services.actions import (
    action_analyse_cause,
    action_close,
    action_implement,
    action_open,
    action_plan,
    action_update,
    action_verify,
    change_refusal,
    close_refusal,
    earliest_verification,
    owner_or_officer_refusal,
    owner_refusal,
    verify_refusal,
)
from audits.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY, format_day, format_moment
from qms.filters import AgencySubtreeFilter
from qms.models import Agency, Role
from qms.models.agencies import subtree_q
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
    TransitionView,
)

permissions.register_policy(CorrectiveAction, ACTION)


def _when(moment) -> str:
    return format_moment(moment)


def _state_label(action) -> str:
    return ActionState(action.state).label


def _agency_label(action) -> str:
    return action.finding.agency.display_name


def _finding_label(action) -> str:
    return action.finding.code


def _owner_label(action) -> str:
    return person_name(action.owner)


def _due_label(action) -> str:
    return format_day(action.due_date)


# --- What the forms offer ------------------------------------------------------------------


def _keeper_agencies(user) -> list[Agency]:
    return [
        m.agency
        for m in permissions.active_memberships(user)
        if m.role in (Role.OFFICER, Role.LEADER)
    ]


def findings_offered(user):
    """Nonconformities not closed for which ``user`` may open an action: of the agencies where
    they are an officer or leader (and units inside), or of an open audit they lead."""
    rows = Finding.objects.filter(kind__in=NONCONFORMITY_KINDS).exclude(state=FindingState.CLOSED)
    if not permissions.is_admin(user):
        paths = [a.path for a in _keeper_agencies(user)]
        led = Audit.objects.filter(lead_auditor=user, state__in=OPEN_STATES)
        query = Q(audit__in=led)
        if paths:
            query |= subtree_q(paths, "agency__path")
        rows = rows.filter(query)
    return rows.select_related("agency").order_by("-raised_on", "-pk")


def _verifiers_offered(user, finding=None):
    """Qualified internal auditors of the agencies where ``user`` may open actions, and the team
    of the finding's audit (a department's action is usually verified by the auditor of the city
    who raised it; the auditee's officers already read that team on the audit's page). Nobody
    else's names are shown; the service refuses anyone not independent of the owner's unit."""
    today = timezone.localdate()
    if permissions.is_admin(user):
        return qualified_auditors(today)
    offered = qualified_auditors(
        today, agencies=list(permissions.assignable_agencies(user, ACTION, permissions.ADD))
    )
    if finding is not None and finding.audit_id:
        team = qualified_auditors(today).filter(audit_team_memberships__audit_id=finding.audit_id)
        offered = (offered | team).distinct()
    return offered


class ActionForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("owner", "verifier"):
            if name in self.fields:
                self.fields[name].label_from_instance = person_name
        if "finding" in self.fields:
            self.fields["finding"].label_from_instance = lambda f: (
                f"{f.code} – {f.get_kind_display()} ({f.agency.name})"
            )


class ActionFormMixin:
    def _finding(self, form):
        if getattr(self, "object", None) is not None and self.object.pk:
            return self.object.finding
        pk = (form.data.get("finding") if form.is_bound else None) or self.request.GET.get(
            "finding"
        )
        if pk and str(pk).isdigit():
            return form.fields["finding"].queryset.filter(pk=pk).first()
        return None

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        user = self.request.user
        editing = getattr(self, "object", None) is not None and self.object.pk
        if "finding" in form.fields:
            if editing:
                form.fields["finding"].queryset = Finding.objects.filter(pk=self.object.finding_id)
                form.fields["finding"].disabled = True
            else:
                form.fields["finding"].queryset = findings_offered(user)
        finding = self._finding(form)
        if finding is not None and not form.is_bound and not editing:
            form.initial["finding"] = finding.pk
        if "owner" in form.fields:
            agencies = [finding.agency] if finding is not None else _keeper_agencies(user)
            if permissions.is_admin(user) and finding is None:
                agencies = list(Agency.objects.filter(parent=None))
            owners = owners_offered(agencies)
            if editing:
                current = get_user_model().objects.filter(pk=self.object.owner_id)
                owners = (owners | current).distinct()
            form.fields["owner"].queryset = owners
        if "verifier" in form.fields:
            verifiers = _verifiers_offered(user, finding)
            if editing and self.object.verifier_id:
                current = get_user_model().objects.filter(pk=self.object.verifier_id)
                verifiers = (verifiers | current).distinct()
            form.fields["verifier"].queryset = verifiers
        return form


class ActionCreateView(ActionFormMixin, ScopedCreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance = action_open(
            actor=self.request.user,
            finding=instance.finding,
            owner=instance.owner,
            due_date=instance.due_date,
            correction=instance.correction,
            verifier=instance.verifier,
            verification_wait_days=instance.verification_wait_days,
        )
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance


class ActionEditView(ActionFormMixin, ScopedEditView):
    save_service = staticmethod(action_update)

    def save_instance(self):
        instance = self.form.save(commit=False)
        instance = action_update(actor=self.request.user, instance=instance)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance


# --- List ----------------------------------------------------------------------------------


def _top_clauses(request):
    return Clause.objects.filter(parent=None).order_by("sort_key")


class ActionFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=ACTION, path_lookup="finding__agency__path")
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=ActionState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    overdue = django_filters.ChoiceFilter(
        label=gettext_lazy("Quá hạn"),
        choices=[("yes", gettext_lazy("Quá hạn")), ("no", gettext_lazy("Không quá hạn"))],
        empty_label=gettext_lazy("Tất cả"),
        method="filter_overdue",
    )
    mine = django_filters.ChoiceFilter(
        label=gettext_lazy("Của tôi"),
        choices=[
            ("owner", gettext_lazy("Tôi thực hiện")),
            ("verifier", gettext_lazy("Tôi xác nhận hiệu lực")),
        ],
        empty_label=gettext_lazy("Tất cả"),
        method="filter_mine",
    )
    clause = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Điều khoản (cả điều khoản con)"),
        queryset=_top_clauses,
        method="filter_clause",
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Nguồn của phát hiện"),
        field_name="finding__source",
        choices=FindingSource.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = CorrectiveAction
        fields = []

    def filter_overdue(self, queryset, name, value):
        late = overdue_q(timezone.localdate())
        if value == "yes":
            return queryset.filter(late)
        if value == "no":
            return queryset.exclude(late)
        return queryset

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value == "owner":
            return queryset.filter(owner=user)
        if value == "verifier":
            return queryset.filter(verifier=user)
        return queryset

    def filter_clause(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(finding__clause__number=value.number)
            | Q(finding__clause__number__startswith=f"{value.number}.")
        )


class ActionIndexView(ScopedIndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("finding__agency__parent", "owner")
        return with_overdue(queryset, timezone.localdate())

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_inspect_url(instance)

        return column_class("code", label=_("Số hiệu"), accessor="code", get_url=get_url)

    def to_row_dict(self, item):
        item.finding_label = _finding_label(item)
        item.agency_label = _agency_label(item)
        item.owner_label = _owner_label(item)
        item.due_label = _due_label(item)
        item.state_label = _state_label(item)
        item.overdue_label = overdue_label(item)
        return super().to_row_dict(item)


# --- Inspect -------------------------------------------------------------------------------


def _lines(items) -> str:
    items = [i for i in items if i]
    if not items:
        return EMPTY
    return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


def fishbone_table(fishbone) -> str:
    rows = [
        (label, "; ".join(fishbone.get(key) or []))
        for key, label in CauseCategory.choices
        if fishbone.get(key)
    ]
    if not rows:
        return EMPTY
    return format_html(
        '<table class="listing"><thead><tr><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("Nhóm nguyên nhân"),
        _("Nguyên nhân"),
        format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
    )


def steps_table(action) -> str:
    steps = action.steps.select_related("actor").order_by("at", "pk")
    rows = [
        (
            person_name(s.actor) if s.actor_id else EMPTY,
            ActionState(s.from_state).label if s.from_state else EMPTY,
            ActionState(s.to_state).label,
            _when(s.at),
            s.note or EMPTY,
        )
        for s in steps
    ]
    if not rows:
        return EMPTY
    return format_html(
        '<table class="listing"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("Ai"),
        _("Từ trạng thái"),
        _("Sang trạng thái"),
        _("Khi nào"),
        _("Ghi chú"),
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rows,
        ),
    )


class ActionInspectView(ScopedInspectView):
    LABELS = {
        "overdue": gettext_lazy("Quá hạn"),
        "finding_kind": gettext_lazy("Loại phát hiện"),
        "finding_description": gettext_lazy("Mô tả điểm không phù hợp"),
        "finding_evidence": gettext_lazy("Bằng chứng đánh giá"),
        "clause": gettext_lazy("Điều khoản"),
        "agency": gettext_lazy("Cơ quan, đơn vị"),
        "earliest_verification": gettext_lazy("Xác nhận hiệu lực sớm nhất từ ngày"),
        "steps": gettext_lazy("Ai chuyển trạng thái, khi nào"),
    }

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        return (
            with_overdue(CorrectiveAction.objects.filter(pk=obj.pk))
            .select_related("finding__agency", "finding__clause", "owner", "owner_unit", "verifier")
            .get()
        )

    def get_field_label(self, field_name, field):
        label = self.LABELS.get(field_name)
        return str(label) if label else super().get_field_label(field_name, field)

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_overdue_display_value(self):
        return overdue_label(self.object) or _("Không")

    def get_finding_display_value(self):
        return str(self.object.finding.code)

    def get_finding_kind_display_value(self):
        return self.object.finding.get_kind_display()

    def get_finding_description_display_value(self):
        return self.object.finding.description or EMPTY

    def get_finding_evidence_display_value(self):
        return self.object.finding.evidence or EMPTY

    def get_clause_display_value(self):
        clause = self.object.finding.clause
        return str(clause) if clause else EMPTY

    def get_agency_display_value(self):
        return self.object.finding.agency.display_name

    def get_owner_display_value(self):
        return person_name(self.object.owner)

    def get_owner_unit_display_value(self):
        return self.object.owner_unit.display_name

    def get_verifier_display_value(self):
        return person_name(self.object.verifier) if self.object.verifier_id else EMPTY

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_due_date_display_value(self):
        return format_day(self.object.due_date)

    def get_whys_display_value(self):
        return _lines(self.object.whys or [])

    def get_fishbone_display_value(self):
        return fishbone_table(self.object.fishbone or {})

    def get_evidence_documents_display_value(self):
        documents = list(self.object.evidence_documents.order_by("pk"))
        if not documents:
            return EMPTY
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                (
                    (
                        reverse("corrective_action_evidence", args=[self.object.pk, d.pk]),
                        d.title,
                    )
                    for d in documents
                ),
            ),
        )

    def get_implemented_at_display_value(self):
        return _when(self.object.implemented_at)

    def get_earliest_verification_display_value(self):
        return format_day(earliest_verification(self.object))

    def get_verified_at_display_value(self):
        return _when(self.object.verified_at)

    def get_closed_at_display_value(self):
        return _when(self.object.closed_at)

    def get_steps_display_value(self):
        return steps_table(self.object)


# --- Transitions ---------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AnalyseForm(forms.Form):
    why_1 = forms.CharField(label=gettext_lazy("Tại sao? (1)"), required=False)
    why_2 = forms.CharField(label=gettext_lazy("Tại sao? (2)"), required=False)
    why_3 = forms.CharField(label=gettext_lazy("Tại sao? (3)"), required=False)
    why_4 = forms.CharField(label=gettext_lazy("Tại sao? (4)"), required=False)
    why_5 = forms.CharField(label=gettext_lazy("Tại sao? (5)"), required=False)
    root_cause = forms.CharField(
        label=gettext_lazy("Nguyên nhân gốc rễ"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in CauseCategory.choices:
            self.fields[f"fish_{key}"] = forms.CharField(
                label=_("Xương cá – %(category)s") % {"category": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Mỗi nguyên nhân một dòng."),
            )

    def clean(self):
        data = super().clean()
        return {
            "whys": [data.get(f"why_{i}", "") for i in range(1, 6)],
            "fishbone": {
                key: (data.get(f"fish_{key}") or "").splitlines()
                for key in CauseCategory.values
                if (data.get(f"fish_{key}") or "").strip()
            },
            "root_cause": data.get("root_cause", ""),
        }


class PlanForm(forms.Form):
    plan = forms.CharField(
        label=gettext_lazy("Kế hoạch hành động"), widget=forms.Textarea(attrs={"rows": 4})
    )
    due_date = forms.DateField(label=gettext_lazy("Hạn hoàn thành"), widget=AdminDateInput)


class ImplementForm(forms.Form):
    implementation = forms.CharField(
        label=gettext_lazy("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(label=gettext_lazy("Tệp bằng chứng"), required=False)


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=gettext_lazy("Kết luận"),
        choices=[
            ("1", gettext_lazy("Có hiệu lực")),
            ("0", gettext_lazy("Chưa có hiệu lực: lập lại kế hoạch")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Ý kiến xác nhận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ActionTransitionView(TransitionView):
    """The transition page, able to send files (the evidence of implementation)."""

    template_name = "audits/action_transition.html"

    def get_initial(self):
        """What the action already says (a plan revised after an ineffective verification starts
        from the previous one; the due date from the assignment)."""
        initial = super().get_initial()
        if self.transition.form_class is PlanForm:
            initial.update(plan=self.object.plan, due_date=self.object.due_date)
        return initial

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        return CorrectiveAction.objects.select_related(
            "finding__agency", "finding__audit", "owner", "verifier", "owner_unit"
        ).get(pk=obj.pk)


# --- Evidence files --------------------------------------------------------------------------


def action_evidence(request, action_id, document_id):
    """An evidence file of an action, for whoever may read the action (404 for anyone else)."""
    action = get_object_or_404(CorrectiveAction.objects.select_related("finding"), pk=action_id)
    user = request.user
    if not any(
        permissions.has_permission(user, ACTION, a, action)
        for a in (permissions.VIEW, permissions.CHANGE)
    ):
        raise Http404
    document = action.evidence_documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=document.filename)
    response["Cache-Control"] = "private, no-store"
    return response


# --- The viewset ----------------------------------------------------------------------------


class ActionViewSet(AgencyScopedViewSet):
    model = CorrectiveAction
    resource = ACTION
    icon = "warning"
    menu_label = gettext_lazy("Hành động khắc phục")
    menu_hook = MENU_HOOK
    menu_order = 40
    index_view_class = ActionIndexView
    add_view_class = ActionCreateView
    edit_view_class = ActionEditView
    inspect_view_class = ActionInspectView
    transition_view_class = ActionTransitionView
    filterset_class = ActionFilterSet
    change_refusal = staticmethod(change_refusal)
    list_display = [
        "code",
        Column("finding", label=gettext_lazy("Phát hiện"), accessor=_finding_label),
        Column("agency", label=gettext_lazy("Cơ quan, đơn vị"), accessor=_agency_label),
        Column("owner", label=gettext_lazy("Người thực hiện"), accessor=_owner_label),
        Column(
            "due_date",
            label=gettext_lazy("Hạn hoàn thành"),
            accessor=_due_label,
            sort_key="due_date",
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column("overdue", label=gettext_lazy("Quá hạn"), accessor=overdue_label),
    ]
    ordering = ["due_date", "pk"]
    search_fields = ["code", "finding__code"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("finding", widget=forms.Select),
            FieldPanel("owner", widget=forms.Select),
            FieldPanel("due_date"),
            FieldPanel("correction"),
            FieldPanel("verifier", widget=forms.Select),
            FieldPanel("verification_wait_days"),
        ],
        base_form_class=ActionForm,
    )
    inspect_view_fields = [
        "code",
        "state",
        "overdue",
        "finding",
        "finding_kind",
        "agency",
        "clause",
        "finding_description",
        "finding_evidence",
        "correction",
        "owner",
        "owner_unit",
        "due_date",
        "whys",
        "fishbone",
        "root_cause",
        "plan",
        "implementation",
        "evidence_documents",
        "implemented_at",
        "verifier",
        "verification_wait_days",
        "earliest_verification",
        "verified_at",
        "verification_note",
        "closed_at",
        "created_by",
        "steps",
    ]
    list_export = [
        "code",
        "finding_label",
        "agency_label",
        "owner_label",
        "due_label",
        "state_label",
        "overdue_label",
    ]
    export_headings = {
        "code": gettext_lazy("Số hiệu"),
        "finding_label": gettext_lazy("Phát hiện"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "owner_label": gettext_lazy("Người thực hiện"),
        "due_label": gettext_lazy("Hạn hoàn thành"),
        "state_label": gettext_lazy("Trạng thái"),
        "overdue_label": gettext_lazy("Quá hạn"),
    }
    export_filename = "hanh-dong-khac-phuc"
    transitions = (
        Transition(
            name="analyse",
            label=gettext_lazy("Phân tích nguyên nhân"),
            service=action_analyse_cause,
            action=permissions.VIEW,
            available=lambda a: a.state == ActionState.OPEN,
            refusal=owner_or_officer_refusal,
            form_class=AnalyseForm,
            icon="search",
        ),
        Transition(
            name="plan",
            label=gettext_lazy("Lập kế hoạch"),
            service=action_plan,
            action=permissions.VIEW,
            available=lambda a: a.state in (ActionState.CAUSE_ANALYSED, ActionState.ACTION_PLANNED),
            refusal=owner_or_officer_refusal,
            form_class=PlanForm,
            icon="list-ul",
        ),
        Transition(
            name="implement",
            label=gettext_lazy("Báo cáo đã thực hiện"),
            service=action_implement,
            action=permissions.VIEW,
            available=lambda a: a.state == ActionState.ACTION_PLANNED,
            refusal=owner_refusal,
            form_class=ImplementForm,
            icon="doc-full",
        ),
        Transition(
            name="verify",
            label=gettext_lazy("Xác nhận hiệu lực"),
            service=action_verify,
            action=permissions.VIEW,
            available=lambda a: a.state == ActionState.IMPLEMENTED,
            refusal=verify_refusal,
            form_class=VerifyForm,
            icon="check",
        ),
        Transition(
            name="close",
            label=gettext_lazy("Đóng"),
            service=action_close,
            action=permissions.VIEW,
            available=lambda a: a.state == ActionState.VERIFIED_EFFECTIVE,
            refusal=close_refusal,
            icon="lock",
        ),
    )


@hooks.register("register_admin_viewset")
def register_action_viewsets():
    return [ActionViewSet("corrective_actions")]


@hooks.register("register_admin_urls")
def register_action_urls():
    return [
        path(
            "corrective-actions/<int:action_id>/evidence/<int:document_id>/",
            action_evidence,
            name="corrective_action_evidence",
        )
    ]
