"""The dashboard's chart drawings, cached per data version and drawn by a worker (issue [9]
item 3).

The page computes each chart's data table (cheap) and reads its ``ChartImage`` (chart, params =
``DashboardFilter.query()``):

- the same ``data_hash``: the drawing is current, shown as it is;
- a different hash: the last drawing is shown with its date ("đang vẽ lại theo số liệu mới")
  and a drawing is requested;
- no drawing yet: the data table is shown alone ("Biểu đồ đang được vẽ") and a drawing is
  requested.

A request enqueues the Celery task ``indicators.tasks.chart_draw`` after the commit, at most once
per chart, filter and hash while it waits (a key in Django's cache, removed when the drawing is
stored; shared by the processes when CACHE_URL names a Redis). The task reads the table again (the
data may have moved on), draws SVG, PNG and PDF and upserts the row. A download of a drawing that
is not current draws it in the request (``chart_file``) and stores it the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from indicators.charts import CHARTS, ChartTable, filter_from_query, render_table, table_of
from indicators.models import ChartImage

PENDING_TIMEOUT = 15 * 60  # a task lost with its worker is asked again after this


@dataclass
class ChartPanel:
    """One chart as the page shows it."""

    key: str
    table: ChartTable
    image: ChartImage | None  # the last drawing (svg loaded; png and pdf deferred)
    current: bool  # the drawing is of this very data

    @property
    def svg(self) -> str:
        return self.image.svg if self.image is not None else ""

    @property
    def rendered_at(self) -> dt.datetime | None:
        return self.image.rendered_at if self.image is not None else None


def _pending_key(key: str, params: str, data_hash: str) -> str:
    import hashlib

    digest = hashlib.sha256(f"{key}|{params}|{data_hash}".encode()).hexdigest()
    return f"qms:chart-pending:{digest}"


def _enqueue(key: str, params: str, data_hash: str, language: str) -> None:
    from indicators import tasks

    if cache.add(_pending_key(key, params, data_hash), 1, PENDING_TIMEOUT):
        tasks.chart_draw.delay(key, params, language)


def request_drawing(key: str, params: str, data_hash: str) -> None:
    """Ask the worker to draw chart ``key`` for ``params`` once the transaction commits (at most
    one waiting request per chart, filter and data hash)."""
    language = translation.get_language() or "vi"
    transaction.on_commit(partial(_enqueue, key, params, data_hash, language), robust=True)


def chart_panels(
    dashboard_filter, *, keys=None, now: dt.datetime | None = None
) -> list[ChartPanel]:
    """Every chart (or ``keys``) of the filter: its table, its last drawing, whether current;
    requests a drawing for those that are not. One query for the drawings."""
    now = now or timezone.now()
    keys = list(keys or CHARTS)
    params = dashboard_filter.query()
    images = {
        image.chart: image
        for image in ChartImage.objects.filter(params=params, chart__in=keys).defer("png", "pdf")
    }
    panels = []
    for key in keys:
        table = table_of(key, dashboard_filter, now)
        image = images.get(key)
        current = image is not None and image.data_hash == table.data_hash()
        if not current:
            request_drawing(key, params, table.data_hash())
        panels.append(ChartPanel(key=key, table=table, image=image, current=current))
    return panels


def store_drawing(key: str, params: str, table: ChartTable, drawn: dict[str, bytes]) -> ChartImage:
    """Upsert the drawing of ``table`` (the row of chart and params)."""
    values = {
        "data_hash": table.data_hash(),
        "svg": drawn["svg"].decode("utf-8"),
        "png": drawn["png"],
        "pdf": drawn["pdf"],
        "rendered_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            image, _created = ChartImage.objects.update_or_create(
                chart=key, params=params, defaults=values
            )
    except IntegrityError:  # another worker created it meanwhile: update it
        ChartImage.objects.filter(chart=key, params=params).update(**values)
        image = ChartImage.objects.get(chart=key, params=params)
    return image


def draw_and_store(key: str, params: str, language: str = "vi") -> ChartImage | None:
    """The worker's job: read the table of chart ``key`` for ``params`` now, draw it and store
    it, unless the stored drawing is already of that data. None when the filter no longer names
    anything (an agency deleted)."""
    if key not in CHARTS:
        return None
    with translation.override(language):
        dashboard_filter = filter_from_query(params)
        if dashboard_filter is None:
            return None
        table = table_of(key, dashboard_filter)
        data_hash = table.data_hash()
        try:
            existing = ChartImage.objects.filter(chart=key, params=params).only("data_hash").first()
            if existing is not None and existing.data_hash == data_hash:
                return existing
            return store_drawing(key, params, table, render_table(table))
        finally:
            cache.delete(_pending_key(key, params, data_hash))


def chart_file(key: str, dashboard_filter, fmt: str, *, now=None) -> bytes:
    """The drawing as ``fmt`` ("svg", "png", "pdf") for a download: the stored one when it is of
    the current data, else drawn now (and stored for the page)."""
    params = dashboard_filter.query()
    table = table_of(key, dashboard_filter, now)
    image = ChartImage.objects.filter(chart=key, params=params).first()
    if image is None or image.data_hash != table.data_hash():
        image = store_drawing(key, params, table, render_table(table))
    if fmt == "svg":
        return image.svg.encode("utf-8")
    return bytes(getattr(image, fmt))
