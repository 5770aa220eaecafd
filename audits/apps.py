from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"

    def ready(self):
        # The policy rows of internal auditors' qualifications, of the clause catalogue and of
        # the question bank, of audits (with the open audit's team's reads), of checklists,
        # findings and corrective actions (with the owner's and the verifier's reads).
        from qms import providers

        from . import (  # noqa: F401
            rules_actions,
            rules_auditors,
            rules_audits,
            rules_checklists,
            rules_clauses,
            rules_complaints,
            rules_findings,
            rules_programme,
            rules_register,
            rules_reviews,
        )
        from .next_steps import audit_next_steps

        providers.register(providers.NEXT_STEPS, audit_next_steps)
