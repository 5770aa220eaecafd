"""Values of the service index that qms cannot compute (Decision 766/QĐ-TTg): an agency's officer
or leader enters, for a month, the share (0 to 100 %) of an "entered" indicator's points, with
its source; qms records who and when (and simple-history keeps every change).

One value per indicator, agency and month: entering it again changes it (the history keeps the
earlier one). Only an indicator whose formula is ``entered`` takes an entry, and only an
indicator of the scheme in force in that month (its valid_from not after the month's last day).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models.index import IndexEntry, IndexIndicator
from indicators.periods import month_end
from indicators.rules import INDEX_ENTRY
from indicators.selectors_index import scheme_for
from qms import permissions
from qms.models import Agency


def entry_refusal(actor, agency: Agency | None, *, change: bool = False) -> str | None:
    """Why ``actor`` may not enter a value for ``agency`` (None: allowed)."""
    action = permissions.CHANGE if change else permissions.ADD
    if agency is None or not permissions.has_permission(actor, INDEX_ENTRY, action, agency):
        return _(
            "Bạn không được nhập số liệu chỉ số phục vụ cho cơ quan này: chỉ cán bộ đầu mối, "
            "lãnh đạo của cơ quan (hoặc cơ quan cấp trên) được nhập."
        )
    return None


@transaction.atomic
def index_entry_save(
    *,
    actor,
    indicator: IndexIndicator,
    agency: Agency,
    month: dt.date,
    value,
    source: str = "",
) -> IndexEntry:
    """Enter (or change) the value of ``indicator`` for ``agency`` and ``month`` (any day of
    it: the first is stored), a percentage 0 to 100 of the indicator's points."""
    errors = {}
    if not indicator.is_entered:
        errors["indicator"] = _(
            "Chỉ số “%(code)s” được tính tự động từ dữ liệu của hệ thống; không nhập tay."
        ) % {"code": indicator.code}
    month = month.replace(day=1)
    scheme = scheme_for(month_end(month))
    if indicator.is_entered and (scheme is None or scheme.pk != indicator.group.scheme_id):
        errors["indicator"] = _(
            "Chỉ số “%(code)s” không thuộc bộ chỉ số áp dụng trong tháng %(month)s."
        ) % {"code": indicator.code, "month": month.strftime("%m/%Y")}
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number > 100:
        errors["value"] = _("Mức đạt là một số phần trăm từ 0 đến 100.")
    if errors:
        raise ValidationError(errors)
    existing = (
        IndexEntry.objects.select_for_update()
        .filter(indicator=indicator, agency=agency, month=month)
        .first()
    )
    reason = entry_refusal(actor, agency, change=existing is not None)
    if reason:
        raise PermissionDenied(reason)
    entry = existing or IndexEntry(indicator=indicator, agency=agency, month=month)
    entry.value = number.quantize(Decimal("0.01"))
    entry.source = (source or "").strip()[:255]
    entry.entered_by = actor
    entry._history_user = actor
    entry.save()
    return entry
