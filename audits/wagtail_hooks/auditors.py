"""Admin wiring of internal auditors' qualifications ("Đánh giá viên nội bộ", in the "Đánh giá nội
bộ" group): list (who, where, training, certificate, dates, valid today or not, in words), filters,
inspect, history, XLSX export; add and edit save through ``qualification_save``."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.documents import get_document_model

from audits.models import AuditorQualification
from audits.rules_auditors import QUALIFICATION
from audits.selectors_auditors import auditors_in_scope
from audits.services.auditors import qualification_date_errors, qualification_save
from audits.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.choosers import agency_chooser_viewset
from qms.display import format_day
from qms.filters import AgencySubtreeFilter
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
)
from qms.wagtail_scope import media_in_scope

permissions.register_policy(AuditorQualification)

VALID, EXPIRED = "valid", "expired"


def validity_label(qualification, day=None) -> str:
    day = day or timezone.localdate()
    return _("Còn hiệu lực") if qualification.is_valid_on(day) else _("Hết hiệu lực")


def _valid_until_label(qualification) -> str:
    if qualification.valid_until is None:
        return _("Không thời hạn")
    return format_day(qualification.valid_until)


def _agency_label(qualification) -> str:
    return qualification.agency.display_name


def _auditors_offered(user):
    """People with an auditor role in the agencies where ``user`` may record qualifications,
    never ``user`` themselves (nobody records their own)."""
    scope = permissions.scope_q(
        user, QUALIFICATION, [permissions.ADD], "agency__path", relations=False
    )
    return auditors_in_scope(scope).exclude(pk=user.pk)


def _certificates_offered(user):
    return media_in_scope(user, get_document_model())


class QualificationForm(WagtailAdminModelForm):
    def clean(self):
        """The dates' own messages (with the dates), before the model's constraint is checked
        (Django skips a constraint on a field that already has an error)."""
        cleaned = super().clean()
        errors = qualification_date_errors(cleaned.get("qualified_on"), cleaned.get("valid_until"))
        for field, messages in errors.items():
            if field not in self.errors:
                self.add_error(field, messages)
        return cleaned


class QualificationFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=QUALIFICATION)
    validity = django_filters.ChoiceFilter(
        label=gettext_lazy("Hiệu lực hôm nay"),
        choices=((VALID, gettext_lazy("Còn hiệu lực")), (EXPIRED, gettext_lazy("Hết hiệu lực"))),
        method="filter_validity",
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = AuditorQualification
        fields = []

    def filter_validity(self, queryset, name, value):
        valid = AuditorQualification.objects.valid_on(timezone.localdate()).values("pk")
        if value == VALID:
            return queryset.filter(pk__in=valid)
        if value == EXPIRED:
            return queryset.exclude(pk__in=valid)
        return queryset


class QualificationIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "agency__parent")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_edit_url(instance) or self.get_inspect_url(instance)

        return column_class(
            "user",
            label=_("Đánh giá viên"),
            accessor=lambda q: person_name(q.user),
            get_url=get_url,
        )

    def to_row_dict(self, item):
        item.person = person_name(item.user)
        item.username = item.user.get_username()
        item.agency_label = _agency_label(item)
        item.valid_until_label = _valid_until_label(item)
        item.validity = validity_label(item)
        return super().to_row_dict(item)


class QualificationEditView(ScopedEditView):
    """The person already recorded stays on offer (a correction of an older certificate)."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get("user")
        if field is not None and self.object.user_id:
            current = get_user_model().objects.filter(pk=self.object.user_id)
            field.queryset = (field.queryset | current).distinct()
        return form


class QualificationInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        labels = {"validity": _("Hiệu lực hôm nay"), "user": _("Đánh giá viên")}
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_user_display_value(self):
        user = self.object.user
        return f"{person_name(user)} ({user.get_username()})"

    def get_agency_display_value(self):
        return _agency_label(self.object)

    def get_qualified_on_display_value(self):
        return format_day(self.object.qualified_on)

    def get_valid_until_display_value(self):
        return _valid_until_label(self.object)

    def get_validity_display_value(self):
        return validity_label(self.object)

    def get_certificate_display_value(self):
        document = self.object.certificate
        if document is None:
            return None
        return format_html('<a href="{}">{}</a>', document.url, document.title)


class AuditorQualificationViewSet(AgencyScopedViewSet):
    model = AuditorQualification
    resource = QUALIFICATION
    icon = "user"
    menu_label = gettext_lazy("Đánh giá viên nội bộ")
    menu_hook = MENU_HOOK
    menu_order = 20
    index_view_class = QualificationIndexView
    edit_view_class = QualificationEditView
    inspect_view_class = QualificationInspectView
    filterset_class = QualificationFilterSet
    list_display = [
        "user",
        Column("agency", label=gettext_lazy("Cơ quan, đơn vị"), accessor=_agency_label),
        "training",
        "certificate_number",
        Column(
            "qualified_on",
            label=gettext_lazy("Ngày cấp"),
            accessor=lambda q: format_day(q.qualified_on),
            sort_key="qualified_on",
        ),
        Column(
            "valid_until",
            label=gettext_lazy("Có giá trị đến"),
            accessor=_valid_until_label,
            sort_key="valid_until",
        ),
        Column("validity", label=gettext_lazy("Hiệu lực hôm nay"), accessor=validity_label),
    ]
    ordering = ["-qualified_on", "pk"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "training",
        "certificate_number",
    ]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("user"),
            FieldPanel("agency", widget=agency_chooser_viewset.widget_class),
            FieldPanel("training"),
            FieldPanel("trainer"),
            FieldPanel("certificate_number"),
            FieldPanel("certificate"),
            FieldPanel("qualified_on"),
            FieldPanel("valid_until"),
            FieldPanel("note"),
        ],
        base_form_class=QualificationForm,
    )
    inspect_view_fields = [
        "user",
        "agency",
        "training",
        "trainer",
        "certificate_number",
        "certificate",
        "qualified_on",
        "valid_until",
        "validity",
        "note",
    ]
    list_export = [
        "person",
        "username",
        "agency_label",
        "training",
        "trainer",
        "certificate_number",
        "qualified_on",
        "valid_until_label",
        "validity",
        "note",
    ]
    export_headings = {
        "person": gettext_lazy("Đánh giá viên"),
        "username": gettext_lazy("Tên đăng nhập"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "training": gettext_lazy("Khóa đào tạo"),
        "trainer": gettext_lazy("Đơn vị đào tạo"),
        "certificate_number": gettext_lazy("Số chứng chỉ"),
        "qualified_on": gettext_lazy("Ngày cấp"),
        "valid_until_label": gettext_lazy("Có giá trị đến"),
        "validity": gettext_lazy("Hiệu lực hôm nay"),
        "note": gettext_lazy("Ghi chú"),
    }
    export_filename = "danh-gia-vien-noi-bo"
    save_service = staticmethod(qualification_save)
    field_scopes = {"user": _auditors_offered, "certificate": _certificates_offered}


@hooks.register("register_admin_viewset")
def register_auditor_viewsets():
    return [AuditorQualificationViewSet("auditor_qualifications")]
