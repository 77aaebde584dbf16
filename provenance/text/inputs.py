"""Where articles come from: files, directories, globs and JSONL (one document per line), read safely.

Every failure a user can cause (a missing file, a directory, a denied read, a bad JSONL line) becomes a one-line
InputError, or an entry in the caller's `errors` list when many inputs are read and one bad one must not stop the rest.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR

from provenance.errors import InputError, ProvenanceError
from provenance.limits import check_size as _check_size
from provenance.text.decode import decode


def shown_name(name: str) -> str:
    """A name as one printable line, whatever bytes it holds: an undecodable byte as \\xff, a newline as \\n."""
    try:  # a file name's undecodable bytes, as Python reads them
        raw = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # other lone surrogates (a JSON "\ud800")
        raw = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw if raw.isprintable() else raw.encode("unicode_escape").decode("ascii")


def check_text(text: str, name: str) -> str:
    """A document's text (or metadata) that UTF-8 can hold: JSON may spell a lone surrogate (`"\\ud800"`) and a
    Python caller may pass one, which no report, index or scorer can carry. Refused with one line naming the
    document and where the surrogate is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{shown_name(name)}: the text is not valid Unicode (a lone surrogate, "
            f"{text[exc.start]!r}, at character {exc.start + 1})"
        ) from None
    return text


def check_name(name: str) -> str:
    """A document name (file path or JSONL id) that every report format and index can carry: valid UTF-8 (a file
    name of other bytes, read by Python as lone surrogates, would be written as invalid UTF-8 or refused by the
    index halfway). Refused with one line naming it, so one bad name never stops the other inputs."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            f"{shown_name(name)}: the name is not valid UTF-8; rename the file (or give the document another id)"
        ) from None
    return name


def read_bytes(path: Path) -> bytes:
    """Read a file, turning every OS-level failure into a one-line InputError."""
    check_name(str(path))
    try:
        st = path.stat()  # one call for both checks
        if S_ISDIR(st.st_mode):
            raise InputError(f"{path}: is a directory, not an article")
        _check_size(st.st_size, str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an article") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
FORMAT_OF = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".xhtml": "html"}
JSONL_META = ("title", "url", "published", "outlet")


@dataclass(frozen=True, slots=True)
class RawDocument:
    id: str
    text: str
    format: str
    meta: dict[str, str] = field(default_factory=dict)


def check_raw(raw: RawDocument) -> RawDocument:
    """A document held in memory (a JSONL line, a Python caller's) whose id, text and metadata UTF-8 can hold."""
    check_name(raw.id)
    check_text(raw.text, f"document {shown_name(raw.id)!r}")
    for key, value in raw.meta.items():
        check_text(value, f"document {shown_name(raw.id)!r}, {shown_name(key)}")
    return raw


@dataclass(frozen=True, slots=True)
class FileInput:
    """An article file named by the inputs and not read yet (`read_input` reads it): what indexing hands a worker
    process instead of the text, so that reading and decoding happen in the workers."""

    id: str  # the path, as the document's id
    format: str


# A document as the inputs name it: in memory (a JSONL line, a caller's) or a file.
Source = RawDocument | FileInput


def iter_sources(paths: list[str], errors: list[str]) -> Iterator[Source]:
    """Every document named by the arguments, files not read yet; a bad argument or JSONL line is recorded in
    `errors` and skipped, not fatal."""
    for arg in paths:
        if any(ch in arg for ch in "*?["):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                errors.append(f"{arg}: no file matches")
            files = [Path(m) for m in matches if Path(m).is_file()]
        elif Path(arg).is_dir():
            files = sorted(
                p
                for p in Path(arg).rglob("*")
                if p.is_file() and p.suffix.lower() in (*ARTICLE_SUFFIXES, ".jsonl")
            )
        else:
            files = [Path(arg)]
        for f in files:
            suffix = f.suffix.lower()
            if suffix != ".jsonl":
                try:
                    yield FileInput(check_name(str(f)), FORMAT_OF.get(suffix, "text"))
                except InputError as exc:  # a name no index or report can carry: refused before anything asks
                    errors.append(str(exc))
                continue
            try:
                yield from _jsonl(f, errors)
            except ProvenanceError as exc:
                errors.append(str(exc))


def read_input(source: Source) -> RawDocument:
    """The document itself: a file read and decoded (InputError when it cannot be)."""
    if isinstance(source, RawDocument):
        return source
    text, _ = decode(read_bytes(Path(source.id)), source.id)
    return RawDocument(source.id, text, source.format)


def iter_inputs(paths: list[str], errors: list[str]) -> Iterator[RawDocument]:
    """Every document named by the arguments, read; a bad one is recorded in `errors` and skipped, not fatal."""
    for source in iter_sources(paths, errors):
        try:
            yield read_input(source)
        except ProvenanceError as exc:
            errors.append(str(exc))


def _jsonl(path: Path, errors: list[str]) -> Iterator[RawDocument]:
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str | int):
                errors.append(f'{where}: each line needs an "id" (string) and "text" or "html"')
                continue
            body, fmt = (obj.get("html"), "html") if obj.get("html") else (obj.get("text"), "text")
            if not isinstance(body, str) or not body.strip():
                errors.append(f'{where}: document {obj["id"]!r} has no "text" or "html"')
                continue
            meta = {k: str(obj[k]) for k in JSONL_META if obj.get(k) is not None}
            try:
                check_raw(RawDocument(str(obj["id"]), body, fmt, meta))
            except InputError as exc:
                errors.append(f"{where}: {exc}")
                continue
            yield RawDocument(str(obj["id"]), body, fmt, meta)
