"""System checks of qms's configuration (``manage.py check``): limits that must fit together."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def task_limits_fit_visibility_timeout(app_configs=None, **kwargs):
    """Redis hands an unacknowledged task to another worker after its visibility timeout; a task
    still running then (its time limit plus one SMTP wait) would run twice."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    visibility = options.get("visibility_timeout")
    limit, email_timeout = settings.CELERY_TASK_TIME_LIMIT, settings.EMAIL_TIMEOUT
    errors = []
    if visibility is not None and limit + email_timeout >= visibility:
        errors.append(
            Error(
                f"CELERY_TASK_TIME_LIMIT ({limit} s) + EMAIL_TIMEOUT ({email_timeout} s) must be "
                f"below CELERY_VISIBILITY_TIMEOUT ({visibility} s).",
                hint="Raise CELERY_VISIBILITY_TIMEOUT or lower the other two.",
                id="qms.E001",
            )
        )
    claim = settings.EMAIL_CLAIM_TIMEOUT
    if claim <= limit + email_timeout:
        errors.append(
            Error(
                f"EMAIL_CLAIM_TIMEOUT ({claim} s) must exceed CELERY_TASK_TIME_LIMIT ({limit} s) "
                f"+ EMAIL_TIMEOUT ({email_timeout} s), or an e-mail being sent would be marked "
                "uncertain.",
                id="qms.E002",
            )
        )
    return errors
