"""Precision, recall and F1 of one category of labelled pairs, and markdown tables.

A benchmark labels some pairs positive (a copy of a given category) and some negative
(unrelated). The false positives are counted over all negatives together, so the
precision of one category is the precision the detector would have if that category
were the only kind of copy in the collection:
``precision = found / (found + false_positives)``.

>>> s = Score("cut", pairs=19, found=19, false_positives=1)
>>> (s.recall, round(s.precision, 3), round(s.f1, 3))
(1.0, 0.95, 0.974)
>>> print(markdown_table(["a", "b"], [["x", 1], ["y", 0.5]]))
| a | b |
|---|---|
| x | 1 |
| y | 0.500 |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["SCORE_HEADERS", "Score", "markdown_table", "ratio"]


@dataclass(frozen=True, slots=True)
class Score:
    """How the detector did on one category of positive pairs.

    Attributes:
        category: the category's name.
        pairs: labelled positive pairs of the category.
        found: how many of them were reported (true positives).
        false_positives: negative pairs reported (over all negatives).
        kinds: kind of match -> how many found pairs were reported with it.
    """

    category: str
    pairs: int
    found: int
    false_positives: int
    kinds: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def recall(self) -> float:
        """Share of the category's pairs that were found (1.0 for an empty category)."""
        return self.found / self.pairs if self.pairs else 1.0

    @property
    def precision(self) -> float:
        """``found / (found + false_positives)``; 1.0 when nothing was reported."""
        reported = self.found + self.false_positives
        return self.found / reported if reported else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> list[object]:
        """The cells of this score in :data:`SCORE_HEADERS` order."""
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.kinds.items(), key=lambda x: -x[1]))
        return [
            self.category,
            self.pairs,
            self.found,
            self.false_positives,
            self.precision,
            self.recall,
            self.f1,
            kinds or "-",
        ]


SCORE_HEADERS = ["category", "pairs", "found", "FP", "precision", "recall", "F1", "kinds found"]


def ratio(part: int, whole: int) -> str:
    """``part/whole (percent)`` for tables.

    >>> ratio(3, 4)
    '3/4 (75.0%)'
    """
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else f"{part}/0"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table; floats with three decimals."""

    def cell(value: object) -> str:
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        return text.replace("|", "\\|")

    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
