"""The document list (danh mục tài liệu) of an agency and its units: every procedure with the
number and effective date of its issue in force, its status and its next review date, in one query
whatever the number of rows (the admin list and its XLSX/PDF exports read it)."""

import datetime
from calendar import monthrange

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Exists, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, WorkflowState

from documents.models import (
    IssueStatus,
    ProcedureIssue,
    ProcedurePage,
    ProcedureReview,
    ReviewOutcome,
)


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    IN_REVIEW = "in_review", _("Đang trình duyệt")
    IN_FORCE = "in_force", _("Đang áp dụng")
    WITHDRAWN = "withdrawn", _("Đã bãi bỏ")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (31 January + 1 month is the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def master_list(queryset=None):
    """Procedures annotated with ``issue_number``, ``effective_date`` (of the issue in force),
    ``in_review``, ``status`` (a ``ProcedureStatus`` value) and ``next_review`` (the earliest due
    date of its open reviews: periodic, or sooner for a legal or TTHC change)."""
    queryset = ProcedurePage.objects.all() if queryset is None else queryset
    in_force = ProcedureIssue.objects.filter(
        procedure=OuterRef("pk"), status=IssueStatus.IN_FORCE
    ).order_by("-number")
    withdrawn = ProcedureIssue.objects.filter(
        procedure=OuterRef("pk"), status=IssueStatus.WITHDRAWN
    )
    reviewing = WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id=models.functions.Cast(OuterRef("pk"), models.CharField()),
        status=WorkflowState.STATUS_IN_PROGRESS,
    )
    due = ProcedureReview.objects.filter(
        procedure=OuterRef("pk"), outcome=ReviewOutcome.OPEN
    ).order_by("due_on")
    return queryset.select_related("agency").annotate(
        next_review=Subquery(due.values("due_on")[:1]),
        issue_number=Subquery(in_force.values("number")[:1]),
        effective_date=Subquery(in_force.values("effective_date")[:1]),
        in_review=Exists(reviewing),
        status=Case(
            When(issue_number__isnull=False, then=Value(ProcedureStatus.IN_FORCE)),
            When(in_review=True, then=Value(ProcedureStatus.IN_REVIEW)),
            When(Exists(withdrawn), then=Value(ProcedureStatus.WITHDRAWN)),
            default=Value(ProcedureStatus.DRAFT),
            output_field=models.CharField(),
        ),
    )
