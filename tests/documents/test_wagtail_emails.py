"""Workflow notices come from qms's notify() only, never from Wagtail's own moderator e-mails."""

from django.dispatch import Signal
from wagtail import signals


def _receivers_named(signal: Signal, uid: str):
    return [r for r in signal.receivers if r[0][0] == uid]


def test_wagtails_workflow_email_notifiers_are_not_connected():
    from wagtail.admin import signal_handlers

    from documents.apps import WAGTAIL_WORKFLOW_EMAILS

    wagtail_notifiers = {
        id(signal_handlers.task_submission_email_notifier),
        id(signal_handlers.workflow_submission_email_notifier),
        id(signal_handlers.workflow_approval_email_notifier),
        id(signal_handlers.workflow_rejection_email_notifier),
    }
    for signal_name, (_sender, uid) in WAGTAIL_WORKFLOW_EMAILS.items():
        signal = getattr(signals, signal_name)
        connected = _receivers_named(signal, uid)
        assert len(connected) == 1
        receiver = connected[0][1]
        target = (
            receiver() if callable(receiver) and not hasattr(receiver, "__self__") else receiver
        )
        assert id(target) not in wagtail_notifiers
