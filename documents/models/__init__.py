"""Models of document control: agency pages, procedure pages and their issues."""

from .acknowledgements import Acknowledgement, AcknowledgementReminder
from .approval import ApprovalStage, ProcedureApprovalTask
from .issues import (
    ApprovalDecision,
    IssueCounter,
    IssueForm,
    IssueService,
    IssueStatus,
    ProcedureIssue,
)
from .pages import AgencyPage, ProcedurePage
from .review import (
    LegalCitation,
    LegalDocument,
    ProcedureReview,
    ReminderThreshold,
    ReviewOutcome,
    ReviewReason,
    ReviewReminder,
)

__all__ = [
    "Acknowledgement",
    "AcknowledgementReminder",
    "LegalCitation",
    "LegalDocument",
    "ProcedureReview",
    "ReminderThreshold",
    "ReviewOutcome",
    "ReviewReason",
    "ReviewReminder",
    "AgencyPage",
    "ApprovalStage",
    "ApprovalDecision",
    "IssueCounter",
    "IssueForm",
    "IssueService",
    "IssueStatus",
    "ProcedureIssue",
    "ProcedureApprovalTask",
    "ProcedurePage",
]
