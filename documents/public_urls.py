"""Public URLs of documents outside the page tree (pages and their routes are Wagtail's)."""

from django.urls import path

from documents import public_views

urlpatterns = [
    path("tra-cuu/", public_views.procedure_search, name="procedure_search"),
]
