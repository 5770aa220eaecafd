"""Real Celery workers (Redis and the embedded filesystem broker) send the outbox, at most once.

The unit tests run tasks eagerly; these start ``celery -A qms worker`` as a separate process on the
test database (rows are committed: ``transaction=True``) and publish to a real broker.
"""

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from qms.celery import app as celery_app
from qms.env import filesystem_broker_options
from qms.models import EmailStatus, Notification, OutboundEmail
from qms.tasks import send_pending_emails
from tests import factories

BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 25

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The URL of the database this test runs on, for the worker process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        assert name != ":memory:" and "mode=memory" not in name, "workers need a file database"
        return f"sqlite:///{Path(name).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = quote(db["USER"] or "", safe="")
        password = quote(db["PASSWORD"] or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db["HOST"] or "127.0.0.1"
        port = db["PORT"] or "5432"
        return f"postgres://{auth}{host}:{port}/{quote(db['NAME'], safe='')}"
    pytest.fail(f"no worker DATABASE_URL for {db['ENGINE']}")


def broker_folders(root: Path) -> dict:
    """The filesystem transport options for a broker under ``root`` (as settings builds them)."""
    return filesystem_broker_options(root)


class Worker:
    """``celery -A qms worker`` on one queue, in its own process group (killed as a whole)."""

    def __init__(self, tmp_path: Path, broker_url: str, queue: str, extra_env: dict):
        self.log = tmp_path / f"worker-{queue}.log"
        self.mail_dir = tmp_path / "mail"
        env = os.environ.copy()
        env.update(
            {
                "CELERY_BROKER_URL": broker_url,
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "DATABASE_URL": database_url(),
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.mail_dir),
                "QMS_VAR_DIR": str(tmp_path),
                "DJANGO_SETTINGS_MODULE": "qms.settings",
                "PYTHONUNBUFFERED": "1",
                **extra_env,
            }
        )
        command = [
            sys.executable, "-m", "celery", "-A", "qms", "worker",
            "--pool=solo", "-c", "1", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-Q", queue, "-n", f"{queue}@%h",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def mails(self) -> list:
        if not self.mail_dir.exists():
            return []
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            # The filebased backend writes each message followed by a line of dashes.
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    messages.append(
                        email.message_from_bytes(chunk.lstrip(b"\n"), policy=email.policy.default)
                    )
        return messages


@pytest.fixture
def start_worker(tmp_path):
    workers = []

    def start(broker_url, queue, **extra_env):
        worker = Worker(tmp_path, broker_url, queue, extra_env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def publish():
    """Publish ``send_pending_emails`` to a real broker (the test settings run tasks eagerly)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False

    def send(url, queue, transport_options=None):
        with celery_app.connection_for_write(url, transport_options=transport_options) as conn:
            send_pending_emails.apply_async(connection=conn, queue=queue)

    yield send
    celery_app.conf.task_always_eager = eager


def queued_email(subject: str) -> OutboundEmail:
    """A notification and its unsent e-mail, committed (not through notify, which runs eagerly)."""
    user = factories.user()
    notification = Notification.objects.create(recipient=user, title=subject, body="Nội dung")
    return OutboundEmail.objects.create(
        notification=notification, to=user.email, subject=subject, body=f"Thân thư: {subject}"
    )


def wait_sent(outbound: OutboundEmail, worker: Worker) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        outbound.refresh_from_db()
        if outbound.status == EmailStatus.SENT:
            return
        if outbound.status in (EmailStatus.FAILED, EmailStatus.UNCERTAIN) or outbound.last_error:
            pytest.fail(f"sending {outbound.status}: {outbound.last_error}\n{worker.output()}")
        if worker.process.poll() is not None:
            pytest.fail(f"worker exited with {worker.process.returncode}:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(
        f"e-mail {outbound.pk} not sent within {WAIT_SECONDS}s; worker log:\n{worker.output()}"
    )


def check_sent_once(worker, publish, broker_url, queue, transport_options=None):
    """The worker sends a queued e-mail once; a second run sends only the new one."""
    first = queued_email(f"Thư thứ nhất {queue}")
    publish(broker_url, queue, transport_options)
    wait_sent(first, worker)
    assert first.claimed_at is not None and first.last_error == "" and first.attempts == 1

    # The task again, with one more e-mail so we know when the second run has happened.
    second = queued_email(f"Thư thứ hai {queue}")
    publish(broker_url, queue, transport_options)
    wait_sent(second, worker)

    mails = worker.mails()
    subjects = sorted(m["Subject"] for m in mails)
    assert subjects == sorted([first.subject, second.subject]), worker.output()
    by_subject = {m["Subject"]: m for m in mails}
    assert by_subject[first.subject]["To"] == first.to
    assert by_subject[first.subject]["From"] == settings.DEFAULT_FROM_EMAIL
    assert first.body in by_subject[first.subject].get_content()
    assert OutboundEmail.objects.exclude(status=EmailStatus.SENT).count() == 0
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}  # once each


@pytest.mark.redis
def test_worker_on_redis_sends_outbox_once(redis_url, tmp_path, start_worker, publish):
    queue = f"qms-test-{uuid.uuid4().hex[:12]}"
    worker = start_worker(redis_url, queue)
    try:
        check_sent_once(worker, publish, redis_url, queue)
    finally:
        worker.stop()
        # The queue and the bindings kombu keeps for it (unique per test, so never reused).
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()


def test_worker_on_filesystem_broker_sends_outbox_once(tmp_path, start_worker, publish):
    broker_dir = tmp_path / "broker"
    options = broker_folders(broker_dir)
    queue = f"qms-test-{uuid.uuid4().hex[:12]}"
    worker = start_worker("filesystem://", queue, QMS_BROKER_DIR=str(broker_dir))
    try:
        check_sent_once(worker, publish, "filesystem://", queue, options)
    finally:
        worker.stop()
    # Every message was taken from the queue folder (store_processed is off), and the bindings
    # live in the broker folder, not in the working directory.
    assert list(Path(options["data_folder_in"]).iterdir()) == []
    assert any(Path(options["control_folder"]).iterdir())
