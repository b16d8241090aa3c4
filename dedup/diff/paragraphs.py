"""Paragraph matching: which paragraphs of the original became which of the copy.

Step 1 of :mod:`dedup.diff`: paragraphs encoded one character per word, compared all
against all, matched one to one best first, then joined with unmatched neighbours the
copy merged into them or split off; each match is then aligned word by word
(:mod:`dedup.diff.words`).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from dedup.diff.model import DiffOptions
from dedup.diff.words import _DEL, _INS, _SUB, _Region, _regions
from dedup.tokens import Tokens


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
    """The orientation-free result, before it becomes a :class:`~dedup.diff.DiffReport`."""

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
    then pairs in which one paragraph is mostly inside the other (:func:`_contained`),
    then weaker ones that sit in a gap between matches, in the same order on both sides.
    """
    if not pa or not pb:
        return []
    rows, cols, values = _similar_pairs(pa, pb, options.gap_similarity)
    contained = _contained(pa, pb, options)
    known = set(zip(rows.tolist(), cols.tolist(), strict=True))
    extra = sorted(contained - known)
    if extra:
        rows = np.concatenate([rows, np.array([i for i, _ in extra], dtype=np.int64)])
        cols = np.concatenate([cols, np.array([j for _, j in extra], dtype=np.int64)])
        sims = [Levenshtein.normalized_similarity(pa[i], pb[j]) for i, j in extra]
        values = np.concatenate([values, np.array(sims, dtype=np.float64)])
    order = np.lexsort((cols, rows, -values))  # best first; ties in text order
    candidates = list(
        zip(rows[order].tolist(), cols[order].tolist(), values[order].tolist(), strict=True)
    )
    groups: list[_Group] = []
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    for tier in (0, 1, 2):  # similar; one inside the other; weak but in a gap
        for i, j, sim in candidates:
            if i in taken_a or j in taken_b:
                continue
            similar = sim >= options.paragraph_similarity
            if tier == 0 and not similar:
                continue
            if tier == 1 and (similar or (i, j) not in contained):
                continue
            if tier == 2 and (similar or (i, j) in contained or not _in_gap(groups, i, j)):
                continue
            if _lcs(pa[i], pb[j]) < min(options.min_common_words, len(pa[i]), len(pb[j])):
                continue
            taken_a.add(i)
            taken_b.add(j)
            groups.append(_Group(i, i, j, j, sim))
    return groups


CONTAINED_SHARE = 0.6
"""A paragraph this much of whose words, in order, are in a longer one is matched with
it whatever their similarity: the same text broken into paragraphs differently (one
long paragraph against five short ones) shares little per pair by edit distance, and
the neighbours then join the match (:func:`_merge_neighbours`)."""
CONTAINED_WORDS = 12  # and at least this many words in common, in order
SHARED_WORDS = 30
"""Or this many words in common, in order (not necessarily together), and at least
``SHARED_SHARE`` of the shorter paragraph: a passage of a few sentences copied into a long paragraph
(unrelated news paragraphs reach it once in a thousand pairs, and then only where
wire copy repeats itself)."""
SHARED_SHARE = 0.4


def _contained(pa: list[str], pb: list[str], options: DiffOptions) -> set[tuple[int, int]]:
    """The pairs in which the shorter paragraph is mostly inside the longer one."""
    if len(pa) * len(pb) > ALL_PAIRS_UP_TO:
        return set()  # long texts: the rare-word pairs already meet such paragraphs
    la = np.array([len(x) for x in pa], dtype=np.float64)
    lb = np.array([len(y) for y in pb], dtype=np.float64)
    indel = process.cdist(pa, pb, scorer=Indel.normalized_similarity, workers=1)
    common = indel * (la[:, None] + lb[None, :]) / 2  # words in common, in order
    shorter = np.minimum(la[:, None], lb[None, :])
    need = np.maximum(CONTAINED_SHARE * shorter, max(CONTAINED_WORDS, options.min_common_words))
    shared = (common + 0.5 >= SHARED_WORDS) & (common + 0.5 >= SHARED_SHARE * shorter)
    rows, cols = np.nonzero((common + 0.5 >= need) | shared)
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


ALL_PAIRS_UP_TO = 4_000_000
"""Paragraph pairs compared all against all (a 16 MB matrix); texts with more pairs
than this (two of 2,000 paragraphs) compare only the pairs that share a rare word."""
_RARE_WORDS = 8  # rare words of a paragraph that propose its partners
_COMMON = 50  # a word in more paragraphs than this (on one side) proposes no pairs


def _similar_pairs(
    pa: list[str], pb: list[str], floor: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Rows, columns and word-level Levenshtein similarities of the paragraph pairs at
    ``floor`` or above.

    Up to :data:`ALL_PAIRS_UP_TO` pairs, every pair is measured. Beyond, the time and
    memory of all pairs grow with the product of the paragraph counts (two 5 MB texts:
    a billion pairs), so a pair is measured only if it shares one of the
    ``_RARE_WORDS`` rarest words of either paragraph, among words in at most
    ``_COMMON`` paragraphs of each text, or is the same paragraph: a copied paragraph
    keeps its rare words, so it still meets its original, and the cost grows with the
    text, not its square.
    """
    if len(pa) * len(pb) <= ALL_PAIRS_UP_TO:
        # (No score_cutoff: it costs more than the comparison below, which does its job.)
        sims = process.cdist(pa, pb, scorer=Levenshtein.normalized_similarity, workers=1)
        rows, cols = np.nonzero(sims >= floor)
        return rows.astype(np.int64), cols.astype(np.int64), sims[rows, cols].astype(np.float64)
    in_a: dict[str, list[int]] = {}
    in_b: dict[str, list[int]] = {}
    for postings, paragraphs in ((in_a, pa), (in_b, pb)):
        for k, paragraph in enumerate(paragraphs):
            for word in set(paragraph):
                postings.setdefault(word, []).append(k)

    def rare(paragraph: str) -> list[str]:
        usable = [
            w for w in set(paragraph) if len(in_a.get(w, ())) <= _COMMON >= len(in_b.get(w, ()))
        ]
        usable.sort(key=lambda w: (len(in_a.get(w, ())) + len(in_b.get(w, ())), w))
        return usable[:_RARE_WORDS]

    pairs: set[tuple[int, int]] = set()
    same: dict[str, list[int]] = {}  # identical paragraphs meet whatever their words
    for j, paragraph in enumerate(pb):
        same.setdefault(paragraph, []).append(j)
    for i, paragraph in enumerate(pa):
        pairs.update((i, j) for j in same.get(paragraph, ())[:_COMMON])
    for i, paragraph in enumerate(pa):
        for word in rare(paragraph):
            pairs.update((i, j) for j in in_b.get(word, ()))
    for j, paragraph in enumerate(pb):
        for word in rare(paragraph):
            pairs.update((i, j) for i in in_a.get(word, ()))
    found = [
        (i, j, sim)
        for i, j in sorted(pairs)
        if (sim := Levenshtein.normalized_similarity(pa[i], pb[j], score_cutoff=floor)) >= floor
    ]
    if not found:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float64)
    i_s, j_s, sims_found = zip(*found, strict=True)
    return (
        np.array(i_s, dtype=np.int64),
        np.array(j_s, dtype=np.int64),
        np.array(sims_found, dtype=np.float64),
    )


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


def _words(tokens: Tokens, first: int, stop: int) -> str:
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    if stop == first + 1:
        return text[starts[first] : ends[first]].lower()
    return " ".join(text[starts[i] : ends[i]].lower() for i in range(first, stop))
