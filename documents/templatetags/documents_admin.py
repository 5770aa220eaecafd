"""Tags of documents' admin templates."""

from django import template
from django.urls import reverse

from documents.services.docx_import import docx_import_allowed

register = template.Library()


@register.simple_tag
def docx_import_url(parent_page, user) -> str:
    """The Word import under ``parent_page`` when ``user`` may add a procedure there, else ""."""
    if parent_page is not None and docx_import_allowed(user, parent_page):
        return reverse("documents_docx_import", args=[parent_page.pk])
    return ""
