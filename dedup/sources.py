"""Read documents from files, directories, JSON lines and stdin, never failing on one.

:func:`read` turns what a user points at into the stream :meth:`Detector.scan
<dedup.detector.Detector.scan>` takes: a :class:`~dedup.detector.Document` for each text
and a :class:`~dedup.model.Problem` for each thing that could not be read, so one bad
file in a crawl of thousands costs a warning, not the run.

Where the ids come from:

* a file named directly: the path as given (``seeds/a.txt``);
* a file found under a directory: its path relative to that directory, POSIX style
  (``2015/a.txt``), so an id does not depend on where the directory was mounted;
* ``-``: stdin, read as one plain-text document with the id ``-``;
* a ``.jsonl`` file: one document per line, ``{"id": ..., "text": ...}``, id from the
  ``id`` field. Problems in a line name it ``path:line``.

Memory stays bounded: a file is read up to ``max_bytes`` (the rest is never read, and a
warning says so), and JSON lines are streamed one line at a time.

>>> import io
>>> [item.id for item in read(["-"], stdin=io.BytesIO(b"Some text."))]
['-']
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

from dedup.errors import InputError, OptionsError, RecordError
from dedup.extract import main_text
from dedup.model import Document, Problem
from dedup.normalize import decode

__all__ = [
    "HTML_SUFFIXES",
    "MAX_BYTES",
    "Entry",
    "Extract",
    "json_lines",
    "json_record",
    "json_type",
    "looks_like_html",
    "page_text",
    "parse_record",
    "read",
]

Extract = Callable[[str], str]
"""Turns an HTML page into the text to compare (:func:`dedup.extract.main_text`)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One document of a JSON line, ready to check: its id, text and metadata."""

    id: str
    text: str
    meta: Mapping[str, object] = field(default_factory=dict)


_META = ("url", "published")
_FIELDS = ("text", "html", *_META)


def _string(record: dict[str, object], name: str, doc_id: str) -> str | None:
    """The field ``name`` if present and not null; it must be a string."""
    value = record.get(name)
    if value is None or isinstance(value, str):
        return value
    raise RecordError(f'"{name}" must be a string, got {json_type(value)}', source=doc_id)


MAX_BYTES = 5_000_000
"""Default cap on the bytes read from one file or JSON line: about 800,000 words."""

STDIN = "-"
_WHITESPACE = b" \t\n\r\f\v"


HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_START = ("<!doctype html", "<html", "<?xml")


def looks_like_html(name: str, text: str) -> bool:
    """Whether a file is a web page: by its name (:data:`HTML_SUFFIXES`) or, whatever its
    name, by how it starts (a doctype or an ``<html>`` tag, after blank space).

    >>> looks_like_html("page.txt", "  <!DOCTYPE html><html>..."), looks_like_html("a.txt", "<b>")
    (True, False)
    """
    if name.lower().endswith(HTML_SUFFIXES):
        return True
    start = text[:512].lstrip().lower()
    return start.startswith(_HTML_START) and (not start.startswith("<?xml") or "<html" in start)


def page_text(name: str, text: str, *, html: bool | None = None) -> str:
    """The text to compare of a file: its main text (:func:`dedup.extract.main_text`)
    if it is a web page (``html`` None: :func:`looks_like_html` decides; True: it is;
    False: it is not), else the text itself.

    Raises:
        InputError: a web page with no main text.
    """
    if html or (html is None and looks_like_html(name, text)):
        return main_text(text)
    return text


def read(
    paths: Iterable[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int = MAX_BYTES,
    html: bool | None = None,
    full_ids: bool = False,
) -> Iterator[Document | Problem]:
    """Documents from files, directories (recursively), ``.jsonl`` files and stdin.

    Directories are walked in sorted order, skipping hidden files and directories
    (``.git``); a file reached twice (a directory and a file inside it) is read once.
    Text is decoded with :func:`dedup.normalize.decode`, and a web page is reduced to
    its main text (:func:`page_text`; ``html`` as there). Nothing raises for
    bad input: a missing path, unreadable or binary file, malformed JSON line or
    repeated id becomes a :class:`~dedup.model.Problem` and reading goes on. A file
    cut at ``max_bytes`` yields its :class:`~dedup.detector.Document` and a
    :class:`~dedup.model.Problem` saying it was truncated.

    Args:
        paths: files, directories, or ``-`` for stdin.
        stdin: where ``-`` reads from; the process's stdin if omitted.
        max_bytes: read at most this many bytes of a file (cut at the last whitespace
            before it) and refuse JSON lines longer than this.
        html: whether files are web pages (None: by name or content).
        full_ids: a file found in a directory has its path, including the directory
            as given, for id (``news/tech/a.txt``), not the path relative to it
            (``a.txt``), so ids from different directories cannot collide.

    Raises:
        OptionsError: ``max_bytes`` is not positive (raised at once, not when iterating).

    >>> import io
    >>> items = list(read(["-", "no/such/file.txt"], stdin=io.BytesIO(b"\\xef\\xbb\\xbfHi there.")))
    >>> items[0]
    Document(id='-', text='Hi there.')
    >>> items[1]
    Problem(source='no/such/file.txt', message='no such file or directory')
    """
    if max_bytes < 1:
        raise OptionsError(f"max_bytes must be at least 1, got {max_bytes}")
    return _Reader(stdin=stdin, max_bytes=max_bytes, html=html, full_ids=full_ids).read(paths)


class _Reader:
    """One pass of :func:`read`: remembers the ids seen so far to refuse repeats."""

    def __init__(
        self, *, stdin: BinaryIO | None, max_bytes: int, html: bool | None, full_ids: bool
    ) -> None:
        self._stdin = stdin
        self._full_ids = full_ids
        self._max_bytes = max_bytes
        self._html = html
        self._seen: dict[str, str] = {}  # id -> where it was first read
        self._files: dict[str, str] = {}  # real path -> where it was first read

    def read(self, paths: Iterable[str]) -> Iterator[Document | Problem]:
        for path in paths:
            if path == STDIN:
                stream = self._stdin if self._stdin is not None else sys.stdin.buffer
                yield from self._text(STDIN, STDIN, stream, size=None)
            elif os.path.isdir(path):
                for found in _walk(path):
                    if isinstance(found, Problem):
                        yield found
                    else:
                        doc_id = PurePath(
                            found if self._full_ids else os.path.relpath(found, path)
                        ).as_posix()
                        if doc_id in self._seen:
                            # the same layout under two directories (mirror sites): the
                            # later file is named by its path as found instead
                            doc_id = PurePath(found).as_posix()
                        yield from self._file(found, doc_id)
            elif os.path.exists(path):
                yield from self._file(path, path)
            else:
                yield Problem(path, "no such file or directory")

    def _file(self, path: str, doc_id: str) -> Iterator[Document | Problem]:
        real = os.path.realpath(path)
        first = self._files.get(real)
        if first is not None:
            yield Problem(path, f"already read as {first}, skipped")
            return
        self._files[real] = path
        try:
            with _open(path) as stream:
                size = os.fstat(stream.fileno()).st_size
                if path.endswith(".jsonl"):
                    yield from self._records(path, stream)
                else:
                    yield from self._text(path, doc_id, stream, size=size)
        except OSError as exc:
            yield Problem(path, f"cannot read: {(exc.strerror or str(exc)).lower()}")

    def _text(
        self, source: str, doc_id: str, stream: BinaryIO, *, size: int | None
    ) -> Iterator[Document | Problem]:
        data = stream.read(self._max_bytes + 1)
        truncated = len(data) > self._max_bytes
        if truncated:
            data = _cut(data[: self._max_bytes])
        try:
            text = page_text(source, decode(data), html=self._html)
        except InputError as exc:
            yield Problem(source, exc.message)
            return
        duplicate = self._claim(doc_id, source)
        if duplicate is not None:
            yield duplicate
            return
        yield Document(doc_id, text)
        if truncated:
            whole = f"file is {size:,} bytes" if size is not None else "input is longer"
            yield Problem(source, f"truncated to the first {self._max_bytes:,} bytes ({whole})")

    def _records(self, path: str, stream: BinaryIO) -> Iterator[Document | Problem]:
        for number, line in json_lines(stream, self._max_bytes):
            source = f"{path}:{number}"
            if line is None:
                yield Problem(source, f"line longer than {self._max_bytes:,} bytes, skipped")
                continue
            try:
                doc = _record(line)
            except InputError as exc:
                yield Problem(source, exc.message)
                continue
            if doc is None:
                continue
            duplicate = self._claim(doc.id, source)
            yield doc if duplicate is None else duplicate

    def _claim(self, doc_id: str, source: str) -> Problem | None:
        """Record that ``doc_id`` was read from ``source``; a Problem if it was already."""
        first = self._seen.get(doc_id)
        if first is None:
            self._seen[doc_id] = source
            return None
        return Problem(source, f"duplicate id {doc_id!r} (first read from {first}), skipped")


def _open(path: str) -> BinaryIO:
    """``path`` opened for reading without waiting: a FIFO named on the command line
    with nobody writing to it reads as empty instead of hanging; one with a writer
    (``dedup scan <(command)``) is read as it comes."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _walk(root: str) -> Iterator[str | Problem]:
    """Paths of the regular files under ``root``, sorted, without hidden entries.

    Symbolic links are not followed, to directories (a link loop cannot recurse) or to
    files (a link out of the directory is not read unasked): each is a problem naming
    it, as is anything that is not a regular file (a FIFO, a socket, a device).
    """
    try:
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda entry: entry.name)
    except OSError as exc:
        yield Problem(root, f"cannot list directory: {(exc.strerror or str(exc)).lower()}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_symlink():
                yield Problem(entry.path, "symbolic link, not followed (name it to read it)")
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path)
            elif entry.is_file(follow_symlinks=False):
                yield entry.path
            else:
                yield Problem(entry.path, "not a regular file (a FIFO, socket or device)")
        except OSError as exc:
            yield Problem(entry.path, f"cannot read: {(exc.strerror or str(exc)).lower()}")


def _cut(data: bytes) -> bytes:
    """``data`` up to its last whitespace, so no word (or UTF-8 sequence) is split.

    >>> _cut(b"one two thr")
    b'one two'
    >>> _cut(b"nospace")
    b'nospace'
    """
    end = max(data.rfind(byte) for byte in _WHITESPACE)
    return data[:end] if end > 0 else data


def json_lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line)`` pairs; ``None`` for a line over ``max_bytes``, which is
    skipped in chunks, never held whole.

    >>> import io
    >>> list(json_lines(io.BytesIO(b"ab\\nabcdef\\nabc"), 3))
    [(1, b'ab\\n'), (2, None), (3, b'abc')]
    """
    number = 0
    while line := stream.readline(max_bytes + 1):
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(65536)
            yield number, None
        else:
            yield number, line


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_record(raw: str) -> dict[str, object]:
    """The JSON object on one line of a feed or a ``.jsonl`` file, whatever the line
    holds: every way it can fail is a :class:`~dedup.errors.RecordError` naming the
    problem, never another exception (a number of thousands of digits, nesting
    thousands deep). A lone surrogate escape (``"\\ud800"``, not text in any encoding)
    is refused in the ``id`` and replaced by U+FFFD in any other string field.

    Both readers of JSON lines (:func:`read` and :func:`dedup.feed.parse`) use it, so
    they accept and refuse the same lines.

    >>> json_record('{"id": "a", "text": "caf\\ud800"}')["text"]
    'caf\ufffd'
    >>> json_record('[1]')
    Traceback (most recent call last):
    ...
    dedup.errors.RecordError: expected a JSON object with an "id", got an array
    """
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise RecordError("not valid JSON for dedup: nested too deeply") from None
    except ValueError as exc:  # an integer beyond Python's conversion limit
        raise RecordError(f"not valid JSON for dedup: {str(exc).split(':')[0].lower()}") from None
    if not isinstance(record, dict):
        raise RecordError(f'expected a JSON object with an "id", got {json_type(record)}')
    for name, value in record.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            if name == "id":
                raise RecordError('"id" holds a lone surrogate escape (\\ud800-\\udfff), not text')
            record[name] = _SURROGATE.sub("\ufffd", value)
    return record


def parse_record(raw: str, *, extract: Extract = main_text) -> Entry | None:
    """The document of one JSON line (decoded), for every reader of JSON lines (``scan``
    and ``index add`` inputs, ``watch`` feeds); ``None`` for a blank line.

    ``id`` is required, a string or an integer (kept as a string); ``text`` or
    ``html`` (reduced to the page's main text by ``extract``; ``text`` wins when both
    are given); ``url`` and ``published`` are optional strings kept as metadata.

    Raises:
        RecordError: not JSON, or not an object with those fields.
        InputError: the HTML has no main text (the error's ``source`` is the id).

    >>> parse_record('{"id": 7, "text": "Hello.", "url": "https://example.org/7"}')
    Entry(id='7', text='Hello.', meta={'url': 'https://example.org/7'})
    """
    raw = raw.rstrip("\r\n")
    if not raw.strip():
        return None
    record = json_record(raw)
    if "id" not in record:
        raise RecordError('missing "id" field')
    doc_id = record["id"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
        raise RecordError(f'"id" must be a string or an integer, got {json_type(doc_id)}')
    doc_id = str(doc_id)
    fields = {name: _string(record, name, doc_id) for name in _FIELDS}
    meta = {name: fields[name] for name in _META if fields[name] is not None}
    text, html = fields["text"], fields["html"]
    if text is not None:
        return Entry(doc_id, text, meta)
    if html is not None:
        try:
            return Entry(doc_id, extract(html), meta)
        except InputError as exc:
            raise InputError(exc.message, source=doc_id) from None
    raise RecordError('missing "text" or "html" field', source=doc_id)


def _record(line: bytes) -> Document | None:
    """The document on one JSON line; ``None`` for a blank line.

    Raises:
        InputError: the line is not JSON or not a document (:func:`parse_record`).

    >>> _record(b'{"id": 7, "text": "Hello."}')
    Document(id='7', text='Hello.')
    >>> _record(b'{"id": "a"}')
    Traceback (most recent call last):
    ...
    dedup.errors.RecordError: a: missing "text" or "html" field
    """
    entry = parse_record(decode(line))  # decoded as a file is, so a column is the file's
    return None if entry is None else Document(entry.id, entry.text)


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
