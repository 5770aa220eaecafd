"""Admin wiring of the national service index (Decision 766/QĐ-TTg), in the "Hồ sơ và chỉ số"
group:

- the page "Chỉ số phục vụ người dân, doanh nghiệp" (``indicators_service_index``,
  indicators/dashboard/index/): the chosen body's score out of 100, its five groups, where the
  points are lost (indicators sorted by points lost), the entered indicators marked "nhập tay"
  with who and when or "chưa nhập" with a link to enter them, the index of each body below it
  (worst first) and the last twelve months; each table exported to XLSX (one sheet per table) or
  CSV. Readers of the metrics only, on the agencies of their scope (``DashboardPageView``);
- "Số liệu chỉ số nhập tay" (``index_entries``): the values of the "entered" indicators, scoped by
  agency (officers and leaders enter, through ``index_entry_save``; staff read);
- "Bộ chỉ số phục vụ" (``index_schemes``): the schemes with their groups and indicators (formula,
  points, legal source), read by everyone; administrators change them.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import Button

from indicators.models.index import ENTERED, IndexEntry, IndexIndicator, IndexScheme
from indicators.rules import INDEX_ENTRY, INDEX_SCHEME, METRICS
from indicators.selectors_index import (
    IndexResult,
    index_by_body,
    index_trend,
    scheme_for,
    service_index,
)
from indicators.services.index import index_entry_save
from indicators.wagtail_hooks.dashboard_base import DashboardPageView
from indicators.wagtail_hooks.imports import AgencySelectMixin
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY, empty, format_day, format_moment
from qms.exports import XLSX_TYPE, Table, download, table_csv, table_xlsx
from qms.filters import AgencySubtreeFilter
from qms.formats.numbers import format_number, format_percent
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
)

permissions.register_policy(IndexEntry, INDEX_ENTRY)
permissions.register_policy(IndexScheme, INDEX_SCHEME)

TREND_MONTHS = 12
TABLES = ("indicators", "groups", "bodies", "trend")


# --- Words ---------------------------------------------------------------------------------------


def points_text(value) -> str:
    return EMPTY if value is None else format_number(value, 2)


def share_text(value) -> str:
    return EMPTY if value is None else format_percent(value, 1, ratio=True)


def month_text(first: dt.date) -> str:
    return first.strftime("%m/%Y")


def source_text(indicator) -> str:
    """Where a value comes from: computed, entered by whom and when, or not entered."""
    if not indicator.entered:
        return _("Tính từ dữ liệu hồ sơ, khiếu nại của hệ thống")
    if indicator.share is None:
        return _("Chưa nhập")
    who = person_name(indicator.entered_by) if indicator.entered_by else _("không rõ")
    return _("Nhập tay: %(who)s, %(when)s") % {
        "who": who,
        "when": format_moment(indicator.entered_at),
    }


def total_text(result: IndexResult) -> str:
    if result.total is None:
        return EMPTY
    return f"{format_number(result.total, 2)}/{format_number(result.max_total, 0)}"


# --- The page ------------------------------------------------------------------------------------


class ServiceIndexView(DashboardPageView):
    template_name = "indicators/index/page.html"
    page_title = gettext_lazy("Chỉ số phục vụ người dân, doanh nghiệp")
    header_icon = "trophy"
    FORMATS = ("xlsx", "csv")

    def get(self, request, *args, **kwargs):
        self.read_filter()
        # The index is the body's whole: the field and channel of the dashboard's filter do not
        # narrow it, so the form does not offer them here.
        for name in ("field", "channel"):
            self.form.fields.pop(name, None)
        self.today = timezone.localdate()
        self.result = self.rows = self.trend = None
        if self.filter is not None:
            f = self.filter
            self.result = service_index(f.agency, f.start, f.end, today=self.today)
            self.rows = index_by_body(f, today=self.today)
            self.trend = index_trend(f.agency, f.end, TREND_MONTHS, today=self.today)
            export = request.GET.get("export")
            if export in self.FORMATS:
                return self._export(export, request.GET.get("table") or "indicators")
        return self.render_to_response(self.get_context_data(**kwargs))

    # --- the tables (one shape for the page and the exports)

    def _entry_url(self, indicator) -> str:
        if not permissions.has_permission(
            self.request.user, INDEX_ENTRY, permissions.ADD, self.filter.agency
        ):
            return ""
        query = QueryDict(mutable=True)
        query.update(
            {
                "indicator": indicator.indicator_id,
                "agency": self.filter.agency.pk,
                "month": self.filter.end.replace(day=1).isoformat(),
            }
        )
        return f"{reverse('index_entries:add')}?{query.urlencode()}"

    def tables(self) -> dict[str, Table]:
        facts = [*self.filter.describe(), *self._scheme_facts()]
        result = self.result
        ordered = sorted(
            result.indicators,
            key=lambda i: (-(i.lost if i.lost is not None else -1), i.code),
        )
        groups = result.groups
        group_headings = [f"{g.number}. {g.name}" for g in groups]
        return {
            "indicators": Table(
                title=_("Chỉ số thành phần"),
                facts=facts,
                headings=[
                    _("Mã"),
                    _("Chỉ số thành phần"),
                    _("Tỷ lệ đạt"),
                    _("Điểm"),
                    _("Điểm tối đa"),
                    _("Điểm bị mất"),
                    _("Nguồn số liệu"),
                    _("Cách tính"),
                    _("Căn cứ"),
                ],
                kinds=["text", "text", "rate", "points", "points", "points"],
                rows=[
                    [
                        i.code,
                        i.name,
                        i.share,
                        i.points,
                        i.points_max,
                        i.lost,
                        source_text(i),
                        i.formula_text,
                        i.legal_source,
                    ]
                    for i in ordered
                ],
            ),
            "groups": Table(
                title=_("Nhóm chỉ số"),
                facts=facts,
                headings=[_("Nhóm"), _("Điểm"), _("Điểm tối đa"), _("Điểm bị mất")],
                kinds=["text", "points", "points", "points"],
                rows=[[f"{g.number}. {g.name}", g.points, g.max_points, g.lost] for g in groups]
                + [[_("Tổng điểm"), result.total, result.max_total, result.lost]],
            ),
            "bodies": Table(
                title=_("Theo đơn vị"),
                facts=facts,
                headings=[_("Cơ quan, đơn vị"), _("Tổng điểm"), *group_headings],
                kinds=["text", "points", *["points"] * len(groups)],
                rows=[
                    [body.label, r.total, *self._group_points(r, groups)] for body, r in self.rows
                ],
            ),
            "trend": Table(
                title=_("Theo tháng"),
                facts=facts,
                headings=[_("Tháng"), _("Tổng điểm"), *group_headings],
                kinds=["text", "points", *["points"] * len(groups)],
                rows=[
                    [month_text(month), r.total, *self._group_points(r, groups)]
                    for month, r in self.trend
                ],
            ),
        }

    @staticmethod
    def _group_points(result: IndexResult, groups) -> list:
        by_number = {g.number: g.points for g in result.groups}
        return [by_number.get(g.number) for g in groups]

    def _scheme_facts(self) -> list[str]:
        scheme = self.result.scheme
        if scheme is None:
            return [_("Chưa có bộ chỉ số áp dụng cho kỳ này.")]
        return [
            _("Bộ chỉ số: %(name)s, áp dụng từ %(day)s (%(source)s)")
            % {
                "name": scheme.name,
                "day": format_day(scheme.valid_from),
                "source": scheme.legal_source,
            }
        ]

    def _export(self, export_format: str, which: str):
        tables = self.tables()
        stem = (
            f"chi-so-phuc-vu-{slugify(self.filter.agency.code) or 'co-quan'}-"
            f"{self.filter.start:%Y%m%d}-{self.filter.end:%Y%m%d}"
        )
        if export_format == "csv":
            table = tables.get(which, tables["indicators"])
            name = which if which in tables else "indicators"
            return download(table_csv(table), f"{stem}-{name}.csv", "text/csv; charset=utf-8")
        return download(table_xlsx(*tables.values()), f"{stem}.xlsx", XLSX_TYPE)

    def _export_url(self, export_format: str, table: str = "") -> str:
        query = QueryDict(self.filter.query(), mutable=True)
        query["export"] = export_format
        if table:
            query["table"] = table
        return f"{self.request.path}?{query.urlencode()}"

    def get_header_more_buttons(self):
        if getattr(self, "result", None) is None:
            return []
        return [
            Button(
                _("Tải XLSX (mọi bảng)"),
                url=self._export_url("xlsx"),
                icon_name="download",
                priority=90,
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        result = self.result
        if result is None:
            return context
        lost = result.by_points_lost()
        indicators = []
        for group in result.groups:
            for i in group.indicators:
                indicators.append(
                    {
                        "group": group.number,
                        "code": i.code,
                        "name": i.name,
                        "share": share_text(i.share),
                        "points": points_text(i.points),
                        "max": points_text(i.points_max),
                        "lost": points_text(i.lost),
                        "entered": i.entered,
                        "missing": i.entered and i.share is None,
                        "source": source_text(i),
                        "entry_url": self._entry_url(i) if i.entered else "",
                        "formula": i.formula_text,
                        "legal_source": i.legal_source,
                    }
                )
        by_code = {row["code"]: row for row in indicators}
        query = self.filter.query
        context.update(
            facts=[*self.filter.describe(), *self._scheme_facts()],
            total=total_text(result),
            known=format_number(result.known_max, 2),
            has_total=result.total is not None,
            groups=[
                {
                    "label": f"{g.number}. {g.name}",
                    "points": points_text(g.points),
                    "max": points_text(g.max_points),
                    "lost": points_text(g.lost),
                }
                for g in result.groups
            ],
            lost=[by_code[i.code] for i in lost],
            indicators=indicators,
            group_headings=[f"{g.number}. {g.name}" for g in result.groups],
            bodies=[
                {
                    "label": body.label,
                    "link": (
                        f"{self.request.path}?{query(agency=body.agency)}"
                        if not body.own and body.agency != self.filter.agency
                        else ""
                    ),
                    "total": total_text(r),
                    "groups": [points_text(p) for p in self._group_points(r, result.groups)],
                }
                for body, r in self.rows
            ],
            trend=[
                {
                    "month": month_text(month),
                    "scheme": r.scheme.code if r.scheme else EMPTY,
                    "total": total_text(r),
                    "groups": [points_text(p) for p in self._group_points(r, result.groups)],
                }
                for month, r in self.trend
            ],
            csv_urls={name: self._export_url("csv", name) for name in TABLES},
            xlsx_url=self._export_url("xlsx"),
        )
        return context


class ServiceIndexMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, METRICS, permissions.VIEW)


@hooks.register("register_admin_urls")
def register_service_index_urls():
    return [
        path(
            "indicators/dashboard/index/",
            ServiceIndexView.as_view(),
            name="indicators_service_index",
        )
    ]


@hooks.register(MENU_HOOK)
def register_service_index_menu_item():
    return ServiceIndexMenuItem(
        gettext_lazy("Chỉ số phục vụ người dân, doanh nghiệp"),
        reverse("indicators_service_index"),
        icon_name="trophy",
        order=56,
    )


# --- Entered values ------------------------------------------------------------------------------


def _entered_indicators(day: dt.date):
    scheme = scheme_for(day)
    rows = IndexIndicator.objects.filter(formula=ENTERED).select_related("group")
    if scheme is None:
        return rows.none()
    return rows.filter(group__scheme=scheme).order_by("group__number", "order", "code")


def save_entry(*, actor, instance: IndexEntry) -> IndexEntry:
    """The viewset's save: through ``index_entry_save``; an entry keeps its indicator, agency and
    month (another month is a new entry)."""
    if instance.pk:
        before = IndexEntry.objects.get(pk=instance.pk)
        month = instance.month.replace(day=1) if instance.month else None
        if (before.indicator_id, before.agency_id, before.month) != (
            instance.indicator_id,
            instance.agency_id,
            month,
        ):
            raise ValidationError(
                _(
                    "Không đổi chỉ số, cơ quan hay tháng của số liệu đã nhập; hãy nhập số liệu "
                    "mới cho tháng khác."
                )
            )
    return index_entry_save(
        actor=actor,
        indicator=instance.indicator,
        agency=instance.agency,
        month=instance.month,
        value=instance.value,
        source=instance.source,
    )


class EntryFormMixin(AgencySelectMixin):
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get("indicator")
        if field is not None:
            field.queryset = _entered_indicators(timezone.localdate())
            field.label_from_instance = lambda i: (
                f"{i.code} {i.name} ({format_number(i.points, 2)} điểm)"
            )
        if "month" in form.fields:
            form.fields["month"].help_text = _(
                "Một ngày bất kỳ trong tháng; số liệu được ghi cho cả tháng."
            )
        if "value" in form.fields:
            form.fields["value"].help_text = _(
                "Phần trăm từ 0 đến 100 của điểm tối đa của chỉ số (ví dụ 90: đạt chín phần "
                "mười số điểm), theo số liệu trên Cổng Dịch vụ công quốc gia hoặc nguồn đã ghi."
            )
        if not form.is_bound:
            for name in ("indicator", "agency", "month"):
                value = self.request.GET.get(name)
                if value and name in form.fields:
                    form.initial[name] = value
        return form


class EntryCreateView(EntryFormMixin, ScopedCreateView):
    pass


class EntryEditView(EntryFormMixin, ScopedEditView):
    pass


class EntryIndexView(ScopedIndexView):
    add_item_label = gettext_lazy("Nhập số liệu")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent", "indicator__group__scheme", "entered_by")
        )

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Chỉ số thành phần"),
            accessor=lambda e: f"{e.indicator.code} {e.indicator.name}",
            get_url=lambda e: self.get_inspect_url(e),
        )

    def to_row_dict(self, item):
        item.indicator_label = f"{item.indicator.code} {item.indicator.name}"
        item.agency_label = item.agency.display_name
        item.month_label = month_text(item.month)
        item.value_label = format_percent(item.value, 2)
        item.by_label = person_name(item.entered_by) if item.entered_by_id else EMPTY
        item.at_label = format_moment(item.entered_at)
        return super().to_row_dict(item)


class EntryInspectView(ScopedInspectView):
    def get_indicator_display_value(self):
        return f"{self.object.indicator.code} {self.object.indicator.name}"

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_month_display_value(self):
        return month_text(self.object.month)

    def get_value_display_value(self):
        return format_percent(self.object.value, 2)

    def get_source_display_value(self):
        return empty(self.object.source)

    def get_entered_by_display_value(self):
        return person_name(self.object.entered_by) if self.object.entered_by_id else EMPTY

    def get_entered_at_display_value(self):
        return format_moment(self.object.entered_at)


class EntryFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=INDEX_ENTRY)
    month = django_filters.DateFilter(
        label=gettext_lazy("Tháng"),
        method="filter_month",
        widget=AdminDateInput,
    )

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1)) if value else queryset

    class Meta:
        model = IndexEntry
        fields = []


class IndexEntryViewSet(AgencyScopedViewSet):
    model = IndexEntry
    resource = INDEX_ENTRY
    icon = "edit"
    menu_label = gettext_lazy("Số liệu chỉ số nhập tay")
    menu_hook = MENU_HOOK
    menu_order = 57
    add_view_class = EntryCreateView
    edit_view_class = EntryEditView
    index_view_class = EntryIndexView
    inspect_view_class = EntryInspectView
    filterset_class = EntryFilterSet
    save_service = staticmethod(save_entry)
    list_display = [
        "indicator",
        Column("agency", label=gettext_lazy("Cơ quan, đơn vị"), accessor="agency_label"),
        Column("month", label=gettext_lazy("Tháng"), accessor="month_label"),
        Column("value", label=gettext_lazy("Mức đạt (%)"), accessor="value_label"),
        Column("source", label=gettext_lazy("Nguồn số liệu"), accessor="source"),
        Column("entered_by", label=gettext_lazy("Người nhập"), accessor="by_label"),
        Column("entered_at", label=gettext_lazy("Nhập lúc"), accessor="at_label"),
    ]
    ordering = ["-month", "agency__path", "indicator__code"]
    search_fields = ["indicator__code", "indicator__name", "source"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("indicator", widget=forms.Select),
            FieldRowPanel([FieldPanel("agency", widget=forms.Select), FieldPanel("month")]),
            FieldRowPanel([FieldPanel("value"), FieldPanel("source")]),
        ]
    )
    inspect_view_fields = [
        "indicator",
        "agency",
        "month",
        "value",
        "source",
        "entered_by",
        "entered_at",
    ]
    list_export = [
        "indicator_label",
        "agency_label",
        "month_label",
        "value",
        "source",
        "by_label",
        "at_label",
    ]
    export_headings = {
        "indicator_label": gettext_lazy("Chỉ số thành phần"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "month_label": gettext_lazy("Tháng"),
        "value": gettext_lazy("Mức đạt (%)"),
        "source": gettext_lazy("Nguồn số liệu"),
        "by_label": gettext_lazy("Người nhập"),
        "at_label": gettext_lazy("Nhập lúc"),
    }
    export_filename = "so-lieu-chi-so-phuc-vu"

    def get_common_view_kwargs(self, **kwargs):
        # Entries are kept with their history: a wrong value is changed, never deleted.
        return super().get_common_view_kwargs(**{"delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]


# --- Schemes -------------------------------------------------------------------------------------


class SchemeIndexView(ScopedIndexView):
    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Tên bộ chỉ số"),
            accessor="name",
            get_url=lambda s: self.get_inspect_url(s),
        )

    def to_row_dict(self, item):
        item.valid_label = format_day(item.valid_from)
        return super().to_row_dict(item)


class SchemeInspectView(ScopedInspectView):
    template_name = "indicators/index/scheme.html"

    def get_valid_from_display_value(self):
        return format_day(self.object.valid_from)

    def get_note_display_value(self):
        return empty(self.object.note)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = []
        for group in self.object.groups.prefetch_related("indicators"):
            groups.append(
                {
                    "label": f"{group.number}. {group.name}",
                    "max": points_text(group.max_points),
                    "indicators": [
                        {
                            "code": i.code,
                            "name": i.name,
                            "points": points_text(i.points),
                            "how": _("Nhập tay") if i.is_entered else _("Tính từ dữ liệu"),
                            "formula": i.formula_text,
                            "source": i.legal_source,
                        }
                        for i in group.indicators.all()
                    ],
                }
            )
        context["groups"] = groups
        return context


class IndexSchemeViewSet(AgencyScopedViewSet):
    model = IndexScheme
    resource = INDEX_SCHEME
    icon = "list-ol"
    menu_label = gettext_lazy("Bộ chỉ số phục vụ")
    menu_hook = MENU_HOOK
    menu_order = 58
    index_view_class = SchemeIndexView
    inspect_view_class = SchemeInspectView
    list_display = [
        "name",
        "code",
        Column("valid_from", label=gettext_lazy("Áp dụng từ ngày"), accessor="valid_label"),
        "legal_source",
    ]
    ordering = ["-valid_from"]
    search_fields = ["code", "name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("code"), FieldPanel("valid_from")]),
            FieldPanel("name"),
            FieldPanel("legal_source"),
            FieldPanel("note"),
        ]
    )
    inspect_view_fields = ["code", "name", "legal_source", "valid_from", "note"]
    list_export = ["code", "name", "valid_label", "legal_source"]
    export_headings = {
        "code": gettext_lazy("Mã"),
        "name": gettext_lazy("Tên bộ chỉ số"),
        "valid_label": gettext_lazy("Áp dụng từ ngày"),
        "legal_source": gettext_lazy("Căn cứ pháp lý"),
    }
    export_filename = "bo-chi-so-phuc-vu"

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]


@hooks.register("register_admin_viewset")
def register_index_entry_viewset():
    return IndexEntryViewSet("index_entries")


@hooks.register("register_admin_viewset")
def register_index_scheme_viewset():
    return IndexSchemeViewSet("index_schemes")
