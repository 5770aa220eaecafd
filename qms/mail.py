"""SMTP sending that knows how far a message got, so the outbox can retry without sending twice.

Before the DATA command the server has not taken the message: a failure there is safe to retry,
except a 5xx reply about this message (sender or recipient refused), which no retry will change.
From DATA on, the server may have taken it: the outcome is uncertain and the message is never
resent automatically.
"""

import smtplib

from django.core.mail.backends import smtp

RETRY = "retry"  # not delivered; trying again later may work
FAILED = "failed"  # not delivered; the server refused this message for good
UNCERTAIN = "uncertain"  # the server may have delivered it


class SendError(Exception):
    """Sending stopped; ``outcome`` is one of RETRY, FAILED, UNCERTAIN."""

    def __init__(self, outcome: str, error: BaseException):
        super().__init__(f"{type(error).__name__}: {error}")
        self.outcome = outcome
        self.error = error


def _permanent_refusal(error: BaseException) -> bool:
    """A 5xx reply to MAIL FROM or RCPT TO: this message will never be taken."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPSenderRefused):
        return error.smtp_code >= 500
    return False


def outcome_before_data(error: BaseException) -> str:
    """Connect, DNS, timeout, EHLO, STARTTLS, AUTH, any 4xx: retry. A refusal of the sender or
    recipient with 5xx: failed."""
    return FAILED if _permanent_refusal(error) else RETRY


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend that raises ``SendError`` saying whether the failure came before DATA.

    Used for one message at a time by the outbox (``qms.services.notifications``); other callers
    (Django's password reset) see a ``SendError`` where they saw an ``SMTPException`` before.
    """

    def open(self):
        try:
            return super().open()
        except Exception as error:  # anything while connecting: the message was not sent
            if self.fail_silently:
                return None
            raise SendError(RETRY, error) from error

    def _send(self, email_message):
        connection = self.connection
        data_started = False
        smtp_data = connection.data

        def data(msg):
            nonlocal data_started
            data_started = True
            return smtp_data(msg)

        # smtplib's sendmail() calls self.data(); an instance attribute is found first.
        connection.data = data
        try:
            return super()._send(email_message)
        except Exception as error:
            outcome = UNCERTAIN if data_started else outcome_before_data(error)
            raise SendError(outcome, error) from error
        finally:
            del connection.data
