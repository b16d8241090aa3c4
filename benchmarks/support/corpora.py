"""Loaders of the labelled texts the quality benchmarks run on.

* :func:`seeds` -- the five news articles in ``seeds/``: ``001`` is a spun copy of
  ``002``; the rest are other articles, some on the same story.
* :func:`clough_stevenson` -- the Clough & Stevenson corpus of plagiarised short answers
  (``benchmarks/data/clough-stevenson``, see its ``PROVENANCE.md``): 5 Wikipedia
  sources and 95 answers, each labelled ``cut``, ``light``, ``heavy`` or ``non``
  against the source of its task.

Every text is decoded with :func:`dedup.normalize.decode` and carries a *group* (the
story or task it belongs to; texts of different groups are unrelated) and a *topic*
(broader: texts of different topics are about different things).

>>> [t.id for t in seeds()]
['000', '001', '002', '003', '004']
>>> cs = clough_stevenson()
>>> len(cs.texts), len(cs.pairs), cs.pairs[0]
(100, 95, LabelledPair(answer='g0pA_taska', source='orig_taska', category='non'))
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from dedup.normalize import decode

__all__ = [
    "CS_CATEGORIES",
    "CS_ROOT",
    "SEEDS_ROOT",
    "CloughStevenson",
    "LabelledPair",
    "Text",
    "clough_stevenson",
    "seeds",
]

SEEDS_ROOT = Path(__file__).resolve().parents[2] / "seeds"
CS_ROOT = Path(__file__).resolve().parents[1] / "data" / "clough-stevenson"

CS_CATEGORIES = ("cut", "light", "heavy", "non")
"""Clough & Stevenson answer categories, from the most to the least copied."""

# The seed stories (read from the articles): 001-003 report the September 2015
# US-Russia defence talks on Syria (001 is a spun 002; 003 is another article on the
# story); 000 and 004 are two different October 2017 stories on the Kurdistan crisis.
_SEED_GROUPS = {
    "000": ("seed:putin-netanyahu-kurdistan", "seed:kurdistan"),
    "001": ("seed:us-russia-syria-talks", "seed:syria"),
    "002": ("seed:us-russia-syria-talks", "seed:syria"),
    "003": ("seed:us-russia-syria-talks", "seed:syria"),
    "004": ("seed:iraq-kurds-altun-kupri", "seed:kurdistan"),
}


@dataclass(frozen=True, slots=True)
class Text:
    """One real text.

    Attributes:
        id: short id (``002``, ``g0pA_taska``, ``orig_taska``).
        text: the decoded text.
        group: the story or task; texts of different groups are unrelated.
        topic: what it is about; partial copies are pasted under another topic.
    """

    id: str
    text: str
    group: str
    topic: str


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """An answer of the Clough & Stevenson corpus and the source of its task."""

    answer: str
    source: str
    category: str


@dataclass(frozen=True, slots=True)
class CloughStevenson:
    """The Clough & Stevenson corpus: its texts (sources first) and labelled pairs."""

    texts: tuple[Text, ...]
    pairs: tuple[LabelledPair, ...]

    def text(self, text_id: str) -> Text:
        """The text called ``text_id``."""
        for t in self.texts:
            if t.id == text_id:
                return t
        raise KeyError(text_id)


def seeds(root: Path = SEEDS_ROOT) -> list[Text]:
    """The seed articles, ids ``000`` to ``004``, in id order."""
    texts = []
    for path in sorted(root.glob("*.txt")):
        seed_id = path.name[:3]
        group, topic = _SEED_GROUPS.get(seed_id, (f"seed:{seed_id}", f"seed:{seed_id}"))
        texts.append(Text(seed_id, decode(path.read_bytes(), source=str(path)), group, topic))
    if not texts:
        raise FileNotFoundError(f"no seed articles (*.txt) in {root}")
    return texts


def clough_stevenson(root: Path = CS_ROOT) -> CloughStevenson:
    """The corpus, from ``file_list.csv`` and the ``corpus-20090418`` files."""
    corpus = root / "corpus-20090418"
    with (root / "file_list.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    pairs = tuple(
        LabelledPair(_stem(row["File"]), _stem(row["source_file"]), row["Category"]) for row in rows
    )
    unknown = {p.category for p in pairs} - set(CS_CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories in file_list.csv: {sorted(unknown)}")
    tasks = {_stem(row["File"]): row["Task"] for row in rows}
    tasks.update({_stem(row["source_file"]): row["Task"] for row in rows})
    ids = sorted({p.source for p in pairs}) + [p.answer for p in pairs]
    texts = tuple(
        Text(
            text_id,
            decode((corpus / f"{text_id}.txt").read_bytes(), source=f"{text_id}.txt"),
            f"cs:task{tasks[text_id]}",
            f"cs:task{tasks[text_id]}",
        )
        for text_id in ids
    )
    return CloughStevenson(texts, pairs)


def _stem(file_name: str) -> str:
    return file_name.removesuffix(".txt")
