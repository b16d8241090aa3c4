"""Reading a corpus into a Spark scan and writing what it found.

Inputs are Parquet (a file or a directory of parts) or JSON Lines (``.jsonl``,
``.json``, compressed or not, a file or a directory): one document per row or line.
A JSON line that is not an object becomes a problem, as in ``dedup scan``; the scan
goes on. Outputs are three directories under one: ``pairs``, ``clusters`` and
``problems``, each Parquet or JSON Lines.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dedup.errors import InputError, OptionsError
from dedup.scan.pool import default_workers
from dedup.spark.stages import SparkScan

__all__ = ["InputFormat", "OutputFormat", "check_output", "read", "session", "write"]

InputFormat = Literal["auto", "parquet", "jsonl"]
OutputFormat = Literal["parquet", "jsonl"]

_CORRUPT = "_corrupt_record"
_JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")


def session(master: str | None = None, conf: Mapping[str, str] | None = None) -> SparkSession:
    """The Spark session to scan with: the one ``spark-submit`` started, else a local
    one on every core (``master`` and ``conf`` passed through). Executors run this
    Python (``PYSPARK_PYTHON``) unless told otherwise. A local session shuffles into
    4 partitions per core, not Spark's 200 (made for clusters), unless ``conf`` says."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("dedup")
    started = SparkSession.getActiveSession() is not None or "SPARK_HOME" in os.environ
    if master is None and not started:  # neither spark-submit's nor a caller's
        master = "local[*]"
    settings = {"spark.ui.showConsoleProgress": "false"}
    if master is not None:
        builder = builder.master(master)
        local = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", master)
        if local:
            cores = default_workers() if local[1] in (None, "*") else int(local[1])
            settings["spark.sql.shuffle.partitions"] = str(4 * cores)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def read(
    spark: SparkSession, path: str, *, id_col: str, text_col: str, format: InputFormat = "auto"
) -> tuple[DataFrame, DataFrame]:
    """The documents at ``path`` and the problems met reading them (``source, message``).

    Raises:
        InputError: nothing at ``path``, or its format cannot be told from its name.
    """
    if not Path(path).exists() and "://" not in path:
        raise InputError("no such file or directory", source=path)
    kind = _format_of(path) if format == "auto" else format
    if kind == "parquet":
        frame = spark.read.parquet(path)
        return frame, _no_problems(spark)
    reader = spark.read.option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", _CORRUPT)
    frame_all = reader.json(path)
    if _CORRUPT not in frame_all.columns:
        return frame_all, _no_problems(spark)
    # kept (spilling to disk) because Spark refuses to read a JSON file for its
    # corrupt-record column alone; the scan reads it once more for the documents
    frame_all = frame_all.withColumn("_file", F.input_file_name())
    frame_all = frame_all.persist(StorageLevel.MEMORY_AND_DISK)
    bad = F.col(_CORRUPT).isNotNull()
    problems = frame_all.filter(bad).select(
        F.col("_file").alias("source"),
        F.concat(F.lit("not a JSON object, skipped: "), F.substring(F.col(_CORRUPT), 1, 80)).alias(
            "message"
        ),
    )
    return frame_all.filter(~bad).drop(_CORRUPT, "_file"), problems


def check_output(output: str) -> None:
    """Raise :class:`OptionsError` if ``output`` exists already (nothing is overwritten)."""
    if Path(output).exists():
        raise OptionsError(f"{output} exists already; give a new directory to write to")


def write(found: SparkScan, output: str, *, format: OutputFormat = "parquet") -> None:
    """Write ``pairs``, ``clusters`` and ``problems`` under ``output``.

    Raises:
        OptionsError: ``output`` exists already (nothing is overwritten).
    """
    check_output(output)
    for name, frame in (
        ("pairs", found.pairs),
        ("clusters", found.clusters),
        ("problems", found.problems),
    ):
        writer = frame.coalesce(1).write if name != "pairs" else frame.write
        target = os.path.join(output, name)
        if format == "parquet":
            writer.parquet(target)
        else:
            writer.json(target)


def _format_of(path: str) -> Literal["parquet", "jsonl"]:
    names = [_bare(path)]
    if Path(path).is_dir():
        names += [_bare(p.name) for p in Path(path).iterdir()]
    if any(name.endswith(".parquet") for name in names):
        return "parquet"
    if any(name.endswith(_JSON_SUFFIXES) for name in names):
        return "jsonl"
    raise InputError(
        "cannot tell the format from the name (.parquet or .jsonl expected); give --input-format",
        source=path,
    )


def _bare(name: str) -> str:
    """A file name in lower case without its compression suffix."""
    name = name.rstrip("/").lower()
    for suffix in (".gz", ".bz2", ".zst", ".snappy"):
        name = name.removesuffix(suffix)
    return name


def _no_problems(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([], "source STRING, message STRING")
