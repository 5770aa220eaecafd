"""Reads of the QMS register (scope, policy), risks and opportunities, conformity announcements
and external inspections."""

import datetime

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import NONCONFORMITY_KINDS, ExternalInspection, Finding, Risk
from qms.models import AdministrativeProcedure, Agency, Membership
from qms.models.agencies import subtree_q

# Risk levels by score (likelihood × impact): high from 15, medium from 8, low below.
HIGH, MEDIUM = 15, 8
LEVELS = ("high", "medium", "low")


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


def units_allowed(agency: Agency) -> QuerySet:
    """The agencies a register may name as its units: the agency and the units inside it."""
    return Agency.objects.filter(subtree_q([agency.path], "path"))


def procedures_allowed(agency: Agency) -> QuerySet:
    """The TTHC a register may cover: those the agency or one of its units handles."""
    return AdministrativeProcedure.objects.filter(
        pk__in=AdministrativeProcedure.objects.filter(
            subtree_q([agency.path], "handling_agency_links__agency__path")
        ).values("pk")
    )


def is_member_of(user, agency: Agency, day: datetime.date | None = None) -> bool:
    """Does ``user`` hold a role (in force) on ``agency`` or a unit inside it?"""
    return (
        Membership.objects.active(day)
        .filter(subtree_q([agency.path], "agency__path"), user=user)
        .exists()
    )


def level_of(score: int) -> str:
    if score >= HIGH:
        return "high"
    if score >= MEDIUM:
        return "medium"
    return "low"


def level_label(score: int) -> str:
    return {
        "high": _("Cao"),
        "medium": _("Trung bình"),
        "low": _("Thấp"),
    }[level_of(score)]


def with_score(queryset: QuerySet) -> QuerySet:
    """Risks with their score (likelihood × impact) as ``score_value``, for sorting and filters."""
    return queryset.annotate(score_value=F("likelihood") * F("impact"))


def filter_level(queryset: QuerySet, level: str) -> QuerySet:
    queryset = with_score(queryset)
    if level == "high":
        return queryset.filter(score_value__gte=HIGH)
    if level == "medium":
        return queryset.filter(score_value__gte=MEDIUM, score_value__lt=HIGH)
    if level == "low":
        return queryset.filter(score_value__lt=MEDIUM)
    return queryset


def risk_score_label(risk: Risk) -> str:
    return f"{risk.score} ({level_label(risk.score)})"


def inspection_nonconformities_without_action(inspection: ExternalInspection) -> QuerySet:
    """The inspection's nonconformities (major, minor) that have no corrective action yet."""
    return (
        Finding.objects.filter(
            external_inspection=inspection, kind__in=NONCONFORMITY_KINDS, actions__isnull=True
        )
        .order_by("code")
        .distinct()
    )


def days_left_label(inspection: ExternalInspection, today: datetime.date | None = None) -> str:
    """ "Còn N ngày" / "Hôm nay là hạn" / "Quá hạn N ngày" for a report still due; the day it was
    sent otherwise."""
    if inspection.reported_on:
        return _("Đã gửi báo cáo ngày %(day)s") % {
            "day": inspection.reported_on.strftime("%d/%m/%Y")
        }
    today = today or timezone.localdate()
    days = (inspection.report_due_on - today).days
    if days > 0:
        return _("Còn %(days)s ngày") % {"days": days}
    if days == 0:
        return _("Hôm nay là hạn")
    return _("Quá hạn %(days)s ngày") % {"days": -days}


def inspections_report_due(today: datetime.date, within_days: int) -> QuerySet:
    """Inspections whose corrective report is still due within ``within_days`` days (or late)."""
    from audits.models import InspectionState

    return (
        ExternalInspection.objects.filter(
            state=InspectionState.REPORT_DUE,
            report_due_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("agency")
        .order_by("report_due_on", "pk")
    )
