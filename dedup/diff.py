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
   Stray one- or two-word "equal" runs inside a rewritten stretch (an "a" the aligner
   happened to pair up) are folded into the rewrite, so they do not split it into
   pseudo-substitutions.

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
from typing import NamedTuple, cast

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from dedup.direction import Direction, guess_direction
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
    """

    paragraph_similarity: float = 0.3
    gap_similarity: float = 0.15
    min_common_words: int = 3
    merge_share: float = 0.4
    max_phrase_words: int = 3
    max_swap_run: int = 6
    min_anchor_words: int = 3

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


def _encode(a: Tokens, b: Tokens) -> tuple[str, str]:
    """Both texts as strings of one character per word (shared vocabulary)."""
    vocab = dict.fromkeys(a.keys)
    vocab.update(dict.fromkeys(b.keys))
    chars = [chr(n if n < 0xD800 else n + 0x800) for n in range(0x100, 0x100 + len(vocab))]
    codes = dict(zip(vocab, chars, strict=True))
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
    counts: Counter[tuple[str, str]] = Counter()
    ta, sa, ea, tb, sb, eb = a.text, a.starts, a.ends, b.text, b.starts, b.ends
    for g in groups:
        i0, i_stop = a.paragraphs[g.a_first][0], a.paragraphs[g.a_last][1]
        j0, j_stop = b.paragraphs[g.b_first][0], b.paragraphs[g.b_last][1]
        g.regions = _regions(xa[i0:i_stop], xb[j0:j_stop], i0, j0, options)
        for op, i1, i2, j1, j2 in g.regions:
            if op is not _SUB:
                continue
            if i2 - i1 == 1 == j2 - j1:  # most swaps: skip the join
                counts[ta[sa[i1] : ea[i1]].lower(), tb[sb[j1] : eb[j1]].lower()] += 1
            else:
                counts[_words(a, i1, i2), _words(b, j1, j2)] += 1
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
    sims = process.cdist(
        pa,
        pb,
        scorer=Levenshtein.normalized_similarity,
        score_cutoff=options.gap_similarity,
        workers=1,
    )
    rows, cols = np.nonzero(sims >= options.gap_similarity)
    values = sims[rows, cols]
    order = np.lexsort((cols, rows, -values)).tolist()  # best first; ties in text order
    groups: list[_Group] = []
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    for strong in (True, False):
        for k in order:
            i, j, sim = int(rows[k]), int(cols[k]), float(values[k])
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
    """Let unmatched paragraphs next to a match join it, best gain first."""
    free = {
        "a": set(range(len(pa))) - {g.a_first for g in groups},  # groups are 1:1 here
        "b": set(range(len(pb))) - {g.b_first for g in groups},
    }
    paras = {"a": pa, "b": pb}
    while True:
        best: tuple[int, _Group, str, int] | None = None
        for g in groups:
            if not (
                {g.a_first - 1, g.a_last + 1} & free["a"]
                or {g.b_first - 1, g.b_last + 1} & free["b"]
            ):
                continue
            xa = "".join(pa[g.a_first : g.a_last + 1])
            xb = "".join(pb[g.b_first : g.b_last + 1])
            base = _lcs(xa, xb)
            for side in ("a", "b"):
                first, last = (g.a_first, g.a_last) if side == "a" else (g.b_first, g.b_last)
                for p in (first - 1, last + 1):
                    if p not in free[side]:
                        continue
                    joined = "".join(paras[side][min(p, first) : max(p, last) + 1])
                    gain = (_lcs(joined, xb) if side == "a" else _lcs(xa, joined)) - base
                    need = max(2, math.ceil(options.merge_share * len(paras[side][p])))
                    if gain >= need and (best is None or gain > best[0]):
                        best = (gain, g, side, p)
        if best is None:
            return
        _, g, side, p = best
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


# --- word alignment -----------------------------------------------------------------


def _regions(x: str, y: str, a0: int, b0: int, options: DiffOptions) -> list[_Region]:
    """The classified word alignment of one match; token indices offset by a0, b0."""
    # Runs (equal?, i1, i2, j1, j2, forced rewrite?), consecutive changes merged.
    runs: list[_Run] = []
    run_limit, phrase_limit = options.max_swap_run, options.max_phrase_words
    rewrites = changing = False
    opcodes = cast(list[tuple[str, int, int, int, int]], Levenshtein.opcodes(x, y).as_list())
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            runs.append((True, i1, i2, j1, j2, False))
            changing = False
            continue
        if changing:
            i1, j1 = runs[-1][1], runs[-1][3]
            runs[-1] = (False, i1, i2, j1, j2, False)
        else:
            runs.append((False, i1, i2, j1, j2, False))
            changing = True
        n, m = i2 - i1, j2 - j1
        if n and m and not ((n == m and n <= run_limit) or max(n, m) <= phrase_limit):
            rewrites = True
    if rewrites:
        runs = _absorb(runs, options)
    out: list[_Region] = []
    for equal, i1, i2, j1, j2, forced in runs:
        i1, i2, j1, j2 = i1 + a0, i2 + a0, j1 + b0, j2 + b0
        n, m = i2 - i1, j2 - j1
        if equal:
            out.append((_EQUAL, i1, i2, j1, j2))
        elif n == 1 == m and not forced:
            out.append((_SUB, i1, i2, j1, j2))
        elif n == 0:
            out.append((_INS, i1, i2, j1, j2))
        elif m == 0:
            out.append((_DEL, i1, i2, j1, j2))
        elif forced or not _is_swap(n, m, options):
            out.append((_REW, i1, i2, j1, j2))
        elif n == m:
            out.extend((_SUB, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(n))
        else:
            out.append((_SUB, i1, i2, j1, j2))
    return out


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
    for k, g in enumerate(al.groups):
        regions = g.regions
        a0, b0 = a.paragraphs[g.a_first][0], b.paragraphs[g.b_first][0]
        aligned = substituted = 0
        last = len(regions) - 1
        spans = []
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
            spans.append(Span(op, (i1, i2), (j1, j2), ca, cb))
            if op is _EQUAL:
                aligned += j2 - j1
                verbatim += j2 - j1
            elif op is _SUB:
                aligned += j2 - j1
                substituted += j2 - j1
                swaps += 1
                if (
                    i2 - i1 == 1 == j2 - j1
                    and (r == 0 or regions[r - 1][0] in _ALIGNED)
                    and (r == last or regions[r + 1][0] in _ALIGNED)
                ):
                    isolated += 1
            elif op is _REW:
                rewritten += j2 - j1
            elif op is _INS:
                inserted += j2 - j1
            else:
                deleted += i2 - i1
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
    table = sorted(al.counts.items(), key=lambda item: (-item[1], item[0]))
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
