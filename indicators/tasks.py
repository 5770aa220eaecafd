"""Celery tasks of indicators: thin, idempotent wrappers around services (acks_late and
reject_on_worker_lost are global settings: a task whose worker dies is delivered again)."""

from celery import shared_task


@shared_task
def import_check(import_id: int) -> None:
    """The dry run of an uploaded import; a redelivered run starts over cleanly."""
    from indicators.services.imports import import_check as check

    check(import_id)


@shared_task
def import_apply(import_id: int) -> None:
    """Write a confirmed import chunk by chunk; a redelivered run resumes from its checkpoint."""
    from indicators.services.imports import import_apply as apply

    apply(import_id)


@shared_task
def summaries_nightly_check() -> int:
    """Nightly: compare the summary tables with a recomputation from the dossiers, log any drift
    as an error and repair it. Returns the number of differences found."""
    from indicators.services.summaries import verify_and_repair

    return len(verify_and_repair())


@shared_task
def objectives_evaluate_previous_month() -> int:
    """Monthly (day 1): evaluate every quality objective for the month just ended; a miss raises
    its nonconformity once (a redelivered run finds the month evaluated). Returns how many
    objectives were evaluated."""
    from indicators.services.objectives import evaluate_month, previous_month

    return len(evaluate_month(previous_month()))


@shared_task
def statistics_publish_due() -> int:
    """Daily: publish the previous month's statistics once their publication date (the 5th of
    the month, or the next working day) has come; a body's month is published once, so a missed
    day catches up and a second run changes nothing. Returns how many snapshots were made."""
    from indicators.services.publication import publish_due

    return len(publish_due())


@shared_task
def monthly_reports_send() -> int:
    """Daily: from the first working day of a month, send last month's report to the leaders of
    each reporting body once (the MonthlyReport row is the claim: a second run, or a redelivered
    one, sends nothing again; a missed day catches up). Returns how many reports were sent."""
    from django.utils import timezone

    from indicators.services.reports import monthly_reports_send as send

    return send(today=timezone.localdate())


@shared_task
def chart_draw(key: str, params: str, language: str = "vi") -> None:
    """Draw one dashboard chart for one filter (SVG, PNG, PDF) and store it; a redelivered run
    finds it current and does nothing."""
    from indicators.services.charts import draw_and_store

    draw_and_store(key, params, language)
