"""A task for the real-worker tests: its first run kills the worker process that runs it."""

import os
import signal
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.qms.die_once")
def die_once(folder: str) -> None:
    """Count each run in ``folder/runs``; the first run dies by SIGKILL, a later one finishes."""
    folder_path = Path(folder)
    with (folder_path / "runs").open("a") as runs:
        runs.write(f"{os.getpid()}\n")
    died = folder_path / "died"
    if not died.exists():
        died.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    (folder_path / "done").touch()
