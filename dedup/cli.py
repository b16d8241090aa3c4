"""The ``dedup`` command: parse options, make one library call, render the result.

Every command is thin; the work is in :mod:`dedup.sources` (reading),
:class:`dedup.detector.Detector` (finding copies) and :mod:`dedup.report` (rendering).
Library errors (:class:`~dedup.errors.DedupError`) become one-line messages and exit
status 2 in one place, :meth:`_Main.invoke`. Problems with single inputs are warnings
on stderr; they never stop a run.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import click

from dedup.detector import Detector, clusters
from dedup.errors import DedupError
from dedup.model import Kind, Problem, ScanResult
from dedup.options import DetectorOptions
from dedup.report import FORMATS, Format, render_clusters, render_matches
from dedup.sources import MAX_BYTES, read

__all__ = ["input_options", "main", "match_options"]

F = TypeVar("F", bound=Callable[..., Any])

# Exit statuses, like diff and grep, so scripts can branch on them.
EXIT_CLEAN = 0  # ran fine, no duplicates
EXIT_FOUND = 1  # ran fine, duplicates found
EXIT_FAILED = 2  # usage error, library error, or nothing could be read


class Failure(click.ClickException):
    """A run that could not be done: printed as ``dedup: error: ...``, exit status 2."""

    exit_code = EXIT_FAILED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"dedup: error: {self.format_message()}", file=file, err=file is None)


class _Main(click.Group):
    """The top-level group; turns library errors into :class:`Failure`, once for all."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DedupError as exc:
            raise Failure(str(exc)) from exc


@click.group(cls=_Main, name="dedup")
@click.version_option(package_name="dedup", prog_name="dedup")
def main() -> None:
    """Find exact, near-duplicate, partial and spun copies of articles."""


# -- option blocks shared by the commands that find copies ------------------------------


def match_options(command: F) -> F:
    """Add ``--format``, ``--threshold`` and ``--kind`` to a command.

    The command receives ``format`` (a :data:`~dedup.report.Format`), ``threshold``
    (a float) and ``kind`` (a tuple of :class:`~dedup.model.Kind`, empty for all).
    """
    options = [
        click.option(
            "--format",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="Output format: aligned text, one JSON document, JSON lines or CSV.",
        ),
        click.option(
            "--threshold",
            type=float,
            default=DetectorOptions().threshold,
            show_default=True,
            help="Report a pair when this share (0..1) of one document is found in the other.",
        ),
        click.option(
            "--kind",
            type=click.Choice([kind.value for kind in Kind]),
            multiple=True,
            callback=_kinds,
            help="Report only this kind of copy; repeat for several (default: all).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _kinds(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[Kind, ...]:
    return tuple(Kind(value) for value in values)


def input_options(command: F) -> F:
    """Add ``--max-bytes``, ``--quiet`` and ``--progress`` to a command that reads inputs."""
    options = [
        click.option(
            "--max-bytes",
            type=int,
            default=MAX_BYTES,
            show_default=True,
            help="Read at most this many bytes of a file (the rest is skipped, with a "
            "warning); longer JSON lines are refused.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Do not print warnings about inputs."),
        click.option(
            "--progress/--no-progress",
            default=None,
            help="Show a progress bar on stderr [default: when stderr is a terminal].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


# -- commands ---------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@match_options
@input_options
@click.option("--clusters", "grouped", is_flag=True, help="Report groups of copies, not pairs.")
@click.pass_context
def scan(
    ctx: click.Context,
    paths: tuple[str, ...],
    format: Format,
    threshold: float,
    kind: tuple[Kind, ...],
    max_bytes: int,
    quiet: bool,
    progress: bool | None,
    grouped: bool,
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
    """
    detector = Detector(options=DetectorOptions(threshold=threshold))
    # Read first to know the total for the progress bar; this costs no extra memory,
    # since the detector keeps every text anyway.
    items = list(read(paths, max_bytes=max_bytes))
    with _progress_bars(progress) as bars:
        result = detector.scan(items, kinds=kind or None, progress=bars, total=len(items))
    _warn(result.problems, quiet=quiet)
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
    ctx.exit(_status(result))


# -- helpers ----------------------------------------------------------------------------


def _status(result: ScanResult) -> int:
    return EXIT_FOUND if result.matches else EXIT_CLEAN


def _warn(problems: tuple[Problem, ...], *, quiet: bool) -> None:
    if quiet:
        return
    for problem in problems:
        click.echo(f"dedup: warning: {problem.source}: {problem.message}", err=True)


_PHASES = ("fingerprinting", "comparing")


class _ProgressBars:
    """A ``progress(done, total)`` callback drawing one click progress bar per phase.

    :meth:`Detector.scan <dedup.detector.Detector.scan>` counts once while
    fingerprinting and again while comparing; a count that does not go up starts the
    next phase.
    """

    def __init__(self) -> None:
        self._bars = contextlib.ExitStack()
        self._update: Callable[[int], None] | None = None
        self._done = 0
        self._phase = -1

    def __call__(self, done: int, total: int | None) -> None:
        if self._update is None or done <= self._done:
            self.close()
            self._phase = min(self._phase + 1, len(_PHASES) - 1)
            bar = self._bars.enter_context(
                click.progressbar(
                    length=total or 0,
                    label=_PHASES[self._phase],
                    file=sys.stderr,
                )
            )
            self._update, self._done = bar.update, 0
        self._update(done - self._done)
        self._done = done

    def close(self) -> None:
        self._bars.close()
        self._update = None


@contextlib.contextmanager
def _progress_bars(wanted: bool | None) -> Iterator[_ProgressBars | None]:
    """Progress bars if ``wanted`` (``None``: if stderr is a terminal), else ``None``."""
    if wanted is None:
        wanted = sys.stderr.isatty()
    if not wanted:
        yield None
        return
    bars = _ProgressBars()
    try:
        yield bars
    finally:
        bars.close()
