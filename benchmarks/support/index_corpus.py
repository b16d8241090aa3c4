"""The documents of the index benchmarks, and building a SQLite index of any size from them.

Document ``n`` is a 300-word synthetic article drawn from a generator seeded with
``n``: any document can be made again from its number alone, so an index of a million
documents needs no corpus on disk, queries can be copies of any indexed document, and a
build can be resumed where it stopped. The words follow English frequencies (wordfreq's
list, as in :mod:`benchmarks.support.synthetic`), so function words come in natural proportions
and unrelated documents share a little, as unrelated articles do; 8% are capitalised
names and 2% numbers, in sentences of 12 to 28 words, two to four a paragraph. This
generator is vectorised: a million documents take minutes, not an hour. Indexed
documents are numbered from 0; queries that must not be in the index use numbers from
:data:`UNSEEN`.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dedup.backends.sqlite import SqliteIndex
from dedup.fingerprint import Fingerprint, fingerprint_text

__all__ = ["UNSEEN", "WORDS", "Build", "build", "doc_id", "document", "edited", "numbers"]

WORDS = 300
"""Words per document."""
UNSEEN = 10**9
"""Documents numbered from here are never indexed by :func:`build`."""
CHUNK = 20_000
"""Documents per :meth:`SqliteIndex.insert_many` transaction."""

_SEED = 20_150_918


def document(n: int) -> str:
    """Document number ``n``: the same text on every call and every machine."""
    vocab, cumulative, names = _vocabulary()
    rng = np.random.default_rng([_SEED, n])
    words = vocab[np.searchsorted(cumulative, rng.random(WORDS))]
    kind = rng.random(WORDS)
    words = np.where(kind < 0.08, names[rng.integers(0, len(names), WORDS)], words)
    words = np.where((kind >= 0.08) & (kind < 0.1), rng.integers(2, 2030, WORDS).astype(str), words)
    bounds = np.cumsum(rng.integers(12, 29, WORDS // 12))
    ends = [*bounds[bounds < WORDS].tolist(), WORDS]
    out = words.tolist()
    starts = [0, *ends[:-1]]
    for first, last in zip(starts, ends, strict=True):
        out[first] = out[first].capitalize()
        out[last - 1] += "."
    per = rng.integers(2, 5, len(ends)).tolist()
    paragraphs, k = [], 0
    while k < len(ends):
        stop = min(k + per[k], len(ends))
        paragraphs.append(" ".join(out[starts[k] : ends[stop - 1]]))
        k = stop
    return "\n\n".join(paragraphs)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[npt.NDArray[np.str_], npt.NDArray[np.float64], npt.NDArray[np.str_]]:
    from wordfreq import top_n_list, word_frequency

    words = [w for w in top_n_list("en", 20000) if w.isalpha()]
    weights = np.array([word_frequency(w, "en") for w in words])
    names = np.array([w.capitalize() for w in words[2000:6000]])
    cumulative = np.cumsum(weights / weights.sum())
    cumulative[-1] = 1.0
    return np.array(words), cumulative, names


def doc_id(n: int) -> str:
    return f"doc{n:09d}"


def edited(n: int, *, share: float = 0.1) -> str:
    """Document ``n`` with ``share`` of its lower-case words swapped for others: a
    lightly edited copy (a near-duplicate, or ``spun`` when the share is high)."""
    rng = np.random.default_rng([_SEED, n, 1])
    words = document(n).split(" ")
    other = document(UNSEEN - 1 - n).split(" ")
    for i in np.flatnonzero(rng.random(len(words)) < share).tolist():
        if words[i].isalpha() and words[i].islower():
            words[i] = other[i % len(other)].lower().strip(".") or words[i]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Build:
    """How a build went: documents added by this run, their seconds, the total held."""

    added: int
    seconds: float
    documents: int

    @property
    def rate(self) -> float:
        """Documents per second (fingerprinting on the workers and writing overlap)."""
        return self.added / self.seconds if self.seconds else 0.0


def build(
    path: Path,
    size: int,
    *,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Build:
    """Grow the SQLite index at ``path`` to documents ``0 .. size-1``.

    Documents are made and fingerprinted by ``workers`` processes and written by this
    one with :meth:`SqliteIndex.insert_many`, :data:`CHUNK` at a time. An index that
    already holds the first ``k`` documents (from an earlier, smaller or interrupted
    build) is extended from ``k``.
    """
    with SqliteIndex(path) as index:
        start = len(index)
        if start >= size:
            return Build(0, 0.0, start)
        bounds = [(a, min(a + CHUNK, size)) for a in range(start, size, CHUNK)]
        began = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for ids, texts, fps in pool.imap(_fingerprinted, bounds):
                index.insert_many(ids, fps, texts)
                if progress is not None:
                    progress(start + len(ids), size)
                start += len(ids)
        return Build(size - bounds[0][0], time.perf_counter() - began, len(index))


def _fingerprinted(bounds: tuple[int, int]) -> tuple[list[str], list[str], list[Fingerprint]]:
    texts = [document(n) for n in range(*bounds)]
    return [doc_id(n) for n in range(*bounds)], texts, [fingerprint_text(t)[0] for t in texts]


def numbers(count: int, *, below: int, seed: int = 1) -> Iterator[int]:
    """``count`` document numbers drawn from ``0 .. below-1`` (with repeats)."""
    yield from np.random.default_rng(seed).integers(0, below, count).tolist()
