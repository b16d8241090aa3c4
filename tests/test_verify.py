"""Tests of dedup.verify: sentence alignment and classification."""

from __future__ import annotations

import pytest

from dedup.model import Evidence, Kind
from dedup.options import VerifyOptions
from dedup.tokens import tokenize
from dedup.verify import align, classify

ORIGINAL = (
    "Defense chiefs from the United States and Russia held their first direct talks in "
    "more than a year Friday. The 50-minute phone call between Defense Secretary Ashton "
    "Carter and Russian Defense Minister Sergei Shoigu caps weeks of concern. Secretary of "
    "State John Kerry said military talks with Russia would help define the options."
)
SPUN = (
    "Defense chiefs from a United States and Russia reason their initial approach talks in "
    "some-more than a year Friday. The 50-minute phone call between Defense Secretary Ashton "
    "Carter and Russian Defense Minister Sergei Shoigu caps weeks of regard. Secretary of "
    "State John Kerry pronounced infantry talks with Russia would assistance conclude the options."
)
UNRELATED = (
    "Iraqi federal forces moved on the Kurds and pushed them out of regions they had been "
    "occupying for a while now. Reports of troops moving into the town of Altun Kupri came "
    "in last night. The Peshmerga had fortified the area and were well armed."
)


def test_spun_copy_aligns_with_substitutions() -> None:
    got = align(tokenize(ORIGINAL), tokenize(SPUN))
    assert got.aligned_a == got.aligned_b == 1.0
    assert got.pairs == 3
    assert 0.6 < got.verbatim < 0.9


def test_unrelated_texts_do_not_align() -> None:
    got = align(tokenize(ORIGINAL), tokenize(UNRELATED))
    assert (got.aligned_a, got.aligned_b, got.pairs) == (0.0, 0.0, 0)


def test_reordered_and_dropped_sentences_still_align() -> None:
    sentences = ORIGINAL.split(". ")
    shuffled = ". ".join([sentences[2], sentences[0]])
    got = align(tokenize(ORIGINAL), tokenize(shuffled))
    assert got.aligned_b == 1.0
    assert 0.5 < got.aligned_a < 1.0
    assert got.verbatim == pytest.approx(1.0)


def test_merged_sentences_align_with_their_parts() -> None:
    merged = ORIGINAL.replace("Friday. The", "Friday, and the")
    got = align(tokenize(ORIGINAL), tokenize(merged))
    assert got.aligned_a == got.aligned_b == 1.0


def _ev(aligned_a: float, aligned_b: float, verbatim: float) -> Evidence:
    return Evidence((), aligned_a, aligned_b, verbatim, 3)


@pytest.mark.parametrize(
    ("ev", "exact", "kind", "score"),
    [
        pytest.param(_ev(1.0, 1.0, 1.0), True, Kind.EXACT, 1.0, id="exact"),
        pytest.param(_ev(0.95, 0.9, 0.99), False, Kind.NEAR_DUPLICATE, 0.95, id="near"),
        pytest.param(_ev(0.5, 0.33, 0.98), False, Kind.PARTIAL, 0.5, id="partial"),
        pytest.param(_ev(0.8, 0.7, 0.65), False, Kind.SPUN, 0.8, id="spun"),
    ],
)
def test_classify(ev: Evidence, exact: bool, kind: Kind, score: float) -> None:
    assert classify(ev, exact=exact) == (kind, score)


def test_shared_quotations_are_no_evidence_of_copying() -> None:
    quote = (
        '"We have said before that we would welcome Russian contributions to the '
        'overall global effort against the Islamic State," Kerry told reporters.'
    )
    one = tokenize(
        f"Kerry spoke in London on Tuesday about the talks with Moscow. {quote} "
        "The Pentagon has not yet decided how it will answer the offer from Russia."
    )
    two = tokenize(
        "The State Department weighed its reply through the week, officials said. "
        f"{quote} Critics in Congress called the approach naive and far too slow."
    )
    assert align(one, two).aligned_a == 0.0
    assert align(one, two).quotations == 2
    kept = align(one, two, VerifyOptions(skip_quotations=False))
    assert kept.aligned_a > 0.2


def test_a_document_that_is_mostly_quotation_keeps_its_quotes() -> None:
    statement = tokenize(
        '"The talks were useful and we agreed to meet again next month in Geneva. '
        'Both sides will continue to discuss the mechanisms for deconfliction."'
    )
    got = align(statement, statement)
    assert (got.aligned_a, got.quotations) == (1.0, 0)
