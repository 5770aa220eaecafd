"""Smoke test of ``make run``: migrate, seed, then ``manage.py rundev`` (web + worker + beat).

Needs nothing but Python: SQLite and the embedded filesystem broker in a temporary folder.
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from qms.management.commands.seed_demo import DEMO_PASSWORD

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.slow  # migrates, seeds and starts three processes

DEMO_USER = "stp-officer"
START_SECONDS = 30
STOP_SECONDS = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # an exited child not yet reaped by its parent is a zombie: it is gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def dev_env(tmp_path: Path) -> dict:
    """The environment of ``make run``: DEBUG on, everything else embedded, under tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELERY_", "DJANGO_", "EMAIL_"))
        and k not in {"DATABASE_URL", "QMS_BROKER_DIR", "QMS_TESTING", "SECRET_KEY"}
    }
    env.update(
        {
            "QMS_VAR_DIR": str(tmp_path),
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env, *args, timeout=120):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def get(opener, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with opener.open(url, data=body, timeout=10) as response:
        return response.status, response.geturl(), response.read().decode()


def wait_for(predicate, seconds, what, log):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} within {seconds}s; output:\n{log.read_text(errors='replace')[-4000:]}")


def test_rundev_serves_logs_in_and_stops_all_three(tmp_path):
    env = dev_env(tmp_path)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "rundev.log"
    with log.open("wb") as out:
        rundev = subprocess.Popen(
            [sys.executable, "manage.py", "rundev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    children = {}
    try:

        def started():
            children.update(
                (name, int(pid))
                for name, pid in re.findall(r"started (\w+) \(pid (\d+)\)", log.read_text())
            )
            return set(children) == {"web", "worker", "beat"}

        wait_for(started, START_SECONDS, "rundev did not start web, worker and beat", log)

        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

        def answers():
            try:
                return get(opener, f"{base}/")[0] == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert rundev.poll() is None, log.read_text(errors="replace")
                return False

        wait_for(answers, START_SECONDS, "the web server did not answer", log)

        status, _, page = get(opener, f"{base}/admin/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, final_url, page = get(
            opener,
            f"{base}/admin/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": DEMO_USER,
                "password": DEMO_PASSWORD,
                "next": "/admin/",
            },
        )
        assert status == 200
        assert urllib.parse.urlsplit(final_url).path == "/admin/", page[-2000:]
        assert 'name="password"' not in page  # the dashboard, not the login form again
        assert get(opener, f"{base}/admin/inbox/")[0] == 200

        # The worker connected to the embedded broker and beat started.
        wait_for(lambda: " ready." in log.read_text(), START_SECONDS, "no worker ready", log)
        wait_for(lambda: "beat: Starting" in log.read_text(), START_SECONDS, "no beat", log)
        for name, pid in children.items():
            assert alive(pid), f"{name} (pid {pid}) is not running"
        assert rundev.poll() is None

        # Ctrl-C: rundev stops all three and exits cleanly.
        rundev.send_signal(signal.SIGINT)
        assert rundev.wait(STOP_SECONDS) == 0, log.read_text(errors="replace")[-4000:]
        wait_for(
            lambda: not any(alive(pid) for pid in children.values()),
            5,
            f"children still running: {children}",
            log,
        )
    finally:
        for pid in [rundev.pid, *children.values()]:
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        if rundev.poll() is None:
            rundev.wait(5)
