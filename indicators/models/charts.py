"""Rendered dashboard charts, cached per data version.

A chart is identified by its kind and its filter (``params``: the canonical query string of the
agency, period and filters); ``data_hash`` is the hash of the data table it was drawn from. The
page computes the table (cheap, from the summaries), shows the stored drawing when the hashes
agree, and otherwise shows the last drawing with its date while a worker draws the new one. One
row per chart and filter: a new drawing replaces the old."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChartImage(models.Model):
    chart = models.CharField(_("biểu đồ"), max_length=40)
    params = models.CharField(_("bộ lọc"), max_length=500)
    data_hash = models.CharField(max_length=64)
    svg = models.TextField(blank=True)
    png = models.BinaryField(blank=True, default=b"")
    pdf = models.BinaryField(blank=True, default=b"")
    rendered_at = models.DateTimeField(_("vẽ lúc"))

    class Meta:
        verbose_name = _("biểu đồ đã vẽ")
        verbose_name_plural = _("biểu đồ đã vẽ")
        constraints = [
            models.UniqueConstraint(fields=["chart", "params"], name="chart_image_unique")
        ]

    def __str__(self):
        return f"{self.chart} {self.params}"
