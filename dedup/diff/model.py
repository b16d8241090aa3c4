"""The diff's value types: its options, the report and the parts of the report.

See :mod:`dedup.diff` for what they describe; :mod:`dedup.diff.build` makes them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from dedup.diff.direction import Direction
from dedup.errors import OptionsError


class Op(enum.StrEnum):
    """What happened to a run of words (see :mod:`dedup.diff`)."""

    EQUAL = "equal"
    SUBSTITUTION = "substitution"
    INSERTION = "insertion"
    DELETION = "deletion"
    REWRITTEN = "rewritten"


@dataclass(frozen=True, slots=True)
class DiffOptions:
    """How paragraphs are matched and word changes classified.

    Attributes:
        paragraph_similarity: the word-level Levenshtein similarity two paragraphs need
            to be matched one to one. Unrelated paragraphs of news text stay below 0.2;
            spun ones score 0.4 to 0.9.
        gap_similarity: the lower similarity that is enough for two paragraphs that
            sit in the same gap between two matches (the same two on both sides).
        min_common_words: matched paragraphs must share at least this many words in
            order (or all words of the shorter one), so two short lines do not match on
            one common word.
        merge_share: an unmatched paragraph next to a match joins it (a merge or split
            by the copy) when at least this share of its words aligns with the other side.
        max_phrase_words: longest phrase, on either side, reported as one substitution
            ("war against" for "quarrel").
        max_swap_run: longest run of one-for-one swaps reported as substitutions; a
            longer run of changed words is a rewrite.
        min_anchor_words: a run of equal words shorter than this between a rewrite and
            another change is folded into the rewrite.
        expansions: in a paragraph with other swaps, report a word the copy replaced
            with a phrase around it ("policy" to "insurance policy", "help" to "help
            oneself": a thesaurus's multiword entry, at most ``max_phrase_words``
            long) as one substitution, not as an inserted word or two (and a phrase
            cut down to one of its words likewise).

    >>> from dedup.diff import diff
    >>> a = "Kerry said the scariest part of the foreign policy is over."
    >>> b = "Kerry pronounced the shudderiest set forth of the foreign insurance policy is over."
    >>> for s in diff(a, b).substitutions:
    ...     print(f"{s.original} -> {s.replacement}")
    part -> set forth
    policy -> insurance policy
    said -> pronounced
    scariest -> shudderiest
    >>> len(diff(a, b, options=DiffOptions(expansions=False)).substitutions)
    3
    """

    paragraph_similarity: float = 0.3
    gap_similarity: float = 0.15
    min_common_words: int = 3
    merge_share: float = 0.4
    max_phrase_words: int = 3
    max_swap_run: int = 6
    min_anchor_words: int = 3
    expansions: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.paragraph_similarity <= 1.0:
            raise OptionsError(
                "paragraph_similarity must be above 0 and at most 1, "
                f"got {self.paragraph_similarity!r}"
            )
        if not 0.0 < self.gap_similarity <= self.paragraph_similarity:
            raise OptionsError(
                "gap_similarity must be above 0 and at most paragraph_similarity "
                f"({self.paragraph_similarity!r}), got {self.gap_similarity!r}"
            )
        if not 0.0 < self.merge_share <= 1.0:
            raise OptionsError(
                f"merge_share must be above 0 and at most 1, got {self.merge_share!r}"
            )
        for name in ("min_common_words", "max_phrase_words", "max_swap_run", "min_anchor_words"):
            value = getattr(self, name)
            if value < 1:
                raise OptionsError(f"{name} must be at least 1, got {value!r}")


class Span(NamedTuple):
    """One run of the word alignment inside a paragraph match.

    A named tuple rather than a dataclass: a diff makes hundreds, and a tuple is built
    three times faster.

    Attributes:
        op: what happened to the run.
        original_words: ``(first, stop)`` token indices in the original (empty for an
            insertion).
        copy_words: ``(first, stop)`` token indices in the copy (empty for a deletion).
        original_chars: ``(start, end)`` character offsets in the original text; an empty
            run sits where the words would be.
        copy_chars: the same in the copy text.
    """

    op: Op
    original_words: tuple[int, int]
    copy_words: tuple[int, int]
    original_chars: tuple[int, int]
    copy_chars: tuple[int, int]


@dataclass(frozen=True, slots=True)
class ParagraphMatch:
    """Paragraphs of the original matched with paragraphs of the copy.

    Usually one paragraph on each side; more when the copy merged or split paragraphs.

    Attributes:
        original: indices of the original's paragraphs (consecutive).
        copy: indices of the copy's paragraphs (consecutive).
        similarity: word-level Levenshtein similarity of the two sides, 0..1.
        moved: the copy put this match out of the original's order.
        spans: the word alignment, covering both sides in order.
    """

    original: tuple[int, ...]
    copy: tuple[int, ...]
    similarity: float
    moved: bool
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Substitution:
    """A swap and how often it occurs: the words as written, lower-cased."""

    original: str
    replacement: str
    count: int


@dataclass(frozen=True, slots=True)
class Summary:
    """The diff in figures.

    Shares of the copy (``verbatim + substituted + rewritten + inserted == 1`` when the
    copy has words) and of the original (``deleted``):

    Attributes:
        original_words: words in the original.
        copy_words: words in the copy.
        verbatim: share of the copy's words kept verbatim.
        substituted: share of the copy's words that replaced a word or short phrase.
        rewritten: share of the copy's words in rewritten runs.
        inserted: share of the copy's words inserted (runs and added paragraphs).
        deleted: share of the original's words deleted (runs and dropped paragraphs).
        substitutions: number of substitution spans.
        matched: paragraph matches.
        dropped: original paragraphs missing from the copy.
        moved: matches out of the original's order.
        added: copy paragraphs not in the original.
        spin: 0..1, how much the copy looks machine-spun from the original: dense swaps
            that are isolated one-for-one, spread over the text, and to rarer words.
    """

    original_words: int
    copy_words: int
    verbatim: float
    substituted: float
    rewritten: float
    inserted: float
    deleted: float
    substitutions: int
    matched: int
    dropped: int
    moved: int
    added: int
    spin: float


@dataclass(frozen=True, slots=True)
class DiffReport:
    """Everything :func:`~dedup.diff.diff` found.

    Attributes:
        original: the text treated as the original.
        copy: the text treated as the copy.
        original_paragraphs: ``(start, end)`` character span of each original paragraph
            (its line, with the punctuation around its words, without outer spaces).
        copy_paragraphs: the same for the copy.
        matches: paragraph matches in the copy's order.
        dropped: indices of original paragraphs with no match.
        added: indices of copy paragraphs with no match.
        substitutions: the swaps, most frequent first, then alphabetical.
        summary: the figures.
        direction: which argument of the call looks like the original (``"a"`` is the
            first argument).
        swapped: the report's original is the call's second argument (only
            :func:`~dedup.diff.diff_pair` swaps).
    """

    original: str
    copy: str
    original_paragraphs: tuple[tuple[int, int], ...]
    copy_paragraphs: tuple[tuple[int, int], ...]
    matches: tuple[ParagraphMatch, ...]
    dropped: tuple[int, ...]
    added: tuple[int, ...]
    substitutions: tuple[Substitution, ...]
    summary: Summary
    direction: Direction
    swapped: bool

    @property
    def moved(self) -> tuple[int, ...]:
        """Indices of the original's paragraphs that the copy moved."""
        return tuple(sorted(p for m in self.matches if m.moved for p in m.original))

    def __repr__(self) -> str:
        return f"DiffReport(summary={self.summary!r}, swapped={self.swapped})"
