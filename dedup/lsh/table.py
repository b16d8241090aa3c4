"""The incremental LSH band index of one view, as :class:`~dedup.backends.MemoryIndex`
keeps it.

:class:`BandTable` is a log-structured merge of immutable chunks sorted per band, 8
bytes per document and band (datasketch's ``MinHashLSH`` keeps a ``bytes`` key and a
Python set per bucket, about 320 bytes per document and band). Its keys come from
:func:`dedup.lsh.keys.band_keys`; an empty signature's keys must never be inserted
(see :mod:`dedup.lsh.keys`).

>>> from dedup.lsh.keys import band_keys
>>> table = BandTable(2)
>>> sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9]], dtype=np.uint32)
>>> table.insert_many([0, 1], band_keys(sigs, bands=2, rows=2))
>>> table.query(band_keys(sigs[:1], bands=2, rows=2)[0]).tolist()
[0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.errors import InputError, OptionsError, UnknownDocumentError
from dedup.lsh._bandloops import _kernels
from dedup.lsh.keys import Keys, Rows

__all__ = ["DEFAULT_CHUNK_SIZE", "BandTable"]

DEFAULT_CHUNK_SIZE = 2048
"""Rows a :class:`BandTable` buffers before sorting them into a chunk."""

_LOW = np.uint64(0xFFFFFFFF)
_U32 = np.uint64(32)
_MAX_ROW = 2**31 - 1  # chunks store rows as int32
_ABSENT = -2  # BandTable._home: the row is not in the table
_PENDING = -1  # ... in the pending buffer; otherwise the serial of its chunk


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Immutable rows of a :class:`BandTable`: per band, keys sorted with their rows.

    ``keys[b]`` is sorted and ``rows[b]`` holds the row of each key; every band holds
    the same rows. A row counts only while the table's home of it is ``serial``.
    """

    serial: int
    keys: npt.NDArray[np.uint32]  # (bands, size)
    rows: npt.NDArray[np.int32]  # (bands, size)

    @property
    def size(self) -> int:
        return int(self.keys.shape[1])


class BandTable:
    """An incremental LSH band index of one view: rows in, candidate rows out.

    A row is a small non-negative integer (an index into an array the table keeps, so
    keep them dense: 0, 1, 2, ...) with one key per band (:func:`band_keys`). It is
    a log-structured merge:

    * new rows go to a pending buffer of ``chunk_size`` rows, scanned linearly;
    * a full buffer is sorted per band into an immutable chunk;
    * the two newest chunks are merged while the older is at most twice the size of the
      newer, so chunk sizes at least double from newest to oldest and a million rows
      make at most about ten chunks; a query is one search per band and chunk, started
      where the key's value says it should be (keys are evenly spread hashes);
    * removing a row only records that its chunk no longer holds it (a tombstone);
      merges drop such entries, and a chunk that is more than half tombstones is
      rewritten at once.

    Inserting a row that is present replaces it. Never insert an empty signature's keys
    (see the module docstring).

    Args:
        bands: keys per row.
        chunk_size: rows buffered before they are sorted into a chunk.

    >>> table = BandTable(2, chunk_size=2)
    >>> table.insert(0, np.array([10, 20], dtype=np.uint32))
    >>> table.insert(1, np.array([10, 21], dtype=np.uint32))
    >>> table.insert(2, np.array([11, 21], dtype=np.uint32))
    >>> table.query(np.array([10, 99], dtype=np.uint32)).tolist()
    [0, 1]
    >>> table.remove(1)
    >>> table.query(np.array([10, 21], dtype=np.uint32)).tolist(), len(table)
    ([0, 2], 2)
    """

    def __init__(self, bands: int, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if bands < 1 or chunk_size < 1:
            raise OptionsError(
                f"bands and chunk_size must be positive, got bands={bands}, chunk_size={chunk_size}"
            )
        self._bands = bands
        self._pending_keys = np.empty((chunk_size, bands), dtype=np.uint32)
        self._pending_rows = np.empty(chunk_size, dtype=np.int32)
        self._pending = 0
        self._home = np.full(64, _ABSENT, dtype=np.int32)
        self._chunks: list[_Chunk] = []  # oldest (largest) first
        self._dead: dict[int, int] = {}  # chunk serial -> tombstones in it
        self._serial = 0
        self._live = 0

    @property
    def bands(self) -> int:
        return self._bands

    @property
    def chunks(self) -> tuple[int, ...]:
        """Entries per sorted chunk, oldest first, tombstones included (for tuning)."""
        return tuple(chunk.size for chunk in self._chunks)

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays: chunks, pending buffer and the row map."""
        held = self._pending_keys.nbytes + self._pending_rows.nbytes + self._home.nbytes
        return held + sum(c.keys.nbytes + c.rows.nbytes for c in self._chunks)

    def insert(self, row: int, keys: Keys) -> None:
        """Index ``row`` under ``keys`` (``(bands,)`` uint32), replacing an earlier entry.

        Raises:
            InputError: ``row`` is out of range or ``keys`` has the wrong shape or type.
        """
        self._check_row(row)
        self._check_keys(keys, (self._bands,))
        if self._home_of(row) != _ABSENT:
            self._forget(row)
        self._grow(row)
        self._pending_keys[self._pending] = keys
        self._pending_rows[self._pending] = row
        self._home[row] = _PENDING
        self._pending += 1
        self._live += 1
        if self._pending == len(self._pending_rows):
            self._flush()

    def insert_many(self, rows: npt.ArrayLike, keys: Keys) -> None:
        """Index many rows at once: ``rows`` (``k`` distinct ids), ``keys`` ``(k, bands)``.

        The same as inserting them one by one, but a batch larger than the free space
        of the pending buffer is sorted straight into a chunk.

        Raises:
            InputError: rows repeat or are out of range, or ``keys`` does not fit.
        """
        ids = np.asarray(rows, dtype=np.int64).reshape(-1)
        self._check_keys(keys, (len(ids), self._bands))
        if not len(ids):
            return
        if ids.min() < 0 or ids.max() > _MAX_ROW:
            raise InputError(f"rows must be between 0 and {_MAX_ROW}")
        if len(np.unique(ids)) != len(ids):
            raise InputError("rows must be distinct within one insert_many call")
        self._grow(int(ids.max()))
        for row in ids[self._home[ids] != _ABSENT].tolist():
            self._forget(row)
        self._live += len(ids)
        start, end = self._pending, self._pending + len(ids)
        if end < len(self._pending_rows):
            self._pending_keys[start:end] = keys
            self._pending_rows[start:end] = ids
            self._pending = end
            self._home[ids] = _PENDING
            return
        if start:
            keys = np.concatenate((self._pending_keys[:start], keys))
            ids = np.concatenate((self._pending_rows[:start], ids))
        self._pending = 0
        self._add_chunk(keys, ids.astype(np.int32))

    def query(self, keys: Keys) -> Rows:
        """The rows that share at least one band key with ``keys``, sorted, each once."""
        self._check_keys(keys, (self._bands,))
        kernels = _kernels()
        found = [kernels.pending(self._pending_keys, self._pending_rows, self._pending, keys)]
        for chunk in self._chunks:
            found.append(kernels.chunk(chunk.keys, chunk.rows, keys, self._home, chunk.serial))
        return np.unique(np.concatenate(found)).astype(np.int64)

    def remove(self, row: int) -> None:
        """Forget ``row``; raises :class:`~dedup.errors.UnknownDocumentError` if absent."""
        if self._home_of(row) == _ABSENT:
            raise UnknownDocumentError(f"no row {row!r} in the band table")
        self._forget(row)

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int | np.integer) and self._home_of(int(row)) != _ABSENT

    def __len__(self) -> int:
        return self._live

    # -- internals --------------------------------------------------------------------

    def _home_of(self, row: int) -> int:
        return int(self._home[row]) if 0 <= row < len(self._home) else _ABSENT

    def _check_row(self, row: int) -> None:
        if not 0 <= row <= _MAX_ROW:
            raise InputError(f"rows must be between 0 and {_MAX_ROW}, got {row}")

    def _check_keys(self, keys: Keys, shape: tuple[int, ...]) -> None:
        if keys.shape != shape or keys.dtype != np.uint32:
            raise InputError(
                f"keys must be a uint32 array of shape {shape} (from band_keys with "
                f"bands={self._bands}), got {keys.dtype.name} {keys.shape}"
            )

    def _grow(self, row: int) -> None:
        if row >= len(self._home):
            home = np.full(max(row + 1, 2 * len(self._home)), _ABSENT, dtype=np.int32)
            home[: len(self._home)] = self._home
            self._home = home

    def _forget(self, row: int) -> None:
        """Take a present row out: from the buffer, or by a tombstone in its chunk."""
        home = int(self._home[row])
        self._home[row] = _ABSENT
        self._live -= 1
        if home == _PENDING:
            at = int(np.flatnonzero(self._pending_rows[: self._pending] == row)[0])
            last = self._pending - 1
            self._pending_keys[at] = self._pending_keys[last]
            self._pending_rows[at] = self._pending_rows[last]
            self._pending = last
        else:
            self._dead[home] += 1
            chunk = next(c for c in self._chunks if c.serial == home)
            if 2 * self._dead[home] > chunk.size:
                self._purge(chunk)

    def _flush(self) -> None:
        rows = self._pending_rows[: self._pending].copy()
        keys = self._pending_keys[: self._pending]
        self._pending = 0
        self._add_chunk(keys, rows)

    def _add_chunk(self, keys: Keys, rows: npt.NDArray[np.int32]) -> None:
        """Sort ``(k, bands)`` keys of ``rows`` into a new chunk, then merge as needed."""
        sorted_keys = np.empty((self._bands, len(rows)), dtype=np.uint32)
        sorted_rows = np.empty((self._bands, len(rows)), dtype=np.int32)
        pack, at = _kernels().pack, np.arange(len(rows))
        packed = np.empty(len(rows), dtype=np.uint64)
        for band in range(self._bands):
            pack(keys, band, at, rows, packed)
            packed.sort()
            sorted_keys[band] = packed >> _U32
            sorted_rows[band] = packed & _LOW
        self._append(sorted_keys, sorted_rows)

    def _append(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> None:
        chunk = _Chunk(self._serial, keys, rows)
        self._serial += 1
        self._home[rows[0]] = chunk.serial
        self._chunks.append(chunk)
        self._dead[chunk.serial] = 0
        while len(self._chunks) > 1 and self._live_rows(self._chunks[-2]) <= 2 * self._live_rows(
            chunk
        ):
            self._merge_newest()
            chunk = self._chunks[-1]

    def _live_rows(self, chunk: _Chunk) -> int:
        return chunk.size - self._dead[chunk.serial]

    def _merge_newest(self) -> None:
        newer = self._chunks.pop()
        older = self._chunks.pop()
        size = self._live_rows(older) + self._live_rows(newer)
        keys = np.empty((self._bands, size), dtype=np.uint32)
        rows = np.empty((self._bands, size), dtype=np.int32)
        _kernels().merge(
            older.keys, older.rows, older.serial, self._dead[older.serial] > 0,
            newer.keys, newer.rows, newer.serial, self._dead[newer.serial] > 0,
            self._home, keys, rows,
        )  # fmt: skip
        del self._dead[older.serial], self._dead[newer.serial]
        if size:
            self._append(keys, rows)

    def _purge(self, chunk: _Chunk) -> None:
        """Rewrite a chunk without its tombstones (filtering keeps each band sorted)."""
        at = self._chunks.index(chunk)
        keep = self._home[chunk.rows] == chunk.serial
        size = int(keep[0].sum())
        self._dead[chunk.serial] = 0
        if size:
            self._chunks[at] = _Chunk(
                chunk.serial,
                chunk.keys[keep].reshape(self._bands, size),
                chunk.rows[keep].reshape(self._bands, size),
            )
        else:
            del self._chunks[at], self._dead[chunk.serial]
