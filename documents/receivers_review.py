"""The catalogue's changes that make procedures due for review (documents.services.review).

Connected in ``DocumentsConfig.ready``:
- the core's ``tthc_time_limit_changed`` (sent once the catalogue change is committed);
- a TTHC saved with ``is_active`` turned off (abolished), seen by comparing with the stored value
  just before the save; the reviews are opened in the saving transaction, so they stand or fall
  with it.
"""

from django.db.models.signals import post_save, pre_save

from qms import signals
from qms.models import AdministrativeProcedure


def on_time_limit_changed(sender, procedure, time_limit, previous_working_days=None, **kwargs):
    from documents.services.review import time_limit_reviews_open

    time_limit_reviews_open(
        tthc=procedure, time_limit=time_limit, previous_working_days=previous_working_days
    )


def remember_active(sender, instance, raw=False, **kwargs):
    instance._documents_was_active = None
    if raw or instance.pk is None or instance.is_active:
        return
    instance._documents_was_active = (
        AdministrativeProcedure.objects.filter(pk=instance.pk)
        .values_list("is_active", flat=True)
        .first()
    )


def on_tthc_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created or instance.is_active:
        return
    if getattr(instance, "_documents_was_active", None):
        from documents.services.review import tthc_abolition_reviews_open

        tthc_abolition_reviews_open(tthc=instance)


def connect() -> None:
    signals.tthc_time_limit_changed.connect(
        on_time_limit_changed, weak=False, dispatch_uid="documents_time_limit_review"
    )
    pre_save.connect(
        remember_active,
        sender=AdministrativeProcedure,
        weak=False,
        dispatch_uid="documents_tthc_was_active",
    )
    post_save.connect(
        on_tthc_saved,
        sender=AdministrativeProcedure,
        weak=False,
        dispatch_uid="documents_tthc_abolished",
    )
