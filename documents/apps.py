from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Tài liệu, quy trình")

    def ready(self):
        from django.db.models.signals import post_migrate

        from qms import providers, signals
        from qms.models import Agency

        from .models import AgencyPage

        def agency_page(agency):
            return AgencyPage.objects.filter(agency=agency).first()

        def on_agency_changed(sender, agency, created, **kwargs):
            from .services.agency_pages import agency_page_sync

            agency_page_sync(agency)

        def after_migrate(sender, **kwargs):
            from .services.agency_pages import agency_pages_ensure_all
            from .workflow import approval_workflow_ensure

            agency_pages_ensure_all()
            # Also after a test database is flushed (the migration made it first).
            approval_workflow_ensure()

        # The policy rows of issues and decisions; each publication of a procedure an issue.
        from . import receivers, rules  # noqa: F401

        receivers.connect()
        # The legal register and the review of procedures: their policy rows; the catalogue's
        # changes (a time limit, an abolished TTHC) that make procedures due.
        from . import receivers_review, rules_review  # noqa: F401

        receivers_review.connect()

        from .next_steps import document_next_steps

        providers.register(providers.AGENCY_PAGE, agency_page)
        providers.register(providers.NEXT_STEPS, document_next_steps)
        signals.agency_changed.connect(
            on_agency_changed, sender=Agency, weak=False, dispatch_uid="agency_page"
        )
        post_migrate.connect(
            after_migrate, sender=self, weak=False, dispatch_uid="documents_agency_pages"
        )
        _silence_wagtail_workflow_emails()


# Wagtail's admin e-mails moderators itself at each workflow step (to superusers and groups, not to
# the people the approval policy names); qms tells the right people through notify() (inbox and
# the outbox) instead. Taking Wagtail's dispatch_uids first, before wagtail.admin's ready()
# connects its e-mail notifiers (documents is listed before it), keeps them from connecting.
WAGTAIL_WORKFLOW_EMAILS = {
    "task_submitted": ("TaskState", "group_approval_task_submitted_email_notification"),
    "workflow_submitted": ("WorkflowState", "workflow_state_submitted_email_notification"),
    "workflow_rejected": ("WorkflowState", "workflow_state_rejected_email_notification"),
    "workflow_approved": ("WorkflowState", "workflow_state_approved_email_notification"),
}


def _no_email(sender, **kwargs):
    return None


def _silence_wagtail_workflow_emails():
    from wagtail import models, signals

    for signal_name, (sender, uid) in WAGTAIL_WORKFLOW_EMAILS.items():
        getattr(signals, signal_name).connect(
            _no_email, sender=getattr(models, sender), dispatch_uid=uid
        )
