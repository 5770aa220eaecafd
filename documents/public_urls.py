"""Public URLs of documents outside the page tree, found by the core (qms/urls.py app_public_urls);
pages and their routes are Wagtail's."""

from django.urls import path

from documents import public_views

urlpatterns = [
    path("tra-cuu/", public_views.procedure_search, name="procedure_search"),
]
