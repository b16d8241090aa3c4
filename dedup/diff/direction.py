"""Which of two texts is the original, judged from the words swapped between them.

An article spinner replaces words with synonyms from a thesaurus, and a thesaurus
offers many rare words for every common one: "said" becomes "pronounced", "military"
becomes "infantry", "might" becomes "competence". So in the list of substitution pairs
between two texts, the side whose words are more common in ordinary English is most
likely the original. Word frequencies come from the ``wordfreq`` package, on its Zipf
scale (log10 of occurrences per billion words: about 7 for "the", 3 for "infantry",
0 for a word it does not know).

Each distinct pair casts one vote, so a swap that happens fifty times ("the" to "a")
counts no more than one that happens once; the confidence is one minus the two-sided
sign-test p-value of the votes, so it grows with the number of pairs and how one-sided
they are.

>>> d = guess_direction([("said", "pronounced"), ("military", "infantry"), ("might", "competence")])
>>> d.original, round(d.confidence, 2)
('a', 0.75)
>>> guess_direction([("infantry", "military")]).original
'b'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import wordfreq

from dedup.errors import OptionsError
from dedup.model import DECIDED, sign_test

__all__ = ["DECIDED", "Direction", "guess_direction", "votes", "zipf"]


@dataclass(frozen=True, slots=True)
class Direction:
    """A guess at which of two texts, ``a`` or ``b``, is the original.

    Attributes:
        original: ``"a"`` or ``"b"``; ``"a"`` when the evidence is even or absent.
        confidence: 0..1, one minus the two-sided sign-test p-value of the votes.
        decided: whether the votes say it at all: a confidence of at least
            :data:`DECIDED` (the sign test at 5%). When not, ``original`` is only the
            order the texts were given in, and no one should read it as a verdict.
        pairs: distinct substitution pairs that voted (pairs whose two sides are about
            equally common abstain).
        a_more_common: pairs whose ``a`` side is the more common one.
        b_more_common: pairs whose ``b`` side is the more common one.
        mean_zipf_a: mean Zipf frequency of the ``a`` side over all distinct pairs.
        mean_zipf_b: the same for the ``b`` side.
    """

    original: Literal["a", "b"]
    confidence: float
    pairs: int
    a_more_common: int
    b_more_common: int
    mean_zipf_a: float
    mean_zipf_b: float

    @property
    def decided(self) -> bool:
        return self.confidence >= DECIDED


def votes(pairs: Iterable[tuple[str, str]], *, margin: float = 0.1) -> tuple[int, int]:
    """How many distinct substitution pairs ``(a_word, b_word)`` have the more common
    word on the ``a`` side, and how many on the ``b`` side (by more than ``margin`` on
    the Zipf scale; the others abstain).

    >>> votes([("said", "pronounced"), ("said", "pronounced"), ("infantry", "military")])
    (1, 1)
    """
    return _count(*_frequencies(dict.fromkeys(pairs)), margin)


def _frequencies(distinct: Iterable[tuple[str, str]]) -> tuple[list[float], list[float]]:
    pairs = list(distinct)
    return [zipf(a) for a, _ in pairs], [zipf(b) for _, b in pairs]


def _count(za: list[float], zb: list[float], margin: float) -> tuple[int, int]:
    """Votes for ``a`` and for ``b`` from the two sides' frequencies."""
    return (
        sum(1 for x, y in zip(za, zb, strict=True) if x - y > margin),
        sum(1 for x, y in zip(za, zb, strict=True) if y - x > margin),
    )


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """Frequency of ``word`` (or a phrase) in English on the Zipf scale, 0 if unknown.

    A phrase is rarer than each of its words, so "some-more" counts as rarer than "more".

    >>> zipf("the") > zipf("said") > zipf("pronounced") > zipf("qwzxv")
    True
    """
    return float(wordfreq.zipf_frequency(word, "en"))


def guess_direction(pairs: Iterable[tuple[str, str]], *, margin: float = 0.1) -> Direction:
    """Guess which side of the substitution pairs ``(a_word, b_word)`` is the original.

    Args:
        pairs: what ``a`` has and what ``b`` has in its place; repeats are counted once.
        margin: a pair votes only when its sides differ by more than this on the Zipf
            scale (0.1 is about a quarter more occurrences).

    Raises:
        OptionsError: ``margin`` is negative.

    >>> guess_direction([]).confidence
    0.0
    """
    if margin < 0:
        raise OptionsError(f"margin must be zero or more, got {margin!r}")
    distinct = dict.fromkeys(pairs)
    za, zb = _frequencies(distinct)
    a_votes, b_votes = _count(za, zb, margin)
    n = len(distinct)
    return Direction(
        original="b" if b_votes > a_votes else "a",
        confidence=1.0 - sign_test(a_votes, b_votes),
        pairs=a_votes + b_votes,
        a_more_common=a_votes,
        b_more_common=b_votes,
        mean_zipf_a=sum(za) / n if n else 0.0,
        mean_zipf_b=sum(zb) / n if n else 0.0,
    )
