"""SqliteIndex on real files beyond the contract (tests/test_backends.py): persistence,
sharing, crashes, sketches."""

from __future__ import annotations

import ctypes
import mmap
import os
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
import xxhash
from madeup_texts import synthetic, variants

from dedup import Detector
from dedup.backends._stored import Layout
from dedup.backends.sqlite import SqliteIndex
from dedup.errors import InputError, SettingsMismatchError, StoreError, UnknownDocumentError
from dedup.fingerprint import Fingerprint, fingerprint
from dedup.options import FingerprintOptions, LshOptions
from dedup.tokens import tokenize

VIEWS = FingerprintOptions().views


def fp_of(text: str, options: FingerprintOptions | None = None) -> Fingerprint:
    return fingerprint(tokenize(text), text, options=options)


def sql(path: Path, query: str) -> list[tuple[object, ...]]:
    """Run ``query`` on the file with a connection of its own."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(query).fetchall()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "index.db"


def test_remove(path: Path) -> None:
    text = synthetic(1)
    with SqliteIndex(path) as index:
        index.insert("a", fp_of(text), text)
        index.remove("a")
        assert "a" not in index
        assert len(index) == 0
        assert index.query(fp_of(text)) == set()
        with pytest.raises(UnknownDocumentError, match="'a'"):
            index.remove("a")
    assert sql(path, "SELECT count(*) FROM bands") == [(0,)]


def test_texts_are_compressed(path: Path, original: Path) -> None:
    text = original.read_text(encoding="utf-8")
    with SqliteIndex(path) as index:
        index.insert("a", fp_of(text), text)
    ((stored,),) = sql(path, "SELECT length(text) FROM documents")
    assert isinstance(stored, int)
    assert stored < len(text.encode()) / 2


@pytest.mark.parametrize(
    ("fingerprint", "lsh", "stored", "requested"),
    [
        pytest.param(
            FingerprintOptions(num_perm=256), None, "num_perm=128", "num_perm=256", id="num_perm"
        ),
        pytest.param(FingerprintOptions(seed=7), None, "seed=1", "seed=7", id="seed"),
        pytest.param(
            FingerprintOptions(views=("words",)),
            None,
            f"views={','.join(VIEWS)}",
            "views=words",
            id="views",
        ),
        pytest.param(
            None, LshOptions(bands=32, rows=4), "bands=64, rows=2", "bands=32, rows=4", id="bands"
        ),
    ],
)
def test_settings_mismatch(
    path: Path,
    fingerprint: FingerprintOptions | None,
    lsh: LshOptions | None,
    stored: str,
    requested: str,
) -> None:
    SqliteIndex(path).close()
    with pytest.raises(SettingsMismatchError) as info:
        SqliteIndex(path, fingerprint=fingerprint, lsh=lsh)
    message = str(info.value)
    assert f"was built with {stored} but was opened with {requested};" in message
    assert "leave them out to use the stored ones" in message


def test_omitted_settings_are_the_stored_ones(path: Path) -> None:
    fingerprint = FingerprintOptions(views=("words",), num_perm=64, seed=3)
    SqliteIndex(path, fingerprint=fingerprint, lsh=LshOptions(bands=16, rows=4)).close()
    with SqliteIndex(path) as index:
        assert index.fingerprint == fingerprint
        assert (index.lsh.bands, index.lsh.rows) == (16, 4)


def test_the_same_views_in_another_order_are_the_same_index(path: Path) -> None:
    SqliteIndex(path).close()
    reordered = FingerprintOptions(views=tuple(reversed(VIEWS)))
    with SqliteIndex(path, fingerprint=reordered) as index:
        assert index.fingerprint.views == VIEWS


def test_empty_views_are_not_indexed(path: Path) -> None:
    # all lower case: no capitalised words, so the skeleton view is empty
    texts = {f"doc{n}": synthetic(n, names=False) for n in range(3)}
    with SqliteIndex(path) as index:
        for doc_id, text in texts.items():
            index.insert(doc_id, fp_of(text), text)
        for doc_id, text in texts.items():
            assert index.query(fp_of(text)) == {doc_id}
    count = "SELECT count(*) FROM bands WHERE view = {}"
    assert sql(path, count.format(VIEWS.index("skeleton"))) == [(0,)]
    assert sql(path, count.format(VIEWS.index("words"))) == [(3 * 64,)]


def test_concurrent_reader_threads(path: Path) -> None:
    texts = {f"doc{n}": synthetic(n) for n in range(30)}
    fps = {doc_id: fp_of(text) for doc_id, text in texts.items()}
    extra = [(f"extra{n}", synthetic(100 + n)) for n in range(30)]
    extra_fps = [fp_of(text) for _, text in extra]
    with SqliteIndex(path) as index:
        for doc_id, text in texts.items():
            index.insert(doc_id, fps[doc_id], text)

        def read(worker: int) -> None:
            for n in range(60):
                doc_id = f"doc{(worker + n) % 30}"
                assert index.query(fps[doc_id]) == {doc_id}
                assert index.text(doc_id) == texts[doc_id]
                assert doc_id in index
                assert len(index) >= 30

        def write() -> None:
            for (doc_id, text), fp in zip(extra, extra_fps, strict=True):
                index.insert(doc_id, fp, text)

        with ThreadPoolExecutor(max_workers=9) as pool:
            futures = [pool.submit(read, worker) for worker in range(8)]
            futures.append(pool.submit(write))
            for future in futures:
                future.result()
        assert len(index) == 60


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the tables you are looking for\n" * 200)
    with pytest.raises(StoreError, match=r"notes\.txt' as a dedup index: file is not a database"):
        SqliteIndex(path)


def test_closed_index(path: Path) -> None:
    index = SqliteIndex(path)
    index.close()
    index.close()
    with pytest.raises(StoreError, match="is closed"):
        len(index)


_WRITER = textwrap.dedent(
    """
    import sys
    from dedup.fingerprint import fingerprint
    from dedup.backends.sqlite import SqliteIndex
    from dedup.tokens import tokenize

    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.stdin.readline()  # wait for the parent's go
    with SqliteIndex(path) as index:
        n = 0
        while n != count:
            text = f"{prefix} document {n} " + " ".join(
                f"word{(n * 31 + j * 7) % 4099}" for j in range(300)
            )
            index.insert(f"{prefix}-{n}", fingerprint(tokenize(text), text), text)
            print(f"{prefix}-{n}", flush=True)
            n += 1
    """
)


def _writer(path: Path, prefix: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), prefix, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def test_every_returned_insert_survives_sigkill(path: Path) -> None:
    SqliteIndex(path).close()
    with _writer(path, "doc", -1) as child:  # adds until it is killed
        _go(child)
        assert child.stdout is not None
        printed = [child.stdout.readline().strip() for _ in range(25)]
        child.kill()
        child.wait()
        printed += child.stdout.read().split()
    assert child.returncode == -9
    assert printed[:25] == [f"doc-{n}" for n in range(25)]
    assert sql(path, "PRAGMA integrity_check") == [("ok",)]
    with SqliteIndex(path) as index:
        missing = [doc_id for doc_id in printed if doc_id not in index]
        assert missing == []
        assert len(index) in (len(printed), len(printed) + 1)  # + one not yet printed
        assert index.text(printed[-1]).startswith(f"doc document {len(printed) - 1} ")


def test_two_processes_adding_at_once_lose_nothing(path: Path) -> None:
    SqliteIndex(path).close()
    with _writer(path, "left", 200) as left, _writer(path, "right", 200) as right:
        _go(left)
        _go(right)
        outputs = [process.communicate(timeout=120)[0].split() for process in (left, right)]
    assert (left.returncode, right.returncode) == (0, 0)
    assert [len(out) for out in outputs] == [200, 200]
    with SqliteIndex(path) as index:
        assert len(index) == 400
        assert all(doc_id in index for out in outputs for doc_id in out)


# -- insert_many and the band hashes -------------------------------------------------------


def _bands(path: Path) -> list[tuple[object, ...]]:
    """Every band row, with the document's id instead of its number."""
    return sql(
        path,
        "SELECT view, band, hash, documents.id FROM bands "
        "JOIN documents ON documents.num = bands.doc ORDER BY 1, 2, 3, 4",
    )


def _documents(path: Path) -> list[tuple[object, ...]]:
    return sql(path, "SELECT id, text, digest, meta, signatures FROM documents ORDER BY id")


def test_insert_many_stores_what_inserts_one_by_one_store(tmp_path: Path) -> None:
    ids = [f"doc{n}" for n in range(30)] + ["doc3", "doc7"]  # two replaced in the batch
    texts = [synthetic(n, names=n % 4 != 0) for n in range(32)]  # some empty skeletons
    metas: list[dict[str, object] | None] = [{"n": n} if n % 3 else None for n in range(32)]
    fps = [fp_of(text) for text in texts]
    with SqliteIndex(tmp_path / "one.db") as one, SqliteIndex(tmp_path / "many.db") as many:
        one.insert("doc5", fp_of(synthetic(99)), synthetic(99))  # replaced by the batch
        many.insert("doc5", fp_of(synthetic(99)), synthetic(99))
        for doc_id, fp, text, meta in zip(ids, fps, texts, metas, strict=True):
            one.insert(doc_id, fp, text, meta=meta)
        many.insert_many(ids, fps, texts, metas=metas)
        assert len(many) == 30
        assert many.text("doc3") == texts[30]
        assert many.query(fps[3]) == set()
        assert many.query(fps[30]) == {"doc3"}
    assert _bands(tmp_path / "one.db") == _bands(tmp_path / "many.db")
    assert _documents(tmp_path / "one.db") == _documents(tmp_path / "many.db")


def test_insert_many_is_all_or_nothing(path: Path) -> None:
    texts = [synthetic(n) for n in range(3)]
    fps = [fp_of(text) for text in texts]
    with SqliteIndex(path) as index:
        with pytest.raises(InputError, match="meta must be JSON-serialisable"):
            index.insert_many(["a", "b", "c"], fps, texts, metas=[None, None, {"x": object()}])
        other = fp_of(texts[0], FingerprintOptions(num_perm=64))
        with pytest.raises(SettingsMismatchError):
            index.insert_many(["a", "b"], [fps[0], other], texts[:2])
        assert len(index) == 0
        index.insert_many([], [], [])
        assert len(index) == 0


def test_insert_many_refuses_sequences_of_different_lengths(path: Path) -> None:
    text = synthetic(1)
    with SqliteIndex(path) as index, pytest.raises(InputError) as info:
        index.insert_many(["a", "b"], [fp_of(text)], [text], metas=[None])
    assert str(info.value) == (
        "ids, fps, texts (and metas, if given) must be equally long, got lengths 2, 1, 1, 1"
    )


@pytest.mark.parametrize(
    ("bands", "rows"),
    [
        pytest.param(64, 2, id="64x2"),
        pytest.param(128, 1, id="128x1"),
        pytest.param(32, 4, id="32x4"),
        pytest.param(42, 3, id="42x3"),
    ],
)
def test_band_hashes_are_xxh3_of_the_band_bytes(bands: int, rows: int) -> None:
    layout = Layout.of(FingerprintOptions(), LshOptions(bands=bands, rows=rows))
    rng = np.random.default_rng(bands * rows)
    sigs = rng.integers(0, 2**32, size=(20, 128), dtype=np.uint64).astype(np.uint32)
    sigs[0, :8] = [0, 0, 2**32 - 1, 2**32 - 1, 1, 2**31, 2**31 - 1, 7]  # edge values
    hashes = layout.band_hashes(sigs)
    width = 4 * rows
    for row in range(20):
        raw = sigs[row, : bands * rows].astype("<u4").tobytes()
        expected = [
            xxhash.xxh3_64_intdigest(raw[b * width : (b + 1) * width]) for b in range(bands)
        ]
        signed = [value - (1 << 64) if value >= 1 << 63 else value for value in expected]
        assert hashes[row].tolist() == signed


def test_stored_signatures_are_read_back_without_the_text(tmp_path: Path) -> None:
    from dedup.fingerprint import fingerprint_text

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    text = (seeds / "002_332438ef7e52e727.txt").read_text(encoding="utf-8")
    fp, _ = fingerprint_text(text)
    with SqliteIndex(tmp_path / "index.db") as index:
        index.insert("wapo", fp, text)
        stored = index.signatures("wapo")
    assert set(stored) == set(fp.signatures)
    for view, sig in fp.signatures.items():
        np.testing.assert_array_equal(stored[view], sig)


def test_similar_is_query_less_what_the_sketches_put_under_the_floor(path: Path) -> None:
    from dedup.fingerprint import estimated_jaccard

    texts = variants(60)
    fps = [fp_of(text) for text in texts]
    floor = 0.3
    with SqliteIndex(path) as index:
        index.insert_many([f"v{k}" for k in range(60)], fps, texts)
        dropped = 0
        for fp in fps[:20]:
            candidates = index.query(fp)
            assert index.similar(fp, 0.0) == candidates
            kept = index.similar(fp, floor)
            stored = {c: index.signatures(c) for c in candidates}
            best = {
                c: max(estimated_jaccard(fp.signatures[v], sigs[v]) for v in VIEWS)
                for c, sigs in stored.items()
            }
            # 16 bits of each value agree whenever all 32 do, and otherwise once in
            # 65,536 times: a sketch never drops what the signatures keep, and keeps
            # little more.
            assert {c for c in candidates if best[c] >= floor} <= kept <= candidates
            assert all(best[c] >= floor - 2 / 128 for c in kept)
            dropped += len(candidates - kept)
        assert dropped > 0  # the floor did drop candidates


def test_sketches_follow_inserts_replacements_and_removals(path: Path) -> None:
    texts = variants(3)
    with SqliteIndex(path) as index:
        for k, text in enumerate(texts):
            index.insert(f"v{k}", fp_of(text), text)
        index.insert("v0", fp_of(texts[2]), texts[2])  # replaced
        index.remove("v1")
        layout = Layout.of(index.fingerprint, index.lsh)
    rows = sql(path, "SELECT id, sketch FROM sketches JOIN documents USING (num) ORDER BY id")
    assert rows == [
        ("v0", layout.sketch(fp_of(texts[2]).signatures)),
        ("v2", layout.sketch(fp_of(texts[2]).signatures)),
    ]
    assert sql(path, "SELECT count(*) FROM sketches") == [(2,)]


def test_insert_many_replacing_a_document_replaces_its_sketch(path: Path) -> None:
    texts = variants(4)
    with SqliteIndex(path) as index:
        index.insert_many(["a", "b"], [fp_of(texts[0]), fp_of(texts[1])], texts[:2])
        index.insert_many(["b", "c"], [fp_of(texts[2]), fp_of(texts[3])], texts[2:])
        layout = Layout.of(index.fingerprint, index.lsh)
        assert index.similar(fp_of(texts[1]), 0.9) == set()
        assert index.similar(fp_of(texts[2]), 0.9) == {"b"}
    rows = sql(path, "SELECT id, sketch FROM sketches JOIN documents USING (num) ORDER BY id")
    kept = {"a": texts[0], "b": texts[2], "c": texts[3]}
    assert rows == [(k, layout.sketch(fp_of(t).signatures)) for k, t in kept.items()]


def test_a_document_without_a_sketch_is_still_found(path: Path) -> None:
    """An older dedup with the file open while it was upgraded writes no sketch; the
    lookup falls back on the document's signatures rather than lose it."""
    texts = variants(3)
    with SqliteIndex(path) as index:
        for k, text in enumerate(texts):
            index.insert(f"v{k}", fp_of(text), text)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DELETE FROM sketches WHERE num = (SELECT num FROM documents WHERE id = 'v1')")
    with SqliteIndex(path) as index:
        assert index.similar(fp_of(texts[1]), 0.04) == {"v1"}
        assert index.similar(fp_of(texts[0]), 0.9) == {"v0"}


def test_a_format_1_file_is_upgraded_when_opened(path: Path) -> None:
    """Format 1 had no sketches table; opening such a file adds every sketch."""
    texts = variants(30)
    fps = [fp_of(text) for text in texts]
    with SqliteIndex(path) as index:
        index.insert_many([f"v{k}" for k in range(30)], fps, texts)
        before = [index.similar(fp, 0.1) for fp in fps]
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP TABLE sketches")
        db.execute("UPDATE settings SET value = '1' WHERE key = 'format'")
    with SqliteIndex(path) as index:
        assert [index.similar(fp, 0.1) for fp in fps] == before
    assert sql(path, "SELECT value FROM settings WHERE key = 'format'") == [("2",)]
    assert sql(path, "SELECT count(*) FROM sketches") == [(30,)]


def _resident_pages(path: Path) -> int:
    """How many of the file's pages are in the operating system's cache (mincore(2))."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    vector = ctypes.create_string_buffer(pages)
    with open(path, "rb") as file:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, file.fileno(), 0)
        assert address not in (None, ctypes.c_void_p(-1).value), ctypes.get_errno()
        try:
            assert libc.mincore(address, size, vector) == 0, ctypes.get_errno()
        finally:
            libc.munmap(address, size)
    return sum(byte & 1 for byte in vector.raw)


def _evict(path: Path) -> None:
    """Write the file out and drop it from the operating system's cache."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


@pytest.mark.skipif(sys.platform != "linux", reason="mincore and posix_fadvise are Linux's")
def test_prewarm_reads_the_lookup_tables_into_the_file_cache(path: Path) -> None:
    texts = [synthetic(n, words=400) for n in range(400)]
    with SqliteIndex(path) as index:
        index.insert_many([f"d{n}" for n in range(400)], [fp_of(t) for t in texts], texts)
    query = "SELECT sum(pgsize) FROM dbstat WHERE name IN ('bands', 'sketches')"
    lookup_bytes = int(str(sql(path, query)[0][0]))
    _evict(path)
    cold = _resident_pages(path) * mmap.PAGESIZE
    if cold > lookup_bytes:
        pytest.skip(f"this file system keeps the file in memory ({cold} bytes resident)")
    with SqliteIndex(path) as index:
        index.prewarm()
        warm = _resident_pages(path) * mmap.PAGESIZE
        assert warm - cold >= lookup_bytes, (cold, warm, lookup_bytes)
        assert index.query(fp_of(texts[7])) == {"d7"}


@pytest.mark.parametrize(
    ("sql", "params", "message"),
    [
        pytest.param(
            "UPDATE documents SET text = ?",
            (zlib.compress(b"a" * 80_000_000, 9),),
            "expands past",
            id="a-text-that-expands-to-80-MB",
        ),
        pytest.param("UPDATE documents SET text = ?", (b"not zlib",), "not zlib", id="not-zlib"),
        pytest.param(
            "UPDATE documents SET text = ?",
            (zlib.compress(b"\xff\xfe" * 50),),
            "not UTF-8",
            id="not-utf-8",
        ),
        pytest.param(
            "UPDATE settings SET value = '99999999999999999999' WHERE key = 'seed'",
            (),
            "seed must be between",
            id="seed-out-of-range",
        ),
        pytest.param(
            "UPDATE settings SET value = '256' WHERE key = 'num_perm'",
            (),
            "not the 3072 that 3 views of num_perm=256 make",
            id="num-perm-edited",
        ),
        pytest.param(
            "UPDATE documents SET signatures = randomblob(100)",
            (),
            "are 100 bytes",
            id="signatures-of-the-wrong-size",
        ),
        pytest.param(
            "UPDATE sketches SET sketch = randomblob(100)", (), "sketch is 100 bytes", id="sketch"
        ),
        pytest.param("UPDATE documents SET meta = x'80'", (), "metadata", id="meta-not-json"),
    ],
)
def test_a_damaged_or_crafted_file_is_a_store_error(
    path: Path, sql: str, params: tuple[object, ...], message: str
) -> None:
    texts = {f"doc{n}": synthetic(n) for n in range(3)}
    with SqliteIndex(path) as index:
        for doc_id, text in texts.items():
            index.insert(doc_id, fp_of(text), text, meta={"n": 1})
    with closing(sqlite3.connect(path)) as db:
        db.execute(sql, params)
        db.commit()
    with pytest.raises(StoreError, match=message):
        _read_everything(path, texts["doc1"])


def _read_everything(path: Path, query: str) -> None:
    with SqliteIndex(path, create=False) as index:
        for doc_id in index.ids():
            index.text(doc_id)
            index.meta(doc_id)
        Detector(index=index).check(query)
