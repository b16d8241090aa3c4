"""How often a scan names the right original (``Match.original``), on labelled pairs.

    python -m benchmarks.direction [--seed N]

* **Spun copies** (:mod:`benchmarks.support.spincorpus`: real texts through the WordNet
  spinner at 20%, 35% and 50%): the base text is the original. Each reported labelled
  pair counts as right, wrong, or undecided (the swapped words do not say it at the
  95% sign test, so the scan names none).
* **Clough & Stevenson** answers compared with their source: people rewriting by hand
  do not pick rarer words the way a thesaurus does, so a guess there would be noise.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence

from benchmarks.support.corpora import clough_stevenson
from benchmarks.support.runs import DEFAULT_SEED, spin_benchmark
from benchmarks.support.spincorpus import PARTIAL
from dedup import Detector, Document

__all__ = ["main", "tally"]


def _verdict(named: str | None, original: str) -> str:
    if named is None:
        return "undecided"
    return "right" if named == original else "wrong"


def tally(seed: int = DEFAULT_SEED) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Right, wrong and undecided per category: spun copies (one scan), then Clough &
    Stevenson (each answer compared with its source)."""
    spin = spin_benchmark(seed=seed)
    labels = {frozenset((b, c)): (b, cat) for b, c, cat in spin.corpus.positives}
    found = Detector().scan(Document(d.id, d.text) for d in spin.corpus.docs)
    spun: Counter[tuple[str, str]] = Counter()
    for m in found.matches:
        label = labels.get(frozenset((m.a, m.b)))
        if label is not None and label[1] != PARTIAL:
            spun[label[1], _verdict(m.original, label[0])] += 1
    corpus, det = clough_stevenson(), Detector()
    human: Counter[tuple[str, str]] = Counter()
    for p in corpus.pairs:
        if p.category != "non":
            m = det.compare(
                corpus.text(p.source).text, corpus.text(p.answer).text, a_id=p.source, b_id=p.answer
            )
            human[p.category, _verdict(m.original, p.source)] += 1
    return spun, human


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.direction")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    spun, human = tally(args.seed)
    print("| pairs | category | right | wrong | undecided |\n|---|---|---:|---:|---:|")
    for name, counts in (("spun copies (scan)", spun), ("Clough & Stevenson", human)):
        for category in sorted({c for c, _ in counts}):
            row = [counts[category, v] for v in ("right", "wrong", "undecided")]
            print(f"| {name} | {category} | {row[0]} | {row[1]} | {row[2]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
