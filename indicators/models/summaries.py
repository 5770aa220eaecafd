"""Summary tables of the on-time metrics, kept incrementally by the services that change dossiers
(an import, an event, a recomputation) and always equal to a recomputation from the dossiers; a
nightly check verifies it and repairs any drift. No history: they are derived data.

A row counts, for one agency, TTHC and channel, what happened on one day: the dossiers received
that day (and of those, how many had a supplement request, came online, were digitised), and the
dossiers resolved that day (early, on time, late, refused among them, the processing time; with
an electronic result, paid online, late with an apology letter, rated, satisfied) or withdrawn
that day. Months, quarters and years are sums of days; rates divide once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qms.models import AdministrativeProcedure, Agency

# Counted fields of a DailySummary row, in the order the services and the check use them.
COUNTS = (
    "received",
    "supplemented",
    "online",
    "digitised",
    "resolved",
    "early",
    "on_time",
    "late",
    "refused",
    "withdrawn",
    "e_result",
    "online_payment",
    "apologised",
    "rated",
    "satisfied",
)

# A rating at or above this (of 1 to 5) is "satisfied" (hài lòng) in the service index.
SATISFIED_RATING = 4


class DailySummary(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        AdministrativeProcedure, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=20)
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)
    supplemented = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    digitised = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    early = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    # Of the dossiers resolved that day: result returned electronically, fee paid online, late
    # with an apology letter, rated by the citizen, rated SATISFIED_RATING or more.
    e_result = models.PositiveIntegerField(default=0)
    online_payment = models.PositiveIntegerField(default=0)
    apologised = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    # Sum of the processing working days of the dossiers resolved that day.
    processing_days = models.DecimalField(max_digits=16, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp theo ngày")
        verbose_name_plural = _("số liệu tổng hợp theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure", "channel", "day"], name="daily_summary_unique"
            ),
        ]
        indexes = [models.Index(fields=["agency", "day"], name="daily_summary_agency_day")]

    def __str__(self):
        return f"{self.agency_id}/{self.procedure_id}/{self.channel} {self.day:%d/%m/%Y}"


class SummaryBin(models.Model):
    """The kept histogram of processing times: dossiers resolved that day whose processing time
    falls in the quarter-day bin ``((bin - 1) / 4, bin / 4]`` (bin 0 holds exactly zero)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        AdministrativeProcedure, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=20)
    day = models.DateField()
    bin = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("phân bố thời gian xử lý")
        verbose_name_plural = _("phân bố thời gian xử lý")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure", "channel", "day", "bin"], name="summary_bin_unique"
            ),
        ]
        indexes = [models.Index(fields=["agency", "day"], name="summary_bin_agency_day")]

    def __str__(self):
        return (
            f"{self.agency_id}/{self.procedure_id}/{self.channel} {self.day:%d/%m/%Y} #{self.bin}"
        )
