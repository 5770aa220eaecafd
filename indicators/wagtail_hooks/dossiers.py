"""Admin wiring of dossiers (hồ sơ), in the "Hồ sơ và chỉ số" group: read-only, since nobody adds
or edits a dossier by hand (they come from the one-stop system's imports).

- the list: code, TTHC, agency, channel, received, due, resolved, state, class; filters (agency
  with its units, TTHC, state, class, received period, overdue now); search by code; XLSX/CSV;
  the same number of queries whatever the rows;
- the dossier's page: its facts (no personal data is kept), its clock explained sentence by
  sentence and its timeline (the append-only events), from ``indicators.selectors_dossiers``.

Who sees what is the policy's (indicators/rules.py): officers, leaders and staff of the agency or
above; the team of an open audit of it; nobody else.
"""

import django_filters
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column

from indicators.models import DailySummary, Dossier
from indicators.models.dossiers import PENDING_STATES, Channel, DossierState, Timing
from indicators.rules import DOSSIER
from indicators.selectors_dossiers import clock_explanation, field_text, step_sheet, timeline
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY
from qms.filters import AgencySubtreeFilter
from qms.models import AdministrativeProcedure
from qms.viewsets import AgencyScopedViewSet, ScopedIndexView, ScopedInspectView

permissions.register_policy(Dossier, DOSSIER)


def _overdue_q(now) -> Q:
    return Q(state__in=PENDING_STATES, due_at__lt=now)


def is_overdue(dossier, now=None) -> bool:
    """Pending and past its due time now (computed when asked, never stored)."""
    now = now or timezone.now()
    return dossier.pending and dossier.due_at is not None and dossier.due_at < now


def timing_label(dossier, now=None) -> str:
    """The class of a resolved dossier; "Đang quá hạn" for a pending one past its due time."""
    if dossier.timing:
        return str(Timing(dossier.timing).label)
    if is_overdue(dossier, now):
        return _("Đang quá hạn")
    return EMPTY


def _moment(value) -> str:
    return field_text("received_at", value)


def _procedures_offered(request):
    """The TTHC of the dossiers the person may read (from the summary rows: one per TTHC, day and
    agency, far fewer than the dossiers)."""
    if request is None:
        return AdministrativeProcedure.objects.none()
    # The relation of an open audit's team names agencies by "agency__path" too.
    scope = permissions.scope_q(request.user, DOSSIER, [permissions.VIEW], "agency__path")
    used = DailySummary.objects.filter(scope).values("procedure_id")
    return AdministrativeProcedure.objects.filter(pk__in=used).order_by("code")


class OverdueFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        now = timezone.now()
        if value == "yes":
            return qs.filter(_overdue_q(now))
        if value == "no":
            return qs.exclude(_overdue_q(now))
        if value == "late_or_overdue":  # the dashboard's drill-down links here
            return qs.filter(Q(timing=Timing.LATE) | _overdue_q(now))
        return qs


class DossierFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=DOSSIER)
    procedure = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Thủ tục hành chính"),
        queryset=_procedures_offered,
        empty_label=gettext_lazy("Tất cả"),
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=DossierState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    timing = django_filters.ChoiceFilter(
        label=gettext_lazy("Đánh giá thời hạn"),
        choices=Timing.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    received = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Ngày tiếp nhận"),
        field_name="received_on",
        widget=DateRangePickerWidget,
    )
    overdue = OverdueFilter(
        label=gettext_lazy("Quá hạn chưa giải quyết"),
        choices=[
            ("yes", gettext_lazy("Đang quá hạn (chưa giải quyết, đã qua hạn)")),
            ("no", gettext_lazy("Không quá hạn")),
            ("late_or_overdue", gettext_lazy("Quá hạn (đã giải quyết quá hạn hoặc đang quá hạn)")),
        ],
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = Dossier
        fields = []


class DossierIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__parent", "procedure")

    def get_context_data(self, **kwargs):
        self.now = timezone.now()
        return super().get_context_data(**kwargs)

    def to_row_dict(self, item):
        now = getattr(self, "now", None) or timezone.now()
        item.procedure_code = item.procedure.code
        item.procedure_name = item.procedure.name
        item.agency_label = item.agency.display_name
        item.channel_label = str(Channel(item.channel).label)
        item.received_label = _moment(item.received_at)
        item.due_label = _moment(item.due_at)
        item.resolved_label = _moment(item.resolved_at)
        item.state_label = str(DossierState(item.state).label)
        item.timing_label = timing_label(item, now)
        return super().to_row_dict(item)


class DossierInspectView(ScopedInspectView):
    LABELS = {
        "clock": gettext_lazy("Cách tính thời hạn"),
        "timeline": gettext_lazy("Diễn biến của hồ sơ"),
        "steps": gettext_lazy("Phiếu kiểm soát quá trình"),
        "overdue": gettext_lazy("Đánh giá thời hạn"),
        "agency": gettext_lazy("Cơ quan, đơn vị"),
    }
    # Shown as people read them (moments "05/02/2025 15:00", choices by label, working days).
    AS_TEXT = frozenset(
        {
            "channel",
            "received_at",
            "appointment_at",
            "due_at",
            "due_mismatch",
            "supplement_requested_at",
            "resubmitted_at",
            "extended_at",
            "extended_due_at",
            "resolved_at",
            "outcome",
            "state",
            "limit_days",
            "supplement_rule",
            "supplement_count",
            "processing_days",
            "digitised",
            "e_result",
            "online_payment",
            "rating",
            "calendar_version",
            "updated_at",
        }
    )

    def get_object(self, *args, **kwargs):
        dossier = super().get_object(*args, **kwargs)
        # The names shown with it, in one query.
        return Dossier.objects.select_related("agency__parent", "procedure", "last_import").get(
            pk=dossier.pk
        )

    def get_field_label(self, field_name, field):
        label = self.LABELS.get(field_name)
        if label:
            return label
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        if field_name in self.AS_TEXT:
            return field_text(field_name, getattr(self.object, field_name))
        return super().get_field_display_value(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_procedure_display_value(self):
        procedure = self.object.procedure
        return f"{procedure.code} · {procedure.name}"

    def get_overdue_display_value(self):
        return timing_label(self.object)

    def get_last_import_display_value(self):
        dossier_import = self.object.last_import
        if dossier_import is None:
            return EMPTY
        return _("Lần nhập số %(id)s (tệp “%(file)s”)") % {
            "id": dossier_import.pk,
            "file": dossier_import.file_name,
        }

    def get_clock_display_value(self):
        return render_to_string(
            "indicators/dossier_clock.html",
            {"sentences": clock_explanation(self.object)},
            request=self.request,
        )

    def get_timeline_display_value(self):
        return render_to_string(
            "indicators/dossier_timeline.html",
            {"events": timeline(self.object)},
            request=self.request,
        )

    def get_steps_display_value(self):
        return render_to_string(
            "indicators/dossier_steps.html",
            {"sheet": step_sheet(self.object)},
            request=self.request,
        )


def _column(name, label, accessor, sort_key=None):
    return Column(name, label=label, accessor=accessor, sort_key=sort_key)


class DossierViewSet(AgencyScopedViewSet):
    model = Dossier
    resource = DOSSIER
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Hồ sơ")
    menu_hook = MENU_HOOK
    menu_order = 10
    read_only = True
    # No add or edit view is served (read_only); Wagtail still builds a form class.
    form_fields = ["code"]
    index_view_class = DossierIndexView
    inspect_view_class = DossierInspectView
    filterset_class = DossierFilterSet
    search_fields = ["code"]
    search_backend_name = None
    ordering = ["-received_at", "pk"]
    list_per_page = 50
    list_display = [
        "code",
        _column(
            "procedure",
            gettext_lazy("TTHC"),
            lambda d: d.procedure.code,
        ),
        _column("agency", gettext_lazy("Cơ quan, đơn vị"), lambda d: d.agency.display_name),
        _column("channel", gettext_lazy("Kênh nộp"), lambda d: Channel(d.channel).label),
        _column(
            "received_at",
            gettext_lazy("Tiếp nhận"),
            lambda d: _moment(d.received_at),
            sort_key="received_at",
        ),
        _column("due_at", gettext_lazy("Hạn giải quyết"), lambda d: _moment(d.due_at), "due_at"),
        _column(
            "resolved_at",
            gettext_lazy("Trả kết quả"),
            lambda d: _moment(d.resolved_at),
            sort_key="resolved_at",
        ),
        _column("state", gettext_lazy("Trạng thái"), lambda d: DossierState(d.state).label),
        _column("timing", gettext_lazy("Đánh giá"), timing_label),
    ]
    # The facts first, then the clock explained and the timeline, then the details.
    inspect_view_fields = [
        "code",
        "procedure",
        "agency",
        "channel",
        "state",
        "overdue",
        "received_at",
        "due_at",
        "resolved_at",
        "outcome",
        "processing_days",
        "clock",
        "timeline",
        "steps",
        "limit_days",
        "supplement_rule",
        "appointment_at",
        "due_mismatch",
        "supplement_count",
        "supplement_requested_at",
        "resubmitted_at",
        "extended_at",
        "extended_due_at",
        "digitised",
        "e_result",
        "online_payment",
        "rating",
        "calendar_version",
        "last_import",
        "updated_at",
    ]
    list_export = [
        "code",
        "procedure_code",
        "procedure_name",
        "agency_label",
        "channel_label",
        "received_label",
        "due_label",
        "resolved_label",
        "state_label",
        "timing_label",
    ]
    export_headings = {
        "code": gettext_lazy("Mã hồ sơ"),
        "procedure_code": gettext_lazy("Mã TTHC"),
        "procedure_name": gettext_lazy("Tên thủ tục"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "channel_label": gettext_lazy("Kênh nộp"),
        "received_label": gettext_lazy("Tiếp nhận lúc"),
        "due_label": gettext_lazy("Hạn giải quyết"),
        "resolved_label": gettext_lazy("Trả kết quả lúc"),
        "state_label": gettext_lazy("Trạng thái"),
        "timing_label": gettext_lazy("Đánh giá"),
    }
    export_filename = "ho-so"


@hooks.register("register_admin_viewset")
def register_dossier_viewset():
    return DossierViewSet("dossiers")
