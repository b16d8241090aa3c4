"""LSH band keys as arrays, and every candidate pair of a batch at once.

A band is ``rows`` consecutive MinHash values; two documents are LSH candidates when
all values of one band are equal in both. Each band is reduced to one ``uint32`` *key*
(:func:`band_keys`), so a view of a document is ``bands`` integers (256 bytes with the
default 64 bands), and "shares a band" becomes "shares a key in the same column".

* :func:`candidate_pairs` finds every candidate pair of a batch at once: per band, one
  sort of ``key << 32 | row`` and a scan for runs of equal keys.
* :class:`~dedup.lsh.table.BandTable` is the incremental index of one view that
  :class:`~dedup.backends.MemoryIndex` keeps (:mod:`dedup.lsh.table`).

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
:func:`candidate_pairs`; never :meth:`~dedup.lsh.table.BandTable.insert` them), and
:func:`empty_rows` finds them.

>>> sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [5, 6, 3, 4]], dtype=np.uint32)
>>> band_keys(sigs, bands=2, rows=2).shape
(3, 2)
>>> candidate_pairs([band_keys(sigs, bands=2, rows=2)]).tolist()
[[0, 1], [0, 2]]

The loops that cannot be vectorised (key mixing, searches, merges) are compiled
with numba when first used (:mod:`dedup.lsh._bandloops`); numba is imported lazily
because it takes a moment to load.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dedup.errors import InputError
from dedup.fingerprint import EMPTY
from dedup.lsh._bandloops import _kernels
from dedup.options import LshOptions

__all__ = ["Keys", "Rows", "band_keys", "candidate_pairs", "empty_rows", "no_pairs"]

Keys = npt.NDArray[np.uint32]
"""Band keys: ``(n, bands)`` for a batch, ``(bands,)`` for one document."""

Rows = npt.NDArray[np.int64]

_LOW = np.uint64(0xFFFFFFFF)
_U32 = np.uint64(32)
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
    LshOptions(bands=bands, rows=rows).check(signatures.shape[1])
    out = np.empty((signatures.shape[0], bands), dtype=np.uint32)
    _kernels().keys(np.ascontiguousarray(signatures), bands, rows, out)
    return out


def empty_rows(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Which rows of ``(n, num_perm)`` signatures are empty (every value ``0xFFFFFFFF``).

    >>> empty_rows(np.array([[7, 0xFFFFFFFF], [0xFFFFFFFF] * 2], dtype=np.uint32)).tolist()
    [False, True]
    """
    result: npt.NDArray[np.bool_] = (signatures == EMPTY).all(axis=1)
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
        return no_pairs()
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
    return np.stack([codes // n, codes % n], axis=1) if len(codes) else no_pairs()


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


def no_pairs() -> npt.NDArray[np.int64]:
    return np.empty((0, 2), dtype=np.int64)
