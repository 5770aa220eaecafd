"""Read the text back from a PDF that ``qms.pdf`` wrote, without a PDF library.

ReportLab embeds a subset of each TrueType font and a ToUnicode map for it; its page streams show
text as ``/F2+0 10 Tf (…) Tj``. This reads those maps and streams, so a test can check that
Vietnamese words are in the file as readable text (not only that some font was embedded). It
understands ReportLab's output, not every PDF.
"""

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\b")
_TOKENS = re.compile(
    rb"/([\w+.-]+)\s+[\d.]+\s+Tf|\((?:\\.|[^\\)])*\)|(?<!\w)(?:T[dDm*]|BT|ET)(?!\w)", re.S
)


def _decoded(header: bytes, data: bytes) -> bytes:
    if b"/ASCII85Decode" in header:
        data = data.strip()
        data = base64.a85decode(data[:-2] if data.endswith(b"~>") else data)
    if b"/FlateDecode" in header:
        data = zlib.decompress(data)
    return data


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (its dictionary, its decoded stream or None)."""
    found, position = {}, 0
    while match := _OBJECT.search(pdf, position):
        start = match.end()
        ends = [i for i in (pdf.find(b"stream", start), pdf.find(b"endobj", start)) if i >= 0]
        end = min(ends)
        header, data = pdf[start:end], None
        position = end + 6
        if pdf.startswith(b"stream", end):
            body = end + len(b"stream") + (2 if pdf.startswith(b"\r\n", end + 6) else 1)
            length = int(re.search(rb"/Length (\d+)", header).group(1))
            data = _decoded(header, pdf[body : body + length])
            position = body + length
        found[int(match.group(1))] = (header, data)
    return found


def _literal(token: bytes) -> bytes:
    """The bytes of a PDF literal string ``(…)``."""
    out, body, i = bytearray(), token[1:-1], 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        following = body[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i += 1 + len(octal.group())
        else:
            out += escapes.get(following, following)
            i += 2
    return bytes(out)


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    return mapping


def fonts(pdf: bytes) -> dict[str, str]:
    """Resource name -> base font name of every font in the file (e.g. "F2+0" -> "…+DejaVuSans")."""
    names = {}
    for header, _data in _objects(pdf).values():
        name = re.search(rb"/Name /([\w+.-]+)", header)
        base = re.search(rb"/BaseFont /([\w+.-]+)", header)
        if b"/Type /Font" in header and name and base:
            names[name.group(1).decode()] = base.group(1).decode()
    return names


def pdf_text(pdf: bytes) -> str:
    """The text shown on the pages, in drawing order (lines joined by spaces)."""
    objects = _objects(pdf)
    maps = {}
    for header, _data in objects.values():
        name = re.search(rb"/Name /([\w+.-]+)", header)
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", header)
        if b"/Type /Font" in header and name and to_unicode:
            maps[name.group(1).decode()] = _cmap(objects[int(to_unicode.group(1))][1] or b"")
    contents = []
    for header, _data in objects.values():
        if b"/Type /Page" in header and b"/Contents" in header:
            number = int(re.search(rb"/Contents (\d+) 0 R", header).group(1))
            contents.append(objects[number][1] or b"")
    words = []
    for stream in contents:
        font = None
        for token in _TOKENS.finditer(stream):
            if token.group(1):
                font = token.group(1).decode()
            elif token.group().startswith(b"("):
                raw = _literal(token.group())
                mapping = maps.get(font)
                if mapping is None:
                    words.append(raw.decode("latin-1"))
                else:
                    words.append("".join(mapping.get(byte, "?") for byte in raw))
            else:
                words.append(" ")
    return re.sub(r"\s+", " ", "".join(words))
