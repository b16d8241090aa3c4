"""News-sized synthetic documents for the speed and scaling benchmarks.

Speed needs many documents; there is not that much real news on this machine, so the
texts are drawn from English word frequencies (wordfreq's list, Zipf-distributed), with
sentences, capitalised names, numbers and paragraphs like an article's. Unrelated
documents therefore share about as little as unrelated articles do. A share of the
documents are planted copies (exact, reprinted with new chrome, or with a tenth of the
words swapped), so verification has real work to do and the output can be checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["Corpus", "article", "corpus", "stream"]

WORDS_PER_ARTICLE = 800


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[npt.NDArray[np.str_], npt.NDArray[np.float64], npt.NDArray[np.str_]]:
    from wordfreq import top_n_list, word_frequency

    words = [w for w in top_n_list("en", 20000) if w.isalpha()]
    weights = np.array([word_frequency(w, "en") for w in words])
    names = np.array([w.capitalize() for w in words[2000:6000]])
    return np.array(words), np.cumsum(weights / weights.sum()), names


def article(rng: np.random.Generator, words: int = WORDS_PER_ARTICLE) -> str:
    """One synthetic article of about ``words`` words."""
    vocab, cumulative, names = _vocabulary()
    drawn = vocab[np.searchsorted(cumulative, rng.random(words) * cumulative[-1])].tolist()
    kinds = rng.random(words)
    picks = names[rng.integers(0, len(names), words)].tolist()
    numbers = rng.integers(2, 2030, words).tolist()
    lengths = rng.integers(12, 29, words).tolist()
    per_paragraph = rng.integers(2, 5, words).tolist()
    paragraphs: list[str] = []
    paragraph: list[str] = []
    sentence: list[str] = []
    for i, word in enumerate(drawn):
        if kinds[i] < 0.08:
            word = picks[i]
        elif kinds[i] < 0.1:
            word = str(numbers[i])
        sentence.append(word)
        if len(sentence) >= lengths[i] or i == words - 1:
            sentence[0] = sentence[0].capitalize()
            paragraph.append(" ".join(sentence) + ".")
            sentence = []
            if len(paragraph) >= per_paragraph[i]:
                paragraphs.append(" ".join(paragraph))
                paragraph = []
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


def _swap(rng: np.random.Generator, text: str, share: float) -> str:
    vocab, _, _ = _vocabulary()
    out = []
    for word in text.split(" "):
        if rng.random() < share and word.isalpha() and word.islower():
            word = str(vocab[rng.integers(0, 3000)])
        out.append(word)
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class Corpus:
    """Documents ``(id, text)`` and the planted copy pairs ``(original, copy)``."""

    documents: list[tuple[str, str]]
    planted: list[tuple[str, str]]


def corpus(n: int, *, seed: int = 7, copies: float = 0.01) -> Corpus:
    """``n`` documents, of which about ``copies`` * n are planted copies of others."""
    rng = np.random.default_rng(seed)
    documents: list[tuple[str, str]] = []
    planted: list[tuple[str, str]] = []
    for i in range(n):
        if documents and rng.random() < copies:
            original_id, original = documents[int(rng.integers(0, len(documents)))]
            kind = ("exact", "chrome", "swapped")[int(rng.integers(0, 3))]
            if kind == "exact":
                text = original
            elif kind == "chrome":
                text = f"Home | World | Politics\n\n{original}\n\nShare this article"
            else:
                text = _swap(rng, original, 0.1)
            doc_id = f"doc{i:07d}-{kind}"
            planted.append((original_id, doc_id))
        else:
            doc_id, text = f"doc{i:07d}", article(rng)
        documents.append((doc_id, text))
    return Corpus(documents, planted)


def stream(n: int, *, seed: int = 7) -> Iterator[str]:
    """``n`` unrelated articles, generated one at a time (for the 1M-document stage)."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield article(rng)
