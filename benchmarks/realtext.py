"""The real-text speed corpus and benchmark: news-sized documents made of Reuters sentences.

    python -m benchmarks.realtext [--docs 20000] [--docs 100000] [--peers-up-to 20000]

Word-by-word synthetic text almost never repeats a sentence, so it never shows what
real news does to a scan: wire copy is reprinted, quoted and recycled, so documents
share sentences, candidates per document grow with the corpus and verification, not
fingerprinting, becomes the cost. This corpus keeps that property with real text only:

* the sentences of the 19,043 Reuters-21578 stories (:mod:`benchmarks.reuters`), hard
  wraps undone, tables and headlines left out (a sentence of 6 to 60 words, most of them
  alphabetic), kept as runs of consecutive sentences of one story;
* each document draws runs of 2 to 6 consecutive sentences from stories chosen at random
  (a fixed seed), one paragraph per run, until it has 700 to 900 words.

Every sentence is drawn several times over the corpus (about 5 times at 20,000
documents, 25 at 100,000), as wire sentences recur across a news archive.

Measured in one run, each on the same documents: ``dedup scan`` (fingerprints,
candidates, verification, all cores), plain datasketch (``MinHash.update_batch`` of word
5-grams + ``MinHashLSH`` at threshold 0.5 + a query of every document, one core,
unverified) and rensa (``RMinHash`` + ``RMinHashLSH``, same shingles and threshold, one
core, unverified). For dedup also the stages: fingerprinting, candidates (LSH bands and
passage anchors) and verification, candidate pairs per document and verification time
per pair.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.reuters import paragraphs, stories
from benchmarks.speed import _shingles, datasketch_scan

__all__ = [
    "PairTimes",
    "RealTextRun",
    "corpus",
    "main",
    "pair_times",
    "rensa_scan",
    "run",
    "story_sentences",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_ALPHA = re.compile(r"^[A-Za-z][A-Za-z'-]*[,;:.!?\"']*$")


def story_sentences() -> list[list[str]]:
    """The usable sentences of each Reuters story, in order (stories with fewer than two
    are left out)."""
    out = []
    for text in stories().values():
        body = paragraphs(text).split("\n\n")[1:]  # the first paragraph is the headline
        sentences = [
            s
            for para in body
            for s in _SENTENCE_END.split(para)
            if 6 <= len(s.split()) <= 60
            and sum(bool(_ALPHA.match(w)) for w in s.split()) >= 0.6 * len(s.split())
        ]
        if len(sentences) >= 2:
            out.append(sentences)
    return out


def corpus(
    n: int, *, seed: int = 2026, pool: Sequence[Sequence[str]] | None = None
) -> list[tuple[str, str]]:
    """``n`` documents ``(id, text)`` of 700 to 900 words (see the module docs)."""
    pool = pool if pool is not None else story_sentences()
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        target = rng.randint(700, 900)
        paras: list[str] = []
        words = 0
        while words < target:
            sentences = pool[rng.randrange(len(pool))]
            start = rng.randrange(len(sentences))
            run = sentences[start : start + rng.randint(2, 6)]
            paras.append(" ".join(run))
            words += sum(len(s.split()) for s in run)
        docs.append((f"doc-{i:07d}", "\n\n".join(paras)))
    return docs


def rensa_scan(documents: Sequence[tuple[str, str]]) -> int:
    """rensa: ``RMinHash`` of word 5-grams, ``RMinHashLSH`` (threshold 0.5, 128
    permutations, 16 bands), every document queried; the number of candidate pairs."""
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=0.5, num_perm=128, num_bands=16)
    sketches = []
    for key, (_, text) in enumerate(documents):
        m = RMinHash(num_perm=128, seed=42)
        m.update(_shingles(text))
        lsh.insert(key, m)
        sketches.append(m)
    pairs = set()
    for key, m in enumerate(sketches):
        for other in lsh.query(m):
            if other != key:
                pairs.add((min(key, other), max(key, other)))
    return len(pairs)


@dataclass
class RealTextRun:
    """What one size measured."""

    documents: int
    words: float
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    verified: int = 0
    pairs: int = 0
    peak_mb: float = 0.0
    peers: dict[str, tuple[float, int]] = field(default_factory=dict)

    @property
    def per_pair_us(self) -> float:
        return 1e6 * self.stages.get("comparing", 0.0) / self.verified if self.verified else 0.0


def run(n: int, *, peers: bool = True, workers: int | None = None) -> RealTextRun:
    """Scan ``n`` corpus documents with dedup (and, with ``peers``, datasketch and rensa)."""
    from dedup import Detector, Document

    docs = corpus(n)
    result = RealTextRun(n, sum(len(t.split()) for _, t in docs) / n)
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    totals: dict[str, int] = {}

    def progress(phase: str, done: int, total: int | None) -> None:
        now = time.perf_counter()
        first.setdefault(phase, now)
        last[phase] = now
        if total is not None:
            totals[phase] = total

    start = time.perf_counter()
    scan = Detector().scan((Document(i, t) for i, t in docs), progress=progress, workers=workers)
    end = time.perf_counter()
    result.seconds = end - start
    result.pairs = len(scan.matches)
    result.verified = totals.get("comparing", 0)
    fingerprinted = last.get("fingerprinting", start)
    compare_start = first.get("comparing", end)
    result.stages = {
        "reading and fingerprinting": fingerprinted - start,
        "candidates": compare_start - fingerprinted,
        "comparing": end - compare_start,
    }
    result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if peers:
        for name, func in (("datasketch", datasketch_scan), ("rensa", rensa_scan)):
            t0 = time.perf_counter()
            found = func(docs)
            result.peers[name] = (time.perf_counter() - t0, found)
    return result


@dataclass
class PairTimes:
    """Verification time of single candidate pairs, one core, documents already read."""

    documents: int
    pairs: int
    median_us: float  # what a scan runs: dedup.verify.reportable_evidence
    p90_us: float
    mean_us: float
    read_us: float  # reading one document for verification (verify.prepare)
    full_median_us: float = 0.0  # every pair measured in full: dedup.verify.evidence
    full_mean_us: float = 0.0
    skipped: int = 0  # pairs reportable_evidence ended early


def pair_times(n: int, *, sample: int = 20000) -> PairTimes:
    """Time :func:`dedup.verify.reportable_evidence` (what a scan runs) and
    :func:`dedup.verify.evidence` (every pair measured in full) on each of the first
    ``sample`` candidate pairs a scan of ``n`` corpus documents verifies (its pairs
    captured on their way to verification), one pair at a time, with both documents
    read beforehand; and the time to read a document (:func:`dedup.verify.prepare`)."""
    import importlib

    import numpy as np

    from dedup import Detector, Document
    from dedup.options import DetectorOptions
    from dedup.verify import evidence, prepare, reportable_evidence

    docs = corpus(n)
    captured: list[tuple[int, int, frozenset[int]]] = []
    batch: Any = importlib.import_module("dedup.scan.pairs")
    real = batch.verify_each

    def capture(pairs, ids, texts, options, **kw):  # type: ignore[no-untyped-def]
        chrome = kw.get("chrome")
        for i, j in pairs[:sample].tolist():
            captured.append((i, j, chrome.ignore(i, j) if chrome else frozenset()))
        return real(pairs, ids, texts, options, **kw)

    batch.verify_each = capture
    try:
        Detector().scan([Document(i, t) for i, t in docs])
    finally:
        batch.verify_each = real
    options = DetectorOptions()
    rows = sorted({r for i, j, _ in captured for r in (i, j)})
    prepare("warm up", docs[0][1], fingerprint=options.fingerprint)  # load the kernels
    start = time.perf_counter()
    read = {r: prepare(docs[r][0], docs[r][1], fingerprint=options.fingerprint) for r in rows}
    read_us = 1e6 * (time.perf_counter() - start) / max(len(rows), 1)
    times, full = [], []
    skipped = 0
    for i, j, ignore in captured:
        t0 = time.perf_counter_ns()
        found = reportable_evidence(
            read[i], read[j], options.verify, options.threshold, ignore=ignore
        )
        t1 = time.perf_counter_ns()
        evidence(read[i], read[j], options.verify, ignore=ignore)
        full.append((time.perf_counter_ns() - t1) / 1000)
        times.append((t1 - t0) / 1000)
        skipped += found is None
    t, f = np.array(times), np.array(full)
    return PairTimes(
        n,
        len(t),
        float(np.median(t)),
        float(np.percentile(t, 90)),
        float(t.mean()),
        read_us,
        float(np.median(f)),
        float(f.mean()),
        skipped,
    )


def markdown(runs: Sequence[RealTextRun]) -> str:
    """The runs as markdown tables."""
    lines = [
        "| documents | words each | dedup scan (s) | fingerprint (s) | candidates (s) | "
        "verify (s) | pairs verified | per document | per pair (us) | pairs reported | "
        "peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        s = r.stages
        lines.append(
            f"| {r.documents:,} | {r.words:.0f} | {r.seconds:.1f} | "
            f"{s['reading and fingerprinting']:.1f} | {s['candidates']:.1f} | "
            f"{s['comparing']:.1f} | {r.verified:,} | {r.verified / r.documents:.2f} | "
            f"{r.per_pair_us:,.0f} | {r.pairs:,} | {r.peak_mb:,.0f} |"
        )
    peered = [r for r in runs if r.peers]
    if peered:
        lines += [
            "",
            "| documents | implementation | seconds | pairs | dedup's time is |",
            "|---|---|---|---|---|",
        ]
        for r in peered:
            lines.append(
                f"| {r.documents:,} | dedup scan (all cores, verified) | {r.seconds:.1f} | "
                f"{r.pairs:,} reported | |"
            )
            for name, (seconds, found) in r.peers.items():
                lines.append(
                    f"| {r.documents:,} | {name} (1 core, unverified) | {seconds:.1f} | "
                    f"{found:,} candidates | {r.seconds / seconds:.2f}x theirs |"
                )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.realtext", description=__doc__)
    parser.add_argument("--docs", type=int, action="append", help="corpus sizes (20000)")
    parser.add_argument(
        "--peers-up-to", type=int, default=20000, help="run the peers up to this size"
    )
    parser.add_argument(
        "--pair-times", type=int, metavar="N", help="time single pairs of an N-document scan"
    )
    args = parser.parse_args(argv)
    if args.pair_times:
        p = pair_times(args.pair_times)
        print(
            f"{p.pairs:,} candidate pairs of a {p.documents:,}-document scan, one core: "
            f"median {p.median_us:.0f} us, 90th percentile {p.p90_us:.0f} us, mean "
            f"{p.mean_us:.0f} us a pair ({p.skipped:,} ended before measuring all); "
            f"measured in full: median {p.full_median_us:.0f} us, mean "
            f"{p.full_mean_us:.0f} us; reading a document {p.read_us:.0f} us"
        )
        return 0
    runs = [run(n, peers=n <= args.peers_up_to) for n in (args.docs or [20000])]
    print(markdown(runs), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
