"""Admin wiring of the events the one-stop systems sent through the API ("Sự kiện nhận qua API",
in the "Hồ sơ và chỉ số" group): read only, since events are written only by the API service
(``indicators.services.events``). An officer sees what was received and why an event did not
change a dossier: its outcome (applied, or stale: the dossier already had a later event of the
source). A replay of a kept event id is answered "duplicate" and never kept twice, so each row is
the first delivery of its id.

- the list: recorded at, agency, event id, kind, dossier code (linked to the dossier's page when
  the dossier exists, the page's dossiers found in one query), occurred at, outcome, sent by;
  filters (agency with its units, kind, outcome); search by event id or dossier code; newest
  first; the same number of queries whatever the rows;
- the event's page: the same facts and the payload as sent (pretty JSON).

Who sees what is the policy's (indicators/rules.py ``EVENTS``): officers and leaders of the agency
or above.
"""

import json

import django_filters
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn

from indicators.models import ApiEvent, Dossier
from indicators.models.api import ApiEventKind, ApiEventOutcome
from indicators.rules import EVENTS
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY, format_moment
from qms.filters import AgencySubtreeFilter
from qms.people import person_name
from qms.viewsets import AgencyScopedViewSet, ScopedIndexView, ScopedInspectView

permissions.register_policy(ApiEvent, EVENTS)

HELP = gettext_lazy(
    "Các sự kiện hệ thống một cửa gửi qua API, mỗi mã sự kiện được ghi một lần. “Bỏ qua” nghĩa "
    "là hồ sơ đã có sự kiện mới hơn của nguồn nên sự kiện không làm thay đổi hồ sơ. Sự kiện gửi "
    "lại với mã đã có được trả lời “trùng” (duplicate) kèm kết quả lần đầu và không được ghi "
    "thêm; sự kiện bị từ chối vì lỗi không được ghi."
)


def _kind_label(event) -> str:
    return str(ApiEventKind(event.kind).label) if event.kind in ApiEventKind.values else event.kind


def _outcome_label(event) -> str:
    if event.outcome in ApiEventOutcome.values:
        return str(ApiEventOutcome(event.outcome).label)
    return event.outcome


def _sent_by_label(event) -> str:
    return person_name(event.sent_by) if event.sent_by_id else EMPTY


def dossier_urls(events) -> dict[tuple[int, str], str]:
    """The dossier page of each event whose dossier exists, by (agency id, dossier code), found
    in one query for all the events given."""
    keys = {(e.agency_id, e.dossier_code) for e in events}
    if not keys:
        return {}
    found = Dossier.objects.filter(
        agency_id__in={a for a, _c in keys}, code__in={c for _a, c in keys}
    ).values_list("agency_id", "code", "pk")
    return {(a, c): reverse("dossiers:inspect", args=[pk]) for a, c, pk in found if (a, c) in keys}


def _dossier_link(event, urls) -> str:
    url = urls.get((event.agency_id, event.dossier_code))
    if url is None:
        return event.dossier_code
    return format_html('<a href="{}">{}</a>', url, event.dossier_code)


class ApiEventIndexView(ScopedIndexView):
    template_name = "indicators/api_events_index.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__parent", "sent_by")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Ghi nhận lúc"),
            accessor=lambda e: format_moment(e.recorded_at),
            get_url=lambda e: self.get_inspect_url(e),
            sort_key="recorded_at",
        )

    def get_table(self, object_list):
        # The dossiers of the page's rows, in one query (iterating caches the page's rows).
        urls = dossier_urls(object_list)
        for event in object_list:
            event.dossier_cell = _dossier_link(event, urls)
        return super().get_table(object_list)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events_help"] = HELP
        return context

    def to_row_dict(self, item):
        item.recorded_label = format_moment(item.recorded_at)
        item.agency_label = item.agency.display_name
        item.kind_label = _kind_label(item)
        item.occurred_label = format_moment(item.occurred_at)
        item.outcome_label = _outcome_label(item)
        item.sent_by_label = _sent_by_label(item)
        return super().to_row_dict(item)


class ApiEventInspectView(ScopedInspectView):
    LABELS = {"payload": gettext_lazy("Nội dung sự kiện (như đã gửi)")}

    def get_object(self, *args, **kwargs):
        event = super().get_object(*args, **kwargs)
        return ApiEvent.objects.select_related("agency__parent", "sent_by").get(pk=event.pk)

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_recorded_at_display_value(self):
        return format_moment(self.object.recorded_at)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_kind_display_value(self):
        return _kind_label(self.object)

    def get_dossier_code_display_value(self):
        return _dossier_link(self.object, dossier_urls([self.object]))

    def get_occurred_at_display_value(self):
        return format_moment(self.object.occurred_at)

    def get_outcome_display_value(self):
        return _outcome_label(self.object)

    def get_sent_by_display_value(self):
        return _sent_by_label(self.object)

    def get_payload_display_value(self):
        if not self.object.payload:
            return EMPTY
        text = json.dumps(self.object.payload, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre class="api-event-payload">{}</pre>', text)


class ApiEventFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=EVENTS)
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Sự kiện"),
        choices=ApiEventKind.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    outcome = django_filters.ChoiceFilter(
        label=gettext_lazy("Kết quả"),
        choices=ApiEventOutcome.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = ApiEvent
        fields = []


class ApiEventViewSet(AgencyScopedViewSet):
    model = ApiEvent
    resource = EVENTS
    icon = "resubmit"
    menu_label = gettext_lazy("Sự kiện nhận qua API")
    menu_hook = MENU_HOOK
    menu_order = 70
    # Written only by the API service: no add, edit, copy or delete.
    read_only = True
    form_fields = ["event_id"]  # Wagtail asks for one, though no form is served
    index_view_class = ApiEventIndexView
    inspect_view_class = ApiEventInspectView
    filterset_class = ApiEventFilterSet
    list_display = [
        "recorded_at",
        Column("agency", label=gettext_lazy("Cơ quan"), accessor=lambda e: e.agency.display_name),
        Column("event_id", label=gettext_lazy("Mã sự kiện"), accessor=lambda e: e.event_id),
        Column("kind", label=gettext_lazy("Sự kiện"), accessor=_kind_label),
        Column(
            "dossier_code",
            label=gettext_lazy("Mã hồ sơ"),
            accessor=lambda e: getattr(e, "dossier_cell", e.dossier_code),
        ),
        Column(
            "occurred_at",
            label=gettext_lazy("Xảy ra lúc"),
            accessor=lambda e: format_moment(e.occurred_at),
            sort_key="occurred_at",
        ),
        Column("outcome", label=gettext_lazy("Kết quả"), accessor=_outcome_label),
        Column("sent_by", label=gettext_lazy("Tài khoản gửi"), accessor=_sent_by_label),
    ]
    ordering = ["-recorded_at", "-pk"]
    search_fields = ["event_id", "dossier_code"]
    search_backend_name = None
    inspect_view_fields = [
        "recorded_at",
        "agency",
        "event_id",
        "kind",
        "dossier_code",
        "occurred_at",
        "outcome",
        "sent_by",
        "payload",
    ]
    list_export = [
        "recorded_label",
        "agency_label",
        "event_id",
        "kind_label",
        "dossier_code",
        "occurred_label",
        "outcome_label",
        "sent_by_label",
    ]
    export_headings = {
        "recorded_label": gettext_lazy("Ghi nhận lúc"),
        "agency_label": gettext_lazy("Cơ quan"),
        "event_id": gettext_lazy("Mã sự kiện"),
        "kind_label": gettext_lazy("Sự kiện"),
        "dossier_code": gettext_lazy("Mã hồ sơ"),
        "occurred_label": gettext_lazy("Xảy ra lúc"),
        "outcome_label": gettext_lazy("Kết quả"),
        "sent_by_label": gettext_lazy("Tài khoản gửi"),
    }
    export_filename = "su-kien-nhan-qua-api"


@hooks.register("register_admin_viewset")
def register_api_event_viewset():
    return ApiEventViewSet("api_events")
