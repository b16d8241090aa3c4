"""``dedup spark-scan``: the scan of ``dedup scan`` on Spark, for corpora too large for
one machine (needs ``pip install 'dedup[spark]'`` and a Java runtime)."""

from __future__ import annotations

from pathlib import Path

import click

from dedup.cli._common import EXIT_CLEAN, EXIT_FOUND, Failure, detection_options, main, warn
from dedup.errors import DedupError
from dedup.model import Kind, Problem
from dedup.options import DetectorOptions, VerifyOptions

__all__ = ["spark_scan"]

_SHOWN_PROBLEMS = 20


def _setting(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    settings = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}")
        settings[key] = setting
    return settings


def _first_line(exc: BaseException) -> str:
    """The first line of an error from Spark (a JVM error carries its stack trace)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


@main.command("spark-scan")
@click.argument("input", type=str)
@click.argument("output", type=str)
@click.option("--id-col", default="id", show_default=True, help="The column of document ids.")
@click.option("--text-col", default="text", show_default=True, help="The column of texts.")
@click.option(
    "--input-format",
    type=click.Choice(["auto", "parquet", "jsonl"]),
    default="auto",
    show_default=True,
    help="How INPUT is stored (auto: from its name).",
)
@click.option(
    "--output-format",
    type=click.Choice(["parquet", "jsonl"]),
    default="parquet",
    show_default=True,
    help="How pairs, clusters and problems are written under OUTPUT.",
)
@detection_options
@click.option(
    "--master",
    default=None,
    help="Spark master URL [default: the spark-submit one, else local[*]].",
)
@click.option(
    "--conf",
    "settings",
    multiple=True,
    callback=_setting,
    metavar="KEY=VALUE",
    help="A Spark setting, passed through; repeat for several.",
)
@click.option(
    "--store",
    default=None,
    metavar="DIR",
    help="Keep the documents and pairs in DIR, and scan INPUT against those an earlier "
    "run kept there: only INPUT is fingerprinted, and the pairs reported are those "
    "involving a document of INPUT.",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not print warnings about inputs.")
@click.pass_context
def spark_scan(
    ctx: click.Context,
    input: str,
    output: str,
    id_col: str,
    text_col: str,
    input_format: str,
    output_format: str,
    threshold: float,
    passage_words: int,
    kind: tuple[Kind, ...],
    master: str | None,
    settings: dict[str, str],
    store: str | None,
    quiet: bool,
) -> None:
    """Find copies among the documents of INPUT on Spark; write them under OUTPUT.

    INPUT is Parquet or JSON Lines (a file or a directory of parts), one document per
    row with an id and a text column. OUTPUT is a new directory; it receives pairs/
    (the records of `dedup scan --format jsonl`), clusters/ (id, cluster,
    representative) and problems/ (source, message). The pairs are those `dedup scan`
    finds over the same documents.

    \b
    Exit status:
      0  no copies found
      1  copies found
      2  usage error, or the input could not be read
    """
    try:
        from pyspark.sql import SparkSession

        from dedup.spark import io, scan
    except ImportError as exc:
        raise Failure(str(exc)) from None
    options = DetectorOptions(
        threshold=threshold, verify=VerifyOptions(passage_words=passage_words)
    )
    io.check_output(output)  # before a long scan, not after it
    if store is not None and Path(store).resolve() in {
        Path(output).resolve(),
        Path(input).resolve(),
    }:
        raise Failure("--store must be a directory of its own, not the input or the output")
    ours = SparkSession.getActiveSession() is None  # else spark-submit's, or a caller's
    try:
        spark = io.session(master, settings)
    except Exception as exc:  # no Java, a bad master URL or setting
        raise Failure(f"cannot start Spark: {_first_line(exc)}") from None
    found = None
    try:
        frame, reading = io.read(
            spark,
            input,
            id_col=id_col,
            text_col=text_col,
            format=input_format,  # type: ignore[arg-type]
        )
        found = scan(
            frame,
            id_col=id_col,
            text_col=text_col,
            options=options,
            kinds=kind or None,
            store=store,
        )
        problems = reading.unionByName(found.problems)
        shown = [Problem(r.source, r.message) for r in problems.limit(_SHOWN_PROBLEMS).collect()]
        warn(tuple(shown), quiet=quiet)
        documents = found.documents.count()
        if not documents:
            if store is not None:
                raise Failure(
                    f"nothing new to compare: every document of the input is in {store} "
                    "already, or none could be read"
                )
            raise Failure("nothing to compare: no input could be read as a document")
        io.write(found, output, format=output_format)  # type: ignore[arg-type]
        pairs = found.pairs.count()
        clusters = found.clusters.select("cluster").distinct().count()
        unused = problems.count()
    except (DedupError, Failure):
        raise
    except Exception as exc:  # what Spark raises for an unreadable input or output
        if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
            raise
        raise Failure(f"Spark could not run the scan: {_first_line(exc)}") from None
    finally:
        if found is not None:
            found.release()
        if ours:
            spark.stop()
    if unused > len(shown) and not quiet:
        click.echo(
            f"dedup: warning: {unused - len(shown)} more problems in {output}/problems", err=True
        )
    if store is not None:
        click.echo(
            f"{pairs} pair{'s' * (pairs != 1)} with a new document among {documents} new "
            f"documents; {clusters} cluster{'s' * (clusters != 1)} in the store; written to "
            f"{output}"
        )
    else:
        click.echo(
            f"{pairs} pair{'s' * (pairs != 1)} in {clusters} cluster{'s' * (clusters != 1)} "
            f"among {documents} documents; written to {output}"
        )
    ctx.exit(EXIT_FOUND if pairs else EXIT_CLEAN)
