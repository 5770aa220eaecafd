"""Models of audits: the ISO 9001 clause catalogue and its question bank, internal auditors'
qualifications (later: audits, checklists, findings, corrective actions)."""

from .auditors import AuditorQualification
from .audits import OPEN_STATES, Audit, AuditState, AuditTeamMember, TeamRole
from .clauses import Clause, Question

__all__ = [
    "OPEN_STATES",
    "Audit",
    "AuditState",
    "AuditTeamMember",
    "AuditorQualification",
    "Clause",
    "Question",
    "TeamRole",
]
