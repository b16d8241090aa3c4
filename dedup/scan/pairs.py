"""All duplicate pairs among a batch of fingerprinted documents, never comparing all pairs.

1. Documents with the same digest (the same words in the same order) form an exact group; only
   the first of each group goes on to the band index.
2. Candidate pairs come from the LSH bands of every view at once
   (:func:`dedup.lsh.keys.candidate_pairs`), vectorised over the whole batch.
3. Candidates whose estimated Jaccard is below ``lsh.prefilter`` in every view are
   dropped with one vectorised comparison of their signatures.
4. Pairs sharing a passage (several rare anchors, :mod:`dedup.lsh.passages`) join
   them, however small a share of either document the passage is.
5. The rest are verified exactly (:func:`dedup.scan.pool.verify_each`, on every core)
   and classified; a verdict on two groups' representatives holds for every member.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from dedup.fingerprint import estimated_shares
from dedup.lsh.keys import band_keys, candidate_pairs, empty_rows, no_pairs
from dedup.lsh.passages import passage_pairs
from dedup.model import Evidence, Match
from dedup.options import DetectorOptions
from dedup.scan.arrays import Chrome, Fingerprints
from dedup.scan.pool import Tick, verify_each
from dedup.verify import Verdict, classify, worth_reporting

__all__ = ["expand", "find_matches", "passage_floor", "passes_prefilter", "prefilter"]


def prefilter(
    pairs: npt.NDArray[np.int64],
    signatures: dict[str, npt.NDArray[np.uint32]],
    floor: float,
) -> npt.NDArray[np.int64]:
    """The pairs whose estimated Jaccard reaches ``floor`` in at least one view."""
    if not len(pairs) or floor <= 0:
        return pairs
    return pairs[passes_prefilter(pairs, signatures, floor)]


def passes_prefilter(
    pairs: npt.NDArray[np.int64],
    signatures: dict[str, npt.NDArray[np.uint32]],
    floor: float,
    *,
    chunk: int = 65536,
) -> npt.NDArray[np.bool_]:
    """Whether each pair's estimated Jaccard reaches ``floor`` in at least one view (an
    empty signature shares nothing)."""
    keep = np.zeros(len(pairs), dtype=bool)
    if floor <= 0:
        keep[:] = True
        return keep
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        for sig in signatures.values():
            share = estimated_shares(sig[part[:, 0]], sig[part[:, 1]])
            keep[start : start + chunk] |= share >= floor
    return keep


def _groups(digests: Sequence[str]) -> tuple[list[list[int]], npt.NDArray[np.int64]]:
    """Exact groups (rows, in order) and the group of each row."""
    first: dict[str, int] = {}
    groups: list[list[int]] = []
    group_of = np.empty(len(digests), dtype=np.int64)
    for row, digest in enumerate(digests):
        g = first.setdefault(digest, len(groups))
        if g == len(groups):
            groups.append([])
        groups[g].append(row)
        group_of[row] = g
    return groups, group_of


def find_matches(
    ids: Sequence[str],
    texts: Sequence[str],
    fps: Fingerprints,
    options: DetectorOptions,
    *,
    workers: int,
    tick: Tick | None = None,
) -> list[Match]:
    """Every pair of the batch scoring at least ``options.threshold``, each once."""
    groups, group_of = _groups(fps.digests)
    reps = np.array([g[0] for g in groups], dtype=np.int64)
    views = list(fps.signatures)
    lsh = options.lsh
    keys, exclude = [], []
    for view in views:
        sig = fps.signatures[view][reps]
        keys.append(band_keys(sig, bands=lsh.bands, rows=lsh.rows))
        exclude.append(empty_rows(sig))
    candidates = (
        reps[candidate_pairs(keys, exclude=exclude, hubs=lsh.bucket_hubs)]
        if len(reps) > 1
        else no_pairs()
    )
    chrome = _chrome(fps, reps, options)
    candidates = prefilter(candidates, fps.signatures, lsh.prefilter)
    candidates = _union(candidates, _passages(fps, reps, options))
    # One pair per exact group, to measure the evidence shown for its exact matches.
    exact = np.array([g[:2] for g in groups if len(g) > 1], dtype=np.int64).reshape(-1, 2)
    pairs = np.concatenate([candidates, exact])
    # candidates are measured only as far as they could be reported; an exact group's
    # pair is reported whatever its sentences (words cut into short ones align little)
    every: Tick | None = None
    if tick is not None:
        step = tick

        def every(done: int, _: int) -> None:  # one count over both calls
            step(done, len(pairs))

    def measured(part: npt.NDArray[np.int64], skip: bool) -> Iterator[tuple[int, Evidence]]:
        return verify_each(
            part, ids, texts, options, workers=workers, tick=every, chrome=chrome, fps=fps,
            reportable_only=skip,
        )  # fmt: skip

    found = itertools.chain(
        measured(candidates, True),
        ((len(candidates) + at, ev) for at, ev in measured(exact, False)),
    )
    # only the pairs worth reporting are kept as they come (memory grows with them,
    # not with the pairs verified), then put back in the order of the pairs
    rows = pairs.tolist()
    kept: list[tuple[int, Verdict, Evidence]] = []
    for at, ev in found:
        i, j = rows[at]
        verdict = classify(ev, exact=bool(group_of[i] == group_of[j]), options=options.verify)
        if worth_reporting(verdict, ev, options.threshold, options.verify):
            kept.append((at, verdict, ev))
    kept.sort(key=lambda item: item[0])
    names = [[ids[r] for r in g] for g in groups]
    matches: list[Match] = []
    for at, verdict, ev in kept:
        i, j = rows[at]
        second = None if group_of[i] == group_of[j] else names[group_of[j]]
        matches.extend(expand(verdict, ev, names[group_of[i]], second))
    return matches


def expand(
    verdict: Verdict, ev: Evidence, first: Sequence[str], second: Sequence[str] | None
) -> Iterator[Match]:
    """The matches a verdict on two exact groups' first members stands for (``ev``
    measured with ``first[0]`` on its ``a`` side): every pair of one member of each
    group, or with ``second`` None, every pair within the group ``first``."""
    if second is None:
        for i, x in enumerate(first):
            for y in first[i + 1 :]:
                yield _match(x, y, verdict, ev)
    else:
        for x in first:
            for y in second:
                yield _match(x, y, verdict, ev)


def _chrome(
    fps: Fingerprints,
    reps: npt.NDArray[np.int64],
    options: DetectorOptions,
) -> Chrome:
    """Line statistics of the batch: in how many distinct documents (one per exact
    group) each line appears."""
    lines = fps.lines
    owner = np.repeat(np.arange(len(lines.offsets) - 1), np.diff(lines.offsets))
    is_rep = np.zeros(len(lines.offsets) - 1, dtype=bool)
    is_rep[reps] = True
    keys, documents = np.unique(lines.keys[is_rep[owner]], return_counts=True)
    return Chrome.of(fps.lines, keys, documents.astype(np.int64), options)


ANCHORS_PER_WORD = 0.1
"""Anchors shared per copied word, at least: measured on passages of Reuters stories
pasted into long pages (benchmarks/README.md), 5th percentile 0.25 verbatim, 0.15 spun
at 20%, 0.10 spun at 35% (a spinner breaks most word 5-grams)."""


def _passages(
    fps: Fingerprints, reps: npt.NDArray[np.int64], options: DetectorOptions
) -> npt.NDArray[np.int64]:
    """Passage candidates among the rows ``reps`` (:mod:`dedup.lsh.passages`) that
    share enough anchors to hold a passage worth reporting: the shorter of
    ``passage_words`` and ``threshold`` of the smaller document, at
    :data:`ANCHORS_PER_WORD`; never fewer than ``lsh.passage_anchors``."""
    lsh = options.lsh
    anchors = fps.anchors.rows(reps)
    pairs, shared = passage_pairs(
        anchors.keys,
        anchors.offsets,
        min_shared=lsh.passage_anchors,
        max_documents=lsh.passage_documents,
    )
    if not len(pairs):
        return pairs
    pairs = reps[pairs]
    keep = shared >= passage_floor(fps.words[pairs[:, 0]], fps.words[pairs[:, 1]], options)
    pairs, shared = pairs[keep], shared[keep]
    if lsh.passage_partners > 0:  # each document's best partners: linear work, whatever
        # the corpus recycles; a long page may hold more passages, one per 100 words
        limit = np.maximum(lsh.passage_partners, fps.words // 100)
        best = _top(pairs[:, 0], shared, limit[pairs[:, 0]])
        best |= _top(pairs[:, 1], shared, limit[pairs[:, 1]])
        pairs = pairs[best]
    return pairs


def passage_floor(
    words_a: npt.NDArray[np.int64], words_b: npt.NDArray[np.int64], options: DetectorOptions
) -> npt.NDArray[np.float64]:
    """The anchors two documents of these word counts must share to be passage
    candidates: enough for the shorter of ``passage_words`` and ``threshold`` of the
    smaller document, at :data:`ANCHORS_PER_WORD`; never fewer than
    ``lsh.passage_anchors``."""
    reportable = options.threshold * np.minimum(words_a, words_b)
    if options.verify.passage_words > 0:
        reportable = np.minimum(reportable, options.verify.passage_words)
    floor: npt.NDArray[np.float64] = np.maximum(
        options.lsh.passage_anchors, np.floor(ANCHORS_PER_WORD * reportable)
    )
    return floor


def _top(
    owner: npt.NDArray[np.int64],
    score: npt.NDArray[np.int64],
    k: npt.NDArray[np.int64] | int,
) -> npt.NDArray[np.bool_]:
    """Whether each item is among the ``k`` best-scoring items of its owner (``k`` per
    item, the same for all items of one owner; ties: the earlier item first)."""
    order = np.lexsort((np.arange(len(owner)), -score, owner))
    sorted_owner = owner[order]
    first = np.r_[True, sorted_owner[1:] != sorted_owner[:-1]]
    starts = np.flatnonzero(first)
    rank = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
    best = np.zeros(len(owner), dtype=bool)
    best[order] = rank < (k[order] if isinstance(k, np.ndarray) else k)
    return best


def _union(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The row pairs of ``a`` and ``b`` (each ``i < j``), each once, sorted."""
    if not len(b):
        return a
    both = np.unique(np.concatenate([a, b]), axis=0)
    return both.reshape(-1, 2).astype(np.int64)


def _match(x: str, y: str, verdict: Verdict, ev: Evidence) -> Match:
    """A match of documents ``x`` and ``y`` (``ev`` measured with ``x`` on its ``a``
    side), ordered so that ``a`` is the smaller id."""
    kind, score, reason = verdict.kind, round(verdict.score, 4), verdict.reason
    if x < y:
        return Match(x, y, kind, score, ev, reason)
    return Match(y, x, kind, score, ev.swapped(), reason)
