"""Models of document control: agency pages, procedure pages and their issues."""

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
    "ApprovalDecision",
    "IssueCounter",
    "IssueForm",
    "IssueService",
    "IssueStatus",
    "ProcedureIssue",
    "ProcedurePage",
]
