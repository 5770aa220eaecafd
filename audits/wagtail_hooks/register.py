"""Admin wiring of the QMS register (scope, policy), risks and opportunities, conformity
announcements and external inspections, in the "Hệ thống chất lượng" group:

- "Hệ thống quản lý chất lượng": one register per agency (scope, units, TTHC, exclusions, policy)
  through ``quality_system_save``; inspect lists the units and the TTHC (code and name); history;
- "Rủi ro và cơ hội": list sorted by score (likelihood × impact, with its level), filters (agency
  subtree, kind, state, level), XLSX/CSV, the transition "Kết thúc theo dõi"; history;
- "Công bố hệ thống phù hợp": the signed document (document chooser) and where it was posted;
- "Kiểm tra việc áp dụng ISO": the inspections of the Department of Science and Technology with
  the report's due day and the days left, their findings (linked), the transitions "Ghi nhận phát
  hiện" and "Đã gửi báo cáo khắc phục" (with the report's file)."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.log_actions import log

from audits.models import (
    Clause,
    ConformityAnnouncement,
    ExternalInspection,
    FindingKind,
    FindingState,
    InspectionState,
    QualitySystem,
    Risk,
    RiskKind,
    RiskState,
)
from audits.rules_findings import FINDING
from audits.rules_register import ANNOUNCEMENT, INSPECTION, QUALITY_SYSTEM, RISK
from audits.selectors_register import (
    LEVELS,
    days_left_label,
    filter_level,
    level_label,
    risk_score_label,
    with_score,
)
from audits.services.register import (
    announcement_save,
    inspection_change_refusal,
    inspection_record_finding,
    inspection_report_sent,
    inspection_save,
    quality_system_save,
    record_finding_refusal,
    report_refusal,
    risk_change_refusal,
    risk_close,
    risk_save,
)
from audits.wagtail_hooks.menu import SYSTEM_MENU_HOOK
from documents.models import ProcedurePage
from qms import permissions
from qms.display import EMPTY, format_day, format_moment
from qms.filters import AgencySubtreeFilter
from qms.models import AdministrativeProcedure, Agency, Membership
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

permissions.register_policy(QualitySystem, QUALITY_SYSTEM)
permissions.register_policy(Risk, RISK)
permissions.register_policy(ConformityAnnouncement, ANNOUNCEMENT)
permissions.register_policy(ExternalInspection, INSPECTION)


def _when(moment) -> str:
    return format_moment(moment)


def _agency_label(obj) -> str:
    return obj.agency.display_name


def _document_link(document) -> str:
    if document is None:
        return EMPTY
    return format_html('<a href="{}">{}</a>', document.url, document.title)


def _title_column(view, label, accessor):
    column_class = view._get_title_column_class(TitleColumn)
    return column_class(
        "title", label=label, accessor=accessor, get_url=lambda i: view.get_inspect_url(i)
    )


def _scope_paths_q(user, resource, lookup):
    return permissions.scope_q(user, resource, [permissions.ADD], lookup, relations=False)


def _procedures_offered(user):
    """Procedure pages the person may read, for the "related procedure" of a risk."""
    scope = permissions.scope_q(user, "procedurepage", [permissions.VIEW], "agency__path")
    return ProcedurePage.objects.filter(scope).order_by("code")


# --- The register ------------------------------------------------------------------------------


def _units_offered(user):
    return permissions.assignable_agencies(user, QUALITY_SYSTEM, permissions.ADD).order_by("path")


def _tthc_offered(user):
    """TTHC handled by an agency in the person's scope (the service checks the register's own)."""
    handled = AdministrativeProcedure.objects.filter(
        _scope_paths_q(user, QUALITY_SYSTEM, "handling_agency_links__agency__path")
    ).values("pk")
    return AdministrativeProcedure.objects.filter(pk__in=handled).order_by("code")


class QualitySystemSaveMixin:
    """The register, its units and its TTHC go to ``quality_system_save`` together (checked
    before anything is written)."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        data = self.form.cleaned_data
        instance = quality_system_save(
            actor=self.request.user,
            instance=instance,
            units=data.get("units"),
            procedures=data.get("administrative_procedures"),
        )
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        user = self.request.user
        if "units" in form.fields:
            form.fields["units"].queryset = _units_offered(user)
        if "administrative_procedures" in form.fields:
            form.fields["administrative_procedures"].queryset = _tthc_offered(user)
        editing = getattr(self, "object", None) is not None and self.object.pk
        if editing and "agency" in form.fields:
            form.fields["agency"].queryset = Agency.objects.filter(pk=self.object.agency_id)
            form.fields["agency"].disabled = True
        return form


class QualitySystemCreateView(QualitySystemSaveMixin, ScopedCreateView):
    pass


class QualitySystemEditView(QualitySystemSaveMixin, ScopedEditView):
    pass


class QualitySystemIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent")
            .annotate(
                units_count=Count("units", distinct=True),
                tthc_count=Count("administrative_procedures", distinct=True),
            )
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return _title_column(self, _("Cơ quan, đơn vị"), _agency_label)

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.scope_label = item.scope
        item.units_label = item.units_count
        item.tthc_label = item.tthc_count
        item.policy_label = item.quality_policy
        item.policy_day_label = format_day(item.policy_issued_on)
        return super().to_row_dict(item)


class QualitySystemInspectView(ScopedInspectView):
    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_units_display_value(self):
        units = list(self.object.units.order_by("path"))
        if not units:
            return EMPTY
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((u.display_name,) for u in units))
        )

    def get_administrative_procedures_display_value(self):
        rows = list(self.object.administrative_procedures.order_by("code"))
        if not rows:
            return EMPTY
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{} – {}</li>", ((p.code, p.name) for p in rows)),
        )

    def get_policy_issued_on_display_value(self):
        return format_day(self.object.policy_issued_on)

    def get_updated_by_display_value(self):
        return person_name(self.object.updated_by) if self.object.updated_by_id else EMPTY

    def get_updated_at_display_value(self):
        return _when(self.object.updated_at)


class QualitySystemFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=QUALITY_SYSTEM)

    class Meta:
        model = QualitySystem
        fields = []


def _register_change_refusal(user, system):
    from audits.services.register import register_refusal

    return register_refusal(user, system)


class QualitySystemViewSet(AgencyScopedViewSet):
    model = QualitySystem
    resource = QUALITY_SYSTEM
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Hệ thống quản lý chất lượng")
    menu_hook = SYSTEM_MENU_HOOK
    menu_order = 10
    index_view_class = QualitySystemIndexView
    add_view_class = QualitySystemCreateView
    edit_view_class = QualitySystemEditView
    inspect_view_class = QualitySystemInspectView
    filterset_class = QualitySystemFilterSet
    change_refusal = staticmethod(_register_change_refusal)
    list_display = [
        "agency",
        Column("scope", label=gettext_lazy("Phạm vi áp dụng"), accessor=lambda q: q.scope[:200]),
        Column("units", label=gettext_lazy("Số đơn vị"), accessor=lambda q: q.units_count),
        Column("tthc", label=gettext_lazy("Số TTHC"), accessor=lambda q: q.tthc_count),
        Column(
            "policy_issued_on",
            label=gettext_lazy("Ngày ban hành chính sách"),
            accessor=lambda q: format_day(q.policy_issued_on),
        ),
    ]
    ordering = ["agency__path"]
    search_fields = ["scope", "quality_policy"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("scope"),
            FieldPanel("units"),
            FieldPanel("administrative_procedures"),
            FieldPanel("exclusions"),
            FieldPanel("quality_policy"),
            FieldPanel("policy_issued_on"),
        ]
    )
    inspect_view_fields = [
        "agency",
        "scope",
        "units",
        "administrative_procedures",
        "exclusions",
        "quality_policy",
        "policy_issued_on",
        "updated_by",
        "updated_at",
    ]
    list_export = [
        "agency_label",
        "scope_label",
        "units_label",
        "tthc_label",
        "policy_label",
        "policy_day_label",
    ]
    export_headings = {
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "scope_label": gettext_lazy("Phạm vi áp dụng"),
        "units_label": gettext_lazy("Số đơn vị"),
        "tthc_label": gettext_lazy("Số TTHC"),
        "policy_label": gettext_lazy("Chính sách chất lượng"),
        "policy_day_label": gettext_lazy("Ngày ban hành chính sách"),
    }
    export_filename = "he-thong-quan-ly-chat-luong"


# --- Risks and opportunities -------------------------------------------------------------------


def _kind_label(risk) -> str:
    return RiskKind(risk.kind).label


def _risk_state_label(risk) -> str:
    return RiskState(risk.state).label


def _owners_offered(user, current=None):
    """Active members of the agencies where the person keeps the risks."""
    members = Membership.objects.active().filter(
        _scope_paths_q(user, RISK, "agency__path"), user__is_active=True
    )
    people = get_user_model().objects.filter(pk__in=members.values("user_id"))
    if current:
        people = get_user_model().objects.filter(
            pk__in=[*people.values_list("pk", flat=True), current]
        )
    return people.order_by("last_name", "first_name", "username")


class RiskFormMixin:
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if "owner" in form.fields:
            current = getattr(getattr(self, "object", None), "owner_id", None)
            form.fields["owner"].queryset = _owners_offered(self.request.user, current)
            form.fields["owner"].label_from_instance = person_label
        return form


class RiskCreateView(RiskFormMixin, ScopedCreateView):
    pass


class RiskEditView(RiskFormMixin, ScopedEditView):
    pass


class RiskIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return with_score(super().get_base_queryset().select_related("agency__parent", "owner"))

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return _title_column(self, _("Tên"), lambda r: r.title)

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.kind_label = _kind_label(item)
        item.score_label = item.score
        item.level_label = level_label(item.score)
        item.treatment_label = item.treatment
        item.owner_label = person_name(item.owner) if item.owner_id else EMPTY
        item.review_label = format_day(item.review_on)
        item.state_label = _risk_state_label(item)
        item.closed_label = format_day(item.closed_on)
        return super().to_row_dict(item)


class RiskInspectView(ScopedInspectView):
    LABELS = {"score": gettext_lazy("Điểm rủi ro (mức độ)")}

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_kind_display_value(self):
        return _kind_label(self.object)

    def get_state_display_value(self):
        return _risk_state_label(self.object)

    def get_score_display_value(self):
        return risk_score_label(self.object)

    def get_procedure_display_value(self):
        page = self.object.procedure
        return f"{page.code} – {page.title}" if page else EMPTY

    def get_owner_display_value(self):
        return person_name(self.object.owner) if self.object.owner_id else EMPTY

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_review_on_display_value(self):
        return format_day(self.object.review_on)

    def get_closed_on_display_value(self):
        return format_day(self.object.closed_on)

    def get_created_at_display_value(self):
        return _when(self.object.created_at)


class RiskFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=RISK)
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Loại"), choices=RiskKind.choices, empty_label=gettext_lazy("Tất cả")
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=RiskState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    level = django_filters.ChoiceFilter(
        label=gettext_lazy("Mức độ"),
        choices=[
            ("high", gettext_lazy("Cao (từ 15 điểm)")),
            ("medium", gettext_lazy("Trung bình (8–14 điểm)")),
            ("low", gettext_lazy("Thấp (dưới 8 điểm)")),
        ],
        empty_label=gettext_lazy("Tất cả"),
        method="filter_level",
    )

    class Meta:
        model = Risk
        fields = []

    def filter_level(self, queryset, name, value):
        return filter_level(queryset, value) if value in LEVELS else queryset


class CloseRiskForm(forms.Form):
    closed_on = forms.DateField(label=gettext_lazy("Ngày kết thúc"), initial=timezone.localdate)


class RiskViewSet(AgencyScopedViewSet):
    model = Risk
    resource = RISK
    icon = "warning"
    menu_label = gettext_lazy("Rủi ro và cơ hội")
    menu_hook = SYSTEM_MENU_HOOK
    menu_order = 20
    index_view_class = RiskIndexView
    add_view_class = RiskCreateView
    edit_view_class = RiskEditView
    inspect_view_class = RiskInspectView
    filterset_class = RiskFilterSet
    change_refusal = staticmethod(risk_change_refusal)
    save_service = staticmethod(risk_save)
    field_scopes = {"procedure": _procedures_offered}
    list_display = [
        "title",
        Column("agency", label=gettext_lazy("Cơ quan, đơn vị"), accessor=_agency_label),
        Column("kind", label=gettext_lazy("Loại"), accessor=_kind_label),
        Column(
            "score",
            label=gettext_lazy("Điểm (mức độ)"),
            accessor=risk_score_label,
            sort_key="score_value",
        ),
        Column(
            "owner",
            label=gettext_lazy("Người phụ trách"),
            accessor=lambda r: person_name(r.owner) if r.owner_id else EMPTY,
        ),
        Column(
            "review_on",
            label=gettext_lazy("Ngày xem xét lại"),
            accessor=lambda r: format_day(r.review_on),
            sort_key="review_on",
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_risk_state_label),
    ]
    ordering = ["-score_value", "-pk"]
    search_fields = ["title", "description", "treatment"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("kind"),
            FieldPanel("title"),
            FieldPanel("description"),
            FieldPanel("procedure"),
            FieldPanel("likelihood"),
            FieldPanel("impact"),
            FieldPanel("treatment"),
            FieldPanel("owner"),
            FieldPanel("review_on"),
        ]
    )
    inspect_view_fields = [
        "agency",
        "kind",
        "title",
        "description",
        "procedure",
        "likelihood",
        "impact",
        "score",
        "treatment",
        "owner",
        "review_on",
        "state",
        "closed_on",
        "created_by",
        "created_at",
    ]
    list_export = [
        "title",
        "agency_label",
        "kind_label",
        "likelihood",
        "impact",
        "score_label",
        "level_label",
        "treatment_label",
        "owner_label",
        "review_label",
        "state_label",
        "closed_label",
    ]
    export_headings = {
        "title": gettext_lazy("Tên"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "kind_label": gettext_lazy("Loại"),
        "likelihood": gettext_lazy("Khả năng xảy ra"),
        "impact": gettext_lazy("Mức độ tác động"),
        "score_label": gettext_lazy("Điểm"),
        "level_label": gettext_lazy("Mức độ"),
        "treatment_label": gettext_lazy("Biện pháp xử lý"),
        "owner_label": gettext_lazy("Người phụ trách"),
        "review_label": gettext_lazy("Ngày xem xét lại"),
        "state_label": gettext_lazy("Trạng thái"),
        "closed_label": gettext_lazy("Ngày kết thúc"),
    }
    export_filename = "rui-ro-co-hoi"
    transitions = (
        Transition(
            name="close",
            label=gettext_lazy("Kết thúc theo dõi"),
            service=risk_close,
            available=lambda r: r.state == RiskState.OPEN,
            refusal=risk_change_refusal,
            form_class=CloseRiskForm,
            icon="check",
        ),
    )


# --- Conformity announcements ------------------------------------------------------------------


class AnnouncementIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__parent", "document")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return _title_column(self, _("Số quyết định công bố"), lambda a: a.number)

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.announced_label = format_day(item.announced_on)
        item.posted_label = item.posted_at
        item.document_label = item.document.title if item.document_id else EMPTY
        return super().to_row_dict(item)


class AnnouncementInspectView(ScopedInspectView):
    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_announced_on_display_value(self):
        return format_day(self.object.announced_on)

    def get_document_display_value(self):
        return _document_link(self.object.document)

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_created_at_display_value(self):
        return _when(self.object.created_at)


class AnnouncementFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=ANNOUNCEMENT)

    class Meta:
        model = ConformityAnnouncement
        fields = []


def _announcement_change_refusal(user, announcement):
    from audits.services.register import announcement_refusal

    return announcement_refusal(user, announcement)


class AnnouncementViewSet(AgencyScopedViewSet):
    model = ConformityAnnouncement
    resource = ANNOUNCEMENT
    icon = "doc-full"
    menu_label = gettext_lazy("Công bố hệ thống phù hợp")
    menu_hook = SYSTEM_MENU_HOOK
    menu_order = 30
    index_view_class = AnnouncementIndexView
    inspect_view_class = AnnouncementInspectView
    filterset_class = AnnouncementFilterSet
    save_service = staticmethod(announcement_save)
    change_refusal = staticmethod(_announcement_change_refusal)
    list_display = [
        "number",
        Column("agency", label=gettext_lazy("Cơ quan, đơn vị"), accessor=_agency_label),
        Column(
            "announced_on",
            label=gettext_lazy("Ngày công bố"),
            accessor=lambda a: format_day(a.announced_on),
            sort_key="announced_on",
        ),
        Column(
            "posted_at",
            label=gettext_lazy("Nơi niêm yết, đăng tải"),
            accessor=lambda a: a.posted_at,
        ),
    ]
    ordering = ["-announced_on", "-pk"]
    search_fields = ["number", "posted_at"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("announced_on"),
            FieldPanel("number"),
            FieldPanel("document"),
            FieldPanel("posted_at"),
            FieldPanel("note"),
        ]
    )
    inspect_view_fields = [
        "agency",
        "announced_on",
        "number",
        "document",
        "posted_at",
        "note",
        "created_by",
        "created_at",
    ]
    list_export = ["number", "agency_label", "announced_label", "posted_label", "document_label"]
    export_headings = {
        "number": gettext_lazy("Số quyết định công bố"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "announced_label": gettext_lazy("Ngày công bố"),
        "posted_label": gettext_lazy("Nơi niêm yết, đăng tải"),
        "document_label": gettext_lazy("Văn bản đã ký"),
    }
    export_filename = "cong-bo-he-thong-phu-hop"


# --- External inspections ----------------------------------------------------------------------


def _inspection_state_label(inspection) -> str:
    return InspectionState(inspection.state).label


def _finding_inspect_url(user, finding) -> str | None:
    if permissions.has_permission(user, FINDING, permissions.VIEW, finding):
        return reverse("audit_findings:inspect", args=[finding.pk])
    return None


class InspectionIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent")
            .annotate(findings_count=Count("findings"))
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return _title_column(
            self, _("Số văn bản kết luận"), lambda i: i.conclusion_number or str(i)
        )

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.body_label = item.inspecting_body
        item.inspected_label = format_day(item.inspected_on)
        item.concluded_label = format_day(item.concluded_on)
        item.due_label = format_day(item.report_due_on)
        item.days_label = days_left_label(item)
        item.state_label = _inspection_state_label(item)
        item.findings_label = item.findings_count
        item.summary_label = item.summary
        return super().to_row_dict(item)


class InspectionInspectView(ScopedInspectView):
    LABELS = {
        "days_left": gettext_lazy("Thời hạn báo cáo"),
        "findings": gettext_lazy("Phát hiện"),
    }

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_inspected_on_display_value(self):
        return format_day(self.object.inspected_on)

    def get_concluded_on_display_value(self):
        return format_day(self.object.concluded_on)

    def get_report_due_on_display_value(self):
        return format_day(self.object.report_due_on)

    def get_reported_on_display_value(self):
        return format_day(self.object.reported_on)

    def get_days_left_display_value(self):
        return days_left_label(self.object)

    def get_state_display_value(self):
        return _inspection_state_label(self.object)

    def get_conclusion_document_display_value(self):
        return _document_link(self.object.conclusion_document)

    def get_report_document_display_value(self):
        return _document_link(self.object.report_document)

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_findings_display_value(self):
        findings = list(self.object.findings.select_related("clause").order_by("code"))
        if not findings:
            return _("Chưa có phát hiện.")

        def label(finding):
            text = _("%(code)s – %(kind)s (%(state)s): %(description)s") % {
                "code": finding.code,
                "kind": FindingKind(finding.kind).label,
                "state": FindingState(finding.state).label,
                "description": finding.description[:150],
            }
            url = _finding_inspect_url(self.request.user, finding)
            return format_html('<a href="{}">{}</a>', url, text) if url else finding.code

        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((label(f),) for f in findings))
        )


class InspectionFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=INSPECTION)
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=InspectionState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = ExternalInspection
        fields = []


class InspectionFindingForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại phát hiện"),
        choices=FindingKind.choices,
        initial=FindingKind.MINOR_NC,
    )
    clause = forms.ModelChoiceField(
        label=gettext_lazy("Điều khoản"),
        queryset=Clause.objects.order_by("sort_key"),
        required=False,
    )
    description = forms.CharField(label=gettext_lazy("Mô tả"), widget=forms.Textarea)
    evidence = forms.CharField(
        label=gettext_lazy("Bằng chứng"),
        widget=forms.Textarea,
        required=False,
        help_text=gettext_lazy("Để trống để ghi số và ngày của văn bản kết luận."),
    )


class ReportSentForm(forms.Form):
    reported_on = forms.DateField(
        label=gettext_lazy("Ngày gửi báo cáo"), initial=timezone.localdate
    )
    report_file = forms.FileField(label=gettext_lazy("Tệp báo cáo khắc phục"), required=False)


class InspectionTransitionView(TransitionView):
    """The transition page, able to send the report's file."""

    template_name = "audits/action_transition.html"


class InspectionViewSet(AgencyScopedViewSet):
    model = ExternalInspection
    resource = INSPECTION
    icon = "search"
    menu_label = gettext_lazy("Kiểm tra việc áp dụng ISO")
    menu_hook = SYSTEM_MENU_HOOK
    menu_order = 40
    index_view_class = InspectionIndexView
    inspect_view_class = InspectionInspectView
    transition_view_class = InspectionTransitionView
    filterset_class = InspectionFilterSet
    save_service = staticmethod(inspection_save)
    change_refusal = staticmethod(inspection_change_refusal)
    list_display = [
        "conclusion_number",
        Column("agency", label=gettext_lazy("Cơ quan được kiểm tra"), accessor=_agency_label),
        Column(
            "inspected_on",
            label=gettext_lazy("Ngày kiểm tra"),
            accessor=lambda i: format_day(i.inspected_on),
            sort_key="inspected_on",
        ),
        Column(
            "report_due_on",
            label=gettext_lazy("Hạn báo cáo khắc phục"),
            accessor=lambda i: format_day(i.report_due_on),
            sort_key="report_due_on",
        ),
        Column("days_left", label=gettext_lazy("Thời hạn"), accessor=days_left_label),
        Column("findings", label=gettext_lazy("Số phát hiện"), accessor=lambda i: i.findings_count),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_inspection_state_label),
    ]
    ordering = ["-inspected_on", "-pk"]
    search_fields = ["conclusion_number", "summary", "inspecting_body"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("inspecting_body"),
            FieldPanel("inspected_on"),
            FieldPanel("conclusion_number"),
            FieldPanel("concluded_on"),
            FieldPanel("summary"),
            FieldPanel("conclusion_document"),
        ]
    )
    inspect_view_fields = [
        "agency",
        "inspecting_body",
        "inspected_on",
        "conclusion_number",
        "concluded_on",
        "summary",
        "conclusion_document",
        "report_due_on",
        "days_left",
        "state",
        "reported_on",
        "report_document",
        "findings",
        "created_by",
    ]
    list_export = [
        "conclusion_number",
        "agency_label",
        "body_label",
        "inspected_label",
        "concluded_label",
        "due_label",
        "days_label",
        "state_label",
        "findings_label",
        "summary_label",
    ]
    export_headings = {
        "conclusion_number": gettext_lazy("Số văn bản kết luận"),
        "agency_label": gettext_lazy("Cơ quan được kiểm tra"),
        "body_label": gettext_lazy("Cơ quan kiểm tra"),
        "inspected_label": gettext_lazy("Ngày kiểm tra"),
        "concluded_label": gettext_lazy("Ngày nhận kết luận"),
        "due_label": gettext_lazy("Hạn báo cáo khắc phục"),
        "days_label": gettext_lazy("Thời hạn"),
        "state_label": gettext_lazy("Trạng thái"),
        "findings_label": gettext_lazy("Số phát hiện"),
        "summary_label": gettext_lazy("Tóm tắt kết luận"),
    }
    export_filename = "kiem-tra-ap-dung-iso"
    transitions = (
        Transition(
            name="record_finding",
            label=gettext_lazy("Ghi nhận phát hiện"),
            service=inspection_record_finding,
            available=lambda i: i.state == InspectionState.REPORT_DUE,
            refusal=record_finding_refusal,
            form_class=InspectionFindingForm,
            icon="warning",
        ),
        Transition(
            name="report_sent",
            label=gettext_lazy("Đã gửi báo cáo khắc phục"),
            service=inspection_report_sent,
            available=lambda i: i.state == InspectionState.REPORT_DUE,
            refusal=report_refusal,
            form_class=ReportSentForm,
            icon="check",
        ),
    )


@hooks.register("register_admin_viewset")
def register_quality_system_viewsets():
    return [
        QualitySystemViewSet("quality_systems"),
        RiskViewSet("quality_risks"),
        AnnouncementViewSet("conformity_announcements"),
        InspectionViewSet("external_inspections"),
    ]
