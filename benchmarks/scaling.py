"""How scan time and memory grow with the number of documents (issue 5's scaling table).

    python -m benchmarks.scaling [--sizes 10000 100000] [--million]

Each size runs in a fresh process, so its peak RSS is its own:

* full scan: ``dedup scan docs.jsonl --format jsonl`` on a file of synthetic news-sized
  documents (:mod:`benchmarks.synthetic`, 1% planted copies), wall time and peak RSS
  of the command, and whether every planted copy was reported;
* with ``--million``: the stages that fit at 1,000,000 documents: fingerprinting (both
  cores, streamed in chunks, signatures kept) and candidate generation over the
  signatures. The texts themselves (4-5 GB) are not kept, so no verification.

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
    from benchmarks.synthetic import corpus

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
        capture_output=True, text=True, check=False,
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
from benchmarks.synthetic import stream
from dedup.options import DetectorOptions
from dedup.parallel import fingerprint_all
from dedup.batch import band_keys, candidate_pairs

n = int(sys.argv[1])
options = DetectorOptions()
chunk = 50_000
parts = {view: [] for view in options.fingerprint.views}
start = time.perf_counter()
texts = stream(n, seed=13)
done = 0
while done < n:
    batch = [next(texts) for _ in range(min(chunk, n - done))]
    fps = fingerprint_all(batch, options, workers=2)
    for view, sig in fps.signatures.items():
        parts[view].append(sig)
    done += len(batch)
fingerprint_s = time.perf_counter() - start
gen_note = "texts generated on the fly (included)"
start = time.perf_counter()
keys, exclude = [], []
for view, chunks in parts.items():
    sig = np.vstack(chunks)
    keys.append(band_keys(sig, bands=options.lsh.bands, rows=options.lsh.rows))
    exclude.append((sig == np.uint32(0xFFFFFFFF)).all(axis=1))
pairs = candidate_pairs(keys, exclude=exclude)
candidates_s = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(fingerprint_s, candidates_s, len(pairs), peak)
"""


def _million(n: int) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", _MILLION, str(n)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    fingerprint_s, candidates_s, pairs, peak = done.stdout.split()
    return [
        {
            "documents": n,
            "stage": "generate + fingerprint (2 cores)",
            "seconds": float(fingerprint_s),
            "peak_mb": float(peak),
            "note": "texts generated on the fly and dropped; signatures kept",
        },
        {
            "documents": n,
            "stage": "candidate pairs (3 views x 64 bands)",
            "seconds": float(candidates_s),
            "peak_mb": float(peak),
            "note": f"{int(pairs)} candidate pairs",
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
        print(f"| {r['documents']:,} | {r['stage']} | {r['seconds']:.1f} | "
              f"{r['peak_mb']:,.0f} | {r['note']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
