"""Admin wiring of complaints and feedback ("Khiếu nại, phản ánh", in the "Đánh giá nội bộ"
group): list (code, agency, kind, received, due, state, on time / late / overdue), filters
(agency subtree, kind, channel, state, timeliness), search by code, dossier and content, add and
edit through ``complaint_record`` / ``complaint_update``, inspect (the complainant's contact only
for officers and leaders of the agency itself, or the day it was erased), transitions answer,
withdraw and raise a nonconformity, history, XLSX without the contact (Decree 13/2023)."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn

from audits.models import (
    CONTACT_FIELDS,
    NONCONFORMITY_KINDS,
    Clause,
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintState,
    FindingKind,
)
from audits.rules_complaints import COMPLAINT
from audits.rules_findings import FINDING
from audits.selectors_complaints import timeliness_label
from audits.services.complaints import (
    ANSWER_OUTCOMES,
    answer_refusal,
    complaint_answer,
    complaint_raise_finding,
    complaint_record,
    complaint_update,
    complaint_withdraw,
    may_see_contact,
    raise_refusal,
)
from audits.services.complaints import change_refusal as _service_change_refusal
from audits.wagtail_hooks.menu import MENU_HOOK
from documents.models import ProcedurePage
from qms import permissions
from qms.display import EMPTY, format_day
from qms.filters import AgencySubtreeFilter
from qms.models import AdministrativeProcedure
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
)

permissions.register_policy(Complaint, COMPLAINT)


def _kind_label(c) -> str:
    return ComplaintKind(c.kind).label


def _channel_label(c) -> str:
    return ComplaintChannel(c.channel).label


def _state_label(c) -> str:
    return ComplaintState(c.state).label


def _outcome_label(c) -> str:
    return ComplaintOutcome(c.outcome).label if c.outcome else EMPTY


def _save(*, actor, instance):
    service = complaint_update if instance.pk else complaint_record
    return service(actor=actor, instance=instance)


def _procedures(user):
    scope = permissions.scope_q(user, "procedurepage", [permissions.VIEW], "agency__path")
    return ProcedurePage.objects.filter(scope).order_by("code")


class ComplaintForm(WagtailAdminModelForm):
    """Whoever may not see the complainant's contact (a body above) does not get its fields when
    changing a complaint; a new complaint's contact is typed by whoever records it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and not may_see_contact(self.for_user, instance):
            for name in CONTACT_FIELDS:
                self.fields.pop(name, None)
        if "administrative_procedure" in self.fields:
            self.fields[
                "administrative_procedure"
            ].queryset = AdministrativeProcedure.objects.order_by("code")


class TimelinessFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        today = timezone.localdate()
        answered = Q(state=ComplaintState.ANSWERED)
        if value == "on_time":
            return qs.filter(answered, answered_on__lte=F("due_on"))
        if value == "late":
            return qs.filter(answered, answered_on__gt=F("due_on"))
        if value == "overdue":
            return qs.filter(state=ComplaintState.RECEIVED, due_on__lt=today)
        if value == "pending":
            return qs.filter(state=ComplaintState.RECEIVED, due_on__gte=today)
        return qs


class ComplaintFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=COMPLAINT)
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Loại"),
        choices=ComplaintKind.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    channel = django_filters.ChoiceFilter(
        label=gettext_lazy("Kênh tiếp nhận"),
        choices=ComplaintChannel.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=ComplaintState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    timeliness = TimelinessFilter(
        label=gettext_lazy("Thời hạn"),
        choices=[
            ("on_time", gettext_lazy("Trả lời đúng hạn")),
            ("late", gettext_lazy("Trả lời trễ hạn")),
            ("overdue", gettext_lazy("Quá hạn chưa trả lời")),
            ("pending", gettext_lazy("Trong hạn chưa trả lời")),
        ],
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = Complaint
        fields = []


class ComplaintIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__parent")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_inspect_url(instance)

        return column_class("code", label=_("Số hiệu"), accessor="code", get_url=get_url)

    def to_row_dict(self, item):
        # The export's columns: never the complainant's contact.
        item.agency_label = item.agency.display_name
        item.kind_label = _kind_label(item)
        item.channel_label = _channel_label(item)
        item.received_label = format_day(item.received_on)
        item.due_label = format_day(item.due_on)
        item.answered_label = format_day(item.answered_on)
        item.state_label = _state_label(item)
        item.outcome_label = _outcome_label(item)
        item.timeliness_label = timeliness_label(item)
        item.content_label = item.content
        return super().to_row_dict(item)


class ComplaintInspectView(ScopedInspectView):
    LABELS = {
        "contact": gettext_lazy("Người gửi"),
        "timeliness": gettext_lazy("Thời hạn"),
    }

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_kind_display_value(self):
        return _kind_label(self.object)

    def get_channel_display_value(self):
        return _channel_label(self.object)

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_outcome_display_value(self):
        return _outcome_label(self.object)

    def get_received_on_display_value(self):
        return format_day(self.object.received_on)

    def get_due_on_display_value(self):
        return format_day(self.object.due_on)

    def get_answered_on_display_value(self):
        return format_day(self.object.answered_on)

    def get_timeliness_display_value(self):
        return timeliness_label(self.object)

    def get_administrative_procedure_display_value(self):
        tthc = self.object.administrative_procedure
        return str(tthc) if tthc else EMPTY

    def get_procedure_display_value(self):
        page = self.object.procedure
        return f"{page.code} – {page.title}" if page else EMPTY

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_finding_display_value(self):
        finding = self.object.finding
        if finding is None:
            return EMPTY
        if permissions.has_permission(self.request.user, FINDING, permissions.VIEW, finding):
            url = reverse("audit_findings:inspect", args=[finding.pk])
            return format_html('<a href="{}">{}</a>', url, str(finding))
        return finding.code

    def get_contact_display_value(self):
        complaint = self.object
        if complaint.contact_erased_at:
            day = timezone.localtime(complaint.contact_erased_at).strftime("%d/%m/%Y")
            return _("Đã xóa theo quy định bảo vệ dữ liệu cá nhân ngày %(day)s") % {"day": day}
        if not may_see_contact(self.request.user, complaint):
            return _(
                "Chỉ cán bộ đầu mối ISO, lãnh đạo của cơ quan tiếp nhận xem được thông tin liên hệ."
            )
        rows = [
            (Complaint._meta.get_field(name).verbose_name.capitalize(), getattr(complaint, name))
            for name in CONTACT_FIELDS
            if getattr(complaint, name)
        ]
        if not rows:
            return EMPTY
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", ((str(a), b) for a, b in rows))
        )


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=gettext_lazy("Ngày trả lời"), initial=timezone.localdate)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Kết quả"),
        choices=[(o.value, o.label) for o in ANSWER_OUTCOMES],
    )
    answer = forms.CharField(label=gettext_lazy("Nội dung trả lời"), widget=forms.Textarea)


class WithdrawForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Ghi chú"), widget=forms.Textarea, required=False)


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Mức độ"),
        choices=[(k, FindingKind(k).label) for k in NONCONFORMITY_KINDS],
        initial=FindingKind.MINOR_NC,
    )
    clause = forms.ModelChoiceField(
        label=gettext_lazy("Điều khoản"),
        queryset=Clause.objects.order_by("sort_key"),
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Mô tả"),
        widget=forms.Textarea,
        required=False,
        help_text=gettext_lazy("Để trống để dùng nội dung khiếu nại, phản ánh."),
    )


class ComplaintViewSet(AgencyScopedViewSet):
    model = Complaint
    resource = COMPLAINT
    icon = "mail"
    menu_label = gettext_lazy("Khiếu nại, phản ánh")
    menu_hook = MENU_HOOK
    menu_order = 60
    index_view_class = ComplaintIndexView
    inspect_view_class = ComplaintInspectView
    filterset_class = ComplaintFilterSet
    save_service = staticmethod(_save)
    change_refusal = staticmethod(_service_change_refusal)
    field_scopes = {"procedure": _procedures}
    list_display = [
        "code",
        Column(
            "agency",
            label=gettext_lazy("Cơ quan, đơn vị"),
            accessor=lambda c: c.agency.display_name,
        ),
        Column("kind", label=gettext_lazy("Loại"), accessor=_kind_label),
        Column(
            "received_on",
            label=gettext_lazy("Ngày tiếp nhận"),
            accessor=lambda c: format_day(c.received_on),
            sort_key="received_on",
        ),
        Column(
            "due_on",
            label=gettext_lazy("Hạn trả lời"),
            accessor=lambda c: format_day(c.due_on),
            sort_key="due_on",
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column("timeliness", label=gettext_lazy("Thời hạn"), accessor=timeliness_label),
    ]
    ordering = ["-received_on", "-pk"]
    search_fields = ["code", "dossier_code", "content"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency"),
            FieldPanel("kind"),
            FieldPanel("channel"),
            FieldPanel("received_on"),
            FieldPanel("answer_days"),
            FieldPanel("administrative_procedure"),
            FieldPanel("procedure"),
            FieldPanel("dossier_code"),
            FieldPanel("content"),
            FieldPanel("complainant_name"),
            FieldPanel("complainant_phone"),
            FieldPanel("complainant_email"),
            FieldPanel("complainant_address"),
        ],
        base_form_class=ComplaintForm,
    )
    inspect_view_fields = [
        "code",
        "agency",
        "kind",
        "channel",
        "received_on",
        "administrative_procedure",
        "procedure",
        "dossier_code",
        "content",
        "answer_days",
        "due_on",
        "state",
        "answered_on",
        "timeliness",
        "outcome",
        "answer",
        "finding",
        "contact",
        "created_by",
    ]
    list_export = [
        "code",
        "agency_label",
        "kind_label",
        "channel_label",
        "received_label",
        "due_label",
        "answered_label",
        "state_label",
        "timeliness_label",
        "outcome_label",
        "dossier_code",
        "content_label",
    ]
    export_headings = {
        "code": gettext_lazy("Số hiệu"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "kind_label": gettext_lazy("Loại"),
        "channel_label": gettext_lazy("Kênh tiếp nhận"),
        "received_label": gettext_lazy("Ngày tiếp nhận"),
        "due_label": gettext_lazy("Hạn trả lời"),
        "answered_label": gettext_lazy("Ngày trả lời"),
        "state_label": gettext_lazy("Trạng thái"),
        "timeliness_label": gettext_lazy("Thời hạn"),
        "outcome_label": gettext_lazy("Kết quả"),
        "dossier_code": gettext_lazy("Mã hồ sơ"),
        "content_label": gettext_lazy("Nội dung"),
    }
    export_filename = "khieu-nai-phan-anh"
    transitions = (
        Transition(
            name="answer",
            label=gettext_lazy("Trả lời"),
            service=complaint_answer,
            available=lambda c: c.state == ComplaintState.RECEIVED,
            refusal=answer_refusal,
            form_class=AnswerForm,
            icon="check",
        ),
        Transition(
            name="withdraw",
            label=gettext_lazy("Người gửi rút đơn"),
            service=complaint_withdraw,
            available=lambda c: c.state == ComplaintState.RECEIVED,
            refusal=answer_refusal,
            form_class=WithdrawForm,
            icon="cross",
        ),
        Transition(
            name="raise_nc",
            label=gettext_lazy("Ghi nhận điểm không phù hợp"),
            service=complaint_raise_finding,
            available=lambda c: c.finding_id is None and c.state != ComplaintState.WITHDRAWN,
            refusal=raise_refusal,
            form_class=RaiseForm,
            icon="warning",
        ),
    )


@hooks.register("register_admin_viewset")
def register_complaint_viewsets():
    return [ComplaintViewSet("complaints")]
