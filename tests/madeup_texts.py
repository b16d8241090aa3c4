"""Made-up texts for the index tests: no real words, so only what a test plants is shared."""

from __future__ import annotations

import random

__all__ = ["synthetic", "variants"]

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "du", "fa", "go"]


def synthetic(n: int, *, words: int = 150, names: bool = True) -> str:
    """A random text of made-up words; every tenth word is a capitalised name."""
    rng = random.Random(n)
    out = []
    for i in range(words):
        word = "".join(rng.choice(_SYLLABLES) for _ in range(3))
        out.append(word.capitalize() if names and i % 10 == 0 else word)
    return " ".join(out) + "."


def variants(count: int) -> list[str]:
    """Texts that share from all to none of their words with one of four bases, so that
    candidates fall on both sides of any prefilter."""
    rng = random.Random(5)
    bases = [synthetic(n, words=200).split() for n in range(4)]
    out = []
    for k in range(count):
        words = list(bases[k % 4])
        own = synthetic(1000 + k, words=200).split()
        for i in rng.sample(range(200), int(200 * (k % 10) / 10)):
            words[i] = own[i]
        out.append(" ".join(words))
    return out


# Two short news-like texts written for the decoding tests (not real articles).
RUSSIAN = (
    "Министр обороны провёл переговоры с коллегой по телефону в пятницу. Стороны "
    "обсудили безопасность полётов над Сирией и договорились продолжить консультации. "
    "Эксперты считают, что разговор стал первым шагом к снижению напряжённости в "
    "регионе, где действуют военные самолёты нескольких стран."
)
CHINESE = "国防部长周五与对方通了电话。双方讨论了叙利亚上空的飞行安全问题，并同意继续磋商。"


# JSON lines that break a naive reader, each with the problem both readers of JSON
# lines (``dedup.sources.read`` and ``dedup.feed``) must report: (id, line, message).
HOSTILE_JSON_LINES = [
    (
        "huge-number",
        '{"id": 1' + "0" * 5000 + ', "text": "x"}',
        "not valid JSON for dedup: exceeds the limit (4300 digits) for integer string conversion",
    ),
    (
        "deep-nesting",
        '{"id": "d", "text": ' + "[" * 5000 + "]" * 5000 + "}",
        "not valid JSON for dedup: nested too deeply",
    ),
    (
        "surrogate-id",
        '{"id": "a\\ud800", "text": "x"}',
        '"id" holds a lone surrogate escape (\\ud800-\\udfff), not text',
    ),
]
