"""Tests of dedup.tokens: words, offsets, sentences and paragraphs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.tokens import MAX_SENTENCE_TOKENS, tokenize


def test_offsets_point_into_the_original_text() -> None:
    text = "In sign of U.S. alarm, “Washington’s” 50-minute call."
    toks = tokenize(text)
    assert [text[s:e] for s, e in zip(toks.starts, toks.ends, strict=True)] == [
        "In",
        "sign",
        "of",
        "U.S",
        "alarm",
        "Washington’s",
        "50-minute",
        "call",
    ]
    assert toks.keys[3] == "us"
    assert toks.keys[5] == "washington"


def test_sentences_do_not_break_at_initials_or_abbreviations() -> None:
    toks = tokenize("Secretary Ashton B. Carter met Mr. Shoigu. Then they left.")
    assert len(toks.sentences) == 2


def test_paragraphs_split_at_line_breaks() -> None:
    toks = tokenize("First line here.\n\nSecond paragraph here.\nThird.")
    assert [toks.keys[a:b] for a, b in toks.paragraphs] == [
        ["first", "line", "here"],
        ["second", "paragraph", "here"],
        ["third"],
    ]


def test_long_unpunctuated_text_is_cut_into_windows() -> None:
    toks = tokenize(" ".join(["word"] * (MAX_SENTENCE_TOKENS * 2 + 5)))
    assert [b - a for a, b in toks.sentences] == [MAX_SENTENCE_TOKENS, MAX_SENTENCE_TOKENS, 5]


def test_empty_text() -> None:
    toks = tokenize("  \n ")
    assert len(toks) == 0
    assert toks.sentences == []


@given(st.text())
def test_segments_cover_every_token_in_order(text: str) -> None:
    toks = tokenize(text)
    for spans in (toks.sentences, toks.paragraphs):
        flat = [i for a, b in spans for i in range(a, b)]
        assert flat == list(range(len(toks)))
