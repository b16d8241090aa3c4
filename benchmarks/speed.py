"""Speed of fingerprinting and scanning, against plain datasketch and rensa, in one run.

    python -m benchmarks.speed [--docs 2000] [--scan 10000 100000]

prints a markdown table of documents per second and ratios. The same functions back the
pytest-benchmark module ``benchmarks/test_speed.py``.

Peers get what dedup gets: raw text. Each tokenises it (the usual regex), builds word
5-gram shingles and makes a 128-permutation MinHash, as a user of the library would:

* datasketch: ``MinHash.update_batch`` with its default hash (sha1);
* rensa: ``RMinHash.update`` (Rust);
* dedup: :func:`dedup.fingerprint.fingerprint_text`, which makes all three views.
"""

from __future__ import annotations

import argparse
import re
import resource
import time
from collections.abc import Callable, Sequence

import numpy as np

from benchmarks.support.synthetic import corpus

__all__ = [
    "datasketch_fingerprint",
    "datasketch_scan",
    "dedup_fingerprint",
    "dedup_scan",
    "rensa_fingerprint",
]

_WORD = re.compile(r"\w+")


def _shingles(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return [" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))]


def dedup_fingerprint(texts: Sequence[str]) -> int:
    """Fingerprint every text with dedup (all views), in batches as a scan does;
    returns the number done."""
    from dedup.fingerprint import fingerprint_many

    for start in range(0, len(texts), 256):
        fingerprint_many(texts[start : start + 256])
    return len(texts)


def datasketch_fingerprint(texts: Sequence[str]) -> int:
    """Plain datasketch: regex words, 5-gram strings, ``update_batch`` (sha1)."""
    from datasketch import MinHash

    for text in texts:
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in _shingles(text)])
    return len(texts)


def rensa_fingerprint(texts: Sequence[str]) -> int:
    """rensa's Rust MinHash on the same shingles."""
    from rensa import RMinHash

    for text in texts:
        m = RMinHash(num_perm=128, seed=42)
        m.update(_shingles(text))
        m.digest()
    return len(texts)


def dedup_scan(documents: Sequence[tuple[str, str]], *, workers: int | None = None) -> int:
    """A whole ``Detector.scan`` (fingerprints, candidates, verification); returns the
    number of pairs found."""
    from dedup import Detector, Document

    result = Detector().scan((Document(i, t) for i, t in documents), workers=workers)
    return len(result.matches)


def datasketch_scan(documents: Sequence[tuple[str, str]]) -> int:
    """Plain datasketch: MinHash each text, insert into MinHashLSH (threshold 0.5),
    query every document; returns the number of candidate pairs (no verification)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    sketches = []
    for doc_id, text in documents:
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in _shingles(text)])
        lsh.insert(doc_id, m)
        sketches.append((doc_id, m))
    pairs = set()
    for doc_id, m in sketches:
        for other in lsh.query(m):
            if other != doc_id:
                pairs.add((min(doc_id, other), max(doc_id, other)))
    return len(pairs)


def _rate(func: Callable[[Sequence[str]], int], texts: Sequence[str]) -> float:
    func(texts[:20])  # warm up (numba loads its compiled kernel)
    start = time.perf_counter()
    func(texts)
    return len(texts) / (time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__)
    parser.add_argument("--docs", type=int, default=2000, help="documents to fingerprint")
    parser.add_argument("--scan", type=int, nargs="*", default=[10000], help="scan sizes")
    args = parser.parse_args(argv)

    texts = [t for _, t in corpus(args.docs, seed=3).documents]
    words = np.mean([len(t.split()) for t in texts])
    rates = {
        "dedup (3 views)": _rate(dedup_fingerprint, texts),
        "datasketch update_batch (1 view)": _rate(datasketch_fingerprint, texts),
        "rensa RMinHash (1 view)": _rate(rensa_fingerprint, texts),
    }
    ours = rates["dedup (3 views)"]
    print(f"## Fingerprinting, one core, {len(texts)} documents of {words:.0f} words\n")
    print("| implementation | docs/s | dedup is |")
    print("|---|---|---|")
    for name, rate in rates.items():
        ratio = "" if rate == ours else f"{ours / rate:.1f}x faster"
        print(f"| {name} | {rate:,.0f} | {ratio} |")

    for n in args.scan:
        docs = corpus(n, seed=5).documents
        start = time.perf_counter()
        found = dedup_scan(docs)
        ours_s = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\n## Scan of {n:,} documents\n")
        print("| implementation | seconds | pairs | peak RSS so far (MB) |")
        print("|---|---|---|---|")
        print(f"| dedup scan (all cores, verified) | {ours_s:.1f} | {found} | {peak:,.0f} |")
        if n <= 20000:
            start = time.perf_counter()
            pairs = datasketch_scan(docs)
            peer_s = time.perf_counter() - start
            print(
                f"| datasketch MinHash + MinHashLSH + query all (1 core, unverified) "
                f"| {peer_s:.1f} | {pairs} candidates | |"
            )
            print(f"\ndedup is {peer_s / ours_s:.1f}x faster end to end.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
