"""Models of document control: agency pages, procedure pages and their issues."""

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

__all__ = [
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
