"""Copy families in one scan: every kind of copy of one story planted together among the
19,043 Reuters-21578 stories, as a feed holds them.

Reproduce with ``python -m benchmarks.families`` (figures as markdown) or
``pytest benchmarks/test_reuters.py -k families`` (asserted against floors).

:mod:`benchmarks.reuters` plants each kind of copy apart (spun copies compared one
pair at a time, passages in pages of their own). Here each of ``count`` stories of at
least 250 words (seeded draw) gets all of them, in one scan with the whole corpus:

* two **mirrors**: the whole story in two sites' page chrome
  (:class:`benchmarks.support.spinsim.Spinner` at rate 0, nothing dropped or moved);
* **spun** copies at 20, 35 and 50% (WordNet, paragraphs dropped and swapped, chrome);
* a **passage** of whole paragraphs (150 words or more, not the headline), verbatim,
  and another spun at 35%, each pasted into a long page of other stories (about 3,000
  words, so the passage is a twentieth of it or less).

So a story's paragraphs recur in four documents or more, and its passages share a page
with a dozen other stories: what page chrome detection, passage candidates and the
kinds must cope with at once.

A planted pair ``(story, copy)`` is **found** when the scan reports it, and **kind
right** when its kind is the one expected: ``near-duplicate`` (or ``exact``) for a
mirror, ``spun`` for a spun copy, ``partial`` for a passage (``partial`` or ``spun`` for
a spun one). **Wrong pairs**: a planted document reported with a story it holds nothing
of: not its own story or a host story of its page, nor a story the same scan reports
as a copy of one of those (Reuters repeats its stories; those pairs are judged by
:mod:`benchmarks.reuters`). Pairs within a family (mirror ~ spun copy), pages ~ their
host stories (which they hold whole) and planted documents that hold one story are
copies and are not counted either way.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.reuters import paragraphs, passage_of, stories
from dedup import Detector, Document

__all__ = ["FamiliesResult", "markdown", "run"]

EXPECTED = {
    "mirror": frozenset({"near-duplicate", "exact"}),
    "spun 20%": frozenset({"spun"}),
    "spun 35%": frozenset({"spun"}),
    "spun 50%": frozenset({"spun"}),
    "passage": frozenset({"partial"}),
    "passage spun 35%": frozenset({"partial", "spun"}),
}
"""The kinds each planted copy may be reported as (a spun passage is a passage, and
spun)."""

COPY_KINDS = frozenset({"exact", "near-duplicate", "partial", "spun"})

HOST_WORDS = 3000
"""About how many words of other stories a passage's page holds."""


@dataclass
class FamiliesResult:
    """What one scan found of the planted copies."""

    seconds: float = 0.0
    planted: dict[str, Counter[str]] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)
    other_kind: list[str] = field(default_factory=list)
    reported: int = 0

    def found(self, what: str) -> float:
        kinds = self.planted.get(what, Counter())
        total = sum(kinds.values())
        return (total - kinds["missed"]) / total if total else 0.0

    def kind_right(self, what: str) -> float:
        kinds = self.planted.get(what, Counter())
        total = sum(kinds.values())
        return sum(kinds[k] for k in EXPECTED[what]) / total if total else 0.0


def plant(
    texts: dict[str, str], *, count: int, seed: int
) -> tuple[dict[str, str], list[tuple[str, str, str]], dict[str, set[str]]]:
    """The planted documents (id -> text), the ``(story, copy, what)`` pairs, and for
    each planted document the stories it holds text of."""
    from benchmarks.support.spinsim import Spinner, word_count

    spinner = Spinner()
    rng = random.Random(seed)
    ids = sorted(texts)
    long = [i for i in ids if word_count(texts[i]) >= 250]
    docs: dict[str, str] = {}
    pairs: list[tuple[str, str, str]] = []
    holds: dict[str, set[str]] = {}

    def add(doc_id: str, text: str, story: str, what: str, hosts: set[str]) -> None:
        docs[doc_id] = text
        pairs.append((story, doc_id, what))
        holds[doc_id] = {story, *hosts}

    for n, story in enumerate(rng.sample(long, min(count, len(long)))):
        base = paragraphs(texts[story])
        for m in range(2):
            mirror = spinner.spin(base, rate=0.0, seed=f"{story}:m{m}", drop=(0, 0), swap=False)
            add(f"family/{n}/mirror{m}", mirror.text, story, "mirror", set())
        for rate in (0.2, 0.35, 0.5):
            spun = spinner.spin(base, rate=rate, seed=f"{story}:{rate}").text
            add(f"family/{n}/spun{rate:.0%}", spun, story, f"spun {rate:.0%}", set())
        passage = passage_of(texts[story], rng, words=150)
        for what, rate in (("passage", 0.0), ("passage spun 35%", 0.35)):
            copied = (
                spinner.spin(passage, rate=rate, seed=f"{story}:p", chrome=False).text
                if rate
                else passage
            )
            hosts: list[str] = []
            while sum(word_count(texts[h]) for h in hosts) < HOST_WORDS:
                host = rng.choice(ids)
                if host != story and host not in hosts:
                    hosts.append(host)
            page = [paragraphs(texts[h]) for h in hosts]
            page.insert(rng.randrange(1, len(page)), copied)
            suffix = "verbatim" if not rate else "spun"
            add(f"family/{n}/page-{suffix}", "\n\n".join(page), story, what, set(hosts))
    return docs, pairs, holds


def run(*, count: int = 100, seed: int = 2027) -> FamiliesResult:
    """Plant ``count`` families among the stories and scan them all at once."""
    texts = stories()
    docs, pairs, holds = plant(texts, count=count, seed=seed)
    result = FamiliesResult()
    start = time.perf_counter()
    scan = Detector().scan(Document(i, t) for i, t in {**texts, **docs}.items())
    result.seconds = time.perf_counter() - start
    reported = {(m.a, m.b): m for m in scan.matches}
    for story, copy, what in pairs:
        match = reported.get((min(story, copy), max(story, copy)))
        result.planted.setdefault(what, Counter())[match.kind.value if match else "missed"] += 1
        if match is not None and match.kind.value not in EXPECTED[what]:
            result.other_kind.append(f"{copy} ({what}): {match.kind.value}, {match.reason}")
    copies: dict[str, set[str]] = {}  # the stories' own repeats, as the scan finds them
    for m in scan.matches:
        if m.a in texts and m.b in texts and m.kind.value in COPY_KINDS:
            copies.setdefault(m.a, set()).add(m.b)
            copies.setdefault(m.b, set()).add(m.a)
    holds = {
        doc_id: held.union(*(copies.get(s, set()) for s in held)) for doc_id, held in holds.items()
    }
    family = {doc_id: doc_id.split("/")[1] for doc_id in docs}
    for m in scan.matches:
        planted = [x for x in (m.a, m.b) if x in docs]
        if not planted:
            continue
        result.reported += 1
        if len(planted) == 2:
            if family[m.a] != family[m.b] and not holds[m.a] & holds[m.b]:
                result.wrong.append(f"{m.a} ~ {m.b} ({m.kind.value}, {m.score:.2f})")
            continue
        page, other = planted[0], m.b if planted[0] == m.a else m.a
        if other not in holds[page]:
            result.wrong.append(f"{page} ~ {other} ({m.kind.value}, {m.score:.2f})")
    return result


def markdown(result: FamiliesResult) -> str:
    """The figures as a markdown table."""
    total = sum(sum(c.values()) for c in result.planted.values())
    lines = [
        f"One scan of the stories and {total} planted copies: {result.seconds:.0f} s.",
        "",
        "| planted | pairs | found | kind right | kinds |",
        "|---|---:|---:|---:|---|",
    ]
    for what, kinds in result.planted.items():
        shown = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        lines.append(
            f"| {what} | {sum(kinds.values())} | {result.found(what):.3f} | "
            f"{result.kind_right(what):.3f} | {shown} |"
        )
    lines += [
        "",
        f"Pairs reported with a planted document: {result.reported}; "
        f"with a story it holds nothing of: {len(result.wrong)}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="stories to plant copies of")
    args = parser.parse_args()
    result = run(count=args.count)
    print(markdown(result), end="")
    for line in result.wrong:
        print(f"- wrong: {line}")
    for line in result.other_kind:
        print(f"- other kind: {line}")


if __name__ == "__main__":
    main()
