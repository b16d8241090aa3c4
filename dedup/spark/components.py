"""Clusters of a Spark scan: connected components of the reported pairs.

A component's id is its smallest document id, so clusters do not depend on how the
data was partitioned, and its representative is its longest document (the smallest
id among equals): the fullest version of the story, of which the others are copies or
excerpts.

Below ``driver_edges`` pairs the edges are collected and joined on the driver with a
compiled union-find (tens of millions of edges a minute). Above it, the components are
found in the cluster by the large-star/small-star rounds of Kiveris et al., "Connected
Components in MapReduce and Beyond" (SoCC 2014): each round is two group-bys and two
joins on plain DataFrames, and the rounds needed grow with the logarithm of the
components' size, not their diameter.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

__all__ = ["DRIVER_EDGES", "components", "union_find"]

DRIVER_EDGES = 5_000_000
"""Pairs up to which components are found on the driver."""

_MAX_ROUNDS = 200


def components(pairs: DataFrame, words: DataFrame, driver_edges: int = DRIVER_EDGES) -> DataFrame:
    """``id, cluster, representative`` for every document of ``pairs`` (``a, b``),
    with the word counts of ``words`` (``id, words``) choosing representatives."""
    spark = pairs.sparkSession
    edges = pairs.select("a", "b").distinct()
    few = edges.limit(driver_edges + 1).collect() if driver_edges > 0 else None
    if few is not None and len(few) <= driver_edges:
        a = [row[0] for row in few]
        b = [row[1] for row in few]
        ids, codes = np.unique(np.array(a + b, dtype=object), return_inverse=True)
        roots = union_find(codes[: len(a)], codes[len(a) :], len(ids))
        labels = spark.createDataFrame(
            list(zip(ids.tolist(), ids[roots].tolist(), strict=True)), "id STRING, cluster STRING"
        )
    else:
        labels = _star_components(edges)
    ranked = labels.join(words, "id").withColumn(
        "representative",
        F.first("id").over(
            Window.partitionBy("cluster")
            .orderBy(F.desc("words"), "id")
            .rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
        ),
    )
    return ranked.select("id", "cluster", "representative").orderBy("cluster", "id")


def union_find(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """The smallest node of each node's component, for the edges ``a[k] - b[k]`` among
    nodes ``0 .. n - 1``.

    >>> union_find(np.array([3, 1]), np.array([1, 0]), 5).tolist()
    [0, 0, 2, 0, 4]
    """
    return _compiled()(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), n)  # type: ignore[no-any-return]


_KERNEL: Any = None


def _compiled() -> Any:
    global _KERNEL
    if _KERNEL is None:
        import numba  # a moment to load: only when needed

        @numba.njit(cache=True)
        def kernel(a: Any, b: Any, n: int) -> Any:
            parent = np.arange(n)
            for k in range(len(a)):
                x = a[k]
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                y = b[k]
                while parent[y] != y:
                    parent[y] = parent[parent[y]]
                    y = parent[y]
                if x < y:
                    parent[y] = x
                elif y < x:
                    parent[x] = y
            for i in range(n):  # parent[i] <= i: in this order each finds its root at once
                parent[i] = parent[parent[i]]
            return parent

        _KERNEL = kernel
    return _KERNEL


def _star_components(edges: DataFrame) -> DataFrame:
    """``id, cluster`` by large-star and small-star rounds until the edges settle."""
    graph = edges.select(F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v")).distinct()
    graph = graph.localCheckpoint()
    for _ in range(_MAX_ROUNDS):
        settled = _small_star(_large_star(graph)).localCheckpoint()
        same = settled.count() == graph.count() and not settled.exceptAll(graph).take(1)
        graph = settled
        if same:  # both are sets of distinct edges
            break
    else:  # pragma: no cover - the rounds needed grow with log(n)**2
        raise RuntimeError(f"connected components did not settle in {_MAX_ROUNDS} rounds")
    labelled = graph.groupBy("u").agg(F.min("v").alias("cluster")).withColumnRenamed("u", "id")
    roots = graph.select(F.col("v").alias("id")).distinct().join(labelled, "id", "left_anti")
    return labelled.unionByName(roots.withColumn("cluster", F.col("id")))


def _large_star(graph: DataFrame) -> DataFrame:
    """Each node's larger neighbours are linked to its smallest neighbour (or itself)."""
    both = graph.unionByName(graph.select(F.col("v").alias("u"), F.col("u").alias("v")))
    smallest = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
    return (
        both.filter(F.col("v") > F.col("u"))
        .join(smallest, "u")
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .distinct()
    )


def _small_star(graph: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours are linked to the smallest of them
    (``graph`` holds each edge once, larger node first)."""
    smallest = graph.groupBy("u").agg(F.min("v").alias("m"))
    moved = (
        graph.join(smallest, "u")
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .filter(F.col("u") != F.col("v"))
    )
    return moved.unionByName(smallest.select("u", F.col("m").alias("v"))).distinct()
