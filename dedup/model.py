"""The value types every stage hands to the next: plain frozen dataclasses.

``report`` renders these and nothing else; the CLI prints what ``report`` returns.

Kinds of match (a pair is reported once, with the first kind that fits):

``exact``
    The two texts have the same words in the same order: they differ at most in case,
    punctuation, quotes and spacing.
``near-duplicate``
    Nearly all of each text is in the other, almost word for word: reprints, mirrors,
    lightly edited or updated versions of one story.
``partial``
    A large part of one text is in the other almost word for word, but the other has
    much that the first lacks: an excerpt, or half an article pasted under another one.
``spun``
    The texts align sentence by sentence, but many words in the aligned sentences were
    swapped for others: the signature of an article spinner (or a light rewrite).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

__all__ = [
    "Cluster",
    "Document",
    "Evidence",
    "Kind",
    "Match",
    "Problem",
    "ScanResult",
    "ViewScores",
]


class Kind(enum.StrEnum):
    """What kind of copy a pair is (see the module docs)."""

    EXACT = "exact"
    NEAR_DUPLICATE = "near-duplicate"
    PARTIAL = "partial"
    SPUN = "spun"


@dataclass(frozen=True, slots=True)
class Document:
    """A document to compare: an id and its text."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class ViewScores:
    """How much two documents overlap in one view.

    Attributes:
        view: the view's name (``words``, ``skeleton``).
        estimated_jaccard: Jaccard estimated from the MinHash signatures.
        jaccard: exact Jaccard of the two shingle sets.
        containment_a: share of a's shingles that are also b's.
        containment_b: share of b's shingles that are also a's.
    """

    view: str
    estimated_jaccard: float
    jaccard: float
    containment_a: float
    containment_b: float


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything measured on one pair, so a reader can check the verdict.

    Attributes:
        views: overlap per view.
        aligned_a: share of a's words in sentences that align with a sentence of b.
        aligned_b: share of b's words in sentences that align with a sentence of a.
        verbatim: share of words kept verbatim within the aligned sentences (1.0 for a
            pure copy, lower when words were substituted).
        aligned_sentences: number of aligned sentence pairs.
        boilerplate: sentences left out of the alignment because their line recurs in
            many documents that are not copies of these two (page chrome: navigation,
            newsletter blurbs, footers).
        quotations: sentences left out of the alignment because they are mostly quoted
            speech, which independent reports of one story share.
    """

    views: tuple[ViewScores, ...]
    aligned_a: float
    aligned_b: float
    verbatim: float
    aligned_sentences: int
    boilerplate: int = 0
    quotations: int = 0

    def swapped(self) -> Evidence:
        """The same evidence with the roles of ``a`` and ``b`` exchanged."""
        return replace(
            self,
            views=tuple(
                replace(v, containment_a=v.containment_b, containment_b=v.containment_a)
                for v in self.views
            ),
            aligned_a=self.aligned_b,
            aligned_b=self.aligned_a,
        )

    def view(self, name: str) -> ViewScores:
        """The scores of the view called ``name``."""
        for scores in self.views:
            if scores.view == name:
                return scores
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Match:
    """One duplicate pair: ``a`` sorts before ``b`` in :meth:`Detector.scan` output.

    Attributes:
        a: id of the first document.
        b: id of the second document.
        kind: what kind of copy this is.
        score: how much of one document is found in the other (the larger share), 0..1.
        evidence: the measurements behind ``kind`` and ``score``.
    """

    a: str
    b: str
    kind: Kind
    score: float
    evidence: Evidence = field(compare=False)


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of documents linked by matches (transitively)."""

    ids: tuple[str, ...]
    kinds: tuple[Kind, ...]
    score: float


@dataclass(frozen=True, slots=True)
class Problem:
    """A document or record that could not be used, and why."""

    source: str
    message: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan found: the pairs (best first), the documents compared, the problems."""

    matches: tuple[Match, ...]
    documents: int
    problems: tuple[Problem, ...] = ()
