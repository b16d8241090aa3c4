"""The compiled fingerprint kernel (numba); :mod:`dedup.hashing` defines what it computes
and is its only caller. Imported lazily, because numba takes a moment to load; compiled
functions are cached on disk beside this file when the folder is writable.

One pass over the UTF-8 bytes of a text: characters are classified through a table
(:data:`dedup.hashing` builds it), words found, folded and hashed with xxh32, sentence
starts marked, and the shingle hashes of both views folded into MinHash minima with
32-bit arithmetic that LLVM vectorises.
"""

from __future__ import annotations

import os

import numba as nb
import numpy as np
import numpy.typing as npt

_CACHE = os.access(os.path.dirname(os.path.abspath(__file__)), os.W_OK)

_MASK = np.uint64(0xFFFFFFFF)
_P1 = np.uint64(0x9E3779B1)
_P2 = np.uint64(0x85EBCA77)
_P3 = np.uint64(0xC2B2AE3D)
_P4 = np.uint64(0x27D4EB2F)
_P5 = np.uint64(0x165667B1)
_F1 = np.uint64(0x85EBCA6B)
_F2 = np.uint64(0xC2B2AE35)
_C = np.uint64(0x9E3779B1)

WORD = 200  # class code: a non-ASCII word character whose bytes are its folded form
REFERENCE = 255  # class code: a character only the reference path can fold

Bytes = npt.NDArray[np.uint8]


@nb.njit(cache=_CACHE, inline="always")
def _rotl(x: np.uint64, r: int) -> np.uint64:
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & _MASK


@nb.njit(cache=_CACHE, inline="always")
def _read32(buf: Bytes, i: int) -> np.uint64:
    return (np.uint64(buf[i]) | (np.uint64(buf[i + 1]) << np.uint64(8))
            | (np.uint64(buf[i + 2]) << np.uint64(16)) | (np.uint64(buf[i + 3]) << np.uint64(24)))


@nb.njit(cache=_CACHE, inline="always")
def _lane(acc: np.uint64, value: np.uint64) -> np.uint64:
    acc = (acc + value * _P2) & _MASK
    return (_rotl(acc, 13) * _P1) & _MASK


@nb.njit(cache=_CACHE)
def xxh32(buf: Bytes, n: int) -> np.uint64:
    """xxHash32 (seed 0) of ``buf[:n]``, as specified by the xxHash format."""
    i = 0
    if n >= 16:
        v1 = (_P1 + _P2) & _MASK
        v2 = _P2
        v3 = np.uint64(0)
        v4 = (np.uint64(0x100000000) - _P1) & _MASK
        while i + 16 <= n:
            v1 = _lane(v1, _read32(buf, i))
            v2 = _lane(v2, _read32(buf, i + 4))
            v3 = _lane(v3, _read32(buf, i + 8))
            v4 = _lane(v4, _read32(buf, i + 12))
            i += 16
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _MASK
    else:
        h = _P5
    h = (h + np.uint64(n)) & _MASK
    while i + 4 <= n:
        h = (h + _read32(buf, i) * _P3) & _MASK
        h = (_rotl(h, 17) * _P4) & _MASK
        i += 4
    while i < n:
        h = (h + np.uint64(buf[i]) * _P5) & _MASK
        h = (_rotl(h, 11) * _P1) & _MASK
        i += 1
    h ^= h >> np.uint64(15)
    h = (h * _P2) & _MASK
    h ^= h >> np.uint64(13)
    h = (h * _P3) & _MASK
    h ^= h >> np.uint64(16)
    return h


@nb.njit(cache=_CACHE)
def classify(data: Bytes, table: Bytes) -> tuple[Bytes, npt.NDArray[np.int64], int]:
    """One class code per character and the byte offset where each starts.

    ASCII characters are their own code; others get ``table[code point]``. Returns a
    character count of -1 when the text needs the reference path.
    """
    n = len(data)
    codes = np.empty(n, dtype=np.uint8)
    starts = np.empty(n + 1, dtype=np.int64)
    count = 0
    i = 0
    while i < n:
        b = data[i]
        starts[count] = i
        if b < 128:
            codes[count] = b
            i += 1
        else:
            if b >= 0xF0:  # outside the Basic Multilingual Plane
                return codes, starts, -1
            if b >= 0xE0:
                cp = ((b & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F)
                i += 3
            else:
                cp = ((b & 0x1F) << 6) | (data[i + 1] & 0x3F)
                i += 2
            code = table[cp]
            if code == REFERENCE:
                return codes, starts, -1
            codes[count] = code
        count += 1
    starts[count] = n
    return codes, starts, count


@nb.njit(cache=_CACHE, inline="always")
def _is_word(c: np.uint8) -> bool:
    return bool( (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95 or c == WORD)


@nb.njit(cache=_CACHE, inline="always")
def _is_space(c: np.uint8) -> bool:
    return bool((9 <= c <= 13) or (28 <= c <= 32))


@nb.njit(cache=_CACHE)
def _ends_sentence(codes: Bytes, first: int, stop: int) -> bool:
    for j in range(first, stop):
        c = codes[j]
        if c == 46 or c == 33 or c == 63:  # . ! ?
            k = j + 1
            while k < stop and (codes[k] == 34 or codes[k] == 39 or codes[k] == 41
                                or codes[k] == 93):  # " ' ) ]
                k += 1
            if k == stop or _is_space(codes[k]):
                return True
    return False


@nb.njit(cache=_CACHE)
def _is_abbreviation(buf: Bytes, n: int, adata: Bytes, aoff: npt.NDArray[np.int64]) -> bool:
    for w in range(len(aoff) - 1):
        if aoff[w + 1] - aoff[w] != n:
            continue
        same = True
        for j in range(n):
            if adata[aoff[w] + j] != buf[j]:
                same = False
                break
        if same:
            return True
    return False


@nb.njit(cache=_CACHE)
def tokenize(
    data: Bytes, codes: Bytes, starts: npt.NDArray[np.int64], count: int,
    adata: Bytes, aoff: npt.NDArray[np.int64], max_abbreviation: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Word hashes, capital flags and sentence-start flags, as :mod:`dedup.tokens`."""
    hashes = np.empty(count // 2 + 1, dtype=np.uint64)
    capital = np.empty(count // 2 + 1, dtype=np.bool_)
    initial = np.empty(count // 2 + 1, dtype=np.bool_)
    # two key buffers, so the previous word's key is still there when the gap after it
    # turns out to end a sentence and its abbreviation status matters
    bufs = np.empty((2, len(data) + 1), dtype=np.uint8)
    cur = 0
    prev_len = 0
    words = 0
    i = 0
    prev_end = 0
    prev_letter = False
    while i < count:
        if not _is_word(codes[i]):
            i += 1
            continue
        start = i
        while True:
            while i < count and _is_word(codes[i]):
                i += 1
            c = codes[i] if i < count else 0
            if i + 1 < count and (c == 39 or c == 46 or c == 45) and _is_word(codes[i + 1]):
                i += 1
                continue
            break
        stop = i
        if stop - start >= 3 and codes[stop - 2] == 39 and (codes[stop - 1] == 115
                                                           or codes[stop - 1] == 83):
            stop -= 2  # a possessive 's
        buf = bufs[cur]
        w = 0
        for j in range(start, stop):
            c = codes[j]
            if c == WORD:
                for k in range(starts[j], starts[j + 1]):
                    buf[w] = data[k]
                    w += 1
            elif c != 46 and c != 39:
                buf[w] = c + 32 if 65 <= c <= 90 else c
                w += 1
        first = codes[start]
        cap = (65 <= first <= 90) or (48 <= first <= 57)
        if words == 0:
            ini = True
        else:
            ini = False
            for j in range(prev_end, start):
                if codes[j] == 10:
                    ini = True
                    break
            if (not ini and cap and not prev_letter
                    and _ends_sentence(codes, prev_end, start)):
                ini = not (prev_len <= max_abbreviation
                           and _is_abbreviation(bufs[1 - cur], prev_len, adata, aoff))
        hashes[words] = xxh32(buf, w)
        capital[words] = cap
        initial[words] = ini
        words += 1
        prev_end = i
        prev_len = w
        prev_letter = w == 1 and cap
        cur = 1 - cur
    return hashes[:words], capital[:words], initial[:words]


@nb.njit(cache=_CACHE)
def minhash(hashes: npt.NDArray[np.uint64], k: int, a: npt.NDArray[np.uint32],
            b: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """datasketch ``affine32`` MinHash of the ``k``-word shingles of ``hashes``."""
    num_perm = len(a)
    out = np.full(num_perm, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    n = len(hashes)
    if n == 0:
        return out
    width = min(k, n)
    for s in range(n - width + 1):
        h = np.uint64(0)
        for t in range(width):
            h = (h * _C + hashes[s + t]) & _MASK
        h ^= h >> np.uint64(16)  # datasketch's fmix32 pre-mix
        h = (h * _F1) & _MASK
        h ^= h >> np.uint64(13)
        h = (h * _F2) & _MASK
        h ^= h >> np.uint64(16)
        h32 = np.uint32(h)
        for p in range(num_perm):  # 32-bit products: vectorised
            out[p] = min(out[p], np.uint32(a[p] * h32 + b[p]))
    return out


@nb.njit(cache=_CACHE)
def sequence_digest(hashes: npt.NDArray[np.uint64]) -> np.uint64:
    """64-bit digest of a word-hash sequence: polynomial in 0x100000001B3 (mod 2**64),
    then the MurmurHash3 64-bit finaliser."""
    h = np.uint64(0)
    for value in hashes:
        h = h * np.uint64(0x100000001B3) + value
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@nb.njit(cache=_CACHE)
def _isin(values: npt.NDArray[np.uint64], sorted_set: npt.NDArray[np.uint64]
          ) -> npt.NDArray[np.bool_]:
    out = np.zeros(len(values), dtype=np.bool_)
    if len(sorted_set) == 0:
        return out
    pos = np.searchsorted(sorted_set, values)
    for i in range(len(values)):
        if pos[i] < len(sorted_set) and sorted_set[pos[i]] == values[i]:
            out[i] = True
    return out


@nb.njit(cache=_CACHE)
def sketch(
    data: Bytes, table: Bytes, adata: Bytes, aoff: npt.NDArray[np.int64],
    max_abbreviation: int, function_words: npt.NDArray[np.uint64],
    articles: npt.NDArray[np.uint64], article: np.uint64,
    a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], ks: npt.NDArray[np.int64],
) -> tuple[int, npt.NDArray[np.uint32], np.uint64]:
    """``(word count, signatures, digest)`` with one signature row per view: words,
    skeleton, function words (``ks`` gives their shingle lengths); a count of -1 means:
    use the reference path."""
    sigs = np.empty((3, len(a)), dtype=np.uint32)
    codes, starts, count = classify(data, table)
    if count < 0:
        return -1, sigs, np.uint64(0)
    hashes, capital, initial = tokenize(data, codes, starts, count, adata, aoff,
                                        max_abbreviation)
    sigs[0] = minhash(hashes, ks[0], a, b)
    proper = np.unique(hashes[capital & ~initial])
    keep = capital & (~initial | _isin(hashes, proper))
    sigs[1] = minhash(hashes[keep], ks[1], a, b)
    function = hashes[_isin(hashes, function_words)]
    function[_isin(function, articles)] = article
    sigs[2] = minhash(function, ks[2], a, b)
    return len(hashes), sigs, sequence_digest(hashes)
