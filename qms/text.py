"""Vietnamese text in one place: NFC normalisation of input and accent folding for search."""

import re
import unicodedata

from anyascii import anyascii

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str:
    """Return ``value`` in Unicode NFC with outer whitespace stripped (None becomes "")."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def fold(value: str | None) -> str:
    """Fold Vietnamese text for search: no accents, lower case, single spaces (đ → d, ộ → o)."""
    return _SPACES.sub(" ", anyascii(nfc(value)).lower()).strip()


def folded_equal(a: str | None, b: str | None) -> bool:
    return fold(a) == fold(b)
