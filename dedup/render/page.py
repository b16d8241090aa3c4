"""The HTML review page of a whole scan: what a moderator reads to decide on each pair.

One self-contained page (inline styles, no scripts, a Content-Security-Policy that
forbids them): a header with the documents, the threshold and the pairs by kind (or
"no copies found"), a legend of the marks, a filter by kind (radio buttons and CSS, so
it needs no script), an index of the pairs naming the original and the copy, then each
pair as a collapsed section that a link to ``#pair-N`` opens, its substitutions first
and then the side-by-side diff. Every text, id and name is escaped
(:func:`dedup.render.diff.escape`).

The page is produced in pieces (:func:`scan_page`), each pair's diff computed only when
its section is written, so a scan of many thousands of pairs holds one diff at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from dedup.diff import DiffReport
from dedup.model import Kind
from dedup.render.diff import PAGE_TAIL, escape, html_fragment, page_head

__all__ = ["PairInfo", "html_scan", "scan_page"]


@dataclass(frozen=True, slots=True)
class PairInfo:
    """What a scan report says about one pair besides its diff.

    Attributes:
        a: name of the first document (a path or id).
        b: name of the second document.
        kind: the kind of copy (``spun``, ``near-duplicate``...), if known.
        score: the pair's score, if known.
        original: ``a`` or ``b`` when the scan could tell which text is the original.
        reason: why the pair got its kind.
    """

    a: str
    b: str
    kind: str = ""
    score: float | None = None
    original: str | None = None
    reason: str = ""


_LEGEND = (
    '<mark class="sub">said</mark> a word the copy swapped (hover: the other side)',
    "<ins>inserted</ins> only in the copy",
    "<del>deleted</del> only in the original",
    '<span class="rew">rewritten</span> a passage reworded beyond single swaps',
    '<span class="badge-inline">moved</span> a paragraph in another place',
)

_CSS = """
.filters { margin: .8rem 0; }
input.filter { position: absolute; opacity: 0; }
.filters label { display: inline-block; border: 1px solid #d0d7de; border-radius: 1rem;
  padding: .1rem .7rem; margin: 0 .3rem .3rem 0; cursor: pointer; }
.legend li { margin: .15rem 0; }
.badge-inline { font-size: .8rem; color: #656d76; border: 1px solid #d0d7de; padding: 0 .3rem; }
.empty { font-size: 1.2rem; padding: 1rem; background: #dafbe1; }
details.pair { border: 1px solid #d0d7de; margin: .6rem 0; padding: .3rem .6rem; }
details.pair summary { cursor: pointer; font-weight: 600; }
table.index td.why { color: #656d76; font-size: .85rem; }
""".strip()


def scan_page(
    pairs: Sequence[PairInfo],
    diff_of: Callable[[PairInfo], DiffReport],
    *,
    documents: int,
    threshold: float | None = None,
    title: str = "dedup scan",
) -> Iterator[str]:
    """The review page, piece by piece (write each piece as it comes); ``diff_of``
    gives a pair's diff when its section is written."""
    yield page_head(title, extra_css=_CSS)
    counts = Counter(info.kind for info in pairs)
    yield _header(title, documents, threshold, counts, len(pairs))
    if not pairs:
        yield '<p class="empty">No copies found.</p>\n'
        yield PAGE_TAIL
        return
    kinds = [kind.value for kind in Kind if counts[kind.value]]
    kinds += sorted(k for k in counts if k not in kinds)
    yield _filters(kinds, counts, len(pairs))
    yield _legend()
    yield _index(pairs)
    yield '<div class="pairs">\n'
    for n, info in enumerate(pairs, 1):
        yield _section(n, info, diff_of(info)) + "\n"
    yield "</div>\n"
    yield PAGE_TAIL


def html_scan(pairs: Sequence[tuple[PairInfo, DiffReport]], *, title: str = "dedup scan") -> str:
    """:func:`scan_page` of pairs whose diffs are already made, as one string."""
    diffs = {id(info): report for info, report in pairs}
    infos = [info for info, _ in pairs]
    return "".join(scan_page(infos, lambda info: diffs[id(info)], documents=0, title=title))


def _header(
    title: str, documents: int, threshold: float | None, counts: Counter[str], total: int
) -> str:
    facts = []
    if documents:
        facts.append(f"{documents:,} documents")
    if threshold is not None:
        facts.append(f"threshold {threshold:g}")
    facts.append(f"{total:,} pair{'s' * (total != 1)}")
    by_kind = ", ".join(f"{counts[k]:,} {k}" for k in _ordered(counts))
    line = " · ".join(facts) + (f" ({by_kind})" if by_kind else "")
    return f'<h1>{escape(title)}</h1>\n<p class="facts">{escape(line)}</p>\n'


def _ordered(counts: Counter[str]) -> list[str]:
    known = [kind.value for kind in Kind if counts[kind.value]]
    return known + sorted(k for k in counts if k not in known)


def _filters(kinds: list[str], counts: Counter[str], total: int) -> str:
    """Radio buttons, at the top level before everything they filter, and their labels:
    ``#kind-X:checked ~ ...`` hides the rows and sections of the other kinds and marks
    the chosen label, with no script."""
    inputs = ['<input class="filter" type="radio" name="kind" id="kind-all" checked>']
    labels = [f'<label for="kind-all">all ({total:,})</label>']
    rules = [
        "#kind-all:checked ~ .filters label[for=kind-all] { background: #0969da; color: #fff; }"
    ]
    for kind in kinds:
        slug = _slug(kind)
        inputs.append(f'<input class="filter" type="radio" name="kind" id="kind-{slug}">')
        labels.append(f'<label for="kind-{slug}">{escape(kind)} ({counts[kind]:,})</label>')
        rules.append(
            f"#kind-{slug}:checked ~ .pairs details:not(.kind-{slug}), "
            f"#kind-{slug}:checked ~ table.index tr.row:not(.kind-{slug}) {{ display: none; }}\n"
            f"#kind-{slug}:checked ~ .filters label[for=kind-{slug}] "
            "{ background: #0969da; color: #fff; }"
        )
    return (
        f"<style>\n{chr(10).join(rules)}\n</style>\n"
        + "".join(inputs)
        + '\n<div class="filters">Show: '
        + "".join(labels)
        + "</div>\n"
    )


def _legend() -> str:
    items = "".join(f"<li>{item}</li>" for item in _LEGEND)
    return f'<ul class="legend">{items}</ul>\n'


def _index(pairs: Sequence[PairInfo]) -> str:
    rows = []
    for n, info in enumerate(pairs, 1):
        original, copy = _sides(info)
        score = "" if info.score is None else f"{info.score:.3f}"
        rows.append(
            f'<tr class="row kind-{_slug(info.kind)}"><td class="n">{n}</td>'
            f'<td><a href="#pair-{n}">{escape(original)}</a></td><td>{escape(copy)}</td>'
            f'<td>{escape(info.kind)}</td><td class="n">{score}</td>'
            f'<td class="why">{escape(info.reason)}</td></tr>'
        )
    return (
        '<table class="index"><thead><tr><th>#</th><th>original</th><th>copy</th>'
        "<th>kind</th><th>score</th><th>why</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>\n"
    )


def _sides(info: PairInfo) -> tuple[str, str]:
    """``(original, copy)`` as the index shows them; undecided pairs say so."""
    if info.original == info.b:
        return info.b, info.a
    if info.original == info.a:
        return info.a, info.b
    return f"{info.a} (original not told)", info.b


def _section(n: int, info: PairInfo, report: DiffReport) -> str:
    original, copy = _sides(info)
    label = f"{n}. {original} → {copy}"
    if info.kind:
        label += f" ({info.kind}" + (
            f", score {info.score:.3f})" if info.score is not None else ")"
        )
    fragment = html_fragment(
        report, names=(info.a, info.b), anchor=f"diff-{n}", substitutions_first=True
    )
    # the anchor is inside the closed section: following a link to it opens the section
    return (
        f'<details class="pair kind-{_slug(info.kind)}"><summary>{escape(label)}</summary>'
        f'<div id="pair-{n}"></div>\n{fragment}\n</details>'
    )


def _slug(kind: str) -> str:
    return "".join(c if c.isalnum() or c == "-" else "-" for c in kind.lower()) or "none"
