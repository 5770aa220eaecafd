"""Demo data of management reviews (run by ``audits.demo.seed``, idempotent)."""


def seed() -> dict:
    return {}
