"""Word alignment inside one paragraph match, and what each run of changes is.

Step 2 of :mod:`dedup.diff`: Levenshtein opcodes over the match's words, grouped into
runs between equal words, each run classified as a substitution, insertion, deletion or
rewrite; phrase swaps are cut into swaps of one word for a phrase, and thesaurus
expansions ("policy" to "insurance policy") joined to the word they lean on.
"""

from __future__ import annotations

from typing import cast

from rapidfuzz.distance import Levenshtein

from dedup.diff.direction import zipf
from dedup.diff.model import DiffOptions, Op
from dedup.tokens import Tokens

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


# Words at least this common (Zipf scale, see dedup.diff.direction.zipf) are closed-class
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
    substitution, if the match has other swaps (see :mod:`dedup.diff`)."""
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
