from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"

    def ready(self):
        # The policy rows of internal auditors' qualifications, of the clause catalogue and of
        # the question bank, and of audits (with the open audit's team's reads).
        from . import rules_auditors, rules_audits, rules_clauses  # noqa: F401
