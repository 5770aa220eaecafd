"""Public URLs of indicators outside the page tree, found by the core (qms/urls.py
app_public_urls): the dossier API (its own bearer-token authentication, indicators/api/)."""

from django.urls import path

from indicators.api import api

urlpatterns = [
    path("api/v1/", api.urls),
]
