"""Admin wiring of the explicit recomputation of stored due times ("Tính lại hạn giải quyết", in
the "Hồ sơ và chỉ số" group): the list of past requests (agency, period, reason, who and when,
counts, state), the request form (agency, period, reason) that records a preview through
``recompute_preview``, the request's page with the counts and the listed changes (code, field,
before → after) and the transition "Áp dụng" through ``recompute_apply``. Requests are a log: no
edit, no delete."""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn

from indicators.models import Recomputation
from indicators.models.dossiers import RecomputationState
from indicators.rules import RECOMPUTATION
from indicators.selectors_dossiers import format_moment
from indicators.services.recompute import MAX_LISTED, recompute_apply, recompute_preview
from indicators.wagtail_hooks.imports import AgencySelectMixin
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY, format_day
from qms.filters import AgencySubtreeFilter
from qms.formats.numbers import format_number
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
)

permissions.register_policy(Recomputation, RECOMPUTATION)

CHANGES_PER_PAGE = 100


def recomputation_title(r) -> str:
    """A request as people name it: the agency and when it was asked (local time)."""
    return f"{r.agency.display_name} · {format_moment(r.requested_at)}"


def _state_label(r) -> str:
    return RecomputationState(r.state).label


def _period_label(r) -> str:
    return f"{format_day(r.period_start)} – {format_day(r.period_end)}"


def _requested_label(r) -> str:
    who = person_name(r.requested_by) if r.requested_by_id else EMPTY
    return f"{who}, {format_moment(r.requested_at)}"


def _applied_label(r) -> str:
    if r.state != RecomputationState.APPLIED:
        return _("Chưa áp dụng")
    who = person_name(r.applied_by) if r.applied_by_id else EMPTY
    return f"{who}, {format_moment(r.applied_at)}"


class RecomputationCreateView(AgencySelectMixin, ScopedCreateView):
    """The request records a preview (``recompute_preview``) and opens its page."""

    template_name = "indicators/recompute/create.html"
    inspect_url_name = None
    submit_button_label = gettext_lazy("Xem trước các thay đổi")
    submit_button_active_label = gettext_lazy("Đang tính…")
    error_message = gettext_lazy("Chưa thể xem trước: hãy sửa các lỗi dưới đây.")

    def get_page_title(self):
        return _("Yêu cầu tính lại hạn giải quyết")

    def save_instance(self):
        data = self.form.cleaned_data
        return recompute_preview(
            actor=self.request.user,
            agency=data.get("agency"),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            reason=data.get("reason") or "",
        )

    def get_success_message(self, instance):
        return _(
            "Đã xem trước việc tính lại: %(title)s. Kiểm tra các thay đổi rồi bấm “Áp dụng”."
        ) % {"title": recomputation_title(instance)}

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[self.object.pk])

    def get_success_buttons(self):
        return []


class RecomputationIndexView(ScopedIndexView):
    add_item_label = gettext_lazy("Yêu cầu tính lại")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent", "requested_by", "applied_by")
            .defer("changes")
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Cơ quan, đơn vị"),
            accessor=lambda r: r.agency.display_name,
            get_url=lambda r: self.get_inspect_url(r),
        )

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.period_label = _period_label(item)
        item.reason_label = item.reason
        item.requested_label = _requested_label(item)
        item.state_label = _state_label(item)
        item.applied_label = _applied_label(item)
        return super().to_row_dict(item)


class RecomputationInspectView(ScopedInspectView):
    template_name = "indicators/recompute/inspect.html"
    LABELS = {
        "period": gettext_lazy("Kỳ tiếp nhận"),
        "requested": gettext_lazy("Người yêu cầu, lúc"),
        "applied": gettext_lazy("Người áp dụng, lúc"),
    }

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_page_subtitle(self):
        return recomputation_title(self.object)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_period_display_value(self):
        return _period_label(self.object)

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_examined_display_value(self):
        return format_number(self.object.examined)

    def get_changed_display_value(self):
        return format_number(self.object.changed)

    def get_requested_display_value(self):
        return _requested_label(self.object)

    def get_applied_display_value(self):
        return _applied_label(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        changes = self.object.changes or []
        page = Paginator(changes, CHANGES_PER_PAGE).get_page(self.request.GET.get("p"))
        page.object_list = [
            {**change, "url": reverse("dossiers:inspect", args=[change["dossier"]])}
            if change.get("dossier")
            else change
            for change in page.object_list
        ]
        listed_codes = {c.get("code") for c in changes}
        context.update(
            changes_page=page,
            changes_total=len(changes),
            listed_dossiers=len(listed_codes),
            truncated=self.object.changed > len(listed_codes),
            max_listed=MAX_LISTED,
            transition_buttons=self.transition_buttons(self.object),
            previewed=self.object.state == RecomputationState.PREVIEWED,
            examined_text=format_number(self.object.examined),
            changed_text=format_number(self.object.changed),
        )
        return context


class RecomputationFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=RECOMPUTATION)
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=RecomputationState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = Recomputation
        fields = []


def _apply(*, actor, instance):
    return recompute_apply(actor=actor, recomputation=instance)


class RecomputationViewSet(AgencyScopedViewSet):
    model = Recomputation
    resource = RECOMPUTATION
    icon = "resubmit"
    menu_label = gettext_lazy("Tính lại hạn giải quyết")
    menu_hook = MENU_HOOK
    menu_order = 60
    # A log of requests: changed only by the transition, never edited or deleted.
    read_only = True
    READ_ONLY_VIEWS = AgencyScopedViewSet.READ_ONLY_VIEWS | {"add"}
    add_view_class = RecomputationCreateView
    index_view_class = RecomputationIndexView
    inspect_view_class = RecomputationInspectView
    filterset_class = RecomputationFilterSet
    list_display = [
        "agency",
        Column("period", label=gettext_lazy("Kỳ tiếp nhận"), accessor=_period_label),
        Column("reason", label=gettext_lazy("Lý do"), accessor=lambda r: r.reason[:120]),
        Column("requested", label=gettext_lazy("Người yêu cầu, lúc"), accessor=_requested_label),
        Column(
            "examined",
            label=gettext_lazy("Số hồ sơ xem xét"),
            accessor=lambda r: format_number(r.examined),
        ),
        Column(
            "changed",
            label=gettext_lazy("Số hồ sơ thay đổi"),
            accessor=lambda r: format_number(r.changed),
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column("applied", label=gettext_lazy("Người áp dụng, lúc"), accessor=_applied_label),
    ]
    ordering = ["-requested_at", "-pk"]
    search_fields = ["reason"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency", widget=forms.Select),
            FieldPanel("period_start"),
            FieldPanel("period_end"),
            FieldPanel(
                "reason",
                help_text=gettext_lazy(
                    "Ví dụ: thông báo nghỉ bù, thời hạn giải quyết của TTHC được sửa đổi."
                ),
            ),
        ]
    )
    inspect_view_fields = [
        "agency",
        "period",
        "reason",
        "state",
        "calendar_version",
        "examined",
        "changed",
        "requested",
        "applied",
    ]
    list_export = [
        "agency_label",
        "period_label",
        "reason_label",
        "requested_label",
        "examined",
        "changed",
        "state_label",
        "applied_label",
    ]
    export_headings = {
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "period_label": gettext_lazy("Kỳ tiếp nhận"),
        "reason_label": gettext_lazy("Lý do"),
        "requested_label": gettext_lazy("Người yêu cầu, lúc"),
        "examined": gettext_lazy("Số hồ sơ xem xét"),
        "changed": gettext_lazy("Số hồ sơ thay đổi"),
        "state_label": gettext_lazy("Trạng thái"),
        "applied_label": gettext_lazy("Người áp dụng, lúc"),
    }
    export_filename = "tinh-lai-han-giai-quyet"
    transitions = (
        Transition(
            name="apply",
            label=gettext_lazy("Áp dụng"),
            service=_apply,
            available=lambda r: r.state == RecomputationState.PREVIEWED,
            confirmation=gettext_lazy(
                "Ghi các thay đổi đã xem trước vào hồ sơ: hạn giải quyết, đánh giá và bảng tổng "
                "hợp được cập nhật; mỗi hồ sơ thay đổi được ghi một sự kiện “Tính lại hạn”. Nếu "
                "lịch làm việc hoặc hồ sơ đã thay đổi từ khi xem trước, việc áp dụng bị từ chối và "
                "cần xem trước lại."
            ),
            icon="check",
            # The service logs the preview and the application in the request's history itself.
            log=False,
        ),
    )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(add_url_name=self.get_url_name("add"), **kwargs)

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(inspect_url_name=self.get_url_name("inspect"), **kwargs)


@hooks.register("register_admin_viewset")
def register_recomputation_viewset():
    return RecomputationViewSet("dossier_recomputations")
