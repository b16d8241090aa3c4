"""A persistent index in one SQLite file: survives crashes, shared by processes.

Tables::

    settings   key TEXT PRIMARY KEY, value TEXT        format, views, num_perm, seed,
                                                       bands, rows
    documents  num INTEGER PRIMARY KEY, id TEXT UNIQUE, text BLOB (zlib UTF-8),
               digest TEXT, meta TEXT (JSON), signatures BLOB (little-endian uint32,
               the views one after another), added REAL (Unix time)
    bands      view, band, hash, doc -> documents.num, all INTEGER;
               PRIMARY KEY (view, band, hash, doc) WITHOUT ROWID
    sketches   num INTEGER PRIMARY KEY -> documents.num, sketch BLOB (the low 16 bits
               of every signature value, little-endian uint16: 768 bytes)

The bands table *is* its ``(view, band, hash)`` index: a ``WITHOUT ROWID`` table is
stored as one b-tree on its primary key, so band rows are not kept twice. They refer to
a document by its integer ``num``, not its id, which keeps them small.

A lookup (:meth:`SqliteIndex.similar`) reads band rows, then the sketches of the
documents they name, and the ids of only those whose estimated Jaccard reaches the
prefilter: a false candidate costs one 768-byte row of the sketches table, never a page
of the documents table (about one 4 KB page per document, mostly text). The band and
sketch tables are what :meth:`SqliteIndex.prewarm` reads into the OS cache.

Durability: the file is in WAL mode with ``synchronous=FULL``, so each commit fsyncs
the WAL before it returns: an :meth:`SqliteIndex.insert` that returned survives a
crash of the process and of the machine. ``NORMAL`` would fsync only at checkpoints;
a process crash would lose nothing, a power cut could lose the last commits.

Sharing: WAL lets processes read while one writes; writes take the write lock up front
(``BEGIN IMMEDIATE``) and wait up to ``timeout`` seconds for it. WAL needs shared
memory, so the file must be on a local disk, not a network share. Within a process, one
connection is shared by threads behind a lock.

>>> import tempfile, os
>>> from dedup.tokens import tokenize
>>> from dedup.fingerprint import fingerprint
>>> text = "the quick brown fox jumps over the lazy dog again and again"
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "index.db")
...     with SqliteIndex(path) as index:
...         index.insert("fox", fingerprint(tokenize(text), text), text, meta={"lang": "en"})
...     with SqliteIndex(path) as index:
...         index.query(fingerprint(tokenize(text), text)), index.meta("fox")
({'fox'}, {'lang': 'en'})
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import Any
from urllib.parse import quote

import numpy as np
import numpy.typing as npt

from dedup.backends._stored import (
    Layout,
    batch_order,
    dump_meta,
    load_meta,
    pack_text,
    unknown_document,
    unpack_text,
)
from dedup.backends.base import CandidateIndex
from dedup.errors import StoreError, StoreUnavailableError
from dedup.fingerprint import Fingerprint, Signature, is_empty, reaches
from dedup.lsh.passages import indexed_anchors
from dedup.options import FingerprintOptions, LshOptions

__all__ = ["SqliteIndex"]

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS documents (
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        text BLOB NOT NULL,
        digest TEXT NOT NULL,
        meta TEXT,
        signatures BLOB NOT NULL,
        added REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS bands (
        view INTEGER NOT NULL,
        band INTEGER NOT NULL,
        hash INTEGER NOT NULL,
        doc INTEGER NOT NULL,
        PRIMARY KEY (view, band, hash, doc)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS sketches (
        num INTEGER PRIMARY KEY,
        sketch BLOB NOT NULL
    )""",
    # passage candidates (dedup.lsh.passages.indexed_anchors): which documents hold
    # each anchor, and each document's anchors (to take them out again). Files made
    # before these tables get them when next opened to write; their documents have no
    # anchors until they are added again, and reading such a file finds no passages.
    """CREATE TABLE IF NOT EXISTS anchors (
        key INTEGER NOT NULL,
        num INTEGER NOT NULL,
        PRIMARY KEY (key, num)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS anchor_sets (
        num INTEGER PRIMARY KEY,
        keys BLOB NOT NULL
    )""",
)
_FORMAT = 2  # recorded in new files; format 2 added the sketches table
_IN_CHUNK = 500  # values bound per "IN (...)" statement, far below SQLite's limit


class SqliteIndex(CandidateIndex):
    """LSH band tables and documents in a SQLite file.

    Args:
        path: the file; created with the given settings if it does not exist.
        fingerprint: fingerprint settings; the stored ones if omitted.
        lsh: band settings; the stored ones if omitted. ``prefilter`` is not stored.
        timeout: seconds to wait for another process's write to finish.
        create: make the file an index if it is not one yet; when False (for reading),
            a file that is not a dedup index is an error and is left untouched.

    Raises:
        SettingsMismatchError: the file was built with other settings than those given.
        StoreError: the file cannot be opened or is not a dedup index.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fingerprint: FingerprintOptions | None = None,
        lsh: LshOptions | None = None,
        timeout: float = 30.0,
        create: bool = True,
    ) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._closed = False
        try:
            where = self.path if create else _read_uri(self.path)
            self._db = sqlite3.connect(
                where,
                timeout=timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=not create,
            )
        except sqlite3.Error as exc:
            raise _cannot_open(self.path, exc) from None
        self._db.text_factory = functools.partial(_utf8, self.path)
        try:
            if not create:
                self._check_is_index()  # before anything could write to the file
            else:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            # to read an index, a read transaction (writers are not waited for) unless
            # an old file must be upgraded first
            reading = not create and self._format() >= _FORMAT
            with self._read() if reading else self._write():
                if create:
                    for statement in _SCHEMA:
                        self._db.execute(statement)
                self._layout = self._settle(fingerprint, lsh)
                self._anchors = (
                    self._db.execute(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'anchor_sets'"
                    ).fetchone()
                    is not None
                )
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # a damaged schema's message
            self._db.close()
            if isinstance(exc, sqlite3.OperationalError) and _busy(exc):
                raise StoreUnavailableError(
                    f"cannot open {self.path!r}: it is locked by another process ({exc})"
                ) from None
            raise _cannot_open(self.path, exc) from None
        except BaseException:
            self._db.close()
            raise

    # -- the CandidateIndex contract --------------------------------------------------

    def insert(
        self,
        doc_id: str,
        fp: Fingerprint,
        text: str,
        *,
        meta: Mapping[str, object] | None = None,
    ) -> None:
        """Store ``text`` and index ``fp`` under ``doc_id``, replacing an earlier one.

        Durable once it returns. ``meta`` is any JSON-serialisable mapping kept with the
        document (see :meth:`meta`).
        """
        self._layout.check(fp, where=repr(self.path))
        row = (
            pack_text(text),
            fp.digest,
            dump_meta(doc_id, meta),
            self._layout.pack(fp),
            time.time(),
            doc_id,
        )
        sketch = self._layout.sketch(fp.signatures)
        keys = self._layout.band_keys(fp.signatures)
        with self._lock, self._translate(), self._write():
            num = self._store(row, sketch, fp.anchors)
            self._db.executemany(
                "INSERT INTO bands (view, band, hash, doc) VALUES (?, ?, ?, ?)",
                [(*key, num) for key in keys],
            )

    def insert_many(
        self,
        ids: Sequence[str],
        fps: Sequence[Fingerprint],
        texts: Sequence[str],
        *,
        metas: Sequence[Mapping[str, object] | None] | None = None,
    ) -> None:
        """Insert many documents in one transaction; the same as inserting them in order.

        For building an index from a corpus: one commit (one fsync) for the batch instead
        of one per document, band keys hashed for the whole batch at once, and band rows
        written in key order, so each b-tree page is visited once per batch. The batch is
        atomic: when it returns every document in it is durable (as after
        :meth:`insert`); if it raises, or the process dies, none of them is stored. A
        repeated id keeps its last document, as one-by-one inserts would.

        The band rows of a batch are sorted in memory (about 200 rows of 8 bytes per
        document with three views); batches of 10,000 to 100,000 documents are a good
        size. Larger batches write less in total, since a batch rewrites the b-tree pages
        it touches.

        Raises:
            InputError: the sequences differ in length, or a ``meta`` is not
                JSON-serialisable.
            SettingsMismatchError: a fingerprint was made with other settings.
        """
        order = batch_order(ids, fps, texts, metas)
        if not order:
            return
        where = repr(self.path)
        for k in order:
            self._layout.check(fps[k], where=where)
        now = time.time()
        rows = [
            (
                pack_text(texts[k]),
                fps[k].digest,
                dump_meta(ids[k], metas[k] if metas is not None else None),
                self._layout.pack(fps[k]),
                now,
                ids[k],
            )
            for k in order
        ]
        sketches = [self._layout.sketch(fps[k].signatures) for k in order]
        hashes = [
            self._layout.band_hashes(np.stack([fps[k].signatures[view] for k in order]))
            for view in self._layout.views
        ]
        with self._lock, self._translate(), self._write():
            nums = np.array(
                [
                    self._store(row, sketch, fps[k].anchors)
                    for row, sketch, k in zip(rows, sketches, order, strict=True)
                ],
                dtype=np.int64,
            )
            self._db.executemany(
                "INSERT INTO bands (view, band, hash, doc) VALUES (?, ?, ?, ?)",
                self._sorted_band_rows(hashes, [fps[k] for k in order], nums),
            )

    def query(self, fp: Fingerprint) -> set[str]:
        """Ids of the documents that share a band with ``fp`` in a non-empty view."""
        return self.similar(fp, 0.0)

    def similar(self, fp: Fingerprint, floor: float) -> set[str]:
        """Ids of the documents that share a band with ``fp`` in a non-empty view and
        whose estimated Jaccard with it reaches ``floor`` in some view.

        What :meth:`query` finds, less the candidates an estimate from the stored
        sketches (:meth:`~dedup.backends._stored.Layout.sketch`) puts under ``floor`` in
        every view; ``floor`` 0 keeps them all. The documents table is read only for
        the ids of the documents kept.
        """
        self._layout.check(fp, where=repr(self.path))
        keys = self._layout.band_keys(fp.signatures)
        if not keys:
            return set()
        probe = ", ".join(["(?, ?, ?)"] * len(keys))
        sql = (
            f"WITH probe (view, band, hash) AS (VALUES {probe}) "
            "SELECT DISTINCT bands.doc FROM probe "
            "JOIN bands ON bands.view = probe.view AND bands.band = probe.band "
            "AND bands.hash = probe.hash"
        )
        params = [value for key in keys for value in key]
        with self._lock, self._translate(), self._read():
            nums = [num for (num,) in self._db.execute(sql, params)]
            if floor > 0:
                nums = self._reaching(fp, nums, floor)
            return {doc_id for (doc_id,) in self._in("SELECT id FROM documents", "num", nums)}

    def anchored(self, fp: Fingerprint, *, max_documents: int) -> dict[str, int]:
        """The documents sharing rare anchors with ``fp``, and how many each shares
        (see :meth:`CandidateIndex.anchored`): one indexed lookup per anchor, each read
        no further than ``max_documents + 1`` rows."""
        if fp.anchors is None or not self._anchors:
            return {}
        shared: Counter[int] = Counter()
        with self._lock, self._translate(), self._read():
            for key in indexed_anchors(fp.anchors).tolist():
                nums = [
                    num
                    for (num,) in self._db.execute(
                        "SELECT num FROM anchors WHERE key = ? LIMIT ?", (key, max_documents + 1)
                    )
                ]
                if len(nums) <= max_documents:
                    shared.update(nums)
            ids = dict(self._in("SELECT num, id FROM documents", "num", list(shared)))
        return {ids[num]: count for num, count in shared.items() if num in ids}

    def text(self, doc_id: str) -> str:
        """The stored text; raises :class:`~dedup.errors.UnknownDocumentError`."""
        return unpack_text(self._get(doc_id, "text"), source=repr(doc_id))

    def signatures(self, doc_id: str) -> dict[str, Signature]:
        """The stored MinHash signatures of a document, by view (no text is read)."""
        return self._layout.unpack(self._get(doc_id, "signatures"), source=repr(doc_id))

    def meta(self, doc_id: str) -> dict[str, object]:
        """The ``meta`` stored with the document (empty if none was given)."""
        return load_meta(self._get(doc_id, "meta"), source=repr(doc_id))

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; raises :class:`~dedup.errors.UnknownDocumentError`."""
        with self._lock, self._translate(), self._write():
            num = self._drop_bands(doc_id)
            if num is None:
                raise unknown_document(doc_id)
            self._db.execute("DELETE FROM sketches WHERE num = ?", (num,))
            if self._anchors:
                self._drop_anchors(num)
            self._db.execute("DELETE FROM documents WHERE num = ?", (num,))

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        with self._lock, self._translate():
            found = self._db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,))
            return found.fetchone() is not None

    def __len__(self) -> int:
        with self._lock, self._translate():
            count: int = self._db.execute("SELECT count(*) FROM documents").fetchone()[0]
            return count

    def ids(self) -> list[str]:
        """Every stored id, sorted."""
        with self._lock, self._translate():
            return [
                doc_id for (doc_id,) in self._db.execute("SELECT id FROM documents ORDER BY id")
            ]

    def prewarm(self) -> None:
        """Read the band and sketch tables and the id index once, so that the operating
        system keeps their pages in its file cache.

        A lookup probes the band table once per band of each view (192 probes with the
        defaults). With its pages in the OS cache that takes about a millisecond at a
        million documents; with the file cold on disk each probe waits for a random read
        (tens of milliseconds a lookup). A crawler that prewarms at start-up (``dedup
        watch --prewarm``) is fast from its first page on. The tables are read in key
        order: close to sequential in an index built in large batches (``add_many``,
        ``dedup index add``), scattered in one grown one document at a time, which
        ``VACUUM`` lays out again. The documents' texts are not read. The cache is the
        operating system's, shared by every process that opens the file, and may be
        evicted under memory pressure; this process's own memory does not grow.
        """
        with self._lock, self._translate():
            self._db.execute("SELECT count(*) FROM bands").fetchone()
            self._db.execute("SELECT count(*) FROM sketches").fetchone()
            # count(*) on documents walks its smallest index: the id index
            self._db.execute("SELECT count(*) FROM documents").fetchone()

    # -- settings and lifetime --------------------------------------------------------

    @property
    def fingerprint(self) -> FingerprintOptions:
        """The fingerprint settings the index was built with."""
        return self._layout.fingerprint

    @property
    def lsh(self) -> LshOptions:
        """The band settings the index was built with (``prefilter`` is the default)."""
        return self._layout.lsh

    def close(self) -> None:
        """Close the file; closing twice is harmless."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __repr__(self) -> str:
        return f"SqliteIndex({self.path!r})"

    # -- internals --------------------------------------------------------------------

    def _format(self) -> int:
        row = self._db.execute("SELECT value FROM settings WHERE key = 'format'").fetchone()
        return int(row[0]) if row else 0

    def _check_is_index(self) -> None:
        """A :class:`StoreError` unless the file holds dedup's tables and settings, read
        without writing: an unrelated SQLite file, an empty file or one whose settings
        were emptied is never turned into an index by opening it."""
        tables = {
            name
            for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        missing = [t for t in ("settings", "documents", "bands", "sketches") if t not in tables]
        if missing:
            raise StoreError(
                f"{self.path!r} is not a dedup index (no {', '.join(missing)} table"
                f"{'s' if len(missing) > 1 else ''}); create one with dedup index add"
            )
        if not self._db.execute("SELECT 1 FROM settings WHERE key = 'format'").fetchone():
            raise StoreError(f"{self.path!r} is a damaged dedup index: its settings are missing")

    def _settle(self, fingerprint: FingerprintOptions | None, lsh: LshOptions | None) -> Layout:
        stored = dict(self._db.execute("SELECT key, value FROM settings").fetchall())
        layout = Layout.settle(stored, fingerprint, lsh, where=repr(self.path))
        if not stored:
            self._db.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?)", layout.record(_FORMAT).items()
            )
        else:
            # the settings must be the ones the documents were stored with: an edited
            # num_perm or list of views would otherwise find nothing, silently
            first = self._db.execute("SELECT id, signatures FROM documents LIMIT 1").fetchone()
            if first is not None:
                layout.unpack(first[1], source=repr(first[0]))
            if int(stored["format"]) < _FORMAT:
                self._add_sketches(layout)
        return layout

    def _add_sketches(self, layout: Layout) -> None:
        """Upgrade a format 1 file: a sketch for every document, from its signatures
        (in the transaction that opens the file: all or nothing)."""
        rows = self._db.execute("SELECT num, signatures FROM documents")
        self._db.executemany(
            "INSERT OR REPLACE INTO sketches (num, sketch) VALUES (?, ?)",
            ((num, layout.sketch(layout.unpack(blob))) for num, blob in rows),
        )
        self._db.execute("UPDATE settings SET value = ? WHERE key = 'format'", (str(_FORMAT),))

    def _reaching(self, fp: Fingerprint, nums: list[int], floor: float) -> list[int]:
        """The ``nums`` whose sketch estimates a Jaccard of at least ``floor`` with
        ``fp`` in some view. A document without a sketch (written by an older dedup
        into a file that was upgraded while it had it open) is estimated from its full
        signatures instead: never dropped for lack of a sketch."""
        found = dict(self._in("SELECT num, sketch FROM sketches", "num", nums))
        keep = []
        if found:
            shares = self._layout.sketch_jaccard(fp.signatures, list(found.values()))
            reach = np.asarray((shares >= floor).any(axis=1), dtype=bool)
            keep = [num for num, ok in zip(found, reach, strict=True) if ok]
        unsketched = [num for num in nums if num not in found]
        for num, blob in self._in("SELECT num, signatures FROM documents", "num", unsketched):
            if reaches(fp.signatures, self._layout.unpack(blob), floor):
                keep.append(num)
        return keep

    def _in(self, select: str, column: str, values: Sequence[int]) -> Iterator[Any]:
        """The rows of ``select ... WHERE column IN values``, a chunk of values at a time
        (``select`` and ``column`` are ours, never the caller's)."""
        for start in range(0, len(values), _IN_CHUNK):
            chunk = values[start : start + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            yield from self._db.execute(f"{select} WHERE {column} IN ({marks})", chunk)

    def _drop_bands(self, doc_id: str) -> int | None:
        """Delete the band rows of ``doc_id``; its ``num``, or ``None`` if not stored."""
        row = self._db.execute(
            "SELECT num, signatures FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return None
        num, blob = row
        self._db.executemany(
            "DELETE FROM bands WHERE view = ? AND band = ? AND hash = ? AND doc = ?",
            [(*key, num) for key in self._layout.band_keys(self._layout.unpack(blob))],
        )
        return int(num)

    def _store(
        self,
        row: tuple[bytes, str, str | None, bytes, float, str],
        sketch: bytes,
        anchors: npt.NDArray[np.uint32] | None = None,
    ) -> int:
        """Write one document's row, sketch and anchors (dropping its old band rows and
        anchors); its ``num``."""
        num = self._drop_bands(row[-1])
        if num is not None:
            self._db.execute(
                "UPDATE documents SET text = ?, digest = ?, meta = ?, signatures = ?, "
                "added = ? WHERE id = ?",
                row,
            )
        else:
            cursor = self._db.execute(
                "INSERT INTO documents (text, digest, meta, signatures, added, id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            num = int(cursor.lastrowid or 0)  # an INSERT into a rowid table always sets it
        self._db.execute(
            "INSERT OR REPLACE INTO sketches (num, sketch) VALUES (?, ?)", (num, sketch)
        )
        if self._anchors:
            self._drop_anchors(num)
            if anchors is not None:
                kept = indexed_anchors(anchors)
                self._db.execute(
                    "INSERT INTO anchor_sets (num, keys) VALUES (?, ?)",
                    (num, kept.astype("<u4").tobytes()),
                )
                self._db.executemany(
                    "INSERT INTO anchors (key, num) VALUES (?, ?)",
                    ((key, num) for key in kept.tolist()),
                )
        return num

    def _drop_anchors(self, num: int) -> None:
        found = self._db.execute("SELECT keys FROM anchor_sets WHERE num = ?", (num,)).fetchone()
        if found is None:
            return
        keys = np.frombuffer(found[0], dtype="<u4").tolist()
        self._db.executemany(
            "DELETE FROM anchors WHERE key = ? AND num = ?", ((k, num) for k in keys)
        )
        self._db.execute("DELETE FROM anchor_sets WHERE num = ?", (num,))

    def _sorted_band_rows(
        self,
        hashes: list[npt.NDArray[np.int64]],
        fps: Sequence[Fingerprint],
        nums: npt.NDArray[np.int64],
    ) -> Iterator[tuple[int, int, int, int]]:
        """``(view, band, hash, doc)`` rows in primary-key order, skipping empty views."""
        for position, view in enumerate(self._layout.views):
            keep = np.array([not is_empty(fp.signatures[view]) for fp in fps], dtype=bool)
            docs = nums[keep]
            for band in range(self._layout.bands):
                values = hashes[position][keep, band]
                by_key = np.lexsort((docs, values))
                yield from zip(
                    repeat(position),
                    repeat(band),
                    values[by_key].tolist(),
                    docs[by_key].tolist(),
                    strict=False,
                )

    def _get(self, doc_id: str, column: str) -> Any:
        """One column of the document's row (``column`` is ours, never the caller's)."""
        with self._lock, self._translate():
            row = self._db.execute(
                f"SELECT {column} FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
        if row is None:
            raise unknown_document(doc_id)
        return row[0]

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, holding the write lock from the start.

        A deferred transaction that reads before it writes can fail at once with
        ``database is locked`` when another process wrote in between; ``IMMEDIATE``
        waits for the lock instead.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def _read(self) -> Iterator[None]:
        """One read transaction, so that the statements of a lookup see one state of
        the file (WAL: a snapshot, taken at the first read; writers are not blocked)."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    @contextmanager
    def _translate(self) -> Iterator[None]:
        if self._closed:
            raise StoreError(f"the SQLite index {self.path!r} is closed")
        try:
            yield
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise StoreUnavailableError(
                    f"the SQLite index {self.path!r} is locked by another process ({exc})"
                ) from exc
            raise StoreError(f"the SQLite index {self.path!r} failed: {exc}") from exc
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # the latter: a damaged file
            raise StoreError(f"the SQLite index {self.path!r} failed: {exc}") from exc


def _read_uri(path: str) -> str:
    """How to open an existing file to read it. ``mode=rw`` creates nothing. In a
    directory no one may write to, SQLite cannot make the shared-memory file a WAL
    reader needs; nor can any writer make its log there, so the file cannot change
    while it is read, and it is opened as immutable (no locks, no side files)."""
    uri = f"file:{quote(os.path.abspath(path))}"
    directory = os.path.dirname(os.path.abspath(path))
    if not os.access(directory, os.W_OK) and not os.path.exists(f"{path}-wal"):
        return f"{uri}?mode=ro&immutable=1"
    return f"{uri}?mode=rw"


def _busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _utf8(path: str, data: bytes) -> str:
    """A text column as ``str``: dedup writes UTF-8 only, so anything else is damage."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StoreError(
            f"{path!r} is a damaged dedup index: it holds text that is not UTF-8 (byte "
            f"{exc.start + 1} of a {len(data)}-byte value)"
        ) from None


def _cannot_open(path: str, exc: Exception) -> StoreError:
    return StoreError(
        f"cannot open {path!r} as a dedup index: {exc}; give the path of an index, "
        "or of a new file in an existing directory"
    )
