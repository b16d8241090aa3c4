"""``dedup diff``: what a copy changed, word by word.

One library call, :func:`dedup.diff.diff_pair`, which also decides which of the two
files is the original; :mod:`dedup.render.diff` renders the report. Colours come from
``click.style`` through the text renderer's style hook, and ``click.echo`` drops them
when stdout is not a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

import click

from dedup.cli._common import EXIT_CLEAN, EXIT_FOUND, Failure, main
from dedup.diff import DiffReport, diff_pair
from dedup.errors import InputError
from dedup.fingerprint import fingerprint_text
from dedup.normalize import decode
from dedup.render import diff as diffview
from dedup.sources import MAX_BYTES, page_text

__all__ = ["diff"]

Format = Literal["text", "json", "html"]

# Colour and boldness per role of dedup.render.diff.Style; other roles stay plain.
_STYLES = {
    "substitution": ("yellow", True),
    "insertion": ("green", False),
    "deletion": ("red", False),
    "added": ("green", False),
    "dropped": ("red", False),
    "heading": ("cyan", True),
}


@main.command()
@click.argument("a", type=click.Path(allow_dash=True))
@click.argument("b", type=click.Path(allow_dash=True))
@click.option(
    "--format",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="text: the copy with its changes marked inline, then the substitutions and a "
    "summary; json: the whole report; html: one self-contained page.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write to FILE instead of stdout.",
)
@click.option(
    "--unified",
    "-U",
    "context",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Text format: show only the paragraphs that changed, with N unchanged ones "
    "around each (as diff -U).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colours in text output: auto gives them on a terminal unless NO_COLOR is set; "
    "always also into a pipe (less -R).",
)
@click.option("--no-color", is_flag=True, help="The same as --color never.")
@click.option(
    "--html/--no-html",
    default=None,
    help="Read A and B as web pages (their main text is compared), or as text "
    "[default: by name (.html, .htm) or by a doctype or <html> at the start].",
)
def diff(
    a: str,
    b: str,
    format: Format,
    output: str | None,
    context: int | None,
    color: str,
    no_color: bool,
    html: bool | None,
) -> None:
    """Show what one text changed of another: substituted words, dropped, added and
    moved paragraphs.

    A and B are text files (- for stdin). Either may be the original: the one whose
    words were swapped for rarer ones is taken as the copy, and the output says which
    is which (in the text format, in the summary at the end).

    \b
    Marks in the text format:
      [said→pronounced]  a substitution (original → copy)
      {+words+}          inserted in the copy
      [-words-]          deleted from the original

    \b
    Exit status, as diff(1):
      0  the texts are the same (the same words in the same order)
      1  they differ
      2  usage error, or A or B could not be read
      3  out of memory, or a bug in dedup (DEDUP_TRACEBACK=1 shows it)
    130  interrupted (Ctrl-C); what was stored before is kept
    """
    if a == b == "-":
        raise Failure("only one of A and B can be - (stdin)")
    text_a, text_b = _read(a, html), _read(b, html)
    report = diff_pair(text_a, text_b)
    if no_color:
        color = "never"
    if color == "auto" and os.environ.get("NO_COLOR"):  # https://no-color.org
        color = "never"
    _show(report, format, output, names=(a, b), color=color, context=context)
    same = fingerprint_text(text_a)[0].digest == fingerprint_text(text_b)[0].digest
    click.get_current_context().exit(EXIT_CLEAN if same else EXIT_FOUND)


def _show(
    report: DiffReport,
    format: Format,
    output: str | None,
    *,
    names: tuple[str, str],
    color: str,
    context: int | None = None,
) -> None:
    """Render ``report`` to stdout (with colours as asked: ``auto`` leaves it to click,
    which drops them unless stdout is a terminal) or to the file ``output``."""
    if output is None or output == "-":
        rendered = _render(report, format, names=names, color=color != "never", context=context)
        echo_color = True if color == "always" else None
        click.echo(rendered, nl=not rendered.endswith("\n"), color=echo_color)
        return
    rendered = _render(report, format, names=names, color=color == "always", context=context)
    try:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(rendered if rendered.endswith("\n") else rendered + "\n")
    except OSError as exc:
        raise Failure(f"{output}: cannot write: {_reason(exc)}") from None


def _read(path: str, html: bool | None) -> str:
    """The decoded text of ``path`` (``-``: stdin), the main text if it is a web page
    (:func:`dedup.sources.page_text`); a :class:`Failure` if it cannot be."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        elif os.path.isdir(path):
            raise Failure(f"{path}: is a directory, not a text file")
        else:
            with open(path, "rb") as stream:
                data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise Failure(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise Failure(f"{path}: cannot read: {_reason(exc)}") from None
    if len(data) > MAX_BYTES:
        raise Failure(f"{path}: longer than {MAX_BYTES:,} bytes; give a shorter text")
    try:
        return page_text(path, decode(data, source=path), html=html)
    except InputError as exc:
        raise Failure(f"{path}: {exc.message}") from None


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _render(
    report: DiffReport,
    format: Format,
    *,
    names: tuple[str, str],
    color: bool,
    context: int | None = None,
) -> str:
    if format == "json":
        return diffview.json(report, names=names)
    if format == "html":
        return diffview.html(report, names=names, title=f"dedup diff: {names[0]} ↔ {names[1]}")
    style = _style if color else diffview.plain
    return diffview.text(report, names=names, style=style, context=context)


def _style(text: str, role: str) -> str:
    """The :data:`dedup.render.diff.Style` of the terminal: ANSI colours by role."""
    if role not in _STYLES:
        return text
    colour, bold = _STYLES[role]
    return click.style(text, fg=colour, bold=bold or None)
