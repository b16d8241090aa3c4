"""Typed, frozen, self-validating settings, one class per stage that needs them.

Names follow datasketch (``num_perm``, ``seed``, ``threshold``) so users meet one word
per concept across the library, the CLI and the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dedup.errors import OptionsError

__all__ = ["VIEW_NAMES", "DetectorOptions", "FingerprintOptions", "LshOptions", "VerifyOptions"]

VIEW_NAMES = ("words", "skeleton", "function")
"""The views a document can be fingerprinted on, in the order the kernel computes them
(:mod:`dedup.views` defines each)."""


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise OptionsError(f"{name} must be between 0 and 1, got {value!r}")


@dataclass(frozen=True, slots=True)
class FingerprintOptions:
    """How documents are fingerprinted.

    Attributes:
        views: the views to fingerprint on (see :mod:`dedup.views`).
        num_perm: MinHash permutations per view; more is more accurate and slower.
        seed: MinHash seed; signatures made with different seeds cannot be compared.
    """

    views: tuple[str, ...] = VIEW_NAMES
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        unknown = [v for v in self.views if v not in VIEW_NAMES]
        if unknown or not self.views:
            raise OptionsError(
                f"views must be a non-empty selection of {', '.join(VIEW_NAMES)}; "
                f"got {', '.join(self.views) or 'nothing'}"
            )
        if not 2 <= self.num_perm <= 1024:
            raise OptionsError(f"num_perm must be between 2 and 1024, got {self.num_perm}")
        if not 0 <= self.seed < 2**32:
            raise OptionsError(f"seed must be between 0 and 2**32 - 1, got {self.seed}")


@dataclass(frozen=True, slots=True)
class LshOptions:
    """How candidates are found: LSH bands and rows per view.

    The default, 64 bands of 2 rows on 128 permutations, makes a pair a candidate with
    probability 0.93 at Jaccard 0.2 and 0.998 at 0.3, and 0.0006 at 0.003: recall first,
    since every candidate is verified exactly afterwards.

    Attributes:
        bands: number of LSH bands.
        rows: rows (hash values) per band; ``bands * rows`` must not exceed ``num_perm``.
        prefilter: a candidate whose estimated Jaccard is below this in every view is
            dropped before exact verification.
        passage_anchors: a pair sharing this many rare anchors is a candidate too,
            however little of each document they are (:mod:`dedup.lsh.passages`);
            0 turns passage candidates off. Three anchors are about 12 shared 5-grams.
        passage_documents: an anchor held by more documents than this (page chrome, a
            template, a sentence every wire story repeats) proposes no pairs.
        passage_partners: each document keeps its passage candidates with the most
            anchors in common, this many or one per 100 of its words if that is more
            (0: all), so verification stays linear in the documents when a corpus
            recycles its sentences everywhere.
        bucket_hubs: in a scan, a band bucket of more documents than this (a site
            template, a story reprinted thousands of times) pairs only its first this
            many documents (in the order they were given) with the others, not every
            member with every other: a bucket of ``k`` documents costs about
            ``bucket_hubs * k`` candidates instead of ``k * k / 2``, and its documents
            still form one cluster. 0: every pair.
    """

    bands: int = 64
    rows: int = 2
    prefilter: float = 0.04
    passage_anchors: int = 3
    passage_documents: int = 20
    passage_partners: int = 5
    bucket_hubs: int = 10

    def __post_init__(self) -> None:
        if self.bands < 1 or self.rows < 1:
            raise OptionsError(f"bands and rows must be positive, got {self.bands}x{self.rows}")
        _check_fraction("prefilter", self.prefilter)
        if min(self.passage_anchors, self.passage_documents, self.passage_partners) < 0:
            raise OptionsError(
                "passage_anchors, passage_documents and passage_partners must not be "
                f"negative, got {self.passage_anchors}, {self.passage_documents} and "
                f"{self.passage_partners}"
            )
        if self.bucket_hubs < 0:
            raise OptionsError(f"bucket_hubs must not be negative, got {self.bucket_hubs}")

    def check(self, num_perm: int) -> None:
        """Raise if the bands do not fit in ``num_perm`` permutations."""
        if self.bands * self.rows > num_perm:
            raise OptionsError(
                f"bands * rows ({self.bands} * {self.rows} = {self.bands * self.rows}) "
                f"must not exceed num_perm ({num_perm}); lower bands or rows, or raise num_perm"
            )


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """How a candidate pair is verified and classified.

    Attributes:
        sentence_similarity: two sentences align when the word-level Levenshtein
            similarity of the pair reaches this.
        min_sentence_words: shorter sentences (datelines, "Share", "Advertisement")
            neither count as copied nor against.
        verbatim: aligned sentences that keep at least this share of words verbatim are
            a copy; below it, the copy is ``spun``.
        near_duplicate: both documents aligned at least this much -> ``near-duplicate``.
        boilerplate_documents: in a scan, a line found in at least this many documents,
            and in over twice as many as a pair's typical line, is page chrome for that
            pair and left out of its alignment (0 turns this off; see
            :class:`dedup.scan.arrays.Chrome`).
        skip_quotations: leave aligned sentences that are mostly inside quotation marks
            out when they stand alone (not inside a copied passage): independent
            reports of one story quote the same statements.
        facts_kept: a spun copy, or a copy, keeps at least this share of the names and
            numbers of its aligned sentences; a pair that changes more of them, where
            they make up a good share of the changes, is a ``template``.
        spun_substitutions: at least this many words swapped one for one (other than
            names and numbers) before a pair can be ``spun``.
        spun_rate: and at least this share of the aligned words.
        passage_words: a copied passage of at least this many words (on each side), in
            three sentences or more, is reported whatever share of the documents it is
            (0: only ``threshold`` decides).
    """

    sentence_similarity: float = 0.4
    min_sentence_words: int = 5
    verbatim: float = 0.9
    near_duplicate: float = 0.8
    boilerplate_documents: int = 3
    skip_quotations: bool = True
    facts_kept: float = 0.7
    spun_substitutions: int = 5
    spun_rate: float = 0.03
    passage_words: int = 80

    def __post_init__(self) -> None:
        _check_fraction("sentence_similarity", self.sentence_similarity)
        _check_fraction("verbatim", self.verbatim)
        _check_fraction("near_duplicate", self.near_duplicate)
        _check_fraction("facts_kept", self.facts_kept)
        _check_fraction("spun_rate", self.spun_rate)
        if self.spun_substitutions < 1:
            raise OptionsError(
                f"spun_substitutions must be at least 1, got {self.spun_substitutions}"
            )
        if self.passage_words < 0:
            raise OptionsError(f"passage_words must be 0 or more, got {self.passage_words}")
        if self.min_sentence_words < 1:
            raise OptionsError(
                f"min_sentence_words must be at least 1, got {self.min_sentence_words}"
            )


@dataclass(frozen=True, slots=True)
class DetectorOptions:
    """Everything a :class:`~dedup.detector.Detector` is configured with.

    Attributes:
        threshold: report a pair when its score (share of the smaller document that is
            copied) reaches this.
        min_words: documents with fewer words are refused as too short to compare.
        fingerprint: fingerprint settings.
        lsh: candidate search settings.
        verify: verification settings.
    """

    threshold: float = 0.15
    min_words: int = 8
    fingerprint: FingerprintOptions = field(default_factory=FingerprintOptions)
    lsh: LshOptions = field(default_factory=LshOptions)
    verify: VerifyOptions = field(default_factory=VerifyOptions)

    def __post_init__(self) -> None:
        _check_fraction("threshold", self.threshold)
        if self.min_words < 1:
            raise OptionsError(f"min_words must be at least 1, got {self.min_words}")
        self.lsh.check(self.fingerprint.num_perm)
