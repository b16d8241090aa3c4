"""Quality benchmarks that assert: a change that makes dedup find fewer copies, or
report unrelated pairs, fails here.

Each benchmark computes its figures once (timed by pytest-benchmark), adds its tables to
the report printed at the end of ``pytest benchmarks``, and asserts a floor per figure:
the issue's target where it is met, otherwise the level achieved when the floor was set
(:data:`FLOORS`; raise them as dedup improves). A missed target does not fail the run,
it is printed as ``MISSED`` in the targets table.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.support._benchmark import Benchmark, once
from benchmarks.support.corpora import CloughStevenson
from benchmarks.support.report import render_evaluation, render_seeds, render_targets
from benchmarks.support.runs import (
    RECALL_TARGET,
    Evaluation,
    chrome_only,
    cs_pairwise,
    cs_scan,
    seeds_check,
    spin_benchmark,
)
from benchmarks.support.spincorpus import PARTIAL, spun_category
from benchmarks.support.spinsim import Spinner
from dedup import DetectorOptions


@dataclass(frozen=True, slots=True)
class Floor:
    """What a benchmark must at least achieve.

    Attributes:
        recall: category -> lowest accepted recall.
        false_positives: most false positives accepted.
    """

    recall: dict[str, float]
    false_positives: int = 0


FLOORS = {
    # No target in the issue: the levels measured on the Clough & Stevenson corpus,
    # counting only pairs a scan would report as a copy (kinds issue, 2026-12-01; before
    # it, pairwise counted any kind over the threshold: cut 0.89, light 1.0, heavy 0.73).
    "cs-pairwise": Floor({"cut": 0.84, "light": 0.68, "heavy": 0.47}),
    "cs-scan": Floor({"cut": 0.84, "light": 0.68, "heavy": 0.52}),
    # Target recall 0.98 everywhere, met at every rate since the function-word view
    # (before it, 35%: 0.93, 50%: 0.77, lost at the LSH stage).
    "spin": Floor(
        {
            spun_category(0.20): RECALL_TARGET,
            spun_category(0.35): RECALL_TARGET,
            spun_category(0.50): RECALL_TARGET,
            PARTIAL: RECALL_TARGET,
        },
    ),
}
"""Floors per benchmark. Recall floors are compared with a 1e-9 tolerance."""

SPIN_CHROME_FALSE_POSITIVES = 0
"""Target 0, met since recurring chrome lines are left out of the alignment (before:
about 260 unrelated spun copies from one simulated site paired by their footers)."""


def _shortfalls(ev: Evaluation, floor: Floor) -> list[str]:
    problems = [
        f"{category}: recall {ev.score(category).recall:.3f} < floor {least}"
        for category, least in floor.recall.items()
        if ev.score(category).recall < least - 1e-9
    ]
    return problems


def test_seeds_exactly_one_spun_pair(benchmark: Benchmark, quality_report: list[str]) -> None:
    result = once(benchmark, seeds_check)
    quality_report.append(render_seeds(result))
    pairs = [(m.a, m.b, m.kind.value) for m in result.matches]
    assert pairs == [("001", "002", "spun")]


def test_clough_stevenson_pairwise(
    benchmark: Benchmark, cs_corpus: CloughStevenson, quality_report: list[str]
) -> None:
    ev = once(benchmark, cs_pairwise, DetectorOptions(), cs_corpus)
    quality_report.append(render_evaluation(ev))
    floor = FLOORS["cs-pairwise"]
    assert _shortfalls(ev, floor) == []
    assert len(ev.false_positives) <= floor.false_positives, ev.false_positives


def test_clough_stevenson_scan(
    benchmark: Benchmark, cs_corpus: CloughStevenson, quality_report: list[str]
) -> None:
    ev = once(benchmark, cs_scan, DetectorOptions(), cs_corpus)
    quality_report.append(render_evaluation(ev))
    floor = FLOORS["cs-scan"]
    assert _shortfalls(ev, floor) == []
    assert len(ev.false_positives) <= floor.false_positives, ev.false_positives


def test_spun_copies(benchmark: Benchmark, spinner: Spinner, quality_report: list[str]) -> None:
    result = once(benchmark, spin_benchmark, DetectorOptions(), spinner=spinner)
    ev = result.evaluation
    quality_report.append(render_evaluation(ev))
    quality_report.append(render_targets(ev))
    assert _shortfalls(ev, FLOORS["spin"]) == []
    chrome = chrome_only(ev)
    assert len(ev.false_positives) - chrome == 0, "unrelated texts reported for their content"
    assert chrome <= SPIN_CHROME_FALSE_POSITIVES
