"""Exact verification of a candidate pair: overlap per view and sentence alignment.

LSH only proposes candidates; this module measures them. Two kinds of evidence:

* **Set overlap per view** -- exact Jaccard and containment in both directions, beside
  the MinHash estimate, so a reader can see which view found the pair.
* **Sentence alignment** -- every sentence of one document is compared with every
  sentence of the other by word-level Levenshtein similarity (rapidfuzz ``cdist`` on
  sentences encoded one character per word). A sentence whose best counterpart reaches
  ``sentence_similarity`` counts as copied. Working per sentence makes the measure
  indifferent to dropped, added or reordered paragraphs and to page chrome, and
  Levenshtein (not a bag of words) requires the words to line up in order, which an
  article spinner keeps and an independent writer does not: on the seeds the spun copy
  aligns 80% of its words with the original, and every other pair aligns 0%.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein

from dedup.diff.direction import votes
from dedup.fingerprint import Fingerprint, fingerprint_text
from dedup.hashing import KERNEL_VIEWS, kernel_features, view_shingles, word_hash, word_id
from dedup.model import Changes, Evidence, Kind, ViewScores
from dedup.normalize import fold
from dedup.options import FingerprintOptions, VerifyOptions
from dedup.tokens import MAX_SENTENCE_TOKENS, Tokens, tokenize
from dedup.views import VIEWS, facts, numbers

__all__ = [
    "Features",
    "Prepared",
    "Verdict",
    "align",
    "classify",
    "evidence",
    "prepare",
    "quoted",
    "reportable",
    "reportable_evidence",
    "view_scores",
    "worth_reporting",
]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document with everything verification needs, computed once.

    Attributes:
        id: the document's id.
        shingles: view name -> shingle set, as sorted 64-bit keys (:func:`_shingle_set`).
        fingerprint: its MinHash fingerprint.
        features: what the alignment reads of it (:class:`Features`).
    """

    id: str
    shingles: Mapping[str, npt.NDArray[np.uint64]] = field(repr=False)
    fingerprint: Fingerprint = field(repr=False)
    features: Features = field(repr=False, compare=False)
    stacked: _Stacked | None = field(default=None, repr=False, compare=False)
    """The shingle sets and signatures of every view in flat arrays, for one compiled
    call per pair (:func:`_view_scores`)."""

    @property
    def words(self) -> int:
        """The number of words of the document."""
        return len(self.features.ids)


FACT, NUMBER, NAME, FUNCTION = 1, 2, 4, 8
"""Bits of a word's flags as a scan keeps them (:class:`dedup.scan.arrays.Readings`):
a name or number, a number, a name, a function word."""


class Features:
    """What the alignment reads of one document, computed once (a document is verified
    against many candidates), by the compiled pass over its bytes
    (:func:`dedup.hashing.kernel_features`) or, for a text that pass cannot read, from
    its :class:`~dedup.tokens.Tokens`; both give the same values.

    Attributes:
        ids: a 64-bit id of each word (:func:`dedup.hashing.word_id`).
        facts: whether each word is a name or a number (:func:`dedup.views.facts`).
        numbers: whether each word is a number (:func:`dedup.views.numbers`).
        sentences: the sentences, cut in pieces (:class:`_Sentences`).
        shingles: view name -> shingle keys (:func:`_shingle_set`), for the views
            computed.
    """

    def __init__(
        self,
        ids: npt.NDArray[np.int64],
        facts: Sequence[bool] | npt.NDArray[np.bool_],
        numbers: Sequence[bool] | npt.NDArray[np.bool_],
        sentences: _Sentences,
        shingles: dict[str, npt.NDArray[np.uint64]],
        key: Callable[[int], str],
    ) -> None:
        # compact arrays that Python indexes and slices as fast as lists (a scan keeps
        # thousands of documents read); ``ids`` is a numpy view of the same memory
        self.id_list = array("Q", np.asarray(ids, dtype=np.int64).tobytes())  # as unsigned
        self.ids = np.frombuffer(self.id_list, dtype=np.int64) if len(ids) else _NO_IDS
        is_fact = np.asarray(facts, dtype=np.int8)
        is_number = np.asarray(numbers, dtype=np.int8)
        self.facts = array("b", is_fact.tobytes())
        self.numbers = array("b", is_number.tobytes())
        self.running = (
            array("i", _running(is_fact).astype(np.int32).tobytes()),
            array("i", _running(is_number).astype(np.int32).tobytes()),
        )
        """Running counts of names and numbers (``facts``) and of numbers, from 0: the
        count in ``a:b`` is ``running[b] - running[a]``."""
        self.sentences = sentences
        self.shingles = shingles
        self._key = key
        self.sides: dict[tuple[int, bool], _SideArrays] = {}
        """The sentences that count under some options (:func:`_sentences`)."""

    @classmethod
    def of_tokens(cls, tokens: Tokens, views: Collection[str] = ()) -> Features:
        """The reference path: from a text's tokens."""
        shingles = {
            view: _shingle_set(_ids(VIEWS[view].select(tokens)), VIEWS[view].k) for view in views
        }
        return cls(
            _ids(tokens.keys),
            facts(tokens),
            numbers(tokens),
            _Sentences.of(tokens),
            shingles,
            tokens.keys.__getitem__,
        )

    @classmethod
    def of_text(cls, text: str, views: Collection[str] = ()) -> Features:
        """The compiled pass where it can read the text, else the reference path."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the reference path
            return cls.of_tokens(tokenize(text), views)
        found = kernel_features(data, max_sentence=MAX_SENTENCE_TOKENS)
        if found is None:
            return cls.of_tokens(tokenize(text), views)
        ids, spans, is_fact, is_number, starts, stops, lines, quoted, _, _, *keys = found
        by_view = dict(zip(KERNEL_VIEWS, keys, strict=True))
        return cls(
            ids,
            is_fact,
            is_number,
            _Sentences(starts, stops, lines, quoted),
            {view: by_view[view] for view in views},
            _KeyOf(data, spans),
        )

    @classmethod
    def of_reading(
        cls,
        reading: tuple[npt.NDArray[Any], ...],
        text: str,
        views: Collection[str] = (),
    ) -> Features:
        """From what the compiled pass read of ``text`` before (a row of
        :class:`dedup.scan.arrays.Readings`: word ids, :data:`FACT` ... flags, sentence
        starts, stops, line keys, quotation flags): the same values as :meth:`of_text`,
        without reading the text again (only a word's key, if asked for, reads it)."""
        ids, flags, starts, stops, lines, quoted = reading
        names = (flags & NAME) != 0
        keys = view_shingles(ids, names, (flags & FUNCTION) != 0) if views else ()
        by_view = dict(zip(KERNEL_VIEWS, keys, strict=False))
        return cls(
            ids,
            (flags & FACT) != 0,
            (flags & NUMBER) != 0,
            _Sentences(starts.astype(np.int64), stops.astype(np.int64), lines, quoted),
            {view: by_view[view] for view in views},
            _LazyKeyOf(text),
        )

    def key(self, t: int) -> str:
        """The key (:func:`dedup.normalize.fold`) of word ``t``."""
        return self._key(t)

    def keys(self, first: int, stop: int) -> tuple[int, ...]:
        """The words ``first:stop``, as ids."""
        return tuple(self.id_list[first:stop])


_SideArrays = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
    tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]],
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
]
"""Starts, stops, quotation flags, postings and line keys of a document's sentences,
and the sentences' places (``arange``)."""


class _KeyOf:
    """The key of a word, from the text's bytes and the words' byte spans."""

    def __init__(self, data: bytes, spans: npt.NDArray[np.int64]) -> None:
        self._data, self._spans = data, spans

    def __call__(self, t: int) -> str:
        start, end = self._spans[t]
        return fold(self._data[start:end].decode("utf-8"))


class _LazyKeyOf:
    """:class:`_KeyOf`, the text read again only when a key is first asked for."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._of: _KeyOf | None = None

    def __call__(self, t: int) -> str:
        if self._of is None:
            data = (self._text or "").encode("utf-8")
            found = kernel_features(data, max_sentence=MAX_SENTENCE_TOKENS)
            assert found is not None  # the compiled pass read this text before
            self._of, self._text = _KeyOf(data, found[1]), None
        return self._of(t)


def _ids(keys: list[str]) -> npt.NDArray[np.int64]:
    return np.fromiter(map(word_id, keys), dtype=np.int64, count=len(keys))


def _running(flags: Sequence[bool] | npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    out = np.zeros(len(flags) + 1, dtype=np.int64)
    np.cumsum(np.asarray(flags, dtype=np.int64), out=out[1:])
    return out


_NO_IDS = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class _Sentences:
    """A document's sentences cut in pieces (:func:`_pieces`), as arrays: first and
    stop token, the key of the line each starts on, whether each is mostly quoted.
    (The tokenizer's sentences are at most ``MAX_SENTENCE_TOKENS`` words, fewer than
    :data:`MAX_SENTENCE_WORDS`, so the compiled pass, which cuts at the former, gives
    the same pieces.)"""

    starts: npt.NDArray[np.int64]
    stops: npt.NDArray[np.int64]
    lines: npt.NDArray[np.uint64]
    quoted: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, tokens: Tokens) -> _Sentences:
        ranges = list(_pieces(tokens.sentences))
        starts = np.array([a for a, _ in ranges], dtype=np.int64)
        stops = np.array([b for _, b in ranges], dtype=np.int64)
        if not ranges:
            return cls(starts, stops, np.empty(0, dtype=np.uint64), np.empty(0, dtype=bool))
        lines = _line_keys(tokens)[starts]
        inside = _running(quoted(tokens))
        is_quoted = 2 * (inside[stops] - inside[starts]) > stops - starts
        return cls(starts, stops, lines, is_quoted)


def prepare(
    doc_id: str,
    text: str,
    *,
    fingerprint: FingerprintOptions,
    known: Fingerprint | None = None,
    features: Features | None = None,
) -> Prepared:
    """Read one document for verification (``known``: its fingerprint, ``features``:
    what the alignment reads of it, if the caller has them already)."""
    if features is None:
        features = Features.of_text(text, fingerprint.views)
    if known is None:
        known, _ = fingerprint_text(text, options=fingerprint)
    views = tuple(known.signatures)
    sets = [features.shingles[view] for view in views]
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in sets], out=offsets[1:])
    flat = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint64)
    shingles = {view: flat[offsets[k] : offsets[k + 1]] for k, view in enumerate(views)}
    features.shingles = shingles  # views into ``flat``: one copy of the keys
    signatures = np.stack([known.signatures[view] for view in views]) if views else None
    stacked = _Stacked(views, flat, offsets, signatures) if signatures is not None else None
    return Prepared(doc_id, shingles, known, features, stacked)


@dataclass(frozen=True, slots=True)
class _Stacked:
    views: tuple[str, ...]
    shingles: npt.NDArray[np.uint64]
    offsets: npt.NDArray[np.int64]
    signatures: npt.NDArray[np.uint32]


def _view_scores(a: Prepared, b: Prepared) -> tuple[ViewScores, ...]:
    """:func:`view_scores` of every view of ``a``, in one compiled call when both
    documents have the same views stacked."""
    x, y = a.stacked, b.stacked
    if x is None or y is None or x.views != y.views:
        return tuple(view_scores(a, b, view) for view in a.fingerprint.signatures)
    common, estimates = _loops().view_overlaps(
        x.shingles, x.offsets, x.signatures, y.shingles, y.offsets, y.signatures
    )
    out = []
    for k, view in enumerate(x.views):
        size_a = int(x.offsets[k + 1] - x.offsets[k])
        size_b = int(y.offsets[k + 1] - y.offsets[k])
        shared = int(common[k])
        union = size_a + size_b - shared
        out.append(
            ViewScores(
                view=view,
                estimated_jaccard=float(estimates[k]),
                jaccard=shared / union if union else 0.0,
                containment_a=shared / size_a if size_a else 0.0,
                containment_b=shared / size_b if size_b else 0.0,
            )
        )
    return tuple(out)


_word_hash = lru_cache(maxsize=1 << 16)(word_hash)


def _shingle_set(ids: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.uint64]:
    """The view's shingle set (:func:`dedup.views.shingles`) as sorted distinct 64-bit
    keys: a polynomial in 0x100000001B3 over the words' ids (:func:`word_id`), modulo
    2**64, as the compiled pass computes them. 8 bytes a shingle instead of a string,
    and sets intersected in compiled code. Two shingles share a key when their words
    are the same, or by chance (about 1 in 10^19 per pair of distinct shingles)."""
    if not len(ids):
        return np.empty(0, dtype=np.uint64)
    h = ids.view(np.uint64)
    n = len(h)
    width = min(k, n)
    out = np.zeros(n - width + 1, dtype=np.uint64)
    for i in range(width):  # a polynomial over the word hashes, modulo 2**64
        out = out * np.uint64(0x100000001B3) + h[i : n - width + 1 + i]
    return np.unique(out)


def view_scores(a: Prepared, b: Prepared, view: str) -> ViewScores:
    """Estimated and exact Jaccard and both containments of one view."""
    sa, sb = a.shingles[view], b.shingles[view]
    common, estimate = _loops().view_overlap(
        sa, sb, a.fingerprint.signatures[view], b.fingerprint.signatures[view]
    )
    union = len(sa) + len(sb) - common
    return ViewScores(
        view=view,
        estimated_jaccard=estimate,
        jaccard=common / union if union else 0.0,
        containment_a=common / len(sa) if len(sa) else 0.0,
        containment_b=common / len(sb) if len(sb) else 0.0,
    )


@dataclass(frozen=True, slots=True)
class Alignment:
    """Result of :func:`align` (see :class:`~dedup.model.Evidence` for the fields)."""

    aligned_a: float
    aligned_b: float
    verbatim: float
    pairs: int
    boilerplate: int = 0
    quotations: int = 0
    copied_a: int = 0
    copied_b: int = 0
    changes: Changes = field(default_factory=Changes)
    beyond: int = 0


MAX_SENTENCES = 2000
"""Sentences of each document that take part in an alignment, at most (the first
ones): the alignment compares every sentence with every other, so two book-length
documents would cost time and memory quadratic in their length. 2,000 sentences are
about 40,000 words, twenty times a long news story; the sentences beyond are counted
in ``Evidence.beyond``."""

MAX_SENTENCE_WORDS = 250
"""A longer run of words without sentence punctuation (a table, a list, text with
its punctuation stripped) is aligned in pieces of this many words: a word-level edit
script costs the product of the two lengths."""

_QUOTE_MARKS = re.compile(r"[\"“”«»„\n]")


def quoted(tokens: Tokens) -> list[bool]:
    """Whether each word is inside quotation marks (a quotation ends at a line break).

    >>> quoted(tokenize('He said "we will talk" today.'))
    [False, False, True, True, True, False]
    """
    marks, states, inside = [], [False], False
    for m in _QUOTE_MARKS.finditer(tokens.text):
        mark = m.group()
        if mark == "\n" or mark in "”»":
            inside = False
        elif mark in "“«„":
            inside = True
        else:  # a straight quote opens or closes
            inside = not inside
        marks.append(m.start())
        states.append(inside)
    if len(marks) == 0:
        return [False] * len(tokens)
    before = np.searchsorted(np.array(marks), np.array(tokens.starts), side="left")
    inside_at: list[bool] = np.array(states)[before].tolist()  # the state after the last mark
    return inside_at


@dataclass(frozen=True, slots=True)
class _Side:
    """The sentences of one document that take part in the alignment: token ranges
    ``starts[i]:stops[i]``. ``posted`` are the postings (:func:`_alignloops.postings`)
    of the sentences that count in the document, kept with it, and ``picks`` where each
    of those is among these (-1: left out)."""

    doc: Features
    starts: npt.NDArray[np.int64]
    stops: npt.NDArray[np.int64]
    quoted: npt.NDArray[np.bool_]
    chrome: int
    posted: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]
    picks: npt.NDArray[np.int64]
    beyond: int = 0

    def __len__(self) -> int:
        return len(self.starts)

    def keys_of(self, i: int) -> tuple[int, ...]:
        """The words of sentence ``i``, as ids."""
        return self.doc.keys(int(self.starts[i]), int(self.stops[i]))

    def only(self, keep: list[int] | npt.NDArray[np.int64], *, chrome: int = 0) -> _Side:
        """The sentences ``keep`` (sorted); the others are counted in ``beyond``, or, with
        ``chrome``, were that many lines of page chrome."""
        left_out = self.beyond + (0 if chrome else len(self) - len(keep))
        place = np.full(len(self) + 1, -1, dtype=np.int64)  # index -1: still left out
        place[np.asarray(keep, dtype=np.int64)] = np.arange(len(keep))
        return _Side(
            self.doc,
            self.starts[keep],
            self.stops[keep],
            self.quoted[keep],
            self.chrome + chrome,
            self.posted,
            place[self.picks],
            left_out,
        )


def _sentences(doc: Features, options: VerifyOptions, ignore: npt.NDArray[np.uint64]) -> _Side:
    """The sentences that count, whether each is mostly quoted, and how many were left
    out as page chrome (the lines ``ignore``, sorted)."""
    arrays = _side_arrays(doc, options)
    if not len(ignore):
        return _side_of(doc, arrays, arrays[5], arrays[5])
    kept, picks = _loops().without_lines(arrays[4], ignore)
    return _side_of(doc, arrays, kept, picks)


def _side_arrays(doc: Features, options: VerifyOptions) -> _SideArrays:
    """The sentences long enough to count under ``options``, kept with the document
    for its next pair."""
    key = (options.min_sentence_words, options.skip_quotations)
    known = doc.sides.get(key)
    if known is None:
        found = doc.sentences
        keep = found.stops - found.starts >= options.min_sentence_words
        quoted = found.quoted[keep] if options.skip_quotations else np.zeros(int(keep.sum()), bool)
        starts, stops = found.starts[keep], found.stops[keep]
        posted = _loops().postings(doc.ids, starts, stops)
        # arrays only: a _Side refers to its document, and a cycle between a document
        # and its cache would outlive the scan's cache of documents until a full
        # garbage collection, which a process holding millions of objects seldom runs
        lines = found.lines[keep]
        known = doc.sides[key] = (starts, stops, quoted, posted, lines, np.arange(len(starts)))
    return known


def _line_set(ignore: Collection[int] | npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Line keys to leave out, as the sorted array :func:`_sentences` reads."""
    if isinstance(ignore, np.ndarray):
        return np.unique(ignore.astype(np.uint64))
    return np.array(sorted(ignore), dtype=np.uint64)


def _pieces(sentences: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The sentences, each cut in pieces of at most :data:`MAX_SENTENCE_WORDS` words
    (text without sentence punctuation is one "sentence")."""
    for a, b in sentences:
        while b - a > MAX_SENTENCE_WORDS:
            yield a, a + MAX_SENTENCE_WORDS
            a += MAX_SENTENCE_WORDS
        yield a, b


def _bounded(sa: _Side, sb: _Side) -> tuple[_Side, _Side]:
    """At most :data:`MAX_SENTENCES` sentences of each side, in document order: all of a
    side that fits, else its first ones; of the other side, first those that are also
    among the kept ones (word for word), then its first others, so a long copy with its
    paragraphs moved, or a short text pasted deep into a long page, still compares the
    copied sentences with their originals."""
    if len(sa) <= MAX_SENTENCES and len(sb) <= MAX_SENTENCES:
        return sa, sb
    if len(sb) <= MAX_SENTENCES:  # only a is long: all of b is kept
        kept_b, kept_a = _pick(sb, sa)
        return kept_a, kept_b
    if len(sa) > MAX_SENTENCES:
        sa = sa.only(list(range(MAX_SENTENCES)))
    return _pick(sa, sb)


def _pick(kept: _Side, other: _Side) -> tuple[_Side, _Side]:
    """``kept`` as it is, and at most :data:`MAX_SENTENCES` of ``other``: first its
    sentences that are also in ``kept``, then its first others, in document order."""
    if len(other) <= MAX_SENTENCES:
        return kept, other
    known = {kept.keys_of(i) for i in range(len(kept))}
    inside = [other.keys_of(j) in known for j in range(len(other))]
    shared = [j for j, hit in enumerate(inside) if hit]
    rest = [j for j, hit in enumerate(inside) if not hit]
    return kept, other.only(sorted((shared + rest)[:MAX_SENTENCES]))


def _line_keys(tokens: Tokens) -> npt.NDArray[np.uint64]:
    """The key of the line (:func:`dedup.hashing.line_keys`) each word is on."""
    hashes = np.array([_word_hash(k) for k in tokens.keys], dtype=np.uint64)
    bounds = np.array(tokens.paragraphs, dtype=np.int64).reshape(-1, 2)
    keys = _loops().sequence_hashes(hashes, bounds[:, 0], bounds[:, 1])
    return np.repeat(keys, bounds[:, 1] - bounds[:, 0])


def align(
    a: Tokens,
    b: Tokens,
    options: VerifyOptions | None = None,
    *,
    ignore: Collection[int] | npt.NDArray[np.uint64] = (),
) -> Alignment:
    """Align the sentences of two documents (see the module docs).

    A sentence that is mostly quoted speech counts only inside a copied passage: next
    to an aligned sentence that is not a quotation, or in a run of three aligned
    sentences. An isolated shared quotation is what independent reports of one
    statement have in common, so it is left out (and counted in ``quotations``).

    >>> from dedup.tokens import tokenize
    >>> x = tokenize("The cat sat on the mat today. It was warm and sunny outside.")
    >>> y = tokenize("A cat sat on a mat today. Prices fell sharply in early trading.")
    >>> r = align(x, y)
    >>> (round(r.aligned_a, 2), round(r.aligned_b, 2), r.pairs)
    (0.54, 0.54, 1)
    """
    found = _align(Features.of_tokens(a), Features.of_tokens(b), options or VerifyOptions(), ignore)
    assert found is not None  # no threshold: always measured
    return found


def _align(
    a: Features,
    b: Features,
    options: VerifyOptions,
    ignore: Collection[int] | npt.NDArray[np.uint64],
    threshold: float | None = None,
) -> Alignment | None:
    """The alignment of ``a`` and ``b``; with ``threshold``, ``None`` as soon as the
    pair is known not to be worth reporting at it (:func:`reportable`)."""
    if threshold is not None and options.sentence_similarity > 0:
        return _align_bounded(a, b, options, ignore, threshold)
    lines = _line_set(ignore)
    sa, sb = _bounded(_sentences(a, options, lines), _sentences(b, options, lines))
    return _align_sides(a, b, sa, sb, options, threshold)


def _align_bounded(
    a: Features,
    b: Features,
    options: VerifyOptions,
    ignore: Collection[int] | npt.NDArray[np.uint64],
    threshold: float,
) -> Alignment | None:
    """:func:`_align` with a threshold: its first steps in one compiled call, and the
    pair measured only when those do not rule it out."""
    ta, tb = _side_arrays(a, options), _side_arrays(b, options)
    if len(ta[0]) > MAX_SENTENCES or len(tb[0]) > MAX_SENTENCES:  # the general path
        lines = _line_set(ignore)
        sa, sb = _bounded(_sentences(a, options, lines), _sentences(b, options, lines))
        return _align_sides(a, b, sa, sb, options, threshold)
    kept_a, picks_a, kept_b, picks_b, shared, most_a, most_b, most, total_a, total_b = (
        _loops().bound(
            ta[4], ta[0], ta[1], *ta[3], tb[4], tb[0], tb[1], *tb[3],
            _line_set(ignore), options.sentence_similarity,
        )
    )  # fmt: skip
    chrome = len(ta[0]) - len(kept_a) + len(tb[0]) - len(kept_b)
    nothing = _nothing(chrome, 0, threshold, options)
    if not len(kept_a) or not len(kept_b):
        return nothing
    if not _could_report(most_a, most_b, most, total_a, total_b, threshold, options):
        return None
    sa, sb = _side_of(a, ta, kept_a, picks_a), _side_of(b, tb, kept_b, picks_b)
    return _measure(a, b, sa, sb, shared, options, threshold, nothing)


def _nothing(
    chrome: int, beyond: int, threshold: float | None, options: VerifyOptions
) -> Alignment | None:
    """The alignment of a pair in which nothing aligns; ``None`` when, at
    ``threshold``, such a pair is not worth reporting."""
    if threshold is not None and not reportable(0.0, 0, 0, threshold, options):
        return None
    return Alignment(0.0, 0.0, 0.0, 0, chrome, beyond=beyond)


def _align_sides(
    a: Features,
    b: Features,
    sa: _Side,
    sb: _Side,
    options: VerifyOptions,
    threshold: float | None,
) -> Alignment | None:
    """:func:`_align` of sides already chosen (the general path)."""
    nothing = _nothing(sa.chrome + sb.chrome, sa.beyond + sb.beyond, threshold, options)
    if not len(sa) or not len(sb):
        return nothing
    loops = _loops()
    shared = loops.shared_words(*sa.posted, sa.picks, len(sa), *sb.posted, sb.picks, len(sb))
    floor = options.sentence_similarity
    if threshold is not None and floor > 0:
        most_a, most_b, most = loops.reach(shared, sa.starts, sa.stops, sb.starts, sb.stops, floor)
        total_a = float((sa.stops - sa.starts).sum())
        total_b = float((sb.stops - sb.starts).sum())
        if not _could_report(most_a, most_b, most, total_a, total_b, threshold, options):
            return None
    return _measure(a, b, sa, sb, shared, options, threshold, nothing)


def _side_of(
    doc: Features, arrays: _SideArrays, kept: npt.NDArray[np.int64], picks: npt.NDArray[np.int64]
) -> _Side:
    """The side of ``doc`` made of its counting sentences ``kept`` (``picks``: the place
    of each among them), the others left out as page chrome."""
    starts, stops, quoted, posted, _, places = arrays
    if len(kept) == len(starts):
        return _Side(doc, starts, stops, quoted, 0, posted, places)
    chrome = len(starts) - len(kept)
    return _Side(doc, starts[kept], stops[kept], quoted[kept], chrome, posted, picks)


def _measure(
    a: Features,
    b: Features,
    sa: _Side,
    sb: _Side,
    shared: npt.NDArray[np.int32],
    options: VerifyOptions,
    threshold: float | None,
    nothing: Alignment | None,
) -> Alignment | None:
    """The alignment of two sides whose shared words are ``shared``; with
    ``threshold``, ``None`` when it is not worth reporting at it."""
    floor = options.sentence_similarity
    loops = _loops()
    len_a = (sa.stops - sa.starts).astype(np.float64)
    len_b = (sb.stops - sb.starts).astype(np.float64)
    total_a, total_b = len_a.sum(), len_b.sum()
    chrome, beyond = sa.chrome + sb.chrome, sa.beyond + sb.beyond
    # Each side also offers every two adjacent sentences joined, so a sentence that a
    # copy split in two, or two that it merged, still find their counterpart.
    sims = loops.similarities_of(
        shared, a.ids, sa.starts, sa.stops, b.ids, sb.starts, sb.stops, floor
    )
    if floor > 0 and not sims.any():  # no sentence comes near another: nothing aligns
        return nothing
    best_a, best_b, hit_a, hit_b, lone_a, lone_b, rows, cols = loops.summary(
        sims, floor, sa.quoted, sb.quoted, len_a, len_b
    )
    copied_a, copied_b = len_a[hit_a].sum(), len_b[hit_b].sum()
    pairs = int(min(hit_a.sum(), hit_b.sum()))
    if threshold is not None and not _could_report(
        copied_a, copied_b, pairs, total_a, total_b, threshold, options
    ):
        return None  # measured, and not worth reporting: the word-by-word changes not read
    copied = float(copied_a + copied_b)
    kept = float((best_a * len_a)[hit_a].sum() + (best_b * len_b)[hit_b].sum())
    return Alignment(
        aligned_a=float(copied_a / total_a),
        aligned_b=float(copied_b / total_b),
        verbatim=kept / copied if copied else 0.0,
        pairs=pairs,
        boilerplate=chrome,
        quotations=lone_a + lone_b,
        copied_a=int(copied_a),
        copied_b=int(copied_b),
        changes=_changes(sa, sb, sims, rows.tolist(), cols.tolist()),
        beyond=beyond,
    )


def _could_report(
    words_a: float,
    words_b: float,
    sentences: int,
    total_a: float,
    total_b: float,
    threshold: float,
    options: VerifyOptions,
) -> bool:
    """:func:`reportable` of an alignment (or of upper bounds of one) that finds
    ``words_a`` of ``total_a`` words of one side and ``words_b`` of ``total_b`` of the
    other, in ``sentences`` sentences, as :class:`Alignment` and :func:`classify` would
    score it."""
    score = max(float(words_a / total_a), float(words_b / total_b))
    return reportable(score, int(min(words_a, words_b)), sentences, threshold, options)


@lru_cache(maxsize=1)
def _loops() -> Any:
    """The compiled loops (:mod:`dedup._alignloops`); numba takes a moment to import."""
    from dedup import _alignloops

    return _alignloops


def _changes(
    sa: _Side,
    sb: _Side,
    sims: npt.NDArray[np.float32],
    rows: list[int],
    cols: list[int],
) -> Changes:
    """What changed between aligned sentences, word by word.

    Sentences are paired one to one, best pair first (``rows`` and ``cols``: the
    aligned pairs at the floor, in that order); each pair's Levenshtein edit script is
    read for one-for-one substitutions, insertions and deletions, and for the names
    and numbers (:func:`dedup.views.facts`) kept or swapped.
    """
    if not rows:
        return Changes()
    fa, fb = sa.doc.facts, sb.doc.facts
    na, nb = sa.doc.numbers, sb.doc.numbers
    (sfa, sna), (sfb, snb) = sa.doc.running, sb.doc.running
    ida, idb = sa.doc.id_list, sb.doc.id_list
    starts_a, stops_a = sa.starts.tolist(), sa.stops.tolist()
    starts_b, stops_b = sb.starts.tolist(), sb.stops.tolist()
    used_a: set[int] = set()
    used_b: set[int] = set()
    distinct: set[tuple[str, str]] = set()
    substituted = isolated = changed = indels = 0
    n_facts = facts_kept = fact_swaps = name_swaps = n_numbers = numbers_kept = 0
    key_a, key_b = sa.doc.key, sb.doc.key
    most = min(len(sa), len(sb))
    paired: list[tuple[int, int, int, int, int, int, int]] = []  # for passages: see below
    for i, j in zip(rows, cols, strict=True):
        if len(used_a) == most:  # every sentence of the shorter side has its pair
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        a0, a1 = starts_a[i], stops_a[i]
        b0, b1 = starts_b[j], stops_b[j]
        paired.append((i, j, a1 - a0, b1 - b0, fact_swaps, n_facts, changed))
        n_facts += sfa[a1] - sfa[a0] + sfb[b1] - sfb[b0]
        n_numbers += sna[a1] - sna[a0] + snb[b1] - snb[b0]
        if sims[i, j] == 1.0:  # the same words: nothing changed
            facts_kept += sfa[a1] - sfa[a0] + sfb[b1] - sfb[b0]
            numbers_kept += sna[a1] - sna[a0] + snb[b1] - snb[b0]
            continue
        ops = Levenshtein.opcodes(ida[a0:a1], idb[b0:b1])
        last = len(ops) - 1
        for k, op in enumerate(ops):
            i1, i2, j1, j2 = op.src_start, op.src_end, op.dest_start, op.dest_end
            x1, x2, y1, y2 = a0 + i1, a0 + i2, b0 + j1, b0 + j2
            if op.tag == "equal":
                facts_kept += sfa[x2] - sfa[x1] + sfb[y2] - sfb[y1]
                numbers_kept += sna[x2] - sna[x1] + snb[y2] - snb[y1]
                continue
            changed += max(i2 - i1, j2 - j1)
            indels += abs((i2 - i1) - (j2 - j1))
            if op.tag != "replace":  # an added clause is an edit, its names no changed fact
                n_facts -= sfa[x2] - sfa[x1] + sfb[y2] - sfb[y1]
                n_numbers -= sna[x2] - sna[x1] + snb[y2] - snb[y1]
                continue
            for x, y in zip(range(x1, x2), range(y1, y2), strict=False):
                if fa[x] and fb[y]:  # a name or number for another: filling in a template
                    fact_swaps += 1
                    name_swaps += not (na[x] or nb[y])
                    continue
                if fa[x] or fb[y]:  # "one" -> "single", "Fadiga" -> "he": no changed fact
                    n_facts -= fa[x] + fb[y]
                    n_numbers -= na[x] + nb[y]
                substituted += 1
                distinct.add((key_a(x), key_b(y)))
            # the longer side's words beyond the pairs are added words, as above
            extra_a, extra_b = x1 + (j2 - j1), y1 + (i2 - i1)
            if extra_a < x2:
                n_facts -= sfa[x2] - sfa[extra_a]
                n_numbers -= sna[x2] - sna[extra_a]
            if extra_b < y2:
                n_facts -= sfb[y2] - sfb[extra_b]
                n_numbers -= snb[y2] - snb[extra_b]
            if (
                i2 - i1 == 1 == j2 - j1
                and not (fa[x1] or fb[y1])
                and (k == 0 or ops[k - 1].tag == "equal")
                and (k == last or ops[k + 1].tag == "equal")
            ):
                isolated += 1
    a_votes, b_votes = votes(distinct)
    # a pair swaps its names and numbers (a template's row) when over a tenth of them
    ends = [p[4:] for p in paired[1:]] + [(fact_swaps, n_facts, changed)]
    kept = [
        (i, j, wa, wb, changed_end - changed_at)
        for (i, j, wa, wb, swaps, facts, changed_at), (swaps_end, facts_end, changed_end) in zip(
            paired, ends, strict=True
        )
        if 2 * (swaps_end - swaps) <= _PASSAGE_SWAPS * (facts_end - facts)
    ]
    return Changes(
        passage_words=_longest_passage(kept),
        substituted=substituted,
        isolated=isolated,
        changed=changed,
        indels=indels,
        facts=n_facts,
        facts_kept=facts_kept,
        fact_swaps=fact_swaps,
        name_swaps=name_swaps,
        numbers=n_numbers,
        numbers_kept=numbers_kept,
        swap_pairs=len(distinct),
        a_more_common=a_votes,
        b_more_common=b_votes,
    )


def _longest_passage(pairs: list[tuple[int, int, int, int, int]]) -> int:
    """The words (the smaller side's) of the longest copied passage among aligned
    sentence pairs ``(i, j, words_i, words_j, changed)`` that swap no name or number:
    at least ``_PASSAGE_SENTENCES`` pairs close together on both sides, each at most
    ``_PASSAGE_GAP`` sentences after the one before on one side and as near the others
    on the other (a copy drops a sentence, or swaps two paragraphs, here and there),
    keeping ``_PASSAGE_VERBATIM`` of their words (a spin does; a rewrite does not).

    >>> copied = [(0, 5, 20, 20, 0), (1, 7, 30, 30, 3), (3, 6, 30, 25, 5)]
    >>> _longest_passage([*copied, (40, 1, 9, 9, 0)])
    75
    >>> _longest_passage([(0, 5, 20, 20, 0), (1, 70, 30, 30, 0), (3, 6, 30, 25, 0)])
    0
    >>> _longest_passage([(0, 0, 30, 30, 15), (1, 1, 30, 30, 15), (2, 2, 30, 30, 15)])  # reworded
    0
    """
    best = 0
    run_a = run_b = run_changed = length = 0
    last_i, low_j, high_j = -_PASSAGE_GAP - 1, 0, 0
    for i, j, wa, wb, changed in sorted(pairs):
        if i - last_i <= _PASSAGE_GAP and low_j - _PASSAGE_GAP <= j <= high_j + _PASSAGE_GAP:
            run_a, run_b, length = run_a + wa, run_b + wb, length + 1
            run_changed += changed
            low_j, high_j = min(low_j, j), max(high_j, j)
        else:
            run_a, run_b, run_changed, length, low_j, high_j = wa, wb, changed, 1, j, j
        last_i = i
        verbatim = 1 - run_changed / max(run_a, run_b, 1)
        if length >= _PASSAGE_SENTENCES and verbatim >= _PASSAGE_VERBATIM:
            best = max(best, min(run_a, run_b))
    return best


def evidence(
    a: Prepared,
    b: Prepared,
    options: VerifyOptions | None = None,
    *,
    ignore: Collection[int] | npt.NDArray[np.uint64] = (),
) -> Evidence:
    """All measurements on one pair; sentences on lines whose key
    (:func:`dedup.hashing.line_keys`) is in ``ignore`` (page chrome) are left out of the
    alignment."""
    found = _evidence(a, b, options or VerifyOptions(), ignore, None)
    assert found is not None  # no threshold: always measured
    return found


def reportable_evidence(
    a: Prepared,
    b: Prepared,
    options: VerifyOptions,
    threshold: float,
    *,
    ignore: Collection[int] | npt.NDArray[np.uint64] = (),
) -> Evidence | None:
    """:func:`evidence`, or ``None`` when the pair cannot be worth reporting at
    ``threshold`` (:func:`worth_reporting`): known from the words its sentences share,
    before any sentence is measured. Where it is not ``None`` it equals
    :func:`evidence`, and a pair it skips would not have been reported: a scan keeps the
    same pairs and spends nothing on the hopeless ones (most candidates in a corpus
    whose documents share a sentence or two)."""
    return _evidence(a, b, options, ignore, threshold)


def _evidence(
    a: Prepared,
    b: Prepared,
    options: VerifyOptions,
    ignore: Collection[int] | npt.NDArray[np.uint64],
    threshold: float | None,
) -> Evidence | None:
    aligned = _align(a.features, b.features, options, ignore, threshold)
    if aligned is None:
        return None
    return Evidence(
        views=_view_scores(a, b),
        aligned_a=aligned.aligned_a,
        aligned_b=aligned.aligned_b,
        verbatim=aligned.verbatim,
        aligned_sentences=aligned.pairs,
        boilerplate=aligned.boilerplate,
        quotations=aligned.quotations,
        copied_a=aligned.copied_a,
        copied_b=aligned.copied_b,
        changes=aligned.changes,
        beyond=aligned.beyond,
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """What :func:`classify` decided: the kind, the score and why."""

    kind: Kind
    score: float
    reason: str


# Shapes of the edits, from measured pairs (benchmarks/README.md, "Kinds"): a spinner's
# swaps are mostly one word for one with unchanged words around them; a template's are
# mostly names and numbers; chance alignments of different sentences are runs of edits.
_SPUN_MAX_FACT_SHARE = 0.35  # at most this share of a spun copy's swaps touch a name/number
_TEMPLATE_MIN_FACT_SHARE = 1 / 3  # a template's swapped names and numbers: share of changes
_TEMPLATE_MIN_FACTS = 4  # names and numbers changed (both sides counted) for a template
_TEMPLATE_NAME_SWAPS = 2  # or names swapped for other names (no thesaurus does that)
_FACTS_CHANGED_SHARE = 0.2  # and this share of the swaps ("forty" -> "XL" is a thesaurus's)
_FILLED_IN_KEPT = 0.9  # a pair whose changes are mostly names and numbers keeps fewer
_FIGURES_ONLY_KEPT = 0.95  # or, when nothing but names and numbers changed, fewer than this
_MIN_SPUN_WORDS = 30  # words aligned on each side before substitutions mean anything
_SPUN_SENTENCES = 3  # and sentences: a shared background sentence or two, re-edited, is no spin
_SPUN_MIN_ISOLATED = 0.25  # share of the changed words that are isolated one-for-one swaps
_SPUN_MAX_INDELS = 0.4  # share of the changed words inserted or deleted
_EDITED_WORDS = 60  # an edited copy (words inserted, deleted, reworded) aligns this many
_EDITED_SENTENCES = 3  # in this many sentences
_EDITED_VERBATIM = 0.6  # and keeps this share verbatim
_REWORDED_VERBATIM = 0.5  # or this share, when the whole story is reworded:
_REWORDED_ALIGNED = 0.5  # at least this share of each text aligned (not one background block)
_PARTIAL_SENTENCES = 2  # a partial copy is a passage: more than one sentence
_PASSAGE_SENTENCES = 3  # a passage reported whatever share of its documents it is
_PASSAGE_SWAPS = 0.1  # share of a passage's names and numbers that may be swapped
_PASSAGE_GAP = 3  # sentences between two of a passage's aligned pairs, at most
_PASSAGE_VERBATIM = 0.6  # share of a passage's words kept (a spin at 50% keeps 0.8)
_TEMPLATE_COVERS = 0.5  # a form filled in twice aligns most of both texts, its notes too


def classify(ev: Evidence, *, exact: bool = False, options: VerifyOptions | None = None) -> Verdict:
    """The kind, score and reason of a measured pair.

    The score is the larger of the two aligned shares: how much of one document is
    found in the other. The kind (see :mod:`dedup.model`) comes from how the aligned
    sentences differ (:class:`~dedup.model.Changes`):

    * ``template`` when a good share of their names and numbers differ and those make
      up a good share of the swaps;
    * ``spun`` when they keep their names and numbers and enough other words were
      swapped one for one, many different swaps, in the shape a spinner leaves: mostly
      isolated swaps between unchanged words, few words inserted or deleted;
    * ``near-duplicate`` / ``partial`` when they are kept almost word for word, or, over
      a longer stretch, edited (words inserted, deleted, reworded: an updated version);
    * ``related`` otherwise: sentences that look alike, not a copy.

    >>> from dedup.model import Changes
    >>> ev = Evidence((), 1.0, 1.0, 0.7, 4, copied_a=40, copied_b=40,
    ...               changes=Changes(substituted=12, isolated=10, changed=12, facts=10,
    ...                               facts_kept=10, swap_pairs=12))
    >>> classify(ev).kind.value
    'spun'
    """
    options = options or VerifyOptions()
    if exact:
        return Verdict(Kind.EXACT, 1.0, "the same words in the same order")
    score = max(ev.aligned_a, ev.aligned_b)
    ch = ev.changes
    if not ev.aligned_sentences:
        return Verdict(Kind.RELATED, score, "no sentence aligns")
    changed_facts = ch.facts - ch.facts_kept
    facts_changed = _facts_changed(ch, options) and ch.fact_share >= _FACTS_CHANGED_SHARE
    other_subject = facts_changed or ch.name_swaps >= _TEMPLATE_NAME_SWAPS
    template = _filled_in(ch) or (
        other_subject and ch.fact_swaps >= _TEMPLATE_MIN_FACT_SHARE * ch.changed
    )
    # a copied passage amid a few rows filled in alike, in pages that share little else
    passage = (
        0 < options.passage_words <= ch.passage_words
        and min(ev.aligned_a, ev.aligned_b) < _TEMPLATE_COVERS
    )
    if template and passage:
        return _passage(
            score,
            ch,
            f"the texts share wording with other figures ({changed_facts} of "
            f"{ch.facts} names and numbers differ)",
        )
    if template:
        return Verdict(
            Kind.TEMPLATE,
            score,
            f"same wording with other names and numbers: {changed_facts} of {ch.facts} differ",
        )
    facts_note = f"{ch.facts_kept} of {ch.facts} names and numbers kept"
    spun = "" if facts_changed else _spun(ev, options)
    if spun:
        return Verdict(Kind.SPUN, score, f"{spun}; {facts_note}")
    edited = (
        (
            ev.verbatim >= _EDITED_VERBATIM
            or (
                ev.verbatim >= _REWORDED_VERBATIM
                and min(ev.aligned_a, ev.aligned_b) >= _REWORDED_ALIGNED
            )
        )
        and ev.aligned_sentences >= _EDITED_SENTENCES
        and min(ev.copied_a, ev.copied_b) >= _EDITED_WORDS
        and (ch.fact_swaps <= 1 or ch.facts_kept >= _FILLED_IN_KEPT * ch.facts)
    )
    if (ev.verbatim >= options.verbatim or edited) and not facts_changed:
        verbatim = f"{ev.verbatim:.0%} of the aligned words verbatim"
        copied = min(ev.copied_a, ev.copied_b)
        if min(ev.aligned_a, ev.aligned_b) >= options.near_duplicate:
            return Verdict(
                Kind.NEAR_DUPLICATE,
                score,
                f"each text is at least {options.near_duplicate:.0%} in the other, {verbatim}",
            )
        if ev.aligned_sentences < _PARTIAL_SENTENCES and copied < options.passage_words:
            return Verdict(
                Kind.RELATED,
                score,
                "one sentence in common (a shared lead, background or quotation), not a passage",
            )
        return Verdict(
            Kind.PARTIAL,
            score,
            f"{copied} words of one text are in the other, {verbatim}",
        )
    if passage:
        return _passage(score, ch, f"{ev.aligned_sentences} sentences look alike, not copied")
    return Verdict(
        Kind.RELATED,
        score,
        f"{ev.aligned_sentences} sentences look alike ({ev.verbatim:.0%} verbatim, "
        f"{ch.substituted} words swapped, {facts_note}), not in the way copying leaves them",
    )


def _passage(score: float, ch: Changes, elsewhere: str) -> Verdict:
    """The verdict on a copied passage (``ch.passage_words``) amid other look-alikes."""
    return Verdict(
        Kind.PARTIAL,
        score,
        f"a passage of {ch.passage_words} words copied with its names and numbers; "
        f"elsewhere {elsewhere}",
    )


def _facts_changed(ch: Changes, options: VerifyOptions) -> bool:
    """Whether fewer names and numbers were kept than a copy keeps."""
    return (
        ch.facts - ch.facts_kept >= _TEMPLATE_MIN_FACTS
        and ch.facts_kept < options.facts_kept * ch.facts
    ) or (
        ch.numbers - ch.numbers_kept >= _TEMPLATE_MIN_FACTS
        and ch.numbers_kept < options.facts_kept * ch.numbers
    )


def _filled_in(ch: Changes) -> bool:
    """A short formula with its figure or name swapped (a notice, a rate): at least
    half the changes are names and numbers, and fewer than ``_FILLED_IN_KEPT`` of them
    were kept, or nothing else changed and fewer than ``_FIGURES_ONLY_KEPT`` were kept
    (the same notice on another day: "arrange two billion dlrs" / "1.5 billion dlrs")."""
    return (
        ch.fact_swaps >= 1
        and 2 * ch.fact_swaps >= ch.changed
        and ch.facts - ch.facts_kept >= 2
        and (
            ch.facts_kept < _FILLED_IN_KEPT * ch.facts
            or (ch.fact_swaps == ch.changed and ch.facts_kept < _FIGURES_ONLY_KEPT * ch.facts)
        )
    )


def worth_reporting(
    verdict: Verdict, ev: Evidence, threshold: float, options: VerifyOptions
) -> bool:
    """Whether a measured pair is worth reporting (:func:`reportable`)."""
    return reportable(
        verdict.score, min(ev.copied_a, ev.copied_b), ev.aligned_sentences, threshold, options
    )


def reportable(
    score: float, copied: int, sentences: int, threshold: float, options: VerifyOptions
) -> bool:
    """Whether a pair of this score, words copied (on the side with fewer) and aligned
    sentences is worth reporting: its score reaches ``threshold``, or it shares a
    passage (at least ``passage_words`` words, unless that is 0, in at least
    ``_PASSAGE_SENTENCES`` sentences), however long the documents around it are. It
    only grows with each of them, so upper bounds of the three give an upper bound of
    the answer (:func:`reportable_evidence`)."""
    passage = options.passage_words
    return score >= threshold or (0 < passage <= copied and sentences >= _PASSAGE_SENTENCES)


def _spun(ev: Evidence, options: VerifyOptions) -> str:
    """Why the pair is a spun copy, or ``""`` if it is not."""
    ch = ev.changes
    words = ev.copied_a + ev.copied_b
    rate = 2 * ch.substituted / words if words else 0.0
    if (
        ch.substituted < options.spun_substitutions
        or rate < options.spun_rate
        or ch.fact_share > _SPUN_MAX_FACT_SHARE
        or min(ev.copied_a, ev.copied_b) < _MIN_SPUN_WORDS
        or ev.aligned_sentences < _SPUN_SENTENCES
    ):
        return ""  # too little swapped, or one re-edited background sentence or two
    isolated = ch.isolated / ch.changed if ch.changed else 0.0
    if ev.verbatim >= options.verbatim and (
        rate < 2 * options.spun_rate
        or isolated < 0.3
        or ch.swap_pairs < 1.5 * options.spun_substitutions
    ):
        return ""  # a copy with a few words changed, not a spin
    if (
        isolated < _SPUN_MIN_ISOLATED
        or ch.indels > _SPUN_MAX_INDELS * ch.changed
        or ch.swap_pairs < options.spun_substitutions
    ):
        return ""  # rewritten, re-edited or restyled ("cents" -> "cts"), not spun
    return (
        f"{ch.substituted} words swapped ({rate:.0%} of the aligned words, "
        f"{ch.swap_pairs} different swaps, {ch.isolated} of them one word for one between "
        "unchanged words)"
    )
