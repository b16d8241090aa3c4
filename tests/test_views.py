"""Tests of dedup.views and dedup.fingerprint."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.fingerprint import estimated_jaccard, fingerprint, is_empty, minhash
from dedup.tokens import tokenize
from dedup.views import VIEWS, shingles, skeleton, skeleton_keys, words


def test_words_are_5_grams_of_folded_words() -> None:
    got = words(tokenize("The U.S. military said more than six"))
    assert got == {
        "the us military said more",
        "us military said more than",
        "military said more than six",
    }


def test_skeleton_keeps_names_and_numbers_in_order() -> None:
    toks = tokenize("The 50-minute call between Ashton B. Carter and Sergei Shoigu ended.")
    assert skeleton_keys(toks) == ["50-minute", "ashton", "b", "carter", "sergei", "shoigu"]


def test_skeleton_drops_sentence_initial_common_words_only() -> None:
    toks = tokenize("Kerry spoke. The talks ended. Kerry left and Kerry smiled.")
    assert skeleton_keys(toks) == ["kerry", "kerry", "kerry"]


def test_skeleton_survives_a_spinner() -> None:
    original = tokenize(
        "Defense chiefs from the United States and Russia held their "
        "first direct talks with Ashton B. Carter in London."
    )
    spun = tokenize(
        "Defense chiefs from a United States and Russia reason their "
        "initial approach talks with Ashton B. Carter in London."
    )
    assert skeleton(original) == skeleton(spun)
    common = words(original) & words(spun)
    assert len(common) / len(words(original) | words(spun)) < 0.15


def test_short_sequences_give_one_shingle() -> None:
    assert shingles(["a", "b"], 5) == {"a b"}
    assert shingles([], 5) == set()


def test_fingerprint_has_one_signature_per_view() -> None:
    text = "Ashton Carter spoke with Sergei Shoigu for 50 minutes on Friday in Washington."
    fp = fingerprint(tokenize(text), text)
    assert set(fp.signatures) == set(VIEWS)
    assert all(sig.dtype == np.uint32 and sig.shape == (128,) for sig in fp.signatures.values())


def test_empty_view_gives_an_empty_signature_that_matches_nothing() -> None:
    sig = minhash(set())
    assert is_empty(sig)
    assert estimated_jaccard(sig, sig) == 0.0


@settings(max_examples=30, deadline=None)
@given(
    st.sets(st.text(min_size=1, max_size=8), min_size=1, max_size=60),
    st.sets(st.text(min_size=1, max_size=8), min_size=1, max_size=60),
)
def test_estimated_jaccard_is_close_to_exact(a: set[str], b: set[str]) -> None:
    exact = len(a & b) / len(a | b)
    est = estimated_jaccard(minhash(a), minhash(b))
    assert est == estimated_jaccard(minhash(b), minhash(a))
    # 128 permutations: standard error <= 0.045; 5 sigma keeps the test deterministic-safe.
    assert abs(est - exact) <= 0.23
