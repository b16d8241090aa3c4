"""Tests of dedup.detector: the add / check / compare / scan facade."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from madeup_texts import RUSSIAN

from dedup import (
    Detector,
    DetectorOptions,
    Document,
    EmptyDocumentError,
    Index,
    InputError,
    Kind,
    Match,
    OptionsError,
    Problem,
    UnknownDocumentError,
    clusters,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ORIGINAL = "002_332438ef7e52e727.txt"
SPUN = "001_0d986f3b99680e2b.txt"


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def seed_documents() -> list[Document]:
    return [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def test_scan_of_the_seeds_finds_exactly_the_spun_pair() -> None:
    result = Detector().scan(seed_documents())
    assert [(m.a, m.b, m.kind) for m in result.matches] == [(SPUN, ORIGINAL, Kind.SPUN)]
    assert result.documents == 5
    assert result.problems == ()
    ev = result.matches[0].evidence
    assert ev.view("words").jaccard < 0.1  # what plain MinHash sees
    assert ev.view("skeleton").jaccard > 0.3
    assert result.matches[0].score > 0.6


def test_check_finds_the_original_of_a_spun_copy() -> None:
    det = Detector()
    for doc in seed_documents():
        if doc.id != SPUN:
            det.add(doc.id, doc.text)
    found = det.check(seed(SPUN), doc_id="incoming")
    assert [(m.a, m.b, m.kind) for m in found] == [(ORIGINAL, "incoming", Kind.SPUN)]


def test_compare_reports_kind_and_evidence_below_threshold() -> None:
    m = Detector().compare(seed(ORIGINAL), seed("003_129e46a7a127545a.txt"))
    assert m.score < 0.05
    assert {v.view for v in m.evidence.views} == {"words", "skeleton", "function"}


def test_exact_and_near_duplicates_and_partial() -> None:
    original = seed(ORIGINAL)
    paragraphs = original.split("\n\n")
    reprint = "Breaking news from our partners\n\n" + original.replace("“", '"').upper().lower()
    half = "\n\n".join(paragraphs[: len(paragraphs) // 2])
    partial = seed("004_f8fb29f22f9465be.txt") + "\n\n" + half
    det = Detector()
    result = det.scan(
        [
            Document("orig", original),
            Document("copy", original.replace("  ", " ")),
            Document("reprint", reprint),
            Document("partial", partial),
        ]
    )
    kinds = {(m.a, m.b): m.kind for m in result.matches}
    assert kinds[("copy", "orig")] == Kind.EXACT
    assert kinds[("orig", "reprint")] == Kind.NEAR_DUPLICATE
    assert kinds[("orig", "partial")] == Kind.PARTIAL


def test_each_pair_is_reported_once_and_sorted_by_score() -> None:
    text = seed(ORIGINAL)
    result = Detector().scan([Document(str(i), text) for i in range(4)])
    pairs = [(m.a, m.b) for m in result.matches]
    assert sorted(pairs) == [(a, b) for a in "0123" for b in "0123" if a < b]
    assert len(set(pairs)) == len(pairs)
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)


def test_bad_documents_become_problems_and_the_scan_goes_on() -> None:
    docs: list[Document | Problem] = [
        Document("empty", ""),
        Document("tiny", "Too short."),
        Problem("broken.bin", "binary data"),
        *seed_documents(),
    ]
    result = Detector().scan(docs)
    assert [p.source for p in result.problems] == ["empty", "tiny", "broken.bin"]
    assert "too short to compare: no words" in result.problems[0].message
    assert len(result.matches) == 1


def test_kind_filter() -> None:
    result = Detector().scan(seed_documents(), kinds=[Kind.EXACT])
    assert result.matches == ()


def test_progress_is_reported() -> None:
    calls: list[tuple[str, int, int | None]] = []
    Detector().scan(seed_documents(), progress=lambda *call: calls.append(call), total=5, workers=1)
    assert calls[:5] == [("reading", i, 5) for i in range(1, 6)]
    assert calls[5] == ("fingerprinting", 5, 5)
    assert calls[-1][0] == "comparing"
    assert calls[-1][1] == calls[-1][2]


def test_remove_and_membership() -> None:
    det = Detector()
    det.add("x", seed(ORIGINAL))
    assert "x" in det
    assert len(det) == 1
    det.remove("x")
    assert "x" not in det
    with pytest.raises(UnknownDocumentError, match="no document with id 'x'"):
        det.remove("x")
    assert det.check(seed(SPUN)) == []


def test_too_short_document_is_refused_with_its_id() -> None:
    with pytest.raises(EmptyDocumentError, match=r"^doc-7: too short to compare: only 2 words"):
        Detector().add("doc-7", "Two words")


def test_options_are_validated() -> None:
    with pytest.raises(OptionsError, match="threshold must be between 0 and 1"):
        DetectorOptions(threshold=1.5)


def test_clusters_group_transitively() -> None:
    text = seed(ORIGINAL)
    result = Detector().scan([Document("a", text), Document("b", text), Document("c", seed(SPUN))])
    groups = clusters(result.matches)
    assert len(groups) == 1
    assert groups[0].ids == ("a", "b", "c")
    assert groups[0].kinds == (Kind.EXACT, Kind.SPUN)


paragraph = st.lists(
    st.sampled_from(
        "the Russian military said talks with Kerry in London more than a year "
        "before Friday about Syria and the Islamic State would help define options".split()
    ),
    min_size=10,
    max_size=40,
).map(" ".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraph, paragraph)
def test_compare_is_symmetric(a: str, b: str) -> None:
    det = Detector()
    ab, ba = det.compare(a, b), det.compare(b, a)
    assert ab.kind == ba.kind
    assert ab.score == pytest.approx(ba.score)
    assert ab.evidence.verbatim == pytest.approx(ba.evidence.verbatim)
    assert ab.evidence.aligned_a == pytest.approx(ba.evidence.aligned_b)


@settings(max_examples=25, deadline=None)
@given(paragraph)
def test_identical_text_scores_one(text: str) -> None:
    m = Detector().compare(text, text)
    assert (m.kind, m.score) == (Kind.EXACT, 1.0)


def test_index_add_many_stores_in_batches_and_reports_problems_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dedup.index

    monkeypatch.setattr(dedup.index, "ADD_BATCH", 2)  # several batches
    problems: list[Problem] = []
    items: list[Document | Problem] = [
        Document("tiny", "Two words"),
        Problem("broken.bin", "binary data"),
        *[d for d in seed_documents() if d.id != SPUN],
    ]
    with Index.open(tmp_path / "feed.db") as index:
        added = index.add_many(items, on_problem=problems.append)
        assert (added, len(index)) == (4, 4)
        found = index.check(seed(SPUN), doc_id="incoming")
    assert [p.source for p in problems] == ["tiny", "broken.bin"]
    assert [(m.a, m.kind) for m in found] == [(ORIGINAL, Kind.SPUN)]


def _page_with_a_passage(passage: str) -> str:
    """A long page of other real articles with ``passage`` in the middle."""
    others = [seed(p.name) for p in sorted(SEEDS.glob("*.txt")) if p.name not in (ORIGINAL, SPUN)]
    return "\n\n".join([others[0], others[1], passage, others[2], others[0].upper()])


def _passage() -> str:
    paragraphs = [p for p in seed(ORIGINAL).split("\n\n") if len(p.split()) > 20]
    return "\n\n".join(paragraphs[6:10])


def test_scan_finds_a_passage_that_is_a_small_share_of_a_long_page() -> None:
    passage = _passage()
    page = _page_with_a_passage(passage)
    assert 100 <= len(passage.split()) <= 0.1 * len(page.split())
    docs = [Document("original", seed(ORIGINAL)), Document("page", page)]
    found = Detector().scan(docs).matches
    assert [(m.a, m.b, m.kind) for m in found] == [("original", "page", Kind.PARTIAL)]
    assert found[0].score < 0.15  # reported for the passage, not for its share
    assert min(found[0].evidence.copied_a, found[0].evidence.copied_b) >= 80
    # whole-document MinHash alone does not propose the pair
    lsh_only = DetectorOptions(lsh=dataclasses.replace(DetectorOptions().lsh, passage_anchors=0))
    assert Detector(options=lsh_only).scan(docs).matches == ()


def test_a_passage_of_a_mirrored_story_is_not_page_chrome() -> None:
    # the passage's lines recur in four documents (the story, two mirrors, the page),
    # more than twice as many as the page's own lines: page chrome by count alone
    story, page = seed(ORIGINAL), _page_with_a_passage(_passage())
    mirrors = [
        "\n\n".join([site, "Home | World | Politics", story, "Back to top"])
        for site in ("The Daily Ledger", "Metro Morning Post")
    ]
    docs = [Document("story", story), Document("page", page)]
    docs += [Document(f"mirror{n}", text) for n, text in enumerate(mirrors)]
    found = {(m.a, m.b): m.kind for m in Detector().scan(docs).matches}
    assert found == {
        ("page", "story"): Kind.PARTIAL,
        ("mirror0", "page"): Kind.PARTIAL,
        ("mirror1", "page"): Kind.PARTIAL,
        ("mirror0", "story"): Kind.NEAR_DUPLICATE,
        ("mirror1", "story"): Kind.NEAR_DUPLICATE,
        ("mirror0", "mirror1"): Kind.NEAR_DUPLICATE,
    }


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_replaced_document_is_verified_as_it_is_now(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    location = (
        str(tmp_path / "feed.db") if backend == "sqlite" else request.getfixturevalue("redis_url")
    )
    original, spun = seed(ORIGINAL), seed(SPUN)
    with Index.open(location) as index:
        index.add("a", original)
        assert [m.kind for m in index.check(original, doc_id="q")] == [Kind.EXACT]
        index.add("a", spun)  # a new version of "a", written past the detector
        found = index.check(original, doc_id="q")
        assert [(m.a, m.kind) for m in found] == [("a", Kind.SPUN)]
        # and another worker replacing it is seen as well
        with Index.open(location) as other:
            other.add("a", original)
        assert [m.kind for m in index.check(original, doc_id="q")] == [Kind.EXACT]


@pytest.mark.parametrize(
    "disguise",
    [
        pytest.param(lambda t: "\u200b".join(t), id="zero-width-space-after-every-letter"),
        pytest.param(lambda t: "\u00ad".join(t), id="soft-hyphen-after-every-letter"),
        pytest.param(
            lambda t: t.translate(str.maketrans("aeopcxAEOPCXy", "аеорсхАЕОРСХу")),
            id="cyrillic-look-alikes",
        ),
        pytest.param(
            lambda t: t.translate(str.maketrans("TMHBKAEOPCX", "ТМНВКАЕОРСХ")),
            id="cyrillic-capital-look-alikes",
        ),
        pytest.param(
            lambda t: t.translate(str.maketrans("ABEHIKOPTXZ", "ΑΒΕΗΙΚΟΡΤΧΖ")),
            id="greek-capital-look-alikes",
        ),
        pytest.param(lambda t: "\u034f".join(t), id="grapheme-joiner-after-every-letter"),
        pytest.param(lambda t: "\ufe0f".join(t), id="variation-selector-after-every-letter"),
        pytest.param(lambda t: "\U000e0041".join(t), id="tag-character-after-every-letter"),
    ],
)
def test_an_invisibly_disguised_copy_is_an_exact_copy(disguise: Callable[[str], str]) -> None:
    original = seed(ORIGINAL)
    copy = disguise(original)
    assert copy != original
    match = Detector().compare(original, copy)
    assert (match.kind, match.score) == (Kind.EXACT, 1.0)
    found = Detector().scan([Document("original", original), Document("copy", copy)])
    assert [(m.a, m.b, m.kind) for m in found.matches] == [("copy", "original", Kind.EXACT)]


def test_a_copy_of_a_file_with_a_stray_byte_is_found(tmp_path: Path) -> None:
    from dedup.sources import read

    text = "\n\n".join([RUSSIAN] * 3)
    (tmp_path / "clean.txt").write_text(text, encoding="utf-8")
    data = text.encode("utf-8")
    cut = data.index(b" ", len(data) // 2)
    (tmp_path / "damaged.txt").write_bytes(data[:cut] + b" \xff" + data[cut:])  # one stray byte
    found = Detector().scan(read([str(tmp_path)])).matches
    assert [(m.a, m.b) for m in found] == [("clean.txt", "damaged.txt")]
    assert found[0].kind in (Kind.EXACT, Kind.NEAR_DUPLICATE)
    assert found[0].score > 0.99


def test_a_bucket_of_thousands_of_near_identical_pages_costs_linear_pairs() -> None:
    # a site template or a story reprinted everywhere: the pages share band keys; a
    # bucket's first ``bucket_hubs`` pages pair with the others, so the pairs grow with
    # the pages, not their square, and the pages stay one cluster
    from dedup.options import LshOptions

    def pages(n: int) -> list[Document]:
        text = "file {} says hello to the world of tiny files number {}"
        return [Document(f"p{k:04d}", text.format(k, k)) for k in range(n)]

    def scan(n: int, hubs: int) -> list[Match]:
        options = DetectorOptions(lsh=LshOptions(bucket_hubs=hubs))
        return list(Detector(options=options).scan(pages(n), kinds=set(Kind)).matches)

    small, large = scan(120, 5), scan(240, 5)
    assert 1.5 < len(large) / len(small) < 2.5  # linear: twice the pages, twice the pairs
    assert [len(c.ids) for c in clusters(large)] == [240]
    assert len(scan(240, 0)) > 3.5 * len(scan(120, 0))  # every pair: about the square


def test_chinese_is_compared_character_by_character() -> None:
    """Chinese has no spaces: each character is a word, so a text is not one word
    too short to compare, and a copy with a few characters swapped is found."""
    from madeup_texts import CHINESE

    from dedup.tokens import tokenize

    assert len(tokenize("中文" * 1000)) == 2000
    original = "\n\n".join([CHINESE] * 4)
    copy = original.replace("的", "之").replace("与", "和")
    assert copy != original
    found = Detector().scan([Document("copy", copy), Document("original", original)])
    assert [(m.a, m.b) for m in found.matches] == [("copy", "original")]
    assert found.matches[0].kind is not Kind.EXACT


def test_scan_takes_id_text_pairs_and_names_what_it_cannot_take() -> None:
    text = seed(ORIGINAL)
    found = Detector().scan([("a", text), ("b", text)])
    assert [(m.a, m.b, m.kind) for m in found.matches] == [("a", "b", Kind.EXACT)]
    with pytest.raises(InputError, match=r"^document 2: expected a Document.*got list"):
        Detector().scan([("a", text), ["b", text]])  # type: ignore[list-item]


def test_a_cluster_names_the_document_to_keep() -> None:
    """The original its matches name most often; else the one in the most matches."""
    original, spun = seed(ORIGINAL), seed(SPUN)
    found = Detector().scan([Document("copy", spun), Document("orig", original)])
    [cluster] = clusters(found.matches)
    assert (cluster.ids, cluster.canonical) == (("copy", "orig"), "orig")


def test_index_check_finds_a_passage_copied_into_a_long_page() -> None:
    """150 words of a Reuters story among eight others: the whole page is not like the
    story (LSH alone finds few such pairs), but it shares its rare anchors."""
    import gzip
    import itertools
    import json
    import random

    from dedup import LshOptions

    data = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "reuters-21578"
    with gzip.open(data / "reuters-21578.jsonl.gz", "rt", encoding="utf-8") as stream:
        rows = [json.loads(line) for line in itertools.islice(stream, 3000)]
    rng = random.Random(7)
    sources = rng.sample([r for r in rows if 350 <= len(r["text"].split()) <= 700], 10)
    chosen = {s["id"] for s in sources}
    fillers = [r["text"] for r in rows if r["id"] not in chosen and len(r["text"].split()) > 200]
    found = {}
    for anchors in (3, 0):
        detector = Detector(options=DetectorOptions(lsh=LshOptions(passage_anchors=anchors)))
        for s in sources:
            detector.add(s["id"], s["text"])
        hits = 0
        for s in sources:
            words = s["text"].split()
            page = "\n\n".join(
                [*rng.sample(fillers, 4), " ".join(words[100:250]), *rng.sample(fillers, 4)]
            )
            hits += any(m.a == s["id"] for m in detector.check(page))
            if anchors:  # a scan against the index finds it the same way
                scanned = detector.scan([Document("page", page)]).matches
                assert any(s["id"] in (m.a, m.b) for m in scanned)
        found[anchors] = hits
    assert found[3] == 10
    assert found[0] < 10  # what whole-document LSH alone finds
