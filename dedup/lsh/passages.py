"""Passage candidates: pairs of documents that share several rare anchors.

Whole-document MinHash proposes a pair when the two documents are alike as wholes. A
passage copied into a long page is a small share of it, so its Jaccard with the source
is low in every view and LSH proposes the pair only by chance. Anchors
(:func:`dedup.hashing.anchor_keys`: one word 5-gram or function-word 5-gram in four,
chosen by hash) do not depend on what else a document holds: two documents sharing a
passage of ``w`` words share about ``w / 4`` anchors of each view.

An anchor held by many documents (page chrome, a template, a sentence every wire story
repeats) says nothing about any one pair and would cost pairs quadratic in its
documents, so anchors held by more than ``max_documents`` documents are left out. A
pair becomes a candidate when it shares at least ``min_shared`` of the rest.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dedup.errors import OptionsError

__all__ = ["INDEX_ANCHOR_SHARE", "indexed_anchors", "passage_pairs"]

INDEX_ANCHOR_SHARE = 2
"""An index keeps one anchor in this many (one shingle in eight, as anchors are one in
four): a passage of 150 words still leaves a few, spun at 35% (about 0.05 a word at the
5th percentile), and a news article costs about 150 anchors."""


def indexed_anchors(anchors: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The anchors an index keeps and looks up (:data:`INDEX_ANCHOR_SHARE`), by their
    high bits, so that the index and a query keep the same ones.

    >>> indexed_anchors(np.array([0, 1 << 16, 2 << 16], dtype=np.uint32)).tolist()
    [0, 131072]
    """
    keep: npt.NDArray[np.uint32] = anchors[(anchors >> np.uint32(16)) % INDEX_ANCHOR_SHARE == 0]
    return keep


PAIRS_PER_PASS = 1 << 24
"""At most this many anchor-sharing pairs (with repeats) are held at once."""


def passage_pairs(
    keys: npt.NDArray[np.uint32],
    offsets: npt.NDArray[np.int64],
    *,
    min_shared: int,
    max_documents: int,
    pairs_per_pass: int = PAIRS_PER_PASS,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The pairs of documents sharing at least ``min_shared`` anchors held by at most
    ``max_documents`` documents, and how many each pair shares.

    Args:
        keys: every document's distinct anchors, flat: document ``i`` has
            ``keys[offsets[i]:offsets[i + 1]]``.
        offsets: ``n + 1`` offsets into ``keys``.
        min_shared: anchors a pair must share (0 turns passage candidates off).
        max_documents: anchors held by more documents than this are ignored.
        pairs_per_pass: memory bound: the pairs are counted in as many passes (each
            taking the pairs whose first document falls in its share) as it takes to
            hold at most this many at once.

    Returns:
        ``(m, 2)`` int64 array of document pairs ``(i, j)`` with ``i < j``, each once,
        sorted; and the ``m`` counts of anchors they share.

    >>> keys = np.array([1, 2, 3, 1, 2, 3, 9, 1, 9], dtype=np.uint32)
    >>> offsets = np.array([0, 3, 7, 9])
    >>> pairs, shared = passage_pairs(keys, offsets, min_shared=2, max_documents=3)
    >>> pairs.tolist(), shared.tolist()
    ([[0, 1], [1, 2]], [3, 2])
    >>> passage_pairs(keys, offsets, min_shared=2, max_documents=2)[0].tolist()  # 1 is in 3
    [[0, 1]]
    """
    if min_shared < 0 or max_documents < 0:
        raise OptionsError("min_shared and max_documents must not be negative")
    n = len(offsets) - 1
    if min_shared == 0 or max_documents < 2 or n < 2:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    order = np.argsort(keys, kind="stable")  # owners stay ascending within a key
    sorted_keys, owner = keys[order], owner[order]
    first = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    size = np.diff(np.r_[first, len(sorted_keys)])
    kept = (size >= 2) & (size <= max_documents)
    # the owners of the kept anchors, a run per anchor, and where each run ends
    run = np.repeat(kept, size)
    owner = owner[run]
    end = np.repeat(np.cumsum(size[kept]), size[kept])
    total = int((size[kept] * (size[kept] - 1) // 2).sum())
    passes = max(1, -(-total // max(pairs_per_pass, 1)))
    found = [
        _count(owner, end, n, min_shared, max_documents, part, passes) for part in range(passes)
    ]
    codes = np.concatenate([c for c, _ in found])
    counts = np.concatenate([k for _, k in found])
    order = np.argsort(codes, kind="stable")
    codes, counts = codes[order], counts[order]
    return np.stack([codes // n, codes % n], axis=1).astype(np.int64), counts.astype(np.int64)


def _count(
    owner: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    n: int,
    min_shared: int,
    max_documents: int,
    part: int,
    passes: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The codes ``i * n + j`` of the pairs with ``i % passes == part`` that share at
    least ``min_shared`` of the anchor runs in ``owner``, and their counts."""
    position = np.arange(len(owner), dtype=np.int64)
    mine = owner % passes == part if passes > 1 else np.ones(len(owner), dtype=bool)
    codes = []
    for step in range(1, max_documents):
        reach = position + step < end  # the run holds a document ``step`` places on
        if not reach.any():
            break
        take = position[reach & mine]
        codes.append(owner[take] * n + owner[take + step])
    if not codes:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    values, counts = np.unique(np.concatenate(codes), return_counts=True)
    keep = counts >= min_shared
    return values[keep], counts[keep]
