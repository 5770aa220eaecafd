"""Procedures with realistic content, published into issues, for the compare and print tests."""

import datetime
from decimal import Decimal

from documents.models import ProcedurePage
from tests import factories
from tests.documents.authz_rules import procedure


def step(code, days, content="Tiếp nhận, kiểm tra hồ sơ", responsible="Bộ phận một cửa", **more):
    return {
        "code": code,
        "content": content,
        "responsible": responsible,
        "days": None if days is None else Decimal(str(days)),
        "output": more.get("output", ""),
        "form": more.get("form"),
    }


def service(tthc, steps, *, variant="", **details):
    return ("tthc", {"tthc": tthc, "variant": variant, "steps": list(steps), **details})


def legal(number, title, issuer="Chính phủ", issued_on=datetime.date(2025, 6, 9)):
    return (
        "document",
        {"number": number, "title": title, "issuer": issuer, "issued_on": issued_on},
    )


def record(name, keeper="Phòng Hành chính tư pháp", retention="05 năm"):
    return ("record", {"name": name, "keeper": keeper, "retention": retention})


def draft(place, *, tthc, steps, code="QT-05/STP", title="Cấp phiếu lý lịch tư pháp", **fields):
    """A saved, not yet published procedure of ``place`` for ``tthc`` with ``steps``."""
    page = procedure(place, title=title, code=code, tthc=tthc, live=False)
    page.services = [service(tthc, steps)]
    page.purpose = "Quy định trình tự cấp phiếu lý lịch tư pháp cho công dân."
    page.legal_basis = [legal("Nghị định 118/2025/NĐ-CP", "về thực hiện thủ tục hành chính")]
    page.records = [record("Sổ theo dõi hồ sơ")]
    for name, value in fields.items():
        setattr(page, name, value)
    place.page.add_child(instance=page)
    return ProcedurePage.objects.get(pk=page.pk)


def publish(page, *, user=None, **changes):
    """Publish ``page`` with ``changes`` and return its new issue."""
    return factories.procedure_publish(page, user=user, **changes).procedure_issue
