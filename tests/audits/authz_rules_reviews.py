"""Matrix rules and marked objects of management reviews (gathered by tests/audits/authz_rules.py)."""

RULES = []


def populate(world):
    pass
