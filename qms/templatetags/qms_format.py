"""Numbers in pages as the reader writes them: ``{{ rate|vi_percent }}``, ``{{ n|vi_number:1 }}``.

The active language decides the separators (``qms.formats.numbers``): 1.234,5 and 98,6 % in
Vietnamese. Ids and years need no filter: without one a template prints them as they are.
"""

from django import template

from qms.formats.numbers import format_number, format_percent

register = template.Library()


@register.filter
def vi_number(value, decimals=None):
    """``{{ 1234.5|vi_number:1 }}`` → ``1.234,5``; without an argument, every decimal kept."""
    return format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def vi_percent(value, decimals=1):
    """``{{ 98.6|vi_percent }}`` → ``98,6 %`` (the value is already in percent)."""
    return format_percent(value, int(decimals))


@register.filter
def vi_ratio_percent(value, decimals=1):
    """``{{ 0.986|vi_ratio_percent }}`` → ``98,6 %`` (the value is a ratio, e.g. an on-time rate)."""
    return format_percent(value, int(decimals), ratio=True)
