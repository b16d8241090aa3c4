"""The real-news benchmark on Reuters-21578: what a scan of 19,043 real 1987 newswire
stories reports, judged against pairs labelled by reading, and planted spun copies.

Reproduce with ``python -m benchmarks.reuters`` (figures as markdown) or
``pytest benchmarks/test_reuters.py`` (asserted against floors).

* **labelled sample**: ``benchmarks/data/reuters-labels/sample.jsonl`` holds 300 pairs
  drawn at random from what ``dedup scan`` reported at default settings when the
  sample was made, each labelled ``copy``, ``template`` or ``related`` by reading both
  stories (``RULES.md`` there). Precision = labelled copies among the sample pairs the
  scan reports now; the labelled copies it no longer reports are listed.
  ``added.jsonl`` labels every pair first reported once passage candidates came in (a
  census of 104): their precision is reported beside, and so is ``newswire.jsonl``'s
  (the 19 pairs that came or went when an indented line began a paragraph).
* **spun pairs between originals**: no spinner existed in 1987, so every ``spun`` pair
  among the stories is a false one.
* **planted spun copies**: stories of at least 150 words, their hard line wraps undone
  into paragraphs (the simulator works on paragraphs), spun at 20, 35 and 50% with
  WordNet (:mod:`benchmarks.support.spinsim`) and compared with their original.
* **planted passages**: from stories of at least 250 words, a run of whole paragraphs
  (not the headline) of at least 120 words, verbatim or spun at 20 or 35%, pasted among
  the paragraphs of 12 other stories drawn at random (a page of about 1,700 words, so
  the passage is under a tenth of it). The pages go into the same scan as the corpus;
  a passage is found when its page ~ source pair is reported as a copy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dedup import Detector, Document
from dedup.model import Match

DATA = Path(__file__).resolve().parent / "data"
CORPUS = DATA / "reuters-21578" / "reuters-21578.jsonl.gz"
LABELS = DATA / "reuters-labels" / "labels.jsonl"
ADDED = DATA / "reuters-labels" / "added.jsonl"
NEWSWIRE = DATA / "reuters-labels" / "newswire.jsonl"
RATES = (0.2, 0.35, 0.5)

__all__ = ["ReutersResult", "paragraphs", "passage_of", "run", "stories"]


def stories(path: Path = CORPUS) -> dict[str, str]:
    """Story id -> text, in file order."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {r["id"]: r["text"] for r in map(json.loads, f)}


_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s{2,})")


def paragraphs(text: str) -> str:
    """The story with its hard line wraps undone: one line per paragraph (Reuters
    indents the first line of each paragraph)."""
    parts = (" ".join(p.split()) for p in _PARAGRAPH.split(text))
    return "\n\n".join(p for p in parts if p)


@dataclass
class ReutersResult:
    """What the benchmark measured."""

    reported: Counter[str] = field(default_factory=Counter)
    sample_reported: int = 0
    sample_copies: int = 0
    added_reported: int = 0
    added_copies: int = 0
    newswire_reported: int = 0
    newswire_copies: int = 0
    labels: Counter[tuple[str, str]] = field(default_factory=Counter)
    copies_lost: list[str] = field(default_factory=list)
    planted: dict[float, Counter[str]] = field(default_factory=dict)
    passages: dict[str, Counter[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.sample_copies / self.sample_reported if self.sample_reported else 0.0

    @property
    def added_precision(self) -> float:
        return self.added_copies / self.added_reported if self.added_reported else 0.0

    @property
    def newswire_precision(self) -> float:
        n = self.newswire_reported
        return self.newswire_copies / n if n else 0.0

    def planted_recall(self, rate: float, kind: str | None = None) -> float:
        return _recall(self.planted[rate], kind)

    def passage_recall(self, mode: str) -> float:
        return _recall(self.passages[mode], None)


def _recall(found: Counter[str], kind: str | None) -> float:
    total = sum(found.values())
    hits = found[kind] if kind else total - found["missed"]
    return hits / total if total else 0.0


PASSAGE_MODES = {"verbatim": 0.0, "spun 20%": 0.2, "spun 35%": 0.35}
"""How a planted passage is copied: the spin rate of each mode."""


def planted_passages(
    texts: dict[str, str], *, count: int, seed: int
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Pages with a passage of a story pasted among other stories: page id -> text, and
    ``(page, source story, mode)`` for each (see the module docs)."""
    from benchmarks.support.spinsim import Spinner, word_count

    spinner = Spinner()
    rng = random.Random(seed)
    ids = list(texts)
    long = [i for i in ids if word_count(texts[i]) >= 250]
    pages: dict[str, str] = {}
    planted: list[tuple[str, str, str]] = []
    for n, source in enumerate(rng.sample(long, min(count, len(long)))):
        passage = passage_of(texts[source], rng, words=120)
        for mode, rate in PASSAGE_MODES.items():
            copied = (
                spinner.spin(passage, rate=rate, seed=f"{source}:{mode}").text if rate else passage
            )
            others = [paragraphs(texts[h]) for h in rng.sample(ids, 13) if h != source][:12]
            at = rng.randrange(len(others) + 1)
            page = f"page/{mode.replace(' ', '').replace('%', '')}/{n}"
            pages[page] = "\n\n".join([*others[:at], copied, *others[at:]])
            planted.append((page, source, mode))
    return pages, planted


def passage_of(story: str, rng: random.Random, *, words: int) -> str:
    """A run of whole paragraphs of ``story`` (not the headline) from a random start,
    of at least ``words`` words where the story has them after that start."""
    paras = paragraphs(story).split("\n\n")[1:]
    start = rng.randrange(max(1, len(paras) - 3))
    chunk: list[str] = []
    while start < len(paras) and sum(len(p.split()) for p in chunk) < words:
        chunk.append(paras[start])
        start += 1
    return "\n\n".join(chunk)


def _labels(path: Path = LABELS) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        yield from map(json.loads, f)


def run(*, planted: int = 100, passages: int = 150, seed: int = 2026) -> ReutersResult:
    """Scan the corpus with ``passages`` pages of planted passages per mode, judge the
    labelled sample, and plant ``planted`` spun copies at each rate."""
    texts = stories()
    result = ReutersResult()
    pages, pasted = planted_passages(texts, count=passages, seed=seed) if passages else ({}, [])
    start = time.perf_counter()
    scan = Detector().scan(Document(i, t) for i, t in {**texts, **pages}.items())
    result.seconds = time.perf_counter() - start
    pairs: dict[tuple[str, str], Match] = {(m.a, m.b): m for m in scan.matches}
    result.reported = Counter(
        m.kind.value for m in scan.matches if m.a not in pages and m.b not in pages
    )
    for page, source, mode in pasted:
        match = pairs.get((min(page, source), max(page, source)))
        result.passages.setdefault(mode, Counter())[match.kind.value if match else "missed"] += 1
    for label in _labels():
        match = pairs.get((label["a"], label["b"]))
        result.labels[(label["label"], match.kind.value if match else "-")] += 1
        if match is not None:
            result.sample_reported += 1
            result.sample_copies += label["label"] == "copy"
        elif label["label"] == "copy":
            result.copies_lost.append(f"{label['a']} ~ {label['b']}: {label['note']}")
    for label in _labels(ADDED):
        if (label["a"], label["b"]) in pairs:
            result.added_reported += 1
            result.added_copies += label["label"] == "copy"
    for label in _labels(NEWSWIRE):
        if (label["a"], label["b"]) in pairs:
            result.newswire_reported += 1
            result.newswire_copies += label["label"] == "copy"
    if planted:
        from benchmarks.support.spinsim import Spinner, word_count

        spinner = Spinner()
        detector = Detector()
        long = [i for i, t in texts.items() if word_count(t) >= 150]
        chosen = random.Random(seed).sample(long, min(planted, len(long)))
        for rate in RATES:
            found: Counter[str] = Counter()
            for doc_id in chosen:
                base = paragraphs(texts[doc_id])
                copy = spinner.spin(base, rate=rate, seed=doc_id).text
                match = detector.compare(base, copy)
                ok = match.score >= detector.options.threshold and match.kind.value in {
                    "exact",
                    "near-duplicate",
                    "partial",
                    "spun",
                }
                found[match.kind.value if ok else "missed"] += 1
            result.planted[rate] = found
    return result


def markdown(result: ReutersResult) -> str:
    """The figures as markdown tables."""
    lines = [
        f"One scan of the stories and the pages of planted passages: {result.seconds:.0f} s.",
        "",
        "| reported at default settings (between stories) | pairs |",
        "|---|---|",
        *[f"| {kind} | {n} |" for kind, n in sorted(result.reported.items())],
        "",
        "| labelled sample (300 pairs) | value |",
        "|---|---|",
        f"| sample pairs still reported | {result.sample_reported} |",
        f"| of them labelled copy | {result.sample_copies} |",
        f"| precision | {result.precision:.3f} |",
        f"| labelled copies not reported | {len(result.copies_lost)} |",
        f"| added pairs (census of 104) still reported | {result.added_reported} |",
        f"| of them labelled copy | {result.added_copies} |",
        f"| precision on the added pairs | {result.added_precision:.3f} |",
        f"| newswire census (19 pairs) still reported | {result.newswire_reported} |",
        f"| of them labelled copy | {result.newswire_copies} |",
        f"| precision on the newswire census | {result.newswire_precision:.3f} |",
        "",
        "| label | kind now | pairs |",
        "|---|---|---|",
        *[f"| {lab} | {kind} | {n} |" for (lab, kind), n in sorted(result.labels.items())],
    ]
    if result.passages:
        lines += ["", "| planted passages | found | kinds |", "|---|---|---|"]
        for mode, found in result.passages.items():
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(found.items()))
            lines.append(f"| {mode} | {result.passage_recall(mode):.3f} | {kinds} |")
    if result.planted:
        lines += ["", "| planted spun copies | found | called spun | kinds |", "|---|---|---|---|"]
        for rate, found in result.planted.items():
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(found.items()))
            lines.append(
                f"| {rate:.0%} | {result.planted_recall(rate):.3f} | "
                f"{result.planted_recall(rate, 'spun'):.3f} | {kinds} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--planted", type=int, default=100, help="stories to spin per rate")
    parser.add_argument("--passages", type=int, default=150, help="passages to plant per mode")
    args = parser.parse_args()
    result = run(planted=args.planted, passages=args.passages)
    print(markdown(result), end="")
    for line in result.copies_lost:
        print(f"- not reported, labelled copy: {line}")


if __name__ == "__main__":
    main()
