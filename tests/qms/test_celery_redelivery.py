"""Work is redelivered, not lost, when the process running a task dies (the settings of
qms/settings.py that promise it, acks_late and reject_on_worker_lost, shown by a real worker)."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from qms.celery import app as celery_app
from qms.env import filesystem_broker_options
from tests.qms.celery_probe import die_once

pytestmark = pytest.mark.slow

WAIT_SECONDS = 60


def test_a_task_whose_worker_process_dies_runs_again(tmp_path):
    broker_dir, work = tmp_path / "broker", tmp_path / "work"
    work.mkdir()
    queue = f"qms-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "filesystem://",
        "QMS_BROKER_DIR": str(broker_dir),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "QMS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "qms.settings",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    # The prefork pool, as in production: the task runs in a child the worker can lose.
    command = [
        sys.executable, "-m", "celery", "-A", "qms", "worker",
        "--pool=prefork", "-c", "1", "--loglevel=INFO", "-I", "tests.qms.celery_probe",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-Q", queue, "-n", f"{queue}@%h",
    ]  # fmt: skip
    with log.open("wb") as output:
        worker = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        options = filesystem_broker_options(broker_dir)
        with celery_app.connection_for_write("filesystem://", transport_options=options) as conn:
            die_once.apply_async(args=[str(work)], connection=conn, queue=queue)
        deadline = time.monotonic() + WAIT_SECONDS
        while not (work / "done").exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the task did not run again; worker log:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = eager
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(5)
    runs = (work / "runs").read_text().split()
    assert len(runs) == 2, log.read_text()[-4000:]  # killed once, then run to the end
    assert runs[0] != runs[1]  # by a new process
    assert "WorkerLostError" in log.read_text()
