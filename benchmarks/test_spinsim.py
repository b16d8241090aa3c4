"""The simulator records exactly what it did: a diff will be scored against it."""

from __future__ import annotations

import re

import pytest

from benchmarks.support.corpora import CloughStevenson, seeds
from benchmarks.support.spincorpus import PARTIAL, build, spun_category
from benchmarks.support.spinsim import (
    FUNCTION_WORDS,
    Spinner,
    SpunText,
    paragraph_spans,
    paste_half,
    word_count,
)

RATES = [pytest.param(r, id=f"rate{round(r * 100)}") for r in (0.2, 0.35, 0.5)]


@pytest.fixture(scope="module")
def article() -> str:
    return next(t.text for t in seeds() if t.id == "002")


def _unspun(spun: SpunText, base: str) -> None:
    """Check every record of ``spun`` against the texts it points into."""
    for s in spun.substitutions:
        assert spun.text[s.start : s.end] == s.replacement
        assert base[s.source_start : s.source_end] == s.original
        assert s.replacement.lower() != s.original.lower()
    for p in spun.paragraphs:
        # Undo the swaps inside the paragraph: the base paragraph comes back.
        inside = [s for s in spun.substitutions if p.start <= s.start < p.end]
        text, pos = [], p.start
        for s in inside:
            text += [spun.text[pos : s.start], s.original]
            pos = s.end
        text.append(spun.text[pos : p.end])
        assert "".join(text) == base[p.source_start : p.source_end]


@pytest.mark.parametrize("rate", RATES)
def test_records_match_the_texts(spinner: Spinner, article: str, rate: float) -> None:
    spun = spinner.spin(article, rate=rate, seed=7)
    _unspun(spun, article)
    kept = sorted(p.index for p in spun.paragraphs)
    assert sorted(kept + list(spun.dropped)) == list(range(len(paragraph_spans(article))))
    assert spun.moved  # a couple of paragraphs change places
    for start, end in spun.chrome:
        assert spun.text[start:end].strip()
        assert "\n" not in spun.text[start:end]


@pytest.mark.parametrize("rate", RATES)
def test_rate_is_the_share_of_candidates(spinner: Spinner, article: str, rate: float) -> None:
    spun = spinner.spin(article, rate=rate, seed=3)
    assert len(spun.substitutions) == round(rate * spun.candidates)
    assert spun.share < spun.candidate_share  # function words and names stay
    assert spun.words == sum(
        word_count(article[p.source_start : p.source_end]) for p in spun.paragraphs
    )


def test_same_seed_same_copy(spinner: Spinner, article: str) -> None:
    first = spinner.spin(article, rate=0.35, seed="x")
    assert spinner.spin(article, rate=0.35, seed="x") == first
    assert spinner.spin(article, rate=0.35, seed="y").text != first.text


def test_leaves_numbers_function_words_and_most_names(spinner: Spinner, article: str) -> None:
    spun = Spinner(spinner.wordnet, capitalised=0.0).spin(article, rate=1.0, seed=1)
    for s in spun.substitutions:
        assert s.original[0].islower()
        assert s.original.lower() not in FUNCTION_WORDS
        assert not re.search(r"\d", s.original)


def test_keeps_case_and_joins_multiword_lemmas(spinner: Spinner) -> None:
    text = "Officials Said The Talks Went Well.\nofficials said the talks went well."
    spun = Spinner(spinner.wordnet, capitalised=1.0).spin(
        text, rate=1.0, seed=5, chrome=False, swap=False, drop=(0.0, 0.0)
    )
    assert spun.substitutions
    for s in spun.substitutions:
        assert s.replacement[0].isupper() == s.original[0].isupper()
        assert re.fullmatch(r"[\w'.]+(?:[ -][\w'.]+)*", s.replacement)
    assert spun.text.endswith(".")


def test_paste_half(cs_corpus: CloughStevenson) -> None:
    base, host = cs_corpus.text("orig_taskb").text, cs_corpus.text("orig_taska").text
    copy = paste_half(base, host, seed=2)
    pasted = copy.text[copy.pasted[0] : copy.pasted[1]]
    assert pasted == base[copy.source[0] : copy.source[1]]
    assert copy.text[copy.host[0] : copy.host[1]] == host.strip()
    assert 0.5 <= word_count(pasted) / word_count(base) <= 0.7


def test_paste_half_needs_two_sentences() -> None:
    with pytest.raises(ValueError, match="at least two sentences"):
        paste_half("One sentence only", "host", seed=1)


def test_corpus_labels(spinner: Spinner, cs_corpus: CloughStevenson) -> None:
    texts = [t for t in cs_corpus.texts if t.id in {"orig_taska", "orig_taskb", "g0pA_taska"}]
    corpus = build(texts, spinner=spinner, rates=(0.2,), seed=1)
    categories = {c for _, _, c in corpus.positives}
    assert categories == {spun_category(0.2), PARTIAL}
    assert corpus.relation("orig_taska", "orig_taskb") == "unrelated"
    assert corpus.relation("orig_taska", "g0pA_taska") == "same story or task"
    assert corpus.relation("spun20/orig_taska", "half/orig_taska@orig_taskb") == (
        "copies of one text"
    )
    half_b = next(d for d in corpus.docs if d.id.startswith("half/orig_taskb@"))
    assert corpus.relation(half_b.id, half_b.host or "") == "partial copy ~ its host"
