"""What every ``dedup`` command shares: the group, exit statuses, error handling, option
blocks, warnings and progress bars.

Library errors (:class:`~dedup.errors.DedupError`) become one-line messages and exit
status 2 in one place, :meth:`_Main.invoke`. Problems with single inputs are warnings
on stderr; they never stop a run.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import click

from dedup.errors import DedupError
from dedup.model import Kind, Problem, ScanResult
from dedup.options import DetectorOptions, VerifyOptions
from dedup.render.matches import FORMATS
from dedup.sources import MAX_BYTES

__all__ = [
    "EXIT_CLEAN",
    "EXIT_CRASHED",
    "EXIT_FAILED",
    "EXIT_FOUND",
    "EXIT_INTERRUPTED",
    "Failure",
    "detection_options",
    "input_options",
    "main",
    "match_options",
    "progress_bars",
    "status",
    "warn",
]

F = TypeVar("F", bound=Callable[..., Any])

# Exit statuses, like diff and grep, so scripts can branch on them.
EXIT_CLEAN = 0  # ran fine, no duplicates
EXIT_FOUND = 1  # ran fine, duplicates found
EXIT_FAILED = 2  # usage error, library error, or nothing could be read
EXIT_CRASHED = 3  # out of memory, or a bug in dedup (an unexpected exception)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as a shell reports it)
TRACEBACK_VARIABLE = "DEDUP_TRACEBACK"  # set to 1 to see where a crash happened


class Failure(click.ClickException):
    """A run that could not be done: printed as ``dedup: error: ...``, exit status 2."""

    exit_code = EXIT_FAILED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"dedup: error: {self.format_message()}", file=file, err=file is None)


class _Interrupted(Failure):
    """Ctrl-C: the run stopped before its end."""

    exit_code = EXIT_INTERRUPTED


class _Crashed(Failure):
    """Out of memory, or an exception dedup did not expect (a bug)."""

    exit_code = EXIT_CRASHED


class _Main(click.Group):
    """The top-level group; turns library errors into :class:`Failure`, once for all,
    and gives a crash or an interrupt its own exit status, never 1 ("copies found")."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DedupError as exc:
            raise Failure(str(exc)) from exc
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise _Interrupted("interrupted; what was stored before is kept") from None
        except BrokenPipeError:
            raise  # the reader went away (``| head``): click exits quietly
        except OSError as exc:  # the machine, not dedup: a full disk, a lost mount
            raise Failure(f"{(exc.strerror or str(exc)).lower()}"
                          f"{f': {exc.filename}' if exc.filename else ''}") from None  # fmt: skip
        except MemoryError:
            raise _Crashed("out of memory; lower --max-bytes or split the input") from None
        except Exception as exc:
            if os.environ.get(TRACEBACK_VARIABLE) == "1":
                traceback.print_exc()
            raise _Crashed(
                f"internal error, a bug in dedup ({type(exc).__name__}: {exc}); "
                f"run with {TRACEBACK_VARIABLE}=1 to see where, and report it"
            ) from None


@click.group(cls=_Main, name="dedup", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dedup", prog_name="dedup")
def main() -> None:
    """Find exact, near-duplicate, partial and spun copies of articles."""


# -- option blocks shared by the commands that find copies ------------------------------


def match_options(command: F) -> F:
    """Add ``--format`` and the :func:`detection_options` to a command.

    The command receives ``format`` (a :data:`~dedup.render.matches.Format`) as well.
    """
    command = detection_options(command)
    return click.option(
        "--format",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format: aligned text, one JSON document, JSON lines or CSV.",
    )(command)


def detection_options(command: F) -> F:
    """Add ``--threshold``, ``--passage-words`` and ``--kind`` to a command.

    The command receives ``threshold`` (a float), ``passage_words`` (an int) and
    ``kind`` (a tuple of :class:`~dedup.model.Kind`, empty for the copies).
    """
    options = [
        click.option(
            "--threshold",
            type=float,
            default=DetectorOptions().threshold,
            show_default=True,
            help="Report a pair when this share (0..1) of one document is found in the other.",
        ),
        click.option(
            "--passage-words",
            type=click.IntRange(min=0),
            default=VerifyOptions().passage_words,
            show_default=True,
            help="Also report a copied passage of this many words (in 3 sentences or "
            "more), however small a share of the documents it is (0: only --threshold "
            "decides).",
        ),
        click.option(
            "--kind",
            type=click.Choice([kind.value for kind in Kind]),
            multiple=True,
            callback=_kinds,
            help="Report only this kind; repeat for several (default: the copies, exact, "
            "near-duplicate, partial and spun; template and related only when asked for).",
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
    """Add ``--max-bytes``, ``--html``, ``--full-ids``, ``--quiet`` and ``--progress`` to
    a command that reads inputs."""
    options = [
        click.option(
            "--max-bytes",
            type=int,
            default=MAX_BYTES,
            show_default=True,
            help="Read at most this many bytes of a file (the rest is skipped, with a "
            "warning); longer JSON lines are refused.",
        ),
        click.option(
            "--html/--no-html",
            default=None,
            help="Read every file as a web page (its main text is compared), or none "
            "[default: files named .html or .htm, or starting with a doctype or <html>].",
        ),
        click.option(
            "--full-ids",
            is_flag=True,
            help="Name a file found in a directory by its path including the directory "
            "(news/tech/a.txt), not relative to it (a.txt), so that ids from different "
            "directories cannot collide in an index.",
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


# -- shared helpers ----------------------------------------------------------------------------


def status(result: ScanResult) -> int:
    return EXIT_FOUND if result.matches else EXIT_CLEAN


def warn(problems: tuple[Problem, ...], *, quiet: bool) -> None:
    if quiet:
        return
    for problem in problems:
        click.echo(f"dedup: warning: {problem.source}: {problem.message}", err=True)


class _ProgressBars:
    """A :data:`~dedup.detector.Progress` callback drawing one click progress bar per
    phase of a scan (reading is instant here: the CLI reads before it scans)."""

    def __init__(self) -> None:
        self._bars = contextlib.ExitStack()
        self._update: Callable[[int], None] | None = None
        self._phase = ""
        self._done = 0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if phase == "reading":
            return
        if phase != self._phase or self._update is None:
            self.close()
            bar = self._bars.enter_context(
                click.progressbar(length=total or 0, label=phase, file=sys.stderr)
            )
            self._update, self._phase, self._done = bar.update, phase, 0
        self._update(done - self._done)
        self._done = done

    def close(self) -> None:
        self._bars.close()
        self._update = None


@contextlib.contextmanager
def progress_bars(wanted: bool | None) -> Iterator[_ProgressBars | None]:
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
