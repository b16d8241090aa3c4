"""The compiled loops of :mod:`dedup.verify`: sentence similarities and set overlaps.

:mod:`dedup.verify` defines what they compute and is their only caller; it imports this
module lazily, because numba takes a moment to load. Compiled functions are cached on
disk beside this file when the folder is writable.

Words arrive as 64-bit ids (equal ids, equal words) and sentences as ``(start, stop)``
ranges into them. The similarity of two sentences is the word-level Levenshtein
similarity ``1 - distance / max(len)``, the measure rapidfuzz's
``Levenshtein.normalized_similarity`` computes, and it is only computed where it can
reach the floor: the words two sentences share (as multisets) bound it from above,
``similarity <= shared / max(len)``, and most sentence pairs of two news stories share a
few function words and nothing else.
"""

from __future__ import annotations

import os
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt

from dedup._kernel import sequence_digest

_CACHE = os.access(os.path.dirname(os.path.abspath(__file__)), os.W_OK)

_SLACK = 1e-9  # a bound this close under the floor is computed anyway (float rounding)


@nb.njit(cache=_CACHE)
def _gather(
    words: npt.NDArray[np.int64], starts: npt.NDArray[np.int64], stops: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The words of the sentences one after the other, and where each sentence starts
    (sentence ``i`` and ``i + 1`` joined are ``offsets[i]:offsets[i + 2]``)."""
    n = len(starts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        offsets[i + 1] = offsets[i] + stops[i] - starts[i]
    out = np.empty(offsets[n], dtype=np.int64)
    for i in range(n):
        out[offsets[i] : offsets[i + 1]] = words[starts[i] : stops[i]]
    return out, offsets


@nb.njit(cache=_CACHE)
def _distance(
    a: npt.NDArray[np.int64],
    a0: int,
    a1: int,
    b: npt.NDArray[np.int64],
    b0: int,
    b1: int,
    row: npt.NDArray[np.int64],
) -> int:
    """Levenshtein distance of ``a[a0:a1]`` and ``b[b0:b1]`` (unit costs)."""
    while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
        a0 += 1
        b0 += 1
    while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
        a1 -= 1
        b1 -= 1
    la, lb = a1 - a0, b1 - b0
    if la == 0:
        return lb
    if lb == 0:
        return la
    for j in range(lb + 1):
        row[j] = j
    for i in range(1, la + 1):
        diagonal = row[0]
        row[0] = i
        ai = a[a0 + i - 1]
        for j in range(1, lb + 1):
            above = row[j]
            best = diagonal if ai == b[b0 + j - 1] else diagonal + 1
            if above + 1 < best:
                best = above + 1
            if row[j - 1] + 1 < best:
                best = row[j - 1] + 1
            diagonal = above
            row[j] = best
    return int(row[lb])


@nb.njit(cache=_CACHE)
def postings(
    words: npt.NDArray[np.int64], starts: npt.NDArray[np.int64], stops: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Which sentences hold each word, and how often: ``(word, sentence, count)``
    sorted by word, then sentence."""
    total = 0
    for i in range(len(starts)):
        total += stops[i] - starts[i]
    pairs = np.empty((total, 2), dtype=np.int64)
    k = 0
    for i in range(len(starts)):
        for t in range(starts[i], stops[i]):
            pairs[k, 0] = words[t]
            pairs[k, 1] = i
            k += 1
    order = np.argsort(pairs[:, 0], kind="mergesort")  # stable: sentences stay in order
    ids = np.empty(total, dtype=np.int64)
    sentence = np.empty(total, dtype=np.int64)
    count = np.zeros(total, dtype=np.int64)
    m = 0
    for k in range(total):
        w, i = pairs[order[k], 0], pairs[order[k], 1]
        if m > 0 and ids[m - 1] == w and sentence[m - 1] == i:
            count[m - 1] += 1
        else:
            ids[m], sentence[m], count[m] = w, i, 1
            m += 1
    return ids[:m], sentence[:m], count[:m]


@nb.njit(cache=_CACHE)
def shared_words(
    ids_a: npt.NDArray[np.int64],
    sentence_a: npt.NDArray[np.int64],
    count_a: npt.NDArray[np.int64],
    picks_a: npt.NDArray[np.int64],
    na: int,
    ids_b: npt.NDArray[np.int64],
    sentence_b: npt.NDArray[np.int64],
    count_b: npt.NDArray[np.int64],
    picks_b: npt.NDArray[np.int64],
    nb_: int,
) -> npt.NDArray[np.int32]:
    """``shared[i, j]``: the words sentence ``i`` of ``a`` and ``j`` of ``b`` have in
    common, as multisets, from the two documents' :func:`postings` merged by word
    (``picks``: the place of each posted sentence among those compared, or -1)."""
    shared = np.zeros((na, nb_), dtype=np.int32)
    i = j = 0
    while i < len(ids_a) and j < len(ids_b):
        w = ids_a[i]
        if w < ids_b[j]:
            i += 1
            continue
        if w > ids_b[j]:
            j += 1
            continue
        ie, je = i, j
        while ie < len(ids_a) and ids_a[ie] == w:
            ie += 1
        while je < len(ids_b) and ids_b[je] == w:
            je += 1
        for p in range(i, ie):
            row = picks_a[sentence_a[p]]
            if row < 0:
                continue
            for q in range(j, je):
                col = picks_b[sentence_b[q]]
                if col >= 0:
                    shared[row, col] += min(count_a[p], count_b[q])
        i, j = ie, je
    return shared


@nb.njit(cache=_CACHE)
def similarities(
    words_a: npt.NDArray[np.int64],
    starts_a: npt.NDArray[np.int64],
    stops_a: npt.NDArray[np.int64],
    ids_a: npt.NDArray[np.int64],
    sentence_a: npt.NDArray[np.int64],
    count_a: npt.NDArray[np.int64],
    picks_a: npt.NDArray[np.int64],
    words_b: npt.NDArray[np.int64],
    starts_b: npt.NDArray[np.int64],
    stops_b: npt.NDArray[np.int64],
    ids_b: npt.NDArray[np.int64],
    sentence_b: npt.NDArray[np.int64],
    count_b: npt.NDArray[np.int64],
    picks_b: npt.NDArray[np.int64],
    floor: float,
) -> npt.NDArray[np.float32]:
    """The similarity of every sentence of ``a`` with every sentence of ``b`` and with
    every two adjacent sentences of ``b`` joined, and of every two adjacent sentences of
    ``a`` joined with every sentence of ``b``: a ``(2 na - 1, 2 nb - 1)`` matrix whose
    first ``na`` rows and ``nb`` columns are the single sentences. Entries under
    ``floor``, and joined against joined, are 0. Each side's sentences are
    ``words[starts[i]:stops[i]]``; ``ids``, ``sentence``, ``count`` are its document's
    :func:`postings` and ``picks`` the place of each posted sentence among these."""
    shared = shared_words(
        ids_a, sentence_a, count_a, picks_a, len(starts_a),
        ids_b, sentence_b, count_b, picks_b, len(starts_b),
    )  # fmt: skip
    return similarities_of(shared, words_a, starts_a, stops_a, words_b, starts_b, stops_b, floor)


@nb.njit(cache=_CACHE)
def similarities_of(
    shared: npt.NDArray[np.int32],
    words_a: npt.NDArray[np.int64],
    starts_a: npt.NDArray[np.int64],
    stops_a: npt.NDArray[np.int64],
    words_b: npt.NDArray[np.int64],
    starts_b: npt.NDArray[np.int64],
    stops_b: npt.NDArray[np.int64],
    floor: float,
) -> npt.NDArray[np.float32]:
    """:func:`similarities` from the words each pair of sentences shares
    (:func:`shared_words`)."""
    ga, offs_a = _gather(words_a, starts_a, stops_a)
    gb, offs_b = _gather(words_b, starts_b, stops_b)
    na, nb_ = len(starts_a), len(starts_b)
    out = np.zeros((max(2 * na - 1, 0), max(2 * nb_ - 1, 0)), dtype=np.float32)
    row = np.empty(len(gb) + 1, dtype=np.int64)
    for i in range(na):
        a0, a1 = offs_a[i], offs_a[i + 1]
        for j in range(nb_):
            b0, b1 = offs_b[j], offs_b[j + 1]
            common = shared[i, j]
            longest = max(a1 - a0, b1 - b0)
            if common >= floor * longest - _SLACK:
                out[i, j] = 1.0 - _distance(ga, a0, a1, gb, b0, b1, row) / longest
            if j + 1 < nb_:
                both = common + shared[i, j + 1]
                longest = max(a1 - a0, offs_b[j + 2] - b0)
                if both >= floor * longest - _SLACK:
                    d = _distance(ga, a0, a1, gb, b0, offs_b[j + 2], row)
                    out[i, nb_ + j] = 1.0 - d / longest
            if i + 1 < na:
                both = common + shared[i + 1, j]
                longest = max(offs_a[i + 2] - a0, b1 - b0)
                if both >= floor * longest - _SLACK:
                    d = _distance(ga, a0, offs_a[i + 2], gb, b0, b1, row)
                    out[na + i, j] = 1.0 - d / longest
    least = np.float32(floor)  # as numpy compares a float32 matrix with the floor
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            if out[i, j] < least:
                out[i, j] = 0.0
    return out


@nb.njit(cache=_CACHE)
def reach(
    shared: npt.NDArray[np.int32],
    starts_a: npt.NDArray[np.int64],
    stops_a: npt.NDArray[np.int64],
    starts_b: npt.NDArray[np.int64],
    stops_b: npt.NDArray[np.int64],
    floor: float,
) -> tuple[float, float, int]:
    """Upper bounds of what an alignment can find: the words of each side's sentences
    that :func:`similarities_of` could align, and the fewer sentences of the two sides.
    Those are the sentences in a pair (single or joined, on either side) whose shared
    words pass its test, the only entries it measures; every aligned sentence is among
    them, as :func:`summary` aligns a sentence only through a measured entry."""
    na, nb_ = len(starts_a), len(starts_b)
    la = stops_a - starts_a
    lb = stops_b - starts_b
    reach_a = np.zeros(na, dtype=np.bool_)
    reach_b = np.zeros(nb_, dtype=np.bool_)
    for i in range(na):
        for j in range(nb_):
            common = shared[i, j]
            if common >= floor * max(la[i], lb[j]) - _SLACK:
                reach_a[i] = reach_b[j] = True
            if j + 1 < nb_ and common + shared[i, j + 1] >= (
                floor * max(la[i], lb[j] + lb[j + 1]) - _SLACK
            ):
                reach_a[i] = reach_b[j] = reach_b[j + 1] = True
            if i + 1 < na and common + shared[i + 1, j] >= (
                floor * max(la[i] + la[i + 1], lb[j]) - _SLACK
            ):
                reach_a[i] = reach_a[i + 1] = reach_b[j] = True
    words_a = words_b = 0.0
    count_a = count_b = 0
    for i in range(na):
        if reach_a[i]:
            words_a += la[i]
            count_a += 1
    for j in range(nb_):
        if reach_b[j]:
            words_b += lb[j]
            count_b += 1
    return words_a, words_b, min(count_a, count_b)


@nb.njit(cache=_CACHE)
def without_lines(
    lines: npt.NDArray[np.uint64], ignore: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The sentences whose line key is not in ``ignore`` (sorted), and the new place of
    every sentence among them (-1: left out)."""
    kept = np.empty(len(lines), dtype=np.int64)
    place = np.full(len(lines), -1, dtype=np.int64)
    m = 0
    for i in range(len(lines)):
        at = np.searchsorted(ignore, lines[i])
        if at < len(ignore) and ignore[at] == lines[i]:
            continue
        kept[m] = i
        place[i] = m
        m += 1
    return kept[:m], place


@nb.njit(cache=_CACHE)
def bound(
    lines_a: npt.NDArray[np.uint64],
    starts_a: npt.NDArray[np.int64],
    stops_a: npt.NDArray[np.int64],
    ids_a: npt.NDArray[np.int64],
    sentence_a: npt.NDArray[np.int64],
    count_a: npt.NDArray[np.int64],
    lines_b: npt.NDArray[np.uint64],
    starts_b: npt.NDArray[np.int64],
    stops_b: npt.NDArray[np.int64],
    ids_b: npt.NDArray[np.int64],
    sentence_b: npt.NDArray[np.int64],
    count_b: npt.NDArray[np.int64],
    ignore: npt.NDArray[np.uint64],
    floor: float,
) -> tuple[Any, ...]:
    """The first steps of an alignment in one call: each side's sentences without the
    lines ``ignore`` (sorted; :func:`without_lines`), the words each pair of them
    shares (:func:`shared_words`) and what those bound (:func:`reach`). Returns
    ``(kept_a, picks_a, kept_b, picks_b, shared, words_a, words_b, sentences, total_a,
    total_b)``: the totals are the words of each side's kept sentences."""
    kept_a, picks_a = without_lines(lines_a, ignore)
    kept_b, picks_b = without_lines(lines_b, ignore)
    shared = shared_words(
        ids_a, sentence_a, count_a, picks_a, len(kept_a),
        ids_b, sentence_b, count_b, picks_b, len(kept_b),
    )  # fmt: skip
    sa0, sa1 = starts_a[kept_a], stops_a[kept_a]
    sb0, sb1 = starts_b[kept_b], stops_b[kept_b]
    total_a = 0.0
    for i in range(len(kept_a)):
        total_a += sa1[i] - sa0[i]
    total_b = 0.0
    for j in range(len(kept_b)):
        total_b += sb1[j] - sb0[j]
    words_a, words_b, most = reach(shared, sa0, sa1, sb0, sb1, floor)
    return kept_a, picks_a, kept_b, picks_b, shared, words_a, words_b, most, total_a, total_b


@nb.njit(cache=_CACHE)
def intersection_size(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> int:
    """The number of values two sorted arrays of distinct values share."""
    i = j = n = 0
    while i < len(a) and j < len(b):  # branch-free steps: the order of keys is random
        x, y = a[i], b[j]
        n += x == y
        i += x <= y
        j += y <= x
    return n


@nb.njit(cache=_CACHE)
def sequence_hashes(
    hashes: npt.NDArray[np.uint64], starts: npt.NDArray[np.int64], stops: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint64]:
    """:func:`dedup.hashing.sequence_hash` of ``hashes[starts[i]:stops[i]]`` for each ``i``."""
    out = np.empty(len(starts), dtype=np.uint64)
    for i in range(len(starts)):
        out[i] = sequence_digest(hashes[starts[i] : stops[i]])
    return out


@nb.njit(cache=_CACHE)
def _at(sims: npt.NDArray[np.float32], i: int, j: int, columns: bool) -> float:
    return float(sims[j, i] if columns else sims[i, j])


@nb.njit(cache=_CACHE)
def best(sims: npt.NDArray[np.float32], na: int, nb: int, columns: bool) -> npt.NDArray[np.float64]:
    """The best similarity of each single sentence of one side (``a``'s, or with
    ``columns`` ``b``'s) in a matrix from :func:`similarities`: against any sentence or
    joined pair of the other side, or, through a joined pair of its own side that
    matches one sentence of the other side better than either half does, for both
    sentences of that pair."""
    rows, cols = (nb, na) if columns else (na, nb)
    width = 2 * cols - 1
    out = np.zeros(rows, dtype=np.float64)
    for i in range(rows):
        top = 0.0
        for j in range(width):
            v = _at(sims, i, j, columns)
            if v > top:
                top = v
        out[i] = top
    for r in range(rows - 1):
        top = 0.0
        for j in range(cols):
            v = _at(sims, rows + r, j, columns)
            if v > top and v > _at(sims, r, j, columns) and v > _at(sims, r + 1, j, columns):
                top = v
        if top > out[r]:
            out[r] = top
        if top > out[r + 1]:
            out[r + 1] = top
    return out


@nb.njit(cache=_CACHE)
def _discount(
    hit: npt.NDArray[np.bool_], quoted: npt.NDArray[np.bool_], words: npt.NDArray[np.float64]
) -> int:
    """Clear in ``hit`` the aligned quotations that stand alone (see
    :func:`dedup.verify.align`) and return how many those were: a run of aligned
    sentences keeps its quotations when it is three sentences long, holds a sentence
    that is not quoted, or is most of the document."""
    n = len(hit)
    lone = np.zeros(n, dtype=np.bool_)
    any_lone = False
    for i in range(n):
        lone[i] = hit[i] and quoted[i]
        any_lone |= lone[i]
    if not any_lone:
        return 0
    total = 0.0
    for i in range(n):
        total += words[i]
    start = 0
    while start < n:  # runs of consecutive aligned sentences
        if not hit[start]:
            start += 1
            continue
        stop = start
        run_words = 0.0
        all_quoted = True
        while stop < n and hit[stop]:
            run_words += words[stop]
            all_quoted &= quoted[stop]
            stop += 1
        if stop - start >= 3 or not all_quoted or 2 * run_words > total:
            lone[start:stop] = False
        start = stop
    count = 0
    for i in range(n):
        if lone[i]:
            hit[i] = False
            count += 1
    return count


@nb.njit(cache=_CACHE)
def summary(
    sims: npt.NDArray[np.float32],
    floor: float,
    quoted_a: npt.NDArray[np.bool_],
    quoted_b: npt.NDArray[np.bool_],
    words_a: npt.NDArray[np.float64],
    words_b: npt.NDArray[np.float64],
) -> tuple[Any, ...]:
    """What the alignment reads of a matrix from :func:`similarities`: each sentence's
    best similarity (:func:`best`), which sentences are aligned (at the floor, the
    quotations that stand alone left out, see :func:`_discount`), how many of those
    quotations each side had, and the aligned pairs of single sentences at the floor,
    best first (then by row and column), as the word-by-word comparison takes them."""
    na, nb_ = len(words_a), len(words_b)
    best_a = best(sims, na, nb_, False)
    best_b = best(sims, na, nb_, True)
    hit_a = best_a >= floor
    hit_b = best_b >= floor
    lone_a = _discount(hit_a, quoted_a, words_a)
    lone_b = _discount(hit_b, quoted_b, words_b)
    # the single-sentence similarities of aligned pairs (0 for the others), at the
    # floor as a float32 (numpy's comparison of a float32 matrix with a float); at a
    # floor of 0 every pair, aligned or not
    least = np.float32(floor)
    count = 0
    for i in range(na):
        for j in range(nb_):
            value = sims[i, j] if hit_a[i] and hit_b[j] else np.float32(0.0)
            if value >= least and (value > 0 or least <= 0):
                count += 1
    rows = np.empty(count, dtype=np.int64)
    cols = np.empty(count, dtype=np.int64)
    keys = np.empty(count, dtype=np.float64)
    k = 0
    for i in range(na):
        for j in range(nb_):
            value = sims[i, j] if hit_a[i] and hit_b[j] else np.float32(0.0)
            if value >= least and (value > 0 or least <= 0):
                rows[k], cols[k], keys[k] = i, j, -value
                k += 1
    order = np.argsort(keys, kind="mergesort")  # stable: ties stay in row, column order
    return best_a, best_b, hit_a, hit_b, lone_a, lone_b, rows[order], cols[order]


@nb.njit(cache=_CACHE)
def view_overlap(
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    sig_a: npt.NDArray[np.uint32],
    sig_b: npt.NDArray[np.uint32],
) -> tuple[int, float]:
    """The number of shingle keys two sorted sets share, and the Jaccard their
    signatures estimate (the share of equal values; 0 when either is the signature of
    an empty set, all values at the maximum)."""
    equal = 0
    empty_a = empty_b = True
    for p in range(len(sig_a)):
        equal += sig_a[p] == sig_b[p]
        empty_a &= sig_a[p] == np.uint32(0xFFFFFFFF)
        empty_b &= sig_b[p] == np.uint32(0xFFFFFFFF)
    estimate = 0.0 if empty_a or empty_b else equal / len(sig_a)
    return intersection_size(a, b), estimate


@nb.njit(cache=_CACHE)
def chrome_lines(
    keys_a: npt.NDArray[np.uint64],
    words_a: npt.NDArray[np.int64],
    keys_b: npt.NDArray[np.uint64],
    words_b: npt.NDArray[np.int64],
    known: npt.NDArray[np.uint64],
    documents: npt.NDArray[np.int64],
    min_documents: int,
    passage_documents: int,
    passage_words: int,
) -> npt.NDArray[np.uint64]:
    """The line keys of a pair of documents that are page chrome (see
    :class:`dedup.scan.arrays.Chrome`): lines in at least ``min_documents`` documents and
    in more than twice as many as the pair's typical line, the median over their
    words; but not the recurring lines held by at most ``passage_documents`` documents
    of a side where such lines add up to ``passage_words`` words or more (a copied
    passage; ``passage_words`` 0: none). ``known`` are the batch's line keys, sorted,
    ``documents`` how many documents hold each."""
    keys = np.concatenate((keys_a, keys_b))
    words = np.concatenate((words_a, words_b))
    n = len(keys)
    if n == 0 or len(known) == 0:
        return keys[:0]
    df = np.empty(n, dtype=np.int64)
    for t in range(n):
        at = min(np.searchsorted(known, keys[t]), len(known) - 1)
        df[t] = documents[at] if known[at] == keys[t] else 1
    order = np.argsort(df, kind="mergesort")
    total = 0
    for t in range(n):
        total += words[t]
    half = total / 2
    running = 0
    median = df[order[n - 1]]
    for t in range(n):
        running += words[order[t]]
        if running >= half:
            median = df[order[t]]
            break
    limit = max(min_documents - 1, 2 * median)
    chrome = df > limit
    if passage_words > 0:
        few = chrome & (df <= passage_documents)
        passage = np.zeros(n, dtype=np.bool_)
        for first, stop in ((0, len(keys_a)), (len(keys_a), n)):
            held = 0
            for t in range(first, stop):
                if few[t]:
                    held += words[t]
            if held >= passage_words:
                passage[first:stop] = few[first:stop]
        kept = np.unique(keys[passage])  # a passage's line is kept on both sides
        if len(kept):
            for t in range(n):
                if chrome[t]:
                    at = min(np.searchsorted(kept, keys[t]), len(kept) - 1)
                    chrome[t] = kept[at] != keys[t]
    found: npt.NDArray[np.uint64] = keys[chrome]
    return found


@nb.njit(cache=_CACHE)
def view_overlaps(
    shingles_a: npt.NDArray[np.uint64],
    offsets_a: npt.NDArray[np.int64],
    signatures_a: npt.NDArray[np.uint32],
    shingles_b: npt.NDArray[np.uint64],
    offsets_b: npt.NDArray[np.int64],
    signatures_b: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """:func:`view_overlap` of every view: view ``k``'s shingle keys are
    ``shingles[offsets[k]:offsets[k + 1]]``, its signature ``signatures[k]``."""
    views = len(offsets_a) - 1
    common = np.zeros(views, dtype=np.int64)
    estimates = np.zeros(views, dtype=np.float64)
    for k in range(views):
        common[k], estimates[k] = view_overlap(
            shingles_a[offsets_a[k] : offsets_a[k + 1]],
            shingles_b[offsets_b[k] : offsets_b[k + 1]],
            signatures_a[k],
            signatures_b[k],
        )
    return common, estimates
