from .api import ApiEvent, ApiEventKind, ApiEventOutcome
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
from .objectives import (
    CEILING_METRICS,
    PERCENT_METRICS,
    ObjectiveEvaluation,
    ObjectiveMetric,
    QualityObjective,
)
from .steps import DossierStep
from .summaries import DailySummary, SummaryBin

__all__ = [
    "ApiEvent",
    "ApiEventKind",
    "ApiEventOutcome",
    "CEILING_METRICS",
    "DossierStep",
    "ObjectiveEvaluation",
    "ObjectiveMetric",
    "PERCENT_METRICS",
    "QualityObjective",
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
