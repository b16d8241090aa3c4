"""The loops of :mod:`dedup.lsh` that cannot be vectorised: key mixing, searches
of chunks, merges. Written as plain Python over numpy arrays and compiled with numba on
first use (:func:`_kernels`); numba is imported lazily because it takes a moment to load.

:mod:`dedup.lsh` defines what they compute and is their only caller. numba
freezes the module constants they read; every constant is a numpy ``uint64`` so that no
arithmetic is promoted to float.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

_U32 = np.uint64(32)
_S33 = np.uint64(33)
_M1 = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3's 64-bit finaliser
_M2 = np.uint64(0xC4CEB9FE1A85EC53)


def _keys_loop(
    signatures: npt.NDArray[np.uint32], bands: int, rows: int, out: npt.NDArray[np.uint32]
) -> None:
    for i in range(signatures.shape[0]):
        for band in range(bands):
            h = np.uint64(0)
            at = band * rows
            end = at + rows
            while at < end:
                word = np.uint64(signatures[i, at])
                if at + 1 < end:
                    word |= np.uint64(signatures[i, at + 1]) << _U32
                h ^= word
                h ^= h >> _S33
                h *= _M1
                h ^= h >> _S33
                h *= _M2
                h ^= h >> _S33
                at += 2
            out[i, band] = np.uint32(h >> _U32)


def _pending_hits(
    keys: npt.NDArray[np.uint32],
    rows: npt.NDArray[np.int32],
    count: int,
    query: npt.NDArray[np.uint32],
) -> npt.NDArray[np.int32]:
    out = np.empty(count, dtype=np.int32)
    found = 0
    for i in range(count):
        hit = False
        for band in range(query.shape[0]):  # no early exit: this loop vectorises
            hit |= keys[i, band] == query[band]
        if hit:
            out[found] = rows[i]
            found += 1
    return out[:found]


def _chunk_hits(
    keys: npt.NDArray[np.uint32],
    rows: npt.NDArray[np.int32],
    query: npt.NDArray[np.uint32],
    home: npt.NDArray[np.int32],
    serial: int,
) -> npt.NDArray[np.int32]:
    # Keys are hashes, spread evenly over 32 bits, so the position of a key is guessed
    # from its value and bracketed by doubling steps from there: a few probes near one
    # place, where a plain binary search would miss the cache at most of its twenty-odd
    # steps in a big chunk. A binary search in the bracket finishes.
    bands, size = keys.shape
    starts = np.empty(bands, dtype=np.int64)
    ends = np.empty(bands, dtype=np.int64)
    total = 0
    for band in range(bands):
        key = query[band]
        lo = hi = 0
        step = 1
        guess = int(np.int64((np.uint64(key) * np.uint64(size)) >> _U32))  # < size
        if size == 0:
            pass
        elif keys[band, guess] < key:  # keys[band, lo - 1] < key holds
            lo = guess + 1
            while lo + step - 1 < size and keys[band, lo + step - 1] < key:
                lo += step
                step *= 2
            hi = min(lo + step - 1, size)
        else:  # keys[band, hi] >= key holds
            hi = guess
            while hi - step >= 0 and keys[band, hi - step] >= key:
                hi -= step
                step *= 2
            lo = max(hi - step + 1, 0)
        while lo < hi:
            mid = (lo + hi) >> 1
            if keys[band, mid] < key:
                lo = mid + 1
            else:
                hi = mid
        end = lo
        while end < size and keys[band, end] == key:
            end += 1
        starts[band], ends[band] = lo, end
        total += end - lo
    out = np.empty(total, dtype=np.int32)
    found = 0
    for band in range(bands):
        for at in range(starts[band], ends[band]):
            row = rows[band, at]
            if home[row] == serial:
                out[found] = row
                found += 1
    return out[:found]


def _merge_loop(
    keys_a: npt.NDArray[np.uint32],
    rows_a: npt.NDArray[np.int32],
    serial_a: int,
    check_a: bool,
    keys_b: npt.NDArray[np.uint32],
    rows_b: npt.NDArray[np.int32],
    serial_b: int,
    check_b: bool,
    home: npt.NDArray[np.int32],
    keys: npt.NDArray[np.uint32],
    rows: npt.NDArray[np.int32],
) -> None:
    size_a, size_b = keys_a.shape[1], keys_b.shape[1]
    for band in range(keys.shape[0]):
        a = b = out = 0
        while True:
            while check_a and a < size_a and home[rows_a[band, a]] != serial_a:
                a += 1
            while check_b and b < size_b and home[rows_b[band, b]] != serial_b:
                b += 1
            if a == size_a and b == size_b:
                break
            if b == size_b or (a < size_a and keys_a[band, a] <= keys_b[band, b]):
                keys[band, out], rows[band, out] = keys_a[band, a], rows_a[band, a]
                a += 1
            else:
                keys[band, out], rows[band, out] = keys_b[band, b], rows_b[band, b]
                b += 1
            out += 1


def _pack_loop(
    keys: npt.NDArray[np.uint32],
    band: int,
    at: npt.NDArray[np.int64],
    rows: npt.NDArray[np.integer[Any]],
    out: npt.NDArray[np.uint64],
) -> None:
    for i in range(at.shape[0]):
        out[i] = (np.uint64(keys[at[i], band]) << _U32) | np.uint64(rows[i])


class _Compiled(NamedTuple):
    """The compiled loops, one per job :mod:`dedup.lsh` needs."""

    keys: Callable[..., None]
    pack: Callable[..., None]
    pending: Callable[..., npt.NDArray[np.int32]]
    chunk: Callable[..., npt.NDArray[np.int32]]
    merge: Callable[..., None]


@functools.cache
def _kernels() -> _Compiled:
    """The compiled loops, cached on disk beside this file when the folder is writable."""
    import numba  # lazy: numba takes a moment to import

    cache = os.access(os.path.dirname(os.path.abspath(__file__)), os.W_OK)
    jit: Callable[[Callable[..., Any]], Any] = numba.njit(cache=cache, nogil=True)
    return _Compiled(
        jit(_keys_loop), jit(_pack_loop), jit(_pending_hits), jit(_chunk_hits), jit(_merge_loop)
    )
