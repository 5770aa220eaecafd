from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"

    def ready(self):
        # The policy rows of internal auditors' qualifications, of the clause catalogue and of
        # the question bank.
        from . import rules_auditors, rules_clauses  # noqa: F401
