"""Fuzzing the two doors hostile bytes come in by: JSON-lines input and index files.

Whatever the bytes, only the documented errors come out: a JSON line is a document or
an :class:`~dedup.errors.InputError`; an index file that is damaged, crafted or not an
index at all is a :class:`~dedup.errors.StoreError` (or an unknown id), never another
exception, never a hang, never memory without bound.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from contextlib import closing, suppress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from madeup_texts import synthetic

from dedup import Index
from dedup.errors import InputError, StoreError, UnknownDocumentError
from dedup.feed import parse, watch
from dedup.model import Document, Problem
from dedup.sources import read

_JSON_ATOMS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
)
_JSON = st.recursive(
    _JSON_ATOMS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": _JSON,
        "text": _JSON | st.just(synthetic(1)),
        "html": _JSON,
        "url": _JSON,
        "published": _JSON,
    },
)
_LINE = st.one_of(
    st.binary(max_size=200),
    _RECORD.map(lambda r: json.dumps(r).encode()),
    _RECORD.map(lambda r: json.dumps(r).encode()[: len(json.dumps(r)) // 2]),  # cut short
    st.sampled_from(
        [
            b'{"id": "a", "text": 1' + b"0" * 5000 + b"}",  # past Python's digit limit
            b"[" * 2000 + b"]" * 2000,  # deeper than the parser's recursion
            b'{"id": "a\\ud800", "text": "x"}',  # a lone surrogate in an id
            b'{"id": 1e400, "text": "x"}',
            b"\xef\xbb\xbf" + b'{"id": "bom", "text": "x"}',
        ]
    ),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=6))
def test_a_json_lines_file_gives_documents_and_problems_only(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "data.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = list(read([str(path)]))
    assert all(isinstance(item, Document | Problem) for item in items)
    for item in items:
        if isinstance(item, Document):
            assert isinstance(item.id, str)
            assert isinstance(item.text, str)
            item.id.encode("utf-8")  # no lone surrogate reaches an id


@settings(max_examples=150)
@given(_LINE)
def test_a_feed_line_is_an_entry_or_an_input_error(line: bytes) -> None:
    try:
        entry = parse(line)
    except InputError:
        return
    assert entry is None or (isinstance(entry.id, str) and isinstance(entry.text, str))


def test_a_feed_of_hostile_lines_goes_on_to_the_good_one(tmp_path: Path) -> None:
    good = json.dumps({"id": "good", "text": synthetic(3)}).encode()
    hostile = [b'{"id": "a", "text": 1' + b"0" * 5000 + b"}", b"[" * 2000, b"\xff\xfe", good]
    with Index.open(tmp_path / "feed.db") as index:
        outcomes = list(watch(io.BytesIO(b"\n".join(hostile) + b"\n"), index))
        assert [type(o).__name__ for o in outcomes] == ["Rejected"] * 3 + ["Checked"]
        assert "good" in index


# -- index files ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real index, copied by every test before it is mutated."""
    path = tmp_path_factory.mktemp("index") / "base.db"
    with Index.open(path) as index:
        for n in range(4):
            index.add(f"doc{n}", synthetic(n))
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")  # one file holds everything
    return path


def _use(path: Path) -> None:
    """Everything a reader does with an index: open, count, list, read, check."""
    with Index.open(path) as index:
        index.stats()
        for doc_id in index.ids():
            try:
                index.text(doc_id)
                index.meta(doc_id)
            except UnknownDocumentError:
                pass
        index.check(synthetic(1))


def _only_documented_errors(path: Path) -> None:
    with suppress(StoreError, UnknownDocumentError):
        _use(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_file_with_bytes_flipped_is_an_index_or_a_store_error(
    built: Path, tmp_path_factory: pytest.TempPathFactory, flips: list[tuple[int, int]]
) -> None:
    path = tmp_path_factory.mktemp("flipped") / "index.db"
    data = bytearray(built.read_bytes())
    for at, value in flips:
        data[at % len(data)] = value
    path.write_bytes(bytes(data))
    _only_documented_errors(path)


_COLUMNS = [
    ("settings", "value", "key = 'num_perm'"),
    ("settings", "value", "key = 'seed'"),
    ("settings", "value", "key = 'views'"),
    ("settings", "value", "key = 'bands'"),
    ("settings", "value", "key = 'format'"),
    ("documents", "text", "1"),
    ("documents", "signatures", "1"),
    ("documents", "meta", "1"),
    ("documents", "id", "num = 1"),
    ("sketches", "sketch", "1"),
    ("bands", "doc", "1"),
]
_VALUES = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=20),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from(["128", "256", "-1", "99999999999999999999", "words,nope", "", "0"]),
    st.none(),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_COLUMNS), _VALUES)
def test_a_file_with_a_column_rewritten_is_an_index_or_a_store_error(
    built: Path,
    tmp_path_factory: pytest.TempPathFactory,
    column: tuple[str, str, str],
    value: object,
) -> None:
    path = tmp_path_factory.mktemp("rewritten") / "index.db"
    shutil.copy(built, path)
    table, name, where = column
    with closing(sqlite3.connect(path)) as db:
        try:
            db.execute(f"UPDATE {table} SET {name} = ? WHERE {where}", (value,))
            db.commit()
        except sqlite3.IntegrityError:  # NOT NULL, UNIQUE: not a file dedup can be given
            return
    _only_documented_errors(path)
