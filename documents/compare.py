"""Two issues of a procedure side by side: what changed, in the words of the procedure.

``compare_issues(old, new)`` matches each TTHC by the TTHC and its variant, and each step by its
code (case, accents and spacing aside), so a changed step shows as that step, old → new (work,
who, time, output, form), beside the steps added and removed and the change of the total time.
The text sections (purpose, scope, legal basis, definitions, forms, records) and each TTHC's
details are compared word by word (difflib). Every difference is HTML with ``<del>`` for what
was removed and ``<ins>`` for what was added, escaped, ready for
``documents/includes/issue_diff.html``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from documents.issue_content import (
    SECTIONS,
    SERVICE_DETAILS,
    STEP_FIELDS,
    IssueContent,
    Service,
    Step,
    issue_content,
)
from documents.models import ProcedureIssue
from qms.models.catalogue import days_number

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"
STATUS_LABELS = {
    ADDED: _("Thêm mới"),
    REMOVED: _("Bỏ"),
    CHANGED: _("Sửa đổi"),
    SAME: _("Không đổi"),
}
_TOKEN = re.compile(r"\s+|\S+")  # words as written (a number "61/2018/NĐ-CP" is one)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _html(tokens) -> str:
    return escape("".join(tokens)).replace("\n", "<br>")


def word_diff(old: str, new: str) -> SafeString:
    """``new`` as HTML with the words removed from ``old`` in ``<del>`` and the words added in
    ``<ins>``, word by word (a word is what lies between spaces)."""
    a, b = _tokens(old), _tokens(new)
    runs: list[list] = []  # [equal?, old tokens, new tokens]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        equal = tag == "equal"
        # A lone space between two changes joins them: "<del>Tiếp nhận</del><ins>Thẩm định</ins>"
        # reads better than a change for each word.
        if (
            not equal
            and len(runs) >= 2
            and runs[-1][0]
            and not runs[-2][0]
            and "".join(runs[-1][1]).isspace()
        ):
            space = runs.pop()
            runs[-1][1] += space[1]
            runs[-1][2] += space[2]
        if runs and runs[-1][0] == equal and not equal:
            runs[-1][1] += a[i1:i2]
            runs[-1][2] += b[j1:j2]
        else:
            runs.append([equal, a[i1:i2], b[j1:j2]])
    parts = []
    for equal, removed, added in runs:
        if equal:
            parts.append(_html(added))
            continue
        if removed:
            parts.append(f"<del>{_html(removed)}</del>")
        if added:
            parts.append(f"<ins>{_html(added)}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


def _whole(text: str, tag: str) -> SafeString:
    """All of ``text`` as added or removed."""
    if not text:
        return mark_safe("")
    return mark_safe(f"<{tag}>{_html(_tokens(text))}</{tag}>")  # noqa: S308 (escaped)


@dataclass
class TextChange:
    """One text (a section, a TTHC's detail, a step's field) in both issues."""

    key: str
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def html(self) -> SafeString:
        return word_diff(self.old, self.new)


@dataclass
class StepChange:
    """A step of the table: added, removed, changed (shown old → new) or the same."""

    code: str
    status: str
    old: Step | None
    new: Step | None
    fields: list[TextChange] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def changed_fields(self) -> list[TextChange]:
        return [f for f in self.fields if f.changed]

    def cell(self, name: str) -> SafeString:
        """The step's field ``name`` as the diff shows it in its row."""
        if self.status == ADDED:
            return _whole(self.new.text(name), "ins")
        if self.status == REMOVED:
            return _whole(self.old.text(name), "del")
        change = next(f for f in self.fields if f.key == name)
        return change.html

    @property
    def cells(self) -> list[SafeString]:
        return [self.cell(name) for name, _label in STEP_FIELDS]

    @property
    def days_change(self) -> tuple[Decimal | None, Decimal | None] | None:
        """(old, new) time of a step whose time changed (None for "not counted")."""
        if self.status == CHANGED and self.old.days != self.new.days:
            return (self.old.days, self.new.days)
        return None


@dataclass
class ServiceChange:
    """A TTHC (or variant) of the procedure: its details and its step table, compared."""

    label: str
    tthc: object
    variant: str
    status: str
    old_total: Decimal | None
    new_total: Decimal | None
    steps: list[StepChange]
    details: list[TextChange]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def changed_details(self) -> list[TextChange]:
        return [d for d in self.details if d.changed]

    @property
    def total_changed(self) -> bool:
        return self.old_total != self.new_total

    @property
    def total_html(self) -> SafeString:
        return word_diff(_total(self.old_total), _total(self.new_total))

    @property
    def changed(self) -> bool:
        return (
            self.status != SAME
            or self.total_changed
            or any(s.status != SAME for s in self.steps)
            or any(d.changed for d in self.details)
        )

    @property
    def counts(self) -> dict[str, int]:
        counts = {ADDED: 0, REMOVED: 0, CHANGED: 0, SAME: 0}
        for step in self.steps:
            counts[step.status] += 1
        return counts


def _total(days: Decimal | None) -> str:
    return "" if days is None else days_number(days)


@dataclass
class IssueDiff:
    """What changed from ``old`` to ``new``: the text sections and each TTHC's step table."""

    old: ProcedureIssue
    new: ProcedureIssue
    sections: list[TextChange]
    services: list[ServiceChange]

    @property
    def changed_sections(self) -> list[TextChange]:
        return [s for s in self.sections if s.changed]

    @property
    def unchanged_sections(self) -> list[TextChange]:
        return [s for s in self.sections if not s.changed]

    @property
    def changed(self) -> bool:
        return bool(self.changed_sections) or any(s.changed for s in self.services)

    @property
    def step_fields(self):
        return STEP_FIELDS


def _match_steps(old: list[Step], new: list[Step]) -> list[StepChange]:
    """Pair the steps by code (the n-th step of a code with the n-th of the same code): the new
    table's order, each removed step placed after the step that preceded it in the old table."""

    def keyed(steps):
        seen, keys = {}, []
        for step in steps:
            n = seen.get(step.key, 0)
            seen[step.key] = n + 1
            keys.append((step.key, n))
        return keys

    old_keys, new_keys = keyed(old), keyed(new)
    old_at = {key: i for i, key in enumerate(old_keys)}
    rows: list[StepChange] = []
    row_of_old: dict[int, int] = {}
    for j, key in enumerate(new_keys):
        step = new[j]
        i = old_at.get(key)
        if i is None:
            rows.append(StepChange(step.code, ADDED, None, step))
            continue
        before = old[i]
        fields = [
            TextChange(name, str(label), before.text(name), step.text(name))
            for name, label in STEP_FIELDS
        ]
        status = CHANGED if any(f.changed for f in fields) or before.code != step.code else SAME
        row_of_old[i] = len(rows)
        rows.append(StepChange(step.code, status, before, step, fields))
    # Removed steps go after the row of the nearest matched step above them in the old table.
    inserts: dict[int, list[StepChange]] = {}
    kept = set(new_keys)
    for i, key in enumerate(old_keys):
        if key in kept:
            continue
        anchors = [row_of_old[k] for k in range(i) if k in row_of_old]
        inserts.setdefault(max(anchors) if anchors else -1, []).append(
            StepChange(old[i].code, REMOVED, old[i], None)
        )
    ordered = list(inserts.get(-1, []))
    for index, row in enumerate(rows):
        ordered.append(row)
        ordered.extend(inserts.get(index, []))
    return ordered


def _details(old: Service | None, new: Service | None) -> list[TextChange]:
    return [
        TextChange(
            name,
            str(label),
            (old.details.get(name, "") if old else ""),
            (new.details.get(name, "") if new else ""),
        )
        for name, label in SERVICE_DETAILS
    ]


def _service_change(old: Service | None, new: Service | None) -> ServiceChange:
    shown = new or old
    if old is None:
        steps = [StepChange(s.code, ADDED, None, s) for s in new.steps]
        status = ADDED
    elif new is None:
        steps = [StepChange(s.code, REMOVED, s, None) for s in old.steps]
        status = REMOVED
    else:
        steps = _match_steps(old.steps, new.steps)
        status = SAME
    change = ServiceChange(
        label=shown.label,
        tthc=shown.tthc,
        variant=shown.variant,
        status=status,
        old_total=old.total_days if old else None,
        new_total=new.total_days if new else None,
        steps=steps,
        details=_details(old, new),
    )
    if status == SAME and change.changed:
        change.status = CHANGED
    return change


def _services(old: IssueContent, new: IssueContent) -> list[ServiceChange]:
    """The TTHC of both issues matched by TTHC and variant: the new issue's order, the TTHC it
    dropped after them."""
    old_by_key = {service.key: service for service in old.services}
    new_keys = {service.key for service in new.services}
    changes = [_service_change(old_by_key.get(s.key), s) for s in new.services]
    changes += [_service_change(s, None) for s in old.services if s.key not in new_keys]
    return changes


def compare_issues(old: ProcedureIssue, new: ProcedureIssue) -> IssueDiff:
    """What changed from issue ``old`` to issue ``new`` of a procedure."""
    before, after = issue_content(old), issue_content(new)
    sections = [
        TextChange(key, str(label), before.section_text(key), after.section_text(key))
        for key, label in SECTIONS
    ]
    return IssueDiff(old=old, new=new, sections=sections, services=_services(before, after))
