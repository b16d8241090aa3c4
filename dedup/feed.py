"""Feed mode: check each incoming document against an index, then add it, line by line.

A crawler writes one JSON object per fetched document to a pipe::

    {"id": "wapo-1", "text": "...", "url": "https://...", "published": "2015-09-18"}
    {"id": "mirror-7", "html": "<html>...</html>", "url": "https://..."}

and :func:`watch` yields one outcome per line, as soon as the line is processed: the
copies of the document already in the index (:class:`Checked`), or why the line could
not be used (:class:`Rejected`); a bad line never stops the feed. Fields:

``id``
    required, a string or an integer (kept as a string). A document sent again under
    the same id replaces the earlier one, and is not reported as a copy of it.
``text`` or ``html``
    one of them is required. ``html`` is reduced to the page's main text
    (:func:`dedup.extract.main_text`) before it is checked and stored; if both are
    given, ``text`` is used.
``url``, ``published``
    optional strings, stored as the document's metadata (:meth:`Index.meta
    <dedup.index.Index.meta>`).

Blank lines are skipped. Lines are counted from 1 and every outcome names its line, so
a consumer can pair outcomes with inputs.

>>> import io, json, os, tempfile
>>> from dedup.index import Index
>>> text = "Defense chiefs from the United States and Russia held their first talks."
>>> records = [{"id": "a", "text": text}, {"id": "b", "text": text}, {"id": "c"}]
>>> feed = io.BytesIO("".join(json.dumps(r) + "\\n" for r in records).encode())
>>> with tempfile.TemporaryDirectory() as tmp, Index.open(os.path.join(tmp, "i.db")) as index:
...     for outcome in watch(feed, index):
...         if isinstance(outcome, Checked):
...             print(outcome.line, outcome.id, [(m.a, m.kind.value) for m in outcome.matches])
...         else:
...             print(outcome.line, outcome.id, outcome.error)
1 a []
2 b [('a', 'exact')]
3 c missing "text" or "html" field
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

from dedup.errors import InputError, OptionsError, RecordError, StoreUnavailableError
from dedup.extract import main_text
from dedup.index import Index
from dedup.model import Match
from dedup.sources import Entry, Extract, json_lines, parse_record

__all__ = [
    "MAX_LINE_BYTES",
    "RETRY_SECONDS",
    "Checked",
    "Entry",
    "Extract",
    "Rejected",
    "parse",
    "process",
    "retrying",
    "watch",
]

MAX_LINE_BYTES = 20_000_000
"""Default cap on the bytes of one line: HTML pages are larger than their text."""

RETRY_SECONDS = 60.0
"""How long a feed waits for an index that is unavailable for now (a bulk ``index add``
holding the SQLite write lock, a Redis server restarting) before it gives up."""

_T = TypeVar("_T")


def retrying(
    work: Callable[[], _T],
    *,
    seconds: float = RETRY_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> _T:
    """``work()``, tried again while the index is unavailable for now
    (:class:`~dedup.errors.StoreUnavailableError`), waiting 0.05 s, then twice as long
    each time (at most 2 s), for ``seconds`` in all; then the error is raised. Any other
    error is raised at once.

    >>> calls = []
    >>> def flaky() -> str:
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise StoreUnavailableError("locked")
    ...     return "done"
    >>> retrying(flaky, sleep=lambda _: None), len(calls)
    ('done', 3)
    """
    deadline = time.monotonic() + seconds
    delay = 0.05
    while True:
        try:
            return work()
        except StoreUnavailableError:
            if time.monotonic() + delay > deadline:
                raise
            sleep(delay)
            delay = min(2 * delay, 2.0)


@dataclass(frozen=True, slots=True)
class Checked:
    """A line that was checked against the index.

    Attributes:
        line: the line's number, from 1.
        id: the document's id.
        matches: its copies in the index, best first (``a`` the indexed document,
            ``b`` this one).
        added: whether the document was added to the index (always, unless
            ``only_new`` was asked for and copies were found).
    """

    line: int
    id: str
    matches: tuple[Match, ...]
    added: bool


@dataclass(frozen=True, slots=True)
class Rejected:
    """A line that could not be used, and why; nothing was added for it.

    Attributes:
        line: the line's number, from 1.
        error: what was wrong, and what was expected.
        id: the document's id, if the line got as far as naming one.
    """

    line: int
    error: str
    id: str | None = None


def watch(
    stream: BinaryIO,
    index: Index,
    *,
    only_new: bool = False,
    max_bytes: int = MAX_LINE_BYTES,
    extract: Extract = main_text,
    retry: float = RETRY_SECONDS,
) -> Iterator[Checked | Rejected]:
    """Process a feed of JSON lines: one outcome per non-blank line, in order.

    Each line is read, checked and added before the next one is read, so outcomes come
    out while the feed is still being written. A line longer than ``max_bytes`` is
    skipped in chunks, never held whole.

    Args:
        stream: the feed (stdin, a file, a socket's file).
        index: where documents are checked and added.
        only_new: add a document only if no copy of it is found (see
            :meth:`Index.add_if_new <dedup.index.Index.add_if_new>`).
        max_bytes: refuse lines longer than this.
        extract: how an ``html`` field becomes text.
        retry: how long to go on trying a line while the index is unavailable for now
            (see :func:`retrying`); 0 gives up at once.

    Raises:
        OptionsError: ``max_bytes`` is not positive, or ``retry`` negative (at once).
        StoreError: the index failed (or stayed unavailable for ``retry`` seconds);
            what was added before stays added.
    """
    if max_bytes < 1:
        raise OptionsError(f"max_bytes must be at least 1, got {max_bytes}")
    if retry < 0:
        raise OptionsError(f"retry must not be negative, got {retry}")
    return _watch(
        stream, index, only_new=only_new, max_bytes=max_bytes, extract=extract, retry=retry
    )


def _watch(
    stream: BinaryIO,
    index: Index,
    *,
    only_new: bool,
    max_bytes: int,
    extract: Extract,
    retry: float,
) -> Iterator[Checked | Rejected]:
    for number, line in json_lines(stream, max_bytes):
        if line is None:
            yield Rejected(number, f"line longer than {max_bytes:,} bytes, skipped")
            continue
        outcome = retrying(
            functools.partial(
                process, line, index, number=number, only_new=only_new, extract=extract
            ),
            seconds=retry,
        )
        if outcome is not None:
            yield outcome


def process(
    line: bytes | str,
    index: Index,
    *,
    number: int = 1,
    only_new: bool = False,
    extract: Extract = main_text,
) -> Checked | Rejected | None:
    """Check one line's document against ``index`` and add it; ``None`` for a blank line.

    For callers that get lines one at a time (a queue, a socket) rather than a stream.

    Raises:
        StoreError: the index failed.
    """
    doc_id: str | None = None
    try:
        entry = parse(line, extract=extract)
        if entry is None:
            return None
        doc_id = entry.id
        meta = entry.meta or None
        if only_new:
            found = index.add_if_new(entry.id, entry.text, meta=meta)
            return Checked(number, entry.id, tuple(found), added=not found)
        found = index.check_and_add(entry.id, entry.text, meta=meta)
        return Checked(number, entry.id, tuple(found), added=True)
    except InputError as exc:
        return Rejected(number, exc.message, doc_id if doc_id is not None else exc.source)


def parse(line: bytes | str, *, extract: Extract = main_text) -> Entry | None:
    """The document on one line of the feed; ``None`` for a blank line.

    The fields are read by :func:`dedup.sources.parse_record`, as in every JSON-lines
    input; the bytes must be UTF-8 (RFC 8259): a program writing the feed is told when
    they are not, where a file's stray byte is read as cp1252 (:func:`dedup.sources.read`).

    Raises:
        RecordError: the line is not UTF-8, not JSON, or not an object with the fields
            above.
        InputError: the HTML has no main text (the error's ``source`` is the id).

    >>> parse('{"id": 7, "text": "Hello there.", "url": "https://example.org/7"}')
    Entry(id='7', text='Hello there.', meta={'url': 'https://example.org/7'})
    >>> parse('{"id": "a", "text": 3}')
    Traceback (most recent call last):
    ...
    dedup.errors.RecordError: a: "text" must be a string, got a number
    """
    raw = _utf8(line) if isinstance(line, bytes) else line
    return parse_record(raw.removeprefix("\ufeff"), extract=extract)


def _utf8(line: bytes) -> str:
    """The line as text: JSON exchanged between programs is UTF-8 (RFC 8259)."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"not UTF-8 (byte {exc.start + 1} is {line[exc.start]:#04x}); write JSON lines in UTF-8"
        ) from None
