"""Models of audits: the ISO 9001 clause catalogue and its question bank, internal auditors'
qualifications, audits and their checklists, findings and corrective actions."""

from .actions import (
    AWAITING_VERIFICATION,
    UNDONE_STATES,
    ActionState,
    AuditReminder,
    CauseCategory,
    CorrectiveAction,
    CorrectiveActionStep,
    ReminderThreshold,
)
from .auditors import AuditorQualification
from .audits import OPEN_STATES, Audit, AuditState, AuditTeamMember, TeamRole
from .checklists import ChecklistEvidence, ChecklistItem, ItemResult
from .clauses import Clause, Question
from .complaints import (
    CONTACT_FIELDS,
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintReminder,
    ComplaintState,
)
from .findings import (
    NONCONFORMITY_KINDS,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
)
from .programme import (
    QUARTER_CHOICES,
    AuditProgramme,
    EntryPriority,
    ProgrammeEntry,
    ProgrammeState,
)
from .register import (
    ConformityAnnouncement,
    ExternalInspection,
    InspectionState,
    QualitySystem,
    Risk,
    RiskKind,
    RiskState,
    SystemReminder,
    SystemReminderKind,
)
from .reviews import ManagementReview, ReviewState

__all__ = [
    "QUARTER_CHOICES",
    "AuditProgramme",
    "ConformityAnnouncement",
    "EntryPriority",
    "ExternalInspection",
    "InspectionState",
    "ManagementReview",
    "ProgrammeEntry",
    "ProgrammeState",
    "QualitySystem",
    "ReviewState",
    "Risk",
    "RiskKind",
    "RiskState",
    "SystemReminder",
    "SystemReminderKind",
    "AWAITING_VERIFICATION",
    "NONCONFORMITY_KINDS",
    "OPEN_STATES",
    "UNDONE_STATES",
    "ActionState",
    "Audit",
    "AuditReminder",
    "AuditState",
    "AuditTeamMember",
    "AuditorQualification",
    "CauseCategory",
    "ChecklistEvidence",
    "CONTACT_FIELDS",
    "ChecklistItem",
    "Clause",
    "Complaint",
    "ComplaintChannel",
    "ComplaintKind",
    "ComplaintOutcome",
    "ComplaintReminder",
    "ComplaintState",
    "CorrectiveAction",
    "CorrectiveActionStep",
    "Finding",
    "FindingKind",
    "FindingSource",
    "FindingState",
    "ItemResult",
    "Question",
    "ReminderThreshold",
    "TeamRole",
]
