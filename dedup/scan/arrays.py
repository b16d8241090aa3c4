"""What a scan knows about a batch of documents, as flat arrays.

Each type holds many documents' values in a few numpy arrays (document ``i``'s values
are ``values[offsets[i]:offsets[i + 1]]``), so a batch is cheap to slice, to pickle to a
Spark executor and to share with forked workers, where a list of small objects would
be none of these.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.fingerprint import Fingerprint
from dedup.options import DetectorOptions

__all__ = ["Anchors", "Chrome", "Fingerprints", "Lines"]


def _join_ragged(
    columns: Sequence[Sequence[npt.NDArray[Any]]],
    offsets: Sequence[npt.NDArray[np.int64]],
    dtypes: Sequence[type],
) -> tuple[list[npt.NDArray[Any]], npt.NDArray[np.int64]]:
    """Flat per-document arrays of several batches (``columns[c][p]``: column ``c`` of
    part ``p``, documents cut by ``offsets[p]``) joined into one, in order."""
    sizes = [np.diff(o) for o in offsets]
    joined = np.zeros(sum(len(s) for s in sizes) + 1, dtype=np.int64)
    if sizes:
        np.cumsum(np.concatenate(sizes), out=joined[1:])
    flat: list[npt.NDArray[Any]] = [
        np.concatenate(list(parts)).astype(dtype) if len(parts) else np.empty(0, dtype=dtype)
        for parts, dtype in zip(columns, dtypes, strict=True)
    ]
    return flat, joined


def _take_ragged(
    offsets: npt.NDArray[np.int64], keep: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Positions in flat per-document arrays of the documents ``keep``, in that order,
    and their new offsets."""
    keep = np.asarray(keep, dtype=np.int64)
    starts = offsets[keep]
    sizes = offsets[keep + 1] - starts
    new = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(sizes, out=new[1:])
    return np.repeat(starts - new[:-1], sizes) + np.arange(new[-1]), new


@dataclass(frozen=True, slots=True)
class Lines:
    """The line keys of many documents in flat arrays (cheap to pickle and to slice):
    document ``i`` has ``keys[offsets[i]:offsets[i + 1]]`` with ``words`` on each line
    (:func:`dedup.hashing.line_keys`)."""

    keys: npt.NDArray[np.uint64]
    words: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]

    @classmethod
    def join(cls, parts: Sequence[Lines]) -> Lines:
        """The documents of ``parts``, in order."""
        (keys, words), offsets = _join_ragged(
            [[p.keys for p in parts], [p.words for p in parts]],
            [p.offsets for p in parts],
            [np.uint64, np.int64],
        )
        return cls(keys, words, offsets)

    def row(self, i: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Line keys and words of document ``i``."""
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.keys[a:b], self.words[a:b]

    def rows(self, keep: npt.NDArray[np.int64]) -> Lines:
        """The documents ``keep``, in that order."""
        take, offsets = _take_ragged(self.offsets, keep)
        return Lines(self.keys[take], self.words[take], offsets)


@dataclass(frozen=True, slots=True)
class Anchors:
    """The anchors of many documents in flat arrays: document ``i`` has
    ``keys[offsets[i]:offsets[i + 1]]``, sorted (:func:`dedup.hashing.anchor_keys`)."""

    keys: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]

    @classmethod
    def join(cls, parts: Sequence[Anchors]) -> Anchors:
        """The documents of ``parts``, in order."""
        (keys,), offsets = _join_ragged(
            [[p.keys for p in parts]], [p.offsets for p in parts], [np.uint32]
        )
        return cls(keys, offsets)

    def row(self, i: int) -> npt.NDArray[np.uint32]:
        """The anchors of document ``i``."""
        return self.keys[self.offsets[i] : self.offsets[i + 1]]

    def rows(self, keep: npt.NDArray[np.int64]) -> Anchors:
        """The documents ``keep``, in that order."""
        take, offsets = _take_ragged(self.offsets, keep)
        return Anchors(self.keys[take], offsets)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Fingerprints of a batch of texts, as arrays.

    Attributes:
        signatures: view -> ``(n, num_perm)`` uint32 matrix.
        digests: the exact-copy digest of each text.
        words: the number of words of each text.
    """

    signatures: dict[str, npt.NDArray[np.uint32]]
    digests: list[str]
    words: npt.NDArray[np.int64]
    lines: Lines
    anchors: Anchors

    def fingerprint(self, row: int, seed: int) -> Fingerprint:
        """The :class:`~dedup.fingerprint.Fingerprint` of one row, with its anchors."""
        signatures = {view: sig[row] for view, sig in self.signatures.items()}
        return Fingerprint(self.digests[row], signatures, seed, self.anchors.row(row))

    def rows(self, keep: npt.NDArray[np.int64]) -> Fingerprints:
        """The fingerprints of the rows ``keep``, in that order."""
        rows = keep.tolist()
        return Fingerprints(
            {view: sig[keep] for view, sig in self.signatures.items()},
            [self.digests[r] for r in rows],
            self.words[keep],
            self.lines.rows(keep),
            self.anchors.rows(keep),
        )


@dataclass(frozen=True, slots=True)
class Chrome:
    """What a scan knows about lines that recur across documents (page chrome).

    A line that a site wraps around every article recurs in far more documents than
    the text of any one article does, even one copied many times. So for a pair, a line
    is chrome when it appears in at least ``min_documents`` documents and in more than
    twice as many as the pair's typical line (the median over their words): the lines of
    an article mirrored five times appear in five documents each and are kept, the
    newsletter blurb under every page of a site is left out.

    Chrome is a few short lines; an article is many. So recurring lines held by at most
    ``passage_documents`` documents are never chrome in a document where they add up
    to ``passage_words`` words or more: they are a copied passage (a story's paragraphs
    pasted into pages that also hold its mirrors), which is what a scan looks for.
    Lines held by more documents than that (a safe-harbour notice under every press
    release) stay chrome however long.

    Attributes:
        lines: each row's line keys and words per line.
        keys: every line key of the batch, sorted.
        documents: in how many distinct documents each of ``keys`` appears.
        min_documents: ``VerifyOptions.boilerplate_documents``.
        passage_documents: ``LSHOptions.passage_documents``: lines held by more
            documents are boilerplate, as anchors held by more propose no passage.
        passage_words: ``VerifyOptions.passage_words`` (0: no passage is exempt).
    """

    lines: Lines
    keys: npt.NDArray[np.uint64]
    documents: npt.NDArray[np.int64]
    min_documents: int
    passage_documents: int
    passage_words: int

    @classmethod
    def of(
        cls,
        lines: Lines,
        keys: npt.NDArray[np.uint64],
        documents: npt.NDArray[np.int64],
        options: DetectorOptions,
    ) -> Chrome:
        """The chrome rule of ``options`` over these line statistics."""
        return cls(
            lines,
            keys,
            documents,
            options.verify.boilerplate_documents,
            options.lsh.passage_documents,
            options.verify.passage_words,
        )

    def ignore(self, i: int, j: int) -> npt.NDArray[np.uint64]:
        """The chrome lines of the pair of rows ``i`` and ``j`` (a key may come twice)."""
        if self.min_documents <= 0 or not len(self.keys):
            return _NO_LINES
        (keys_i, words_i), (keys_j, words_j) = self.lines.row(i), self.lines.row(j)
        found: npt.NDArray[np.uint64] = _alignloops().chrome_lines(
            keys_i,
            words_i,
            keys_j,
            words_j,
            self.keys,
            self.documents,
            self.min_documents,
            self.passage_documents,
            self.passage_words,
        )
        return found


_NO_LINES = np.empty(0, dtype=np.uint64)


@functools.lru_cache(maxsize=1)
def _alignloops() -> Any:
    from dedup import _alignloops  # lazy: numba takes a moment to import

    return _alignloops
