"""Filters of the public procedure pages: working days as officers write them."""

from django import template
from django.utils.translation import gettext as _

from qms.models.catalogue import days_number, working_days_label

register = template.Library()


@register.filter
def step_days(days):
    """A step's time: "0,5 ngày làm việc", or "Không tính thời gian" when it is not counted."""
    return _("Không tính thời gian") if days is None else working_days_label(days)


@register.filter
def working_days(days):
    """A total or a limit: "10 ngày làm việc"; empty when there is none."""
    return working_days_label(days)


@register.filter
def day_count(days):
    """Just the number: "10,25"."""
    return days_number(days)
