"""Vietnamese in the admin: qms's completions of Wagtail's and Django's catalogues, the .po files'
health, and what an officer reads on the login page, the dashboard and the Help menu."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import django
import pytest
import wagtail
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.conftest import IN_CI

OVERRIDES = Path(settings.BASE_DIR) / "locale_overrides" / "vi" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
UPSTREAM_ROOTS = (Path(wagtail.__file__).parent, Path(django.__file__).parent)
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), text.strip()[1:-1])


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"ctx", "id", "plural", "str": [...]}, header included."""
    entries, current, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current and current["id"] is not None:
                entries.append(current)
            current = None
            continue
        if line.startswith("#"):
            continue
        if current is None:
            current = {"ctx": None, "id": None, "plural": None, "str": []}
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            keyword, value = match[1], _unquote(match[2])
            if keyword.startswith("msgstr"):
                current["str"].append(value)
                key = ("str", len(current["str"]) - 1)
            else:
                key = {"msgctxt": ("ctx",), "msgid": ("id",), "msgid_plural": ("plural",)}[keyword]
                current[key[0]] = value
        elif key[0] == "str":
            current["str"][key[1]] += _unquote(line)
        else:
            current[key[0]] += _unquote(line)
    return entries


def upstream_msgids(domain: str) -> set[tuple]:
    """(context, msgid) of every message Wagtail and Django ship (their English catalogues list
    all of them; the Vietnamese ones only the translated ones)."""
    found = set()
    for root in UPSTREAM_ROOTS:
        for po in root.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"):
            found.update((e["ctx"], e["id"]) for e in read_po(po) if e["id"])
    return found


def project_po_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    skip = {".venv", "var", "node_modules", ".git"}
    return sorted(p for p in base.rglob("*.po") if not skip.intersection(p.relative_to(base).parts))


def header(po: Path) -> dict:
    first = next(e for e in read_po(po) if e["id"] == "")
    return dict(line.split(": ", 1) for line in first["str"][0].splitlines() if ": " in line)


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_completion_still_exists_upstream(domain):
    """A msgid renamed or dropped by a Wagtail/Django upgrade would silently fall back to English."""
    upstream = upstream_msgids(domain)
    ours = [(e["ctx"], e["id"]) for e in read_po(OVERRIDES / f"{domain}.po") if e["id"]]
    assert len(ours) > 50
    gone = [msgid for msgid in ours if msgid not in upstream]
    assert not gone, f"no longer in Wagtail/Django, update locale_overrides: {gone[:20]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalogue_matches_its_po(domain):
    """The committed .mo is what the .po says (someone edited the .po and forgot to compile)."""
    with open(OVERRIDES / f"{domain}.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    for entry in read_po(OVERRIDES / f"{domain}.po"):
        if not entry["id"]:
            continue
        key = entry["id"] if entry["ctx"] is None else f"{entry['ctx']}\x04{entry['id']}"
        got = compiled.get((key, 0)) if entry["plural"] is not None else compiled.get(key)
        assert got == entry["str"][0], entry["id"]


def test_every_po_file_has_its_languages_plural_header():
    files = project_po_files()
    assert OVERRIDES / "django.po" in files
    expected = {"vi": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
    for po in files:
        fields = header(po)
        language = po.relative_to(settings.BASE_DIR).parts[1]
        assert fields.get("Language") == language, po
        assert fields.get("Plural-Forms") == expected[language], po


def test_every_po_file_passes_msgfmt_check():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        message = "gettext's msgfmt is not installed (apt-get install gettext)"
        if IN_CI:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    for po in project_po_files():
        result = subprocess.run(
            [msgfmt, "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{po}: {result.stderr}"


def test_completions_win_over_wrong_upstream_vietnamese():
    with translation.override("vi"):
        # Wagtail's own vi catalogue glues the placeholder to the next word ("%(...)scủa bạn").
        assert translation.gettext("Enter your %(username_field_name)s") == (
            "Nhập %(username_field_name)s của bạn"
        )
        assert translation.gettext("Search all pages…") == "Tìm kiếm mọi trang…"
    with translation.override("en"):
        assert translation.gettext("Search all pages…") == "Search all pages…"


def test_login_page_speaks_vietnamese_and_names_qms(client, db):
    body = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "<title>Đăng nhập - qms</title>" in body
    for text in ("Đăng nhập qms", "Mật khẩu", "Quên mật khẩu?", "Ghi nhớ đăng nhập"):
        assert text in body
    for english in ("Sign in to Wagtail", ">Password", "Forgotten password?", "Remember me"):
        assert english not in body


def test_dashboard_speaks_vietnamese_and_help_points_to_user_guide(client, db):
    officer = factories.member(factories.agency(), "officer")
    client.force_login(officer)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "<title>Trang tổng quan - qms</title>" in body
    assert "Tìm kiếm mọi trang…" in body
    assert "Search all pages" not in body
    # The sidebar's menu is serialised in the page: the Help menu holds qms's guide only.
    assert reverse("qms_user_guide") in body
    assert "Tr\\u1ee3 gi\\u00fap" in body or "Trợ giúp" in body
    for english in ("What\\u0027s new in Wagtail", "What's new in Wagtail", "Editor Guide"):
        assert english not in body
    assert "editor guide" not in body.lower()
    guide = client.get(reverse("qms_user_guide"))
    assert guide.status_code == 200
    assert "Cán bộ đầu mối ISO" in guide.content.decode()


def test_admin_javascript_catalogue_carries_the_completions(client, db):
    client.force_login(factories.member(factories.agency(), "staff"))
    body = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode("utf-8")
    # "Pin toolbar" is only in Wagtail's JavaScript catalogue, untranslated upstream.
    assert "Ghim thanh c\\u00f4ng c\\u1ee5" in body or "Ghim thanh công cụ" in body
    assert "const v = 0;" in body  # Vietnamese plural: one form for every count
