"""``dedup index``: keep a persistent index of documents, check new ones against it.

STORE names the index everywhere: the path of a SQLite file, or a Redis URL
(``redis://host:port/db``) shared by workers on many machines. ``add`` creates it;
the other commands refuse a file that does not exist rather than create an empty one.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections.abc import Iterable, Iterator

import click

from dedup.backends.open import REDIS_SCHEMES, open_index
from dedup.cli._common import (
    EXIT_CLEAN,
    EXIT_FOUND,
    Failure,
    input_options,
    main,
    match_options,
    progress_bars,
    warn,
)
from dedup.errors import InputError, UnknownDocumentError
from dedup.index import Index
from dedup.model import Document, Kind, Match, Problem, ScanResult
from dedup.options import DetectorOptions
from dedup.render.matches import Format, render_matches
from dedup.sources import read

__all__ = ["EXIT_UNKNOWN", "index", "open_store"]

EXIT_UNKNOWN = 1  # ``remove``: some ids were not in the index (the others were removed)

_STORE = click.argument("store", metavar="STORE")
_PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))


def open_store(
    location: str,
    *,
    threshold: float | None = None,
    passage_words: int | None = None,
    create: bool = False,
) -> Index:
    """The index at ``location`` with its stored settings, and ``threshold`` and
    ``passage_words`` if given.

    Raises:
        Failure: ``location`` is a file path that does not exist and ``create`` is off.
        StoreError, SettingsMismatchError: the index cannot be opened.
    """
    is_file = not location.lower().startswith(REDIS_SCHEMES)
    if is_file and not create and not os.path.exists(location):
        raise Failure(
            f"no index at {location!r}; create one with: dedup index add {location} PATH..."
        )
    backend = open_index(location, create=create)
    try:
        options = DetectorOptions(fingerprint=backend.fingerprint, lsh=backend.lsh)
        if threshold is not None:
            options = dataclasses.replace(options, threshold=threshold)
        if passage_words is not None:
            verify = dataclasses.replace(options.verify, passage_words=passage_words)
            options = dataclasses.replace(options, verify=verify)
    except BaseException:
        backend.close()
        raise
    return Index(backend, options=options)


@main.group()
def index() -> None:
    """Keep an index of documents in a SQLite file or Redis, and check new ones.

    STORE is the path of a SQLite file (created by `add`) or a Redis URL,
    redis://host:port/db.
    """


@index.command()
@_STORE
@_PATHS
@input_options
def add(
    store: str,
    paths: tuple[str, ...],
    max_bytes: int,
    html: bool | None,
    full_ids: bool,
    quiet: bool,
    progress: bool | None,
) -> None:
    """Add the documents in PATHS to the index at STORE (created if need be).

    PATHS are read as by `dedup scan`: files, directories, .jsonl files, - for stdin.
    A document whose id is already indexed replaces the earlier one. Documents are
    stored a thousand at a time, each batch in one durable transaction, so an
    interrupted run keeps every batch it finished.

    \b
    Exit status:
      0  documents were added (inputs that could not be used are warnings)
      2  usage error, or no input could be added
      3  out of memory, or a bug in dedup (DEDUP_TRACEBACK=1 shows it)
    130  interrupted (Ctrl-C); what was stored before is kept
    """
    # read up to the first document before the store is opened, so that a run with
    # nothing to add (a mistyped path) creates no index file
    items = iter(read(paths, max_bytes=max_bytes, html=html, full_ids=full_ids))
    before: list[Document | Problem] = []
    for item in items:
        before.append(item)
        if isinstance(item, Document):
            break
    else:
        warn(tuple(p for p in before if isinstance(p, Problem)), quiet=quiet)
        raise Failure("nothing added: no input could be read as a document")
    added = _add(store, itertools.chain(before, items), quiet, progress)
    if not added:
        raise Failure("nothing added: no input could be read as a document")


def _add(
    store: str, items: Iterable[Document | Problem], quiet: bool, progress: bool | None
) -> int:
    with open_store(store, create=True) as idx, progress_bars(progress) as bars:
        total = None
        if bars is not None:
            items = list(items)  # to know the total for the bar
            total = len(items)

        def counted() -> Iterator[Document | Problem]:
            for done, item in enumerate(items, 1):
                yield item
                if bars is not None:
                    bars("adding", done, total)

        replaced: list[str] = []

        def on_replace(doc_id: str) -> None:
            replaced.append(doc_id)
            warn((Problem(doc_id, "replaced the document already indexed under this id"),),
                 quiet=quiet)  # fmt: skip

        added = idx.add_many(
            counted(), on_problem=lambda p: warn((p,), quiet=quiet), on_replace=on_replace
        )
        held = len(idx)
    if added:
        note = (
            f" ({len(replaced):,} of them replaced documents with the same id)" if replaced else ""
        )
        click.echo(f"added {_plural(added, 'document')}{note}; the index holds {held:,}")
    return added


@index.command()
@_STORE
@_PATHS
@match_options
@input_options
@click.pass_context
def check(
    ctx: click.Context,
    store: str,
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
) -> None:
    """Find copies of the documents in PATHS among those in the index at STORE.

    Nothing is added. Each pair is an indexed document (a) and an input (b); an input
    whose id is in the index is not compared with itself. The output formats are those
    of `dedup scan`.

    \b
    Exit status:
      0  no copies found
      1  copies found
      2  usage error, or no input could be read
      3  out of memory, or a bug in dedup (DEDUP_TRACEBACK=1 shows it)
    130  interrupted (Ctrl-C); what was stored before is kept
    """
    with (
        open_store(store, threshold=threshold, passage_words=passage_words) as idx,
        progress_bars(progress) as bars,
    ):
        items: Iterable[Document | Problem] = read(
            paths, max_bytes=max_bytes, html=html, full_ids=full_ids
        )
        total = None
        if bars is not None:
            items = list(items)
            total = len(items)
        matches, checked, problems = [], 0, []
        for done, item in enumerate(_checked(idx, items, set(kind)), 1):
            if isinstance(item, Problem):
                problems.append(item)
            else:
                matches.extend(item)
                checked += 1
            if bars is not None:
                bars("checking", done, total)
        views = idx.options.fingerprint.views
    warn(tuple(problems), quiet=quiet)
    if not checked:
        raise Failure("nothing to check: no input could be read as a document")
    matches.sort(key=lambda m: (-m.score, m.a, m.b))  # best first, as scan lists them
    result = ScanResult(tuple(matches), checked, tuple(problems))
    click.echo(render_matches(result, format=format, views=views), nl=False)
    ctx.exit(EXIT_FOUND if matches else EXIT_CLEAN)


def _checked(
    idx: Index, items: Iterable[Document | Problem], kinds: set[Kind]
) -> Iterator[list[Match] | Problem]:
    """Each input's matches (of ``kinds``, the copies if empty), or the problem with it."""
    for item in items:
        if isinstance(item, Problem):
            yield item
            continue
        try:
            found = idx.check(item.text, doc_id=item.id, kinds=kinds or None, same_id=True)
        except InputError as exc:
            yield Problem(item.id, exc.message)
            continue
        # an input under the id of another indexed text (two folders' 050.txt): the
        # input side is named so, or the pair would read as a document and itself
        yield [dataclasses.replace(m, b=f"{m.b} (input)") if m.a == m.b else m for m in found]


@index.command()
@_STORE
@click.option(
    "--format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format: aligned text or one JSON object.",
)
def stats(store: str, format: str) -> None:
    """Show how many documents the index at STORE holds, and its settings."""
    with open_store(store) as idx:
        figures = idx.stats()
    if format == "json":
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    width = max(map(len, figures))
    for name, value in figures.items():
        shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        click.echo(f"{name.ljust(width)}  {shown}")


@index.command(name="list")
@_STORE
def list_(store: str) -> None:
    """Print the id of every document in the index at STORE, one a line, sorted."""
    with open_store(store) as idx:
        for doc_id in idx.ids():
            click.echo(doc_id)


@index.command()
@_STORE
@click.argument("doc_id", metavar="ID")
def show(store: str, doc_id: str) -> None:
    """Print the document stored under ID as one JSON object: id, text and metadata.

    \b
    Exit status:
      0  the document was shown
      2  usage error, no such id, or the index cannot be opened
      3  out of memory, or a bug in dedup (DEDUP_TRACEBACK=1 shows it)
    130  interrupted (Ctrl-C); what was stored before is kept
    """
    with open_store(store) as idx:
        try:
            record = {"id": doc_id, "text": idx.text(doc_id), **idx.meta(doc_id)}
        except UnknownDocumentError:
            raise Failure(f"{doc_id!r} is not in the index") from None
    click.echo(json.dumps(record, ensure_ascii=False))


@index.command()
@_STORE
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--quiet", "-q", is_flag=True, help="Do not print warnings about unknown ids.")
@click.pass_context
def remove(ctx: click.Context, store: str, ids: tuple[str, ...], quiet: bool) -> None:
    """Remove the documents with these IDs from the index at STORE.

    An id that is not in the index is a warning; the others are still removed.

    \b
    Exit status:
      0  every id was removed
      1  some ids were not in the index (the others were removed)
      2  usage error, or the index cannot be opened
      3  out of memory, or a bug in dedup (DEDUP_TRACEBACK=1 shows it)
    130  interrupted (Ctrl-C); what was stored before is kept
    """
    unknown = []
    with open_store(store) as idx:
        for doc_id in dict.fromkeys(ids):
            try:
                idx.remove(doc_id)
            except UnknownDocumentError:
                unknown.append(Problem(doc_id, "not in the index"))
        held = len(idx)
    warn(tuple(unknown), quiet=quiet)
    removed = len(dict.fromkeys(ids)) - len(unknown)
    click.echo(f"removed {_plural(removed, 'document')}; the index holds {held:,}")
    ctx.exit(EXIT_UNKNOWN if unknown else EXIT_CLEAN)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
