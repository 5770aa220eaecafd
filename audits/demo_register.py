"""Demo data of the QMS register (scope, policy), risks and opportunities, conformity announcements and external inspections (run by ``audits.demo.seed``, idempotent)."""


def seed() -> dict:
    return {}
