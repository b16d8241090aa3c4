"""AnchorPostings answers as a set of rows per anchor would, whatever the operations."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.lsh.postings import AnchorPostings

_ANCHORS = st.lists(st.integers(0, 30), max_size=12).map(lambda xs: np.array(xs, np.uint32))
_OPERATION = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 20), _ANCHORS),
    st.tuples(st.just("many"), st.lists(st.tuples(st.integers(0, 20), _ANCHORS), max_size=12)),
    st.tuples(st.just("remove"), st.integers(0, 20)),
)


class _Reference:
    def __init__(self) -> None:
        self.rows: dict[int, set[int]] = {}

    def insert(self, row: int, anchors: np.ndarray) -> None:
        self.rows[row] = set(anchors.tolist())

    def shared(self, anchors: np.ndarray, max_documents: int) -> dict[int, int]:
        found: Counter[int] = Counter()
        for anchor in set(anchors.tolist()):
            holders = [row for row, held in self.rows.items() if anchor in held]
            if len(holders) <= max_documents:
                found.update(holders)
        return dict(found)


@settings(max_examples=300, deadline=None)
@given(st.lists(_OPERATION, max_size=30), _ANCHORS, st.integers(0, 6), st.integers(0, 4))
def test_postings_equal_a_set_per_anchor(
    operations: list[tuple[Any, ...]], query: np.ndarray, max_documents: int, recent: int
) -> None:
    postings, reference = AnchorPostings(recent_rows=recent), _Reference()
    for op in operations:
        if op[0] == "insert":
            postings.insert(op[1], op[2])
            reference.insert(op[1], op[2])
        elif op[0] == "many":
            postings.insert_many([row for row, _ in op[1]], [a for _, a in op[1]])
            for row, anchors in op[1]:
                reference.insert(row, anchors)
        else:
            postings.remove(op[1])
            reference.rows.pop(op[1], None)
        assert postings.shared(query, max_documents=max_documents) == reference.shared(
            query, max_documents
        )
