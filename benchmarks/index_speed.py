"""Speed and size of the persistent indexes, with datasketch's in-memory LSH as the peer::

    python -m benchmarks.index_speed [--size 100000 ...] [--peer-max 100000]
                                     [--redis 20000] [--dir DIR]

For each size, a SQLite index of that many documents (:mod:`benchmarks.support.index_corpus`)
is built (or grown) under ``DIR``, then measured twice, each time by a fresh process:
``cold``, its file first dropped from the operating system's cache (the first checks
after a reboot: every band probe is a random read from disk), and ``prewarmed``, after
:meth:`Index.prewarm <dedup.index.Index.prewarm>` read the band table into that cache
(a crawler's steady state, or its start with ``dedup watch --prewarm``). Each measures:

* ``check`` latency, p50 and p99, of :meth:`Index.check <dedup.index.Index.check>`
  (fingerprinting the query, band lookup, verifying the candidates) for documents not
  in the index and for lightly edited copies of indexed ones (each copy must be found);
  and of the lookup alone (:meth:`SqliteIndex.similar`: band rows, then the sketches
  of the candidates, then the ids of those that pass the prefilter), with the number of
  band candidates per new document before and after the prefilter;
* ``add`` throughput: durable one-by-one :meth:`Index.add` calls (an fsync each), and
  the bulk :meth:`SqliteIndex.insert_many` rate of the build;
* RAM: the process's resident memory after all checks; its growth from before the
  index was opened to after the band lookups, per indexed document (what the index
  itself costs); and the further growth while checking, which is the detector's cache
  of prepared candidates (bounded by its number of entries, not by the index);
* disk: the file's size per document.

The peer is datasketch's ``MinHashLSH`` with the same bands (64 x 2) on the same
signatures, one per view, filled in a fresh process: its growth in resident memory per
document and its query latency. Redis: two worker processes add documents with
:meth:`Index.add` to one index on a local redis-server, then check copies.

Each measurement runs in a process of its own (spawned), so RAM figures are not
inflated by the others. The figures are printed as markdown.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHashLSH

from benchmarks.support.index_corpus import UNSEEN, Build, build, doc_id, document, edited, numbers
from dedup.backends.sqlite import SqliteIndex
from dedup.detector import Detector
from dedup.fingerprint import Fingerprint, fingerprint_text, lean
from dedup.index import Index
from dedup.options import LshOptions

__all__ = [
    "Latency",
    "PeerFigures",
    "RedisFigures",
    "SqliteFigures",
    "datasketch_peer",
    "main",
    "measure_sqlite",
    "redis_throughput",
    "render",
]

QUERIES = 1000
"""Queries of each kind per measurement."""
DEFAULT_DIR = Path(tempfile.gettempdir()) / "dedup-index-bench"
"""Where the indexes are built and kept between runs (a 1M index takes 8 GB)."""
ADDS = 300
"""Durable one-by-one adds per measurement."""
CACHE_STATES = ("cold", "prewarmed")
"""How each SQLite index is measured: its file dropped from the operating system's
cache first (the first checks after a reboot), and after :meth:`Index.prewarm`."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Latency:
    """Milliseconds per call."""

    p50: float
    p99: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = np.array(seconds) * 1000
        return cls(float(np.percentile(ms, 50)), float(np.percentile(ms, 99)))


@dataclass(frozen=True, slots=True)
class SqliteFigures:
    """What :func:`measure_sqlite` found for an index of ``documents`` documents, in one
    of :data:`CACHE_STATES` (``prewarm``: seconds :meth:`SqliteIndex.prewarm` took)."""

    documents: int
    cache: str
    prewarm: float | None
    check_new: Latency
    check_copy: Latency
    lookup: Latency
    found: float
    candidates: float
    kept: float
    adds_per_second: float
    rss: int
    rss_growth: int
    rss_cache: int
    disk: int
    build: Build | None = None

    @property
    def ram_per_document(self) -> float:
        return self.rss_growth / self.documents

    @property
    def disk_per_document(self) -> float:
        return self.disk / self.documents


@dataclass(frozen=True, slots=True)
class PeerFigures:
    """datasketch ``MinHashLSH`` (three views, 64 x 2 bands) holding ``documents``.

    ``agree`` is the share of queries for which it found the same candidates as the
    SQLite index (it must be 1: the same signatures in the same bands).
    """

    documents: int
    query: Latency
    rss_growth: int
    seconds: float
    agree: float

    @property
    def ram_per_document(self) -> float:
        return self.rss_growth / self.documents


@dataclass(frozen=True, slots=True)
class RedisFigures:
    """Two workers adding ``documents`` to one Redis index, then checking copies."""

    documents: int
    workers: int
    adds_per_second: float
    checks_per_second: float
    found: float
    memory: int

    @property
    def memory_per_document(self) -> float:
        return self.memory / self.documents


@dataclass
class Report:
    sqlite: list[SqliteFigures] = field(default_factory=list)
    peers: list[PeerFigures | str] = field(default_factory=list)
    redis: RedisFigures | str | None = None


# -- SQLite ------------------------------------------------------------------------------------


def measure_sqlite(path: Path, size: int, *, workers: int = 2) -> list[SqliteFigures]:
    """Build (or grow) the index at ``path`` to ``size`` documents and measure it twice:
    with the file dropped from the OS cache (``cold``), then after
    :meth:`Index.prewarm <dedup.index.Index.prewarm>` (``prewarmed``)."""
    built = build(path, size, workers=workers, progress=_progress)
    _checkpoint(path)
    disk = path.stat().st_size
    return [
        SqliteFigures(
            **{
                **_in_fresh_process(_probe_sqlite, str(path), size, cache),
                "disk": disk,
                "build": built,
            }
        )
        for cache in CACHE_STATES
    ]


def _probe_sqlite(location: str, size: int, cache: str) -> dict[str, Any]:
    """In a fresh process: latencies, candidates, adds and memory of the index, its file
    first evicted from the OS cache (``cold``) or read into it (``prewarmed``)."""
    new = [document(UNSEEN + q) for q in range(QUERIES)]
    copied = list(numbers(QUERIES, below=size))
    copies = [edited(n) for n in copied]
    fps = [fingerprint_text(text)[0] for text in new]
    Detector().compare(new[0], copies[0])  # compile the kernels before any timing

    def settle() -> None:  # before each phase, so that no phase warms the next
        if cache == "cold":
            _evict(location)

    settle()
    base = _rss()
    prewarm = None
    with SqliteIndex(location) as raw:
        if cache == "prewarmed":
            _evict(location)  # timed from cold, not from what the cold run left cached
            start = time.perf_counter()
            raw.prewarm()
            prewarm = time.perf_counter() - start
        floor = LshOptions().prefilter
        lookup = [_timed(raw.similar, fp, floor) for fp in fps]
        candidates = float(np.mean([len(raw.query(fp)) for fp in fps]))
        kept = float(np.mean([len(raw.similar(fp, floor)) for fp in fps]))
        rss_index = _rss()
    settle()
    with Index.open(location) as index:
        check_new = [_timed(index.check, text, doc_id="query") for text in new]
        settle()
        check_copy, found = [], 0
        for n, text in zip(copied, copies, strict=True):
            start = time.perf_counter()
            matches = index.check(text, doc_id="query")
            check_copy.append(time.perf_counter() - start)
            found += any(m.a == doc_id(n) for m in matches)
        rss = _rss()
        extra = [document(2 * UNSEEN + q) for q in range(ADDS)]
        start = time.perf_counter()
        for q, text in enumerate(extra):
            index.add(f"extra-{q}", text)
        adds = ADDS / (time.perf_counter() - start)
        for q in range(ADDS):
            index.remove(f"extra-{q}")
    return {
        "documents": size,
        "cache": cache,
        "prewarm": prewarm,
        "check_new": Latency.of(check_new),
        "check_copy": Latency.of(check_copy),
        "lookup": Latency.of(lookup),
        "found": found / len(copied),
        "candidates": candidates,
        "kept": kept,
        "adds_per_second": adds,
        "rss": rss,
        "rss_growth": rss_index - base,
        "rss_cache": rss - rss_index,
    }


def _evict(location: str) -> None:
    """Drop the file from the operating system's cache, as after a reboot (its pages are
    clean: the index was checkpointed and closed)."""
    descriptor = os.open(location, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def _checkpoint(path: Path) -> None:
    """Move the write-ahead log into the file and truncate it, so the size is final."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -- datasketch --------------------------------------------------------------------------------


def datasketch_peer(path: Path, size: int) -> PeerFigures:
    """datasketch's ``MinHashLSH`` filled with the first ``size`` signatures of the index
    at ``path``, measured in a fresh process."""
    return PeerFigures(**_in_fresh_process(_probe_peer, str(path), size))


def _probe_peer(location: str, size: int) -> dict[str, Any]:
    with SqliteIndex(location) as index:
        views, num_perm = index.fingerprint.views, index.fingerprint.num_perm
        seed = index.fingerprint.seed
        bands, rows = index.lsh.bands, index.lsh.rows
    new = [fingerprint_text(document(UNSEEN + q))[0] for q in range(QUERIES)]
    base = _rss()
    start = time.perf_counter()
    lshs = {view: MinHashLSH(num_perm=num_perm, params=(bands, rows)) for view in views}
    empty = np.iinfo(np.uint32).max
    for name, blob in _signatures(location, size):
        values = np.frombuffer(blob, dtype="<u4").reshape(len(views), num_perm)
        for view, signature in zip(views, values, strict=True):
            if not (signature == empty).all():  # as dedup: empty views are not indexed
                lshs[view].insert(name, _lean(view, signature, seed), check_duplication=False)
    seconds = time.perf_counter() - start
    growth = _rss() - base
    lookups, agree = [], 0
    with SqliteIndex(location) as index:
        for fp in new:
            queries = [lean(fp, view) for view in views]
            start = time.perf_counter()
            found: set[str] = set()
            for view, minhash in zip(views, queries, strict=True):
                found.update(lshs[view].query(minhash))
            lookups.append(time.perf_counter() - start)
            agree += found == index.query(fp) if size == len(index) else True
    return {
        "documents": size,
        "query": Latency.of(lookups),
        "rss_growth": growth,
        "seconds": seconds,
        "agree": agree / len(new),
    }


def _lean(view: str, signature: npt.NDArray[np.uint32], seed: int) -> LeanMinHash:
    """The MinHash datasketch is given, made as for the queries (:func:`lean`)."""
    return lean(Fingerprint("", {view: signature}, seed), view)


def _signatures(location: str, size: int) -> Iterator[tuple[str, bytes]]:
    with closing(sqlite3.connect(location)) as db:
        rows = db.execute("SELECT id, signatures FROM documents ORDER BY num LIMIT ?", (size,))
        yield from rows


# -- Redis -------------------------------------------------------------------------------------


def redis_throughput(size: int, *, workers: int = 2) -> RedisFigures:
    """``workers`` processes add ``size`` documents to one Redis index, then each checks
    ``QUERIES // workers`` edited copies of them."""
    context = multiprocessing.get_context("spawn")
    with _redis_server() as url, context.Manager() as manager:
        barrier = manager.Barrier(workers)
        share = [(url, w, workers, size, barrier) for w in range(workers)]
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(_redis_worker, share))
        import redis

        with redis.Redis.from_url(url) as client:
            memory = int(client.info("memory")["used_memory"])
    add_span = max(r["added_at"] for r in results) - min(r["start"] for r in results)
    check_span = max(r["end"] for r in results) - max(r["added_at"] for r in results)
    checks = sum(r["checks"] for r in results)
    return RedisFigures(
        documents=size,
        workers=workers,
        adds_per_second=size / add_span,
        checks_per_second=checks / check_span,
        found=sum(r["found"] for r in results) / checks,
        memory=memory,
    )


def _redis_worker(job: tuple[str, int, int, int, Any]) -> dict[str, Any]:
    url, worker, workers, size, barrier = job
    mine = range(worker, size, workers)
    texts = [(doc_id(n), document(n)) for n in mine]
    copied = list(numbers(QUERIES // workers, below=size, seed=worker + 1))
    copies = [edited(n) for n in copied]
    with Index.open(url) as index:
        barrier.wait()
        start = time.time()
        for name, text in texts:
            index.add(name, text)
        added_at = time.time()
        barrier.wait()  # check against the whole index
        found = sum(
            any(m.a == doc_id(n) for m in index.check(text, doc_id="query"))
            for n, text in zip(copied, copies, strict=True)
        )
        end = time.time()
    return {
        "start": start,
        "added_at": added_at,
        "end": end,
        "checks": len(copies),
        "found": found,
    }


@contextmanager
def _redis_server() -> Iterator[str]:
    """A local redis-server without persistence (as in tests/conftest.py)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    import redis

    with tempfile.TemporaryDirectory() as folder:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", folder]
        with subprocess.Popen(command, stdout=subprocess.DEVNULL) as server:
            try:
                for _ in range(200):
                    try:
                        with redis.Redis(host="127.0.0.1", port=port) as client:
                            client.ping()
                        break
                    except redis.ConnectionError:
                        time.sleep(0.05)
                yield f"redis://127.0.0.1:{port}/0"
            finally:
                server.terminate()
                server.wait(timeout=30)


# -- helpers -----------------------------------------------------------------------------------


def _start_from_smaller(path: Path, folder: Path) -> None:
    """Copy the largest smaller index of ``folder`` to ``path`` to build on it."""
    if path.exists():
        return
    smaller = [(int(p.stem.split("-")[1]), p) for p in folder.glob("index-*.db")]
    if smaller:
        _, source = max(smaller)
        _checkpoint(source)
        shutil.copyfile(source, path)


def _in_fresh_process(func: Callable[..., _T], *args: Any) -> _T:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(func, *args).result()


def _timed(func: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    start = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - start


def _rss() -> int:
    """This process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _progress(done: int, total: int) -> None:
    print(f"  built {done:,} / {total:,}", file=sys.stderr, flush=True)


# -- the report --------------------------------------------------------------------------------


def render(report: Report) -> str:
    """The figures as markdown tables."""
    lines = [
        "| documents | OS cache | check p50 / p99, new (ms) | check p50 / p99, copies (ms) "
        "| lookup p50 / p99 (ms) | candidates per new doc (prefiltered) | copies found "
        "| durable adds/s | bulk adds/s | RSS (MB) | RAM per doc (B) | cache (MB) "
        "| disk per doc (KB) | prewarm (s) |",
        "|" + "---|" * 14,
    ]
    for f in report.sqlite:
        bulk = f"{f.build.rate:,.0f}" if f.build is not None and f.build.added else "-"
        lines.append(
            f"| {f.documents:,} | {f.cache} | {f.check_new.p50:.2f} / {f.check_new.p99:.2f} "
            f"| {f.check_copy.p50:.2f} / {f.check_copy.p99:.2f} "
            f"| {f.lookup.p50:.2f} / {f.lookup.p99:.2f} | {f.candidates:.3f} ({f.kept:.3f}) "
            f"| {f.found:.1%} | {f.adds_per_second:,.0f} | {bulk} | {f.rss / 2**20:,.0f} "
            f"| {f.ram_per_document:,.1f} | {f.rss_cache / 2**20:,.0f} "
            f"| {f.disk_per_document / 1024:,.2f} "
            f"| {'-' if f.prewarm is None else f'{f.prewarm:,.1f}'} |"
        )
    if report.peers:
        lines += [
            "",
            "| datasketch MinHashLSH, documents | query p50 / p99 (ms) | RAM per doc (B) "
            "| fill (s) |",
            "|---|---|---|---|",
        ]
        for p in report.peers:
            if isinstance(p, str):
                lines.append(f"| {p} | | | |")
                continue
            lines.append(
                f"| {p.documents:,} | {p.query.p50:.3f} / {p.query.p99:.3f} "
                f"| {p.ram_per_document:,.0f} | {p.seconds:,.0f} |"
            )
    if isinstance(report.redis, RedisFigures):
        r = report.redis
        lines += [
            "",
            "| Redis, documents | workers | adds/s | checks/s (copies) | copies found "
            "| memory per doc (KB) |",
            "|---|---|---|---|---|---|",
            f"| {r.documents:,} | {r.workers} | {r.adds_per_second:,.0f} "
            f"| {r.checks_per_second:,.0f} | {r.found:.1%} | {r.memory_per_document / 1024:,.1f} |",
        ]
    elif isinstance(report.redis, str):
        lines += ["", f"Redis: {report.redis}"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.index_speed", description=__doc__)
    parser.add_argument("--size", type=int, action="append", help="index size (repeatable)")
    parser.add_argument(
        "--peer-max", type=int, default=100_000, help="largest size to fill datasketch with"
    )
    parser.add_argument("--redis", type=int, default=20_000, help="documents for Redis (0: skip)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the indexes are kept")
    parser.add_argument("--workers", type=int, default=2, help="fingerprinting processes")
    args = parser.parse_args(argv)
    sizes = sorted(args.size or [100_000])
    args.dir.mkdir(parents=True, exist_ok=True)
    report = Report()
    began = time.perf_counter()
    for size in sizes:
        path = args.dir / f"index-{size}.db"
        _start_from_smaller(path, args.dir)
        report.sqlite.extend(measure_sqlite(path, size, workers=args.workers))
        if size <= args.peer_max:
            report.peers.append(datasketch_peer(path, size))
        else:
            report.peers.append(f"{size:,}: not run (--peer-max {args.peer_max:,})")
        print(render(report), file=sys.stderr, flush=True)
    if args.redis:
        report.redis = redis_throughput(args.redis, workers=args.workers)
    sys.stdout.write(render(report))
    sys.stdout.write(f"\nTotal runtime: {time.perf_counter() - began:,.0f} s.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
