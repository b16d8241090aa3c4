"""MemoryIndex beyond the contract (tests/test_backends.py): against brute force and
datasketch's MinHashLSH."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from datasketch import MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.backends import CandidateIndex, MemoryIndex
from dedup.errors import SettingsMismatchError, UnknownDocumentError
from dedup.fingerprint import Fingerprint, fingerprint, is_empty, lean
from dedup.options import FingerprintOptions, LshOptions
from dedup.tokens import tokenize

VIEWS = ("words", "skeleton")
SMALL = FingerprintOptions(views=VIEWS, num_perm=16)
SMALL_LSH = LshOptions(bands=8, rows=2)
_EMPTY = 0xFFFFFFFF


def fp_of(text: str) -> Fingerprint:
    return fingerprint(tokenize(text), text, options=FingerprintOptions(views=VIEWS))


def made_up(*values: list[int] | None) -> Fingerprint:
    """A fingerprint with the given signature per view (``None``: an empty view)."""
    signatures = {
        view: np.array(v if v is not None else [_EMPTY] * 16, dtype=np.uint32)
        for view, v in zip(VIEWS, values, strict=True)
    }
    return Fingerprint("digest", signatures)


def small_index(chunk_size: int = 2) -> MemoryIndex:
    return MemoryIndex(fingerprint=SMALL, lsh=SMALL_LSH, chunk_size=chunk_size)


FOX = "the quick brown fox jumps over the lazy dog again and again"
OTHER = "an entirely different sentence about markets rallying on friday afternoon"


def test_memory_index_is_a_candidate_index() -> None:
    options, lsh = FingerprintOptions(views=VIEWS, seed=3), LshOptions(bands=32, rows=4)
    index: CandidateIndex = MemoryIndex(fingerprint=options, lsh=lsh)
    with MemoryIndex() as other:
        assert len(other) == 0
    assert (index.fingerprint, index.lsh, len(index)) == (options, lsh, 0)
    index.close()


def test_a_freed_row_does_not_carry_the_old_document() -> None:
    index = small_index()
    index.insert("a", made_up([1] * 16, [2] * 16), "A")
    index.remove("a")
    index.insert("b", made_up([3] * 16, [4] * 16), "B")
    assert index.query(made_up([1] * 16, [2] * 16)) == set()
    assert index.query(made_up([3] * 16, None)) == {"b"}
    assert index.text("b") == "B"


def test_empty_views_are_never_indexed() -> None:
    index = small_index()
    index.insert("a", made_up(list(range(16)), None), "A")
    index.insert("b", made_up(list(range(100, 116)), None), "B")
    assert index.query(made_up(list(range(200, 216)), None)) == set()
    assert index.query(made_up(None, None)) == set()
    assert index.query(made_up(list(range(16)), None)) == {"a"}


def test_a_view_that_becomes_empty_is_taken_out() -> None:
    index = small_index()
    index.insert("a", made_up([1] * 16, [2] * 16), "A")
    index.insert("a", made_up([3] * 16, None), "A2")
    assert index.query(made_up(None, [2] * 16)) == set()
    assert index.query(made_up([3] * 16, None)) == {"a"}


@pytest.mark.parametrize("method", ["remove", "text"])
def test_unknown_ids_raise(method: str) -> None:
    index = small_index()
    index.insert("a", made_up([1] * 16, None), "A")
    index.remove("a")
    with pytest.raises(UnknownDocumentError, match="no document with id 'a' in the index"):
        getattr(index, method)("a")
    with pytest.raises(KeyError):
        getattr(index, method)("never")


@pytest.mark.parametrize(
    "fp",
    [
        pytest.param(Fingerprint("d", {"words": np.zeros(16, np.uint32)}), id="missing-view"),
        pytest.param(Fingerprint("d", {v: np.zeros(32, np.uint32) for v in VIEWS}), id="num_perm"),
        pytest.param(Fingerprint("d", {v: np.zeros(16, np.int64) for v in VIEWS}), id="dtype"),
        pytest.param(Fingerprint("d", {v: np.zeros(16, np.uint32) for v in VIEWS}, 7), id="seed"),
    ],
)
def test_fingerprints_that_do_not_fit_are_refused(fp: Fingerprint) -> None:
    index = small_index()
    for call in (lambda: index.insert("x", fp, "X"), lambda: index.query(fp)):
        with pytest.raises(SettingsMismatchError, match="does not fit this index"):
            call()
        with pytest.raises(ValueError, match="does not fit"):
            call()
    with pytest.raises(SettingsMismatchError):
        index.insert_many(["x"], [fp], ["X"])
    assert "x" not in index


# -- against references -----------------------------------------------------------------

_signature = st.one_of(
    st.none(), st.lists(st.integers(0, 3), min_size=16, max_size=16)
)  # a tiny alphabet: bands often coincide
_fp = st.builds(made_up, _signature, _signature)
_ids = st.sampled_from("abcdefghij")
_ops = st.lists(
    st.one_of(st.tuples(st.just("insert"), _ids, _fp), st.tuples(st.just("remove"), _ids)),
    max_size=60,
)


def shares_a_band(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> bool:
    if is_empty(a) or is_empty(b):
        return False
    return any(np.array_equal(a[k * 2 : k * 2 + 2], b[k * 2 : k * 2 + 2]) for k in range(8))


def brute_force(stored: dict[str, Fingerprint], fp: Fingerprint) -> set[str]:
    return {
        doc_id
        for doc_id, mine in stored.items()
        if any(shares_a_band(mine.signatures[v], fp.signatures[v]) for v in VIEWS)
    }


@settings(deadline=None, max_examples=150)
@given(st.sampled_from([1, 2, 3, 2048]), _ops, st.lists(_fp, min_size=2, max_size=2))
def test_queries_equal_brute_force(
    chunk_size: int, ops: list[tuple[object, ...]], probes: list[Fingerprint]
) -> None:
    index = small_index(chunk_size)
    stored: dict[str, Fingerprint] = {}
    for op in ops:
        if op[0] == "insert":
            _, doc_id, fp = op
            assert isinstance(doc_id, str)
            assert isinstance(fp, Fingerprint)
            index.insert(doc_id, fp, doc_id.upper())
            stored[doc_id] = fp
        else:
            doc_id = str(op[1])
            if doc_id in stored:
                index.remove(doc_id)
                del stored[doc_id]
            else:
                with pytest.raises(UnknownDocumentError):
                    index.remove(doc_id)
        assert len(index) == len(stored)
        for fp in [*probes, *stored.values()]:
            assert index.query(fp) == brute_force(stored, fp)
    for doc_id in "abcdefghij":
        assert (doc_id in index) == (doc_id in stored)
        if doc_id in stored:
            assert index.text(doc_id) == doc_id.upper()


@settings(deadline=None, max_examples=100)
@given(
    st.sampled_from([1, 3, 2048]),
    st.lists(st.tuples(_ids, _fp), max_size=30),
    st.lists(st.tuples(_ids, _fp), max_size=30),
)
def test_insert_many_equals_inserting_in_order(
    chunk_size: int,
    before: list[tuple[str, Fingerprint]],
    batch: list[tuple[str, Fingerprint]],
) -> None:
    one_by_one, bulk = small_index(chunk_size), small_index(chunk_size)
    for doc_id, fp in before:
        one_by_one.insert(doc_id, fp, doc_id)
        bulk.insert(doc_id, fp, doc_id)
    for k, (doc_id, fp) in enumerate(batch):
        one_by_one.insert(doc_id, fp, f"{doc_id}{k}", meta={"k": k} if k % 2 else None)
    bulk.insert_many(
        [doc_id for doc_id, _ in batch],
        [fp for _, fp in batch],
        [f"{doc_id}{k}" for k, (doc_id, _) in enumerate(batch)],
        metas=[{"k": k} if k % 2 else None for k in range(len(batch))],
    )
    assert len(bulk) == len(one_by_one)
    for doc_id in "abcdefghij":
        assert (doc_id in bulk) == (doc_id in one_by_one)
        if doc_id in bulk:
            assert bulk.text(doc_id) == one_by_one.text(doc_id)
            assert bulk.meta(doc_id) == one_by_one.meta(doc_id)
    for _, fp in [*before, *batch]:
        assert bulk.query(fp) == one_by_one.query(fp)


def test_candidates_equal_datasketch_minhash_lsh() -> None:
    """The index it replaces, on the default 64 x 2 bands: the same candidates."""
    rng = np.random.default_rng(11)
    options = FingerprintOptions(views=VIEWS)
    index = MemoryIndex(fingerprint=options, chunk_size=16)
    tables = {view: MinHashLSH(num_perm=128, params=(64, 2)) for view in VIEWS}
    fps: list[Fingerprint] = []
    for k in range(400):
        if k % 3 and fps:  # a near-duplicate of an earlier one
            base = fps[rng.integers(len(fps))]
            signatures = {view: base.signatures[view].copy() for view in VIEWS}
            for sig in signatures.values():
                changed = rng.random(128) < rng.uniform(0.3, 0.99)
                sig[changed] = rng.integers(0, 2**32 - 1, int(changed.sum()), dtype=np.uint64)
        else:
            signatures = {
                view: rng.integers(0, 2**32 - 1, 128, dtype=np.uint64).astype(np.uint32)
                for view in VIEWS
            }
        fp = Fingerprint(str(k), signatures)
        fps.append(fp)
        index.insert(str(k), fp, "")
        for view in VIEWS:
            tables[view].insert(str(k), lean(fp, view))
    found = 0
    for fp in fps:
        expected = set().union(*(tables[view].query(lean(fp, view)) for view in VIEWS))
        assert index.query(fp) == expected
        found += len(expected)
    assert found > 2 * len(fps)  # near-duplicates were found, not only each document itself
