"""Bytes to text: byte-order marks, binary detection and charset guessing (charset-normalizer).

Articles arrive in whatever encoding their CMS used. A strict UTF-8 decode is tried first because it is fast and
almost never wrong; anything else goes to charset-normalizer. Binary files (images, PDFs, archives) are refused with
a clear message instead of being compared as garbage.
"""

from __future__ import annotations

import codecs
import re

from provenance.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.epub)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00\x00\x01\x00", "an icon file"),
)


_WESTERN_EXTRA = set(
    "\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u20ac\u00a3\u00a9\u00ae\u00b0\u2022\u00b7\u00ab\u00bb\u00a0\u2122\u00bd\u00bc\u00be\u00a7\u00b2\u00b3\u00d7"
)


def _western(text: str) -> float:
    """Share of non-ASCII characters that are Latin-1 letters or common typographic punctuation."""
    odd = [ch for ch in text if ord(ch) > 127]
    if not odd:
        return 1.0
    ok = sum(
        1 for ch in odd if ("\u00c0" <= ch <= "\u00ff" and ch not in "\u00d7\u00f7") or ch in _WESTERN_EXTRA
    )
    return ok / len(odd)


def _accented_share(text: str) -> float:
    """Share of letters outside ASCII: low in Western European text, high in mojibake of other scripts."""
    letters = [ch for ch in text[:20000] if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if ord(ch) > 127) / len(letters)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # C0 controls other than \t \n \v \f \r


_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    # Most texts have none: in UTF-8 these characters are these bytes and no others are, and deleting bytes by
    # table (`bytes.translate`) runs at memory speed where a regex scan costs tens of nanoseconds a character.
    raw = sample.encode("utf-8", "surrogatepass")
    if len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


_ASCII_LOW = {0x00, 0x09, 0x0A, 0x0D}


def _paired_ascii(text: str) -> bool:
    """Bytes that were ASCII all along, read two at a time: most non-ASCII characters then have two printable
    ASCII bytes (about one CJK character in five does by chance), so a binary file with a few stray NULs is not
    mistaken for BOM-less UTF-16."""
    wide = [ord(ch) for ch in text[:4000] if ord(ch) > 0x7F]
    if not wide:
        return False
    paired = sum(
        1 for c in wide if 0x20 <= c >> 8 <= 0x7E and (0x20 <= c & 0xFF <= 0x7E or c & 0xFF in _ASCII_LOW)
    )
    return paired >= 0.6 * len(wide)


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Return (text, encoding), or raise InputError for empty, binary or undecodable input."""
    if not data.strip():
        raise InputError(f"{name}: the input is empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: starts with a {enc} byte-order mark but is not valid {enc} ({exc.reason})"
                ) from None
            return _checked(text, enc, name)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: this is {what}, not a text, Markdown or HTML article")
    if b"\x00" not in data[:8192]:
        try:
            return _checked(data.decode("utf-8"), "utf-8", name)
        except UnicodeDecodeError:
            pass
    else:
        # NUL bytes: UTF-16 without a byte-order mark, or binary.
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if (
                _control_ratio(text) < 0.01
                and sum(ch.isalpha() for ch in text[:2000]) > len(text[:2000]) * 0.4
                and not _paired_ascii(text)
            ):
                return _checked(text, enc, name)
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not a text article")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding not in ("cp1252", "ascii") and not best.encoding.startswith("utf"):
        # Short texts with a few curly quotes or accents fit many single-byte code pages equally well. Windows-1252
        # is by far the most common of them (browsers read latin-1 labels as 1252 for this reason), so it wins
        # whenever its reading uses only ordinary Western letters and typographic punctuation.
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = None
        if (
            western is not None
            and _western(western) >= max(0.95, _western(str(best)))
            and _accented_share(western) < 0.25
        ):
            return _checked(western, "cp1252", name)
    if best is None:
        raise InputError(f"{name}: cannot tell the text encoding (not UTF-8 and no other encoding fits)")
    return _checked(str(best), best.encoding, name)


def _checked(text: str, encoding: str, name: str) -> tuple[str, str]:
    if _control_ratio(text) > 0.05:
        raise InputError(
            f"{name}: looks like a binary file (decoded as {encoding}, it is mostly control characters)"
        )
    if not text.strip():
        raise InputError(f"{name}: the input is empty")
    return text, encoding
