"""The spun-copy benchmark corpus: real texts, their spun copies and partial copies.

:func:`build` takes the base texts (real text only) and adds, for every base text of at
least ``min_words`` words:

* a spun copy per substitution rate (:meth:`benchmarks.support.spinsim.Spinner.spin`), id
  ``spun35/<base>`` for rate 0.35;
* a partial copy: a contiguous half of it pasted under a base text of another topic
  (:func:`benchmarks.support.spinsim.paste_half`), id ``half/<base>@<host>``.

A hard-wrapped base text (the Clough & Stevenson answers are wrapped at about 70
characters) is unwrapped into paragraphs first (:func:`benchmarks.support.spinsim.unwrap`), as
a scraper's page holds it, so the simulator moves paragraphs, not lines; the copy is
compared with the original as it was, wrapped.

The labelled positives are the pairs (base text, copy of it). Every document belongs to
the groups (story or task) of the texts it contains; two documents with no group in
common are **unrelated**, and reporting them is a false positive. Every other pair is
related but not labelled -- two copies of one base text, a partial copy and its host,
two answers of one Clough & Stevenson task -- and is neither counted for nor against.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.support.corpora import Text
from benchmarks.support.spinsim import (
    PartialCopy,
    Spinner,
    SpunText,
    paste_half,
    unwrap,
    word_count,
)

__all__ = ["PARTIAL", "RATES", "CorpusDoc", "SpinCorpus", "build", "spun_category"]

RATES = (0.20, 0.35, 0.50)
"""Substitution rates (share of candidate words swapped) the benchmark spins at."""

PARTIAL = "partial (half)"


def spun_category(rate: float) -> str:
    """The category name of spun copies at ``rate``.

    >>> spun_category(0.35)
    'spun 35%'
    """
    return f"spun {round(rate * 100)}%"


@dataclass(frozen=True, slots=True)
class CorpusDoc:
    """One document of the benchmark corpus.

    Attributes:
        id: its id.
        text: its text.
        groups: the groups of the real texts it contains.
        base: the base text it is (a copy of).
        category: ``base``, a :func:`spun_category` or :data:`PARTIAL`.
        host: for a partial copy, the base text it was pasted under.
        spun: for a spun copy, what the simulator did.
        partial: for a partial copy, where the pasted half is.
    """

    id: str
    text: str = field(repr=False)
    groups: frozenset[str]
    base: str
    category: str
    host: str | None = None
    spun: SpunText | None = field(default=None, repr=False)
    partial: PartialCopy | None = field(default=None, repr=False)

    @property
    def content(self) -> str:
        """The text without the page chrome lines the simulator added.

        >>> CorpusDoc("x", "Body.", frozenset(), "x", "base").content
        'Body.'
        """
        if self.spun is None:
            return self.text
        out, pos = [], 0
        for start, end in self.spun.chrome:
            out.append(self.text[pos:start])
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


@dataclass(frozen=True, slots=True)
class SpinCorpus:
    """The corpus and its labels.

    Attributes:
        docs: base texts first, then the copies.
        positives: ``(base id, copy id, category)`` of every labelled pair.
    """

    docs: tuple[CorpusDoc, ...]
    positives: tuple[tuple[str, str, str], ...]
    _by_id: dict[str, CorpusDoc] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {d.id: d for d in self.docs})

    def doc(self, doc_id: str) -> CorpusDoc:
        """The document called ``doc_id``."""
        return self._by_id[doc_id]

    def relation(self, a: str, b: str) -> str:
        """How two documents are related: ``unrelated``, or what links them."""
        da, db = self.doc(a), self.doc(b)
        if not da.groups & db.groups:
            return "unrelated"
        if da.base == db.base:
            return "copies of one text"
        hosts = {da.host, db.host} - {None}
        if da.host == db.base or db.host == da.base or (len(hosts) == 1 and da.host == db.host):
            return "partial copy ~ its host"
        return "same story or task"


def build(
    texts: Sequence[Text],
    *,
    spinner: Spinner,
    rates: Sequence[float] = RATES,
    seed: int = 0,
    min_words: int = 150,
) -> SpinCorpus:
    """The benchmark corpus over ``texts`` (see the module docs); deterministic in ``seed``."""
    docs = [CorpusDoc(t.id, t.text, frozenset({t.group}), t.id, "base") for t in texts]
    positives: list[tuple[str, str, str]] = []
    long_texts = [t for t in texts if word_count(t.text) >= min_words]
    for rate in rates:
        category = spun_category(rate)
        for t in long_texts:
            base = unwrap(t.text)  # as a page holds it: a paragraph a line
            spun = spinner.spin(base, rate=rate, seed=f"{seed}:spin:{rate}:{t.id}")
            copy_id = f"spun{round(rate * 100)}/{t.id}"
            docs.append(
                CorpusDoc(copy_id, spun.text, frozenset({t.group}), t.id, category, spun=spun)
            )
            positives.append((t.id, copy_id, category))
    for t in long_texts:
        rng = random.Random(f"{seed}:host:{t.id}")
        host = rng.choice([h for h in texts if h.topic != t.topic])
        partial = paste_half(unwrap(t.text), unwrap(host.text), seed=f"{seed}:half:{t.id}")
        copy_id = f"half/{t.id}@{host.id}"
        docs.append(
            CorpusDoc(
                copy_id,
                partial.text,
                frozenset({t.group, host.group}),
                t.id,
                PARTIAL,
                host=host.id,
                partial=partial,
            )
        )
        positives.append((t.id, copy_id, PARTIAL))
    return SpinCorpus(tuple(docs), tuple(positives))
