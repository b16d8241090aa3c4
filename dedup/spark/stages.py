"""The local scan (:func:`dedup.scan.pairs.find_matches`) as Spark DataFrame stages.

Every decision is the local scan's, made on the same values, so the pairs equal those
of ``Detector().scan`` over the same documents in id order, whatever the partitioning
(``tests/test_spark.py`` checks it with 1, 3 and 8 shuffle partitions):

1. **Fingerprints** per partition, no shuffle (:func:`~dedup.spark._batches.fingerprint_batches`:
   the compiled kernel, band keys, line keys and anchors). Documents shorter than
   ``min_words`` and records without an id or a text become problems.
2. **Exact groups**: documents with one digest; the smallest id represents its group,
   as the first row does locally (a local scan reads a folder in sorted order).
3. **Band candidates** among the representatives: the rows are exploded to one per
   (view, band, key) and grouped, and every bucket gives its pairs as locally (all of
   them, or in a bucket of more than ``LshOptions.bucket_hubs`` documents those of
   its first ones).
   A bucket's pairs are generated member by member (``posexplode`` and ``slice``), so
   an oversized bucket costs pairs but never one row holding them all.
4. **Passage candidates**: anchors held by 2 to ``passage_documents`` documents,
   pairs sharing enough of them (:func:`dedup.scan.pairs.passage_floor`), each document's
   best partners by window functions with the local tie rule.
5. **Chrome**: how many representatives hold each line, joined to the lines of the
   documents to verify (lines held by one document only are not carried).
6. **Verification**: each candidate joined to both documents' features (the text
   among them, kept with the fingerprints since stage 1), then
   :func:`~dedup.spark._batches.verify_batches` (prefilter, alignment, kind, exact
   groups expanded) in the executors.
7. **Clusters**: connected components of the reported pairs
   (:mod:`dedup.spark.components`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.functions import pandas_udf

from dedup.errors import OptionsError
from dedup.model import COPY_KINDS, Kind
from dedup.options import DetectorOptions
from dedup.scan.pairs import passage_floor
from dedup.spark._batches import fingerprint_batches, verify_batches
from dedup.spark.components import DRIVER_EDGES, components
from dedup.spark.schema import ddl, fingerprint_fields, match_fields
from dedup.spark.store import append, locked, open_store

__all__ = ["SparkScan", "scan"]

_FEATURES = (
    "text",
    "digest",
    "words",
    "line_keys",
    "line_words",
    "chrome_keys",
    "chrome_documents",
    "members",
)


@dataclass(frozen=True)
class SparkScan:
    """What a Spark scan found, as DataFrames. :func:`scan` computes the pairs (the
    clusters need them); writing or collecting the frames reads what it kept.

    Attributes:
        pairs: ``a, b, kind, score, evidence, reason``: one row per reported pair,
            ``a < b``, best first (the records of ``dedup scan --format jsonl``).
        clusters: ``id, cluster, representative`` for every document in a pair.
        problems: ``source, message`` for every record that could not be used.
        documents: ``id, digest, words`` of every document this scan read (with a
            store: those it added, not the stored ones).
        cached: the stages kept for the frames above (see :meth:`release`).
    """

    pairs: DataFrame
    clusters: DataFrame
    problems: DataFrame
    documents: DataFrame
    cached: tuple[DataFrame, ...] = ()

    def release(self) -> None:
        """Free the executors' memory and disk the scan's stages are kept in; the
        frames are computed again if used afterwards."""
        for frame in self.cached:
            frame.unpersist()


def scan(
    frame: DataFrame,
    *,
    id_col: str = "id",
    text_col: str = "text",
    options: DetectorOptions | None = None,
    kinds: Iterable[Kind] | None = None,
    driver_edges: int = DRIVER_EDGES,
    store: str | None = None,
) -> SparkScan:
    """All duplicate pairs among the rows of ``frame`` and their clusters.

    With a ``store`` (:mod:`dedup.spark.store`), the rows are scanned against every
    document stored there by earlier runs as well, without fingerprinting those again:
    the pairs are those involving at least one of the rows (exactly those a scan of
    all the documents together reports), the clusters those of every pair stored and
    found; the rows and their pairs are then added to the store. A row whose id is
    stored already is a problem, and left out.

    Args:
        frame: one document per row.
        id_col: the column of unique document ids (cast to strings).
        text_col: the column of texts.
        options: the detector's settings (the defaults of ``dedup scan`` if omitted).
        kinds: report only these kinds (the copies if omitted).
        driver_edges: clusters are found on the driver below this many pairs, with
            distributed large-star/small-star rounds above it.
        store: a directory keeping the documents and pairs of every run (created if
            new).

    Raises:
        OptionsError: a column is missing, or the options do not fit together.
        SettingsMismatchError: the store was made with other fingerprint or band settings.
        StoreError: ``store`` is not a store, or is damaged.
    """
    if store is None:
        return _scan(frame, id_col, text_col, options, kinds, driver_edges, None)
    with locked(store):
        return _scan(frame, id_col, text_col, options, kinds, driver_edges, store)


def _scan(
    frame: DataFrame,
    id_col: str,
    text_col: str,
    options: DetectorOptions | None,
    kinds: Iterable[Kind] | None,
    driver_edges: int,
    store: str | None,
) -> SparkScan:
    options = options or DetectorOptions()
    options.lsh.check(options.fingerprint.num_perm)
    wanted = frozenset(kinds) if kinds is not None else COPY_KINDS
    for name in (id_col, text_col):
        if name not in frame.columns:
            raise OptionsError(
                f"no column {name!r} in the input (columns: {', '.join(frame.columns)}); "
                "name the id and text columns with id_col= and text_col="
            )
    rows, problems = _records(frame, id_col, text_col)
    raw = rows.mapInArrow(
        partial(fingerprint_batches, options=options),
        ddl(fingerprint_fields(options.fingerprint.views, text=True)),
    ).persist(StorageLevel.MEMORY_AND_DISK)
    docs, repeated = _unique(raw)
    short = F.col("words") < options.min_words
    problems = problems.unionByName(repeated).unionByName(
        docs.filter(short).select(
            F.col("id").alias("source"), _too_short(options.min_words).alias("message")
        )
    )
    docs = docs.filter(~short)
    stored = open_store(frame.sparkSession, store, options) if store is not None else None
    added = docs
    if stored is not None:
        known = stored.documents.select("id")
        problems = problems.unionByName(
            docs.join(known, "id", "left_semi").select(
                F.col("id").alias("source"),
                F.lit(f"id already in the store at {store}, skipped").alias("message"),
            )
        )
        added = docs.join(known, "id", "left_anti")
        docs = added.withColumn("new", F.lit(True)).unionByName(
            stored.documents.select(*added.columns).withColumn("new", F.lit(False))
        )
    else:
        docs = docs.withColumn("new", F.lit(True))
    groups = (
        docs.groupBy("digest")
        .agg(F.array_sort(F.collect_list("id")).alias("members"), F.max("new").alias("new_member"))
        .filter(F.size("members") > 1)
    )
    # the input is read and fingerprinted once: every later stage reads this
    # only a group's first member carries the group (its pairs are expanded from it),
    # so a page fetched 10,000 times costs one list of ids, not 10,000 of them;
    # a representative is "touched" when it or a member of its group is new
    first = F.col("members").isNull() | (F.col("members")[0] == F.col("id"))
    fps = (
        docs.join(groups, "digest", "left")
        .withColumn("rep", first)
        .withColumn("members", F.when(F.col("rep"), F.col("members")))
        .withColumn("touched", F.col("new") | F.coalesce(F.col("new_member"), F.lit(False)))
        .drop("new_member")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    problems = problems.persist(StorageLevel.MEMORY_AND_DISK)
    fps.count(), problems.count()
    raw.unpersist()
    reps = fps.filter(F.col("rep"))
    new = fps.filter(F.col("new"))
    touched = _cut(reps.filter(F.col("touched")).select("id")) if stored is not None else None

    bands = _band_pairs(reps, options, touched).withColumn("passage", F.lit(False))
    passages = _passage_pairs(reps, options, touched).withColumn("band", F.lit(False))
    candidates = (
        bands.unionByName(passages)
        .groupBy("a", "b")
        .agg(F.max("band").alias("band"), F.max("passage").alias("passage"))
        .withColumn("exact", F.lit(False))
    )
    if stored is not None:
        groups = groups.filter(F.col("new_member"))
    exact = groups.select(
        F.col("members")[0].alias("a"),
        F.col("members")[1].alias("b"),
        F.lit(False).alias("band"),
        F.lit(False).alias("passage"),
        F.lit(True).alias("exact"),
    )
    candidates = candidates.unionByName(exact).persist(StorageLevel.MEMORY_AND_DISK)

    features = _features(fps, reps, candidates, options)
    sides = [
        features.select([F.col(c).alias(f"{side}_{c}") for c in features.columns])
        for side in ("a", "b")
    ]
    joined = candidates.join(sides[0], F.col("a") == F.col("a_id")).join(
        sides[1], F.col("b") == F.col("b_id")
    )
    pairs = joined.mapInArrow(
        partial(verify_batches, options=options, kinds=wanted), ddl(match_fields())
    )
    if stored is not None:  # an exact group or a touched pair's expansion holds old pairs
        pairs = _touching(pairs, _cut(new.select("id")))
    pairs = pairs.persist(StorageLevel.MEMORY_AND_DISK)
    edges = pairs.select("a", "b")
    if stored is not None:
        edges = edges.unionByName(stored.pairs).distinct()
    clusters = components(edges, fps.select("id", "words"), driver_edges)
    ranked = pairs.orderBy(F.desc("score"), "a", "b")
    documents = new.select("id", "digest", "words")
    if store is not None and new.limit(1).count():
        append(store, new.select(*added.columns), pairs, options)
    return SparkScan(
        ranked,
        clusters,
        problems.orderBy("source", "message"),
        documents,
        cached=(fps, problems, candidates, pairs),
    )


def _cut(frame: DataFrame) -> DataFrame:
    """``frame`` computed now and kept by the executors, its plan forgotten: the
    incremental stages join the same documents many times over, and a plan holding all
    of those joins is too large for the driver to describe. (Spark frees a local
    checkpoint's blocks once no frame refers to it.)"""
    return frame.localCheckpoint(eager=True)


def _touching(pairs: DataFrame, ids: DataFrame) -> DataFrame:
    """The ``a, b`` pairs (and their other columns) with ``a`` or ``b`` among ``ids``."""
    marks = [ids.select(F.col("id").alias(side), F.lit(True).alias(f"_{side}")) for side in "ab"]
    marked = pairs.join(marks[0], "a", "left").join(marks[1], "b", "left")
    keep = F.coalesce(F.col("_a"), F.lit(False)) | F.coalesce(F.col("_b"), F.lit(False))
    return marked.filter(keep).select(*pairs.columns)


def _records(frame: DataFrame, id_col: str, text_col: str) -> tuple[DataFrame, DataFrame]:
    """The ``id, text`` rows that have both, and problems for those that do not."""
    rows = frame.select(
        F.col(id_col).cast("string").alias("id"), F.col(text_col).cast("string").alias("text")
    )
    missing = F.col("id").isNull() | F.col("text").isNull()
    problems = rows.filter(missing).select(
        F.coalesce(F.col("id"), F.lit("(record without an id)")).alias("source"),
        F.when(F.col("id").isNull(), F.lit(f"no {id_col!r} value"))
        .otherwise(F.lit(f"no {text_col!r} value"))
        .alias("message"),
    )
    return rows.filter(~missing), problems


def _unique(fps: DataFrame) -> tuple[DataFrame, DataFrame]:
    """One row per id (of several with one id, the smallest text is kept), and a
    problem for each row left out."""
    repeated = fps.groupBy("id").count().filter(F.col("count") > 1).select("id")
    ranked = fps.join(repeated, "id").withColumn(
        "rank", F.row_number().over(Window.partitionBy("id").orderBy("text"))
    )
    kept = fps.join(repeated, "id", "left_anti").unionByName(
        ranked.filter(F.col("rank") == 1).drop("rank")
    )
    left_out = ranked.filter(F.col("rank") > 1).select(
        F.col("id").alias("source"),
        F.lit("duplicate id in this scan, skipped (another record with it is used)").alias(
            "message"
        ),
    )
    return kept, left_out


def _too_short(min_words: int) -> Column:
    what = F.when(F.col("words") == 0, F.lit("no words")).otherwise(
        F.concat(
            F.lit("only "),
            F.col("words").cast("string"),
            F.when(F.col("words") == 1, F.lit(" word")).otherwise(F.lit(" words")),
        )
    )
    return F.concat(F.lit("too short to compare: "), what, F.lit(f", at least {min_words} needed"))


def _pairs_within(groups: DataFrame, members: str, hubs: int = 0) -> DataFrame:
    """``a, b`` for every pair of a sorted id array: each member with every later
    member, one generated row per member, so no row holds a large group's pairs; with
    ``hubs``, in an array longer than that only its first ``hubs`` members pair (the
    rule of :func:`dedup.lsh.keys.candidate_pairs`)."""
    exploded = groups.select(
        F.posexplode(members).alias("position", "a"), F.col(members).alias("m")
    ).filter(F.col("position") < F.size("m") - 1)
    if hubs > 0:
        exploded = exploded.filter((F.size("m") <= hubs) | (F.col("position") < hubs))
    return exploded.select(
        "a",
        F.explode(F.slice("m", F.col("position") + 2, F.size("m") - F.col("position") - 1)).alias(
            "b"
        ),
    )


def _band_pairs(reps: DataFrame, options: DetectorOptions, touched: DataFrame | None) -> DataFrame:
    """``a, b, band``: the representatives sharing a band key in some view (an empty
    signature's keys are null and take part in no bucket); with ``touched`` (ids),
    only the pairs of one of them, from the whole buckets they are in."""
    exploded = None
    for v, view in enumerate(options.fingerprint.views):
        part = reps.select(
            F.lit(v).alias("view"), "id", F.posexplode(f"bands_{view}").alias("band", "key")
        )
        exploded = part if exploded is None else exploded.unionByName(part)
    assert exploded is not None
    bucket = ["view", "band", "key"]
    if touched is not None:  # the stored documents' keys only where a new one has them
        theirs = exploded.join(touched, "id", "left_semi").select(*bucket).distinct()
        exploded = exploded.join(theirs, bucket, "left_semi")
    buckets = (
        exploded.groupBy(*bucket)
        .agg(F.array_sort(F.collect_list("id")).alias("members"))
        .filter(F.size("members") > 1)
    )
    pairs = _pairs_within(buckets, "members", options.lsh.bucket_hubs)
    if touched is not None:
        pairs = _cut(_touching(pairs, touched).distinct())
        return pairs.withColumn("band", F.lit(True))
    return pairs.distinct().withColumn("band", F.lit(True))


def _passage_pairs(
    reps: DataFrame, options: DetectorOptions, touched: DataFrame | None
) -> DataFrame:
    """``a, b, passage``: representatives sharing enough rare anchors
    (:func:`dedup.scan.pairs._passages`, the same rules); with ``touched`` (ids), only
    the pairs of one of them. A document's partners are its best ones, so its pairs
    are ranked among all of its partners': those of every document sharing an anchor
    with a touched one."""
    lsh = options.lsh
    if lsh.passage_anchors == 0 or lsh.passage_documents < 2:
        return (
            reps.select(F.col("id").alias("a"), F.col("id").alias("b"))
            .limit(0)
            .withColumn("passage", F.lit(True))
        )
    held = reps.select("id", F.explode("anchors").alias("anchor"))

    def postings(anchors: DataFrame) -> DataFrame:
        return (
            anchors.groupBy("anchor")
            .agg(F.array_sort(F.collect_list("id")).alias("members"))
            .filter(F.size("members").between(2, lsh.passage_documents))
        )

    ranked = None
    if touched is not None:
        theirs = held.join(touched, "id", "left_semi").select("anchor").distinct()
        near = postings(held.join(theirs, "anchor", "left_semi"))
        ranked = _cut(near.select(F.explode("members").alias("id")).distinct())
        reached = held.join(ranked, "id", "left_semi").select("anchor").distinct()
        held = held.join(reached, "anchor", "left_semi")
    shared = _pairs_within(postings(held), "members")
    if ranked is not None:
        shared = _touching(shared, ranked)
    shared = (
        shared.groupBy("a", "b")
        .agg(F.count("*").alias("shared"))
        .filter(F.col("shared") >= lsh.passage_anchors)
    )
    words = reps.select("id", "words")
    shared = shared.join(words.toDF("a", "words_a"), "a").join(words.toDF("b", "words_b"), "b")

    def floor(words_a: pd.Series, words_b: pd.Series) -> pd.Series:
        return _floor(words_a, words_b, options=options)

    needed = pandas_udf(floor, "double")  # type: ignore[call-overload]
    shared = shared.filter(F.col("shared") >= needed("words_a", "words_b"))
    if lsh.passage_partners > 0:
        best = []
        for owner, other in (("a", "b"), ("b", "a")):
            rank = F.row_number().over(
                Window.partitionBy(owner).orderBy(F.desc("shared"), F.col(other))
            )
            limit = F.greatest(F.lit(lsh.passage_partners), F.floor(F.col(f"words_{owner}") / 100))
            best.append(rank <= limit)
        shared = shared.withColumn("best_a", best[0]).withColumn("best_b", best[1])
        shared = shared.filter(F.col("best_a") | F.col("best_b"))
    if touched is not None:
        shared = _cut(_touching(shared, touched))
    return shared.select("a", "b", F.lit(True).alias("passage"))


def _floor(words_a: pd.Series, words_b: pd.Series, *, options: DetectorOptions) -> pd.Series:
    return pd.Series(passage_floor(words_a.to_numpy(np.int64), words_b.to_numpy(np.int64), options))


def _features(
    fps: DataFrame,
    reps: DataFrame,
    candidates: DataFrame,
    options: DetectorOptions,
) -> DataFrame:
    """What verification needs of each document in a candidate pair: its text,
    fingerprint values, lines, and the batch-wide document count of each of its lines
    held by two representatives or more."""
    needed = (
        candidates.select(F.col("a").alias("id"))
        .unionByName(candidates.select(F.col("b").alias("id")))
        .distinct()
    )
    wanted = fps.join(needed, "id")
    counts = (
        reps.select(F.explode("line_keys").alias("key"))
        .groupBy("key")
        .count()
        .filter(F.col("count") > 1)
    )
    chrome = (
        wanted.select("id", F.explode("line_keys").alias("key"))
        .join(counts, "key")
        .groupBy("id")
        .agg(F.collect_list(F.struct("key", "count")).alias("chrome"))
        .select(
            "id",
            F.col("chrome").getField("key").alias("chrome_keys"),
            F.col("chrome").getField("count").alias("chrome_documents"),
        )
    )
    sigs = [f"sig_{view}" for view in options.fingerprint.views]
    return wanted.join(chrome, "id", "left").select("id", *_FEATURES, *sigs)
