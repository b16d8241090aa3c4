"""Scan and diff tell one story, on a real corpus: every pair a scan reports opens to a
diff that shows what was copied.

The Clough & Stevenson corpus (``benchmarks/data/clough-stevenson``, see its
PROVENANCE.md) holds short answers that copy, reword or ignore Wikipedia articles,
wrapped into paragraphs every which way: one long paragraph against six, lines broken
every ten words. Scan aligns sentences; the diff aligns paragraphs as a reader sees
them; before they agreed, 23 of the 126 reported pairs opened to a diff with nothing
matched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup import Detector
from dedup.diff import diff_pair
from dedup.model import Document
from dedup.sources import read

CORPUS = (
    Path(__file__).resolve().parent.parent
    / "benchmarks"
    / "data"
    / "clough-stevenson"
    / "corpus-20090418"
)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the Clough & Stevenson corpus is not here")
def test_every_reported_pair_opens_to_a_diff_that_shows_the_copying() -> None:
    documents = [item for item in read([str(CORPUS)]) if isinstance(item, Document)]
    texts = {d.id: d.text for d in documents}
    result = Detector().scan(documents)
    assert len(result.matches) > 100
    empty = []
    for match in result.matches:
        summary = diff_pair(texts[match.a], texts[match.b]).summary
        if summary.matched == 0 or summary.verbatim == 0:
            empty.append((match.a, match.b, match.kind.value))
    assert empty == []
