"""Matrix rules and marked objects of the QMS register (scope, policy), risks and opportunities, conformity announcements and external inspections (gathered by tests/audits/authz_rules.py)."""

RULES = []


def populate(world):
    pass
