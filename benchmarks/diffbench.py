"""Quality and speed of :mod:`dedup.diff`, on spun copies whose every swap is known.

    python -m benchmarks.diffbench [--seed N] [--repeat N]

prints the figures as markdown; ``benchmarks/test_diff.py`` runs the same functions
under pytest-benchmark and asserts on them.

* :func:`accuracy` -- every real base text of the spun-copy benchmark
  (:func:`benchmarks.support.runs.base_texts`, at least 150 words) is spun by
  :class:`benchmarks.support.spinsim.Spinner` at each rate, with its usual paragraph drops,
  swaps and page chrome, and diffed against its copy with :func:`dedup.diff.diff`. The
  simulator records each swap, so the substitution table can be scored: the multiset
  of ``(original, replacement)`` pairs found against the multiset of the swaps made.
  Both sides are compared as words: lower-cased, the words :mod:`dedup.tokens` finds
  joined by one space (the simulator's "Washington D.C." is "washington d.c", as the
  diff reports it). Also: how often :func:`dedup.diff.diff_pair` takes the right text
  as the original when given the copy first.
* :func:`speed` -- milliseconds per pair: :func:`dedup.diff.diff_tokens` (the diff
  proper, on tokens made once), :func:`dedup.diff.diff_pair` on the raw texts
  (tokenising included), and the peer, :class:`difflib.SequenceMatcher` on the same
  token keys (``get_opcodes()``, with and without its ``autojunk`` heuristic), all in
  one run. Each time is the best of ``repeat`` rounds.
* :func:`seed_table` -- the seed pair's substitutions, most frequent first.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from benchmarks.support.corpora import Text, seeds
from benchmarks.support.metrics import markdown_table
from benchmarks.support.runs import DEFAULT_SEED, base_texts
from benchmarks.support.spinsim import Spinner, SpunText, word_count
from dedup.diff import Substitution, diff, diff_pair, diff_tokens
from dedup.tokens import tokenize

__all__ = [
    "RATES",
    "TARGETS",
    "TARGET_MS",
    "Accuracy",
    "Timing",
    "accuracy",
    "main",
    "render",
    "seed_pair",
    "seed_table",
    "speed",
    "truth",
    "words",
]

RATES = (0.35, 0.50)
"""Substitution rates (share of the candidate words swapped) the accuracy is measured at."""

TARGETS = {0.35: 0.95, 0.50: 0.90}
"""The issue's targets: precision and recall of the substitution pairs, per rate."""

TARGET_MS = 2.0
"""The issue's target: milliseconds per pair of articles of about 900 words."""

_SEED_ORIGINAL, _SEED_COPY = "002", "001"


@dataclass(frozen=True, slots=True)
class Accuracy:
    """How well the substitution tables match the swaps made at one rate.

    Attributes:
        rate: the substitution rate.
        pairs: texts spun and diffed.
        swaps: swaps the simulator made (the truth, counted with repeats).
        reported: substitutions the diffs reported (counted with repeats).
        correct: reported substitutions that match a swap made (multiset intersection).
        oriented: pairs whose original :func:`dedup.diff.diff_pair` found when given
            the copy first.
        misses: the most frequent swaps not reported, with their counts.
        wrong: the most frequent substitutions reported that were not made.
    """

    rate: float
    pairs: int
    swaps: int
    reported: int
    correct: int
    oriented: int
    misses: tuple[tuple[tuple[str, str], int], ...]
    wrong: tuple[tuple[tuple[str, str], int], ...]

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.swaps if self.swaps else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Timing:
    """Milliseconds per diff of one pair, dedup and the peer, best of several rounds.

    Attributes:
        name: the pair.
        words: words of the original and the copy (``dedup.tokens``).
        dedup: :func:`dedup.diff.diff_tokens` with ``orient=True`` on ready tokens.
        dedup_text: :func:`dedup.diff.diff_pair` on the texts, tokenising included.
        difflib: ``SequenceMatcher(None, a, b).get_opcodes()`` on the token keys.
        difflib_nojunk: the same with ``autojunk=False``.
    """

    name: str
    words: tuple[int, int]
    dedup: float
    dedup_text: float
    difflib: float
    difflib_nojunk: float


# -- accuracy ---------------------------------------------------------------------------


def words(text: str) -> str:
    """``text`` as the diff reports it: its words, lower-cased, joined by one space.

    >>> words("Washington D.C.")
    'washington d.c'
    """
    toks = tokenize(text)
    return " ".join(text[s:e].lower() for s, e in zip(toks.starts, toks.ends, strict=True))


def truth(spun: SpunText) -> Counter[tuple[str, str]]:
    """The swaps the simulator made, as word pairs (:func:`words`)."""
    return Counter((words(s.original), words(s.replacement)) for s in spun.substitutions)


def found(substitutions: Sequence[Substitution]) -> Counter[tuple[str, str]]:
    """A report's substitution table as a multiset of pairs."""
    return Counter({(s.original, s.replacement): s.count for s in substitutions})


def accuracy(
    spinner: Spinner,
    *,
    rates: Sequence[float] = RATES,
    texts: Sequence[Text] | None = None,
    seed: int = DEFAULT_SEED,
    min_words: int = 150,
) -> list[Accuracy]:
    """Precision and recall of the substitution pairs, per rate (see the module docs)."""
    bases = [t for t in texts or base_texts() if word_count(t.text) >= min_words]
    results = []
    for rate in rates:
        made: Counter[tuple[str, str]] = Counter()
        reported: Counter[tuple[str, str]] = Counter()
        correct = oriented = 0
        for t in bases:
            spun = spinner.spin(t.text, rate=rate, seed=f"{seed}:diff:{rate}:{t.id}")
            expected = truth(spun)
            got = found(diff(t.text, spun.text).substitutions)
            made.update(expected)
            reported.update(got)
            correct += sum((expected & got).values())
            oriented += diff_pair(spun.text, t.text).swapped
        results.append(
            Accuracy(
                rate=rate,
                pairs=len(bases),
                swaps=sum(made.values()),
                reported=sum(reported.values()),
                correct=correct,
                oriented=oriented,
                misses=tuple((made - reported).most_common(10)),
                wrong=tuple((reported - made).most_common(10)),
            )
        )
    return results


# -- speed ------------------------------------------------------------------------------


def seed_pair() -> tuple[Text, Text]:
    """The seed pair: (original ``002``, its spun copy ``001``)."""
    by_id = {t.id: t for t in seeds()}
    return by_id[_SEED_ORIGINAL], by_id[_SEED_COPY]


def _opcodes(a: list[str], b: list[str], autojunk: bool) -> Sequence[tuple[object, ...]]:
    """The peer: difflib's edit script of two word lists."""
    return difflib.SequenceMatcher(None, a, b, autojunk=autojunk).get_opcodes()


def _best_ms(func: Callable[[], object], *, repeat: int, number: int = 3) -> float:
    """Best time of ``repeat`` rounds of ``number`` calls, in ms per call.

    The time is the process's CPU time: everything here runs on one thread, so on an
    idle core it is the wall time, and on a busy machine it does not count the time
    other processes took.
    """
    func()  # warm caches (word frequencies, folded words) outside the timing
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            func()
        best = min(best, (time.process_time() - start) / number)
    return best * 1000


def speed(
    spinner: Spinner | None = None, *, rate: float = 0.35, repeat: int = 20, seed: int = 0
) -> list[Timing]:
    """Times per pair: the seed pair, then (with a spinner) a spun copy of each real
    news seed at ``rate``."""
    original, copy = seed_pair()
    pairs = [(f"seeds {original.id} ~ {copy.id}", original.text, copy.text)]
    if spinner is not None:
        for t in seeds():
            if t.id == _SEED_COPY:
                continue
            spun = spinner.spin(t.text, rate=rate, seed=f"{seed}:speed:{t.id}")
            pairs.append((f"seed {t.id} spun {round(rate * 100)}%", t.text, spun.text))
    timings = []
    for name, a_text, b_text in pairs:
        a, b = tokenize(a_text), tokenize(b_text)
        slow = max(3, repeat // 4)  # difflib is slow enough to need fewer rounds
        timings.append(
            Timing(
                name=name,
                words=(len(a), len(b)),
                # the copy first, as a caller who does not know which is which
                dedup=_best_ms(partial(diff_tokens, b, a, orient=True), repeat=repeat),
                dedup_text=_best_ms(partial(diff_pair, b_text, a_text), repeat=repeat),
                difflib=_best_ms(partial(_opcodes, b.keys, a.keys, True), repeat=slow),
                difflib_nojunk=_best_ms(partial(_opcodes, b.keys, a.keys, False), repeat=slow),
            )
        )
    return timings


def seed_table() -> tuple[Substitution, ...]:
    """The seed pair's substitutions (``002`` -> ``001``), most frequent first."""
    original, copy = seed_pair()
    return diff(original.text, copy.text).substitutions


# -- markdown ---------------------------------------------------------------------------


def render(
    results: Sequence[Accuracy] = (),
    timings: Sequence[Timing] = (),
    table: Sequence[Substitution] = (),
    *,
    top: int = 15,
) -> str:
    """The figures as markdown sections (each part only if given)."""
    out: list[str] = []
    if results:
        out += ["## Diff: substitution pairs on spun copies", ""]
        rows = [
            [
                f"{round(r.rate * 100)}%",
                r.pairs,
                r.swaps,
                r.reported,
                r.correct,
                r.precision,
                r.recall,
                r.f1,
                f"{r.oriented}/{r.pairs}",
                TARGETS.get(r.rate, "-"),
                _met(min(r.precision, r.recall), TARGETS.get(r.rate)),
            ]
            for r in results
        ]
        headers = ["rate", "pairs", "swaps made", "reported", "correct", "precision"]
        headers += ["recall", "F1", "original found", "target", "met"]
        out.append(markdown_table(headers, rows))
        for r in results:
            out += ["", f"Rate {round(r.rate * 100)}%, most frequent misses: " + _pairs(r.misses)]
            out += [f"and wrong pairs: {_pairs(r.wrong)}"]
    if timings:
        out += ["", "## Diff: milliseconds per pair (CPU time, best of the rounds, one core)", ""]
        rows = [
            [
                t.name,
                f"{t.words[0]} / {t.words[1]}",
                t.dedup,
                t.dedup_text,
                t.difflib,
                t.difflib_nojunk,
                f"{t.difflib / t.dedup:.1f}x",
                _met(-t.dedup, -TARGET_MS),
            ]
            for t in timings
        ]
        headers = ["pair", "words", "dedup ms", "dedup ms with tokenising", "difflib ms"]
        headers += ["difflib ms, no autojunk", "difflib / dedup", f"<= {TARGET_MS} ms"]
        out.append(markdown_table(headers, rows))
    if table:
        out += ["", f"## Diff: the seed pair's top {top} substitutions (002 -> 001)", ""]
        rows = [[s.count, s.original, s.replacement] for s in table[:top]]
        out.append(markdown_table(["count", "original", "replacement"], rows))
    return "\n".join(out).strip() + "\n"


def _met(value: float, target: float | None) -> str:
    if target is None:
        return "-"
    return "met" if value >= target else "MISSED"


def _pairs(pairs: Sequence[tuple[tuple[str, str], int]]) -> str:
    return ", ".join(f"{o} -> {r} ({n})" for (o, r), n in pairs) or "none"


def main(argv: Sequence[str] | None = None) -> int:
    """Print every figure of the diff as markdown."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diffbench", description=__doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="spin seed")
    parser.add_argument("--repeat", type=int, default=20, help="timing rounds")
    args = parser.parse_args(argv)
    spinner = Spinner()
    text = render(
        accuracy(spinner, seed=args.seed),
        speed(spinner, repeat=args.repeat),
        seed_table(),
    )
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
