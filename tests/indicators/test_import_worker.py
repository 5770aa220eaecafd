"""A real Celery worker killed in the middle of an import: the task is delivered again, a new
worker process resumes after the last committed chunk (never redoing one), and the data equals a
clean run of the same file (issue 10, acceptance).

The worker runs the prefork pool, as in production, on the embedded filesystem broker (no service
needed) and on this test's database (committed rows: transaction=True); its app is the project's,
told of a lost process after 1 s instead of 10 (tests/indicators/celery_worker_app.py). It is slowed down by the
test hook ``QMS_TEST_HOOK_IMPORT_CHUNK_DELAY`` (a sleep after each committed chunk, off by default)
so that the test can kill the process running the task after its first checkpoint.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from indicators import tasks
from indicators.models import DossierImport, ImportMode, ImportState
from indicators.services import summaries
from indicators.services.imports import (
    STRIPPED_FOLDER,
    TEST_HOOK_CHUNK_DELAY,
    import_apply,
    import_confirm,
    import_upload,
)
from qms.celery import app as celery_app
from qms.env import filesystem_broker_options
from qms.models import Notification
from tests import factories
from tests.indicators.import_files import (
    ImportWorld,
    csv_bytes,
    dossiers_of,
    events_of,
    many_rows,
    summaries_of,
    upload,
)
from tests.qms.test_celery_worker import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = 40
CHUNK = 5  # 8 chunks: lines 2-6, 7-11, …, 37-41
DELAY = "0.4"  # seconds after each chunk: about 3 s of writing, time enough to kill mid-way
WAIT_SECONDS = 45


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the prefork pool's children), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces, so split after its closing bracket.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


class Worker:
    def __init__(self, tmp_path: Path, queue: str, broker_dir: Path):
        self.log = tmp_path / "worker.log"
        env = {
            **os.environ,
            "CELERY_BROKER_URL": "filesystem://",
            "QMS_BROKER_DIR": str(broker_dir),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "QMS_VAR_DIR": str(tmp_path),
            "QMS_IMPORT_CHUNK": str(CHUNK),
            TEST_HOOK_CHUNK_DELAY: DELAY,
            "DJANGO_SETTINGS_MODULE": "qms.settings",
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "tests.indicators.celery_worker_app", "worker",
            "--pool=prefork", "-c", "1", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-Q", queue, "-n", f"{queue}@%h",
        ]  # fmt: skip
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.output()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def wait_for(condition, worker: Worker, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        imp = DossierImport.objects.get()
        if condition(imp):
            return imp
        worker.check_alive()
        time.sleep(0.05)
    pytest.fail(f"{what} not within {WAIT_SECONDS}s; worker log:\n{worker.output()[-4000:]}")


def test_a_worker_killed_mid_import_resumes_from_its_checkpoint_and_equals_a_clean_run(
    tmp_path,
):
    w = ImportWorld.build()
    data = csv_bytes(many_rows(ROWS))
    # Upload and dry run in this process (tasks run eagerly here); the confirmation's task is
    # published to the real broker below instead.
    imp = import_upload(actor=w.officer, agency=w.stp, file=upload(data))
    imp.refresh_from_db()
    assert (imp.state, imp.new_count) == (ImportState.CHECKED, ROWS)
    with mock.patch.object(tasks.import_apply, "delay"):
        import_confirm(actor=w.officer, dossier_import=imp, mode=ImportMode.ALL_OR_NOTHING)

    broker_dir = tmp_path / "broker"
    options = filesystem_broker_options(broker_dir)
    queue = f"qms-test-{uuid.uuid4().hex[:12]}"
    worker = Worker(tmp_path, queue, broker_dir)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write("filesystem://", transport_options=options) as conn:
            tasks.import_apply.apply_async(args=[imp.pk], connection=conn, queue=queue)

        # Kill the process running the task once its first chunk is committed.
        running = wait_for(lambda i: i.checkpoint_line > 0, worker, "the first checkpoint")
        assert running.state == ImportState.APPLYING
        (child,) = children_of(worker.process.pid)
        os.kill(child, signal.SIGKILL)
        killed_at = DossierImport.objects.get().checkpoint_line
        assert 0 < killed_at < ROWS + 1  # in the middle

        done = wait_for(lambda i: i.state == ImportState.APPLIED, worker, "the import's end")
        # What follows the end (the personal data stripped from the stored file) and the ack.
        wait_for(
            lambda i: re.search(
                r"Task indicators.tasks.import_apply\[.*\] succeeded", worker.output()
            ),
            worker,
            "the task's success",
        )
    finally:
        celery_app.conf.task_always_eager = eager
        worker.stop()

    log = worker.output()
    assert "WorkerLostError" in log, log[-4000:]
    assert f"import {imp.pk} resumes after line {killed_at}" in log, log[-4000:]
    # After the kill, chunks are written from the line after the checkpoint on, none again.
    resumed = log.split(f"resumes after line {killed_at}", 1)[1]
    starts = [
        int(a) for a, _b in re.findall(rf"import {imp.pk}: lines (\d+)-(\d+) written", resumed)
    ]
    assert starts and starts[0] == killed_at + 1, resumed[-4000:]
    assert starts == sorted(set(starts))

    assert (done.written_new, done.written_updated, done.rows_done, done.checkpoint_line) == (
        ROWS,
        0,
        ROWS,
        ROWS + 1,
    )
    assert Notification.objects.filter(recipient=w.officer).count() == 1
    assert DossierImport.objects.get(pk=imp.pk).file.name.startswith(STRIPPED_FOLDER)

    # The same file imported cleanly (in this process, one chunk) into another agency.
    clean_agency = factories.agency(name="Bộ phận một cửa đối chứng", parent=w.stp, code="STP-DC")
    clean = import_upload(actor=w.officer, agency=clean_agency, file=upload(data))
    import_confirm(actor=w.officer, dossier_import=clean, mode=ImportMode.ALL_OR_NOTHING)
    import_apply(clean.pk)  # already run eagerly on commit: a second call changes nothing
    clean.refresh_from_db()
    assert (clean.state, clean.written_new) == (ImportState.APPLIED, ROWS)
    assert len(dossiers_of(w.stp)) == ROWS
    assert dossiers_of(w.stp) == dossiers_of(clean_agency)
    assert events_of(w.stp) == events_of(clean_agency)
    assert summaries_of(w.stp) == summaries_of(clean_agency)
    assert summaries.drifts() == []
