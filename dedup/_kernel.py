"""The compiled fingerprint kernel (numba); :mod:`dedup.hashing` defines what it computes
and is its only caller. Imported lazily, because numba takes a moment to load; compiled
functions are cached on disk beside this file when the folder is writable.

One pass over the UTF-8 bytes of a text: characters are classified through a table
(:mod:`dedup.hashing` builds it), words found, folded and hashed with xxh32, sentence
starts and function words marked; then the shingle hashes of each view are folded into
MinHash minima with 32-bit arithmetic that LLVM vectorises.
"""

from __future__ import annotations

import os
from typing import Any

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
_SEED0 = np.uint64(0)

WORD = 200  # class code: a non-ASCII word character whose bytes are its folded form
NEUTRAL = 35  # "#": a symbol, neither word, connector, quote, terminal nor space
INVISIBLE = 201  # class code: a format character (zero-width space...) words run through
REFERENCE = 255  # class code: a character only the reference path can fold

Bytes = npt.NDArray[np.uint8]


@nb.njit(cache=_CACHE, inline="always")
def _rotl(x: np.uint64, r: int) -> np.uint64:
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & _MASK


@nb.njit(cache=_CACHE, inline="always")
def _read32(buf: Bytes, i: int) -> np.uint64:
    return (
        np.uint64(buf[i])
        | (np.uint64(buf[i + 1]) << np.uint64(8))
        | (np.uint64(buf[i + 2]) << np.uint64(16))
        | (np.uint64(buf[i + 3]) << np.uint64(24))
    )


@nb.njit(cache=_CACHE, inline="always")
def _lane(acc: np.uint64, value: np.uint64) -> np.uint64:
    acc = (acc + value * _P2) & _MASK
    return (_rotl(acc, 13) * _P1) & _MASK


@nb.njit(cache=_CACHE)
def xxh32(buf: Bytes, n: int, seed: np.uint64 = _SEED0) -> np.uint64:
    """xxHash32 of ``buf[:n]`` with a 32-bit ``seed``, as the xxHash format specifies."""
    i = 0
    if n >= 16:
        v1 = (seed + _P1 + _P2) & _MASK
        v2 = (seed + _P2) & _MASK
        v3 = seed
        v4 = (seed + np.uint64(0x100000000) - _P1) & _MASK
        while i + 16 <= n:
            v1 = _lane(v1, _read32(buf, i))
            v2 = _lane(v2, _read32(buf, i + 4))
            v3 = _lane(v3, _read32(buf, i + 8))
            v4 = _lane(v4, _read32(buf, i + 12))
            i += 16
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _MASK
    else:
        h = (seed + _P5) & _MASK
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


@nb.njit(cache=_CACHE, inline="always")
def _is_word(c: np.uint8) -> bool:
    return bool((48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95 or c == WORD)


@nb.njit(cache=_CACHE, inline="always")
def _is_space(c: np.uint8) -> bool:
    return bool((9 <= c <= 13) or (28 <= c <= 32))


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


@nb.njit(cache=_CACHE, inline="always")
def _decode(data: Bytes, i: int, table: Bytes) -> tuple[int, int]:
    """``(class code, width in bytes)`` of the character at byte ``i`` (valid UTF-8)."""
    b = data[i]
    if b < 128:
        return int(b), 1
    if b >= 0xF0:  # outside the Basic Multilingual Plane
        cp = (
            ((b & 0x07) << 18)
            | ((data[i + 1] & 0x3F) << 12)
            | ((data[i + 2] & 0x3F) << 6)
            | (data[i + 3] & 0x3F)
        )
        # emoji and pictographs: symbols, never part of a word (see hashing.SYMBOL_PLANE)
        if 0x1F000 <= cp < 0x1F100 or 0x1F10D <= cp < 0x1FB00:
            return NEUTRAL, 4
        return REFERENCE, 4
    if b >= 0xE0:
        cp = ((b & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F)
        return int(table[cp]), 3
    return int(table[((b & 0x1F) << 6) | (data[i + 1] & 0x3F)]), 2


@nb.njit(cache=_CACHE)
def _gap(data: Bytes, first: int, stop: int, table: Bytes) -> tuple[bool, bool]:
    """``(has a line break, ends a sentence)`` for the text between two words: a
    terminal (. ! ?), closing quotes or brackets, then a space or the next word."""
    newline = False
    ends = False
    state = 0  # 1: after a terminal and any closing characters
    i = first
    while i < stop:
        c, w = _decode(data, i, table)
        if c == 10:
            newline = True
        if c == 46 or c == 33 or c == 63:
            state = 1
        elif state == 1 and (c == 34 or c == 39 or c == 41 or c == 93 or c == INVISIBLE):
            pass
        elif state == 1 and _is_space(np.uint8(c)):
            ends = True
            state = 0
        else:
            state = 0
        i += w
    if state == 1:
        ends = True
    return newline, ends


@nb.njit(cache=_CACHE, inline="always")
def _member(table: npt.NDArray[np.uint64], h: np.uint64) -> bool:
    """Whether ``h`` is in an open-addressing table of word hashes (see hashing)."""
    mask = np.int64(len(table) - 1)
    slot = np.int64((h * np.uint64(0x9E3779B1)) & np.uint64(mask))
    while True:
        v = table[slot]
        if v == h:
            return True
        if v == np.uint64(0xFFFFFFFFFFFFFFFF):
            return False
        slot = (slot + np.int64(1)) & mask


@nb.njit(cache=_CACHE, inline="always")
def _refused(
    hashes: npt.NDArray[np.uint64], flags: npt.NDArray[np.bool_], spans: npt.NDArray[np.int64]
) -> tuple[
    npt.NDArray[np.uint64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
    npt.NDArray[np.int64],
    bool,
]:
    """What :func:`tokenize_bytes` returns for a text it cannot read."""
    return hashes[:0], flags[:0], flags[:0], flags[:0], flags[:0], spans[:0], False


@nb.njit(cache=_CACHE, inline="always")
def _fold_word(data: Bytes, start: int, stop: int, table: Bytes, buf: Bytes) -> int:
    """Write the key of the word ``data[start:stop]`` (a possessive already cut off)
    into ``buf``: lower case, without dots, apostrophes and invisible characters;
    returns its length in bytes."""
    m = 0
    j = start
    while j < stop:
        c, w = _decode(data, j, table)
        if c == WORD:
            for k in range(j, j + w):
                buf[m] = data[k]
                m += 1
        elif c != 46 and c != 39 and c != INVISIBLE:
            buf[m] = c + 32 if 65 <= c <= 90 else c
            m += 1
        j += w
    return m


@nb.njit(cache=_CACHE)
def tokenize_bytes(
    data: Bytes,
    table: Bytes,
    adata: Bytes,
    aoff: npt.NDArray[np.int64],
    max_abbreviation: int,
    function_words: npt.NDArray[np.uint64],
) -> tuple[
    npt.NDArray[np.uint64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
    npt.NDArray[np.int64],
    bool,
]:
    """One pass over UTF-8 bytes: word hashes, capital, sentence-start, function-word
    and line-start flags, as :mod:`dedup.tokens` and :mod:`dedup.views` define them,
    and each word's byte offsets ``(start, end, end of its key)`` (the key ends before
    a possessive "'s"); the last value is False when a character needs the reference
    path."""
    n = len(data)
    hashes = np.empty(n // 2 + 1, dtype=np.uint64)
    capital = np.empty(n // 2 + 1, dtype=np.bool_)
    initial = np.empty(n // 2 + 1, dtype=np.bool_)
    function = np.empty(n // 2 + 1, dtype=np.bool_)
    line_start = np.empty(n // 2 + 1, dtype=np.bool_)
    spans = np.empty((n // 2 + 1, 3), dtype=np.int64)
    bufs = np.empty((2, n + 1), dtype=np.uint8)
    cur = 0
    prev_len = 0
    words = 0
    prev_end = 0
    prev_letter = False
    i = 0
    while i < n:
        c, w = _decode(data, i, table)
        if c == REFERENCE:
            return _refused(hashes, capital, spans)
        if not _is_word(np.uint8(c)):
            i += w
            continue
        start = i
        first = c
        chars = 0
        last_code = 0
        before_code = 0
        before_pos = 0
        last_pos = 0
        while True:
            while i < n:
                c, w = _decode(data, i, table)
                if c == REFERENCE:
                    return (
                        hashes[:0],
                        capital[:0],
                        initial[:0],
                        function[:0],
                        initial[:0],
                        spans[:0],
                        False,
                    )
                if c == INVISIBLE:  # inside the word, not part of its key
                    i += w
                    continue
                if not _is_word(np.uint8(c)):
                    break
                before_code, before_pos = last_code, last_pos
                last_code, last_pos = c, i
                chars += 1
                i += w
            if i < n and (c == 39 or c == 46 or c == 45) and i + w < n:
                after = i + w
                c2, w2 = _decode(data, after, table)
                while c2 == INVISIBLE and after + w2 < n:  # a connector, then marks
                    after += w2
                    c2, w2 = _decode(data, after, table)
                if c2 == REFERENCE:
                    return (
                        hashes[:0],
                        capital[:0],
                        initial[:0],
                        function[:0],
                        initial[:0],
                        spans[:0],
                        False,
                    )
                if _is_word(np.uint8(c2)):
                    before_code, before_pos = last_code, last_pos
                    last_code, last_pos = c, i
                    chars += 1
                    i += w
                    continue
            break
        stop = i
        # a possessive 's: the last two characters are an apostrophe and s
        if chars >= 3 and before_code == 39 and (last_code == 115 or last_code == 83):
            stop = before_pos
        buf = bufs[cur]
        m = _fold_word(data, start, stop, table, buf)
        cap = (65 <= first <= 90) or (48 <= first <= 57)
        if words == 0:
            ini = True
            line_start[words] = True
        else:
            newline, ends = _gap(data, prev_end, start, table)
            ini = newline
            line_start[words] = newline
            if not ini and cap and not prev_letter and ends:
                ini = not (
                    prev_len <= max_abbreviation
                    and _is_abbreviation(bufs[1 - cur], prev_len, adata, aoff)
                )
        h = xxh32(buf, m)
        hashes[words] = h
        spans[words, 0] = start
        spans[words, 1] = i
        spans[words, 2] = stop
        capital[words] = cap
        initial[words] = ini
        function[words] = _member(function_words, h)
        words += 1
        prev_end = i
        prev_len = m
        prev_letter = m == 1 and cap
        cur = 1 - cur
    return (
        hashes[:words],
        capital[:words],
        initial[:words],
        function[:words],
        line_start[:words],
        spans[:words],
        True,
    )


@nb.njit(cache=_CACHE)
def minhash(
    hashes: npt.NDArray[np.uint64], k: int, a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]
) -> npt.NDArray[np.uint32]:
    """datasketch ``affine32`` MinHash of the ``k``-word shingles of ``hashes``."""
    num_perm = len(a)
    out = np.full(num_perm, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    n = len(hashes)
    if n == 0:
        return out
    width = min(k, n)
    for s in range(n - width + 1):
        h32 = np.uint32(_shingle(hashes, s, width))
        for p in range(num_perm):  # 32-bit products: vectorised
            out[p] = min(out[p], np.uint32(a[p] * h32 + b[p]))
    return out


@nb.njit(cache=_CACHE, inline="always")
def _shingle(hashes: npt.NDArray[np.uint64], s: int, width: int) -> np.uint64:
    """The hash of the shingle ``hashes[s:s + width]`` after datasketch's fmix32 pre-mix."""
    h = np.uint64(0)
    for t in range(width):
        h = (h * _C + hashes[s + t]) & _MASK
    h ^= h >> np.uint64(16)
    h = (h * _F1) & _MASK
    h ^= h >> np.uint64(13)
    h = (h * _F2) & _MASK
    h ^= h >> np.uint64(16)
    return h


@nb.njit(cache=_CACHE)
def anchors(
    hashes: npt.NDArray[np.uint64], k: int, sample: int, salt: np.uint32
) -> npt.NDArray[np.uint32]:
    """The sampled ``k``-word shingles of ``hashes`` (mixed hash divisible by
    ``sample``), each xor ``salt``; none when there are fewer than ``k`` words."""
    n = len(hashes)
    out = np.empty(max(n - k + 1, 0), dtype=np.uint32)
    m = 0
    for s in range(n - k + 1):
        h = _shingle(hashes, s, k)
        if h % np.uint64(sample) == 0:
            out[m] = np.uint32(h) ^ salt
            m += 1
    return out[:m]


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
def lines(
    hashes: npt.NDArray[np.uint64], line_start: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The distinct lines of a document, sorted: :func:`sequence_digest` of each line's
    words, and the words on all the lines with that key."""
    n = len(hashes)
    keys = np.empty(n, dtype=np.uint64)
    counts = np.empty(n, dtype=np.int64)
    m = 0
    start = 0
    for i in range(1, n + 1):
        if i == n or line_start[i]:
            keys[m] = sequence_digest(hashes[start:i])
            counts[m] = i - start
            m += 1
            start = i
    order = np.argsort(keys[:m], kind="mergesort")
    out_keys = np.empty(m, dtype=np.uint64)
    out_counts = np.empty(m, dtype=np.int64)
    k = 0
    for j in range(m):
        key = keys[order[j]]
        if k > 0 and out_keys[k - 1] == key:
            out_counts[k - 1] += counts[order[j]]
        else:
            out_keys[k] = key
            out_counts[k] = counts[order[j]]
            k += 1
    return out_keys[:k], out_counts[:k]


@nb.njit(cache=_CACHE)
def _skeleton(
    hashes: npt.NDArray[np.uint64], capital: npt.NDArray[np.bool_], initial: npt.NDArray[np.bool_]
) -> npt.NDArray[np.uint64]:
    """The skeleton's words (:func:`dedup.views.skeleton_keys`): capitalised words, and
    sentence-initial ones only if the word also appears capitalised mid-sentence. The
    mid-sentence words go into an open-addressing set sized to them."""
    n = len(hashes)
    size = 16
    while size < 4 * n:
        size *= 2
    empty = np.uint64(0xFFFFFFFFFFFFFFFF)
    table = np.full(size, empty, dtype=np.uint64)
    mask = np.int64(size - 1)
    for i in range(n):
        if capital[i] and not initial[i]:
            slot = np.int64((hashes[i] * np.uint64(0x9E3779B1)) & np.uint64(mask))
            while table[slot] != empty and table[slot] != hashes[i]:
                slot = (slot + np.int64(1)) & mask
            table[slot] = hashes[i]
    out = np.empty(n, dtype=np.uint64)
    m = 0
    for i in range(n):
        if not capital[i]:
            continue
        if initial[i]:
            slot = np.int64((hashes[i] * np.uint64(0x9E3779B1)) & np.uint64(mask))
            while table[slot] != empty and table[slot] != hashes[i]:
                slot = (slot + np.int64(1)) & mask
            if table[slot] != hashes[i]:
                continue
        out[m] = hashes[i]
        m += 1
    return out[:m]


@nb.njit(cache=_CACHE)
def sketch(
    data: Bytes,
    table: Bytes,
    adata: Bytes,
    aoff: npt.NDArray[np.int64],
    max_abbreviation: int,
    function_words: npt.NDArray[np.uint64],
    articles: npt.NDArray[np.uint64],
    article: np.uint64,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    ks: npt.NDArray[np.int64],
    sample: int,
    salt: np.uint32,
) -> tuple[
    int,
    npt.NDArray[np.uint32],
    np.uint64,
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint32],
]:
    """``(word count, signatures, digest, line keys, words per line, anchors)`` with one
    signature row per view: words, skeleton, function words (``ks`` gives their shingle
    lengths); a count of -1 means: use the reference path. ``function_words`` is an
    open-addressing table. The anchors are the sorted distinct sampled shingles of the
    words and function-word views (:func:`anchors`, ``salt`` on the function words')."""
    sigs = np.empty((3, len(a)), dtype=np.uint32)
    hashes, capital, initial, function, line_start, _, ok = tokenize_bytes(
        data, table, adata, aoff, max_abbreviation, function_words
    )
    if not ok:
        return (
            -1,
            sigs,
            np.uint64(0),
            np.empty(0, np.uint64),
            np.empty(0, np.int64),
            np.empty(0, np.uint32),
        )
    sigs[0] = minhash(hashes, ks[0], a, b)
    sigs[1] = minhash(_skeleton(hashes, capital, initial), ks[1], a, b)
    words = hashes[function]
    for t in range(len(words)):
        if words[t] == articles[0] or words[t] == articles[1]:
            words[t] = article
    sigs[2] = minhash(words, ks[2], a, b)
    line_keys, line_words = lines(hashes, line_start)
    sampled = np.unique(
        np.concatenate(
            (anchors(hashes, ks[0], sample, np.uint32(0)), anchors(words, ks[2], sample, salt))
        )
    )
    return len(hashes), sigs, sequence_digest(hashes), line_keys, line_words, sampled


@nb.njit(cache=_CACHE)
def sketch_many(
    data: Bytes,
    offsets: npt.NDArray[np.int64],
    table: Bytes,
    adata: Bytes,
    aoff: npt.NDArray[np.int64],
    max_abbreviation: int,
    function_words: npt.NDArray[np.uint64],
    articles: npt.NDArray[np.uint64],
    article: np.uint64,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    ks: npt.NDArray[np.int64],
    sample: int,
    salt: np.uint32,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint32],
    npt.NDArray[np.int64],
]:
    """:func:`sketch` of each text ``data[offsets[i]:offsets[i + 1]]``, in one call;
    the lines of all texts come flat, text ``i``'s at ``line_offsets[i]:line_offsets[i+1]``,
    and so do the anchors."""
    n = len(offsets) - 1
    counts = np.empty(n, dtype=np.int64)
    sigs = np.empty((n, 3, len(a)), dtype=np.uint32)
    digests = np.empty(n, dtype=np.uint64)
    line_keys = np.empty(len(data) // 2 + 1, dtype=np.uint64)
    line_words = np.empty(len(data) // 2 + 1, dtype=np.int64)
    line_offsets = np.zeros(n + 1, dtype=np.int64)
    anchor_keys = np.empty(len(data) + 2 * n + 2, dtype=np.uint32)  # 2 per word at most
    anchor_offsets = np.zeros(n + 1, dtype=np.int64)
    for d in range(n):
        count, one, digest, keys, words, sampled = sketch(
            data[offsets[d] : offsets[d + 1]],
            table,
            adata,
            aoff,
            max_abbreviation,
            function_words,
            articles,
            article,
            a,
            b,
            ks,
            sample,
            salt,
        )
        first = anchor_offsets[d]
        anchor_keys[first : first + len(sampled)] = sampled
        anchor_offsets[d + 1] = first + len(sampled)
        counts[d] = count
        sigs[d] = one
        digests[d] = digest
        start = line_offsets[d]
        line_keys[start : start + len(keys)] = keys
        line_words[start : start + len(keys)] = words
        line_offsets[d + 1] = start + len(keys)
    total = line_offsets[n]
    return (
        counts,
        sigs,
        digests,
        line_keys[:total],
        line_words[:total],
        line_offsets,
        anchor_keys[: anchor_offsets[n]],
        anchor_offsets,
    )


# -- what verification reads of a text (dedup.verify.Features) --------------------------

UPPER = 1  # bits of the case table (dedup.hashing): str.isupper()
CASED_NOT_UPPER = 2  # a cased character that is not upper case (lower or title case)
LOWER_OR_DIGIT = 4  # str.islower() or str.isdigit(), as a key's first character is read


@nb.njit(cache=_CACHE, inline="always")
def _codepoint(data: Bytes, i: int) -> tuple[int, int]:
    """``(code point, width in bytes)`` at byte ``i`` of valid UTF-8 in the BMP."""
    b = int(data[i])
    if b < 128:
        return b, 1
    if b >= 0xE0:
        return ((b & 0x0F) << 12) | ((int(data[i + 1]) & 0x3F) << 6) | (int(data[i + 2]) & 0x3F), 3
    return ((b & 0x1F) << 6) | (int(data[i + 1]) & 0x3F), 2


@nb.njit(cache=_CACHE)
def _indent(data: Bytes, at: int) -> int:
    """How many spaces (a tab as four) begin the line at byte ``at``."""
    width = 0
    while at < len(data):
        if data[at] == 32:
            width += 1
        elif data[at] == 9:
            width += 4
        else:
            break
        at += 1
    return width


@nb.njit(cache=_CACHE)
def _line_ends(data: Bytes, first: int, stop: int, table: Bytes) -> bool:
    """Whether ``data[first:stop]`` ends as ``[.!?…:;]["'”’)\\]]*\\s*$`` (the table
    reads "…" as "!", "”" and "’" as quotes, white space as a space)."""
    phase = 0  # 1: after a terminal and closers, 2: then white space
    i = first
    while i < stop:
        c, w = _decode(data, i, table)
        if c == 46 or c == 33 or c == 63 or c == 58 or c == 59:
            phase = 1
        elif phase == 1 and (c == 34 or c == 39 or c == 41 or c == 93):
            pass
        elif phase >= 1 and _is_space(np.uint8(c)):
            phase = 2
        else:
            phase = 0
        i += w
    return phase > 0


@nb.njit(cache=_CACHE)
def _shingle_keys(ids: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.uint64]:
    """Sorted distinct ``k``-word shingle keys: a polynomial in 0x100000001B3 over the
    word ids, modulo 2**64 (a shorter non-empty sequence is one shingle)."""
    n = len(ids)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(k, n)
    out = np.empty(n - width + 1, dtype=np.uint64)
    for s in range(n - width + 1):
        h = np.uint64(0)
        for t in range(width):
            h = h * np.uint64(0x100000001B3) + np.uint64(ids[s + t])
        out[s] = h
    out.sort()
    m = 1
    for s in range(1, len(out)):  # distinct, in place (numba's np.unique builds lists)
        if out[s] != out[m - 1]:
            out[m] = out[s]
            m += 1
    return out[:m]


@nb.njit(cache=_CACHE)
def features(
    data: Bytes,
    table: Bytes,
    cases: Bytes,
    adata: Bytes,
    aoff: npt.NDArray[np.int64],
    max_abbreviation: int,
    function_words: npt.NDArray[np.uint64],
    number_words: npt.NDArray[np.uint64],
    articles: npt.NDArray[np.uint64],
    article_id: np.int64,
    seed: np.uint64,
    ks: npt.NDArray[np.int64],
    max_sentence: int,
) -> tuple[Any, ...]:
    """What verification reads of one text (see :class:`dedup.verify.Features`), as
    :mod:`dedup.tokens`, :mod:`dedup.views` and :mod:`dedup.verify` define it. The first
    value is False when the text needs the reference path."""
    hashes, capital, initial, function, line_start, spans, ok = tokenize_bytes(
        data, table, adata, aoff, max_abbreviation, function_words
    )
    n = len(hashes)
    ids = np.empty(n, dtype=np.int64)
    numbers = np.zeros(n, dtype=np.bool_)
    upper = np.zeros(n, dtype=np.bool_)
    first_ok = np.zeros(n, dtype=np.bool_)
    short = np.zeros(n, dtype=np.bool_)
    buf = np.empty(len(data) + 1, dtype=np.uint8)
    for t in range(n):
        m = _fold_word(data, spans[t, 0], spans[t, 2], table, buf)
        ids[t] = np.int64((hashes[t] << np.uint64(32)) | xxh32(buf, m, seed))
        digit = False
        chars = 0
        for k in range(m):
            if 48 <= buf[k] <= 57:
                digit = True
            if not (0x80 <= buf[k] < 0xC0):
                chars += 1
        numbers[t] = digit or _member(number_words, hashes[t])
        short[t] = chars == 1
        if m > 0:
            if buf[0] < 128:
                first_ok[t] = (97 <= buf[0] <= 122) or (48 <= buf[0] <= 57)
            else:
                cp, _ = _codepoint(buf, 0)
                first_ok[t] = (cases[cp] & LOWER_OR_DIGIT) != 0
        any_upper = False
        any_lower = False
        j = spans[t, 0]
        while j < spans[t, 1]:
            cp, w = _codepoint(data, j)
            any_upper |= (cases[cp] & UPPER) != 0
            any_lower |= (cases[cp] & CASED_NOT_UPPER) != 0
            j += w
        upper[t] = any_upper and not any_lower
    # the gaps between words: quotation marks, and line breaks that only wrap a sentence
    quoted = np.zeros(n, dtype=np.bool_)
    soft = np.zeros(n, dtype=np.bool_)
    inside = False
    line_begin = 0  # where the line of the word before the gap begins
    wrapped = False  # whether that line continues a sentence from the one above
    for t in range(n):
        first = spans[t - 1, 1] if t > 0 else 0
        previous_line = line_begin
        newlines = 0
        newline_at = -1
        j = first
        while j < spans[t, 0]:
            cp, w = _codepoint(data, j)
            if cp == 10:
                newlines += 1
                if newline_at < 0:
                    newline_at = j
                line_begin = j + 1
                inside = False
            elif cp == 0x201D or cp == 0xBB:  # ” »
                inside = False
            elif cp == 0x201C or cp == 0xAB or cp == 0x201E:  # “ « „
                inside = True
            elif cp == 34:
                inside = not inside
            j += w
        quoted[t] = inside
        if t > 0 and line_start[t] and first_ok[t] and newlines == 1:
            if wrapped and _indent(data, newline_at + 1) > _indent(data, previous_line):
                pass  # an indented line after a wrapped one: a new paragraph
            elif short[t - 1] or not _line_ends(data, spans[t - 1, 1], newline_at, table):
                soft[t] = True
            else:  # after an abbreviation
                m = _fold_word(data, spans[t - 1, 0], spans[t - 1, 2], table, buf)
                soft[t] = m <= max_abbreviation and _is_abbreviation(buf, m, adata, aoff)
        if t > 0 and line_start[t]:  # (tokens._soft_wraps)
            wrapped = soft[t]
    # sentences: starts that are not soft wraps, over-long ones cut into windows
    starts = np.empty(n + n // max(max_sentence, 1) + 1, dtype=np.int64)
    stops = np.empty_like(starts)
    count = 0
    begin = 0
    for t in range(1, n + 1):
        if t < n and not (initial[t] and not soft[t]):
            continue
        while t - begin > max_sentence:
            starts[count] = begin
            stops[count] = begin + max_sentence
            count += 1
            begin += max_sentence
        starts[count] = begin
        stops[count] = t
        count += 1
        begin = t
    if n == 0:
        count = 0
    starts, stops = starts[:count], stops[:count]
    # names: capitalised words not starting a sentence, or also found so mid-sentence
    proper = np.sort(ids[capital & ~initial])
    facts = np.empty(n, dtype=np.bool_)
    names = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        if capital[t]:
            if not initial[t]:
                names[t] = True
            else:
                at = np.searchsorted(proper, ids[t])
                names[t] = at < len(proper) and proper[at] == ids[t]
        facts[t] = names[t] or numbers[t]
    # paragraphs: a headline in capitals has no names, only numbers; each line's key
    line_of = np.empty(n, dtype=np.uint64)
    begin = 0
    for t in range(1, n + 1):
        if t < n and not line_start[t]:
            continue
        shouted = 0
        for u in range(begin, t):
            shouted += upper[u]
        if 2 * shouted > t - begin:
            for u in range(begin, t):
                facts[u] = numbers[u]
        key = sequence_digest(hashes[begin:t])
        for u in range(begin, t):
            line_of[u] = key
        begin = t
    sentence_quoted = np.zeros(count, dtype=np.bool_)
    for s in range(count):
        q = 0
        for u in range(starts[s], stops[s]):
            q += quoted[u]
        sentence_quoted[s] = 2 * q > stops[s] - starts[s]
    return (
        ok,
        ids,
        spans[:, :2].copy(),
        facts,
        numbers,
        starts,
        stops,
        line_of[starts] if n else np.empty(0, dtype=np.uint64),
        sentence_quoted,
        names,
        function,
        *view_shingles(ids, names, function, articles, article_id, ks),
    )


@nb.njit(cache=_CACHE)
def view_shingles(
    ids: npt.NDArray[np.int64],
    names: npt.NDArray[np.bool_],
    function: npt.NDArray[np.bool_],
    articles: npt.NDArray[np.uint64],
    article_id: np.int64,
    ks: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The shingle keys of the three views (words, names, function words with the
    articles folded into one) from a text's word ids and which words are names and
    function words; a word's hash is its id's upper half."""
    function_ids = ids[function].copy()
    for t in range(len(function_ids)):
        hashed = np.uint64(function_ids[t]) >> np.uint64(32)
        if hashed == articles[0] or hashed == articles[1]:
            function_ids[t] = article_id
    return (
        _shingle_keys(ids, ks[0]),
        _shingle_keys(ids[names], ks[1]),
        _shingle_keys(function_ids, ks[2]),
    )
