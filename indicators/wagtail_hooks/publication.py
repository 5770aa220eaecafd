"""Admin wiring of the published statistics ("Số liệu công bố", in the "Hồ sơ và chỉ số" group):
read only, since a month's snapshot is written by the daily publication task and never changed.

- the list: month, agency, published on, the total's resolved and on-time rate as published, the
  errata (how many, the last one's date, who published it and why); filters agency (with its units)
  and month; newest first; the same number of queries whatever the rows;
- the snapshot's page: its figures per TTHC and in total, then each erratum beside it (date,
  reason, who) with the figures it changed marked; a link to the public page;
- the transition "Công bố đính chính" (a form with the reason) for the leaders of the agency or
  above: ``indicators.services.publication.erratum_publish`` computes the month again and
  publishes the new figures when they differ.

Who (indicators/rules.py ``ERRATUM``): officers and leaders of the agency and above read; leaders
publish errata.
"""

import django_filters
from django import forms
from django.db.models import Count, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn

from indicators import selectors_publication as publication
from indicators.models import PublishedStatistic, StatisticErratum
from indicators.rules import ERRATUM
from indicators.services.publication import erratum_refusal, erratum_transition
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY, format_day, format_moment
from qms.filters import AgencySubtreeFilter
from qms.formats.numbers import format_number, format_percent
from qms.people import person_name
from qms.viewsets import AgencyScopedViewSet, ScopedIndexView, ScopedInspectView, Transition

permissions.register_policy(PublishedStatistic, ERRATUM)

REASON_CHARS = 80  # of the last erratum's reason, in the list

HELP = gettext_lazy(
    "Số liệu giải quyết TTHC của mỗi tháng được công bố công khai vào ngày 05 tháng sau (hoặc "
    "ngày làm việc tiếp theo) và không bao giờ thay đổi. Khi số liệu cần sửa (ví dụ nhập bổ sung "
    "hồ sơ), lãnh đạo công bố đính chính: hệ thống tính lại số liệu của tháng và công bố bản mới "
    "có ghi ngày bên cạnh bản đã công bố."
)


def _month(statistic) -> str:
    return publication.month_label(statistic.month)


def _total(statistic) -> dict:
    return (statistic.figures or {}).get("total") or {}


def _resolved(statistic) -> str:
    return format_number(_total(statistic).get("resolved") or 0)


def _rate(statistic) -> str:
    rate = _total(statistic).get("on_time_rate")
    return format_percent(rate, 2) if rate is not None else EMPTY


def _errata(statistic) -> str:
    count = getattr(statistic, "errata_count", None)
    if not count:
        return _("Không")
    text = _("%(n)s lần, gần nhất %(day)s") % {
        "n": format_number(count),
        "day": format_day(statistic.last_corrected_on),
    }
    author = getattr(statistic, "last_author", None)
    if author is not None:
        text += f" ({person_name(author)})"
    reason = getattr(statistic, "last_reason", "") or ""
    return f"{text}: {Truncator(reason).chars(REASON_CHARS)}" if reason else text


class ErratumForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do đính chính"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Ví dụ: nhập bổ sung hồ sơ của bộ phận một cửa. Lý do được lưu nội bộ cùng bản đính "
            "chính; trang công khai ghi ngày đính chính và số liệu mới bên cạnh bản đã công bố."
        ),
    )


class StatisticIndexView(ScopedIndexView):
    template_name = "indicators/publication/index.html"

    def get_base_queryset(self):
        last = StatisticErratum.objects.filter(statistic=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent")
            .annotate(
                errata_count=Count("errata"),
                last_corrected_on=Max("errata__published_on"),
                last_author_id=Subquery(last.values("created_by_id")[:1]),
                last_reason=Subquery(last.values("reason")[:1]),
            )
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Tháng"),
            accessor=_month,
            get_url=lambda s: self.get_inspect_url(s),
            sort_key="month",
        )

    def get_table(self, object_list):
        # The authors of the rows' last errata, in one query.
        from django.contrib.auth import get_user_model

        ids = {s.last_author_id for s in object_list if s.last_author_id}
        people = get_user_model().objects.in_bulk(ids) if ids else {}
        for statistic in object_list:
            statistic.last_author = people.get(statistic.last_author_id)
        return super().get_table(object_list)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statistics_help"] = HELP
        return context

    def to_row_dict(self, item):
        item.month_label = _month(item)
        item.agency_label = item.agency.display_name
        item.published_label = format_day(item.published_on)
        item.resolved_label = _resolved(item)
        item.rate_label = _rate(item)
        item.errata_label = _errata(item)
        return super().to_row_dict(item)


class StatisticInspectView(ScopedInspectView):
    template_name = "indicators/publication/inspect.html"
    LABELS = {
        "month": gettext_lazy("Tháng"),
        "published_at": gettext_lazy("Công bố lúc"),
    }

    def get_object(self, *args, **kwargs):
        statistic = super().get_object(*args, **kwargs)
        return PublishedStatistic.objects.select_related("agency__parent").get(pk=statistic.pk)

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_month_display_value(self):
        return _month(self.object)

    def get_published_on_display_value(self):
        return format_day(self.object.published_on)

    def get_published_at_display_value(self):
        return format_moment(self.object.published_at)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statistic = self.object
        errata = list(statistic.errata.select_related("created_by").order_by("created_at", "pk"))
        versions = publication.versions_of(statistic, errata)
        keys = [key for key, _label in publication.HEADINGS]
        shown, previous = [], None
        for version in versions:
            changed = (
                publication.changed_cells(previous.figures, version.figures) if previous else set()
            )
            rows = [
                {
                    "code": code,
                    "name": name,
                    "cells": [
                        {"text": text, "changed": (code, key) in changed}
                        for key, text in zip(keys, cells, strict=True)
                    ],
                }
                for code, name, cells in publication.display_rows(version.figures)
            ]
            erratum = version.erratum
            shown.append(
                {
                    "label": version.label,
                    "erratum": erratum,
                    "by": person_name(erratum.created_by) if erratum and erratum.created_by else "",
                    "at": format_moment(erratum.created_at) if erratum else "",
                    "rows": rows,
                }
            )
            previous = version
        context.update(
            versions=shown,
            headings=publication.headings(),
            public_url=reverse(
                "public_statistics_month",
                args=[statistic.agency.code, statistic.month.year, statistic.month.month],
            ),
            transition_buttons=self.transition_buttons(statistic),
        )
        return context


class StatisticFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=ERRATUM)
    month = django_filters.DateFilter(
        label=gettext_lazy("Tháng (ngày đầu tháng)"), field_name="month"
    )

    class Meta:
        model = PublishedStatistic
        fields = []


class PublishedStatisticViewSet(AgencyScopedViewSet):
    model = PublishedStatistic
    resource = ERRATUM
    icon = "doc-full"
    menu_label = gettext_lazy("Số liệu công bố")
    menu_hook = MENU_HOOK
    menu_order = 75
    # Snapshots are written by the publication task and never changed: no add, edit or delete.
    read_only = True
    form_fields = ["published_on"]  # Wagtail asks for one, though no form is served
    index_view_class = StatisticIndexView
    inspect_view_class = StatisticInspectView
    filterset_class = StatisticFilterSet
    list_display = [
        "month",
        Column("agency", label=gettext_lazy("Cơ quan"), accessor=lambda s: s.agency.display_name),
        Column(
            "published_on",
            label=gettext_lazy("Ngày công bố"),
            accessor=lambda s: format_day(s.published_on),
            sort_key="published_on",
        ),
        Column("resolved", label=gettext_lazy("Đã giải quyết (khi công bố)"), accessor=_resolved),
        Column("rate", label=gettext_lazy("Tỷ lệ trước và đúng hạn (khi công bố)"), accessor=_rate),
        Column("errata", label=gettext_lazy("Đính chính"), accessor=_errata),
    ]
    ordering = ["-month", "agency__path"]
    inspect_view_fields = ["agency", "month", "published_on", "published_at"]
    list_export = [
        "month_label",
        "agency_label",
        "published_label",
        "resolved_label",
        "rate_label",
        "errata_label",
    ]
    export_headings = {
        "month_label": gettext_lazy("Tháng"),
        "agency_label": gettext_lazy("Cơ quan"),
        "published_label": gettext_lazy("Ngày công bố"),
        "resolved_label": gettext_lazy("Đã giải quyết (khi công bố)"),
        "rate_label": gettext_lazy("Tỷ lệ trước và đúng hạn (khi công bố)"),
        "errata_label": gettext_lazy("Đính chính"),
    }
    export_filename = "so-lieu-cong-bo"

    transitions = (
        Transition(
            name="erratum",
            label=gettext_lazy("Công bố đính chính"),
            service=erratum_transition,
            action=permissions.ADD,
            refusal=erratum_refusal,
            form_class=ErratumForm,
            confirmation=gettext_lazy(
                "Hệ thống tính lại số liệu của tháng từ dữ liệu hồ sơ hiện có. Nếu khác số liệu "
                "đang công bố, bản đính chính được công bố công khai kèm ngày hôm nay, bên cạnh "
                "bản đã công bố (bản đã công bố không thay đổi)."
            ),
            icon="edit",
        ),
    )


@hooks.register("register_admin_viewset")
def register_published_statistic_viewset():
    return PublishedStatisticViewSet("published_statistics")
