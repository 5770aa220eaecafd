"""The one-stop import (issue 10 point 4): upload, dry run, confirmation, apply in checkpointed
chunks, cancel.

1. ``import_upload`` stores the file (private media) with its name and SHA-256 and, once committed,
   schedules the dry run (``tasks.import_check``).
2. ``import_check`` (the worker) reads the file streamed (``qms.tabular.open_table``): columns
   (``indicators.importing``), a first pass counting the rows and watching for mm/dd dates, then
   chunks of ``QMS_IMPORT_CHUNK`` rows parsed and passed to ``upsert(..., dry_run=True)``; after each
   chunk its rejected rows (line, header, value, reason) and the progress are committed. A file
   refused whole ends ``rejected`` with the reason; otherwise ``checked`` with the counts new,
   updated, unchanged and rejected. A redelivered check starts over (its rows are deleted first).
3. ``import_confirm``: an officer of the agency chooses all-or-nothing or good rows only. All or
   nothing with rejected rows writes nothing and ends ``cancelled``; otherwise ``applying``, and the
   worker runs ``import_apply``.
4. ``import_apply`` (the worker) resumes after ``checkpoint_line``: each chunk in one transaction
   locks the import, re-reads and parses its lines, leaves out the rejected ones, upserts, adds to
   the written counts and moves the checkpoint, then commits. A redelivered task (a worker killed
   mid-way) resumes from the checkpoint and never redoes a chunk. At the end the import is
   ``applied`` and its uploader notified. Importing the same file again changes nothing.

A step sheet file (``indicators.importing_steps``, recognised by its columns: step, unit, handed
in) goes through the same flow: its rows attach to dossiers already imported, a chunk never cuts a
dossier's rows, and each dossier's sheet is written whole through ``services.steps.record_sheets``
(counted new, updated or unchanged per dossier).

Who: officers of the agency (or of a body above it) upload, confirm and cancel
(``indicators.rules``: ADD and CHANGE on "dossierimport"); ``actor=None`` is the system (demo
data, commands). The rights on the agencies of an agency-code column are checked row by row, for
the uploader in the dry run and for the confirming officer when writing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import os
import time
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import permissions, tabular
from qms.services.notifications import notify
from qms.workcal import get_calendar

from .. import importing, importing_steps
from ..models import DossierImport, ImportMode, ImportRowError, ImportState
from ..rules import IMPORT
from .dossiers import upsert
from .steps import record_sheets, sheets_compared

logger = logging.getLogger(__name__)

DEFAULT_CHUNK = 2000
EXTENSIONS = (".csv", ".xlsx")
# TEST HOOK, off unless set: seconds a worker sleeps after each committed chunk of import_apply, so
# that a test can kill the worker in the middle of an import (tests/indicators/test_import_worker.py).
TEST_HOOK_CHUNK_DELAY = "QMS_TEST_HOOK_IMPORT_CHUNK_DELAY"
# Where the stored copy of a finished import's file goes, without its personal-data columns (never
# where uploads go: FileField's upload_to is dated).
STRIPPED_FOLDER = "dossier-imports/khong-du-lieu-ca-nhan/"


def chunk_size() -> int:
    """Rows per chunk: setting ``QMS_IMPORT_CHUNK`` (or the environment variable of that name, for
    worker processes started by tests), 2000 by default."""
    size = getattr(settings, "QMS_IMPORT_CHUNK", None)
    if size is None:
        size = os.environ.get("QMS_IMPORT_CHUNK") or DEFAULT_CHUNK
    return max(1, int(size))


def time_budget() -> float:
    """Seconds one run of ``import_apply`` writes before it hands over to a new run (scheduled after
    its last commit), well inside the task's soft time limit."""
    return getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", 540) / 2


def _test_hook_after_chunk() -> None:
    delay = os.environ.get(TEST_HOOK_CHUNK_DELAY)
    if delay:
        time.sleep(float(delay))


def _import_url(imp: DossierImport) -> str:
    try:
        return reverse("dossier_imports:inspect", args=[imp.pk])
    except NoReverseMatch:  # the admin's URLs are not loaded (a bare worker)
        return ""


def _schedule(task_name: str, pk: int) -> None:
    from .. import tasks

    task = getattr(tasks, task_name)
    # After the commit, so the worker sees the row; a broker that is down must not undo the upload
    # or the confirmation (the import stays in its state and can be retried: import_retry).
    transaction.on_commit(partial(task.delay, pk), robust=True)


def _refusal(actor, action: str, agency) -> str | None:
    if actor is None or permissions.can_act_on_agency(actor, IMPORT, action, agency):
        return None
    return _("Bạn không được nhập dữ liệu hồ sơ cho “%(agency)s”.") % {"agency": agency.name}


# Upload ----------------------------------------------------------------------------------------


def import_upload(*, actor, agency, file, source=None) -> DossierImport:
    """Store an uploaded one-stop export for ``agency`` and schedule its dry run."""
    if agency is None:
        raise ValidationError(_("Hãy chọn cơ quan, đơn vị của tệp."))
    refusal = _refusal(actor, permissions.ADD, agency)
    if refusal:
        raise ValidationError(refusal)
    if source is not None and not agency.is_within(source.agency):
        raise ValidationError(
            _("Nguồn dữ liệu “%(source)s” thuộc “%(owner)s”, không dùng được cho “%(agency)s”.")
            % {"source": source.name, "owner": source.agency.name, "agency": agency.name}
        )
    if not isinstance(file, File):
        file = File(file, name=getattr(file, "name", None))
    name = os.path.basename(file.name or "")
    if not name.lower().endswith(EXTENSIONS):
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải CSV hay XLSX: hãy xuất từ hệ thống một cửa ra .csv hoặc .xlsx."
            )
            % {"name": name}
        )
    if file.size is not None and file.size > tabular.max_bytes():
        from django.template.defaultfilters import filesizeformat

        raise ValidationError(
            _("Tệp “%(name)s” nặng %(size)s, vượt giới hạn %(limit)s: hãy chia thành nhiều tệp.")
            % {
                "name": name,
                "size": filesizeformat(file.size),
                "limit": filesizeformat(tabular.max_bytes()),
            }
        )
    digest = hashlib.sha256()
    file.seek(0)
    for block in file.chunks():
        digest.update(block)
    file.seek(0)
    with transaction.atomic():
        imp = DossierImport(
            agency=agency,
            source=source,
            file_name=name[:255],
            file_sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        imp.file.save(name, file, save=False)
        imp.save()
        _schedule("import_check", imp.pk)
    return imp


# Dry run ---------------------------------------------------------------------------------------

_PROGRESS_FIELDS = [
    "state",
    "file_error",
    "dropped_columns",
    "total_rows",
    "rows_done",
    "new_count",
    "updated_count",
    "unchanged_count",
    "rejected_count",
    "finished_at",
]


def import_check(import_id: int) -> DossierImport | None:
    """The dry run of an uploaded import (the worker's task); idempotent."""
    with transaction.atomic():
        imp = (
            DossierImport.objects.select_for_update(of=("self",))
            .select_related("agency", "source", "uploaded_by")
            .filter(pk=import_id)
            .first()
        )
        if imp is None:
            logger.warning("import %s: no such import to check", import_id)
            return None
        restartable = imp.state in (ImportState.UPLOADED, ImportState.CHECKING) or (
            imp.state == ImportState.FAILED and imp.confirmed_at is None
        )
        if restartable:
            # Start over cleanly (a redelivered check, or a retry after a failure).
            ImportRowError.objects.filter(dossier_import=imp).delete()
            imp.state = ImportState.CHECKING
            imp.file_error = ""
            imp.dropped_columns = []
            imp.finished_at = None
            for name in (
                "total_rows",
                "rows_done",
                "new_count",
                "updated_count",
                "unchanged_count",
                "rejected_count",
            ):
                setattr(imp, name, 0)
            imp.save(update_fields=_PROGRESS_FIELDS)
    if not restartable:
        # Checked already (a redelivered task); after a rejection, what follows it is done if
        # the first run did not get to it.
        if imp.state == ImportState.REJECTED:
            _finished(imp)
        return imp
    try:
        _check(imp)
    except Exception:
        logger.exception("import %s: the dry run failed", import_id)
        _fail(imp)
        raise
    if imp.state == ImportState.REJECTED:
        _finished(imp)
    return imp


def _mapping(imp) -> dict:
    return dict(imp.source.mapping) if imp.source_id and imp.source else {}


def _chunks(table, size: int, after_line: int = 0, *, columns=None):
    """Chunks of about ``size`` rows after ``after_line``; a step sheet's chunk never cuts the
    rows of a dossier (its sheet is written whole)."""
    steps = isinstance(columns, importing_steps.StepColumns)
    chunk, last_key = [], None
    for line, values in table:
        if line <= after_line:
            continue
        if steps:
            key = importing_steps.sheet_key(columns, values)
            if len(chunk) >= size and key != last_key:
                yield chunk
                chunk = []
            last_key = key
        chunk.append((line, values))
        if not steps and len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _resolve_columns(imp, table):
    """The columns of the file: a step sheet's (recognised by its columns) or a dossier file's."""
    if importing_steps.is_step_table(table):
        return importing_steps.resolve_step_columns(table)
    return importing.resolve_columns(table, _mapping(imp))


def _parser(columns, **kwargs):
    if isinstance(columns, importing_steps.StepColumns):
        return importing_steps.StepRowParser(columns, **kwargs)
    return importing.RowParser(columns, **kwargs)


class _Written:
    def __init__(self, new=0, updated=0, unchanged=0):
        self.new, self.updated, self.unchanged = new, updated, unchanged


def _parse_and_write(parser, rows, columns, calendar, *, dry_run=True, dossier_import=None,
                     actor=None):  # fmt: skip
    """Parse ``rows`` and write them (or, in the dry run, count what would be written): the
    dossiers through ``upsert``, a step sheet's through ``record_sheets`` (a sheet equal to the
    recorded one is left as it is). Returns the counts (new, updated, unchanged) and the rows'
    problems."""
    if isinstance(parser, importing_steps.StepRowParser):
        sheets, errors = parser.parse(rows)
        new, updated, unchanged = sheets_compared(sheets)
        if not dry_run:
            changed = {pk: [step for _line, step in sheets[pk]] for pk in (*new, *updated)}
            record_sheets(changed, calendar=calendar)
        return _Written(len(new), len(updated), len(unchanged)), errors
    records, errors = parser.parse(rows)
    if dry_run:
        result = upsert(records, calendar=calendar, dry_run=True)
    else:
        result = upsert(records, calendar=calendar, dossier_import=dossier_import, actor=actor)
    errors += _upsert_errors(result, records, columns, calendar)
    return _Written(len(result.new), len(result.updated), len(result.unchanged)), errors


def _reject(imp: DossierImport, messages) -> None:
    imp.state = ImportState.REJECTED
    imp.file_error = "\n".join(str(m) for m in messages)
    imp.finished_at = timezone.now()
    imp.save(update_fields=_PROGRESS_FIELDS)


def _count(imp, columns) -> str | None:
    """The first pass: the number of rows, and the reason to refuse a file written mm/dd."""
    scan = importing.DateOrderScan(columns)
    total = 0
    with tabular.open_table(imp.file) as table:
        for line, values in table:
            total += 1
            scan.see(line, values)
    imp.total_rows = total
    imp.save(update_fields=["total_rows"])
    if not total:
        return _("Tệp không có dòng hồ sơ nào (chỉ có dòng tiêu đề).")
    return scan.verdict()


def _check(imp: DossierImport) -> None:
    try:
        with tabular.open_table(imp.file) as table:
            try:
                columns = _resolve_columns(imp, table)
            finally:
                imp.dropped_columns = [h for h in table.header if importing.is_personal(h)]
        reason = _count(imp, columns)
        if reason:
            _reject(imp, [reason])
            return
    except (tabular.TabularError, importing.FileRejected) as exc:
        _reject(imp, exc.messages)
        return

    calendar = get_calendar()
    parser = _parser(columns, agency=imp.agency, actor=imp.uploaded_by, tz=calendar.tz)
    try:
        with tabular.open_table(imp.file) as table:
            for chunk in _chunks(table, chunk_size(), columns=columns):
                written, errors = _parse_and_write(parser, chunk, columns, calendar)
                with transaction.atomic():
                    _save_errors(imp, errors)
                    imp.rows_done += len(chunk)
                    imp.new_count += written.new
                    imp.updated_count += written.updated
                    imp.unchanged_count += written.unchanged
                    imp.rejected_count += len({e.line for e in errors})
                    imp.save(update_fields=_PROGRESS_FIELDS)
    except tabular.TabularError as exc:  # the file changed under us, or a reader's late error
        ImportRowError.objects.filter(dossier_import=imp).delete()
        _reject(imp, exc.messages)
        return
    imp.state = ImportState.CHECKED
    imp.save(update_fields=_PROGRESS_FIELDS)


def _upsert_errors(result, records, columns, calendar) -> list[importing.RowError]:
    """The problems ``upsert`` found, in the wording of the file's other errors."""
    by_line = {r.line: r for r in records}
    errors = []
    for item in result.problems:
        header = columns.header(item.field) if item.field in importing.FIELDS else item.field
        value = item.value
        if not value and item.line in by_line:
            raw = getattr(by_line[item.line], item.field, None)
            if isinstance(raw, dt.datetime):
                value = tabular.as_text(raw.astimezone(calendar.tz).replace(tzinfo=None))
        value = tabular.shown(value)
        message = (
            tabular.problem(item.line, header, item.message, value)
            if value
            else tabular.problem(item.line, header, item.message)
        )
        errors.append(importing.RowError(item.line, header, value, message))
    return errors


def _save_errors(imp, errors) -> None:
    if errors:
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(
                    dossier_import=imp,
                    line=e.line,
                    field=(e.field or "")[:100],
                    value=(e.value or "")[:200],
                    message=e.message,
                )
                for e in errors
            ],
            batch_size=1000,
        )


def _fail(imp: DossierImport) -> None:
    """The phase stopped on an unexpected error (logged for the administrators): the import is
    ``failed``, and ``import_retry`` runs the phase again (the writing from its checkpoint). Its
    message comes from the state and the checkpoint (selectors_imports.import_message);
    ``file_error`` stays the file's own rejection only."""
    DossierImport.objects.filter(pk=imp.pk).update(state=ImportState.FAILED)
    imp.state = ImportState.FAILED


def _strip_personal_data(imp: DossierImport) -> None:
    """Once an import is over, replace its stored file by a copy without the personal-data columns
    (Decree 13/2023): a CSV whose first column is the line in the original file (the line the
    error report names), then every other column as it was. The original's name and SHA-256 stay
    on the import. A file that could not be read is left as it was."""
    if not imp.dropped_columns or not imp.file or imp.file.name.startswith(STRIPPED_FOLDER):
        return
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    try:
        with tabular.open_table(imp.file) as table:
            keep = [i for i, h in enumerate(table.header) if not importing.is_personal(h)]
            keys = [table.columns[i] for i in keep]
            writer.writerow([_("Dòng trong tệp gốc"), *(table.header[i] for i in keep)])
            for line, values in table:
                writer.writerow([line, *(tabular.as_text(values.get(k, "")) for k in keys)])
    except tabular.TabularError:
        return
    old_name = imp.file.name
    stem = os.path.splitext(imp.file_name)[0] or "ho-so"
    content = ContentFile(("\ufeff" + output.getvalue()).encode("utf-8"))
    imp.file.name = imp.file.storage.save(f"{STRIPPED_FOLDER}{stem}.csv", content)
    DossierImport.objects.filter(pk=imp.pk).update(file=imp.file.name)
    if old_name and old_name != imp.file.name:
        imp.file.storage.delete(old_name)


def _finished(imp: DossierImport) -> None:
    """What follows the end of an import (applied, cancelled, rejected), outside its transaction."""
    try:
        _strip_personal_data(imp)
    except Exception:  # the import itself is over and stays so
        logger.exception("import %s: could not strip the personal data from its file", imp.pk)


# Confirmation ----------------------------------------------------------------------------------


def _locked_for_decision(actor, dossier_import) -> DossierImport:
    if actor is not None and not permissions.can_act_on_agency(
        actor, IMPORT, permissions.CHANGE, dossier_import.agency
    ):
        raise PermissionDenied(
            _("Chỉ cán bộ đầu mối của “%(agency)s” xác nhận hoặc hủy lần nhập này.")
            % {"agency": dossier_import.agency.name}
        )
    return DossierImport.objects.select_for_update().get(pk=dossier_import.pk)


def _refresh(target: DossierImport, source: DossierImport) -> DossierImport:
    for f in DossierImport._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def import_confirm(*, actor, dossier_import: DossierImport, mode: str) -> DossierImport:
    """Write a checked import: all or nothing, or the good rows only."""
    if mode not in ImportMode.values:
        raise ValidationError(_("Hãy chọn cách ghi: tất cả hoặc không, hay chỉ các dòng hợp lệ."))
    with transaction.atomic():
        imp = _locked_for_decision(actor, dossier_import)
        if imp.state != ImportState.CHECKED:
            raise ValidationError(
                _("Lần nhập đang ở trạng thái “%(state)s”: chỉ xác nhận được khi đã kiểm tra xong.")
                % {"state": imp.get_state_display()}
            )
        now = timezone.now()
        imp.mode = mode
        imp.confirmed_by = actor
        imp.confirmed_at = now
        if mode == ImportMode.ALL_OR_NOTHING and imp.rejected_count:
            # Nothing is written; the import's message says why (selectors_imports).
            imp.state = ImportState.CANCELLED
            imp.finished_at = now
        else:
            imp.state = ImportState.APPLYING
            imp.rows_done = 0
            imp.checkpoint_line = 0
            imp.written_new = 0
            imp.written_updated = 0
            _schedule("import_apply", imp.pk)
        imp.save()
    if imp.state == ImportState.CANCELLED:
        _finished(imp)
    return _refresh(dossier_import, imp)


def import_cancel(*, actor, dossier_import: DossierImport) -> DossierImport:
    """Cancel a checked import: nothing is written. ``confirmed_by``/``confirmed_at`` record who
    decided and when."""
    with transaction.atomic():
        imp = _locked_for_decision(actor, dossier_import)
        if imp.state != ImportState.CHECKED:
            raise ValidationError(
                _("Lần nhập đang ở trạng thái “%(state)s”: chỉ hủy được khi đã kiểm tra xong.")
                % {"state": imp.get_state_display()}
            )
        now = timezone.now()
        imp.state = ImportState.CANCELLED
        imp.confirmed_by = actor
        imp.confirmed_at = now
        imp.finished_at = now
        imp.save()
    _finished(imp)
    return _refresh(dossier_import, imp)


def import_retry(*, actor, dossier_import: DossierImport) -> DossierImport:
    """Run a failed import's phase again: the dry run from the start, or the writing from its
    checkpoint (nothing is written twice)."""
    with transaction.atomic():
        imp = _locked_for_decision(actor, dossier_import)
        if imp.state != ImportState.FAILED:
            raise ValidationError(_("Chỉ chạy lại được lần nhập bị lỗi khi xử lý."))
        if imp.confirmed_at is None:
            imp.state = ImportState.UPLOADED
            imp.save(update_fields=["state"])
            _schedule("import_check", imp.pk)
        else:
            imp.state = ImportState.APPLYING
            imp.save(update_fields=["state"])
            _schedule("import_apply", imp.pk)
    return _refresh(dossier_import, imp)


# Writing ---------------------------------------------------------------------------------------


def import_apply(import_id: int) -> DossierImport | None:
    """Write a confirmed import chunk by chunk (the worker's task); resumes after its checkpoint."""
    imp = (
        DossierImport.objects.select_related("agency", "source", "uploaded_by", "confirmed_by")
        .filter(pk=import_id)
        .first()
    )
    if imp is None:
        logger.warning("import %s: no such import to apply", import_id)
        return None
    if imp.state == ImportState.APPLIED:
        _finished(imp)  # a redelivered task: what follows the end, if the first run did not
        return imp
    if imp.state not in (ImportState.APPLYING, ImportState.FAILED) or imp.confirmed_at is None:
        return imp  # cancelled, or never confirmed
    if imp.state == ImportState.FAILED:
        DossierImport.objects.filter(pk=imp.pk).update(state=ImportState.APPLYING)
        imp.state = ImportState.APPLYING
    if imp.checkpoint_line:
        logger.info("import %s resumes after line %s", imp.pk, imp.checkpoint_line)
    try:
        _apply(imp)
    except Exception:
        logger.exception("import %s: writing failed after line %s", import_id, imp.checkpoint_line)
        _fail(imp)
        raise
    return imp


def _apply(imp: DossierImport) -> None:
    # Lines rejected by the dry run (good-rows mode) or while writing (data that moved since the
    # dry run): never written, and not parsed again.
    rejected = set(ImportRowError.objects.filter(dossier_import=imp).values_list("line", flat=True))
    calendar = get_calendar()
    started, budget = time.monotonic(), time_budget()
    with tabular.open_table(imp.file) as table:
        columns = _resolve_columns(imp, table)
        parser = _parser(columns, agency=imp.agency, actor=imp.confirmed_by, tz=calendar.tz)
        chunks = _chunks(table, chunk_size(), after_line=imp.checkpoint_line, columns=columns)
        for chunk in chunks:
            _apply_chunk(imp, chunk, parser, rejected, columns, calendar)
            _test_hook_after_chunk()
            if imp.state != ImportState.APPLYING:
                return
            if time.monotonic() - started > budget and imp.rows_done < imp.total_rows:
                # A long file: a new run goes on after this checkpoint (never a time limit's kill).
                logger.info("import %s continues after line %s", imp.pk, imp.checkpoint_line)
                _schedule("import_apply", imp.pk)
                return
    with transaction.atomic():
        locked = DossierImport.objects.select_for_update().get(pk=imp.pk)
        if locked.state != ImportState.APPLYING:
            return
        locked.state = ImportState.APPLIED
        locked.finished_at = timezone.now()
        locked.rows_done = locked.total_rows
        locked.save(update_fields=["state", "finished_at", "rows_done"])
        _refresh(imp, locked)
        _notify_applied(imp)
    _finished(imp)


def _apply_chunk(imp, chunk, parser, rejected, columns, calendar) -> None:
    last_line = chunk[-1][0]
    with transaction.atomic():
        locked = DossierImport.objects.select_for_update().get(pk=imp.pk)
        if locked.state != ImportState.APPLYING or locked.checkpoint_line >= last_line:
            _refresh(imp, locked)
            return  # another delivery wrote it
        # Only lines after the checkpoint (a second delivery running at once may have written
        # part of this chunk), and never a rejected one.
        fresh = [(line, values) for line, values in chunk if line > locked.checkpoint_line]
        rows = [(line, values) for line, values in fresh if line not in rejected]
        written, errors = _parse_and_write(
            parser,
            rows,
            columns,
            calendar,
            dry_run=False,
            dossier_import=locked,
            actor=imp.confirmed_by,
        )
        if errors:
            _save_errors(locked, errors)
            lines = {e.line for e in errors}
            rejected.update(lines)
            locked.rejected_count += len(lines)
        locked.written_new += written.new
        locked.written_updated += written.updated
        locked.checkpoint_line = last_line
        locked.rows_done += len(fresh)
        locked.save(
            update_fields=[
                "written_new",
                "written_updated",
                "checkpoint_line",
                "rows_done",
                "rejected_count",
            ]
        )
        logger.info("import %s: lines %s-%s written", imp.pk, chunk[0][0], last_line)
    _refresh(imp, locked)


def _notify_applied(imp: DossierImport) -> None:
    params = {
        "file": imp.file_name,
        "new": imp.written_new,
        "updated": imp.written_updated,
        "rejected": imp.rejected_count,
        "agency": imp.agency.name,
    }
    title = (
        _(
            "Đã ghi dữ liệu hồ sơ từ tệp «%(file)s»: %(new)d hồ sơ mới, %(updated)d cập nhật, "
            "%(rejected)d dòng bị từ chối"
        )
        % params
    )
    body = (
        _(
            "Tệp «%(file)s» của %(agency)s đã được ghi: %(new)d hồ sơ mới, %(updated)d hồ sơ cập "
            "nhật; %(rejected)d dòng bị từ chối không được ghi (xem báo cáo lỗi)."
        )
        % params
    )
    notify(recipients=[imp.uploaded_by], title=title, body=body, url=_import_url(imp))
