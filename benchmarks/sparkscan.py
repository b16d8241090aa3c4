"""Spark in local mode against ``dedup scan`` on the real-text speed corpus.

    python -m benchmarks.sparkscan [--docs 2000] [--docs 20000] [--cores 2]
    python -m benchmarks.sparkscan --incremental 0.1 [--docs 2000]

For each size, the corpus of :mod:`benchmarks.realtext` (news-sized documents made of
Reuters sentences, which recur across documents as wire copy does) is written to one
Parquet file, and scanned twice, each in a fresh process on the same cores:

* ``local``: ``Detector().scan`` of the documents (what ``dedup scan`` runs);
* ``spark``: :func:`dedup.spark.scan` on ``local[cores]``, reading the Parquet file and
  writing the pairs and clusters as Parquet (what ``dedup spark-scan`` runs).

Measured: wall time, peak memory of the whole process tree (the JVM and its Python
workers for Spark, sampled every 0.2 s), the shuffle bytes Spark wrote (its REST API),
split by stage name, and whether the two found the same pairs (they must).

With ``--incremental F`` the last ``F`` of the documents (by position: the corpus is
drawn at random) arrive later: a Spark scan of all of them at once, then a scan of
the others into a store (``store=``) and a run of the late ones against it. The late
run must report exactly the pairs of the scan of everything that involve a late
document; measured is what each run costs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.realtext import corpus

__all__ = ["SparkRun", "main", "run"]


@dataclass
class SparkRun:
    """One size: both scans."""

    documents: int
    local: dict[str, Any] = field(default_factory=dict)
    spark: dict[str, Any] = field(default_factory=dict)

    @property
    def same(self) -> bool:
        return bool(self.local) and self.local.get("digest") == self.spark.get("digest")


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _measured(command: list[str]) -> tuple[dict[str, Any], float]:
    """Run ``command`` (which prints one JSON object last), sampling its memory."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with status {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1]), peak / 2**20


def _digest(pairs: Sequence[tuple[str, str, str, float]]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(sorted(pairs)).encode()).hexdigest()[:16]


def _local(path: str, cores: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from dedup import Detector, Document

    table = pq.read_table(path)
    ids, texts = table["id"].to_pylist(), table["text"].to_pylist()
    docs = [Document(i, t) for i, t in zip(ids, texts, strict=True)]
    start = time.perf_counter()
    result = Detector().scan(docs, workers=cores)
    seconds = time.perf_counter() - start
    pairs = [(m.a, m.b, m.kind.value, m.score) for m in result.matches]
    return {"seconds": seconds, "pairs": len(pairs), "digest": _digest(pairs)}


def _spark(path: str, cores: int, out: str) -> dict[str, Any]:
    from dedup.spark import read, scan, session, write

    spark = session(
        f"local[{cores}]",
        {
            "spark.driver.memory": "4g",
            "spark.ui.enabled": "true",
            "spark.sql.shuffle.partitions": str(4 * cores),
        },
    )
    start = time.perf_counter()
    frame, _ = read(spark, path, id_col="id", text_col="text")
    found = scan(frame)
    write(found, out)
    seconds = time.perf_counter() - start
    rows = spark.read.parquet(os.path.join(out, "pairs")).collect()
    pairs = [(r.a, r.b, r.kind, r.score) for r in rows]
    shuffle = _shuffle_bytes(spark)
    spark.stop()
    return {"seconds": seconds, "pairs": len(pairs), "digest": _digest(pairs), "shuffle": shuffle}


def _spark_store(path: str, cores: int, out: str, store: str) -> dict[str, Any]:
    from dedup.spark import read, scan, session, write

    spark = session(
        f"local[{cores}]",
        {"spark.driver.memory": "4g", "spark.sql.shuffle.partitions": str(4 * cores)},
    )
    start = time.perf_counter()
    frame, _ = read(spark, path, id_col="id", text_col="text")
    write(scan(frame, store=store), out)
    seconds = time.perf_counter() - start
    spark.stop()
    return {"seconds": seconds}


def _pairs_at(out: str) -> list[tuple[str, str, str, float]]:
    import pyarrow.parquet as pq

    table = pq.read_table(os.path.join(out, "pairs")).to_pydict()
    return list(zip(table["a"], table["b"], table["kind"], table["score"], strict=True))


def incremental(n: int, share: float, *, cores: int = 2) -> dict[str, Any]:
    """All ``n`` documents scanned at once, then the first ``1 - share`` of them into a
    store and the rest against it; whether the late run found what it should."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    found: dict[str, Any] = {"documents": n}
    with tempfile.TemporaryDirectory() as tmp:
        docs = corpus(n)
        cut = n - round(share * n)
        late = {i for i, _ in docs[cut:]}
        found["late_documents"] = len(late)
        for name, part in (("all", docs), ("early", docs[:cut]), ("late", docs[cut:])):
            table = pa.table({"id": [i for i, _ in part], "text": [t for _, t in part]})
            pq.write_table(table, os.path.join(tmp, f"{name}.parquet"))
        del docs
        me = [sys.executable, "-m", "benchmarks.sparkscan", "--cores", str(cores)]
        store = os.path.join(tmp, "store")
        for name, extra in (("all", []), ("early", [store]), ("late", [store])):
            mode = "spark" if name == "all" else "spark-store"
            out = os.path.join(tmp, f"out-{name}")
            measured, peak = _measured(
                [*me, "--one", mode, os.path.join(tmp, f"{name}.parquet"), out, *extra]
            )
            found[name] = {"seconds": measured["seconds"], "peak_mb": peak}
            found[name]["pairs"] = _pairs_at(out)
        expected = [p for p in found["all"]["pairs"] if p[0] in late or p[1] in late]
        found["same"] = sorted(expected) == sorted(found["late"]["pairs"])
        found["late_pairs"] = len(expected)
        for name in ("all", "early", "late"):
            found[name]["pairs"] = len(found[name]["pairs"])
    return found


def _shuffle_bytes(spark: Any) -> int:
    """Shuffle bytes written by all the completed stages."""
    url = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
    with urllib.request.urlopen(f"{url}/stages") as answer:
        stages = json.load(answer)
    return sum(
        int(stage.get("shuffleWriteBytes", 0))
        for stage in stages
        if stage.get("status") == "COMPLETE"
    )


def run(n: int, *, cores: int = 2) -> SparkRun:
    """Both scans of ``n`` corpus documents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    result = SparkRun(n)
    with tempfile.TemporaryDirectory() as tmp:
        docs = corpus(n)
        path = os.path.join(tmp, "corpus.parquet")
        pq.write_table(pa.table({"id": [i for i, _ in docs], "text": [t for _, t in docs]}), path)
        del docs
        me = [sys.executable, "-m", "benchmarks.sparkscan", "--cores", str(cores)]
        result.local, peak = _measured([*me, "--one", "local", path])
        result.local["peak_mb"] = peak
        result.spark, peak = _measured([*me, "--one", "spark", path, os.path.join(tmp, "out")])
        result.spark["peak_mb"] = peak
    return result


def markdown(runs: Sequence[SparkRun], cores: int) -> str:
    lines = [
        f"| documents | `dedup scan` | peak | Spark `local[{cores}]` | peak | Spark / local "
        "| shuffle per document | pairs | same pairs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in runs:
        shuffle = r.spark.get("shuffle", 0) / r.documents
        lines.append(
            f"| {r.documents:,} | {r.local['seconds']:.1f} s | {r.local['peak_mb']:,.0f} MB "
            f"| {r.spark['seconds']:.1f} s | {r.spark['peak_mb']:,.0f} MB "
            f"| {r.spark['seconds'] / r.local['seconds']:.1f}x | {shuffle / 1024:.1f} KB "
            f"| {r.local['pairs']:,} | {'yes' if r.same else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, action="append")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--incremental", type=float, metavar="F", help="the share of documents arriving later"
    )
    parser.add_argument("--one", choices=["local", "spark", "spark-store"], help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one == "local":
        print(json.dumps(_local(args.paths[0], args.cores)))
        return 0
    if args.one == "spark":
        print(json.dumps(_spark(args.paths[0], args.cores, args.paths[1])))
        return 0
    if args.one == "spark-store":
        path, out, store = args.paths[:3]
        print(json.dumps(_spark_store(path, args.cores, out, store)))
        return 0
    if args.incremental is not None:
        results = [incremental(n, args.incremental, cores=args.cores) for n in args.docs or [2000]]
        print(json.dumps(results))
        print(
            "| documents | late | all at once | early into the store | late against it "
            "| late / all | pairs with a late document | same pairs |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|:---:|")
        for r in results:
            print(
                f"| {r['documents']:,} | {r['late_documents']:,} | {r['all']['seconds']:.1f} s "
                f"| {r['early']['seconds']:.1f} s | {r['late']['seconds']:.1f} s "
                f"| {r['late']['seconds'] / r['all']['seconds']:.2f}x | {r['late_pairs']:,} "
                f"| {'yes' if r['same'] else 'NO'} |"
            )
        return 0 if all(r["same"] for r in results) else 1
    runs = [run(n, cores=args.cores) for n in args.docs or [2000]]
    print(markdown(runs, args.cores))
    return 0 if all(r.same for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
