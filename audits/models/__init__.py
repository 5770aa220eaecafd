"""Models of audits: the ISO 9001 clause catalogue and its question bank, internal auditors'
qualifications (later: audits, checklists, findings, corrective actions)."""

from .auditors import AuditorQualification
from .clauses import Clause, Question

__all__ = ["AuditorQualification", "Clause", "Question"]
