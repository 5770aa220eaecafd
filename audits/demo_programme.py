"""Demo data of the yearly audit programme and its entries (run by ``audits.demo.seed``, idempotent)."""


def seed() -> dict:
    return {}
