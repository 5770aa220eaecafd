from .dossiers import (
    Channel,
    ClockRule,
    Dossier,
    DossierEvent,
    DossierKey,
    DossierState,
    EventKind,
    Outcome,
    Recomputation,
    SupplementRule,
    Timing,
)
from .imports import DossierImport, ImportMode, ImportRowError, ImportSource, ImportState
from .summaries import DailySummary, SummaryBin

__all__ = [
    "Channel",
    "ClockRule",
    "DailySummary",
    "Dossier",
    "DossierEvent",
    "DossierImport",
    "DossierKey",
    "DossierState",
    "EventKind",
    "ImportMode",
    "ImportRowError",
    "ImportSource",
    "ImportState",
    "Outcome",
    "Recomputation",
    "SummaryBin",
    "SupplementRule",
    "Timing",
]
