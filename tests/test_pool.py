"""A scan on several processes returns exactly what the serial scan returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup import Detector, Document, Kind
from dedup.scan import arrays
from dedup.scan import pool as parallel

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _corpus() -> list[Document]:
    docs = [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    out = list(docs)
    for i, doc in enumerate(docs):
        paragraphs = doc.text.split("\n\n")
        out.append(Document(f"copy-{i}", doc.text))  # exact copy
        out.append(Document(f"half-{i}", "\n\n".join(paragraphs[: len(paragraphs) // 2])))
        out.append(Document(f"reordered-{i}", "\n\n".join(reversed(paragraphs))))
    return out


def test_parallel_scan_equals_serial_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = Detector().scan(_corpus(), workers=1)
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 0)
    monkeypatch.setattr(parallel, "FINGERPRINT_CHUNK", 4)
    monkeypatch.setattr(parallel, "TILE_PAIRS", 3)
    forked = Detector().scan(_corpus(), workers=2)
    assert forked.matches == serial.matches
    assert [m.evidence for m in forked.matches] == [m.evidence for m in serial.matches]
    assert forked.documents == serial.documents == 20
    kinds = {m.kind for m in serial.matches}
    assert {Kind.EXACT, Kind.SPUN, Kind.PARTIAL, Kind.NEAR_DUPLICATE} <= kinds


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=200),
    st.integers(1, 70),
    st.integers(1, 9),
)
def test_tiles_hold_every_pair_once_and_one_tile_each(
    pairs: list[tuple[int, int]], most: int, workers: int
) -> None:
    import numpy as np

    array = np.array(sorted({(min(p), max(p)) for p in pairs}), dtype=np.int64).reshape(-1, 2)
    block = parallel._block(array, most, workers)
    assert 1 <= block <= most
    ordered = array[parallel._local_order(array, block)]
    chunks = parallel._tiles(ordered, block)
    assert sorted(map(tuple, np.concatenate(chunks).tolist()) if chunks else []) == sorted(
        map(tuple, array.tolist())
    )
    for chunk in chunks:
        assert 0 < len(chunk) <= parallel.TILE_PAIRS
        assert len({(a // block, b // block) for a, b in chunk.tolist()}) == 1


def test_tiles_keep_every_worker_busy() -> None:
    import numpy as np

    rows = np.arange(3000, dtype=np.int64)
    pairs = np.stack([rows[:-1], rows[1:]], axis=1)
    block = parallel._block(pairs, parallel.PREPARED // 2, 2)
    assert len(parallel._tiles(pairs[parallel._local_order(pairs, block)], block)) >= 4


def test_exact_groups_expand_to_every_member() -> None:
    text = (SEEDS / "002_332438ef7e52e727.txt").read_text(encoding="utf-8")
    spun = (SEEDS / "001_0d986f3b99680e2b.txt").read_text(encoding="utf-8")
    result = Detector().scan(
        [Document("a", text), Document("b", text), Document("c", text), Document("s", spun)]
    )
    pairs = {(m.a, m.b): m.kind for m in result.matches}
    assert pairs == {
        ("a", "b"): Kind.EXACT,
        ("a", "c"): Kind.EXACT,
        ("b", "c"): Kind.EXACT,
        ("a", "s"): Kind.SPUN,
        ("b", "s"): Kind.SPUN,
        ("c", "s"): Kind.SPUN,
    }
    # evidence is oriented: "s" (the spun copy) is always b
    spun_side = [m.evidence.aligned_b for m in result.matches if m.b == "s"]
    assert len(set(spun_side)) == 1


def test_evidence_orientation_follows_the_ids() -> None:
    text = (SEEDS / "002_332438ef7e52e727.txt").read_text(encoding="utf-8")
    half = "\n\n".join(text.split("\n\n")[:20])
    forward = Detector().scan([Document("a", text), Document("z", half)]).matches[0]
    backward = Detector().scan([Document("z", text), Document("a", half)]).matches[0]
    assert forward.evidence.aligned_b == pytest.approx(1.0)  # all of the excerpt is copied
    assert backward.evidence.aligned_a == pytest.approx(1.0)
    assert forward.evidence == backward.evidence.swapped()


def _reference_chrome(chrome: arrays.Chrome, i: int, j: int) -> frozenset[int]:
    """The rule of :class:`dedup.scan.arrays.Chrome`, in numpy."""
    import numpy as np

    (keys_i, words_i), (keys_j, words_j) = chrome.lines.row(i), chrome.lines.row(j)
    keys = np.concatenate([keys_i, keys_j])
    words = np.concatenate([words_i, words_j])
    if chrome.min_documents <= 0 or not len(chrome.keys) or not len(keys):
        return frozenset()
    pos = np.minimum(np.searchsorted(chrome.keys, keys), len(chrome.keys) - 1)
    df = np.where(chrome.keys[pos] == keys, chrome.documents[pos], 1)
    order = np.argsort(df, kind="stable")
    cumulative = np.cumsum(words[order])
    median = int(df[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    limit = max(chrome.min_documents - 1, 2 * median)
    chrome_keys = set(keys[df > limit].tolist())
    if chrome.passage_words > 0:  # a side's few-document recurring lines, if long enough
        for side_keys, side_words in ((keys_i, words_i), (keys_j, words_j)):
            held = [
                (k, w)
                for k, w in zip(side_keys.tolist(), side_words.tolist(), strict=True)
                if k in chrome_keys and _documents(chrome, k) <= chrome.passage_documents
            ]
            if sum(w for _, w in held) >= chrome.passage_words:
                chrome_keys -= {k for k, _ in held}
    return frozenset(chrome_keys)


def _documents(chrome: arrays.Chrome, key: int) -> int:
    found = chrome.keys.tolist()
    return int(chrome.documents[found.index(key)]) if key in found else 1


@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 12), st.integers(1, 40)), max_size=8),
        min_size=2,
        max_size=6,
    ),
    st.integers(0, 4),
    st.integers(0, 6),
    st.sampled_from([0, 20, 60]),
)
def test_chrome_lines_follow_the_rule(
    docs: list[list[tuple[int, int]]], least: int, few: int, passage: int
) -> None:
    import numpy as np

    lines = arrays.Lines(
        np.array([k for d in docs for k, _ in d], dtype=np.uint64),
        np.array([w for d in docs for _, w in d], dtype=np.int64),
        np.cumsum([0] + [len(d) for d in docs]).astype(np.int64),
    )
    held = {k: len({i for i, d in enumerate(docs) if k in dict(d)}) for d in docs for k, _ in d}
    known = np.array(sorted(held)[::2], dtype=np.uint64)  # some lines unknown to the batch
    chrome = arrays.Chrome(
        lines,
        known,
        np.array([held[k] for k in known.tolist()], dtype=np.int64),
        least,
        few,
        passage,
    )
    for i in range(len(docs)):
        for j in range(len(docs)):
            assert frozenset(chrome.ignore(i, j).tolist()) == _reference_chrome(chrome, i, j)


def test_an_exact_group_is_reported_whatever_its_sentences() -> None:
    # the same words (the digest's) cut into sentences too short to align, and run on
    # without punctuation: nothing aligns, and still the two are one text's copies
    words = [f"Word{k}" for k in range(60)]
    run_on = " ".join(words)
    cut = ". ".join(" ".join(words[k : k + 4]) for k in range(0, 60, 4)) + "."
    result = Detector().scan([Document("run-on", run_on), Document("cut", cut)], workers=1)
    assert [(m.a, m.b, m.kind) for m in result.matches] == [("cut", "run-on", Kind.EXACT)]


def test_readings_join_and_take_rows_as_reading_the_texts_again() -> None:
    import numpy as np

    from dedup.scan.arrays import Readings
    from dedup.verify import Features

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts.insert(2, "Ölpreis steigt")  # the compiled pass does not read it
    texts.insert(3, "")
    whole = Readings.join([Readings.of_texts(texts[:3]), Readings.of_texts(texts[3:])])
    assert whole.read.tolist() == [True, True, False, True, True, True, True]
    keep = np.array([5, 2, 0, 3], dtype=np.int64)
    taken, again = whole.rows(keep), Readings.of_texts([texts[r] for r in keep.tolist()])
    for field in Readings.__dataclass_fields__:
        assert np.array_equal(getattr(taken, field), getattr(again, field)), field
    first = whole.row(0)
    assert first is not None
    assert np.array_equal(first[0], Features.of_text(texts[0]).ids)
    assert whole.row(2) is None
