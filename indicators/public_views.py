"""The public pages of the published statistics (no login; only what is published): an agency's
months newest first, each with its figures and any errata beside it; one month; the open-data
CSV of every version. Thin: indicators.selectors_publication reads, templates/indicators/public/
shows."""

import datetime as dt

from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicators import selectors_publication as publication
from qms.exports import download, table_csv


def _agency_or_404(code: str):
    agency = publication.public_agency(code)
    if agency is None:
        raise Http404
    return agency


def _agency_page_url(agency, request) -> str | None:
    from documents.models import AgencyPage

    page = AgencyPage.objects.filter(agency=agency).live().first()
    return page.get_url(request) if page is not None else None


def _marked_rows(figures: dict, changed: set) -> list[dict]:
    """Display rows of ``figures``, each cell with whether an erratum changed it."""
    keys = [key for key, _label in publication.HEADINGS]
    rows = []
    for code, name, cells in publication.display_rows(figures):
        rows.append(
            {
                "code": code,
                "name": name,
                "total": not code,
                "cells": [
                    {"text": text, "changed": (code, key) in changed}
                    for key, text in zip(keys, cells, strict=True)
                ],
            }
        )
    return rows


def _months(agency, months) -> list[dict]:
    shown = []
    for published in months:
        versions = []
        previous = None
        for version in published.versions:
            changed = (
                publication.changed_cells(previous.figures, version.figures) if previous else set()
            )
            rows = _marked_rows(version.figures, changed)
            versions.append({"version": version, "rows": rows, "total": rows[-1]})
            previous = version
        shown.append(
            {
                "published": published,
                "versions": versions,
                "url": reverse(
                    "public_statistics_month",
                    args=[agency.code, published.month.year, published.month.month],
                ),
            }
        )
    return shown


def _context(agency, request, months, *crumbs) -> dict:
    page_url = _agency_page_url(agency, request)
    return {
        "agency": agency,
        "header_agency": agency,
        "months": _months(agency, months),
        "headings": publication.headings(),
        "csv_url": reverse("public_statistics_csv", args=[agency.code]),
        "page_url": reverse("public_statistics", args=[agency.code]),
        "agency_page_url": page_url,
        "breadcrumbs": [
            (_("Trang chủ"), "/"),
            (agency.name, page_url),
            *crumbs,
        ],
    }


@require_safe
def statistics_page(request, code: str):
    """Every published month of the agency, newest first, with its errata beside it."""
    agency = _agency_or_404(code)
    context = _context(
        agency, request, publication.published_months(agency), (_("Số liệu công bố"), None)
    )
    return TemplateResponse(request, "indicators/public/statistics.html", context)


@require_safe
def statistics_month(request, code: str, year: int, month: int):
    """One published month of the agency (404 when it is not published)."""
    agency = _agency_or_404(code)
    try:
        first = dt.date(year, month, 1)
    except ValueError:
        raise Http404 from None
    months = publication.published_months(agency, month=first)
    if not months:
        raise Http404
    context = _context(
        agency,
        request,
        months,
        (_("Số liệu công bố"), reverse("public_statistics", args=[agency.code])),
        (months[0].label, None),
    )
    return TemplateResponse(request, "indicators/public/statistics_month.html", context)


@require_safe
def statistics_csv(request, code: str):
    """The open data: one row per month, version and TTHC, and the month's total."""
    agency = _agency_or_404(code)
    table = publication.open_data_table(agency)
    return download(
        table_csv(table),
        f"thong-ke-{agency.code.lower()}.csv",
        "text/csv; charset=utf-8",
    )
