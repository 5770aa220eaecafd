"""An issue's content as plain text, read once for comparing and printing it.

The text sections (purpose, scope, legal basis, definitions, forms, records) and each TTHC's
details come from the revision that was issued (``issue.revision.as_object()``); the step tables
and their totals from the issue's ``IssueService`` rows, frozen at go-live; the forms by the titles
of the issue's own copies (``IssueForm``), so nothing here changes when the agency later replaces
or deletes a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.models import IssueService, ProcedureIssue
from qms.models.catalogue import days_number
from qms.text import fold

NOT_COUNTED = gettext_lazy("Không tính thời gian")

# (key, label) of the text sections, in the order a procedure is written.
SECTIONS = (
    ("title", gettext_lazy("Tên quy trình")),
    ("purpose", gettext_lazy("Mục đích")),
    ("scope", gettext_lazy("Phạm vi áp dụng")),
    ("legal_basis", gettext_lazy("Căn cứ pháp lý")),
    ("definitions", gettext_lazy("Định nghĩa, chữ viết tắt")),
    ("forms", gettext_lazy("Biểu mẫu")),
    ("records", gettext_lazy("Hồ sơ lưu")),
)
# (key, label) of a TTHC's details (documents.blocks.ServiceBlock).
SERVICE_DETAILS = (
    ("conditions", gettext_lazy("Điều kiện thực hiện")),
    ("components", gettext_lazy("Thành phần hồ sơ")),
    ("copies", gettext_lazy("Số lượng hồ sơ")),
    ("where", gettext_lazy("Nơi tiếp nhận và trả kết quả")),
    ("fees", gettext_lazy("Phí, lệ phí")),
)
# (key, label) of a step's fields as they are compared.
STEP_FIELDS = (
    ("content", gettext_lazy("Nội dung công việc")),
    ("responsible", gettext_lazy("Đơn vị, người thực hiện")),
    ("days", gettext_lazy("Thời gian")),
    ("output", gettext_lazy("Kết quả, biểu mẫu")),
    ("form", gettext_lazy("Biểu mẫu đính kèm")),
)


def days_text(days: Decimal | None) -> str:
    """A step's time as the table prints it: "0,5" (working days) or "Không tính thời gian"."""
    return str(NOT_COUNTED) if days is None else days_number(days)


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@dataclass
class Step:
    code: str
    content: str
    responsible: str
    days: Decimal | None
    output: str
    form: str  # the title of the form as issued, or ""

    @property
    def key(self) -> str:
        """What matches a step across issues: its code, without case, accents or extra spaces."""
        return fold(self.code)

    @property
    def days_label(self) -> str:
        return days_text(self.days)

    def text(self, name: str) -> str:
        """The field ``name`` as text (the time as the table prints it)."""
        return self.days_label if name == "days" else str(getattr(self, name) or "")


@dataclass
class Service:
    """A TTHC (or one variant of it) with its step table as issued."""

    tthc: object  # qms.models.AdministrativeProcedure
    variant: str
    total_days: Decimal
    steps: list[Step]
    details: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str]:
        return (self.tthc.pk, fold(self.variant))

    @property
    def label(self) -> str:
        name = f"{self.tthc.code} – {self.tthc.name}"
        return f"{name} ({self.variant})" if self.variant else name


@dataclass
class IssueContent:
    issue: ProcedureIssue
    page: object  # the ProcedurePage as issued
    sections: dict[str, list[str]]
    services: list[Service]
    legal_basis: list[dict]
    definitions: list[dict]
    records: list[dict]
    forms: list[str]

    def section_text(self, key: str) -> str:
        return "\n".join(self.sections.get(key, []))


def _legal_line(value) -> str:
    line = _("%(number)s ngày %(date)s của %(issuer)s: %(title)s") % {
        "number": value.get("number") or "",
        "date": _date(value.get("issued_on")),
        "issuer": value.get("issuer") or "",
        "title": value.get("title") or "",
    }
    if value.get("effective_on"):
        line += " " + _("(hiệu lực từ %(date)s)") % {"date": _date(value["effective_on"])}
    return line


def _record_line(row: dict) -> str:
    parts = [row["name"], row["keeper"], row["retention"]]
    return " – ".join(part for part in parts if part)


def _blocks(stream) -> list[dict]:
    return [dict(block.value) for block in stream or []]


def _details(page) -> dict[tuple[int, str], dict[str, str]]:
    """Each TTHC block's details (conditions, dossier, fees …) by (TTHC id, folded variant)."""
    found = {}
    for block in page.services or []:
        value = block.value
        tthc = value.get("tthc")
        if tthc is None:
            continue
        key = (tthc.pk, fold(value.get("variant") or ""))
        found.setdefault(
            key, {name: str(value.get(name) or "").strip() for name, _label in SERVICE_DETAILS}
        )
    return found


def issue_content(issue: ProcedureIssue) -> IssueContent:
    """Everything an issue says, as text, read from its revision and its frozen rows."""
    page = issue.revision.as_object()
    form_titles = {form.pk: form.title for form in issue.forms.all()}
    rows = list(
        IssueService.objects.filter(issue=issue).select_related("tthc").order_by("position")
    )
    details = _details(page)
    services = []
    for row in rows:
        steps = [
            Step(
                code=str(step.get("code") or ""),
                content=str(step.get("content") or ""),
                responsible=str(step.get("responsible") or ""),
                days=None if step.get("days") in (None, "") else Decimal(str(step["days"])),
                output=str(step.get("output") or ""),
                form=form_titles.get(step.get("form"), ""),
            )
            for step in row.steps or []
        ]
        services.append(
            Service(
                tthc=row.tthc,
                variant=row.variant,
                total_days=row.total_days,
                steps=steps,
                details=details.get((row.tthc_id, fold(row.variant)), {}),
            )
        )
    legal_basis = _blocks(page.legal_basis)
    definitions = _blocks(page.definitions)
    records = [
        {
            "name": str(r.get("name") or ""),
            "keeper": str(r.get("keeper") or ""),
            "retention": str(r.get("retention") or ""),
        }
        for r in _blocks(page.records)
    ]
    # The forms as issued (the issue's own copies); before any copy exists, the page's choices.
    forms = sorted(form_titles.values(), key=fold) or [
        block.value.title for block in page.forms or [] if block.value is not None
    ]
    sections = {
        "title": [issue.title],
        "purpose": [line for line in (page.purpose or "").splitlines()],
        "scope": [line for line in (page.scope or "").splitlines()],
        "legal_basis": [_legal_line(v) for v in legal_basis],
        "definitions": [f"{d.get('term', '')}: {d.get('meaning', '')}" for d in definitions],
        "forms": forms,
        "records": [_record_line(r) for r in records],
    }
    return IssueContent(
        issue=issue,
        page=page,
        sections=sections,
        services=services,
        legal_basis=legal_basis,
        definitions=definitions,
        records=records,
        forms=forms,
    )
