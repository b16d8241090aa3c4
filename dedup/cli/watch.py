"""``dedup watch``: check a feed of documents against an index and add them, line by line."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, BinaryIO

import click

from dedup.cli._common import main
from dedup.cli.index import open_store
from dedup.feed import MAX_LINE_BYTES, RETRY_SECONDS, Checked, Rejected, retrying
from dedup.feed import watch as run_feed
from dedup.model import Match
from dedup.options import DetectorOptions
from dedup.render.matches import match_record

__all__ = ["watch"]


@main.command()
@click.argument("store", metavar="STORE")
@click.option(
    "--input",
    "feed",
    type=click.File("rb"),
    default="-",
    help="Read the feed from this file instead of stdin.",
)
@click.option(
    "--only-new",
    is_flag=True,
    help="Add a document only if no copy of it is in the index.",
)
@click.option(
    "--threshold",
    type=float,
    default=DetectorOptions().threshold,
    show_default=True,
    help="Report a pair when this share (0..1) of one document is found in the other.",
)
@click.option(
    "--max-bytes",
    type=int,
    default=MAX_LINE_BYTES,
    show_default=True,
    help="Refuse lines longer than this many bytes.",
)
@click.option(
    "--retry",
    type=click.FloatRange(min=0),
    default=RETRY_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="While the index is unavailable for now (another process holds the SQLite "
    "write lock, the Redis server restarts), go on trying for this long, then stop.",
)
@click.option(
    "--prewarm",
    is_flag=True,
    help="Before the first line, read the index's lookup tables into the OS file cache "
    "(SQLite; about 15 s per million documents), so that every check is fast.",
)
def watch(
    store: str,
    feed: BinaryIO,
    only_new: bool,
    threshold: float,
    max_bytes: int,
    retry: float,
    prewarm: bool,
) -> None:
    """Check each document of a feed against the index at STORE, then add it.

    The feed is JSON lines on stdin (or --input): {"id": ..., "text": ...} or
    {"id": ..., "html": ...} (reduced to the page's main text), with optional "url"
    and "published", which are stored with the document. STORE is a SQLite file
    (created if need be) or a Redis URL.

    For each line, one JSON line is written and flushed as soon as the line is
    processed, so watch can sit in a pipe. Each match is as in `dedup scan --format
    jsonl` ("a" the indexed copy, "b", "kind", "score", "evidence"); "added" is
    false only with --only-new. A line that cannot be used gets an error (with its
    "id" if it names one), and the feed goes on:

    \b
      {"line": n, "id": ..., "added": true, "matches": [...]}
      {"line": n, "id": ..., "error": "..."}

    \b
    Exit status:
      0  the feed ended (whatever was found)
      2  usage error, or the index failed
      3  out of memory, or a bug in dedup (DEDUP_TRACEBACK=1 shows it)
    130  interrupted (Ctrl-C); what was stored before is kept
    """
    try:
        opened = retrying(
            lambda: open_store(store, threshold=threshold, create=True), seconds=retry
        )
        with opened as index:
            if prewarm:
                index.prewarm()
            outcomes = run_feed(feed, index, only_new=only_new, max_bytes=max_bytes, retry=retry)
            for outcome in outcomes:
                click.echo(json.dumps(_record(outcome), ensure_ascii=False))  # echo flushes
    except BrokenPipeError:
        # The reader went away (`dedup watch ... | head`): stop quietly. Every document
        # added so far is already durable; point stdout at /dev/null so the interpreter's
        # last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _record(outcome: Checked | Rejected) -> dict[str, Any]:
    if isinstance(outcome, Rejected):
        record: dict[str, Any] = {"line": outcome.line}
        if outcome.id is not None:
            record["id"] = outcome.id
        record["error"] = outcome.error
        return record
    return {
        "line": outcome.line,
        "id": outcome.id,
        "added": outcome.added,
        "matches": _match_records(outcome.matches),
    }


def _match_records(matches: tuple[Match, ...]) -> list[dict[str, Any]]:
    """The matches as `dedup scan --format jsonl` writes them, so both read alike."""
    return [match_record(m) for m in matches]
