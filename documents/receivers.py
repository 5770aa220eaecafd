"""Wagtail's publication of a procedure page becomes a numbered issue (documents.services.issues).

Connected in ``DocumentsConfig.ready``. ``page_published`` fires for immediate publication (the
approval workflow's finish action) and for scheduled publication (``publish_scheduled``) alike,
and also when a publication is only scheduled: ``issue_record`` gives a number only to the
revision that is really live.
"""

from wagtail.signals import page_published

from documents.models import ProcedurePage


def on_procedure_published(sender, instance, revision, **kwargs):
    from documents.services.issues import issue_record

    if revision is not None:
        issue_record(revision)


def connect() -> None:
    page_published.connect(
        on_procedure_published,
        sender=ProcedurePage,
        weak=False,
        dispatch_uid="documents_issue_record",
    )
