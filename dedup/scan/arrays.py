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
from dedup.hashing import kernel_features
from dedup.options import DetectorOptions
from dedup.tokens import MAX_SENTENCE_TOKENS
from dedup.verify import FACT, FUNCTION, NAME, NUMBER

__all__ = ["Anchors", "Chrome", "Fingerprints", "Lines", "Readings"]


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
class Readings:
    """What verification reads of many documents (:class:`dedup.verify.Features`), as
    the compiled pass gives it, in flat arrays: a scan reads each text once, while it
    fingerprints, and its workers build a document's features from these arrays for
    every pair, instead of reading its text again each time it leaves their cache.

    Document ``i`` has the words ``words[i]:words[i + 1]`` (their ids and
    :data:`FACT` ... bits) and the sentences ``sentences[i]:sentences[i + 1]`` (first
    and stop word, counted from its first word, line key, whether mostly quoted);
    ``read[i]`` is False for a text the compiled pass cannot read (it is read from its
    tokens when needed, as any text outside a scan is).
    """

    ids: npt.NDArray[np.int64]
    flags: npt.NDArray[np.uint8]
    words: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int32]
    stops: npt.NDArray[np.int32]
    lines: npt.NDArray[np.uint64]
    quoted: npt.NDArray[np.bool_]
    sentences: npt.NDArray[np.int64]
    read: npt.NDArray[np.bool_]

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> Readings:
        """Read ``texts`` with the compiled pass."""
        columns: list[list[npt.NDArray[Any]]] = [[] for _ in range(6)]
        word_counts, sentence_counts, read = [], [], []
        for text in texts:
            try:
                found = kernel_features(text.encode("utf-8"), max_sentence=MAX_SENTENCE_TOKENS)
            except UnicodeEncodeError:  # a lone surrogate
                found = None
            if found is None:
                word_counts.append(0)
                sentence_counts.append(0)
                read.append(False)
                continue
            ids, _, facts, numbers, starts, stops, lines, quoted, names, function = found[:10]
            flags = (
                facts.astype(np.uint8) * FACT
                | numbers.astype(np.uint8) * NUMBER
                | names.astype(np.uint8) * NAME
                | function.astype(np.uint8) * FUNCTION
            )
            for column, values in zip(
                columns, (ids, flags, starts, stops, lines, quoted), strict=True
            ):
                column.append(values)
            word_counts.append(len(ids))
            sentence_counts.append(len(starts))
            read.append(True)
        word_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(word_counts, out=word_offsets[1:])
        sentence_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(sentence_counts, out=sentence_offsets[1:])
        dtypes = (np.int64, np.uint8, np.int32, np.int32, np.uint64, np.bool_)
        ids, flags, starts, stops, lines, quoted = (
            np.concatenate(column).astype(dtype) if column else np.empty(0, dtype=dtype)
            for column, dtype in zip(columns, dtypes, strict=True)
        )
        return cls(
            ids, flags, word_offsets, starts, stops, lines, quoted, sentence_offsets,
            np.array(read, dtype=np.bool_),
        )  # fmt: skip

    @classmethod
    def join(cls, parts: Sequence[Readings]) -> Readings:
        """The documents of ``parts``, in order."""
        (ids, flags), words = _join_ragged(
            [[p.ids for p in parts], [p.flags for p in parts]],
            [p.words for p in parts],
            [np.int64, np.uint8],
        )
        (starts, stops, lines, quoted), sentences = _join_ragged(
            [[getattr(p, c) for p in parts] for c in ("starts", "stops", "lines", "quoted")],
            [p.sentences for p in parts],
            [np.int32, np.int32, np.uint64, np.bool_],
        )
        read = np.concatenate([p.read for p in parts]) if parts else np.empty(0, dtype=np.bool_)
        return cls(ids, flags, words, starts, stops, lines, quoted, sentences, read)

    def row(self, i: int) -> tuple[npt.NDArray[Any], ...] | None:
        """Ids, flags, sentence starts, stops, line keys and quotation flags of
        document ``i`` (views, not copies), or None if the compiled pass did not read
        it."""
        if not self.read[i]:
            return None
        a, b = self.words[i], self.words[i + 1]
        c, d = self.sentences[i], self.sentences[i + 1]
        return (
            self.ids[a:b], self.flags[a:b], self.starts[c:d], self.stops[c:d],
            self.lines[c:d], self.quoted[c:d],
        )  # fmt: skip

    def rows(self, keep: npt.NDArray[np.int64]) -> Readings:
        """The documents ``keep``, in that order."""
        words, word_offsets = _take_ragged(self.words, keep)
        sentences, sentence_offsets = _take_ragged(self.sentences, keep)
        return Readings(
            self.ids[words], self.flags[words], word_offsets, self.starts[sentences],
            self.stops[sentences], self.lines[sentences], self.quoted[sentences],
            sentence_offsets, self.read[keep],
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Fingerprints of a batch of texts, as arrays.

    Attributes:
        signatures: view -> ``(n, num_perm)`` uint32 matrix.
        digests: the exact-copy digest of each text.
        words: the number of words of each text.
        lines: the line keys of each text.
        anchors: the passage anchors of each text.
        readings: what verification reads of each text, when asked for
            (:func:`dedup.scan.pool.fingerprint_all`).
    """

    signatures: dict[str, npt.NDArray[np.uint32]]
    digests: list[str]
    words: npt.NDArray[np.int64]
    lines: Lines
    anchors: Anchors
    readings: Readings | None = None

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
            self.readings.rows(keep) if self.readings is not None else None,
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
