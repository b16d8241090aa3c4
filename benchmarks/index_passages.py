"""Passages found through an index: 150 words of a Reuters story inside a page of eight
other stories, looked up with ``Index.check`` (SQLite), with and without the index's
anchors (``LshOptions.passage_anchors=0``: whole-document LSH alone).

    python -m benchmarks.index_passages [--seed N] [--pages N] [--indexed N]

The sources are stories of 350-700 words, the page's other stories are over 200 words
and are indexed too (a page made of indexed stories, as an aggregator's is); the
passage is 150 consecutive words from a random place. Real text throughout
(``benchmarks/data/reuters-21578``, see its PROVENANCE.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import tempfile
import time
from pathlib import Path

from dedup import DetectorOptions, Document, Index, LshOptions

DATA = Path(__file__).resolve().parent / "data" / "reuters-21578" / "reuters-21578.jsonl.gz"


def run(*, seed: int = 7, pages: int = 60, indexed: int = 3000) -> list[str]:
    with gzip.open(DATA, "rt", encoding="utf-8") as stream:
        rows = [json.loads(line) for line in stream]
    rng = random.Random(seed)
    sources = rng.sample([r for r in rows if 350 <= len(r["text"].split()) <= 700], pages)
    chosen = {s["id"] for s in sources}
    fillers = [r for r in rows if r["id"] not in chosen and len(r["text"].split()) > 200]

    def page(source: dict[str, str]) -> str:
        words = source["text"].split()
        start = rng.randrange(0, len(words) - 160)
        texts = [p["text"] for p in rng.sample(fillers, 8)]
        texts.insert(4, " ".join(words[start : start + 150]))
        return "\n\n".join(texts)

    checks = [(s["id"], page(s)) for s in sources]
    stored = sources + fillers[:indexed]
    lines = []
    for label, options in (
        ("with anchors", DetectorOptions()),
        ("LSH alone", DetectorOptions(lsh=LshOptions(passage_anchors=0))),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "index.db")
            with Index.open(path, options=options) as index:
                index.add_many(Document(s["id"], s["text"]) for s in stored)
                started = time.perf_counter()
                found = sum(any(m.a == sid for m in index.check(text)) for sid, text in checks)
                per = (time.perf_counter() - started) / len(checks) * 1000
        lines.append(f"| {label} | {found} of {len(checks)} | {per:.0f} ms |")
    return ["| index | passages found | time a check |", "|---|---|---|", *lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--indexed", type=int, default=3000)
    args = parser.parse_args()
    print("\n".join(run(seed=args.seed, pages=args.pages, indexed=args.indexed)))


if __name__ == "__main__":
    main()
