"""What a copy changed: substituted words, dropped, added and moved paragraphs.

A word-level edit script over two whole articles goes wrong as soon as the copy drops or
reorders a paragraph: the aligner pairs the words of unrelated paragraphs and reports
nonsense swaps ("In" for "Home"). So the diff works in two levels:

1. **Paragraphs.** Every paragraph of the original is compared with every paragraph of
   the copy by word-level Levenshtein similarity (rapidfuzz ``cdist`` over paragraphs
   encoded one character per word), and pairs are taken greedily, best first, if they
   reach ``paragraph_similarity`` and share a few words in order; then weaker pairs
   (``gap_similarity``) that sit between the same two matches on both sides, as a
   paragraph the copy cut down does. A spinner sometimes
   merges or splits paragraphs, so an unmatched paragraph next to a match joins it when
   enough of its words align with the other side. Matches whose order differs from the
   original's (off the longest increasing run of copy positions) are *moved*.
2. **Words.** Within each match, Levenshtein opcodes on the word keys give an edit
   script. A run of changes between aligned words is a *substitution* when it is short
   (one word for one, a run of one-for-one swaps, or a phrase of a few words) and
   *rewritten* when it is long; pure insertions and deletions stay what they are.
   A swap of several words for more words ("scariest part" for "shudderiest set
   forth") is cut into swaps of one word for a phrase, where the phrases keep the
   case and inflection of their words, end in particles and span no punctuation.
   Stray one- or two-word "equal" runs inside a rewritten stretch (an "a" the aligner
   happened to pair up) are folded into the rewrite, so they do not split it into
   pseudo-substitutions. A thesaurus offers phrases that contain the word they replace
   ("policy" becomes "insurance policy", "war" becomes "state of war"); the aligner sees
   the word kept and a word or two inserted beside it. In a paragraph with other swaps,
   such an insertion joins the word it leans on into one substitution: the word after
   it (a modifier before its head), unless punctuation or a particle ("make up",
   "peace of mind") ties it to the word before. Very common words ("the", "of", "in")
   are never taken as the word replaced.

Every span carries token indices and character offsets into both texts, for renderers.

>>> r = diff("The army said the talks went well.", "The infantry pronounced a talks went well.")
>>> [(s.original, s.replacement, s.count) for s in r.substitutions]
[('army', 'infantry', 1), ('said', 'pronounced', 1), ('the', 'a', 1)]
>>> round(r.summary.verbatim, 2)
0.57
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple, cast

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from dedup.direction import Direction, guess_direction, zipf
from dedup.errors import OptionsError
from dedup.tokens import Tokens, tokenize

__all__ = [
    "DiffOptions",
    "DiffReport",
    "Op",
    "ParagraphMatch",
    "Span",
    "Substitution",
    "Summary",
    "diff",
    "diff_pair",
    "diff_tokens",
]


class Op(enum.StrEnum):
    """What happened to a run of words (see the module docs)."""

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
    """Everything :func:`diff` found.

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
            :func:`diff_pair` swaps).
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


def diff(original: str, copy: str, *, options: DiffOptions | None = None) -> DiffReport:
    """Diff ``copy`` against ``original`` (see the module docs).

    >>> r = diff("One two three.\\n\\nFour five six.", "Four five six.\\n\\nOne two three.")
    >>> r.moved, r.summary.verbatim
    ((1,), 1.0)
    """
    return diff_tokens(tokenize(original), tokenize(copy), options=options)


def diff_pair(a: str, b: str, *, options: DiffOptions | None = None) -> DiffReport:
    """Diff two texts, taking as the original the one that looks like it.

    See :mod:`dedup.direction`; ``swapped`` in the report says whether ``b`` was taken.

    >>> r = diff_pair("The infantry pronounced a talks went well.",
    ...               "The military said the talks went well.")
    >>> r.swapped, r.substitutions[0]
    (True, Substitution(original='military', replacement='infantry', count=1))
    """
    return diff_tokens(tokenize(a), tokenize(b), options=options, orient=True)


def diff_tokens(
    original: Tokens, copy: Tokens, *, options: DiffOptions | None = None, orient: bool = False
) -> DiffReport:
    """:func:`diff` (or with ``orient=True``, :func:`diff_pair`) on tokenized texts.

    For callers that already hold the tokens: tokenizing costs more than diffing.

    >>> r = diff_tokens(tokenize("Kerry said the talks went well."),
    ...                 tokenize("Kerry pronounced the talks went well."))
    >>> r.substitutions
    (Substitution(original='said', replacement='pronounced', count=1),)
    """
    options = options or DiffOptions()
    alignment = _align(original, copy, options)
    direction = guess_direction(alignment.counts)
    swapped = orient and direction.original == "b"
    if swapped:
        alignment = alignment.mirrored()
    return _report(alignment, direction, swapped)


# --- paragraph matching -------------------------------------------------------------

# A run of the word alignment: op and (first, stop) token indices on both sides.
_Region = tuple[Op, int, int, int, int]
# A run of opcodes before classification: equal?, i1, i2, j1, j2, forced rewrite?
_Run = tuple[bool, int, int, int, int, bool]
_EQUAL, _SUB, _INS, _DEL, _REW = (
    Op.EQUAL,
    Op.SUBSTITUTION,
    Op.INSERTION,
    Op.DELETION,
    Op.REWRITTEN,
)
_ALIGNED = (Op.EQUAL, Op.SUBSTITUTION)


@dataclass(slots=True)
class _Group:
    """A paragraph match under construction: inclusive paragraph index ranges."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int
    similarity: float
    regions: list[_Region] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Alignment:
    """The orientation-free result, before it becomes a :class:`DiffReport`."""

    a: Tokens
    b: Tokens
    groups: list[_Group]  # in b's order
    dropped: list[int]
    added: list[int]
    counts: Counter[tuple[str, str]]

    def mirrored(self) -> _Alignment:
        swap = {_INS: _DEL, _DEL: _INS}
        groups = [
            _Group(
                g.b_first,
                g.b_last,
                g.a_first,
                g.a_last,
                g.similarity,
                [(swap.get(op, op), j1, j2, i1, i2) for op, i1, i2, j1, j2 in g.regions],
            )
            for g in self.groups
        ]
        groups.sort(key=lambda g: g.b_first)
        counts = Counter({(y, x): n for (x, y), n in self.counts.items()})
        return _Alignment(self.b, self.a, groups, self.added, self.dropped, counts)


# The characters words are encoded as, made once: enough for the vocabulary of two
# long articles (a larger one makes its own).
_CHARS = tuple(map(chr, range(0x100, 0x100 + 8192)))


def _encode(a: Tokens, b: Tokens) -> tuple[str, str]:
    """Both texts as strings of one character per word (shared vocabulary)."""
    vocab = dict.fromkeys(a.keys)
    vocab.update(dict.fromkeys(b.keys))
    if len(vocab) <= len(_CHARS):
        codes = dict(zip(vocab, _CHARS, strict=False))
    else:  # skip the surrogate code points
        numbers = range(0x100, 0x100 + len(vocab))
        codes = dict(
            zip(vocab, (chr(n if n < 0xD800 else n + 0x800) for n in numbers), strict=True)
        )
    return "".join(map(codes.__getitem__, a.keys)), "".join(map(codes.__getitem__, b.keys))


def _lcs(x: str, y: str) -> int:
    """Length of the longest common subsequence (words in common, in order)."""
    return (len(x) + len(y) - int(Indel.distance(x, y))) // 2


def _align(a: Tokens, b: Tokens, options: DiffOptions) -> _Alignment:
    xa, xb = _encode(a, b)
    pa = [xa[first:stop] for first, stop in a.paragraphs]
    pb = [xb[first:stop] for first, stop in b.paragraphs]
    groups = _match(pa, pb, options)
    _merge_neighbours(groups, pa, pb, options)
    swaps: list[tuple[str, str]] = []
    ta, sa, ea, tb, sb, eb = a.text, a.starts, a.ends, b.text, b.starts, b.ends
    for g in groups:
        i0, i_stop = a.paragraphs[g.a_first][0], a.paragraphs[g.a_last][1]
        j0, j_stop = b.paragraphs[g.b_first][0], b.paragraphs[g.b_last][1]
        g.regions = _regions(xa[i0:i_stop], xb[j0:j_stop], a, b, i0, j0, options)
        for op, i1, i2, j1, j2 in g.regions:
            if op is not _SUB:
                continue
            if i2 - i1 == 1 == j2 - j1:  # most swaps: skip the join
                swaps.append((ta[sa[i1] : ea[i1]].lower(), tb[sb[j1] : eb[j1]].lower()))
            else:
                swaps.append((_words(a, i1, i2), _words(b, j1, j2)))
    counts = Counter(swaps)
    used_a = {p for g in groups for p in range(g.a_first, g.a_last + 1)}
    used_b = {p for g in groups for p in range(g.b_first, g.b_last + 1)}
    groups.sort(key=lambda g: g.b_first)
    dropped = [p for p in range(len(pa)) if p not in used_a]
    return _Alignment(a, b, groups, dropped, [p for p in range(len(pb)) if p not in used_b], counts)


def _match(pa: list[str], pb: list[str], options: DiffOptions) -> list[_Group]:
    """One-to-one paragraph matches: the best above ``paragraph_similarity`` first,
    then weaker ones that sit in a gap between matches, in the same order on both sides.
    """
    if not pa or not pb:
        return []
    # (No score_cutoff: it costs more than the comparison below, which does its job.)
    sims = process.cdist(pa, pb, scorer=Levenshtein.normalized_similarity, workers=1)
    rows, cols = np.nonzero(sims >= options.gap_similarity)
    values = sims[rows, cols]
    order = np.lexsort((cols, rows, -values))  # best first; ties in text order
    candidates = list(
        zip(rows[order].tolist(), cols[order].tolist(), values[order].tolist(), strict=True)
    )
    groups: list[_Group] = []
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    for strong in (True, False):
        for i, j, sim in candidates:
            if i in taken_a or j in taken_b or (sim >= options.paragraph_similarity) != strong:
                continue
            if not strong and not _in_gap(groups, i, j):
                continue
            if _lcs(pa[i], pb[j]) < min(options.min_common_words, len(pa[i]), len(pb[j])):
                continue
            taken_a.add(i)
            taken_b.add(j)
            groups.append(_Group(i, i, j, j, sim))
    return groups


def _in_gap(groups: list[_Group], i: int, j: int) -> bool:
    """Whether paragraphs i and j sit between the same two matches on both sides."""
    prev = max((g for g in groups if g.a_first < i), key=lambda g: g.a_first, default=None)
    after = min((g for g in groups if g.a_first > i), key=lambda g: g.a_first, default=None)
    return prev is not None and after is not None and prev.b_first < j < after.b_first


def _merge_neighbours(
    groups: list[_Group], pa: list[str], pb: list[str], options: DiffOptions
) -> None:
    """Let unmatched paragraphs next to a match join it, best gain first.

    A join changes only the gains of the group that grew (the others' paragraphs and
    neighbours stay as they were), so each group's candidates are worked out once and
    again only after it grows.
    """
    free = {
        "a": set(range(len(pa))) - {g.a_first for g in groups},  # groups are 1:1 here
        "b": set(range(len(pb))) - {g.b_first for g in groups},
    }
    paras = {"a": pa, "b": pb}

    def candidates(g: _Group) -> list[tuple[int, str, int]]:
        """(gain, side, paragraph) of each free neighbour whose join gains enough."""
        if not (
            {g.a_first - 1, g.a_last + 1} & free["a"] or {g.b_first - 1, g.b_last + 1} & free["b"]
        ):
            return []
        xa = "".join(pa[g.a_first : g.a_last + 1])
        xb = "".join(pb[g.b_first : g.b_last + 1])
        base = _lcs(xa, xb)
        found = []
        for side in ("a", "b"):
            first, last = (g.a_first, g.a_last) if side == "a" else (g.b_first, g.b_last)
            for p in (first - 1, last + 1):
                if p not in free[side]:
                    continue
                joined = "".join(paras[side][min(p, first) : max(p, last) + 1])
                gain = (_lcs(joined, xb) if side == "a" else _lcs(xa, joined)) - base
                if gain >= max(2, math.ceil(options.merge_share * len(paras[side][p]))):
                    found.append((gain, side, p))
        return found

    pending = [candidates(g) for g in groups]
    while True:
        best: tuple[int, int, str, int] | None = None
        for k, found in enumerate(pending):
            for gain, side, p in found:
                if p in free[side] and (best is None or gain > best[0]):
                    best = (gain, k, side, p)
        if best is None:
            return
        _, k, side, p = best
        g = groups[k]
        free[side].discard(p)
        if side == "a":
            g.a_first, g.a_last = min(g.a_first, p), max(g.a_last, p)
        else:
            g.b_first, g.b_last = min(g.b_first, p), max(g.b_last, p)
        g.similarity = float(
            Levenshtein.normalized_similarity(
                "".join(pa[g.a_first : g.a_last + 1]), "".join(pb[g.b_first : g.b_last + 1])
            )
        )
        pending[k] = candidates(g)


# --- word alignment -----------------------------------------------------------------


def _regions(
    x: str, y: str, a: Tokens, b: Tokens, a0: int, b0: int, options: DiffOptions
) -> list[_Region]:
    """The classified word alignment of one match: ``x`` and ``y`` are its encoded
    words, which start at token ``a0`` of ``a`` and ``b0`` of ``b``."""
    # Runs (equal?, i1, i2, j1, j2, forced rewrite?): the equal opcodes and the
    # changes between them, each stretch of changes one run.
    runs: list[_Run] = []
    run_limit, phrase_limit = options.max_swap_run, options.max_phrase_words
    rewrites = False
    pi, pj = a0, b0
    opcodes = cast(list[tuple[str, int, int, int, int]], Levenshtein.opcodes(x, y).as_list())
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            i1, i2, j1, j2 = i1 + a0, i2 + a0, j1 + b0, j2 + b0
            if i1 > pi or j1 > pj:
                runs.append((False, pi, i1, pj, j1, False))
                n, m = i1 - pi, j1 - pj
                if n and m and not ((n == m and n <= run_limit) or max(n, m) <= phrase_limit):
                    rewrites = True
            runs.append((True, i1, i2, j1, j2, False))
            pi, pj = i2, j2
    i_stop, j_stop = a0 + len(x), b0 + len(y)
    if i_stop > pi or j_stop > pj:
        runs.append((False, pi, i_stop, pj, j_stop, False))
        n, m = i_stop - pi, j_stop - pj
        if n and m and not ((n == m and n <= run_limit) or max(n, m) <= phrase_limit):
            rewrites = True
    if rewrites:
        runs = _absorb(runs, options)
    out: list[_Region] = []
    phrases = indels = False
    for equal, i1, i2, j1, j2, forced in runs:
        if equal:
            out.append((_EQUAL, i1, i2, j1, j2))
            continue
        n, m = i2 - i1, j2 - j1
        if n == 1 == m and not forced:
            out.append((_SUB, i1, i2, j1, j2))
        elif n == 0:
            out.append((_INS, i1, i2, j1, j2))
            indels = True
        elif m == 0:
            out.append((_DEL, i1, i2, j1, j2))
            indels = True
        elif forced or not _is_swap(n, m, options):
            out.append((_REW, i1, i2, j1, j2))
        elif n == m:
            out.extend((_SUB, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(n))
        else:
            out.append((_SUB, i1, i2, j1, j2))
            phrases = True
    if phrases:
        out = _split_phrases(out, a, b)
    if indels and options.expansions:
        out = _expand(out, a, b, options.max_phrase_words - 1)
    return out


def _split_phrases(regions: list[_Region], a: Tokens, b: Tokens) -> list[_Region]:
    """Split each phrase swap of several words for more (or fewer) into swaps of one
    word for a phrase: "scariest part" for "shudderiest set forth" is "scariest" for
    "shudderiest" and "part" for "set forth". The cut is where :func:`_grouping` says."""
    out: list[_Region] = []
    for region in regions:
        op, i1, i2, j1, j2 = region
        n, m = i2 - i1, j2 - j1
        if op is not _SUB or n == m or min(n, m) < 2:
            out.append(region)
        elif n < m:
            sizes = _grouping(a, i1, i2, b, j1, j2)
            if sizes is None:
                out.append(region)
            else:
                words = zip(_pairs(i1, [1] * n), _pairs(j1, sizes), strict=True)
                out.extend((_SUB, o1, o2, c1, c2) for (o1, o2), (c1, c2) in words)
        else:
            sizes = _grouping(b, j1, j2, a, i1, i2)
            if sizes is None:
                out.append(region)
            else:
                words = zip(_pairs(i1, sizes), _pairs(j1, [1] * m), strict=True)
                out.extend((_SUB, o1, o2, c1, c2) for (o1, o2), (c1, c2) in words)
    return out


def _pairs(first: int, sizes: list[int]) -> list[tuple[int, int]]:
    """Consecutive ``(first, stop)`` ranges of the given sizes."""
    out = []
    for size in sizes:
        out.append((first, first + size))
        first += size
    return out


def _grouping(short: Tokens, s1: int, s2: int, long: Tokens, l1: int, l2: int) -> list[int] | None:
    """How many of the words ``long[l1:l2]`` replace each word of ``short[s1:s2]``.

    A phrase never spans punctuation or a line break, and starts with a capital
    exactly when its word does (spinners keep the case); of the cuts that keep to
    this, a phrase ending in a particle ("score out", "puting on") and one keeping
    the word's inflection ("scariest" for "shudderiest") are likelier. On a tie the
    later words take the extra ones. ``None`` when no cut keeps to the rules.
    """
    best: tuple[float, list[int]] | None = None
    for sizes in _compositions(l2 - l1, s2 - s1):
        scores = []
        for word, (first, stop) in zip(range(s1, s2), _pairs(l1, sizes), strict=True):
            gain = _phrase_score(short, word, long, first, stop)
            if gain is None:
                break
            scores.append(gain)
        else:
            if best is None or sum(scores) > best[0]:
                best = (sum(scores), sizes)
    return None if best is None else best[1]


def _compositions(total: int, parts: int) -> list[list[int]]:
    """Every way to write ``total`` as an ordered sum of ``parts`` positive numbers,
    the ones with the smallest first parts first."""
    if parts == 1:
        return [[total]]
    return [
        [first, *rest]
        for first in range(1, total - parts + 2)
        for rest in _compositions(total - first, parts - 1)
    ]


_INFLECTIONS = ("ing", "ed", "est", "er", "ly", "s")


def _inflection(key: str) -> str:
    for ending in _INFLECTIONS:
        if key.endswith(ending) and len(key) > len(ending) + 2:
            return ending
    return ""


def _phrase_score(word: Tokens, index: int, phrase: Tokens, first: int, stop: int) -> float | None:
    """How likely ``phrase[first:stop]`` replaced the word ``word[index]`` (``None``:
    it cannot have)."""
    keys, text, starts, ends = phrase.keys, phrase.text, phrase.starts, phrase.ends
    if word.capital[index] != phrase.capital[first] or any(
        _apart(text[ends[k] : starts[k + 1]]) for k in range(first, stop - 1)
    ):
        return None
    score = 0.0
    if stop - first > 1 and keys[stop - 1] in _PARTICLES and not _common(keys[first]):
        score += 1.0
    ending = _inflection(word.keys[index])
    if ending and any(_inflection(keys[k]) == ending for k in range(first, stop)):
        score += 0.5
    return score


# Words at least this common (Zipf scale, see dedup.direction.zipf) are closed-class
# words ("the", "of", "in", "up", "more"): never a word a spinner replaced.
_COMMON_ZIPF = 6.3


# Particles and prepositions that follow the word of a multiword phrase ("take in",
# "help out", "peace of mind").
_PARTICLES = frozenset(
    "about across after along around away back by down for forth in into of off on out "
    "over through to up with".split()
)


def _common(key: str) -> bool:
    return zipf(key) >= _COMMON_ZIPF


def _expand(regions: list[_Region], a: Tokens, b: Tokens, limit: int) -> list[_Region]:
    """Join each short insertion (or deletion) to the word it leans on, as one
    substitution, if the match has other swaps (see the module docs)."""
    if not any(r[0] is _SUB for r in regions) or not any(
        (r[0] is _INS and r[4] - r[3] <= limit) or (r[0] is _DEL and r[2] - r[1] <= limit)
        for r in regions
    ):
        return regions
    regions = list(regions)
    out: list[_Region] = []
    for k, region in enumerate(regions):
        op, i1, i2, j1, j2 = region
        if op is _EQUAL and i1 == i2:  # its one word went to the expansion before it
            continue
        extra = j2 - j1 if op is _INS else i2 - i1 if op is _DEL else 0
        if not 0 < extra <= limit:
            out.append(region)
            continue
        if out and out[-1][0] is not _EQUAL:  # next to an expansion: leave it alone
            out.append(region)
            continue
        before = bool(out)
        after = k + 1 < len(regions) and regions[k + 1][0] is _EQUAL
        if op is _INS:
            side = _lean(b, j1, j2, before=before, after=after)
        else:
            side = _lean(a, i1, i2, before=before, after=after)
        if side < 0:
            _, e1, e2, f1, f2 = out.pop()
            if e2 - e1 > 1:
                out.append((_EQUAL, e1, e2 - 1, f1, f2 - 1))
            out.append((_SUB, i1 - 1, i2, j1 - 1, j2))
        elif side > 0:
            _, e1, e2, f1, f2 = regions[k + 1]
            regions[k + 1] = (_EQUAL, e1 + 1, e2, f1 + 1, f2)
            out.append((_SUB, i1, i2 + 1, j1, j2 + 1))
        else:
            out.append(region)
    return out


def _lean(tokens: Tokens, first: int, stop: int, *, before: bool, after: bool) -> int:
    """Which word the extra words ``first:stop`` belong with: -1 the word before them,
    1 the word after, 0 neither (only words kept on both sides can be chosen)."""
    keys = tokens.keys
    before = before and not _common(keys[first - 1])
    after = after and not _common(keys[stop])
    if stop - first == 1 and _common(keys[first]):
        # a lone particle follows its word ("take in"); an article or "and" is no swap
        return -1 if before and keys[first] in _PARTICLES else 0
    if not (before and after):
        return -1 if before else int(after)
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    gap_before = _apart(text[ends[first - 1] : starts[first]])
    gap_after = _apart(text[ends[stop - 1] : starts[stop]])
    if gap_before and not gap_after:
        return 1
    if gap_after and not gap_before:
        return -1
    if keys[first] in _PARTICLES and not _common(keys[stop - 1]):
        return -1  # a particle follows its word: "peace of mind"
    return 1  # a modifier before its head: "insurance policy", "state of war"


def _apart(gap: str) -> bool:
    """Whether the text between two words keeps them apart: punctuation, a line break."""
    return "\n" in gap or not gap.isspace()


def _is_swap(n: int, m: int, options: DiffOptions) -> bool:
    return (n == m and n <= options.max_swap_run) or max(n, m) <= options.max_phrase_words


def _is_rewrite(run: _Run, options: DiffOptions) -> bool:
    n, m = run[2] - run[1], run[4] - run[3]
    return run[5] or (n > 0 and m > 0 and not _is_swap(n, m, options))


def _absorb(runs: list[_Run], options: DiffOptions) -> list[_Run]:
    """Fold each short equal run between two changes into them if either is a rewrite."""
    out: list[_Run] = []
    for run in runs:
        out.append(run)
        while len(out) >= 3 and not out[-1][0] and out[-2][0] and not out[-3][0]:
            before, anchor, after = out[-3], out[-2], out[-1]
            length = anchor[2] - anchor[1]
            sizes = [max(r[2] - r[1], r[4] - r[3]) for r in (before, after)]
            if length >= options.min_anchor_words or length >= min(sizes):
                break
            if not (_is_rewrite(before, options) or _is_rewrite(after, options)):
                break
            out[-3:] = [(False, before[1], after[2], before[3], after[4], True)]
    return out


# --- the report ---------------------------------------------------------------------


def _words(tokens: Tokens, first: int, stop: int) -> str:
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    if stop == first + 1:
        return text[starts[first] : ends[first]].lower()
    return " ".join(text[starts[i] : ends[i]].lower() for i in range(first, stop))


def _moved(groups: list[_Group]) -> set[int]:
    """Indices (in copy order) of groups off the longest run in the original's order."""
    tails: list[int] = []  # tails[k]: smallest a_first that ends an increasing run of k+1
    tail_at: list[int] = []  # the group holding each tail
    parent = [-1] * len(groups)
    for k, g in enumerate(groups):
        pos = bisect_left(tails, g.a_first)
        if pos == len(tails):
            tails.append(g.a_first)
            tail_at.append(k)
        else:
            tails[pos], tail_at[pos] = g.a_first, k
        parent[k] = tail_at[pos - 1] if pos else -1
    keep = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        keep.add(k)
        k = parent[k]
    return set(range(len(groups))) - keep


def _report(al: _Alignment, direction: Direction, swapped: bool) -> DiffReport:
    a, b = al.a, al.b
    a_starts, a_ends, b_starts, b_ends = a.starts, a.ends, b.starts, b.ends
    moved = _moved(al.groups)
    verbatim = rewritten = inserted = deleted = swaps = isolated = 0
    per_match: list[tuple[int, int]] = []  # aligned copy words, substituted copy words
    matches = []
    new_span = tuple.__new__  # a Span without the Python-level __new__ of NamedTuple
    equal_op, sub_op, rew_op, ins_op, aligned_ops = _EQUAL, _SUB, _REW, _INS, _ALIGNED
    for k, g in enumerate(al.groups):
        regions = g.regions
        a0, b0 = a.paragraphs[g.a_first][0], b.paragraphs[g.b_first][0]
        aligned = substituted = 0
        last = len(regions) - 1
        spans: list[Span] = []
        append = spans.append
        for r, (op, i1, i2, j1, j2) in enumerate(regions):
            # Character spans; an empty run sits right after the word before it.
            if i2 > i1:
                ca = (a_starts[i1], a_ends[i2 - 1])
            else:
                pos = a_ends[i1 - 1] if i1 > a0 else a_starts[i1]
                ca = (pos, pos)
            if j2 > j1:
                cb = (b_starts[j1], b_ends[j2 - 1])
            else:
                pos = b_ends[j1 - 1] if j1 > b0 else b_starts[j1]
                cb = (pos, pos)
            append(new_span(Span, (op, (i1, i2), (j1, j2), ca, cb)))
            if op is equal_op:
                aligned += j2 - j1
            elif op is sub_op:
                aligned += j2 - j1
                substituted += j2 - j1
                swaps += 1
                if (
                    i2 - i1 == 1 == j2 - j1
                    and (r == 0 or regions[r - 1][0] in aligned_ops)
                    and (r == last or regions[r + 1][0] in aligned_ops)
                ):
                    isolated += 1
            elif op is rew_op:
                rewritten += j2 - j1
            elif op is ins_op:
                inserted += j2 - j1
            else:
                deleted += i2 - i1
        verbatim += aligned - substituted
        per_match.append((aligned, substituted))
        matches.append(
            ParagraphMatch(
                original=tuple(range(g.a_first, g.a_last + 1)),
                copy=tuple(range(g.b_first, g.b_last + 1)),
                similarity=round(g.similarity, 4),
                moved=k in moved,
                spans=tuple(spans),
            )
        )
    na, nb = len(a), len(b)
    added = sum(b.paragraphs[p][1] - b.paragraphs[p][0] for p in al.added)
    dropped = sum(a.paragraphs[p][1] - a.paragraphs[p][0] for p in al.dropped)
    more, fewer = (direction.a_more_common, direction.b_more_common)
    if swapped:
        more, fewer = fewer, more
    summary = Summary(
        original_words=na,
        copy_words=nb,
        verbatim=verbatim / nb if nb else float(na == 0),
        substituted=sum(s for _, s in per_match) / nb if nb else 0.0,
        rewritten=rewritten / nb if nb else 0.0,
        inserted=(inserted + added) / nb if nb else 0.0,
        deleted=(deleted + dropped) / na if na else 0.0,
        substitutions=swaps,
        matched=len(matches),
        dropped=len(al.dropped),
        moved=len(moved),
        added=len(al.added),
        spin=_spin(
            swaps,
            isolated,
            per_match,
            more / (more + fewer) if more + fewer else 0.5,
            (verbatim + sum(s for _, s in per_match)) / nb if nb else 0.0,
        ),
    )
    table = sorted(sorted(al.counts.items()), key=itemgetter(1), reverse=True)  # stable
    return DiffReport(
        original=a.text,
        copy=b.text,
        original_paragraphs=_lines(a),
        copy_paragraphs=_lines(b),
        matches=tuple(matches),
        dropped=tuple(al.dropped),
        added=tuple(al.added),
        substitutions=tuple(Substitution(o, r, c) for (o, r), c in table),
        summary=summary,
        direction=direction,
        swapped=swapped,
    )


def _lines(tokens: Tokens) -> tuple[tuple[int, int], ...]:
    """Character span of each paragraph: its line, without the spaces around it (so
    quotes and bullets around the words are kept)."""
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    out = []
    for first, stop in tokens.paragraphs:
        start, end = starts[first], ends[stop - 1]
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        while text[line_start].isspace():
            line_start += 1
        while text[line_end - 1].isspace():
            line_end -= 1
        out.append((line_start, line_end))
    return tuple(out)


def _spin(
    swaps: int, isolated: int, per_match: list[tuple[int, int]], rarer: float, aligned: float
) -> float:
    """How machine-spun the copy looks, 0..1.

    The product of how dense the swaps are among aligned words (saturating at one in
    seven), how many there are (saturating past a dozen) and how much of the copy is
    aligned (saturating at half), times the mean of three shapes: the share of swaps
    that are isolated one-for-one swaps, the share of aligned words in matches swapped
    at least a third as densely as the whole, and the share of swaps to a rarer word.
    """
    words = sum(n for n, _ in per_match)
    substituted = sum(s for _, s in per_match)
    if not swaps or not words:
        return 0.0
    rate = substituted / words
    even = sum(n for n, s in per_match if n and s / n >= rate / 3) / words
    scale = min(1.0, rate / 0.15) * (1.0 - math.exp(-swaps / 4)) * min(1.0, aligned / 0.5)
    return round(scale * (isolated / swaps + even + rarer) / 3, 4)
