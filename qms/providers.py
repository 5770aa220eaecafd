"""Named questions the core asks higher apps (DESIGN.md §3): they answer by registering providers.

The core never imports an app. ``documents`` registers an agency-page provider so that page rights
can be materialised; ``indicators`` will answer on-time-rate questions the same way.
"""

from collections.abc import Callable

_providers: dict[str, list[Callable]] = {}

AGENCY_PAGE = "agency_page"  # (agency) -> wagtail Page | None


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
