"""Template tags of qms's admin branding."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def qms_site_name():
    """The product's name as configured (``WAGTAIL_SITE_NAME``), for titles, logo and login."""
    return settings.WAGTAIL_SITE_NAME
