"""Numbers as the reader writes them: ``1.234,5`` and ``98,6 %`` in Vietnamese, ``1,234.5`` and
``98.6%`` in English, for pages (``qms_format`` template filters) and exports alike.

Why not ``USE_THOUSAND_SEPARATOR = True``: it groups every number a template prints, so years and
ids become ``2.025`` and ``12.345``, in text and in the links templates build from them
(``?year={{ year }}``, the working calendar's own month links). Numbers that are quantities go
through these helpers instead; ids and years stay as they are. ``NUMBER_GROUPING`` is set in
``qms/formats/vi/formats.py`` so that ``intcomma`` (Wagtail's counts) groups too.
"""

import decimal

from django.utils import formats, numberformat
from django.utils.translation import get_language

NO_BREAK_SPACE = "\u00a0"


def format_number(value, decimals: int | None = None) -> str:
    """``value`` with the active language's separators and grouping, rounded to ``decimals``
    places when given (``format_number(1234.5, 1)`` is ``"1.234,5"`` in Vietnamese); ``""`` for
    nothing, and any text that is not a number unchanged."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = decimal.Decimal(value)
        except decimal.InvalidOperation:
            return value
    if isinstance(value, float):
        # 15 significant digits (what a double holds exactly), so 0.1 + 0.2 prints as 0,3.
        value = decimal.Decimal(format(value, ".15g"))
    if decimals is not None and isinstance(value, decimal.Decimal) and value.is_finite():
        # Django's numberformat cuts the extra decimals (2/3 as 66,6 %); round half up first.
        value = value.quantize(decimal.Decimal(1).scaleb(-decimals), decimal.ROUND_HALF_UP)
    return numberformat.format(
        value,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=formats.get_format("NUMBER_GROUPING"),
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def format_percent(value, decimals: int = 1, *, ratio: bool = False) -> str:
    """A percentage: ``format_percent(98.6)`` is ``"98,6 %"`` in Vietnamese (a no-break space
    before the sign, as Vietnamese writes it), ``"98.6%"`` in English. ``ratio=True`` takes
    0.986 for 98.6 %."""
    if value is None or value == "":
        return ""
    number = decimal.Decimal(format(value, ".15g") if isinstance(value, float) else str(value))
    if ratio:
        number *= 100
    text = format_number(number, decimals)
    language = (get_language() or "vi").split("-")[0]
    return f"{text}{NO_BREAK_SPACE}%" if language == "vi" else f"{text}%"
