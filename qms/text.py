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


def fold(value: str | None, max_length: int | None = None) -> str:
    """Fold Vietnamese text for search: no accents, lower case, single spaces (đ → d, ộ → o).

    Folding can lengthen text (ß → ss, 東 → dong, ™ → tm), so a folded copy stored in a column
    gives the column's ``max_length`` and is cut to it.
    """
    folded = _SPACES.sub(" ", anyascii(nfc(value)).lower()).strip()
    if max_length is not None:
        folded = folded[:max_length].rstrip()
    return folded


def folded_equal(a: str | None, b: str | None) -> bool:
    return fold(a) == fold(b)
