"""The Spark scan (Spark in local mode) finds exactly what the local scan finds.

The corpus is real newswire (the first Reuters-21578 stories, with their real repeats
and templates) with planted copies: exact reprints, edited reprints, passages pasted
into other stories, one story reprinted many times with its own intro (a hub), a
newsletter line under many pages (chrome) and a generated template page (one
oversized LSH bucket). The pairs and clusters must equal ``Detector().scan`` over the
same documents in id order, with any shuffle partitioning and input split.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import os
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from dedup import Detector, Document, Kind, clusters
from dedup.cli import main
from dedup.errors import SettingsMismatchError, StoreError
from dedup.options import DetectorOptions, FingerprintOptions
from dedup.render.matches import match_record

pyspark = pytest.importorskip(
    "pyspark", reason="pyspark not installed (pip install 'dedup[spark]')"
)
if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
    pytest.skip(
        "no Java runtime for Spark (apt-get install default-jre-headless)", allow_module_level=True
    )

from pyspark.sql import SparkSession  # noqa: E402

from dedup.spark import scan  # noqa: E402
from dedup.spark.components import union_find  # noqa: E402

REUTERS = Path(__file__).parent.parent / "benchmarks" / "data" / "reuters-21578"
STORIES = 900
NEWSLETTER = "Sign up for our newsletter to get the day's top business stories every morning."


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dedup-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # local mode keeps the executors' cached blocks and local checkpoints in the
        # driver's heap: 2g ran out once, and 3g once in a broadcast after the store tests
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def _free_spark_memory(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used Spark, drop what it cached and let the JVM's context
    cleaner free the local checkpoints no frame refers to any more (it acts on the
    JVM's garbage collection, which a test module may not trigger for a long time)."""
    yield
    if "spark" not in request.fixturenames:
        return
    session = request.getfixturevalue("spark")
    session.catalog.clearCache()
    gc.collect()  # the Python frames, and with them their JVM objects
    session.sparkContext._jvm.System.gc()


def _stories() -> list[tuple[str, str]]:
    found = []
    with gzip.open(REUTERS / "reuters-21578.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if len(record["text"].split()) >= 60:
                found.append((record["id"], record["text"]))
            if len(found) == STORIES:
                break
    return found


def _corpus() -> list[tuple[str, str]]:
    """Real stories and planted copies, sorted by id (the order a local scan of a
    folder reads them in)."""
    rng = random.Random(12)
    stories = _stories()
    docs = dict(stories)
    texts = [t for _, t in stories]
    for n in range(15):  # exact reprints (case and spacing aside)
        docs[f"plant-exact-{n}"] = "  " + texts[n * 7].upper()
    for n in range(15):  # edited reprints: the last paragraph dropped, a line added
        paragraphs = texts[n * 11 + 3].split("\n\n")
        docs[f"plant-edit-{n}"] = "\n\n".join([*paragraphs[:-1], "Reporting by staff."])
    for n in range(15):  # a passage pasted into another story
        words = texts[n * 13 + 5].split()
        host = texts[(n * 17 + 400) % len(texts)].split("\n\n")
        cut = rng.randrange(len(host) + 1)
        passage = " ".join(words[: min(len(words), 150)])
        docs[f"plant-passage-{n}"] = "\n\n".join([*host[:cut], passage, *host[cut:]])
    hub = texts[42]
    tone = ["daily", "weekly", "latest", "morning", "evening", "global"]
    topic = ["money", "market", "energy", "trade", "business"]
    for n in range(30):  # one story reprinted by many sites, each with its own intro
        intro = f"Filed under our {tone[n % 6]} {topic[n // 6]} news."
        docs[f"plant-hub-{n:02d}"] = f"{intro}\n\n{hub}"
    for n in range(40):  # the newsletter line under many pages
        key = stories[500 + n][0]
        docs[key] = f"{docs[key]}\n\n{NEWSLETTER}"
    for n in range(40):  # a generated page: LSH buckets holding many of them
        docs[f"plant-tiny-{n:02d}"] = " ".join(
            f"file {n} says hello to the world of tiny files number {n}, line {k}."
            for k in range(6)
        )
    # one text's words, run on and cut into sentences too short to align: an exact group
    words = [f"Word{k}" for k in range(60)]
    docs["plant-runon"] = " ".join(words)
    docs["plant-cut"] = ". ".join(" ".join(words[k : k + 4]) for k in range(0, 60, 4)) + "."
    docs["plant-short"] = "Too short."
    return sorted(docs.items())


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    return _corpus()


@pytest.fixture(scope="module")
def local(corpus: list[tuple[str, str]]) -> list[dict[str, Any]]:
    result = Detector().scan([Document(i, t) for i, t in corpus], kinds=list(Kind), workers=2)
    return sorted((match_record(m) for m in result.matches), key=_pair)


def _pair(record: dict[str, Any]) -> tuple[str, str]:
    return record["a"], record["b"]


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [row.asDict(recursive=True) for row in frame.collect()]


@pytest.mark.parametrize(("shuffle", "splits"), [(1, 1), (3, 5), (8, 3)], ids=["1x1", "3x5", "8x3"])
def test_pairs_and_clusters_equal_the_local_scan(
    spark: SparkSession,
    corpus: list[tuple[str, str]],
    local: list[dict[str, Any]],
    shuffle: int,
    splits: int,
) -> None:
    spark.conf.set("spark.sql.shuffle.partitions", str(shuffle))
    frame = spark.createDataFrame(corpus, "id STRING, text STRING").repartition(splits)
    found = scan(frame, kinds=list(Kind), driver_edges=0 if shuffle == 8 else 1_000_000)
    pairs = _rows(found.pairs)
    assert sorted(pairs, key=_pair) == local
    assert [r["score"] for r in pairs] == sorted((r["score"] for r in pairs), reverse=True)
    kinds = {r["kind"] for r in local}
    assert {"exact", "near-duplicate", "partial", "template"} <= kinds  # the plants
    tiny = [r for r in local if r["a"].startswith("plant-tiny")]
    # the oversized buckets pair their first members (LshOptions.bucket_hubs) with the
    # others, the same on Spark: not every pair, but every page is reached
    assert 39 <= len(tiny) < 40 * 39 // 2
    assert len({p for r in tiny for p in (r["a"], r["b"])}) == 40

    members: dict[str, set[str]] = {}
    for row in _rows(found.clusters):
        members.setdefault(row["cluster"], set()).add(row["id"])
    expected = {c.ids[0]: set(c.ids) for c in clusters(_from_records(local))}
    assert members == expected
    problems = _rows(found.problems)
    assert [p["source"] for p in problems] == ["plant-short"]
    assert found.documents.count() == len(corpus) - 1
    found.release()


def _later(doc_id: str) -> bool:
    """The documents of a second run: a third of the stories and of each kind of plant
    (their originals mostly in the first run, some in the second)."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 3 == 0


def test_a_run_against_a_store_finds_what_one_scan_of_everything_finds(
    spark: SparkSession,
    corpus: list[tuple[str, str]],
    local: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    spark.conf.set("spark.sql.shuffle.partitions", "3")
    store = str(tmp_path / "store")
    first = [(i, t) for i, t in corpus if not _later(i)]
    second = [(i, t) for i, t in corpus if _later(i)]
    found = scan(
        spark.createDataFrame(first, "id STRING, text STRING"), kinds=list(Kind), store=store
    )
    earlier = _rows(found.pairs)
    found.release()
    assert earlier
    assert all(not _later(r["a"]) and not _later(r["b"]) for r in earlier)

    frame = spark.createDataFrame(second, "id STRING, text STRING").repartition(2)
    found = scan(frame, kinds=list(Kind), store=store)
    pairs = _rows(found.pairs)
    # every pair with a document of the second run, as one scan of all of them has it
    expected = [r for r in local if _later(r["a"]) or _later(r["b"])]
    assert len(expected) > 50
    assert sorted(pairs, key=_pair) == expected
    assert found.documents.count() == len(second) - ("plant-short" in dict(second))
    members: dict[str, set[str]] = {}
    for row in _rows(found.clusters):
        members.setdefault(row["cluster"], set()).add(row["id"])
    found.release()
    kept = {c.ids[0]: set(c.ids) for c in clusters(_from_records(earlier + pairs))}
    assert members == kept  # the clusters of every pair stored and found

    stored = spark.read.parquet(str(tmp_path / "store" / "documents"))
    assert stored.count() == stored.select("id").distinct().count() == len(corpus) - 1
    assert spark.read.parquet(str(tmp_path / "store" / "pairs")).count() == len(earlier) + len(
        pairs
    )

    again = scan(spark.createDataFrame(second[:5], "id STRING, text STRING"), store=store)
    assert again.pairs.count() == 0
    assert again.documents.count() == 0
    messages = {p["message"] for p in _rows(again.problems)}
    assert messages == {f"id already in the store at {store}, skipped"}
    again.release()


def test_a_store_made_with_other_settings_is_refused(
    spark: SparkSession, corpus: list[tuple[str, str]], tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    frame = spark.createDataFrame(corpus[:40], "id STRING, text STRING")
    found = scan(frame, store=store)
    stored = found.documents.count()
    found.release()
    other = DetectorOptions(fingerprint=FingerprintOptions(seed=7))
    with pytest.raises(SettingsMismatchError, match=r"made with seed=1 but this scan uses seed=7"):
        scan(
            spark.createDataFrame(corpus[40:60], "id STRING, text STRING"),
            options=other,
            store=store,
        )
    (tmp_path / "store" / "lock").write_text("pid 1 on elsewhere\n")
    with pytest.raises(StoreError, match=r"in use by another run \(pid 1 on elsewhere\)"):
        scan(frame, store=store)
    (tmp_path / "store" / "lock").unlink()
    # a run stopped after writing its pairs and documents, before committing them
    (tmp_path / "store" / "documents" / "run=1").rename(tmp_path / "store" / "documents" / "run=7")
    (tmp_path / "store" / "pairs" / "run=1").rename(tmp_path / "store" / "pairs" / "run=7")
    (tmp_path / "store" / "runs.json").write_text("[]\n")
    again = scan(frame, store=store)  # nothing committed: every document is new again
    assert again.documents.count() == stored
    again.release()
    assert json.loads((tmp_path / "store" / "runs.json").read_text()) == [8]
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a dedup store"):
        scan(frame, store=str(tmp_path / "junk"))


def test_a_cluster_is_represented_by_its_longest_document(
    spark: SparkSession, corpus: list[tuple[str, str]]
) -> None:
    docs = dict(corpus)
    hubs = {i: t for i, t in corpus if i.startswith("plant-hub")}
    frame = spark.createDataFrame(list(hubs.items()), "id STRING, text STRING")
    found = scan(frame)
    rows = _rows(found.clusters)
    found.release()
    assert {r["cluster"] for r in rows} == {"plant-hub-00"}
    longest = max(hubs, key=lambda i: (len(docs[i].split()), [-ord(c) for c in i]))
    assert {r["representative"] for r in rows} == {longest}


def test_unusable_records_are_problems_and_the_rest_is_scanned(
    spark: SparkSession, corpus: list[tuple[str, str]]
) -> None:
    text = dict(corpus)["reuters-1"]
    rows = [
        ("a", text),
        ("b", text + " Extra."),
        ("a", "another record with the same id " * 5),
        (None, text),
        ("c", None),
        ("d", ""),
    ]
    found = scan(spark.createDataFrame(rows, "id STRING, text STRING"))
    problems = {(p["source"], p["message"].split(",")[0]) for p in _rows(found.problems)}
    assert problems == {
        ("a", "duplicate id in this scan"),
        ("(record without an id)", "no 'id' value"),
        ("c", "no 'text' value"),
        ("d", "too short to compare: no words"),
    }
    pairs = _rows(found.pairs)
    assert [(p["a"], p["b"]) for p in pairs] == [("a", "b")]
    found.release()


def test_a_missing_column_is_named(spark: SparkSession) -> None:
    frame = spark.createDataFrame([("x", "y")], "url STRING, body STRING")
    with pytest.raises(ValueError, match=r"no column 'id'.*url, body"):
        scan(frame)


def test_the_command_writes_what_dedup_scan_reports(
    runner: CliRunner, seeds: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "seeds.jsonl"
    lines = [json.dumps({"id": p.name, "text": p.read_text()}) for p in sorted(seeds.glob("*.txt"))]
    feed.write_text("\n".join([*lines, "{not json"]) + "\n")
    out = tmp_path / "out"
    args = ["spark-scan", str(feed), str(out), "--output-format", "jsonl", "--master", "local[2]"]
    result = runner.invoke(main, [*args, "--conf", "spark.sql.shuffle.partitions=2"])
    assert result.exit_code == 1, result.output
    assert "1 pair in 1 cluster among 5 documents" in result.stdout
    assert "not a JSON object, skipped: {not json" in result.stderr
    parts = sorted((out / "pairs").glob("*.json"))
    written = [json.loads(line) for f in parts for line in f.read_text().splitlines()]
    local = runner.invoke(main, ["scan", str(seeds), "--format", "jsonl"])
    assert written == [json.loads(line) for line in local.stdout.splitlines()]

    again = runner.invoke(main, args)
    assert again.exit_code == 2
    assert "exists already" in again.stderr


def test_the_command_scans_each_feed_against_the_store(
    runner: CliRunner, seeds: Path, tmp_path: Path
) -> None:
    texts = {p.name[:3]: p.read_text() for p in seeds.glob("*.txt")}
    feeds = {"monday": ["000", "001"], "tuesday": ["002", "003", "004"]}
    for day, names in feeds.items():
        lines = [json.dumps({"id": n, "text": texts[n]}) for n in names]
        (tmp_path / f"{day}.jsonl").write_text("\n".join(lines) + "\n")
    store = str(tmp_path / "store")
    common = ["--output-format", "jsonl", "--master", "local[2]", "--store", store]
    first = runner.invoke(
        main, ["spark-scan", str(tmp_path / "monday.jsonl"), str(tmp_path / "o1"), *common]
    )
    assert first.exit_code == 0, first.output
    assert "0 pairs with a new document among 2 new documents; 0 clusters" in first.stdout
    second = runner.invoke(
        main, ["spark-scan", str(tmp_path / "tuesday.jsonl"), str(tmp_path / "o2"), *common]
    )
    assert second.exit_code == 1, second.output
    assert "1 pair with a new document among 3 new documents; 1 cluster" in second.stdout
    written = [
        json.loads(line)
        for f in (tmp_path / "o2" / "pairs").glob("*.json")
        for line in f.read_text().splitlines()
    ]
    assert [(r["a"], r["b"], r["kind"], r["original"]) for r in written] == [
        ("001", "002", "spun", "002")
    ]
    again = runner.invoke(
        main, ["spark-scan", str(tmp_path / "monday.jsonl"), str(tmp_path / "o3"), *common]
    )
    assert again.exit_code == 2
    assert "nothing new to compare" in again.stderr
    assert "already in the store" in again.stderr


def test_a_bad_setting_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["spark-scan", "in.jsonl", str(tmp_path / "o"), "--conf", "x"])
    assert result.exit_code == 2
    assert "expected KEY=VALUE" in result.stderr


def test_union_find_labels_each_node_with_its_components_smallest() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 300, 200), rng.integers(0, 300, 200)
    roots = union_find(a, b, 300)
    expected = {c.ids[0]: set(c.ids) for c in clusters(_edges(a, b))}
    got: dict[int, set[int]] = {}
    for node in {*a.tolist(), *b.tolist()}:
        got.setdefault(int(roots[node]), set()).add(node)
    assert {int(k): {int(x) for x in v} for k, v in expected.items()} == got


def _edges(a: np.ndarray, b: np.ndarray) -> list[Any]:
    from dedup.model import Evidence, Kind, Match

    ev = Evidence((), 1.0, 1.0, 1.0, 1)
    found = []
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        first, second = sorted((f"{x:03d}", f"{y:03d}"))
        found.append(Match(first, second, Kind.EXACT, 1.0, ev))
    return found


def _from_records(records: list[dict[str, Any]]) -> list[Any]:
    from dedup.model import Evidence, Kind, Match

    ev = Evidence((), 1.0, 1.0, 1.0, 1)
    return [Match(r["a"], r["b"], Kind(r["kind"]), r["score"], ev) for r in records]


def test_an_input_with_no_usable_document_is_a_failure(runner: CliRunner, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "Too short."}\n{"id": "b"}\n')
    result = runner.invoke(main, ["spark-scan", str(feed), str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2, result.output
    assert "nothing to compare" in result.stderr
    assert not (tmp_path / "out").exists()
