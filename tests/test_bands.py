"""Band keys, batch candidate pairs and BandTable, each against a brute-force reference."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.errors import InputError, OptionsError, UnknownDocumentError
from dedup.lsh import keys as bands
from dedup.lsh.keys import band_keys, candidate_pairs, empty_rows
from dedup.lsh.table import BandTable

U32 = npt.NDArray[np.uint32]
_MASK = (1 << 64) - 1


def reference_key(values: list[int]) -> int:
    """The key of one band, in Python integers: pairs of values as 64-bit words, each
    folded in with MurmurHash3's finaliser; the high 32 bits."""
    h = 0
    for at in range(0, len(values), 2):
        word = values[at] | (values[at + 1] << 32 if at + 1 < len(values) else 0)
        h ^= word
        for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, None):
            h ^= h >> 33
            if multiplier is not None:
                h = (h * multiplier) & _MASK
    return h >> 32


def signatures(rng: np.random.Generator, n: int, num_perm: int, *, alphabet: int) -> U32:
    """Random signatures over a small alphabet, so that bands often coincide."""
    return rng.integers(0, alphabet, (n, num_perm)).astype(np.uint32)


# -- band_keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bands_", "rows"),
    [
        pytest.param(64, 2, id="default"),
        pytest.param(5, 1, id="one-row"),
        pytest.param(4, 3, id="odd-rows"),
        pytest.param(2, 6, id="long-bands"),
    ],
)
def test_band_keys_match_the_reference(bands_: int, rows: int) -> None:
    rng = np.random.default_rng(bands_ * 10 + rows)
    sigs = rng.integers(0, 2**32, (7, 128), dtype=np.uint64).astype(np.uint32)
    keys = band_keys(sigs, bands=bands_, rows=rows)
    assert keys.shape == (7, bands_)
    assert keys.dtype == np.uint32
    expected = [
        [reference_key(sig[b * rows : (b + 1) * rows].tolist()) for b in range(bands_)]
        for sig in sigs
    ]
    assert keys.tolist() == expected


def test_band_keys_are_deterministic_and_per_row() -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**32, (50, 128), dtype=np.uint64).astype(np.uint32)
    keys = band_keys(sigs, bands=64, rows=2)
    assert np.array_equal(keys, band_keys(sigs.copy(), bands=64, rows=2))
    assert np.array_equal(keys[17:18], band_keys(sigs[17:18], bands=64, rows=2))
    # a non-contiguous view gives the same keys
    assert np.array_equal(keys[::2], band_keys(sigs[::2], bands=64, rows=2))


def test_equal_bands_have_equal_keys_and_others_differ() -> None:
    rng = np.random.default_rng(4)
    sigs = rng.integers(0, 2**32, (2, 128), dtype=np.uint64).astype(np.uint32)
    sigs[1, 10:20] = sigs[0, 10:20]  # bands 5 to 9 equal
    keys = band_keys(sigs, bands=64, rows=2)
    assert np.flatnonzero(keys[0] == keys[1]).tolist() == [5, 6, 7, 8, 9]


def test_only_the_first_bands_times_rows_values_count() -> None:
    sigs = np.zeros((2, 12), dtype=np.uint32)
    sigs[1, 8:] = 99
    keys = band_keys(sigs, bands=4, rows=2)
    assert np.array_equal(keys[0], keys[1])


@pytest.mark.parametrize(
    ("sigs", "error"),
    [
        pytest.param(np.zeros(128, dtype=np.uint32), InputError, id="1-D"),
        pytest.param(np.zeros((2, 128), dtype=np.int64), InputError, id="int64"),
        pytest.param(np.zeros((2, 64), dtype=np.uint32), OptionsError, id="too-few-values"),
    ],
)
def test_band_keys_refuse_what_does_not_fit(sigs: U32, error: type[Exception]) -> None:
    with pytest.raises(error):
        band_keys(sigs, bands=64, rows=2)


def test_band_keys_message_says_how_to_fix() -> None:
    with pytest.raises(OptionsError, match=r"64 \* 2 = 128\) must not exceed num_perm \(64\)"):
        band_keys(np.zeros((1, 64), dtype=np.uint32), bands=64, rows=2)


def test_empty_rows() -> None:
    sigs = np.full((3, 8), 0xFFFFFFFF, dtype=np.uint32)
    sigs[1, 3] = 5
    assert empty_rows(sigs).tolist() == [True, False, True]


# -- candidate_pairs --------------------------------------------------------------------


def reference_pairs(
    keys: list[U32], exclude: list[npt.NDArray[np.bool_] | None]
) -> list[list[int]]:
    """Every pair sharing a key in a band of a view, by comparing all pairs."""
    n = len(keys[0])
    found = set()
    for view_keys, mask in zip(keys, exclude, strict=True):
        for i, j in combinations(range(n), 2):
            if mask is not None and (mask[i] or mask[j]):
                continue
            if (view_keys[i] == view_keys[j]).any():
                found.add((i, j))
    return [list(pair) for pair in sorted(found)]


View = tuple[U32, int, int, npt.NDArray[np.bool_] | None]
"""A view of a batch: signatures, bands, rows and the mask of rows to exclude."""


@st.composite
def batches(draw: st.DrawFn) -> list[View]:
    """Signature matrices (one per view) with planted near-duplicates: values come from
    a small alphabet, and some rows are copies of others with a few values changed, so
    that both lone pairs and long runs of equal keys occur."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(0, 40))
    views = []
    for _ in range(draw(st.integers(1, 3))):
        b, r = draw(st.sampled_from([(4, 2), (8, 1), (3, 3), (6, 2)]))
        num_perm = b * r + draw(st.integers(0, 3))
        sig = signatures(rng, n, num_perm, alphabet=draw(st.integers(2, 50)))
        for _ in range(n // 4):
            src, dst = rng.integers(0, n, 2)
            sig[dst] = sig[src]
            sig[dst, rng.integers(0, num_perm, 2)] = rng.integers(0, 1000, 2)
        mask = rng.random(n) < 0.2 if draw(st.booleans()) else None
        views.append((sig, b, r, mask))
    return views


def _keys_of(views: list[View]) -> list[U32]:
    return [band_keys(sig, bands=b, rows=r) for sig, b, r, _ in views]


@settings(deadline=None)
@given(batches())
def test_candidate_pairs_equal_brute_force(views: list[View]) -> None:
    keys, masks = _keys_of(views), [mask for *_, mask in views]
    expected = reference_pairs(keys, masks)
    pairs = candidate_pairs(keys, exclude=masks)
    assert pairs.dtype == np.int64
    assert pairs.shape == (len(expected), 2)
    assert pairs.tolist() == expected
    if all(mask is None for mask in masks):
        assert candidate_pairs(keys).tolist() == expected


@settings(deadline=None)
@given(batches())
def test_candidate_pairs_are_the_rows_with_an_equal_band(views: list[View]) -> None:
    """LSH itself, on band values rather than keys (equal up to a 2**-32 key collision)."""
    expected = set()
    for sig, b, r, _ in views:
        for i, j in combinations(range(len(sig)), 2):
            if any(
                np.array_equal(sig[i, k * r : (k + 1) * r], sig[j, k * r : (k + 1) * r])
                for k in range(b)
            ):
                expected.add((i, j))
    assert {tuple(pair) for pair in candidate_pairs(_keys_of(views)).tolist()} == expected


def test_a_long_run_gives_all_its_pairs() -> None:
    keys = np.arange(300, dtype=np.uint32).reshape(100, 3)
    keys[:60, 1] = 7  # 60 rows share a key in band 1
    keys[50:, 2] = 9  # 50 rows in band 2, overlapping 10 of them
    pairs = candidate_pairs([keys])
    expected = set(combinations(range(60), 2)) | set(combinations(range(50, 100), 2))
    assert {tuple(p) for p in pairs.tolist()} == expected
    assert len(pairs) == math.comb(60, 2) + math.comb(50, 2) - math.comb(10, 2)


def test_duplicates_are_dropped_while_gathering(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a tiny compaction limit, the gathered codes are compacted many times."""
    monkeypatch.setattr(bands, "_COMPACT_AT", 5)
    rng = np.random.default_rng(9)
    sig = signatures(rng, 60, 32, alphabet=3)
    keys = [band_keys(sig, bands=16, rows=2), band_keys(sig[:, ::-1].copy(), bands=8, rows=4)]
    assert candidate_pairs(keys).tolist() == reference_pairs(keys, [None, None])


def test_empty_signatures_must_be_excluded() -> None:
    sigs = np.full((4, 8), 0xFFFFFFFF, dtype=np.uint32)
    sigs[3] = np.arange(8)
    keys = band_keys(sigs, bands=4, rows=2)
    assert len(candidate_pairs([keys])) == 3  # the three empty rows, all with each other
    assert len(candidate_pairs([keys], exclude=[empty_rows(sigs)])) == 0


@pytest.mark.parametrize(
    ("keys", "exclude"),
    [
        pytest.param([np.zeros((3, 2), np.uint32), np.zeros((4, 2), np.uint32)], None, id="n"),
        pytest.param([np.zeros((3, 2), np.uint64)], None, id="dtype"),
        pytest.param([np.zeros(3, np.uint32)], None, id="1-D"),
        pytest.param([np.zeros((3, 2), np.uint32)], [], id="masks"),
        pytest.param([np.zeros((3, 2), np.uint32)], [np.zeros(2, bool)], id="mask-shape"),
    ],
)
def test_candidate_pairs_refuse_what_does_not_fit(
    keys: list[U32], exclude: list[npt.NDArray[np.bool_]] | None
) -> None:
    with pytest.raises(InputError):
        candidate_pairs(keys, exclude=exclude)


def test_no_views_or_rows_give_no_pairs() -> None:
    assert candidate_pairs([]).shape == (0, 2)
    assert candidate_pairs([np.zeros((0, 4), np.uint32)]).shape == (0, 2)
    assert candidate_pairs([np.zeros((1, 4), np.uint32)]).shape == (0, 2)


# -- BandTable --------------------------------------------------------------------------

_BANDS = 4

Op = tuple[str, list[int], list[list[int]]]


def _keys(values: list[int]) -> U32:
    return np.array(values, dtype=np.uint32)


_row = st.integers(0, 30)
_band_keys = st.lists(st.integers(0, 5), min_size=_BANDS, max_size=_BANDS)
_ops: st.SearchStrategy[Op] = st.one_of(
    st.tuples(
        st.just("insert"),
        st.lists(_row, min_size=1, max_size=1),
        st.lists(_band_keys, min_size=1, max_size=1),
    ),
    st.tuples(st.just("remove"), st.lists(_row, min_size=1, max_size=1), st.just([])),
    st.integers(0, 12).flatmap(
        lambda k: st.tuples(
            st.just("insert_many"),
            st.lists(_row, min_size=k, max_size=k, unique=True),
            st.lists(_band_keys, min_size=k, max_size=k),
        )
    ),
)


def reference_query(table: dict[int, list[int]], keys: list[int]) -> list[int]:
    return sorted(
        row for row, mine in table.items() if any(a == b for a, b in zip(mine, keys, strict=True))
    )


@settings(deadline=None, max_examples=200)
@given(
    st.sampled_from([1, 2, 3, 5, 64]),
    st.lists(_ops, max_size=80),
    st.lists(_band_keys, min_size=3, max_size=3),
)
def test_band_table_equals_a_dict_reference(
    chunk_size: int, ops: list[Op], queries: list[list[int]]
) -> None:
    table = BandTable(_BANDS, chunk_size=chunk_size)
    reference: dict[int, list[int]] = {}
    for op, rows, keys in ops:
        if op == "insert":
            table.insert(rows[0], _keys(keys[0]))
            reference[rows[0]] = keys[0]
        elif op == "insert_many":
            table.insert_many(rows, np.array(keys, dtype=np.uint32).reshape(len(rows), _BANDS))
            reference.update(zip(rows, keys, strict=True))
        elif rows[0] in reference:
            table.remove(rows[0])
            del reference[rows[0]]
        else:
            with pytest.raises(UnknownDocumentError):
                table.remove(rows[0])
        assert len(table) == len(reference)
        for keys_ in queries:
            assert table.query(_keys(keys_)).tolist() == reference_query(reference, keys_)
    for row in range(32):
        assert (row in table) == (row in reference)
    for keys_ in reference.values():
        assert table.query(_keys(keys_)).tolist() == reference_query(reference, keys_)


def test_chunks_stay_few() -> None:
    table = BandTable(_BANDS, chunk_size=4)
    rng = np.random.default_rng(5)
    for row in range(5000):
        table.insert(row, rng.integers(0, 2**32, _BANDS, dtype=np.uint64).astype(np.uint32))
    sizes = table.chunks
    assert sum(sizes) <= 5000
    assert len(sizes) <= math.log2(5000 / 4) + 2
    assert list(sizes) == sorted(sizes, reverse=True)


def test_tombstones_are_purged() -> None:
    table = BandTable(_BANDS, chunk_size=8)
    rows = np.arange(1000)
    table.insert_many(rows, np.repeat(rows[:, None], _BANDS, axis=1).astype(np.uint32))
    assert table.chunks == (1000,)
    for row in range(600):
        table.remove(row)
    assert sum(table.chunks) < 1000  # the chunk was rewritten when half of it was gone
    assert len(table) == 400
    assert table.query(_keys([5] * _BANDS)).tolist() == []
    assert table.query(_keys([700] * _BANDS)).tolist() == [700]


def test_a_row_can_be_reinserted_after_removal() -> None:
    table = BandTable(_BANDS, chunk_size=2)
    table.insert_many([0, 1, 2], np.array([[1] * 4, [2] * 4, [3] * 4], dtype=np.uint32))
    table.remove(1)
    table.insert(1, _keys([9, 9, 9, 2]))
    assert table.query(_keys([2, 0, 0, 0])).tolist() == []
    assert table.query(_keys([0, 0, 0, 2])).tolist() == [1]


@pytest.mark.parametrize(
    ("row", "keys"),
    [
        pytest.param(-1, _keys([1, 2, 3, 4]), id="negative-row"),
        pytest.param(2**31, _keys([1, 2, 3, 4]), id="huge-row"),
        pytest.param(0, _keys([1, 2, 3]), id="short-keys"),
        pytest.param(0, np.array([1, 2, 3, 4], dtype=np.uint64), id="uint64-keys"),
    ],
)
def test_band_table_refuses_bad_input(row: int, keys: U32) -> None:
    with pytest.raises(InputError):
        BandTable(_BANDS).insert(row, keys)


def test_insert_many_refuses_repeated_rows() -> None:
    with pytest.raises(InputError, match="distinct"):
        BandTable(_BANDS).insert_many([3, 3], np.zeros((2, _BANDS), dtype=np.uint32))


def test_band_table_options_are_checked() -> None:
    with pytest.raises(OptionsError):
        BandTable(0)
    with pytest.raises(OptionsError):
        BandTable(4, chunk_size=0)
