"""Tests of dedup.diff.direction, and of diff_pair's orientation on the seed pair."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.diff import diff, diff_pair
from dedup.diff.direction import guess_direction, zipf
from dedup.errors import OptionsError

SPUN_PAIRS = [
    ("said", "pronounced"),
    ("military", "infantry"),
    ("might", "competence"),
    ("more", "some-more"),
    ("first", "initial"),
]


def test_seed_direction_in_both_orders(original: Path, spun: Path) -> None:
    text_o = original.read_text(encoding="utf-8")
    text_s = spun.read_text(encoding="utf-8")
    forward = diff_pair(text_o, text_s)
    backward = diff_pair(text_s, text_o)
    assert forward.direction.original == "a"
    assert backward.direction.original == "b"
    assert not forward.swapped
    assert backward.swapped
    for report in (forward, backward):
        assert report.original == text_o
        assert report.copy == text_s
        assert report.direction.confidence > 0.99
        top = report.substitutions[0]
        assert (top.original, top.replacement) == ("the", "a")


def test_seed_direction_from_a_plain_diff(original: Path, spun: Path) -> None:
    # diff() keeps the order it is given but still says which side looks original.
    report = diff(spun.read_text(encoding="utf-8"), original.read_text(encoding="utf-8"))
    assert report.direction.original == "b"
    assert not report.swapped
    assert ("a", "the") in {(s.original, s.replacement) for s in report.substitutions}


def test_spun_words_are_rarer() -> None:
    for common, rare in SPUN_PAIRS:
        assert zipf(common) > zipf(rare), (common, rare)


def test_guess_direction_votes() -> None:
    forward = guess_direction(SPUN_PAIRS)
    assert forward.original == "a"
    assert forward.a_more_common == len(SPUN_PAIRS)
    assert forward.b_more_common == 0
    assert forward.mean_zipf_a > forward.mean_zipf_b
    backward = guess_direction([(b, a) for a, b in SPUN_PAIRS])
    assert backward.original == "b"
    assert backward.confidence == forward.confidence


def test_no_evidence_means_no_confidence() -> None:
    empty = guess_direction([])
    assert (empty.original, empty.confidence, empty.pairs) == ("a", 0.0, 0)
    tie = guess_direction([("said", "pronounced"), ("infantry", "military")])
    assert tie.confidence == 0.0


def test_repeats_count_once() -> None:
    once = guess_direction([("said", "pronounced")])
    many = guess_direction([("said", "pronounced")] * 50)
    assert once == many


def test_confidence_grows_with_evidence() -> None:
    confidences = [guess_direction(SPUN_PAIRS[:n]).confidence for n in range(1, 6)]
    assert confidences == sorted(confidences)
    assert confidences[-1] > 0.9


def test_margin_is_validated() -> None:
    with pytest.raises(OptionsError, match="margin"):
        guess_direction(SPUN_PAIRS, margin=-1.0)


_word = st.sampled_from(
    "the a said pronounced military infantry might competence war quarrel big vast".split()
)


@settings(deadline=None)
@given(st.lists(st.tuples(_word, _word)))
def test_property_swapping_sides_mirrors_the_guess(pairs: list[tuple[str, str]]) -> None:
    forward = guess_direction(pairs)
    backward = guess_direction([(b, a) for a, b in pairs])
    assert forward.confidence == backward.confidence
    assert (forward.a_more_common, forward.b_more_common) == (
        backward.b_more_common,
        backward.a_more_common,
    )
    assert 0.0 <= forward.confidence <= 1.0
    if forward.a_more_common != forward.b_more_common:
        assert {forward.original, backward.original} == {"a", "b"}
