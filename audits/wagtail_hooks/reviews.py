"""Admin wiring of management reviews ("Xem xét của lãnh đạo", ISO 9001 clause 9.3, in the
"Hệ thống chất lượng" group):

- list: title, agency, period, the day held (or planned), state, the number of findings raised;
  filters (agency subtree, state, year), search by title, XLSX/CSV;
- add and edit a planned review (agency, title, period, planned day, chair, attendees, others)
  through ``review_save``; a held review is not edited (its minutes are what was decided);
- inspect: the inputs of 9.3.2 section by section (compiled live "as of today" while planned,
  frozen the day held), the attendees, the decisions, the findings raised (linked), the button
  "Biên bản (PDF)" (``audits/reviews_minutes.py``);
- transitions "Ghi nhận cuộc họp" (``review_hold``: the day, the decisions, the resource needs,
  the attendees preselected) and "Ghi nhận điểm không phù hợp" (``review_raise_finding``);
- history.
"""

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.template.loader import render_to_string
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
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from audits.models import (
    Clause,
    FindingKind,
    FindingState,
    ManagementReview,
    ReviewState,
)
from audits.reviews_minutes import minutes_view
from audits.rules_findings import FINDING
from audits.rules_reviews import REVIEW
from audits.selectors_reviews import inputs_of
from audits.services.reviews import (
    edit_refusal,
    hold_refusal,
    raise_refusal,
    review_hold,
    review_raise_finding,
    review_save,
)
from audits.wagtail_hooks.menu import SYSTEM_MENU_HOOK
from qms import permissions
from qms.display import EMPTY, format_day, format_moment
from qms.filters import AgencySubtreeFilter
from qms.models import Membership, Role
from qms.people import person_label, person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
    TransitionView,
)

permissions.register_policy(ManagementReview, REVIEW)


def _when(moment) -> str:
    return format_moment(moment)


def _state_label(review) -> str:
    return ReviewState(review.state).label


def _period_label(review) -> str:
    return f"{format_day(review.period_start)} – {format_day(review.period_end)}"


def _meeting_label(review) -> str:
    """The day held, or the planned day marked as such."""
    if review.state == ReviewState.HELD and review.held_on:
        return format_day(review.held_on)
    return _("%(day)s (dự kiến)") % {"day": format_day(review.planned_on)}


def _chair_label(review) -> str:
    return person_name(review.chair) if review.chair_id else EMPTY


# --- Who is offered as chair and attendees --------------------------------------------------------


def _people_offered(user, *, agency=None, leaders=False, current=()):
    """Active people of the agencies where ``user`` keeps the reviews (never anyone else's staff
    list); with ``agency``, only its members, its units' and those of the bodies above it; with
    ``leaders``, only leaders. ``current`` (already chosen) stay offered."""
    members = Membership.objects.active().filter(
        permissions.scope_q(user, REVIEW, [permissions.ADD], "agency__path", relations=False),
        user__is_active=True,
    )
    if leaders:
        members = members.filter(role=Role.LEADER)
    heads = Q(role__in=(Role.LEADER, Role.OFFICER))
    if agency is not None:
        # Everyone of the agency and of the bodies above it; of its units, the leaders and the
        # ISO officers (a city's list would otherwise hold every department's staff).
        members = members.filter(
            Q(agency=agency)
            | Q(agency_id__in=agency.ancestor_ids())
            | (Q(agency__path__startswith=agency.path) & heads)
        )
    else:
        own = [m.agency_id for m in permissions.active_memberships(user)]
        members = members.filter(Q(agency_id__in=own) | heads)
    chosen = set(members.values_list("user_id", flat=True)) | {pk for pk in current if pk}
    return (
        get_user_model()
        .objects.filter(pk__in=chosen)
        .order_by("last_name", "first_name", "username")
    )


# --- Add and edit -------------------------------------------------------------------------------


class ReviewForm(WagtailAdminModelForm):
    """The period checked here, in the service's words (the model's constraint would otherwise
    answer first, naming the constraint instead of the dates)."""

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error(
                "period_end",
                _("Kỳ xem xét kết thúc ngày %(end)s, trước ngày bắt đầu %(start)s.")
                % {"end": format_day(end), "start": format_day(start)},
            )
        return data


class ReviewSaveMixin:
    """The review and its attendees go to ``review_save`` together (checked before anything is
    written); chair and attendees are chosen among the people the person keeps reviews for."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        instance = review_save(
            actor=self.request.user,
            instance=instance,
            attendees=self.form.cleaned_data.get("attendees"),
        )
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        user = self.request.user
        review = getattr(self, "object", None)
        editing = review is not None and review.pk
        if "chair" in form.fields:
            current = [review.chair_id] if editing else []
            form.fields["chair"].queryset = _people_offered(user, leaders=True, current=current)
            form.fields["chair"].label_from_instance = person_label
        if "attendees" in form.fields:
            current = list(review.attendees.values_list("pk", flat=True)) if editing else []
            form.fields["attendees"].queryset = _people_offered(
                user, agency=review.agency if editing else None, current=current
            )
            form.fields["attendees"].label_from_instance = person_label
        return form


class ReviewCreateView(ReviewSaveMixin, ScopedCreateView):
    pass


class ReviewEditView(ReviewSaveMixin, ScopedEditView):
    pass


# --- List ---------------------------------------------------------------------------------------


class ReviewFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=REVIEW)
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=ReviewState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    year = django_filters.NumberFilter(label=gettext_lazy("Năm họp"), method="filter_year")

    class Meta:
        model = ManagementReview
        fields = []

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        year = int(value)
        return queryset.filter(
            Q(held_on__year=year) | Q(held_on__isnull=True, planned_on__year=year)
        )


class ReviewIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent", "chair")
            .annotate(findings_count=Count("findings"))
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)
        return column_class(
            "title",
            label=_("Tên cuộc họp"),
            accessor=lambda r: r.title,
            get_url=lambda r: self.get_inspect_url(r),
        )

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.period_label = _period_label(item)
        item.planned_label = format_day(item.planned_on)
        item.held_label = format_day(item.held_on)
        item.state_label = _state_label(item)
        item.chair_label = _chair_label(item)
        item.findings_label = item.findings_count
        return super().to_row_dict(item)


# --- Inspect ------------------------------------------------------------------------------------


def _inputs_caption(review, inputs, today) -> str:
    if review.state == ReviewState.HELD:
        try:
            day = datetime.date.fromisoformat(inputs.get("as_of") or "")
        except ValueError:
            day = review.held_on
        return _("Đầu vào đã chốt ngày %(day)s") % {"day": format_day(day)}
    return _("Tổng hợp đến hôm nay %(day)s") % {"day": format_day(today)}


class ReviewInspectView(ScopedInspectView):
    LABELS = {
        "period": gettext_lazy("Kỳ xem xét"),
        "findings": gettext_lazy("Vấn đề nêu tại cuộc họp"),
        "inputs": gettext_lazy("Đầu vào xem xét (điều 9.3.2)"),
    }
    # Shown once the review is held (the outputs of the meeting).
    HELD_ONLY = frozenset({"decisions", "resource_needs", "findings", "inputs_compiled_at"})

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_fields_context(self):
        held = self.object.state == ReviewState.HELD
        return [
            self.get_context_for_field(name)
            for name in self.fields
            if held or name not in self.HELD_ONLY
        ]

    def get_header_more_buttons(self):
        minutes = Button(
            _("Biên bản (PDF)"),
            url=reverse("management_review_minutes_pdf", args=[self.object.pk]),
            icon_name="doc-full",
            priority=90,
        )
        return sorted([*super().get_header_more_buttons(), minutes])

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_period_display_value(self):
        return _period_label(self.object)

    def get_planned_on_display_value(self):
        return format_day(self.object.planned_on)

    def get_held_on_display_value(self):
        return format_day(self.object.held_on) if self.object.held_on else _("Chưa họp")

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_chair_display_value(self):
        return _chair_label(self.object)

    def get_attendees_display_value(self):
        people = list(self.object.attendees.order_by("last_name", "first_name", "username"))
        if not people:
            return EMPTY
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((person_name(p),) for p in people))
        )

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_inputs_compiled_at_display_value(self):
        return _when(self.object.inputs_compiled_at)

    def get_inputs_display_value(self):
        today = timezone.localdate()
        inputs = inputs_of(self.object, today)
        return render_to_string(
            "audits/reviews/inputs.html",
            {
                "caption": _inputs_caption(self.object, inputs, today),
                "held": self.object.state == ReviewState.HELD,
                "sections": inputs.get("sections", []),
            },
            request=self.request,
        )

    def get_findings_display_value(self):
        findings = list(self.object.findings.select_related("clause").order_by("code"))
        if not findings:
            return _("Cuộc họp chưa nêu vấn đề nào cần xử lý.")
        user = self.request.user
        rows = []
        for finding in findings:
            url = None
            if permissions.has_permission(user, FINDING, permissions.VIEW, finding):
                url = reverse("audit_findings:inspect", args=[finding.pk])
            rows.append(
                {
                    "code": finding.code,
                    "kind": FindingKind(finding.kind).label,
                    "state": FindingState(finding.state).label,
                    "clause": finding.clause.number if finding.clause_id else EMPTY,
                    "description": finding.description,
                    "url": url,
                }
            )
        return render_to_string(
            "audits/reviews/findings.html", {"rows": rows}, request=self.request
        )


# --- Transitions --------------------------------------------------------------------------------


class HoldForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Ngày họp"), widget=AdminDateInput)
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thành phần tham dự"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.CharField(
        label=gettext_lazy("Kết luận, quyết định"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=gettext_lazy(
            "Cơ hội cải tiến, nhu cầu thay đổi hệ thống quản lý chất lượng (điều 9.3.3)."
        ),
    )
    resource_needs = forms.CharField(
        label=gettext_lazy("Nhu cầu nguồn lực"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def bind_review(self, user, review):
        current = list(review.attendees.values_list("pk", flat=True))
        field = self.fields["attendees"]
        field.queryset = _people_offered(user, agency=review.agency, current=current)
        field.label_from_instance = person_label
        if not self.is_bound:
            today = timezone.localdate()
            planned = review.planned_on
            self.initial.setdefault("attendees", current)
            self.initial.setdefault("held_on", planned if planned and planned <= today else today)


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại"),
        choices=FindingKind.choices,
        initial=FindingKind.MINOR_NC,
    )
    clause = forms.ModelChoiceField(
        label=gettext_lazy("Điều khoản"),
        queryset=Clause.objects.order_by("sort_key"),
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Mô tả vấn đề cần xử lý"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class ReviewTransitionView(TransitionView):
    """The transition page, its form told which review it is for (the attendees offered)."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        bind = getattr(form, "bind_review", None)
        if bind is not None:
            bind(self.request.user, self.object)
        return form


# --- The viewset --------------------------------------------------------------------------------


class ReviewViewSet(AgencyScopedViewSet):
    model = ManagementReview
    resource = REVIEW
    icon = "group"
    menu_label = gettext_lazy("Xem xét của lãnh đạo")
    menu_hook = SYSTEM_MENU_HOOK
    menu_order = 50
    index_view_class = ReviewIndexView
    add_view_class = ReviewCreateView
    edit_view_class = ReviewEditView
    inspect_view_class = ReviewInspectView
    transition_view_class = ReviewTransitionView
    filterset_class = ReviewFilterSet
    change_refusal = staticmethod(edit_refusal)
    list_display = [
        "title",
        Column(
            "agency",
            label=gettext_lazy("Cơ quan, đơn vị"),
            accessor=lambda r: r.agency.display_name,
        ),
        Column("period", label=gettext_lazy("Kỳ xem xét"), accessor=_period_label),
        Column(
            "planned_on",
            label=gettext_lazy("Ngày họp"),
            accessor=_meeting_label,
            sort_key="planned_on",
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column(
            "findings",
            label=gettext_lazy("Vấn đề đã nêu"),
            accessor=lambda r: r.findings_count,
        ),
    ]
    ordering = ["-planned_on", "-pk"]
    search_fields = ["title"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("title"),
            FieldPanel("period_start"),
            FieldPanel("period_end"),
            FieldPanel("planned_on"),
            FieldPanel("chair"),
            FieldPanel("attendees", widget=forms.CheckboxSelectMultiple),
            FieldPanel("other_attendees"),
        ],
        base_form_class=ReviewForm,
    )
    inspect_view_fields = [
        "agency",
        "title",
        "period",
        "planned_on",
        "held_on",
        "state",
        "chair",
        "attendees",
        "other_attendees",
        "decisions",
        "resource_needs",
        "findings",
        "inputs",
        "inputs_compiled_at",
        "created_by",
    ]
    list_export = [
        "title",
        "agency_label",
        "period_label",
        "planned_label",
        "held_label",
        "state_label",
        "chair_label",
        "findings_label",
    ]
    export_headings = {
        "title": gettext_lazy("Tên cuộc họp"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "period_label": gettext_lazy("Kỳ xem xét"),
        "planned_label": gettext_lazy("Ngày họp dự kiến"),
        "held_label": gettext_lazy("Ngày họp"),
        "state_label": gettext_lazy("Trạng thái"),
        "chair_label": gettext_lazy("Chủ trì"),
        "findings_label": gettext_lazy("Số vấn đề đã nêu"),
    }
    export_filename = "xem-xet-cua-lanh-dao"
    transitions = (
        Transition(
            name="hold",
            label=gettext_lazy("Ghi nhận cuộc họp"),
            service=review_hold,
            available=lambda r: r.state == ReviewState.PLANNED,
            refusal=hold_refusal,
            form_class=HoldForm,
            icon="check",
        ),
        Transition(
            name="raise_finding",
            label=gettext_lazy("Ghi nhận điểm không phù hợp"),
            service=review_raise_finding,
            available=lambda r: r.state == ReviewState.HELD,
            refusal=raise_refusal,
            form_class=RaiseForm,
            icon="warning",
        ),
    )


@hooks.register("register_admin_viewset")
def register_review_viewsets():
    return [ReviewViewSet("management_reviews")]


@hooks.register("register_admin_urls")
def register_review_minutes_urls():
    return [
        path(
            "management_reviews/<int:pk>/minutes.pdf",
            minutes_view,
            name="management_review_minutes_pdf",
        )
    ]
