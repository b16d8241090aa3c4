"""Spark in local mode against the local scan, same corpus, same run
(:mod:`benchmarks.sparkscan`; each scan in a fresh process on 2 cores)."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pyspark", reason="pyspark not installed (pip install 'dedup[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java runtime (apt-get install default-jre-headless)", allow_module_level=True)

from benchmarks.sparkscan import markdown, run
from benchmarks.support._benchmark import Benchmark

DOCS = 1000


@pytest.mark.benchmark(group="spark")
def test_spark_scan_against_the_local_scan(benchmark: Benchmark, quality_report: list[str]) -> None:
    found = benchmark.pedantic(run, args=(DOCS,), rounds=1, iterations=1)
    quality_report.append("## Spark against the local scan (same run)\n\n" + markdown([found], 2))
    assert found.same  # the pairs are equal, whatever the timing
