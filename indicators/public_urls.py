"""Public URLs of indicators outside the page tree, found by the core (qms/urls.py
app_public_urls): the dossier API (its own bearer-token authentication, indicators/api/) and the
published statistics (no login: what is published is public)."""

from django.urls import path, register_converter

from indicators import public_views
from indicators.api import api


class MonthNumber:
    """A month in a URL as two digits ("2026-03")."""

    regex = "0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):02d}"


register_converter(MonthNumber, "mm")

urlpatterns = [
    path("api/v1/", api.urls),
    path(
        "thong-ke/<str:code>/",
        public_views.statistics_page,
        name="public_statistics",
    ),
    path(
        "thong-ke/<str:code>/<int:year>-<mm:month>/",
        public_views.statistics_month,
        name="public_statistics_month",
    ),
    path(
        "thong-ke/<str:code>.csv",
        public_views.statistics_csv,
        name="public_statistics_csv",
    ),
]
