"""Render a :class:`~dedup.diff.DiffReport`: inline text, JSON, and self-contained HTML.

Pure functions from a report to a string; nothing here prints, reads files or imports
click. The text renderer takes a ``style`` callable so the CLI can colour it (for
instance with ``click.style``) without this module knowing about terminals.

Every piece of article text is untrusted: the HTML renderers pass all of it, and every
name, title and id the caller gives, through :func:`html.escape` with ``quote=True``.
The pages are one file each, with inline CSS and no scripts or external resources; the
original of a substituted word shows on hover through the ``title`` attribute.

>>> from dedup.diff import diff
>>> r = diff("Kerry said the talks went well.", "Kerry pronounced a talks went well.")
>>> print(text(r).splitlines()[1])
Kerry [said→pronounced] [the→a] talks went well.
"""

from __future__ import annotations

import html as _html
import json as _json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Literal

from dedup.diff import DiffReport, Op, ParagraphMatch

__all__ = [
    "Style",
    "escape",
    "html",
    "html_fragment",
    "json",
    "page",
    "plain",
    "text",
    "to_dict",
]

Style = Callable[[str, str], str]
"""Styles a piece of output: ``style(text, role)``. Roles are the span ops (``equal``,
``substitution``, ``insertion``, ``deletion``, ``rewritten``) and ``heading``,
``dropped``, ``added``, ``moved``."""


def plain(text: str, role: str) -> str:
    """The default :data:`Style`: no styling."""
    return text


# --- layout shared by the renderers -------------------------------------------------

_Row = tuple[Literal["match"], ParagraphMatch] | tuple[Literal["added", "dropped"], int]


def _rows(report: DiffReport) -> list[_Row]:
    """Matches and added paragraphs in the copy's order; each dropped paragraph after
    the match (not a moved one) holding the original paragraph before it."""
    first_copy = {m.copy[0]: m for m in report.matches}
    added = set(report.added)
    after: dict[int, list[int]] = {}  # copy paragraph -> dropped paragraphs to show after
    anchors = {p: m.copy[-1] for m in report.matches if not m.moved for p in m.original}
    for d in report.dropped:
        before = [p for p in anchors if p < d]
        after.setdefault(anchors[max(before)] if before else -1, []).append(d)
    rows: list[_Row] = [("dropped", d) for d in after.get(-1, [])]
    for p in range(len(report.copy_paragraphs)):
        if p in first_copy:
            rows.append(("match", first_copy[p]))
        elif p in added:
            rows.append(("added", p))
        rows.extend(("dropped", d) for d in after.get(p, []))
    return rows


def _names(report: DiffReport, names: tuple[str, str]) -> tuple[str, str]:
    """The names of (original, copy), given the names of the call's (a, b)."""
    return (names[1], names[0]) if report.swapped else names


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def _summary_items(report: DiffReport) -> list[tuple[str, str]]:
    s = report.summary
    return [
        ("words (original / copy)", f"{s.original_words} / {s.copy_words}"),
        ("verbatim", _percent(s.verbatim)),
        ("substituted", _percent(s.substituted)),
        ("rewritten", _percent(s.rewritten)),
        ("inserted", _percent(s.inserted)),
        ("deleted from the original", _percent(s.deleted)),
        ("substitutions", str(s.substitutions)),
        ("paragraphs matched", str(s.matched)),
        ("paragraphs dropped", str(s.dropped)),
        ("paragraphs moved", str(s.moved)),
        ("paragraphs added", str(s.added)),
        ("spin score", f"{s.spin:.2f}"),
    ]


def _orientation(report: DiffReport, names: tuple[str, str]) -> str:
    d = report.direction
    votes = f"confidence {d.confidence:.2f}, {d.pairs} voting substitution pairs"
    if not d.decided:
        shown = names[1] if report.swapped else names[0]
        why = (
            "because it was given first"
            if d.a_more_common == d.b_more_common
            else "as the likelier of the two"
        )
        return (
            f"which text is the original cannot be told at 95% ({votes}); "
            f"{shown} is shown as the original {why}"
        )
    looks = names[0] if d.original == "a" else names[1]
    return f"{looks} looks like the original ({votes})"


# --- text ---------------------------------------------------------------------------


def text(
    report: DiffReport,
    *,
    style: Style = plain,
    names: tuple[str, str] = ("a", "b"),
    top: int | None = 20,
    context: int | None = None,
) -> str:
    """The copy with its changes marked inline, then the substitutions and the summary.

    Marks: ``[said→pronounced]`` a substitution, ``{+words+}`` an insertion,
    ``[-words-]`` a deletion, ``[-old-]{+new+}`` a rewrite.

    Args:
        report: the diff.
        style: styles each marked piece by role (see :data:`Style`).
        names: names of the two texts in the order they were given to the diff call.
        top: how many substitutions to list (``None`` for all).
        context: show only the paragraphs that changed and this many unchanged ones
            around each (as ``diff -U``), the others counted in a ``…`` line; ``None``
            shows every paragraph.
    """
    original_name, copy_name = _names(report, names)
    out: list[str] = []
    rows = _rows(report)
    visible = _in_context(rows, context)
    skipped = 0
    for at, (kind, item) in enumerate(rows):
        if at not in visible:
            skipped += 1
            continue
        if skipped:
            out.append(style(f"… {skipped} unchanged paragraph{'s' * (skipped != 1)}", "heading"))
            skipped = 0
        if kind == "match":
            assert isinstance(item, ParagraphMatch)
            where = f"¶{_numbers(item.original)} → ¶{_numbers(item.copy)}"
            label = f"{where}  similarity {item.similarity:.2f}"
            out.append(style(f"== {label}" + ("  (moved)" if item.moved else ""), "heading"))
            out.append(_inline(report, item, style))
        elif kind == "added":
            assert isinstance(item, int)
            out.append(style(f"== ¶{item + 1} added in {copy_name}", "heading"))
            out.append(
                style("{+" + _paragraph(report.copy, report.copy_paragraphs[item]) + "+}", "added")
            )
        else:
            assert isinstance(item, int)
            out.append(style(f"== ¶{item + 1} of {original_name} dropped", "heading"))
            out.append(
                style(
                    "[-" + _paragraph(report.original, report.original_paragraphs[item]) + "-]",
                    "dropped",
                )
            )
    if skipped:
        out.append(style(f"… {skipped} unchanged paragraph{'s' * (skipped != 1)}", "heading"))
    out.append("")
    out.append(style(f"Substitutions ({original_name} → {copy_name})", "heading"))
    shown = report.substitutions if top is None else report.substitutions[:top]
    for sub in shown:
        out.append(f"{sub.count:6d}  {sub.original} → {sub.replacement}")
    if len(shown) < len(report.substitutions):
        out.append(f"        … and {len(report.substitutions) - len(shown)} more")
    out.append("")
    out.append(style("Summary", "heading"))
    out.append(f"  original: {original_name}, copy: {copy_name}")
    out.append(f"  {_orientation(report, names)}")
    out.extend(f"  {label}: {value}" for label, value in _summary_items(report))
    return "\n".join(out)


def _in_context(rows: list[_Row], context: int | None) -> set[int]:
    """The rows :func:`text` shows: all of them, or the changed ones (a paragraph added,
    dropped, moved or edited) and ``context`` rows either side of each."""
    if context is None:
        return set(range(len(rows)))
    changed = [
        at
        for at, (kind, item) in enumerate(rows)
        if kind != "match"
        or (
            isinstance(item, ParagraphMatch)
            and (item.moved or any(span.op is not Op.EQUAL for span in item.spans))
        )
    ]
    return {
        near
        for at in changed
        for near in range(max(0, at - context), min(len(rows), at + context + 1))
    }


def _numbers(paragraphs: tuple[int, ...]) -> str:
    first, last = paragraphs[0] + 1, paragraphs[-1] + 1
    return str(first) if first == last else f"{first}-{last}"


def _paragraph(source: str, span: tuple[int, int]) -> str:
    return source[span[0] : span[1]]


def _extent(paragraphs: tuple[tuple[int, int], ...], indices: tuple[int, ...]) -> tuple[int, int]:
    return paragraphs[indices[0]][0], paragraphs[indices[-1]][1]


def _inline(report: DiffReport, match: ParagraphMatch, style: Style) -> str:
    original, copy = report.original, report.copy
    pos, end = _extent(report.copy_paragraphs, match.copy)
    parts: list[str] = []
    for span in match.spans:
        (os_, oe), (cs, ce) = span.original_chars, span.copy_chars
        parts.append(copy[pos:cs])
        old, new = original[os_:oe], copy[cs:ce]
        if span.op is Op.EQUAL:
            parts.append(style(new, "equal"))
        elif span.op is Op.SUBSTITUTION:
            parts.append(style(f"[{old}→{new}]", "substitution"))
        elif span.op is Op.INSERTION:
            parts.append(style("{+" + new + "+}", "insertion"))
        elif span.op is Op.DELETION:  # sits right after the word before it
            lead = "" if span is match.spans[0] else " "
            parts.append(lead + style(f"[-{old}-]", "deletion"))
        else:
            parts.append(style(f"[-{old}-]", "deletion") + style("{+" + new + "+}", "insertion"))
        pos = ce
    parts.append(copy[pos:end])
    return "".join(parts)


# --- JSON ---------------------------------------------------------------------------


def to_dict(report: DiffReport, *, names: tuple[str, str] = ("a", "b")) -> dict[str, Any]:
    """The whole report as plain JSON-ready data (lists, dicts, strings, numbers).

    >>> from dedup.diff import diff
    >>> r = diff("Kerry said the talks went well.", "Kerry pronounced the talks went well.")
    >>> d = to_dict(r)
    >>> d["substitutions"], d["matches"][0]["spans"][1]["op"]
    ([{'original': 'said', 'replacement': 'pronounced', 'count': 1}], 'substitution')
    """
    original_name, copy_name = _names(report, names)
    return {
        "original": {"name": original_name, "text": report.original},
        "copy": {"name": copy_name, "text": report.copy},
        "swapped": report.swapped,
        "direction": {**asdict(report.direction), "decided": report.direction.decided},
        "summary": asdict(report.summary),
        "substitutions": [asdict(s) for s in report.substitutions],
        "original_paragraphs": [list(p) for p in report.original_paragraphs],
        "copy_paragraphs": [list(p) for p in report.copy_paragraphs],
        "dropped": list(report.dropped),
        "added": list(report.added),
        "moved": list(report.moved),
        "matches": [
            {
                "original": list(m.original),
                "copy": list(m.copy),
                "similarity": m.similarity,
                "moved": m.moved,
                "spans": [
                    {
                        "op": s.op.value,
                        "original_words": list(s.original_words),
                        "copy_words": list(s.copy_words),
                        "original_chars": list(s.original_chars),
                        "copy_chars": list(s.copy_chars),
                    }
                    for s in m.spans
                ],
            }
            for m in report.matches
        ],
    }


def json(report: DiffReport, *, names: tuple[str, str] = ("a", "b"), indent: int | None = 2) -> str:
    """:func:`to_dict` as a JSON string (UTF-8 text, not ASCII-escaped)."""
    return _json.dumps(to_dict(report, names=names), indent=indent, ensure_ascii=False)


# --- HTML ---------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 1.5rem; color: #1f2328; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; }
td, th { border: 1px solid #d0d7de; padding: .3rem .5rem; vertical-align: top; text-align: left; }
table.diff { width: 100%; table-layout: fixed; }
table.diff col.num { width: 3.5rem; }
table.diff td.text { white-space: pre-wrap; overflow-wrap: anywhere; }
table.diff td.none { background: #f6f8fa; color: #656d76; font-style: italic; }
tr.dropped td.text { background: #ffebe9; }
tr.added td.text { background: #dafbe1; }
tr.moved td.num { background: #fff8c5; }
.badge { display: block; font-size: .75rem; color: #656d76; }
mark.sub { background: #fff1a8; border-bottom: 1px dotted #9a6700; }
del { background: #ffcecb; }
ins { background: #abf2bc; text-decoration: none; }
span.rew { background: #e8dcff; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
""".strip()


def html(
    report: DiffReport, *, names: tuple[str, str] = ("a", "b"), title: str = "dedup diff"
) -> str:
    """One self-contained HTML page: summary, side-by-side diff, substitution table.

    >>> from dedup.diff import diff
    >>> page = html(diff("<b>Kerry</b> said so today.", "<b>Kerry</b> pronounced so today."))
    >>> "<b>" in page, "&lt;b&gt;Kerry&lt;/b&gt;" in page
    (False, True)
    """
    return page(title, html_fragment(report, names=names, title=title, anchor="diff"))


def html_fragment(
    report: DiffReport,
    *,
    names: tuple[str, str] = ("a", "b"),
    title: str = "",
    anchor: str = "diff",
    substitutions_first: bool = False,
) -> str:
    """The diff of one pair as an HTML ``<section>``, to embed in a larger page.

    The page must carry the CSS of :func:`html` (``html_scan`` does).

    Args:
        report: the diff.
        names: names of the two texts in the order they were given to the diff call.
        title: a heading for the section (none if empty).
        anchor: the section's ``id``.
        substitutions_first: the substitution table before the side-by-side diff (a
            moderator's first question is what was swapped), not after it.
    """
    original_name, copy_name = _names(report, names)
    parts = [f'<section class="pair" id="{escape(anchor)}">']
    if title:
        parts.append(f"<h2>{escape(title)}</h2>")
    parts.append(f"<p>{escape(_orientation(report, names))}</p>")
    summary = "".join(
        f'<tr><th>{escape(label)}</th><td class="n">{escape(value)}</td></tr>'
        for label, value in _summary_items(report)
    )
    parts.append(f'<table class="summary"><tbody>{summary}</tbody></table>')
    substitutions = _substitution_table(report, original_name, copy_name)
    if substitutions_first:
        parts.append(substitutions)
    parts.append(
        '<table class="diff"><colgroup><col class="num"><col><col class="num"><col>'
        f"</colgroup><thead><tr><th>¶</th><th>original: {escape(original_name)}</th>"
        f"<th>¶</th><th>copy: {escape(copy_name)}</th></tr></thead><tbody>"
    )
    for kind, item in _rows(report):
        if kind == "match":
            assert isinstance(item, ParagraphMatch)
            parts.append(_html_match(report, item))
        elif kind == "added":
            assert isinstance(item, int)
            body = escape(_paragraph(report.copy, report.copy_paragraphs[item]))
            parts.append(
                f'<tr class="added"><td class="num"></td><td class="none">not in the original'
                f'</td><td class="num">{item + 1}<span class="badge">added</span></td>'
                f'<td class="text"><ins>{body}</ins></td></tr>'
            )
        else:
            assert isinstance(item, int)
            body = escape(_paragraph(report.original, report.original_paragraphs[item]))
            parts.append(
                f'<tr class="dropped"><td class="num">{item + 1}<span class="badge">dropped'
                f'</span></td><td class="text"><del>{body}</del></td><td class="num"></td>'
                '<td class="none">dropped from the copy</td></tr>'
            )
    parts.append("</tbody></table>")
    if not substitutions_first:
        parts.append(substitutions)
    parts.append("</section>")
    return "\n".join(parts)


def _substitution_table(report: DiffReport, original_name: str, copy_name: str) -> str:
    subs = "".join(
        f'<tr><td class="n">{s.count}</td><td>{escape(s.original)}</td>'
        f"<td>{escape(s.replacement)}</td></tr>"
        for s in report.substitutions
    )
    return (
        f'<h3>Substitutions</h3><table class="substitutions"><thead><tr><th>count</th>'
        f"<th>{escape(original_name)}</th><th>{escape(copy_name)}</th></tr></thead>"
        f"<tbody>{subs}</tbody></table>"
    )


def escape(value: str) -> str:
    """``value`` safe in HTML text and attributes (every quote escaped)."""
    return _html.escape(value, quote=True)


CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
"""The Content-Security-Policy of every page: no scripts, frames, fetches or forms, only
the inline styles; so a payload that escaped the escaping still could not run."""


def page(title: str, body: str) -> str:
    """A self-contained HTML document: the styles inline, no scripts."""
    return page_head(title) + body + "\n" + PAGE_TAIL


def page_head(title: str, *, extra_css: str = "") -> str:
    """The start of a page, up to and including ``<body>`` (for pages written in
    pieces); end it with :data:`PAGE_TAIL`."""
    css = _CSS + ("\n" + extra_css if extra_css else "")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
    )


PAGE_TAIL = "</body>\n</html>\n"


def _html_match(report: DiffReport, match: ParagraphMatch) -> str:
    original, copy = report.original, report.copy
    left: list[str] = []
    right: list[str] = []
    o_pos, o_end = _extent(report.original_paragraphs, match.original)
    c_pos, c_end = _extent(report.copy_paragraphs, match.copy)
    for span in match.spans:
        (os_, oe), (cs, ce) = span.original_chars, span.copy_chars
        left.append(escape(original[o_pos:os_]))
        right.append(escape(copy[c_pos:cs]))
        old, new = escape(original[os_:oe]), escape(copy[cs:ce])
        if span.op is Op.EQUAL:
            left.append(old)
            right.append(new)
        elif span.op is Op.SUBSTITUTION:
            left.append(f'<mark class="sub" title="copy: {new}">{old}</mark>')
            right.append(f'<mark class="sub" title="original: {old}">{new}</mark>')
        elif span.op is Op.INSERTION:
            right.append(f"<ins>{new}</ins>")
        elif span.op is Op.DELETION:
            left.append(f"<del>{old}</del>")
        else:
            left.append(f'<span class="rew" title="rewritten as: {new}">{old}</span>')
            right.append(f'<span class="rew" title="rewritten from: {old}">{new}</span>')
        o_pos, c_pos = oe, ce
    left.append(escape(original[o_pos:o_end]))
    right.append(escape(copy[c_pos:c_end]))
    moved = '<span class="badge">moved</span>' if match.moved else ""
    return (
        f'<tr class="match{" moved" if match.moved else ""}">'
        f'<td class="num">{_numbers(match.original)}{moved}</td>'
        f'<td class="text">{"".join(left)}</td>'
        f'<td class="num">{_numbers(match.copy)}'
        f'<span class="badge">{match.similarity:.2f}</span></td>'
        f'<td class="text">{"".join(right)}</td></tr>'
    )
