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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dedup.fingerprint import Fingerprint, estimated_jaccard, fingerprint_text
from dedup.hashing import sequence_hash, word_hash
from dedup.model import Evidence, Kind, ViewScores
from dedup.options import FingerprintOptions, VerifyOptions
from dedup.tokens import Tokens, tokenize
from dedup.views import VIEWS

__all__ = ["Prepared", "align", "classify", "evidence", "prepare", "quoted", "view_scores"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document with everything verification needs, computed once.

    Attributes:
        id: the document's id.
        tokens: its tokens.
        shingles: view name -> shingle set.
        fingerprint: its MinHash fingerprint.
    """

    id: str
    tokens: Tokens = field(repr=False)
    shingles: Mapping[str, set[str]] = field(repr=False)
    fingerprint: Fingerprint = field(repr=False)


def prepare(
    doc_id: str,
    text: str,
    *,
    fingerprint: FingerprintOptions,
    known: Fingerprint | None = None,
) -> Prepared:
    """Tokenise, shingle and fingerprint one document for verification (``known``: its
    fingerprint, if the caller has it already)."""
    tokens = tokenize(text)
    shingles = {view: VIEWS[view].shingles(tokens) for view in fingerprint.views}
    if known is None:
        known, _ = fingerprint_text(text, options=fingerprint)
    return Prepared(doc_id, tokens, shingles, known)


def view_scores(a: Prepared, b: Prepared, view: str) -> ViewScores:
    """Estimated and exact Jaccard and both containments of one view."""
    sa, sb = a.shingles[view], b.shingles[view]
    common = len(sa & sb)
    union = len(sa) + len(sb) - common
    return ViewScores(
        view=view,
        estimated_jaccard=estimated_jaccard(
            a.fingerprint.signatures[view], b.fingerprint.signatures[view]
        ),
        jaccard=common / union if union else 0.0,
        containment_a=common / len(sa) if sa else 0.0,
        containment_b=common / len(sb) if sb else 0.0,
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


_QUOTE_MARKS = re.compile(r"[\"“”«»„\n]")


def quoted(tokens: Tokens) -> list[bool]:
    """Whether each word is inside quotation marks (a quotation ends at a line break).

    >>> quoted(tokenize('He said "we will talk" today.'))
    [False, False, True, True, True, False]
    """
    marks = [(m.start(), m.group()) for m in _QUOTE_MARKS.finditer(tokens.text)]
    inside, out, i = False, [], 0
    for start in tokens.starts:
        while i < len(marks) and marks[i][0] < start:
            mark = marks[i][1]
            if mark == "\n" or mark in "”»":
                inside = False
            elif mark in "“«„":
                inside = True
            else:  # a straight quote opens or closes
                inside = not inside
            i += 1
        out.append(inside)
    return out


def _sentences(
    tokens: Tokens, options: VerifyOptions, ignore: Collection[int]
) -> tuple[list[list[str]], int, int]:
    """The sentences that count, how many were left out as page chrome, and how many
    as quotations."""
    min_words = options.min_sentence_words
    inside = quoted(tokens) if options.skip_quotations else []
    if inside and 2 * sum(inside) > len(inside):
        inside = []  # mostly quotation (an interview, a statement): keep it all
    line_of = _line_keys(tokens) if ignore else []
    kept, chrome, quotations = [], 0, 0
    for a, b in tokens.sentences:
        if b - a < min_words:
            continue
        if inside and 2 * sum(inside[a:b]) > b - a:
            quotations += 1
            continue
        if ignore and line_of[a] in ignore:
            chrome += 1
            continue
        kept.append(tokens.keys[a:b])
    return kept, chrome, quotations


def _line_keys(tokens: Tokens) -> list[int]:
    """The key of the line (:func:`dedup.hashing.line_keys`) each word is on."""
    out = []
    for first, stop in tokens.paragraphs:
        key = sequence_hash([word_hash(k) for k in tokens.keys[first:stop]])
        out.extend([key] * (stop - first))
    return out


def _encode(a: Sequence[list[str]], b: Sequence[list[str]]) -> tuple[list[str], list[str]]:
    """Each sentence as a string with one character per word (shared vocabulary),
    followed by every two adjacent sentences joined."""
    vocab: dict[str, str] = {}

    def enc(words: list[str]) -> str:
        out = []
        for w in words:
            ch = vocab.get(w)
            if ch is None:
                ch = vocab[w] = chr(0x100 + len(vocab))
            out.append(ch)
        return "".join(out)

    def with_joined(sentences: Sequence[list[str]]) -> list[str]:
        encoded = [enc(s) for s in sentences]
        return encoded + [x + y for x, y in pairwise(encoded)]

    return with_joined(a), with_joined(b)


def align(
    a: Tokens,
    b: Tokens,
    options: VerifyOptions | None = None,
    *,
    ignore: Collection[int] = (),
) -> Alignment:
    """Align the sentences of two documents (see the module docs).

    >>> from dedup.tokens import tokenize
    >>> x = tokenize("The cat sat on the mat today. It was warm and sunny outside.")
    >>> y = tokenize("A cat sat on a mat today. Prices fell sharply in early trading.")
    >>> r = align(x, y)
    >>> (round(r.aligned_a, 2), round(r.aligned_b, 2), r.pairs)
    (0.54, 0.54, 1)
    """
    options = options or VerifyOptions()
    sa, chrome_a, quoted_a = _sentences(a, options, ignore)
    sb, chrome_b, quoted_b = _sentences(b, options, ignore)
    if not sa or not sb:
        return Alignment(0.0, 0.0, 0.0, 0, chrome_a + chrome_b, quoted_a + quoted_b)
    # Each side also offers every two adjacent sentences joined, so a sentence that a
    # copy split in two, or two that it merged, still find their counterpart.
    ea, eb = _encode(sa, sb)
    sims = process.cdist(ea, eb, scorer=Levenshtein.normalized_similarity, workers=1)
    best_a = _best(sims, len(sa), len(sb))
    best_b = _best(sims.T, len(sb), len(sa))
    len_a = np.array([len(s) for s in sa], dtype=np.float64)
    len_b = np.array([len(s) for s in sb], dtype=np.float64)
    hit_a = best_a >= options.sentence_similarity
    hit_b = best_b >= options.sentence_similarity
    copied = float(len_a[hit_a].sum() + len_b[hit_b].sum())
    kept = float((best_a * len_a)[hit_a].sum() + (best_b * len_b)[hit_b].sum())
    return Alignment(
        aligned_a=float(len_a[hit_a].sum() / len_a.sum()),
        aligned_b=float(len_b[hit_b].sum() / len_b.sum()),
        verbatim=kept / copied if copied else 0.0,
        pairs=int(min(hit_a.sum(), hit_b.sum())),
        boilerplate=chrome_a + chrome_b,
        quotations=quoted_a + quoted_b,
    )


def _best(sims: npt.NDArray[np.float64], n_rows: int, n_cols: int) -> npt.NDArray[np.float64]:
    """Best similarity of each of the first ``n_rows`` sentences: against any sentence
    or joined pair of the other side, or, through a joined pair of its own side that
    matches one sentence of the other side better than either half does, for both
    sentences of that pair."""
    best = sims[:n_rows].max(axis=1)
    if n_rows > 1:
        singles = sims[:n_rows, :n_cols]
        pairs = sims[n_rows:, :n_cols]
        halves = np.maximum(singles[:-1], singles[1:])
        pair_best = np.where(pairs > halves, pairs, 0.0).max(axis=1)
        best[:-1] = np.maximum(best[:-1], pair_best)
        best[1:] = np.maximum(best[1:], pair_best)
    return np.asarray(best, dtype=np.float64)


def evidence(
    a: Prepared,
    b: Prepared,
    options: VerifyOptions | None = None,
    *,
    ignore: Collection[int] = (),
) -> Evidence:
    """All measurements on one pair; sentences on lines whose key
    (:func:`dedup.hashing.line_keys`) is in ``ignore`` (page chrome) are left out of the
    alignment."""
    aligned = align(a.tokens, b.tokens, options, ignore=ignore)
    return Evidence(
        views=tuple(view_scores(a, b, view) for view in a.fingerprint.signatures),
        aligned_a=aligned.aligned_a,
        aligned_b=aligned.aligned_b,
        verbatim=aligned.verbatim,
        aligned_sentences=aligned.pairs,
        boilerplate=aligned.boilerplate,
        quotations=aligned.quotations,
    )


def classify(
    ev: Evidence, *, exact: bool = False, options: VerifyOptions | None = None
) -> tuple[Kind, float]:
    """The kind and score of a measured pair.

    The score is the larger of the two aligned shares: how much of one document is
    found in the other.
    """
    options = options or VerifyOptions()
    if exact:
        return Kind.EXACT, 1.0
    score = max(ev.aligned_a, ev.aligned_b)
    if ev.verbatim < options.verbatim:
        return Kind.SPUN, score
    if min(ev.aligned_a, ev.aligned_b) >= options.near_duplicate:
        return Kind.NEAR_DUPLICATE, score
    return Kind.PARTIAL, score
