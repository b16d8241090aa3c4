"""``dedup scan``: find copies among files, directories, JSON lines and stdin."""

from __future__ import annotations

import os
from collections.abc import Iterable

import click

from dedup.cli._common import (
    Failure,
    input_options,
    main,
    match_options,
    progress_bars,
    status,
    warn,
)
from dedup.detector import Detector, clusters
from dedup.diff import diff_pair
from dedup.model import Document, Kind, Match
from dedup.options import DetectorOptions, VerifyOptions
from dedup.render import page as scanpage
from dedup.render.matches import Format, render_clusters, render_matches
from dedup.sources import read

__all__ = ["scan"]


def _not_stdout(_ctx: click.Context, _param: click.Parameter, path: str | None) -> str | None:
    if path == "-":
        raise click.BadParameter("give a file name: stdout has the scan's own output")
    return path


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@match_options
@input_options
@click.option("--clusters", "grouped", is_flag=True, help="Report groups of copies, not pairs.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    callback=_not_stdout,
    help="Also write one HTML page listing the pairs found, each with its kind, scores "
    "and word diff, to review a feed in a browser.",
)
@click.pass_context
def scan(
    ctx: click.Context,
    paths: tuple[str, ...],
    format: Format,
    threshold: float,
    passage_words: int,
    kind: tuple[Kind, ...],
    max_bytes: int,
    html: bool | None,
    full_ids: bool,
    quiet: bool,
    progress: bool | None,
    grouped: bool,
    report: str | None,
) -> None:
    """Find copies among the documents in PATHS.

    A PATH is a file, a directory (read recursively, hidden files skipped), a .jsonl
    file with one {"id": ..., "text": ...} object per line, or - for stdin. Inputs that
    cannot be used are reported as warnings on stderr and skipped.

    \b
    Exit status:
      0  no copies found
      1  copies found
      2  usage error, or no input could be read
      3  out of memory, or a bug in dedup (DEDUP_TRACEBACK=1 shows it)
    130  interrupted (Ctrl-C); what was stored before is kept
    """
    if report is not None:
        _check_writable(report)  # before the scan, not after it
    detector = Detector(
        options=DetectorOptions(
            threshold=threshold, verify=VerifyOptions(passage_words=passage_words)
        )
    )
    # Read first to know the total for the progress bar; this costs no extra memory,
    # since the detector keeps every text anyway.
    items = list(read(paths, max_bytes=max_bytes, html=html, full_ids=full_ids))
    with progress_bars(progress) as bars:
        result = detector.scan(items, kinds=kind or None, progress=bars, total=len(items))
    warn(result.problems, quiet=quiet)
    if not result.documents:
        raise Failure("nothing to compare: no input could be read as a document")
    if grouped:
        groups = clusters(result.matches)
        click.echo(
            render_clusters(
                groups, format=format, documents=result.documents, problems=result.problems
            ),
            nl=False,
        )
    else:
        views = detector.options.fingerprint.views
        click.echo(render_matches(result, format=format, views=views), nl=False)
    if report is not None:
        texts = {item.id: item.text for item in items if isinstance(item, Document)}
        pairs = [
            scanpage.PairInfo(m.a, m.b, m.kind.value, m.score, m.original, _why(m))
            for m in result.matches
        ]
        chunks = scanpage.scan_page(
            pairs,
            lambda info: diff_pair(texts[info.a], texts[info.b]),
            documents=result.documents,
            threshold=threshold,
        )
        _write(report, chunks)
    ctx.exit(status(result))


def _why(match: Match) -> str:
    """The reason for the report's index, with what the alignment left out."""
    ev = match.evidence
    left_out = [
        f"{n} {what}{'s' * (n != 1)}"
        for n, what in ((ev.boilerplate, "chrome sentence"), (ev.quotations, "lone quotation"))
        if n
    ]
    return match.reason + (f" ({', '.join(left_out)} left out)" if left_out else "")


def _check_writable(path: str) -> None:
    """A :class:`Failure` now if ``path`` cannot be written (a missing directory, no
    permission), rather than after a long scan; an existing file is left as it is."""
    existed = os.path.exists(path)
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise Failure(f"{path}: cannot write: {(exc.strerror or str(exc)).lower()}") from None
    if not existed:
        os.remove(path)


def _write(path: str, chunks: Iterable[str]) -> None:
    """Write the page piece by piece: one pair's diff in memory at a time."""
    try:
        with open(path, "w", encoding="utf-8") as stream:
            for chunk in chunks:
                stream.write(chunk)
    except OSError as exc:
        raise Failure(f"{path}: cannot write: {(exc.strerror or str(exc)).lower()}") from None
