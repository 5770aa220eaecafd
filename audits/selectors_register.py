"""Reads of the QMS register (scope, policy), risks and opportunities, conformity announcements
and external inspections."""

from qms.models import AdministrativeProcedure
from qms.models.agencies import subtree_q


def scope_procedures(agency):
    """The TTHC in the registers of ``agency`` and of its units (its subtree): the procedures the
    quality system covers there, each once, in code order."""
    return (
        AdministrativeProcedure.objects.filter(
            subtree_q([agency.path], "quality_systems__agency__path")
        )
        .distinct()
        .order_by("code")
    )
