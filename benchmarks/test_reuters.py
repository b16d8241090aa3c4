"""The real-news benchmark (:mod:`benchmarks.reuters`), asserted against floors."""

from __future__ import annotations

import pytest

from benchmarks.families import EXPECTED, FamiliesResult
from benchmarks.families import run as run_families
from benchmarks.reuters import PASSAGE_MODES, RATES, ReutersResult, run

# Floors a little under what was reached (benchmarks/README.md, "Reuters"); the targets
# of the kinds issue are higher (precision 0.98) and not met yet.
PRECISION_FLOOR = 0.95
PLANTED_FLOOR = 0.98
SPUN_CEILING = 1  # the target is 0; one pair is left (benchmarks/README.md)
PASSAGE_FLOOR = 0.93  # target 0.95: met verbatim and at 20%, 0.947 at 35% (one pair short)
ADDED_PRECISION_FLOOR = 0.75  # the pairs first reported with passage candidates (census)


@pytest.fixture(scope="module")
def result() -> ReutersResult:
    try:
        return run(planted=60, passages=100)
    except Exception as exc:  # WordNet missing: the planted part cannot run
        if "WordNet" in type(exc).__name__:
            pytest.skip(f"WordNet is not installed (apt-get install wordnet-base): {exc}")
        raise


def test_no_spun_pairs_between_original_stories(result: ReutersResult) -> None:
    assert result.reported["spun"] <= SPUN_CEILING


def test_precision_on_the_labelled_sample(result: ReutersResult) -> None:
    assert result.precision >= PRECISION_FLOOR
    assert result.added_precision >= ADDED_PRECISION_FLOOR


@pytest.mark.parametrize("rate", RATES)
def test_planted_spun_copies_are_found(result: ReutersResult, rate: float) -> None:
    assert result.planted_recall(rate) >= PLANTED_FLOOR


@pytest.mark.parametrize("mode", PASSAGE_MODES)
def test_planted_passages_are_found(result: ReutersResult, mode: str) -> None:
    assert result.passage_recall(mode) >= PASSAGE_FLOOR


# Copy families (:mod:`benchmarks.families`): every kind of copy of one story in one scan.
FAMILY_FOUND_FLOOR = 0.98  # the target for planted copies
FAMILY_KIND_FLOORS = {  # a little under what was reached (benchmarks/README.md)
    "mirror": 0.98,
    "spun 20%": 0.93,  # 0.95 reached: 7-10 swaps in 200 words are a near-duplicate
    "spun 35%": 0.95,
    "spun 50%": 0.95,
    "passage": 0.98,
    "passage spun 35%": 0.95,
}
FAMILY_WRONG_CEILING = 20  # 12 reached; most are stories repeated in Reuters itself


@pytest.fixture(scope="module")
def families() -> FamiliesResult:
    try:
        return run_families(count=100)
    except Exception as exc:
        if "WordNet" in type(exc).__name__:
            pytest.skip(f"WordNet is not installed (apt-get install wordnet-base): {exc}")
        raise


@pytest.mark.parametrize("what", EXPECTED)
def test_every_copy_of_a_family_is_found(families: FamiliesResult, what: str) -> None:
    assert families.found(what) >= FAMILY_FOUND_FLOOR
    assert families.kind_right(what) >= FAMILY_KIND_FLOORS[what]


def test_family_copies_pair_with_nothing_else(families: FamiliesResult) -> None:
    assert len(families.wrong) <= FAMILY_WRONG_CEILING
