"""The base of the dashboard's pages (scorecard, drill-down, charts, index): the readers of the
metrics only, the filter read from the URL (``indicators.dashboard_filter``), opened on the
reader's own agency and the current month."""

from __future__ import annotations

from django.utils import timezone

from indicators.dashboard_filter import DashboardForm, default_period
from indicators.wagtail_hooks.metrics import MetricsFilterView


class DashboardPageView(MetricsFilterView):
    form_class = DashboardForm

    @property
    def initial_extra(self):
        return {"period": default_period(timezone.localdate())}

    def read_filter(self):
        """Set ``self.form`` and ``self.filter`` (None when the form is not valid)."""
        self.form = self._form()
        self.filter = self.form.dashboard_filter()
        return self.filter
