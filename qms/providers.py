"""Named questions the core asks higher apps (DESIGN.md §3): they answer by registering providers.

The core never imports an app. Each question below names what it is given and what it answers;
an app registers a provider from its own module (e.g. its ``apps.py`` ``ready()``), and the core
asks with ``ask_first`` (the first answer that is not None) or ``ask_all`` (every answer).
"""

from collections.abc import Callable
from dataclasses import dataclass

_providers: dict[str, list[Callable]] = {}

# (agency) -> the agency's Wagtail page, or None. documents answers; page rights hang on it.
AGENCY_PAGE = "agency_page"
# (agency, start: date, end: date) -> on-time performance of the agency's dossiers in the period
# (counts of resolved, early, on time, late, pending overdue), or None. indicators answers; audits
# (programme priority) and the management review's inputs ask it.
ON_TIME_PERFORMANCE = "on_time_performance"
# (agency, start: date, end: date) -> the agency's quality objectives of the period, a list of
# {"name", "target", "actual", "unit", "met": bool | None}, or None. indicators answers; the
# management review's inputs ask it.
QUALITY_OBJECTIVES = "quality_objectives"
# (agency) -> the agency's published statistics for the public page, or None. indicators answers.
PUBLISHED_STATISTICS = "published_statistics"
# (user, roles: frozenset of the roles held today, with "admin" for an administrator) -> a list of
# NextStep for the dashboard, or None. The core answers for its own screens (qms.next_steps);
# each app adds the steps of its screens (documents: approve procedures, audits: plan audits…).
NEXT_STEPS = "next_steps"


@dataclass(frozen=True)
class NextStep:
    """One thing a person can do next, with the screen where it is done."""

    text: str
    url: str
    order: int = 100  # lower first


def register(question: str, provider: Callable) -> Callable:
    _providers.setdefault(question, [])
    if provider not in _providers[question]:
        _providers[question].append(provider)
    return provider


def ask_first(question: str, *args, **kwargs):
    """The first non-None answer of the registered providers, or None."""
    for provider in _providers.get(question, []):
        answer = provider(*args, **kwargs)
        if answer is not None:
            return answer
    return None


def ask_all(question: str, *args, **kwargs) -> list:
    """Every non-None answer of the registered providers, in registration order."""
    answers = []
    for provider in _providers.get(question, []):
        answer = provider(*args, **kwargs)
        if answer is not None:
            answers.append(answer)
    return answers
