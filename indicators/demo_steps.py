"""Demo data of indicators: see indicators/demo.py."""


def seed() -> dict:
    return {}
