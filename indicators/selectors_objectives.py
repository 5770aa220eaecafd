"""Reads of quality objectives and their evaluations."""


def quality_objectives(agency, start, end):
    """``qms.providers.QUALITY_OBJECTIVES``: the agency's objectives of the period with their
    results, or None when the agency has none."""
    return None
