"""Vietnamese alphabetical order (a ă â b c d đ e ê … o ô ơ … u ư …), the same on every database.

``vi_order("name")`` goes into ``order_by()``: it collates by ``vi-x-icu``, PostgreSQL's ICU
collation for Vietnamese; on SQLite a collation of the same name is registered on every connection
(``register_sqlite_collation``, connected once in ``QmsConfig.ready``) and compares with
``vi_sort_key``, a pure-Python key that follows ICU's rules (PyICU has no wheel):

1. letters: ă â đ ê ô ơ ư are letters of their own, after a a ă d e o o u respectively; spaces,
   then punctuation, then digits come before letters;
2. then tones, only when the letters are equal, compared from the left: none, huyền, hỏi, ngã,
   sắc, nặng (CLDR's Vietnamese order);
3. then case: lower case before upper case.

``vi_sorted(items, key=...)`` sorts Python lists (choices, rows already in memory) the same way.
"""

import unicodedata
from collections.abc import Callable, Iterable

from django.db.models import F
from django.db.models.functions import Collate

COLLATION = "vi-x-icu"

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Marks that make a letter of its own: (base, mark) -> letter.
_LETTER_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
# Tone marks in the order of ICU's Vietnamese tailoring (CLDR): huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_OTHER_MARK = 6  # a diacritic of another language (é of a foreign name, ü …)
# Characters that are not letters, in the order of ICU's root collation: spaces, punctuation,
# symbols, digits (all before letters).
_BEFORE_LETTERS = " \t\n_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
_LETTER_BASE = len(_BEFORE_LETTERS) + 1
_RANK = {ch: i + 1 for i, ch in enumerate(_BEFORE_LETTERS)}
_RANK.update({ch: _LETTER_BASE + i for i, ch in enumerate(ALPHABET)})


def _clusters(text: str):
    """(base character, its combining marks) of the canonical decomposition of ``text``."""
    base, marks = None, []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and base is not None:
            marks.append(ch)
            continue
        if base is not None:
            yield base, marks
        base, marks = ch, []
    if base is not None:
        yield base, marks


def vi_sort_key(text: str | None) -> tuple:
    """A sort key giving Vietnamese alphabetical order (see the module's docstring)."""
    letters, tones, cases = [], [], []
    for base, marks in _clusters(text or ""):
        lower = base.lower()
        tone = 0
        for mark in marks:
            letter = _LETTER_MARKS.get((lower, mark))
            if letter is not None:
                lower = letter
            elif mark in _TONES:
                tone = _TONES[mark]
            else:
                tone = tone or _OTHER_MARK
        # Characters outside this table (other scripts, symbols) sort after letters by code point.
        letters.append(_RANK.get(lower, _LETTER_BASE + len(ALPHABET) + ord(lower)))
        tones.append(tone)
        cases.append(1 if base.isupper() else 0)
    return (tuple(letters), tuple(tones), tuple(cases))


def vi_compare(a: str | None, b: str | None) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b``: SQLite's collation function."""
    key_a, key_b = vi_sort_key(a), vi_sort_key(b)
    return (key_a > key_b) - (key_a < key_b)


def vi_sorted(items: Iterable, key: Callable = str) -> list:
    return sorted(items, key=lambda item: vi_sort_key(key(item)))


def vi_order(field: str, *, descending: bool = False):
    """An ``order_by()`` term that orders ``field`` in Vietnamese alphabetical order."""
    expression = Collate(F(field), COLLATION)
    return expression.desc() if descending else expression.asc()


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: teach each new SQLite connection the ``vi-x-icu`` name."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, vi_compare)


def vi_person_order(prefix: str = "") -> list:
    """``order_by()`` terms for people as Vietnamese lists order them: by given name (``first_name``,
    "An"), then family and middle names (``last_name``, "Nguyễn Văn"), then username.
    ``prefix`` reaches a person through a relation, e.g. ``"user__"``."""
    return [
        vi_order(f"{prefix}first_name"),
        vi_order(f"{prefix}last_name"),
        f"{prefix}username",
    ]
