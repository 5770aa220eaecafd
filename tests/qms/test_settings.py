"""Start-up refuses bad environment values naming the variable; env readers; Vietnamese input formats."""

import datetime
import os
import subprocess
import sys
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
