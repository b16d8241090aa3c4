"""How scan time and memory grow with the number of documents (issue 5's scaling table).

    python -m benchmarks.scaling [--sizes 10000 100000] [--million]

Each size runs in a fresh process, so its peak RSS is its own:

* full scan: ``dedup scan docs.jsonl --format jsonl`` on a file of synthetic news-sized
  documents (:mod:`benchmarks.support.synthetic`, 1% planted copies), wall time and peak RSS
  of the command, and whether every planted copy was reported;
* with ``--million``: two stages at 1,000,000 documents: fingerprinting (both cores,
  in chunks of 100,000, 20,000 generated articles cycled) and band keys plus candidate
  generation over 1,000,000 random signatures (real ones of cycled texts would all be
  copies of one another). The texts themselves (4-5 GB) are not kept, so no
  verification.

Prints a markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _write_corpus(n: int, path: Path) -> set[tuple[str, str]]:
    from benchmarks.support.synthetic import corpus

    c = corpus(n, seed=11)
    with path.open("w", encoding="utf-8") as out:
        for doc_id, text in c.documents:
            out.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    return {(min(a, b), max(a, b)) for a, b in c.planted}


def _full_scan(n: int, workdir: Path) -> dict[str, object]:
    path = workdir / f"docs-{n}.jsonl"
    planted = _write_corpus(n, path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dedup.cli", "scan", str(path), "--format", "jsonl", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    found = {
        (min(r["a"], r["b"]), max(r["a"], r["b"]))
        for r in map(json.loads, done.stdout.splitlines())
    }
    return {
        "documents": n,
        "stage": "full scan (fingerprint, candidates, verify)",
        "seconds": seconds,
        "peak_mb": max(peak, before) / 1024,
        "note": f"{len(planted & found)}/{len(planted)} planted copies found, "
        f"{len(found)} pairs reported",
    }


_MILLION = """
import resource, sys, time
import numpy as np
from benchmarks.support.synthetic import corpus
from dedup.options import DetectorOptions
from dedup.scan.pool import fingerprint_all
from dedup.scan.pairs import band_keys, candidate_pairs

n = int(sys.argv[1])
options = DetectorOptions()
pool = [t for _, t in corpus(20_000, seed=13, copies=0.0).documents]
chunk = 100_000
start = time.perf_counter()
done = 0
while done < n:
    batch = [pool[(done + i) % len(pool)] for i in range(min(chunk, n - done))]
    fingerprint_all(batch, options, workers=2)
    done += len(batch)
fingerprint_s = time.perf_counter() - start
rng = np.random.default_rng(1)
start = time.perf_counter()
keys = []
for _ in options.fingerprint.views:
    sig = rng.integers(0, 2**32 - 1, size=(n, options.fingerprint.num_perm), dtype=np.uint32)
    keys.append(band_keys(sig, bands=options.lsh.bands, rows=options.lsh.rows))
    del sig
pairs = candidate_pairs(keys, exclude=None)
candidates_s = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(fingerprint_s, candidates_s, len(pairs), peak)
"""


def _million(n: int) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", _MILLION, str(n)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    fingerprint_s, candidates_s, pairs, peak = done.stdout.split()
    return [
        {
            "documents": n,
            "stage": "fingerprint, 3 views (2 cores)",
            "seconds": float(fingerprint_s),
            "peak_mb": float(peak),
            "note": "20,000 generated articles cycled (generating 1M takes longer than "
            "fingerprinting them); signatures not kept",
        },
        {
            "documents": n,
            "stage": "band keys + candidate pairs (3 views x 64 bands)",
            "seconds": float(candidates_s),
            "peak_mb": float(peak),
            "note": f"random signatures; {int(pairs)} pairs (32-bit key collisions)",
        },
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also the 1M-document stages")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            rows.append(_full_scan(n, Path(tmp)))
            print(f"done {n}", file=sys.stderr)
    if args.million:
        rows.extend(_million(1_000_000))
    print(f"cores: {os.cpu_count()}\n")
    print("| documents | stage | seconds | peak RSS (MB) | note |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['documents']:,} | {r['stage']} | {r['seconds']:.1f} | "
            f"{r['peak_mb']:,.0f} | {r['note']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
