"""The one command that prints every quality figure as markdown::

    python -m benchmarks.quality [--seed N] [--misses N]

It runs the seeds check, the Clough & Stevenson benchmarks (pairwise and one scan) and
the spun-copy benchmark (:mod:`benchmarks.support.runs`), then prints the tables, the misses
with their evidence, the targets and the runtime (:mod:`benchmarks.support.report`). The spun
copies need WordNet (``apt-get install wordnet-base``); without it that part says
SKIPPED and the rest runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from benchmarks.support.corpora import clough_stevenson
from benchmarks.support.report import render
from benchmarks.support.runs import (
    DEFAULT_SEED,
    SpinResult,
    cs_pairwise,
    cs_scan,
    seeds_check,
    spin_benchmark,
)
from benchmarks.support.wordnet import WordNetMissingError
from dedup import DetectorOptions

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run every quality benchmark and print the figures as markdown.

    Returns 0 when the seeds check passes, 1 otherwise (the figures are for reading).
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="spun-corpus seed")
    parser.add_argument("--misses", type=int, default=20, help="rows per list of pairs")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    options = DetectorOptions()
    seeds_result = seeds_check(options)
    corpus = clough_stevenson()
    pairwise = cs_pairwise(options, corpus)
    scanned = cs_scan(options, corpus)
    spin: SpinResult | str
    try:
        spin = spin_benchmark(options, seed=args.seed)
    except WordNetMissingError as exc:
        spin = str(exc)
    text = render(seeds_result, pairwise, scanned, spin, options=options, misses=args.misses)
    total = time.perf_counter() - start
    sys.stdout.write(text + f"\nTotal runtime: {total:.1f} s (seed {args.seed}).\n")
    return 0 if seeds_result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
