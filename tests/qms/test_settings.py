"""Start-up refuses bad environment values naming the variable; env readers; Vietnamese input formats."""

import datetime
import os
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

from qms import env

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Variables the settings module reads: cleared so the outer environment cannot leak in.
_SETTINGS_VARS = {
    "DEBUG",
    "QMS_TESTING",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "DEFAULT_FROM_EMAIL",
    "QMS_BROKER_DIR",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_VISIBILITY_TIMEOUT",
    "WAGTAILADMIN_BASE_URL",
    "SESSION_COOKIE_SECURE",
    "LOG_LEVEL",
    "EMAIL_TIMEOUT",
    "EMAIL_MAX_ATTEMPTS",
    "EMAIL_RETRY_DELAY",
    "EMAIL_CLAIM_TIMEOUT",
    "CELERY_TASK_TIME_LIMIT",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "QMS_HTTPS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_COOKIE_SECURE",
    "SESSION_AGE_HOURS",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "PASSWORD_RESET_LIMIT",
    "PASSWORD_RESET_WINDOW_MINUTES",
    "CACHE_URL",
    "SECRET_KEY_FALLBACKS",
}


def _start(tmp_path, **overrides) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARS}
    environment.update(
        DJANGO_SETTINGS_MODULE="qms.settings",
        QMS_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="test-secret-key-for-start-up",
        PYTHONPATH=str(PROJECT_DIR),
    )
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_good_environment_starts(tmp_path):
    result = _start(
        tmp_path,
        DEBUG="false",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="yes",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "ImproperlyConfigured" not in result.stderr


@pytest.mark.slow
def test_secret_key_fallbacks_come_from_the_environment(tmp_path):
    result = _start(tmp_path, SECRET_KEY_FALLBACKS="old-one, old-two")
    assert result.returncode == 0, result.stderr
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qms.settings",
            "QMS_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "test-secret-key-for-start-up",
            "SECRET_KEY_FALLBACKS": "old-one, old-two",
        },
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert printed.stdout.strip() == "['old-one', 'old-two']", printed.stderr


@pytest.mark.slow
def test_defaults_start(tmp_path):
    result = _start(tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DEBUG": "maybe"}, ["DEBUG"]),
        ({"EMAIL_PORT": "abc"}, ["EMAIL_PORT"]),
        ({"EMAIL_PORT": "0"}, ["EMAIL_PORT"]),
        ({"DATABASE_URL": "mysql://x"}, ["DATABASE_URL"]),
        ({"CELERY_BROKER_URL": "ftp://x"}, ["CELERY_BROKER_URL"]),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, ["EMAIL_USE_TLS", "EMAIL_USE_SSL"]),
        ({"CELERY_VISIBILITY_TIMEOUT": "5"}, ["CELERY_VISIBILITY_TIMEOUT"]),
        (
            {"CELERY_TASK_TIME_LIMIT": "300", "CELERY_TASK_SOFT_TIME_LIMIT": "300"},
            ["CELERY_TASK_SOFT_TIME_LIMIT", "CELERY_TASK_TIME_LIMIT"],
        ),
        ({"SESSION_AGE_HOURS": "0"}, ["SESSION_AGE_HOURS"]),
        ({"CACHE_URL": "memcached://x"}, ["CACHE_URL"]),
    ],
    ids=lambda v: ",".join(v) if isinstance(v, list) else None,
)
def test_bad_value_refused_naming_the_variable(tmp_path, variables, named):
    result = _start(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    for name in named:
        assert name in last_line, result.stderr


def _manage(tmp_path, *args, environment) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=environment,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_only_the_three_production_variables(tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "qms.example.gov.vn",
    }
    result = _manage(tmp_path, "check", "--deploy", environment=environment)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output.upper().replace("WARNINGS: 0", ""), output


@pytest.mark.slow
def test_check_fails_when_task_limit_and_email_timeout_reach_the_visibility_timeout(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARS}
    environment.update(
        QMS_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="test-secret-key-for-start-up",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_TASK_TIME_LIMIT="600",
        CELERY_TASK_SOFT_TIME_LIMIT="500",
        EMAIL_TIMEOUT="30",
        CELERY_VISIBILITY_TIMEOUT="630",
    )
    result = _manage(tmp_path, "check", environment=environment)
    assert result.returncode != 0
    assert "qms.E001" in result.stderr
    for name in ("CELERY_TASK_TIME_LIMIT", "EMAIL_TIMEOUT", "CELERY_VISIBILITY_TIMEOUT"):
        assert name in result.stderr, result.stderr

    environment["CELERY_VISIBILITY_TIMEOUT"] = "631"
    result = _manage(tmp_path, "check", environment=environment)
    assert result.returncode == 0, result.stderr


_KEY_WRITER = """
import sys, time
from pathlib import Path
from qms.env import secret_key_file
go, folder = Path(sys.argv[1]), Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
for n in range(20):
    print(secret_key_file(folder / f"k{n}" / "secret_key"))
"""


@pytest.mark.slow
def test_processes_starting_at_once_share_one_secret_key(tmp_path):
    go = tmp_path / "go"
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _KEY_WRITER, str(go), str(tmp_path)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    time.sleep(1)  # every writer is waiting for the start
    go.touch()
    outputs = []
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        outputs.append(out.split())
    assert all(len(keys) == 20 for keys in outputs)
    assert all(keys == outputs[0] for keys in outputs)  # each file: one key for everyone
    for n, key in enumerate(outputs[0]):
        path = tmp_path / f"k{n}" / "secret_key"
        assert path.read_text() == key and len(key) >= 50
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


@pytest.mark.slow
def test_settings_generate_the_key_when_none_is_given(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARS}
    environment.update(DEBUG="0", QMS_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(PROJECT_DIR))
    environment["DJANGO_SETTINGS_MODULE"] = "qms.settings"
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first, second = (
        subprocess.run(
            [sys.executable, "-c", code], env=environment, capture_output=True, text=True
        )
        for _ in range(2)
    )
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.slow
def test_https_is_on_in_production_and_off_for_an_intranet(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER,"
        " s.SESSION_COOKIE_AGE)"
    )

    def read(**variables):
        environment = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARS}
        environment.update(
            QMS_VAR_DIR=str(tmp_path / "var"),
            SECRET_KEY="test-secret-key-for-start-up",
            PYTHONPATH=str(PROJECT_DIR),
            DJANGO_SETTINGS_MODULE="qms.settings",
            **variables,
        )
        result = subprocess.run(
            [sys.executable, "-c", code], env=environment, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    on = "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') 28800"
    assert read(DEBUG="0") == on
    assert read(DEBUG="0", QMS_HTTPS="0") == "False 0 False False None 28800"
    assert read(DEBUG="1", SESSION_AGE_HOURS="10") == "False 0 False False None 36000"


# --- qms.env readers ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_env_bool_true(monkeypatch, raw):
    monkeypatch.setenv("QMS_T_FLAG", raw)
    assert env.env_bool("QMS_T_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_false(monkeypatch, raw):
    monkeypatch.setenv("QMS_T_FLAG", raw)
    assert env.env_bool("QMS_T_FLAG", True) is False


def test_env_bool_default_and_error(monkeypatch):
    monkeypatch.delenv("QMS_T_FLAG", raising=False)
    assert env.env_bool("QMS_T_FLAG", True) is True
    assert env.env_bool("QMS_T_FLAG") is False
    monkeypatch.setenv("QMS_T_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="QMS_T_FLAG='maybe'"):
        env.env_bool("QMS_T_FLAG")


def test_env_int(monkeypatch):
    monkeypatch.delenv("QMS_T_INT", raising=False)
    assert env.env_int("QMS_T_INT", 25) == 25
    monkeypatch.setenv("QMS_T_INT", "")
    assert env.env_int("QMS_T_INT", 25) == 25
    monkeypatch.setenv("QMS_T_INT", " 587 ")
    assert env.env_int("QMS_T_INT", 25, minimum=1) == 587
    monkeypatch.setenv("QMS_T_INT", "abc")
    with pytest.raises(ImproperlyConfigured, match="QMS_T_INT"):
        env.env_int("QMS_T_INT", 25)
    monkeypatch.setenv("QMS_T_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="QMS_T_INT=0 is below the minimum 1"):
        env.env_int("QMS_T_INT", 25, minimum=1)


def test_env_str_and_list(monkeypatch):
    monkeypatch.delenv("QMS_T_STR", raising=False)
    assert env.env_str("QMS_T_STR", "fallback") == "fallback"
    monkeypatch.setenv("QMS_T_STR", "  value  ")
    assert env.env_str("QMS_T_STR") == "value"
    monkeypatch.setenv("QMS_T_STR", "")
    assert env.env_str("QMS_T_STR", "fallback") == ""  # set but empty is kept

    monkeypatch.delenv("QMS_T_LIST", raising=False)
    default = ["a"]
    got = env.env_list("QMS_T_LIST", default)
    assert got == ["a"] and got is not default
    monkeypatch.setenv("QMS_T_LIST", " qms.example.vn , ,localhost,")
    assert env.env_list("QMS_T_LIST", default) == ["qms.example.vn", "localhost"]


def test_env_url(monkeypatch):
    schemes = {"sqlite", "postgres"}
    monkeypatch.delenv("QMS_T_URL", raising=False)
    assert env.env_url("QMS_T_URL", "sqlite:///x", schemes=schemes) == "sqlite:///x"
    monkeypatch.setenv("QMS_T_URL", "postgres://u:p@db/qms")
    assert env.env_url("QMS_T_URL", "sqlite:///x", schemes=schemes) == "postgres://u:p@db/qms"
    monkeypatch.setenv("QMS_T_URL", "mysql://x")
    with pytest.raises(ImproperlyConfigured, match="QMS_T_URL='mysql://x' has scheme 'mysql'"):
        env.env_url("QMS_T_URL", "sqlite:///x", schemes=schemes)
    monkeypatch.setenv("QMS_T_URL", "no-scheme-at-all")
    with pytest.raises(ImproperlyConfigured, match="QMS_T_URL"):
        env.env_url("QMS_T_URL", "sqlite:///x", schemes=schemes)


# --- Vietnamese input formats -----------------------------------------------------------------


class _DatesForm(forms.Form):
    day = forms.DateField()
    moment = forms.DateTimeField()


def _parse(day: str, moment: str):
    form = _DatesForm({"day": day, "moment": moment})
    assert form.is_valid(), form.errors
    return form.cleaned_data["day"], timezone.localtime(form.cleaned_data["moment"])


def test_vi_reads_day_first():
    with translation.override("vi"):
        day, moment = _parse("03/04/2025", "03/04/2025 14:30")
    assert day == datetime.date(2025, 4, 3)
    assert (moment.year, moment.month, moment.day) == (2025, 4, 3)
    assert (moment.hour, moment.minute) == (14, 30)
    assert moment.utcoffset() == datetime.timedelta(hours=7)  # Asia/Ho_Chi_Minh


def test_vi_other_accepted_formats():
    with translation.override("vi"):
        day, moment = _parse("31-12-2025", "2025-12-31 08:05")
        assert day == datetime.date(2025, 12, 31)
        assert (moment.month, moment.day, moment.hour, moment.minute) == (12, 31, 8, 5)
        day, _ = _parse("2025-04-03", "03/04/2025")
        assert day == datetime.date(2025, 4, 3)
        form = _DatesForm({"day": "31/02/2025", "moment": "03/04/2025 25:00"})
        assert not form.is_valid()
        assert set(form.errors) == {"day", "moment"}


def test_en_still_reads_iso():
    with translation.override("en"):
        day, moment = _parse("2025-04-03", "2025-04-03 14:30")
        assert day == datetime.date(2025, 4, 3)
        assert (moment.month, moment.day, moment.hour, moment.minute) == (4, 3, 14, 30)
        # and English reads slashes month first, so the vi formats are really language-specific
        day, _ = _parse("03/04/2025", "2025-04-03 14:30")
        assert day == datetime.date(2025, 3, 4)
