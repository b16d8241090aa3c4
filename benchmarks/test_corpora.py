"""The loaders give the texts and labels the benchmarks are scored on."""

from __future__ import annotations

from collections import Counter

from benchmarks.support.corpora import CloughStevenson, seeds


def test_clough_stevenson_labels(cs_corpus: CloughStevenson) -> None:
    assert Counter(p.category for p in cs_corpus.pairs) == {
        "cut": 19,
        "light": 19,
        "heavy": 19,
        "non": 38,
    }
    assert [t.id for t in cs_corpus.texts[:5]] == [f"orig_task{x}" for x in "abcde"]
    assert {t.group for t in cs_corpus.texts} == {f"cs:task{x}" for x in "abcde"}
    for pair in cs_corpus.pairs:
        assert cs_corpus.text(pair.answer).group == cs_corpus.text(pair.source).group


def test_clough_stevenson_decodes_windows_1252(cs_corpus: CloughStevenson) -> None:
    texts = "".join(t.text for t in cs_corpus.texts)
    assert "\ufffd" not in texts
    assert "’" in texts  # curly quotes from the cp1252 files


def test_seeds_groups() -> None:
    groups = {t.id: t.group for t in seeds()}
    assert groups["001"] == groups["002"] == groups["003"]
    assert len({groups["000"], groups["002"], groups["004"]}) == 3
