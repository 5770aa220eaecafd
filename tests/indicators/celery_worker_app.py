"""The project's Celery app for the worker tests of indicators, with one change: the pool reports
a process that died ``worker_lost_wait`` = 1 s after it died instead of 10 s, to keep CI time low
(the redelivery itself is the project's setting: acks_late and reject_on_worker_lost)."""

from qms.celery import app

app.conf.worker_lost_wait = 1.0

__all__ = ["app"]
