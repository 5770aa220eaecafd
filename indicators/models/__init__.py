from .api import ApiEvent, ApiEventKind, ApiEventOutcome
from .charts import ChartImage
from .dashboard import (
    DEFAULT_THRESHOLDS,
    HIGHER_IS_BETTER,
    MonthlyReport,
    ScorecardMeasure,
    ScorecardThreshold,
)
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
from .index import ENTERED, IndexEntry, IndexGroup, IndexIndicator, IndexScheme
from .objectives import (
    CEILING_METRICS,
    PERCENT_METRICS,
    ObjectiveEvaluation,
    ObjectiveMetric,
    QualityObjective,
)
from .publication import PublishedStatistic, StatisticErratum
from .steps import DossierStep
from .summaries import DailySummary, SummaryBin

__all__ = [
    "ChartImage",
    "DEFAULT_THRESHOLDS",
    "ENTERED",
    "HIGHER_IS_BETTER",
    "IndexEntry",
    "IndexGroup",
    "IndexIndicator",
    "IndexScheme",
    "MonthlyReport",
    "PublishedStatistic",
    "ScorecardMeasure",
    "ScorecardThreshold",
    "StatisticErratum",
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
