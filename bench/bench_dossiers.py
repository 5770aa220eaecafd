"""Times the dossier pipeline on generated data (``bench.generate``):

- generating N dossiers (env ``QMS_BENCH_DOSSIERS``, default 100,000) and writing them straight to
  the database through ``indicators.services.dossiers.upsert`` in chunks;
- the summary tables' recomputation and the nightly verification (recompute vs stored);
- writing the same dossiers as a one-stop CSV export;
- when the import pipeline is there (``indicators.services.imports``): the dry run and the apply
  of an import of ``QMS_BENCH_IMPORT_ROWS`` (default 100,000) new dossiers from such a CSV.

It prints rows/s and the process's peak memory (``ru_maxrss``) after each phase. Everything runs
in one transaction rolled back at the end, so the database is left as it was; still, point
``DATABASE_URL`` at a scratch database (one holding the migrations) rather than a shared one:
SQLite locks the whole file while the benchmark writes.
"""

import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

SEED = 20_251_126
FIRST, LAST = dt.date(2024, 7, 1), dt.date(2025, 12, 31)
CHUNK = 5000


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _Phases:
    def __init__(self):
        self.figures = {}

    def run(self, name, rows, function):
        started, cpu = time.perf_counter(), time.process_time()
        result = function()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        self.figures[f"{name}_s"] = round(seconds, 2)
        self.figures[f"{name}_cpu_s"] = round(cpu, 2)
        if rows:
            self.figures[f"{name}_rows_per_s"] = round(rows / seconds)
        self.figures[f"{name}_peak_mb"] = round(_peak_mb())
        per_s = f"{rows / seconds:10,.0f} rows/s" if rows else " " * 17
        print(
            f"  {name:<22} {seconds:8.1f} s  (CPU {cpu:7.1f} s) {per_s}"
            f"   peak {_peak_mb():7.0f} MB",
            flush=True,
        )
        return result


class _Rollback(Exception):
    pass


def run(count: int | None = None, import_rows: int | None = None) -> dict:
    _setup_django()
    from django.db import connection, transaction

    count = count or int(os.environ.get("QMS_BENCH_DOSSIERS", 100_000))
    import_rows = import_rows or int(os.environ.get("QMS_BENCH_IMPORT_ROWS", 100_000))
    phases = _Phases()
    print(
        f"dossiers: {count:,} generated over {FIRST:%d/%m/%Y}-{LAST:%d/%m/%Y} "
        f"({connection.vendor}), import of {import_rows:,}",
        flush=True,
    )
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory() as folder:
            _bench(phases, count, import_rows, Path(folder))
            raise _Rollback
    except _Rollback:
        pass
    return phases.figures


def _bench(phases, count, import_rows, folder):  # noqa: C901 (one phase after another)
    from django.core.files import File
    from django.test import override_settings

    from bench.generate import agency_tree, catalogue_create, lives, load, write_csv
    from indicators.models import DailySummary, Dossier, DossierEvent
    from indicators.services import summaries
    from qms.workcal import get_calendar

    calendar = get_calendar()
    now = dt.datetime.combine(LAST, dt.time(23, 59), tzinfo=calendar.tz)
    province = phases.run(
        "tree_and_catalogue",
        0,
        lambda: agency_tree(departments=8, units_per_department=3, communes=20, code_prefix="BN"),
    )
    catalogue = catalogue_create(province, procedures=120, seed=SEED)

    def generated(n=count, seed=SEED, prefix=""):
        return lives(n, seed=seed, catalogue=catalogue, first=FIRST, last=LAST,
                     calendar=calendar, code_prefix=prefix)  # fmt: skip

    phases.run("generate", count, lambda: sum(1 for _ in generated()))
    loaded = phases.run("generate_and_upsert", count, lambda: load(generated(), now, chunk=CHUNK))
    phases.figures["dossiers"] = Dossier.objects.count()
    phases.figures["events"] = DossierEvent.objects.count()
    phases.figures["summary_rows"] = DailySummary.objects.count()
    phases.figures["upsert_problems"] = len(loaded.problems)
    phases.run("summary_recompute", count, summaries.recompute)
    drift = phases.run("summary_verify", count, summaries.drifts)
    phases.figures["summary_drift"] = len(drift)
    csv_path = folder / "mot_cua.csv"
    phases.run(
        "write_csv",
        count,
        lambda: write_csv(csv_path, generated(), now, tz=calendar.tz, agency_column=True),
    )
    phases.figures["csv_mb"] = round(csv_path.stat().st_size / 2**20, 1)

    try:
        from indicators.models import ImportMode, ImportState
        from indicators.services import imports
    except ImportError:
        print("  (no import pipeline yet: indicators.services.imports)")
        return
    import_path = folder / "nhap.csv"
    write_csv(import_path, generated(import_rows, SEED + 1, "F."), now, tz=calendar.tz,
              agency_column=True)  # fmt: skip
    size = import_path.stat().st_size
    phases.figures["import_csv_mb"] = round(size / 2**20, 1)
    # The default cap (QMS_IMPORT_MAX_BYTES, 10 MB) is below a 100k-row export: raised here.
    # Uploaded files go to a folder of the benchmark, removed at the end.
    with override_settings(
        QMS_IMPORT_MAX_BYTES=max(size + 1, 10 * 2**20), MEDIA_ROOT=str(folder / "media")
    ):
        with open(import_path, "rb") as handle:
            imp = imports.import_upload(actor=None, agency=province, file=File(handle, "nhap.csv"))
        phases.run("import_dry_run", import_rows, lambda: imports.import_check(imp.pk))
        imp.refresh_from_db()
        phases.figures["import_checked"] = {
            "state": imp.state,
            "new": imp.new_count,
            "updated": imp.updated_count,
            "unchanged": imp.unchanged_count,
            "rejected": imp.rejected_count,
        }
        if imp.state != ImportState.CHECKED:
            print(f"  import not checked: {imp.state} {imp.file_error[:300]}")
            return
        imports.import_confirm(actor=None, dossier_import=imp, mode=ImportMode.GOOD_ROWS)

        def apply():
            for _ in range(1000):  # a long file hands over to a new run after its time budget
                done = imports.import_apply(imp.pk)
                if done is None or done.state != ImportState.APPLYING:
                    return done

        phases.run("import_apply", import_rows, apply)
        imp.refresh_from_db()
        phases.figures["import_applied"] = {
            "state": imp.state,
            "written_new": getattr(imp, "written_new", None),
            "written_updated": getattr(imp, "written_updated", None),
        }
    drift = phases.run("summary_verify_after", 0, summaries.drifts)
    phases.figures["summary_drift_after_import"] = len(drift)


if __name__ == "__main__":
    run()
