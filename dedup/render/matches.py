"""Render what a scan found as text: a table for people, JSON, JSON lines or CSV for programs.

Pure functions from the value types of :mod:`dedup.model` to a string; nothing here
reads, prints or knows about the command line. Floats are rounded to 4 places in every
format, so output is stable across platforms and easy to diff.

=========  ==========================================================================
format     shape
=========  ==========================================================================
``table``  aligned columns, one pair (or group) a line, and a one-line summary
``json``   one object: ``{"documents": n, "matches": [...], "problems": [...]}``
``jsonl``  one object per pair (or group) per line, nothing else
``csv``    a header row, then one row per pair (per group member for groups)
=========  ==========================================================================

>>> from dedup.model import Evidence, Kind, Match, ScanResult, ViewScores
>>> ev = Evidence((ViewScores("words", 0.5, 0.5, 0.6, 0.7),), 0.8, 0.9, 1.0, 12)
>>> m = Match("a", "b", Kind.NEAR_DUPLICATE, 0.8, ev, "reprint")
>>> print(render_matches(ScanResult((m,), 2)), end="")
score   kind            a  b  original  evidence                                      why
0.8000  near-duplicate  a  b  -         aligned 80%/90%, verbatim 100%, words J 0.50  reprint
1 pair among 2 documents
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any, Literal, get_args

from dedup.model import Changes, Cluster, Match, Problem, ScanResult, ViewScores

__all__ = ["FORMATS", "VIEW_FIELDS", "Format", "match_record", "render_clusters", "render_matches"]

Format = Literal["table", "json", "jsonl", "csv"]
FORMATS: tuple[Format, ...] = get_args(Format)
"""The output formats, in the order the CLI lists them."""

VIEW_FIELDS = tuple(f.name for f in fields(ViewScores) if f.name != "view")
"""The overlaps of one view in every record: the fields of :class:`~dedup.model.ViewScores`."""
_CHANGE_FIELDS = tuple(f.name for f in fields(Changes))
_GAP = "  "


def render_matches(
    result: ScanResult, *, format: Format = "table", views: Sequence[str] = ()
) -> str:
    """The pairs of a scan, best first, in one of :data:`FORMATS`.

    Args:
        result: what :meth:`Detector.scan <dedup.detector.Detector.scan>` returned.
        format: the output format.
        views: the view columns of ``csv`` output, in order. Pass the detector's views
            so the header is the same whether or not anything matched; if omitted, the
            views found in the matches are used.

    >>> print(render_matches(ScanResult((), 3), format="json"), end="")
    {
      "documents": 3,
      "matches": [],
      "problems": []
    }
    """
    if format == "table":
        return _table_of_matches(result)
    if format == "json":
        return _json_document("matches", map(match_record, result.matches), result)
    if format == "jsonl":
        return _json_lines(map(match_record, result.matches))
    if format == "csv":
        return _csv_of_matches(result.matches, views or _views_in(result.matches))
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")


def render_clusters(
    clusters: Sequence[Cluster],
    *,
    format: Format = "table",
    documents: int = 0,
    problems: Sequence[Problem] = (),
) -> str:
    """Groups of copies (:func:`dedup.detector.clusters`), in one of :data:`FORMATS`.

    Args:
        clusters: the groups, best first.
        format: the output format.
        documents: how many documents were compared (for ``table`` and ``json``).
        problems: what could not be read (for ``json``).

    >>> from dedup.model import Kind
    >>> groups = [Cluster(("a", "b", "c"), (Kind.EXACT, Kind.SPUN), 1.0, "b")]
    >>> print(render_clusters(groups, format="csv"), end="")
    cluster,id,canonical,score,kinds
    1,a,false,1.0,exact spun
    1,b,true,1.0,exact spun
    1,c,false,1.0,exact spun
    """
    if format == "table":
        return _table_of_clusters(clusters, documents)
    if format == "json":
        records = map(_cluster_record, clusters)
        return _json_document("clusters", records, ScanResult((), documents, tuple(problems)))
    if format == "jsonl":
        return _json_lines(map(_cluster_record, clusters))
    if format == "csv":
        return _csv_of_clusters(clusters)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")


# -- records shared by json and jsonl ---------------------------------------------------


def match_record(match: Match) -> dict[str, Any]:
    """The record of one match in the JSON formats (also the row a Spark scan writes)."""
    ev = match.evidence
    return {
        "a": match.a,
        "b": match.b,
        "kind": match.kind.value,
        "score": round(match.score, 4),
        "original": match.original,
        "original_confidence": round(ev.changes.direction_confidence, 4),
        "evidence": {
            "aligned_a": round(ev.aligned_a, 4),
            "aligned_b": round(ev.aligned_b, 4),
            "verbatim": round(ev.verbatim, 4),
            "aligned_sentences": ev.aligned_sentences,
            "copied_a": ev.copied_a,
            "copied_b": ev.copied_b,
            "boilerplate": ev.boilerplate,
            "quotations": ev.quotations,
            "beyond": ev.beyond,
            "changes": {name: getattr(ev.changes, name) for name in _CHANGE_FIELDS},
            "views": {scores.view: _view_record(scores) for scores in ev.views},
        },
        "reason": match.reason,
    }


def _view_record(scores: ViewScores) -> dict[str, float]:
    return {name: round(getattr(scores, name), 4) for name in VIEW_FIELDS}


def _cluster_record(cluster: Cluster) -> dict[str, Any]:
    return {
        "canonical": cluster.canonical,
        "ids": list(cluster.ids),
        "kinds": [kind.value for kind in cluster.kinds],
        "score": round(cluster.score, 4),
    }


def _json_document(key: str, records: Iterable[Mapping[str, Any]], result: ScanResult) -> str:
    document = {
        "documents": result.documents,
        key: list(records),
        "problems": [{"source": p.source, "message": p.message} for p in result.problems],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _json_lines(records: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


# -- table -------------------------------------------------------------------------------


def _table_of_matches(result: ScanResult) -> str:
    rows = [
        [f"{m.score:.4f}", m.kind.value, m.a, m.b, _side(m), _evidence_summary(m), m.reason]
        for m in result.matches
    ]
    header = ["score", "kind", "a", "b", "original", "evidence", "why"]
    table = _align(header, rows) if rows else ""
    found = _plural(len(rows), "pair") if rows else "no duplicates"
    return f"{table}{found} among {_plural(result.documents, 'document')}\n"


def _side(match: Match) -> str:
    """``a`` or ``b``, the one the swapped words say is the original; ``-`` if they
    do not say it."""
    if match.original is None:
        return "-"
    return "a" if match.original == match.a else "b"


TABLE_CLUSTER_IDS = 20
"""A cluster's ids the table shows, at most; the other formats list them all."""


def _table_of_clusters(clusters: Sequence[Cluster], documents: int) -> str:
    rows = [
        [
            f"{c.score:.4f}",
            ",".join(k.value for k in c.kinds),
            c.canonical or "-",
            _cluster_ids(c.ids),
        ]
        for c in clusters
    ]
    table = _align(["score", "kinds", "keep", "documents"], rows) if rows else ""
    found = _plural(len(rows), "group") if rows else "no duplicates"
    return f"{table}{found} among {_plural(documents, 'document')}\n"


def _cluster_ids(ids: Sequence[str]) -> str:
    """The ids of a cluster for the table: all of a small one, the first
    :data:`TABLE_CLUSTER_IDS` of a large one and how many more."""
    if len(ids) <= TABLE_CLUSTER_IDS:
        return ", ".join(ids)
    shown = ", ".join(ids[:TABLE_CLUSTER_IDS])
    return f"{shown} and {len(ids) - TABLE_CLUSTER_IDS:,} more ({len(ids):,} documents)"


def _evidence_summary(match: Match) -> str:
    """The evidence in a few words: alignment, verbatim share, the best view's Jaccard,
    and what was left out of the alignment (page chrome, quotations standing alone).

    The best view is the one with the highest exact Jaccard: ``words`` for copies,
    ``skeleton`` for spun text.
    """
    ev = match.evidence
    parts = [f"aligned {ev.aligned_a:.0%}/{ev.aligned_b:.0%}", f"verbatim {ev.verbatim:.0%}"]
    if ev.views:
        best = max(ev.views, key=lambda scores: scores.jaccard)
        parts.append(f"{best.view} J {best.jaccard:.2f}")
    if ev.boilerplate:
        parts.append(f"{_plural(ev.boilerplate, 'chrome sentence')} left out")
    if ev.quotations:
        parts.append(f"{_plural(ev.quotations, 'lone quotation')} left out")
    return ", ".join(parts)


def _align(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns two spaces apart; the last column is not padded."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append(_GAP.join([*cells, row[-1]]).rstrip() + "\n")
    return "".join(lines)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- csv ---------------------------------------------------------------------------------


def _views_in(matches: Iterable[Match]) -> list[str]:
    """View names in the order they first appear in the matches."""
    return list(dict.fromkeys(s.view for m in matches for s in m.evidence.views))


def _csv_of_matches(matches: Sequence[Match], views: Sequence[str]) -> str:
    header = ["a", "b", "kind", "score", "original", "original_confidence"]
    header += ["aligned_a", "aligned_b", "verbatim"]
    header += ["aligned_sentences", "copied_a", "copied_b", "boilerplate", "quotations"]
    header += ["beyond"]
    header += list(_CHANGE_FIELDS)
    header += [f"{view}_{name}" for view in views for name in VIEW_FIELDS]
    header += ["reason"]
    rows: list[list[object]] = []
    for m in matches:
        ev = m.evidence
        by_view = {scores.view: scores for scores in ev.views}
        row: list[object] = [m.a, m.b, m.kind.value, round(m.score, 4)]
        row += [m.original or "", round(ev.changes.direction_confidence, 4)]
        row += [round(ev.aligned_a, 4), round(ev.aligned_b, 4), round(ev.verbatim, 4)]
        row += [ev.aligned_sentences, ev.copied_a, ev.copied_b, ev.boilerplate, ev.quotations]
        row += [ev.beyond]
        row += [getattr(ev.changes, name) for name in _CHANGE_FIELDS]
        for view in views:
            scores = by_view.get(view)
            row += [
                "" if scores is None else round(getattr(scores, name), 4) for name in VIEW_FIELDS
            ]
        row += [m.reason]
        rows.append(row)
    return _csv(header, rows)


def _kinds(cluster: Cluster) -> str:
    return " ".join(k.value for k in cluster.kinds)


def _csv_of_clusters(clusters: Sequence[Cluster]) -> str:
    """One row per member, numbered by group: tidy data that ``groupby`` takes as is."""
    rows: list[list[object]] = [
        [
            number,
            doc_id,
            "true" if doc_id == c.canonical else "false",
            round(c.score, 4),
            _kinds(c),
        ]
        for number, c in enumerate(clusters, 1)
        for doc_id in c.ids
    ]
    return _csv(["cluster", "id", "canonical", "score", "kinds"], rows)


def _csv(header: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (an id such as ``=HYPERLINK(...)``
    or ``@SUM(...)``) gets a leading apostrophe, as OWASP advises for CSV exports; the
    text of every other cell, and every number, is written as it is.

    >>> _cell("=1+1"), _cell("-"), _cell("a.txt"), _cell(-0.5)
    ("'=1+1", '-', 'a.txt', -0.5)
    """
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_START):
        return "'" + value
    return value
