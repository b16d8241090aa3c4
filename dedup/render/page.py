"""The HTML review page of a whole scan: an index of the pairs, then each pair's diff.

Pure functions from the pairs and their diffs to one self-contained page (inline
styles, no scripts); every text, id and name is escaped (:func:`dedup.render.diff.escape`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dedup.diff import DiffReport
from dedup.render.diff import escape, html_fragment, page

__all__ = ["PairInfo", "html_scan"]


@dataclass(frozen=True, slots=True)
class PairInfo:
    """What a scan report says about one pair besides its diff.

    Attributes:
        a: name of the first document (a path or id).
        b: name of the second document.
        kind: the kind of copy (``spun``, ``near-duplicate``...), if known.
        score: the pair's score, if known.
    """

    a: str
    b: str
    kind: str = ""
    score: float | None = None


def html_scan(pairs: Sequence[tuple[PairInfo, DiffReport]], *, title: str = "dedup scan") -> str:
    """One self-contained HTML page for a whole scan: an index of the pairs, then each
    pair as a collapsed ``<details>`` block that opens to its diff (see
    :func:`html_fragment`), so a moderator reviews a whole feed on one page."""
    rows = []
    for n, (info, report) in enumerate(pairs, 1):
        score = "" if info.score is None else f"{info.score:.3f}"
        rows.append(
            f'<tr><td class="n">{n}</td><td><a href="#pair-{n}">{escape(info.a)}</a></td>'
            f"<td>{escape(info.b)}</td><td>{escape(info.kind)}</td>"
            f'<td class="n">{score}</td><td class="n">{report.summary.spin:.2f}</td></tr>'
        )
    index = (
        "<table><thead><tr><th>#</th><th>a</th><th>b</th><th>kind</th><th>score</th>"
        "<th>spin</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    sections = []
    for n, (info, report) in enumerate(pairs, 1):
        label = f"{n}. {info.a} ↔ {info.b}" + (f" ({info.kind}" if info.kind else "")
        if info.kind:
            label += f", score {info.score:.3f})" if info.score is not None else ")"
        fragment = html_fragment(report, names=(info.a, info.b), anchor=f"diff-{n}")
        sections.append(
            f'<details id="pair-{n}"><summary>{escape(label)}</summary>\n{fragment}\n</details>'
        )
    return page(title, f"<h1>{escape(title)}</h1>\n{index}\n" + "\n".join(sections))
