"""Matrix rules and marked objects of the yearly audit programme and its entries (gathered by tests/audits/authz_rules.py)."""

RULES = []


def populate(world):
    pass
