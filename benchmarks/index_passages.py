"""Passages found through an index: 150 words of a Reuters story inside a page of eight
other stories, looked up with ``Index.check`` (SQLite), with and without the index's
anchors (``LshOptions.passage_anchors=0``: whole-document LSH alone).

    python -m benchmarks.index_passages [--seed N] [--pages N] [--indexed N]
    python -m benchmarks.index_passages --reuters-pages N   # the Reuters benchmark's pages

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


def reuters_pages(count: int = 150, *, seed: int = 2026) -> list[str]:
    """The planted passages of the Reuters benchmark (:func:`benchmarks.reuters.
    planted_passages`: 120+ words verbatim, spun at 20% and at 35% with WordNet, among 12
    other stories), looked up with ``Index.check`` in a SQLite index of all 19,043
    stories, as a crawler would meet them one page at a time."""
    from collections import Counter

    from benchmarks.reuters import PASSAGE_MODES, planted_passages, stories

    texts = stories()
    pages, planted = planted_passages(texts, count=count, seed=seed)
    found: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp, Index.open(os.path.join(tmp, "index.db")) as index:
        index.add_many(Document(doc_id, text) for doc_id, text in texts.items())
        for page, source, mode in planted:
            found[mode] += any(source in (m.a, m.b) for m in index.check(pages[page]))
    rows = [
        f"| {mode} | {found[mode]} of {count} | {found[mode] / count:.3f} |"
        for mode in PASSAGE_MODES
    ]
    return ["| passage | found by `Index.check` | share |", "|---|---|---|", *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--indexed", type=int, default=3000)
    parser.add_argument("--reuters-pages", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.reuters_pages:
        print("\n".join(reuters_pages(args.reuters_pages)))
        return
    print("\n".join(run(seed=args.seed, pages=args.pages, indexed=args.indexed)))


if __name__ == "__main__":
    main()
