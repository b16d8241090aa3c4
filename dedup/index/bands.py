"""LSH band keys as arrays: a batch candidate-pair generator and an incremental band index.

A band is ``rows`` consecutive MinHash values; two documents are LSH candidates when
all values of one band are equal in both. Each band is reduced to one ``uint32`` *key*
(:func:`band_keys`), so a view of a document is ``bands`` integers (256 bytes with the
default 64 bands), and "shares a band" becomes "shares a key in the same column".

* :func:`candidate_pairs` finds every candidate pair of a batch at once: per band, one
  sort of ``key << 32 | row`` and a scan for runs of equal keys.
* :class:`BandTable` is an incremental index of one view for :class:`~dedup.index.MemoryIndex`:
  a log-structured merge of immutable chunks sorted per band, 8 bytes per document and
  band (datasketch's ``MinHashLSH`` keeps a ``bytes`` key and a Python set per bucket,
  about 320 bytes per document and band).

Keys are 32 bits, not 64: two different bands then share a key with probability
2**-32, a false candidate about once in 33 million pairs of documents (128 band
comparisons each, with two views). A query among a million documents gets 0.03 of
them; a batch of a million, about 15,000 in its 5 * 10**11 pairs, which the estimated
Jaccard prefilter drops for a few milliseconds. In exchange, the index is a third
smaller than with 64-bit keys (4 + 4 bytes per entry instead of 8 + 4), and a band of
a batch sorts as one ``uint64`` array.

An *empty* signature (a view with no shingles: every value ``0xFFFFFFFF``, see
:func:`dedup.fingerprint.is_empty`) has the same key in every band as every other
empty signature, so all empty documents would be candidates of one another. Keys do
not know which rows are empty: callers must leave them out (``exclude=`` of
:func:`candidate_pairs`; never :meth:`BandTable.insert` them), and :func:`empty_rows`
finds them.

>>> sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [5, 6, 3, 4]], dtype=np.uint32)
>>> band_keys(sigs, bands=2, rows=2).shape
(3, 2)
>>> candidate_pairs([band_keys(sigs, bands=2, rows=2)]).tolist()
[[0, 1], [0, 2]]

The loops that cannot be vectorised (key mixing, searches, merges) are compiled
with numba when first used (:mod:`dedup.index._bandloops`); numba is imported lazily
because it takes a moment to load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.errors import InputError, OptionsError, UnknownDocumentError
from dedup.index._bandloops import _kernels

__all__ = ["DEFAULT_CHUNK_SIZE", "BandTable", "Keys", "band_keys", "candidate_pairs", "empty_rows"]

Keys = npt.NDArray[np.uint32]
"""Band keys: ``(n, bands)`` for a batch, ``(bands,)`` for one document."""

Rows = npt.NDArray[np.int64]

DEFAULT_CHUNK_SIZE = 2048
"""Rows a :class:`BandTable` buffers before sorting them into a chunk."""

_EMPTY = np.uint32(0xFFFFFFFF)
_LOW = np.uint64(0xFFFFFFFF)
_U32 = np.uint64(32)
_MAX_ROW = 2**31 - 1  # chunks store rows as int32
_ABSENT = -2  # BandTable._home: the row is not in the table
_PENDING = -1  # ... in the pending buffer; otherwise the serial of its chunk
_COMPACT_AT = 1 << 22  # pair codes gathered before duplicates are dropped


# -- band keys --------------------------------------------------------------------------


def band_keys(signatures: npt.NDArray[np.uint32], *, bands: int, rows: int) -> Keys:
    """One ``uint32`` key per band of each signature.

    Band ``b`` is made of values ``b * rows`` to ``(b + 1) * rows - 1``; its values are
    read two at a time as 64-bit words, each folded into a running hash with the
    MurmurHash3 finaliser, and the key is the high half of the result. With two rows,
    the 64-bit hash is a bijection of the band, so keys differ whenever bands differ,
    but for the 32-bit truncation (see the module docstring).

    Args:
        signatures: ``(n, num_perm)`` MinHash values, one document per row.
        bands: number of bands.
        rows: values per band; ``bands * rows`` must not exceed ``num_perm``.

    Returns:
        ``(n, bands)`` keys. Equal bands have equal keys. An empty signature's keys are
        those of every other empty signature: leave such rows out (:func:`empty_rows`).

    Raises:
        InputError: ``signatures`` is not a 2-D ``uint32`` array.
        OptionsError: the bands do not fit in ``num_perm`` values.

    >>> sig = np.arange(8, dtype=np.uint32).reshape(1, 8)
    >>> keys = band_keys(sig, bands=4, rows=2)
    >>> keys.shape, keys.dtype.name
    ((1, 4), 'uint32')
    >>> bool((band_keys(sig, bands=4, rows=2) == keys).all())
    True
    """
    if signatures.ndim != 2 or signatures.dtype != np.uint32:
        raise InputError(
            "signatures must be a 2-D uint32 array (one MinHash signature per row), "
            f"got {signatures.ndim}-D {signatures.dtype}; stack them with np.stack"
        )
    if bands < 1 or rows < 1:
        raise OptionsError(f"bands and rows must be positive, got {bands}x{rows}")
    if bands * rows > signatures.shape[1]:
        raise OptionsError(
            f"bands * rows ({bands} * {rows} = {bands * rows}) must not exceed num_perm "
            f"({signatures.shape[1]}); lower bands or rows, or raise num_perm"
        )
    out = np.empty((signatures.shape[0], bands), dtype=np.uint32)
    _kernels().keys(np.ascontiguousarray(signatures), bands, rows, out)
    return out


def empty_rows(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Which rows of ``(n, num_perm)`` signatures are empty (every value ``0xFFFFFFFF``).

    >>> empty_rows(np.array([[7, 0xFFFFFFFF], [0xFFFFFFFF] * 2], dtype=np.uint32)).tolist()
    [False, True]
    """
    result: npt.NDArray[np.bool_] = (signatures == _EMPTY).all(axis=1)
    return result


# -- candidate pairs of a batch ---------------------------------------------------------


def candidate_pairs(
    keys: Sequence[Keys],
    *,
    exclude: Sequence[npt.NDArray[np.bool_] | None] | None = None,
    hubs: int = 0,
) -> npt.NDArray[np.int64]:
    """Every pair of rows that shares a key in the same band of any view.

    Each band of each view is processed on its own: the rows' ``key << 32 | row`` are
    sorted, so rows with equal keys form runs in ascending row order, and each run of
    ``k`` rows gives its ``k * (k - 1) / 2`` pairs; with ``hubs``, a run longer than
    that gives only the pairs of its first ``hubs`` rows with the others (``hubs * k``
    about), so a bucket of thousands of near-identical pages costs pairs linear in
    them. Pairs are gathered as ``i * n + j``
    codes, and duplicates (a pair found in several bands) are dropped whenever the
    gathered codes outgrow the distinct ones found so far, which bounds memory by the
    number of distinct pairs rather than by bands times pairs.

    Args:
        keys: one ``(n, bands)`` key array per view (:func:`band_keys`), same ``n``;
            views may have different numbers of bands.
        exclude: per view, a boolean mask of the rows to leave out of that view
            (typically :func:`empty_rows` of its signatures), or ``None``.

    Returns:
        ``(m, 2)`` int64 array of row pairs ``(i, j)`` with ``i < j``, each once,
        sorted. Memory is proportional to it: a key shared by ``k`` rows alone yields
        ``k * (k - 1) / 2`` pairs (without ``hubs``), which is why empty signatures must
        be excluded.

    Raises:
        InputError: the key arrays or masks do not fit together.

    >>> a = np.array([[1, 2], [1, 3], [4, 3], [5, 6]], dtype=np.uint32)
    >>> candidate_pairs([a]).tolist()
    [[0, 1], [1, 2]]
    >>> candidate_pairs([a], exclude=[np.array([False, True, False, False])]).tolist()
    []
    >>> same = np.zeros((4, 1), dtype=np.uint32)  # one bucket of four rows
    >>> candidate_pairs([same], hubs=1).tolist()
    [[0, 1], [0, 2], [0, 3]]
    """
    if not keys:
        return _no_pairs()
    n = _check_batch(keys, exclude)
    pack = _kernels().pack
    found = _Codes()
    for view, view_keys in enumerate(keys):
        mask = None if exclude is None else exclude[view]
        rows = np.arange(n) if mask is None else np.flatnonzero(~mask)
        if len(rows) < 2:
            continue
        packed = np.empty(len(rows), dtype=np.uint64)
        for band in range(view_keys.shape[1]):
            pack(view_keys, band, rows, rows, packed)
            packed.sort()
            found.add(_run_codes(packed, n, hubs))
    codes = found.result()
    return np.stack([codes // n, codes % n], axis=1) if len(codes) else _no_pairs()


def _check_batch(
    keys: Sequence[Keys], exclude: Sequence[npt.NDArray[np.bool_] | None] | None
) -> int:
    n = keys[0].shape[0] if keys[0].ndim == 2 else -1
    for view_keys in keys:
        if view_keys.ndim != 2 or view_keys.shape[0] != n or view_keys.dtype != np.uint32:
            raise InputError(
                "keys must be (n, bands) uint32 arrays from band_keys, one per view and "
                f"all with the same n; got shapes {[k.shape for k in keys]} and dtypes "
                f"{[k.dtype.name for k in keys]}"
            )
    if n >= 2**32:
        raise InputError(f"at most 2**32 - 1 rows fit in a batch, got {n}; split the batch")
    if exclude is not None:
        if len(exclude) != len(keys):
            raise InputError(
                f"exclude must have one mask (or None) per view: {len(keys)} views, "
                f"{len(exclude)} masks"
            )
        for mask in exclude:
            if mask is not None and (mask.shape != (n,) or mask.dtype != np.bool_):
                raise InputError(
                    f"each exclude mask must be a boolean array of shape ({n},), "
                    f"got {mask.dtype.name} {mask.shape}"
                )
    return n


def _run_codes(packed: npt.NDArray[np.uint64], n: int, hubs: int = 0) -> Rows:
    """``i * n + j`` for every pair of rows in each run of equal keys of sorted ``packed``
    (with ``hubs``, in a run longer than that only the pairs of its first ``hubs`` rows).

    Runs of two (almost all of them) are taken directly; longer runs are expanded with
    ``np.repeat``: each member is paired with every later member of its run.
    """
    same = np.flatnonzero(((packed[1:] ^ packed[:-1]) >> _U32) == 0)
    if not len(same):
        return np.empty(0, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(same) != 1) + 1
    first = same[np.concatenate(([0], breaks))]
    length = same[np.concatenate((breaks - 1, [len(same) - 1]))] + 2 - first
    pairs = length == 2
    left, right = first[pairs], first[pairs] + 1
    if not pairs.all():
        start, size = first[~pairs], length[~pairs]
        members = np.repeat(start, size) + _ramp(size)
        later = np.repeat(start + size - 1, size) - members
        if hubs > 0:  # in a long run, only the first members pair with the later ones
            rank = members - np.repeat(start, size)
            later[(rank >= hubs) & (np.repeat(size, size) > hubs)] = 0
        long_left = np.repeat(members, later)
        left = np.concatenate((left, long_left))
        right = np.concatenate((right, long_left + 1 + _ramp(later)))
    codes: Rows = (packed[left] & _LOW).astype(np.int64) * n
    codes += (packed[right] & _LOW).astype(np.int64)
    return codes


def _ramp(sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``0, 1, ..., s - 1`` for each ``s`` in ``sizes``, concatenated."""
    ends = np.cumsum(sizes)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - sizes, sizes)


class _Codes:
    """Pair codes gathered band by band; duplicates dropped as they pile up."""

    def __init__(self) -> None:
        self._parts: list[Rows] = []
        self._gathered = 0
        self._limit = _COMPACT_AT

    def add(self, codes: Rows) -> None:
        if len(codes):
            self._parts.append(codes)
            self._gathered += len(codes)
            if self._gathered > self._limit:
                distinct = self.result()
                self._parts, self._gathered = [distinct], len(distinct)
                self._limit = max(_COMPACT_AT, 2 * len(distinct))

    def result(self) -> Rows:
        if not self._parts:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(self._parts))


def _no_pairs() -> npt.NDArray[np.int64]:
    return np.empty((0, 2), dtype=np.int64)


# -- the incremental band index ---------------------------------------------------------


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
