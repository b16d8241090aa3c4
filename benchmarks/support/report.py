"""Markdown rendering of the quality figures (:mod:`benchmarks.support.runs` results)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from benchmarks.support.metrics import SCORE_HEADERS, markdown_table
from benchmarks.support.runs import (
    Evaluation,
    Flagged,
    Miss,
    SeedsResult,
    SpinResult,
    chrome_only,
    target_rows,
)
from benchmarks.support.spincorpus import PARTIAL, RATES, spun_category
from benchmarks.support.spinsim import word_count
from dedup import DetectorOptions

__all__ = [
    "render",
    "render_corpus",
    "render_evaluation",
    "render_options",
    "render_seeds",
    "render_targets",
]


def render_evaluation(ev: Evaluation, *, misses: int = 20) -> str:
    """One benchmark's figures as markdown."""
    out = [f"## {ev.title}", ""]
    out.append(markdown_table(SCORE_HEADERS, [s.row() for s in ev.scores]))
    out.append("")
    out.append(
        f"Documents: {ev.documents}; negative pairs: {ev.negatives}; "
        f"false positives: {len(ev.false_positives)}; time: {ev.seconds:.2f} s."
    )
    if ev.score_spread:
        out += ["", "Score spread (compare score per category):", ""]
        rows = [
            [c, len(v), min(v), statistics.median(v), max(v)]
            for c, v in ev.score_spread.items()
            if v
        ]
        out.append(markdown_table(["category", "pairs", "min", "median", "max"], rows))
    if ev.false_positives:
        chrome = chrome_only(ev)
        out += ["", "False positives:", ""]
        if chrome:
            out[-2] += (
                f" {chrome} of {len(ev.false_positives)} are no longer reported once the "
                "simulated page chrome is removed from both texts."
            )
        out.append(_pairs_table(ev.false_positives[:misses]))
        if len(ev.false_positives) > misses:
            out.append(f"\n... and {len(ev.false_positives) - misses} more.")
    if ev.unlabelled:
        counts = Counter(f.why for f in ev.unlabelled)
        summary = ", ".join(f"{why}: {n}" for why, n in counts.most_common())
        out += ["", f"Reported related pairs, not labelled, not counted ({summary}):", ""]
        out.append(_pairs_table(ev.unlabelled[:misses]))
        if len(ev.unlabelled) > misses:
            out.append(f"\n... and {len(ev.unlabelled) - misses} more.")
    if ev.misses:
        out += ["", f"Misses ({len(ev.misses)}), with the evidence of Detector.compare:", ""]
        out.append(_misses_table(ev.misses[:misses]))
        if len(ev.misses) > misses:
            out.append(f"\n... and {len(ev.misses) - misses} more.")
    return "\n".join(out)


def _pairs_table(flagged: Sequence[Flagged]) -> str:
    rows = [
        [
            f"{f.match.a} ~ {f.match.b}",
            f.why,
            f.match.kind.value,
            f.match.score,
            f.match.evidence.aligned_a,
            f.match.evidence.aligned_b,
            f.match.evidence.verbatim,
            f.match.evidence.aligned_sentences,
        ]
        for f in flagged
    ]
    headers = [
        "pair",
        "relation",
        "kind",
        "score",
        "aligned_a",
        "aligned_b",
        "verbatim",
        "sentences",
    ]
    if any(f.note for f in flagged):
        headers.append("note")
        for row, f in zip(rows, flagged, strict=True):
            row.append(f.note or "-")
    return markdown_table(headers, rows)


def _misses_table(misses: Sequence[Miss]) -> str:
    rows = []
    for miss in misses:
        ev = miss.match.evidence
        views = {v.view: v for v in ev.views}
        cells: list[object] = [
            f"{miss.a} ~ {miss.b}",
            miss.category,
            miss.stage,
            miss.match.kind.value,
            miss.match.score,
            ev.aligned_a,
            ev.aligned_b,
            ev.verbatim,
            ev.aligned_sentences,
        ]
        for name in ("words", "skeleton"):
            v = views.get(name)
            cells.append(
                "-"
                if v is None
                else f"{v.jaccard:.3f} (est {v.estimated_jaccard:.3f}; "
                f"cont {v.containment_a:.2f}/{v.containment_b:.2f})"
            )
        rows.append(cells)
    headers = [
        "pair",
        "category",
        "lost at",
        "kind",
        "score",
        "aligned_a",
        "aligned_b",
        "verbatim",
        "sentences",
        "words J",
        "skeleton J",
    ]
    return markdown_table(headers, rows)


def render_targets(ev: Evaluation) -> str:
    """The issue's targets for the spun-copy benchmark, ``met`` or ``MISSED``."""
    table = markdown_table(["target", "goal", "achieved", "status"], target_rows(ev))
    return f"## Targets of the spun-copy benchmark\n\n{table}"


def render_options(options: DetectorOptions) -> str:
    """The detector settings the figures were measured with."""
    fp, lsh, verify = options.fingerprint, options.lsh, options.verify
    return (
        f"Detector settings: threshold {options.threshold}, views "
        f"{'+'.join(fp.views)}, num_perm {fp.num_perm}, LSH {lsh.bands} bands x "
        f"{lsh.rows} rows, prefilter {lsh.prefilter}, sentence_similarity "
        f"{verify.sentence_similarity}, verbatim {verify.verbatim}, near_duplicate "
        f"{verify.near_duplicate}, min_sentence_words {verify.min_sentence_words}."
    )


def render_seeds(result: SeedsResult) -> str:
    """The seeds check as markdown."""
    rows = [[f"{m.a} ~ {m.b}", m.kind.value, m.score, m.evidence.verbatim] for m in result.matches]
    verdict = "PASS" if result.ok else "FAIL: expected exactly 001 ~ 002 (spun)"
    return "\n".join(
        [
            "## Seeds: one Detector.scan over seeds/",
            "",
            markdown_table(["pair", "kind", "score", "verbatim"], rows or [["(none)", "", "", ""]]),
            "",
            f"{verdict}; time: {result.seconds:.2f} s.",
        ]
    )


def render_corpus(result: SpinResult) -> str:
    """What the simulator did: achieved substitution shares, edits, partial copies."""
    out = ["## Spun-copy corpus", ""]
    docs = result.corpus.docs
    bases = [d for d in docs if d.category == "base"]
    rows: list[list[object]] = []
    for rate in RATES:
        spun = [d.spun for d in docs if d.category == spun_category(rate) and d.spun]
        if not spun:
            continue
        shares = [s.share for s in spun]
        rows.append(
            [
                spun_category(rate),
                len(spun),
                statistics.mean(s.candidate_share for s in spun),
                f"{statistics.mean(shares):.3f} ({min(shares):.3f}-{max(shares):.3f})",
                statistics.mean(s.candidates / s.words for s in spun if s.words),
                sum(len(s.dropped) for s in spun),
                sum(len(s.moved) for s in spun),
            ]
        )
    out.append(
        markdown_table(
            [
                "copies",
                "n",
                "share of candidates swapped",
                "share of all words swapped",
                "candidates / words",
                "paragraphs dropped",
                "paragraph swaps",
            ],
            rows,
        )
    )
    halves = [d for d in docs if d.category == PARTIAL and d.partial]
    if halves:
        base_share = [
            word_count(d.text[d.partial.pasted[0] : d.partial.pasted[1]])
            / word_count(result.corpus.doc(d.base).text)
            for d in halves
            if d.partial
        ]
        out += [
            "",
            f"Partial copies: {len(halves)}, pasting on average "
            f"{statistics.mean(base_share):.0%} of the base text's words under a text "
            "of another topic.",
        ]
    out += [
        "",
        f"Corpus: {len(docs)} documents ({len(bases)} real texts); built in "
        f"{result.build_seconds:.2f} s.",
    ]
    return "\n".join(out)


def render(
    seeds_result: SeedsResult,
    pairwise: Evaluation,
    scanned: Evaluation,
    spin: SpinResult | str,
    *,
    options: DetectorOptions | None = None,
    misses: int = 20,
) -> str:
    """All figures as one markdown document (``spin`` is a message if it was skipped)."""
    parts = [
        "# dedup quality benchmarks",
        render_options(options or DetectorOptions()),
        render_seeds(seeds_result),
        render_evaluation(pairwise, misses=misses),
        render_evaluation(scanned, misses=misses),
    ]
    if isinstance(spin, str):
        parts.append(f"## Spun copies\n\nSKIPPED: {spin}")
    else:
        parts += [
            render_corpus(spin),
            render_evaluation(spin.evaluation, misses=misses),
            render_targets(spin.evaluation),
        ]
    return "\n\n".join(parts) + "\n"
