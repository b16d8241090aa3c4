"""The contract of :class:`dedup.backends.CandidateIndex`, run over every backend.

Each test runs on the in-memory index, a real SQLite file and a real Redis server
(tests/conftest.py starts one), so the three behave alike wherever the detector is
concerned. What only one backend has (durability under SIGKILL, WAL, WATCH, sketches,
prefixes) is tested in its own file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from madeup_texts import synthetic, variants

from dedup import Detector, Kind
from dedup.backends import CandidateIndex, MemoryIndex
from dedup.backends.redis import RedisIndex
from dedup.backends.sqlite import SqliteIndex
from dedup.errors import InputError, SettingsMismatchError, UnknownDocumentError
from dedup.fingerprint import Fingerprint, estimated_jaccard, fingerprint
from dedup.options import FingerprintOptions
from dedup.tokens import tokenize

Open = Callable[[], CandidateIndex]
"""Opens the backend under test: a new one the first time, the same stored one after
(for the in-memory index, the same object)."""


def fp_of(text: str, options: FingerprintOptions | None = None) -> Fingerprint:
    return fingerprint(tokenize(text), text, options=options)


class _Kept(MemoryIndex):
    """The in-memory index, kept open across ``with`` blocks, as if reopened."""

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Open]:
    if request.param == "memory":
        kept = _Kept()
        yield lambda: kept
    elif request.param == "sqlite":
        yield lambda: SqliteIndex(tmp_path / "index.db")
    else:
        url = request.getfixturevalue("redis_url")
        yield lambda: RedisIndex(url)


def test_a_backend_is_a_candidate_index(backend: Open) -> None:
    with backend() as index:
        assert isinstance(index, CandidateIndex)
        assert index.fingerprint == FingerprintOptions()
        assert (index.lsh.bands, index.lsh.rows) == (64, 2)
        assert len(index) == 0
        assert index.ids() == []


def test_insert_query_text_len_contains(backend: Open) -> None:
    texts = {f"doc{n}": synthetic(n) for n in range(3)}
    with backend() as index:
        for doc_id, text in texts.items():
            index.insert(doc_id, fp_of(text), text)
        assert len(index) == 3
        assert "doc1" in index
        assert "doc9" not in index
        assert 1 not in index
        assert index.text("doc2") == texts["doc2"]
        assert index.ids() == ["doc0", "doc1", "doc2"]
        for doc_id, text in texts.items():
            assert index.query(fp_of(text)) == {doc_id}
            assert index.signatures(doc_id).keys() == fp_of(text).signatures.keys()
            for view, signature in index.signatures(doc_id).items():
                assert (signature == fp_of(text).signatures[view]).all()


def test_a_near_duplicate_is_a_candidate(backend: Open) -> None:
    original = synthetic(1)
    edited = original.replace(original.split()[40], "changed", 1)
    with backend() as index:
        index.insert("original", fp_of(original), original)
        index.insert("other", fp_of(synthetic(2)), synthetic(2))
        assert index.query(fp_of(edited)) == {"original"}


def test_insert_again_replaces(backend: Open) -> None:
    first, second = synthetic(1), synthetic(2)
    with backend() as index:
        index.insert("a", fp_of(first), first, meta={"v": 1})
        index.insert("a", fp_of(second), second)
        assert len(index) == 1
        assert index.text("a") == second
        assert index.meta("a") == {}
        assert index.query(fp_of(first)) == set()
        assert index.query(fp_of(second)) == {"a"}


def test_remove(backend: Open) -> None:
    text = synthetic(1)
    with backend() as index:
        index.insert("a", fp_of(text), text)
        index.remove("a")
        assert "a" not in index
        assert len(index) == 0
        assert index.ids() == []
        assert index.query(fp_of(text)) == set()
        with pytest.raises(UnknownDocumentError, match="'a'"):
            index.remove("a")


@pytest.mark.parametrize("method", ["text", "meta", "signatures", "remove"])
def test_an_unknown_id_is_an_unknown_document_error(backend: Open, method: str) -> None:
    with backend() as index, pytest.raises(UnknownDocumentError) as info:
        getattr(index, method)("nope")
    assert str(info.value) == "no document with id 'nope' in the index"
    assert isinstance(info.value, KeyError)


def test_meta_round_trip_is_a_copy(backend: Open) -> None:
    text = synthetic(1)
    meta = {"url": "https://example.com/a", "crawled": 1700000000, "tags": ("x", "ü")}
    with backend() as index:
        index.insert("a", fp_of(text), text, meta=meta)
        index.insert("b", fp_of(synthetic(2)), synthetic(2))
    with backend() as index:
        got = index.meta("a")
        assert got == {**meta, "tags": ["x", "ü"]}  # as JSON keeps it
        got["url"] = "changed"
        assert index.meta("a")["url"] == "https://example.com/a"
        assert index.meta("b") == {}


def test_meta_that_is_not_json_is_refused(backend: Open) -> None:
    text = synthetic(1)
    with backend() as index:
        with pytest.raises(InputError, match="a: meta must be JSON-serialisable"):
            index.insert("a", fp_of(text), text, meta={"when": object()})
        with pytest.raises(InputError, match="JSON"):
            index.insert_many(["a"], [fp_of(text)], [text], metas=[{"x": {1, 2}}])
        assert "a" not in index


def test_a_fingerprint_with_other_settings_is_refused(backend: Open) -> None:
    text = synthetic(1)
    with backend() as index:
        with pytest.raises(SettingsMismatchError, match="does not fit this index"):
            index.insert("a", fp_of(text, FingerprintOptions(num_perm=64)), text)
        with pytest.raises(SettingsMismatchError, match="seed"):
            index.query(fp_of(text, FingerprintOptions(seed=2)))
        assert "a" not in index


def test_empty_views_are_not_indexed(backend: Open) -> None:
    # all lower case: no capitalised words, so the skeleton view is empty, and two
    # documents with an empty view are not candidates of each other through it
    texts = {f"doc{n}": synthetic(n, names=False) for n in range(3)}
    with backend() as index:
        for doc_id, text in texts.items():
            index.insert(doc_id, fp_of(text), text)
        for doc_id, text in texts.items():
            assert index.query(fp_of(text)) == {doc_id}


def test_insert_many_stores_what_inserts_in_order_store(backend: Open) -> None:
    texts = [synthetic(n) for n in range(6)]
    ids = ["a", "b", "c", "a", "d", "e"]  # "a" again: the last one wins
    metas = [{"n": n} for n in range(6)]
    with backend() as index:
        index.insert_many(ids, [fp_of(t) for t in texts], texts, metas=metas)
        assert index.ids() == ["a", "b", "c", "d", "e"]
        assert index.text("a") == texts[3]
        assert index.meta("a") == {"n": 3}
        assert index.query(fp_of(texts[0])) == set()
        for doc_id, text in zip(ids[1:], texts[1:], strict=True):
            assert doc_id in index.query(fp_of(text))


def test_insert_many_refuses_sequences_of_different_lengths(backend: Open) -> None:
    text = synthetic(1)
    with backend() as index:
        with pytest.raises(InputError, match="equally long"):
            index.insert_many(["a", "b"], [fp_of(text)], [text, text])
        assert len(index) == 0


def test_similar_is_query_less_the_candidates_estimated_under_the_floor(backend: Open) -> None:
    texts = variants(40)
    fps = [fp_of(text) for text in texts]
    with backend() as index:
        index.insert_many([f"v{k}" for k in range(len(texts))], fps, texts)
        dropped = 0
        for fp in fps[:10]:
            candidates = index.query(fp)
            assert index.similar(fp, 0.0) == candidates
            kept = index.similar(fp, 0.3)
            assert kept <= candidates
            for other in candidates:
                # SQLite estimates from 16-bit sketches, a hair above the signatures'
                # estimate; the others from the signatures themselves
                share = max(
                    estimated_jaccard(sig, index.signatures(other)[view])
                    for view, sig in fp.signatures.items()
                )
                if share >= 0.3:
                    assert other in kept
                elif share < 0.28:
                    assert other not in kept
            dropped += len(candidates - kept)
        assert dropped > 0


def test_prewarm_and_close_are_always_there(backend: Open) -> None:
    index = backend()
    index.prewarm()
    index.close()


def test_the_detector_finds_the_spun_copy_on_every_backend(
    backend: Open, seeds: Path, original: Path, spun: Path
) -> None:
    with backend() as index:
        detector = Detector(index=index)
        for file in sorted(seeds.glob("*.txt")):
            if file != spun:
                detector.add(file.stem, file.read_text(encoding="utf-8"))
    with backend() as reopened:
        matches = Detector(index=reopened).check(spun.read_text(encoding="utf-8"))
    assert [(m.a, m.kind, m.original) for m in matches] == [
        (original.stem, Kind.SPUN, original.stem)
    ]


def test_a_reopened_index_holds_everything(backend: Open) -> None:
    texts = {f"doc{n}": synthetic(n) for n in range(20)}
    with backend() as index:
        for doc_id, text in texts.items():
            index.insert(doc_id, fp_of(text), text)
        index.remove("doc7")
    del texts["doc7"]
    with backend() as index:
        assert len(index) == 19
        for doc_id, text in texts.items():
            assert index.text(doc_id) == text
            assert index.query(fp_of(text)) == {doc_id}


def _passage_page(source: str, fillers: list[str]) -> str:
    """A long page: ``fillers`` with 150 words of ``source`` in the middle."""
    words = source.split()
    passage = " ".join(words[len(words) // 3 : len(words) // 3 + 150])
    return "\n\n".join([*fillers[:4], passage, *fillers[4:]])


def test_anchors_find_a_passage_inside_a_long_page(backend: Open) -> None:
    """Every backend keeps each document's anchors and finds the one a long page copied
    a passage of; replacing or removing it takes its anchors out."""
    from dedup.fingerprint import fingerprint_with_anchors

    source = " ".join(synthetic(n) for n in range(3))
    page = _passage_page(source, [synthetic(n) for n in range(10, 18)])
    with backend() as index:
        fp, _ = fingerprint_with_anchors(source)
        index.insert("source", fp, source)
        other = synthetic(30)
        index.insert("other", fingerprint_with_anchors(other)[0], other)
        query, _ = fingerprint_with_anchors(page)
        found = index.anchored(query, max_documents=20)
        assert found.get("source", 0) >= 3
        assert "other" not in found
        assert index.anchored(query, max_documents=0) == {}  # every anchor too common
        replacement = synthetic(40)
        index.insert("source", fingerprint_with_anchors(replacement)[0], replacement)
        assert "source" not in index.anchored(query, max_documents=20)
        index.insert("source", fp, source)
        index.remove("source")
        assert index.anchored(query, max_documents=20) == {}
