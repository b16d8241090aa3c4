"""The compiled fingerprint path gives exactly the reference path's signatures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.fingerprint import fingerprint, fingerprint_many, fingerprint_text
from dedup.hashing import (
    ANCHOR_SAMPLE,
    anchor_keys,
    fast_signatures,
    kernel_class,
    line_keys,
    reference_signature,
    shingle_hashes,
    word_hash,
)
from dedup.options import FingerprintOptions
from dedup.tokens import tokenize
from dedup.views import VIEWS

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def _reference(text: str, options: FingerprintOptions) -> dict[str, np.ndarray]:
    fp = fingerprint(tokenize(text), text, options=options)
    return {**fp.signatures, "digest": np.array([fp.digest])}


def _fast(text: str, options: FingerprintOptions) -> tuple[int, dict[str, np.ndarray]] | None:
    got = fast_signatures(text, num_perm=options.num_perm, seed=options.seed)
    if got is None:
        return None
    count, sigs, digest = got
    return count, {**sigs, "digest": np.array([digest])}


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seeds_fast_equals_reference(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    options = FingerprintOptions()
    fast = _fast(text, options)
    assert fast is not None  # news text with "ğ", "ş", curly quotes takes the fast path
    count, sigs = fast
    assert count == len(tokenize(text))
    ref = _reference(text, options)
    for view in [*VIEWS, "digest"]:
        np.testing.assert_array_equal(sigs[view], ref[view])


# Characters chosen to exercise every rule: connectors, possessives, abbreviations,
# initials, sentence ends with closing quotes, line breaks, typographic punctuation,
# folded and unfoldable non-ASCII letters, neutral symbols.
_ALPHABET = list("aAbBsSzZ09_ .'-!?\")]\n\t,;") + list(
    "’”“…–—•ğşıéÖßΣ\u00a0\u2028©\u200b\u00ad\u200eаСМоＡТтНнΗηβ\u034f\ufe0f😀🚀🀄🄐\u200d"
)
_WORDS = [
    "U.S.",
    "Mr.",
    "B.",
    "Moscow's",
    "the",
    "The",
    "said",
    "Kerry",
    "50-minute",
    "etc.",
    "St.",
    "x",
    "I",
    "e.g.",
    "an",
    "of",
    "to",
    "with",
    "in",
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=30), max_size=6).map("\n".join))
def test_line_keys_fast_equals_reference(text: str) -> None:
    _, _, counts, (keys, words, offsets), _ = fingerprint_many([text])
    if counts[0] < 0:
        return
    ref_keys, ref_words = line_keys(tokenize(text))
    np.testing.assert_array_equal(keys[offsets[0] : offsets[1]], ref_keys)
    np.testing.assert_array_equal(words[offsets[0] : offsets[1]], ref_words)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_WORDS), st.text(alphabet=_ALPHABET, max_size=6)),
        max_size=80,
    ).map(" ".join)
)
def test_anchors_fast_equal_reference(text: str) -> None:
    _, _, counts, _, (keys, offsets) = fingerprint_many([text])
    if counts[0] < 0:  # the reference path computed them: equal by construction
        return
    np.testing.assert_array_equal(keys[offsets[0] : offsets[1]], anchor_keys(tokenize(text)))


def test_anchors_are_a_sample_of_the_word_and_function_word_shingles() -> None:
    text = SEEDS[2].read_text(encoding="utf-8")
    tokens = tokenize(text)
    anchors = anchor_keys(tokens)
    assert np.all(np.diff(anchors.astype(np.int64)) > 0)  # sorted, distinct
    words = len(tokens) - VIEWS["words"].k + 1
    functions = len(VIEWS["function"].select(tokens)) - VIEWS["function"].k + 1
    # one shingle in ANCHOR_SAMPLE is kept, by hash: within 30% of the expectation
    expected = (words + functions) / ANCHOR_SAMPLE
    assert 0.7 * expected <= len(anchors) <= 1.3 * expected
    # a passage keeps its anchors inside any other text
    passage = " ".join(text.split()[200:400])
    inside = anchor_keys(tokenize("Something else entirely. " * 50 + passage))
    shared = np.intersect1d(anchor_keys(tokenize(passage)), inside)
    assert len(shared) >= 0.8 * len(anchor_keys(tokenize(passage)))
    assert len(anchor_keys(tokenize("too short"))) == 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_WORDS), st.text(alphabet=_ALPHABET, max_size=6)),
        max_size=40,
    ).map(" ".join)
)
def test_fast_equals_reference_on_arbitrary_text(text: str) -> None:
    options = FingerprintOptions(num_perm=16, seed=7)
    fast = _fast(text, options)
    ref = _reference(text, options)
    if fast is None:
        assert any(kernel_class(ch) == 255 for ch in text if ord(ch) > 127)
        return
    count, sigs = fast
    assert count == len(tokenize(text))
    for view in [*VIEWS, "digest"]:
        np.testing.assert_array_equal(sigs[view], ref[view])


def test_fingerprint_text_falls_back_for_unfoldable_words() -> None:
    text = "Ömer Çelik met Ashton Carter in Ankara on Friday to discuss the war in Syria."
    assert _fast(text, FingerprintOptions()) is None
    fp, words = fingerprint_text(text)
    assert words == 15
    ref = _reference(text, FingerprintOptions())
    assert fp.digest == ref.pop("digest")[0]
    for view, sig in ref.items():
        np.testing.assert_array_equal(fp.signatures[view], sig)


def test_shingle_hash_definition() -> None:
    h = [word_hash(w) for w in ["islamic", "state", "fighters"]]
    assert h[0] == xxhash.xxh32_intdigest(b"islamic")
    c = 0x9E3779B1
    assert shingle_hashes(h, 3).tolist() == [((h[0] * c + h[1]) * c + h[2]) % 2**32]
    assert shingle_hashes(h, 5).tolist() == shingle_hashes(h, 3).tolist()  # short: one shingle
    assert shingle_hashes([], 3).tolist() == []


def test_reference_signature_is_datasketch() -> None:
    from datasketch import MinHash

    hashes = shingle_hashes([1, 2, 3, 4, 5, 6], 2)
    m = MinHash(num_perm=32, seed=3, hashfunc=int, scheme="affine32")
    m.update_batch(hashes.tolist())
    np.testing.assert_array_equal(reference_signature(hashes, num_perm=32, seed=3), m.hashvalues)


def test_fingerprint_many_equals_one_at_a_time() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS] + [
        "Ömer Çelik met Ashton Carter in Ankara on Friday to discuss the war.",  # reference
        "",
        "one",
        "emoji \U0001f600 take the reference path too, as do lone \ud800 surrogates",
    ]
    signatures, digests, counts, (keys, line_words, offsets), anchors = fingerprint_many(texts)
    for row, text in enumerate(texts):
        np.testing.assert_array_equal(
            anchors[0][anchors[1][row] : anchors[1][row + 1]], anchor_keys(tokenize(text))
        )
        fp, words = fingerprint_text(text)
        assert (counts[row], digests[row]) == (words, fp.digest)
        ref_keys, ref_words = line_keys(tokenize(text))
        np.testing.assert_array_equal(keys[offsets[row] : offsets[row + 1]], ref_keys)
        np.testing.assert_array_equal(line_words[offsets[row] : offsets[row + 1]], ref_words)
        for view, sig in fp.signatures.items():
            np.testing.assert_array_equal(signatures[view][row], sig)


def test_the_symbols_outside_the_bmp_that_the_kernel_reads_are_symbols() -> None:
    """The kernel reads emoji and pictographs (U+1F000-1F0FF, U+1F10D-1FAFF) as symbols
    instead of sending their texts to the reference path; for the two to agree, every
    one of them must be a symbol to the tokenizer too."""
    import re

    from dedup.hashing import kernel_class

    symbols = [*range(0x1F000, 0x1F100), *range(0x1F10D, 0x1FB00)]
    assert all(kernel_class(chr(cp)) == ord("#") for cp in symbols)
    assert not any(re.match(r"\w", chr(cp)) for cp in symbols)
    assert kernel_class("\U0001f10c") != ord("#")  # a digit with a comma: left out
