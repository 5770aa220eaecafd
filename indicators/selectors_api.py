"""Reads of the dossier API: the caller's dossiers (scoped by the policy, filtered, a page at a
time, a fixed number of queries whatever the page's size) and one dossier with its events and its
process-control sheet."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from qms import permissions
from qms.models import Agency
from qms.models.agencies import subtree_q

from .models import Dossier, DossierEvent, DossierStep
from .rules import DOSSIER


def dossiers_for(
    user,
    *,
    agency: Agency | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    state: str | None = None,
    procedure: str | None = None,
) -> QuerySet:
    queryset = permissions.scope_queryset(
        user, Dossier.objects.select_related("agency", "procedure"), DOSSIER, permissions.VIEW
    )
    if agency is not None:
        queryset = queryset.filter(subtree_q([agency.path], "agency__path"))
    if received_from is not None:
        queryset = queryset.filter(received_on__gte=received_from)
    if received_to is not None:
        queryset = queryset.filter(received_on__lte=received_to)
    if state:
        queryset = queryset.filter(state=state)
    if procedure:
        queryset = queryset.filter(procedure__code=procedure)
    return queryset.order_by("-received_at", "pk")


def dossier_for(user, agency_code: str, code: str) -> Dossier | None:
    """The caller's dossier (agency code, dossier code), or None when it is not theirs to read."""
    return dossiers_for(user).filter(agency__code=agency_code.upper(), code=code).first()


def dossier_history(dossier: Dossier) -> tuple[list[DossierEvent], list[DossierStep]]:
    events = list(DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("at", "id"))
    steps = list(DossierStep.objects.filter(dossier_id=dossier.pk).order_by("position"))
    return events, steps
