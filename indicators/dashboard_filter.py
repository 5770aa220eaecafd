"""The filter of the leadership dashboard, its charts, drill-down and exports (issue [9] item 5).

A node (with its subtree, across the reform: ``selectors_bodies``), a period (a month, a quarter,
a year or a range of days, ``indicators.periods``), and optionally a field (lĩnh vực) and a
channel, which narrow the dossier figures (the on-time rates, pending overdue, the charts of
dossiers); records that are not dossiers (reviews, findings, actions, complaints) are counted
for the node and period whatever the field and channel. The URL holds the filter, so a view can
be shared and bookmarked: ``DashboardFilter.query()`` writes it, ``DashboardForm`` reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.models import AdministrativeProcedure, Agency

from .models import Channel
from .periods import RANGE, clean_period, period_choices


@dataclass(frozen=True)
class DashboardFilter:
    agency: Agency
    start: dt.date
    end: dt.date
    period: str  # "m-2026-10", "q-2026-4", "y-2026" or "range"
    field: str = ""
    channel: str = ""

    @property
    def year_start(self) -> dt.date:
        """The first day of the year of the period's end (the "from the start of the year")."""
        return self.end.replace(month=1, day=1)

    def dossier_q(self, prefix: str = "") -> Q:
        """The field and channel, on a dossier (``prefix=""``) or a summary row."""
        query = Q()
        if self.field:
            query &= Q(**{f"{prefix}procedure__field": self.field})
        if self.channel:
            query &= Q(**{f"{prefix}channel": self.channel})
        return query

    def params(self, **changes) -> dict[str, str]:
        """The filter as URL parameters (``changes`` applied, e.g. ``agency=other``)."""
        current = replace(self, **changes) if changes else self
        values = {"agency": str(current.agency.pk), "period": current.period}
        if current.period == RANGE:
            values.update(start=current.start.isoformat(), end=current.end.isoformat())
        if current.field:
            values["field"] = current.field
        if current.channel:
            values["channel"] = current.channel
        return values

    def query(self, **changes) -> str:
        """The canonical query string (sorted keys): links, bookmarks and the chart cache key."""
        return urlencode(sorted(self.params(**changes).items()))

    def describe(self) -> list[str]:
        """The filter in words, for a page's facts and an export's head."""
        from qms.display import format_day

        lines = [
            _("Cơ quan, đơn vị: %(name)s (gồm các đơn vị trực thuộc)")
            % {"name": self.agency.display_name},
            _("Kỳ báo cáo: %(start)s – %(end)s")
            % {"start": format_day(self.start), "end": format_day(self.end)},
        ]
        if self.field:
            lines.append(_("Lĩnh vực: %(field)s") % {"field": self.field})
        if self.channel:
            lines.append(_("Kênh nộp: %(channel)s") % {"channel": Channel(self.channel).label})
        return lines


def default_period(today: dt.date) -> str:
    return f"m-{today:%Y-%m}"


def field_choices() -> list[tuple[str, str]]:
    fields = (
        AdministrativeProcedure.objects.exclude(field="")
        .order_by()
        .values_list("field", flat=True)
        .distinct()
    )
    from qms.collation import vi_sort_key

    return [("", _("Mọi lĩnh vực"))] + [(f, f) for f in sorted(set(fields), key=vi_sort_key)]


class DashboardForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan, đơn vị"),
        queryset=Agency.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Bạn không được xem số liệu của cơ quan này; hãy chọn trong danh sách."
            )
        },
    )
    period = forms.ChoiceField(label=gettext_lazy("Kỳ báo cáo"))
    start = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)
    field = forms.ChoiceField(label=gettext_lazy("Lĩnh vực"), required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("Kênh nộp"),
        required=False,
        choices=[("", gettext_lazy("Mọi kênh nộp")), *Channel.choices],
    )

    def __init__(self, *args, agencies, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        from wagtail.admin.widgets import AdminDateInput

        self.fields["agency"].queryset = agencies
        self.fields["agency"].label_from_instance = lambda a: a.display_name
        self.fields["period"].choices = period_choices(today)
        self.fields["field"].choices = field_choices()
        self.fields["start"].widget = AdminDateInput()
        self.fields["end"].widget = AdminDateInput()

    def clean(self):
        data = super().clean()
        clean_period(self, data)
        return data

    def dashboard_filter(self) -> DashboardFilter | None:
        """The filter, once the form is valid."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        start, end = data["bounds"]
        return DashboardFilter(
            agency=data["agency"],
            start=start,
            end=end,
            period=data["period"],
            field=data.get("field") or "",
            channel=data.get("channel") or "",
        )
