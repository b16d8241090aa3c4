"""Passage candidates against a brute-force count of shared anchors."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.errors import OptionsError
from dedup.lsh.passages import passage_pairs


def reference(
    docs: list[set[int]], min_shared: int, max_documents: int
) -> list[tuple[int, int, int]]:
    held = Counter(a for doc in docs for a in doc)
    rare = [{a for a in doc if held[a] <= max_documents} for doc in docs]
    return [
        (i, j, len(rare[i] & rare[j]))
        for i, j in combinations(range(len(docs)), 2)
        if min_shared and len(rare[i] & rare[j]) >= min_shared
    ]


def flat(docs: list[set[int]]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array([a for doc in docs for a in sorted(doc)], dtype=np.uint32)
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in docs], out=offsets[1:])
    return keys, offsets


@settings(max_examples=200, deadline=None)
@given(
    docs=st.lists(st.sets(st.integers(0, 30), max_size=12), max_size=14),
    min_shared=st.integers(0, 4),
    max_documents=st.integers(0, 8),
    pairs_per_pass=st.sampled_from([1, 3, 1 << 24]),
)
def test_passage_pairs_equal_the_brute_force_count(
    docs: list[set[int]], min_shared: int, max_documents: int, pairs_per_pass: int
) -> None:
    keys, offsets = flat(docs)
    got, shared = passage_pairs(
        keys,
        offsets,
        min_shared=min_shared,
        max_documents=max_documents,
        pairs_per_pass=pairs_per_pass,  # several passes give the same pairs
    )
    expected = reference(docs, min_shared, max_documents)
    assert got.tolist() == [[i, j] for i, j, _ in expected]
    assert shared.tolist() == [k for _, _, k in expected]
    assert got.dtype == np.int64
    assert got.shape[1:] == (2,)


def test_an_anchor_held_by_many_documents_proposes_nothing() -> None:
    chrome = {100, 101, 102, 103}
    docs = [chrome | {i} for i in range(30)]  # 30 pages sharing a footer only
    keys, offsets = flat(docs)
    assert passage_pairs(keys, offsets, min_shared=3, max_documents=20)[0].tolist() == []
    assert len(passage_pairs(keys, offsets, min_shared=3, max_documents=30)[0]) == 30 * 29 // 2


def test_negative_settings_are_refused() -> None:
    keys, offsets = flat([{1}, {1}])
    with pytest.raises(OptionsError):
        passage_pairs(keys, offsets, min_shared=-1, max_documents=3)


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 9)), max_size=40),
    k=st.integers(1, 4),
)
def test_top_keeps_the_k_best_items_of_each_owner(items: list[tuple[int, int]], k: int) -> None:
    from dedup.scan.pairs import _top

    owner = np.array([o for o, _ in items], dtype=np.int64)
    score = np.array([s for _, s in items], dtype=np.int64)
    got = _top(owner, score, k)
    for o in set(owner.tolist()):
        mine = [i for i in range(len(items)) if items[i][0] == o]
        ranked = sorted(mine, key=lambda i: (-items[i][1], i))
        assert {i for i in mine if got[i]} == set(ranked[:k])


def test_negative_partners_are_refused() -> None:
    from dedup.options import LshOptions

    with pytest.raises(OptionsError):
        LshOptions(passage_partners=-1)
