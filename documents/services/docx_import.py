"""An existing procedure imported from Word (.docx) as a new draft for the officer to check.

``procedure_import_docx`` reads the file (``documents.docx_import``) and creates a NEW procedure
page under the agency's page: never live, never published, no workflow started; its one revision
is authored by the person importing, so the approval policy keeps them from reviewing or approving
it. What could not be read is returned as problems (and kept in the page's log with the file's
name): every unreadable cell, a TTHC code missing from the catalogue, a required field the file
lacks, a step table over its TTHC's limit.

Decisions:
- A TTHC code that is not in the catalogue keeps its step table in the draft with the TTHC left
  empty (the edit form asks for it before anything can be submitted): the steps are not lost.
- A required field the file lacks (code, purpose, scope) stays empty and is named; a missing
  title falls back to the TTHC's name or the file's name, named too (Wagtail needs a title).
  The change summary is "Ban hành lần đầu": the draft becomes the first issue in qms.
- Responsible unit and approving body stay empty (the agency itself); the officer sets them.
- A step table over its limit (or with a time that is not a quarter day) is still imported: the
  page row and its revision are saved with Wagtail's draft checks (title, slug) but without
  ``ProcedurePage.clean`` (``save_revision(clean=False)``), as Wagtail's own create view saves a
  draft; the edit form then refuses to save or submit it until the table is corrected.
"""

from __future__ import annotations

import os
from decimal import Decimal

from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Page

from documents.docx_import import ImportedProcedure, read_procedure_docx
from documents.models import AgencyPage, ProcedurePage
from documents.models.pages import step_table_problems
from qms.models import AdministrativeProcedure
from qms.workcal import get_calendar

IMPORT_ACTION = "documents.procedurepage.import_docx"
# Stored in the page as the document's text (Vietnamese whatever the importer's language).
FIRST_ISSUE = "Ban hành lần đầu"


def docx_import_allowed(user, agency_page) -> bool:
    """Whoever may add a procedure under ``agency_page`` (Wagtail's page rights there, which the
    policy gives the agency's officers and leaders and those above); no one else. No query beyond
    the user's cached page permissions, so a page listing may ask it for every row."""
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return False
    if not issubclass(agency_page.specific_class or Page, AgencyPage):
        return False
    if not ProcedurePage.can_create_at(agency_page):
        return False
    return agency_page.permissions_for_user(user).can_add_subpage()


def _hours_per_day() -> Decimal:
    """Office hours of one working day on the working calendar (8 by default)."""
    return Decimal(get_calendar().day_seconds) / Decimal(3600)


def _slug(agency_page: AgencyPage, imported: ImportedProcedure, filename: str) -> str:
    base = (
        # QT-05/STP -> qt-05-stp (not qt-05stp), as the demo's procedures are addressed
        slugify(anyascii(imported.code.replace("/", "-")))
        or slugify(anyascii(imported.title))[:80]
        or slugify(anyascii(os.path.splitext(filename)[0]))[:80]
        or "quy-trinh"
    )
    candidate, suffix = base, 1
    while not Page._slug_is_available(candidate, agency_page):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def _legal_basis(imported: ImportedProcedure) -> list:
    return [
        (
            "document",
            {
                "number": doc.number,
                "title": doc.title,
                "issuer": doc.issuer,
                "issued_on": doc.issued_on,
                "effective_on": doc.effective_on,
            },
        )
        for doc in imported.legal_basis
    ]


def _services(imported: ImportedProcedure, problems: list[str]) -> list:
    codes = {s.tthc_code for s in imported.services if s.tthc_code}
    catalogue = {t.code: t for t in AdministrativeProcedure.objects.filter(code__in=codes)}
    blocks = []
    for service in imported.services:
        tthc = catalogue.get(service.tthc_code)
        if service.tthc_code and tthc is None:
            problems.append(
                _(
                    "%(table)s: mã TTHC %(code)s (%(name)s) không có trong danh mục TTHC; các bước "
                    "vẫn được nhập, hãy chọn thủ tục trong bản dự thảo (hoặc nhờ quản trị viên "
                    "thêm vào danh mục) trước khi trình duyệt."
                )
                % {
                    "table": service.label,
                    "code": service.tthc_code,
                    "name": service.tthc_name or _("không rõ tên"),
                }
            )
        blocks.append(
            (
                "tthc",
                {
                    "tthc": tthc,
                    "variant": service.variant,
                    "steps": [
                        {
                            "code": step.code,
                            "content": step.content,
                            "responsible": step.responsible,
                            "days": step.days,
                            "output": step.output,
                            "form": None,
                        }
                        for step in service.steps
                    ],
                },
            )
        )
    return blocks


def _limited(value: str, max_length: int, label: str, problems: list[str]) -> str:
    if len(value) <= max_length:
        return value
    problems.append(
        _("%(label)s dài hơn %(max)d ký tự, đã cắt bớt: “%(value)s”.")
        % {"label": label, "max": max_length, "value": value}
    )
    return value[:max_length].rstrip()


@transaction.atomic
def procedure_import_docx(
    *, actor, agency_page, fileobj, filename: str
) -> tuple[ProcedurePage, list[str]]:
    """A new draft procedure under ``agency_page`` read from the .docx ``fileobj``, and the list
    of what could not be read. Raises PermissionDenied when ``actor`` may not add a procedure
    there, ValidationError when the file cannot be imported (not a .docx, no step table) or its
    code is already used by a procedure of the agency; nothing is created then."""
    agency_page = AgencyPage.objects.get(pk=agency_page.pk)
    if not docx_import_allowed(actor, agency_page):
        raise PermissionDenied(
            _("Chỉ cán bộ đầu mối ISO hoặc lãnh đạo của “%(agency)s” được nhập quy trình vào đây.")
            % {"agency": agency_page.title}
        )
    imported = read_procedure_docx(
        fileobj,
        name=filename,
        hours_per_day=_hours_per_day(),
        max_bytes=settings.QMS_UPLOAD_MAX_BYTES,
    )
    problems = list(imported.problems)
    code = _limited(imported.code, 40, _("Mã tài liệu"), problems)
    if code:
        clash = ProcedurePage.objects.filter(
            agency_id=agency_page.agency_id, code__iexact=code
        ).first()
        if clash is not None:
            raise ValidationError(
                _(
                    "Mã tài liệu %(code)s trong tệp “%(file)s” đã dùng cho quy trình “%(title)s” "
                    "của %(agency)s: không nhập gì. Nếu đây là bản sửa đổi của quy trình đó, hãy "
                    "sửa quy trình đó (bản dự thảo mới) thay vì nhập."
                )
                % {
                    "code": code,
                    "file": filename,
                    "title": clash.title,
                    "agency": agency_page.title,
                }
            )
    title = imported.title
    if not title:
        title = os.path.splitext(os.path.basename(filename))[0] or filename
        problems.append(
            _("Tạm đặt tên quy trình theo tên tệp: “%(title)s”; hãy sửa.") % {"title": title}
        )
    title = _limited(title, 255, _("Tên quy trình"), problems)
    if imported.issue_number and imported.issue_number > 1:
        problems.append(
            _(
                "Tệp ghi lần ban hành %(number)02d; trên hệ thống đây sẽ là lần ban hành 1, tóm "
                "tắt nội dung sửa đổi tạm ghi “%(summary)s”: hãy sửa nếu cần."
            )
            % {"number": imported.issue_number, "summary": FIRST_ISSUE}
        )
    page = ProcedurePage(
        title=title,
        code=code,
        slug=_slug(agency_page, imported, filename),
        purpose=imported.purpose,
        scope=imported.scope,
        legal_basis=_legal_basis(imported),
        definitions=[
            ("definition", {"term": d.term, "meaning": d.meaning}) for d in imported.definitions
        ],
        services=_services(imported, problems),
        change_summary=FIRST_ISSUE,
        live=False,
        owner=actor,
    )
    # A draft: Wagtail checks the title and slug only (live=False); the page's own clean would
    # refuse a table over its limit, which the officer corrects in the edit form.
    agency_page.add_child(instance=page)
    revision = page.save_revision(user=actor, log_action=True, clean=False)
    saved = ProcedurePage.objects.get(pk=page.pk)
    for index, text in step_table_problems(saved.services, saved.effective_date()).items():
        problems.append(f"{imported.services[index].label}: {text}")
    log(
        instance=saved,
        action=IMPORT_ACTION,
        user=actor,
        revision=revision,
        data={
            "filename": filename,
            "problems": [str(p) for p in problems],
            "tables": len(imported.services),
            "steps": sum(len(s.steps) for s in imported.services),
            "issue_number": imported.issue_number,
        },
    )
    return saved, [str(p) for p in problems]
