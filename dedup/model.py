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
    The texts align sentence by sentence, and the aligned sentences keep their names
    and numbers while other words were swapped one for one: the signature of an article
    spinner (or a light rewrite).

Two more kinds say why a pair that shares wording is *not* a copy; scans and checks
leave them out unless asked for:

``template``
    The same wording with other names and numbers: earnings tables, market reports,
    generated stock notes, press-release boilerplate filled in for another company.
``related``
    Some sentences align, but not enough, or not in the way copying leaves them: a
    shared background sentence or quotation, or sentences that happen to look alike.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = [
    "COPY_KINDS",
    "DECIDED",
    "Changes",
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
    TEMPLATE = "template"
    RELATED = "related"


DECIDED = 0.95
"""The confidence from which a guess at the original is a verdict (the sign test at 5%)."""


def sign_test(a: int, b: int) -> float:
    """Two-sided p-value of ``a`` wins against ``b`` under a fair coin (1.0 if no votes).

    >>> round(sign_test(6, 0), 4), sign_test(2, 2)
    (0.0312, 1.0)
    """
    n, k = a + b, max(a, b)
    if n == 0 or a == b:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(k, n + 1))
    return min(1.0, 2 * tail / (1 << n))


COPY_KINDS = frozenset({Kind.EXACT, Kind.NEAR_DUPLICATE, Kind.PARTIAL, Kind.SPUN})
"""The kinds that are copies: what scans and checks report unless asked otherwise."""


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
class Changes:
    """What changed, word by word, between the aligned sentences of a pair (each
    sentence paired with at most one other; counts over both documents where a word
    has two sides).

    Attributes:
        substituted: words replaced one for one by another word, neither a name nor a
            number (what a thesaurus does).
        isolated: those of the substitutions that are one word for one word with
            unchanged words on both sides (the shape a spinner leaves).
        changed: words changed in all (a run of edits counts its longer side).
        indels: words inserted or deleted beyond one-for-one replacements.
        facts: names and numbers (:func:`dedup.views.facts`) in the aligned sentences
            of both documents, except in words only inserted or deleted (a clause
            added to a sentence is an edit; its names are not changed facts).
        facts_kept: of those, the ones kept verbatim.
        fact_swaps: a name or number replaced by another name or number (what filling
            in a template does); a swap with a fact on one side only counts among
            ``substituted``.
        name_swaps: those of ``fact_swaps`` that put a name for another name ("Nomura"
            -> "Yamaichi"): a template's other subject; a thesaurus has no such swaps.
        numbers: the numbers (:func:`dedup.views.numbers`) among ``facts``.
        numbers_kept: of those, the ones kept verbatim.
        swap_pairs: different (word, replacement) pairs among the substitutions: a
            thesaurus makes many, a house style ("cents" -> "cts") a few.
        a_more_common: of those, the ones whose ``a`` word is the more common in
            English (:mod:`dedup.diff.direction`): a spinner puts rare synonyms for common
            words, so these are votes for ``a`` being the original.
        b_more_common: the ones whose ``b`` word is the more common.
        passage_words: the words (the smaller side's) of the longest run of three
            aligned sentences or more, in the same order in both documents, that swaps
            no name or number: a copied passage, whatever else the two share (in two
            long pages, a few earnings tables filled in alike).
    """

    substituted: int = 0
    isolated: int = 0
    changed: int = 0
    indels: int = 0
    facts: int = 0
    facts_kept: int = 0
    fact_swaps: int = 0
    name_swaps: int = 0
    numbers: int = 0
    numbers_kept: int = 0
    swap_pairs: int = 0
    a_more_common: int = 0
    b_more_common: int = 0
    passage_words: int = 0

    @property
    def facts_kept_share(self) -> float:
        """Share of the names and numbers kept (1.0 when there are none)."""
        return self.facts_kept / self.facts if self.facts else 1.0

    @property
    def direction_confidence(self) -> float:
        """One minus the two-sided sign-test p-value of the votes for the original
        (0.0 with no votes or as many each way)."""
        return 1.0 - sign_test(self.a_more_common, self.b_more_common)

    @property
    def original(self) -> Literal["a", "b"] | None:
        """The side the votes say is the original, at :data:`DECIDED` confidence; None
        when they do not say it (too few, or split)."""
        if self.direction_confidence < DECIDED:
            return None
        return "a" if self.a_more_common > self.b_more_common else "b"

    def swapped(self) -> Changes:
        """The same changes with the roles of ``a`` and ``b`` exchanged."""
        return replace(self, a_more_common=self.b_more_common, b_more_common=self.a_more_common)

    @property
    def fact_share(self) -> float:
        """Share of the replaced words that are names or numbers."""
        swaps = self.substituted + self.fact_swaps
        return self.fact_swaps / swaps if swaps else 0.0


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
        quotations: aligned sentences left out because they are quoted speech standing
            alone (not inside a copied passage): independent reports of one statement
            share those.
        copied_a: words of a in aligned sentences.
        copied_b: words of b in aligned sentences.
        changes: what changed word by word in the aligned sentences.
        beyond: sentences of the two documents past the first
            :data:`dedup.verify.MAX_SENTENCES` of each, not compared (0 for documents
            of up to about 40,000 words); the shares above are of the sentences compared.
    """

    views: tuple[ViewScores, ...]
    aligned_a: float
    aligned_b: float
    verbatim: float
    aligned_sentences: int
    boilerplate: int = 0
    quotations: int = 0
    copied_a: int = 0
    copied_b: int = 0
    changes: Changes = field(default_factory=Changes)
    beyond: int = 0

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
            copied_a=self.copied_b,
            copied_b=self.copied_a,
            changes=self.changes.swapped(),
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
        reason: why the pair got its kind, in one sentence a reader can check against
            the evidence.
    """

    a: str
    b: str
    kind: Kind
    score: float
    evidence: Evidence = field(compare=False)
    reason: str = field(default="", compare=False)

    @property
    def original(self) -> str | None:
        """The id of the text the swapped words say is the original, or None when they
        do not say it at :data:`DECIDED` confidence (copies made without a thesaurus
        never do: nothing was swapped)."""
        side = self.evidence.changes.original
        return None if side is None else (self.a if side == "a" else self.b)


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of documents linked by matches (transitively).

    Attributes:
        ids: its documents, sorted.
        kinds: the kinds of its matches.
        score: its best match's score.
        canonical: the document to keep: the one its matches name as the original most
            often, then the one in the most matches, then the first id.
    """

    ids: tuple[str, ...]
    kinds: tuple[Kind, ...]
    score: float
    canonical: str | None = None


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
