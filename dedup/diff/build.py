"""The entry points, and the :class:`~dedup.diff.DiffReport` made of an alignment.

:func:`diff_tokens` matches paragraphs and aligns their words
(:mod:`dedup.diff.paragraphs`), guesses which text is the original
(:mod:`dedup.diff.direction`), then turns the alignment into the report: spans with
character offsets, moved matches, the substitution table and the summary with its spin
score.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from operator import itemgetter

from dedup.diff.direction import Direction, guess_direction
from dedup.diff.model import DiffOptions, DiffReport, ParagraphMatch, Span, Substitution, Summary
from dedup.diff.paragraphs import _align, _Alignment, _Group
from dedup.diff.words import _ALIGNED, _EQUAL, _INS, _REW, _SUB
from dedup.tokens import Tokens, tokenize, unwrapped


def diff(original: str, copy: str, *, options: DiffOptions | None = None) -> DiffReport:
    """Diff ``copy`` against ``original`` (see :mod:`dedup.diff`).

    >>> r = diff("One two three.\\n\\nFour five six.", "Four five six.\\n\\nOne two three.")
    >>> r.moved, r.summary.verbatim
    ((1,), 1.0)
    """
    return diff_tokens(tokenize(original), tokenize(copy), options=options)


def diff_pair(a: str, b: str, *, options: DiffOptions | None = None) -> DiffReport:
    """Diff two texts, taking as the original the one that looks like it.

    See :mod:`dedup.diff.direction`; ``swapped`` in the report says whether ``b`` was taken.
    The likelier text is taken even when the swapped words do not decide it at
    :data:`~dedup.model.DECIDED` (``direction.decided``; the report says so); ``a``
    when they are even or absent.

    >>> r = diff_pair("The infantry pronounced a talks went well.",
    ...               "The military said the talks went well.")
    >>> r.swapped, r.direction.decided, r.substitutions[0]
    (True, False, Substitution(original='military', replacement='infantry', count=1))
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
    if _aligned_words(alignment) < len(original) / 2:
        # little matched line by line: the texts may be the same text broken into
        # paragraphs differently (hard-wrapped lines against long paragraphs), so
        # align the paragraphs a reader sees too, and keep whichever aligns more
        joined_a, joined_b = unwrapped(original), unwrapped(copy)
        if joined_a is not original or joined_b is not copy:
            joined = _align(joined_a, joined_b, options)
            if _aligned_words(joined) > _aligned_words(alignment):
                alignment = joined
    direction = guess_direction(alignment.counts)
    swapped = orient and direction.original == "b"  # the likelier, decided or not
    if swapped:
        alignment = alignment.mirrored()
    return _report(alignment, direction, swapped)


def _aligned_words(alignment: _Alignment) -> int:
    """Words of the original the alignment puts against words of the copy."""
    return sum(
        i2 - i1 for g in alignment.groups for op, i1, i2, _, _ in g.regions if op in _ALIGNED
    )


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
