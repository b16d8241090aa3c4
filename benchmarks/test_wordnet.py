"""The WordNet reader against facts of the WordNet 3.0 database."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.support.wordnet import Inflection, WordNet, WordNetMissingError, inflect


def test_missing_database_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(WordNetMissingError, match="apt-get install wordnet-base"):
        WordNet.open(tmp_path)


@pytest.mark.parametrize(
    ("word", "pos", "expected"),
    [
        pytest.param("held", "v", ("hold", Inflection.PAST), id="irregular"),
        pytest.param("talks", "v", ("talk", Inflection.PLURAL), id="third-person"),
        pytest.param("allies", "n", ("ally", Inflection.PLURAL), id="ies"),
        pytest.param("mounting", "v", ("mount", Inflection.GERUND), id="gerund"),
        pytest.param("larger", "a", ("large", Inflection.COMPARATIVE), id="comparative"),
    ],
)
def test_base_forms(
    wordnet: WordNet, word: str, pos: str, expected: tuple[str, Inflection]
) -> None:
    assert expected in wordnet.base_forms(word, pos)


def test_synonyms_span_every_sense(wordnet: WordNet) -> None:
    synonyms = wordnet.synonyms("talk", "n")
    assert "lecture" in synonyms  # one sense
    assert "talking" in synonyms  # another
    assert "talk" not in synonyms


def test_lemmas_keep_case_and_drop_adjective_markers(wordnet: WordNet) -> None:
    assert "United_States" in wordnet.synonyms("us", "n")
    words = {w for offset in wordnet.synsets("galore", "a") for w in wordnet.lemmas("a", offset)}
    assert "galore" in words


@pytest.mark.parametrize(
    ("how", "word", "expected"),
    [
        pytest.param(Inflection.PLURAL, "box", "boxes", id="plural-x"),
        pytest.param(Inflection.PAST, "try", "tried", id="past-y"),
        pytest.param(Inflection.GERUND, "tie", "tying", id="gerund-ie"),
        pytest.param(Inflection.SUPERLATIVE, "easy", "easiest", id="superlative-y"),
        pytest.param(Inflection.NONE, "go", "go", id="none"),
    ],
)
def test_inflect(how: Inflection, word: str, expected: str) -> None:
    assert inflect(word, how) == expected
