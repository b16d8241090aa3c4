"""Speed of fingerprinting and scanning against plain datasketch and rensa (issue 5).

Run with ``pytest benchmarks/test_speed.py --benchmark-enable``; pytest-benchmark prints
the times of each group side by side, and the ratios are printed at the end of the run.
Each benchmark checks its result too, so a fast wrong answer fails. Bigger runs and the
scaling table: ``python -m benchmarks.speed`` and ``python -m benchmarks.scaling``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pytest

from benchmarks.speed import (
    datasketch_fingerprint,
    datasketch_scan,
    dedup_fingerprint,
    dedup_scan,
    rensa_fingerprint,
)
from benchmarks.support._benchmark import Benchmark
from benchmarks.support.synthetic import Corpus, corpus
from dedup.fingerprint import fingerprint, fingerprint_text
from dedup.tokens import tokenize

FINGERPRINT_DOCS = 500
SCAN_DOCS = 3000
_RATES: dict[str, float] = {}
_T = TypeVar("_T")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [t for _, t in corpus(FINGERPRINT_DOCS, seed=3).documents]


@pytest.fixture(scope="module")
def scan_corpus() -> Corpus:
    return corpus(SCAN_DOCS, seed=5)


def _timed(name: str, items: int, func: Callable[..., _T]) -> Callable[..., _T]:
    """``func``, recording the best items per second it reaches under ``name``."""

    def run(*args: object) -> _T:
        start = time.perf_counter()
        result = func(*args)
        rate = items / (time.perf_counter() - start)
        _RATES[name] = max(rate, _RATES.get(name, 0.0))
        return result

    return run


@pytest.mark.benchmark(group="fingerprint")
def test_fingerprint_dedup(benchmark: Benchmark, texts: Sequence[str]) -> None:
    dedup_fingerprint(texts[:10])  # load the compiled kernel outside the timing
    run = _timed("fingerprint dedup", len(texts), dedup_fingerprint)
    done = benchmark.pedantic(run, args=(texts,), rounds=3, iterations=1)
    assert done == len(texts)
    # the fast path gives exactly the reference path's signatures
    for text in texts[:20]:
        fast, _ = fingerprint_text(text)
        ref = fingerprint(tokenize(text), text)
        assert fast.digest == ref.digest
        for view, sig in ref.signatures.items():
            np.testing.assert_array_equal(fast.signatures[view], sig)


@pytest.mark.benchmark(group="fingerprint")
def test_fingerprint_datasketch(benchmark: Benchmark, texts: Sequence[str]) -> None:
    run = _timed("fingerprint datasketch", len(texts), datasketch_fingerprint)
    done = benchmark.pedantic(run, args=(texts,), rounds=1, iterations=1)
    assert done == len(texts)


@pytest.mark.benchmark(group="fingerprint")
def test_fingerprint_rensa(benchmark: Benchmark, texts: Sequence[str]) -> None:
    run = _timed("fingerprint rensa", len(texts), rensa_fingerprint)
    done = benchmark.pedantic(run, args=(texts,), rounds=3, iterations=1)
    assert done == len(texts)


@pytest.mark.benchmark(group="scan")
def test_scan_dedup(benchmark: Benchmark, scan_corpus: Corpus) -> None:
    run = _timed("scan dedup", SCAN_DOCS, dedup_scan)
    found = benchmark.pedantic(run, args=(scan_corpus.documents,), rounds=1, iterations=1)
    assert found >= len(scan_corpus.planted)


@pytest.mark.benchmark(group="scan")
def test_scan_datasketch(benchmark: Benchmark, scan_corpus: Corpus) -> None:
    run = _timed("scan datasketch", SCAN_DOCS, datasketch_scan)
    candidates = benchmark.pedantic(run, args=(scan_corpus.documents,), rounds=1, iterations=1)
    assert candidates >= 1


REALTEXT_DOCS = 2000


@pytest.fixture(scope="module")
def realtext() -> list[tuple[str, str]]:
    from benchmarks.realtext import corpus as realtext_corpus

    return realtext_corpus(REALTEXT_DOCS)


@pytest.mark.benchmark(group="scan-realtext")
def test_realtext_scan_dedup(benchmark: Benchmark, realtext: list[tuple[str, str]]) -> None:
    run = _timed("realtext dedup", REALTEXT_DOCS, dedup_scan)
    found = benchmark.pedantic(run, args=(realtext,), rounds=1, iterations=1)
    assert found >= 1  # documents that share runs of sentences are reported


@pytest.mark.benchmark(group="scan-realtext")
def test_realtext_scan_datasketch(benchmark: Benchmark, realtext: list[tuple[str, str]]) -> None:
    run = _timed("realtext datasketch", REALTEXT_DOCS, datasketch_scan)
    benchmark.pedantic(run, args=(realtext,), rounds=1, iterations=1)


@pytest.mark.benchmark(group="scan-realtext")
def test_realtext_scan_rensa(benchmark: Benchmark, realtext: list[tuple[str, str]]) -> None:
    from benchmarks.realtext import rensa_scan

    run = _timed("realtext rensa", REALTEXT_DOCS, rensa_scan)
    benchmark.pedantic(run, args=(realtext,), rounds=1, iterations=1)


def test_ratios(quality_report: list[str]) -> None:
    """Reports dedup's speed relative to the peers measured above (same run)."""
    ours = _RATES["fingerprint dedup"]
    lines = [f"fingerprint: dedup {ours:,.0f} docs/s (3 views, 1 core)"]
    for peer in ("datasketch", "rensa"):
        rate = _RATES.get(f"fingerprint {peer}")
        if rate:
            lines.append(f"  vs {peer} {rate:,.0f} docs/s (1 view): {ours / rate:.1f}x")
    if "scan dedup" in _RATES and "scan datasketch" in _RATES:
        ratio = _RATES["scan dedup"] / _RATES["scan datasketch"]
        lines.append(f"scan of {SCAN_DOCS} docs: dedup {ratio:.1f}x datasketch")
    for peer in ("datasketch", "rensa"):
        if "realtext dedup" in _RATES and f"realtext {peer}" in _RATES:
            ratio = _RATES[f"realtext {peer}"] / _RATES["realtext dedup"]
            lines.append(
                f"real-text scan of {REALTEXT_DOCS} docs (benchmarks.realtext): dedup takes "
                f"{ratio:.1f}x the time of {peer} (verified vs unverified)"
            )
    quality_report.append("## Speed (same run)\n\n" + "\n".join(lines) + "\n")
