"""Which rows hold each anchor, as :class:`~dedup.backends.MemoryIndex` keeps it.

A Python set of rows per anchor costs about 150 dictionary and set entries per
document (a few kilobytes) and a quarter of a second per thousand documents to build.
:class:`AnchorPostings` keeps the anchors of most rows in two sorted arrays (8 bytes an
entry, built with one sort) and only the rows inserted since the last sort in sets; the
sets are folded into the arrays once they hold more than an eighth as many rows, so
inserts cost one sort of everything every few thousand rows and a lookup is one binary
search per anchor.

>>> postings = AnchorPostings()
>>> postings.insert_many([0, 1], [np.array([5, 7], np.uint32), np.array([7], np.uint32)])
>>> postings.insert(2, np.array([5, 9], np.uint32))
>>> sorted(postings.shared(np.array([5, 7, 9], np.uint32), max_documents=2).items())
[(0, 2), (1, 1), (2, 2)]
>>> postings.remove(0)
>>> sorted(postings.shared(np.array([5, 7], np.uint32), max_documents=1).items())
[(1, 1), (2, 1)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["RECENT_ROWS", "AnchorPostings"]

RECENT_ROWS = 256
"""Rows held in sets, at least, before they are sorted into the arrays."""

_U32 = np.uint64(32)


class AnchorPostings:
    """Anchor -> rows for an index: rows in, ``row -> anchors shared`` out.

    A row is a small non-negative integer; inserting a row that is present replaces
    its anchors. Anchors held by more than ``max_documents`` rows are left out of a
    lookup (:meth:`shared`), as :func:`dedup.lsh.passages.passage_pairs` leaves them out
    of a scan.

    Args:
        recent_rows: rows held in sets, at least, before they are sorted in.
    """

    def __init__(self, *, recent_rows: int = RECENT_ROWS) -> None:
        self._recent_limit = recent_rows
        self._keys = np.empty(0, dtype=np.uint32)  # sorted
        self._rows = np.empty(0, dtype=np.int32)  # the row of each key
        self._current = np.zeros(0, dtype=bool)  # row -> its entries in the arrays count
        self._sorted = 0  # rows whose entries are in the arrays
        self._recent: dict[int, set[int]] = {}  # anchor -> recent rows holding it
        self._recent_rows: dict[int, npt.NDArray[np.uint32]] = {}  # recent row -> anchors

    def insert(self, row: int, anchors: npt.NDArray[np.uint32]) -> None:
        """Index ``row`` under ``anchors``, replacing its earlier ones."""
        self._forget(row)
        kept = np.unique(np.asarray(anchors, dtype=np.uint32))
        self._recent_rows[row] = kept
        for anchor in kept.tolist():
            self._recent.setdefault(anchor, set()).add(row)
        if len(self._recent_rows) > max(self._recent_limit, self._sorted // 8):
            self._fold()

    def insert_many(self, rows: Sequence[int], anchors: Sequence[npt.NDArray[np.uint32]]) -> None:
        """:meth:`insert` of each row in turn (the last of a repeated row counts); a large
        batch goes straight into the arrays, with one sort."""
        if len(rows) <= self._recent_limit:
            for row, keys in zip(rows, anchors, strict=True):
                self.insert(row, keys)
            return
        last = {row: k for k, row in enumerate(rows)}
        for row in last:
            self._forget(row)
        order = list(last.values())
        kept = [np.unique(np.asarray(anchors[k], dtype=np.uint32)) for k in order]
        owners = np.repeat(
            np.array([rows[k] for k in order], dtype=np.int32), [len(k) for k in kept]
        )
        flat = np.concatenate(kept) if kept else np.empty(0, dtype=np.uint32)
        self._fold(flat, owners)

    def remove(self, row: int) -> None:
        """Forget ``row``'s anchors (nothing happens if it has none)."""
        self._forget(row)

    def shared(self, anchors: npt.NDArray[np.uint32], *, max_documents: int) -> dict[int, int]:
        """The rows sharing at least one of ``anchors`` held by at most
        ``max_documents`` rows, and how many of those each shares."""
        query = np.unique(np.asarray(anchors, dtype=np.uint32))
        lo = np.searchsorted(self._keys, query, side="left")
        hi = np.searchsorted(self._keys, query, side="right")
        sizes = hi - lo
        at = np.repeat(lo - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
        rows = self._rows[at]
        which = np.repeat(np.arange(len(query)), sizes)
        live = self._current[rows]
        rows, which = rows[live], which[live]
        counts = np.bincount(which, minlength=len(query))
        recent = [(k, self._recent[a]) for k, a in enumerate(query.tolist()) if a in self._recent]
        for k, held in recent:
            counts[k] += len(held)
        usable = counts <= max_documents
        found: Counter[int] = Counter(rows[usable[which]].tolist())
        for k, held in recent:
            if usable[k]:
                found.update(held)
        return dict(found)

    # -- internals --------------------------------------------------------------------

    def _forget(self, row: int) -> None:
        if row < len(self._current) and self._current[row]:
            self._current[row] = False  # its entries stay in the arrays until the next sort
            self._sorted -= 1
        old = self._recent_rows.pop(row, None)
        if old is not None:
            for anchor in old.tolist():
                holders = self._recent[anchor]
                holders.discard(row)
                if not holders:
                    del self._recent[anchor]

    def _fold(
        self,
        keys: npt.NDArray[np.uint32] | None = None,
        rows: npt.NDArray[np.int32] | None = None,
    ) -> None:
        """Sort the recent rows (and ``keys`` of ``rows``, new) into the arrays, leaving
        out the entries of rows forgotten since the last sort."""
        live = self._current[self._rows]
        parts_keys = [self._keys[live]]
        parts_rows = [self._rows[live]]
        for row, anchors in self._recent_rows.items():
            parts_keys.append(anchors)
            parts_rows.append(np.full(len(anchors), row, dtype=np.int32))
        if keys is not None and rows is not None:
            parts_keys.append(keys)
            parts_rows.append(rows)
        all_keys = np.concatenate(parts_keys)
        all_rows = np.concatenate(parts_rows)
        packed = (all_keys.astype(np.uint64) << _U32) | all_rows.astype(np.uint64)
        packed.sort()
        self._keys = (packed >> _U32).astype(np.uint32)
        self._rows = (packed & np.uint64(0xFFFFFFFF)).astype(np.int32)
        held = np.unique(self._rows)
        size = int(held[-1]) + 1 if len(held) else 0
        if size > len(self._current):
            grown = np.zeros(max(size, 2 * len(self._current)), dtype=bool)
            grown[: len(self._current)] = self._current
            self._current = grown
        self._current[held] = True
        self._sorted = len(held)
        self._recent.clear()
        self._recent_rows.clear()
