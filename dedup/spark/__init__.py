"""A dedup scan on Spark: the same pairs as ``dedup scan``, for corpora that do not fit
one machine (optional: ``pip install 'dedup[spark]'``, and a Java runtime).

>>> from dedup.spark import scan                                   # doctest: +SKIP
>>> found = scan(spark.read.parquet("news/"), id_col="url")        # doctest: +SKIP
>>> found.pairs.write.parquet("pairs/")                            # doctest: +SKIP

See :mod:`dedup.spark.stages` for the stages, and ``dedup spark-scan`` for the command.
"""

try:
    import pyspark  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "dedup.spark needs pyspark: pip install 'dedup[spark]' (and a Java runtime, "
        "e.g. apt-get install default-jre-headless)"
    ) from exc

from dedup.spark.io import read, session, write
from dedup.spark.stages import SparkScan, scan

__all__ = ["SparkScan", "read", "scan", "session", "write"]
