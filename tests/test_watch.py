"""``dedup watch`` and dedup.feed: a feed of JSON lines checked and added line by line."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from madeup_texts import HOSTILE_JSON_LINES

import dedup.cli.watch  # registers the command on ``main``
from dedup.cli import main
from dedup.errors import OptionsError, StoreUnavailableError
from dedup.feed import Checked, Entry, Rejected, parse, process, watch
from dedup.index import Index
from dedup.options import DetectorOptions

TOO_SHORT = "too short to compare: {}, at least " + str(DetectorOptions().min_words) + " needed"
NO_TEXT = (
    "found no main text in the HTML: the page is empty, holds only markup or scripts, or "
    "is not HTML; pass the article's text instead"
)
OTHER = "000_f9bf9bbfa8ab1ea0.txt"


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(tmp_path / "feed.db")


def _line(**record: object) -> str:
    return json.dumps(record) + "\n"


def _records(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.fixture
def feed(original: Path, spun: Path, seeds: Path, original_page: str) -> str:
    """Ten lines: three articles, the spun copy, an HTML page of the original, five bad
    lines and a blank one."""
    return "".join(
        [
            _line(
                id="wapo-1",
                text=original.read_text(encoding="utf-8"),
                url="https://example.org/wapo-1",
                published="2015-09-18",
            ),
            _line(id="other", text=(seeds / OTHER).read_text(encoding="utf-8")),
            "{not json\n",
            _line(id="spun-1", text=spun.read_text(encoding="utf-8"), url="https://spun.example"),
            _line(id="page-1", html=original_page, url="https://mirror.example/page-1"),
            _line(id="short", text="Too short."),
            _line(text="no id here"),
            _line(id="nothing"),
            "\n",
            _line(id="blank-page", html="<html><body></body></html>"),
        ]
    )


def test_one_output_line_per_input_line_in_order(runner: CliRunner, store: str, feed: str) -> None:
    result = runner.invoke(main, ["watch", store], input=feed)
    assert (result.exit_code, result.stderr) == (0, "")
    records = _records(result.stdout)
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5, 6, 7, 8, 10]  # 9 is blank
    ok = {r["id"]: r for r in records if "error" not in r}
    assert [(r["id"], r["added"]) for r in ok.values()] == [
        ("wapo-1", True),
        ("other", True),
        ("spun-1", True),
        ("page-1", True),
    ]
    assert ok["wapo-1"]["matches"] == ok["other"]["matches"] == []
    assert [(m["a"], m["b"], m["kind"]) for m in ok["spun-1"]["matches"]] == [
        ("wapo-1", "spun-1", "spun")
    ]
    # the page is the original article in its chrome: an exact copy (and the spun one's)
    assert [(m["a"], m["kind"]) for m in ok["page-1"]["matches"]] == [
        ("wapo-1", "exact"),
        ("spun-1", "spun"),
    ]
    errors = [r for r in records if "error" in r]
    assert errors == [
        {
            "line": 3,
            "error": "not valid JSON (Expecting property name enclosed in double "
            "quotes at column 2)",
        },
        {"line": 6, "id": "short", "error": TOO_SHORT.format("only 2 words")},
        {"line": 7, "error": 'missing "id" field'},
        {"line": 8, "id": "nothing", "error": 'missing "text" or "html" field'},
        {"line": 10, "id": "blank-page", "error": NO_TEXT},
    ]


def test_a_match_record_is_the_one_scan_writes(runner: CliRunner, store: str, feed: str) -> None:
    records = _records(runner.invoke(main, ["watch", store], input=feed).stdout)
    [match] = records[3]["matches"]
    assert list(match) == [
        "a",
        "b",
        "kind",
        "score",
        "original",
        "original_confidence",
        "evidence",
        "reason",
    ]
    assert 0.15 <= match["score"] <= 1
    assert set(match["evidence"]) == {
        "aligned_a",
        "aligned_b",
        "verbatim",
        "aligned_sentences",
        "copied_a",
        "copied_b",
        "boilerplate",
        "quotations",
        "beyond",
        "changes",
        "views",
    }


def test_documents_are_stored_with_their_url_and_date(
    runner: CliRunner, store: str, feed: str, original: Path
) -> None:
    runner.invoke(main, ["watch", store], input=feed)
    with Index.open(store) as index:
        assert len(index) == 4
        assert index.meta("wapo-1") == {
            "url": "https://example.org/wapo-1",
            "published": "2015-09-18",
        }
        assert index.meta("other") == {}
        assert index.text("wapo-1") == original.read_text(encoding="utf-8")
        assert "patriot1776" not in index.text("page-1")  # a comment's author


def test_only_new_adds_only_documents_without_copies(
    runner: CliRunner, store: str, feed: str
) -> None:
    result = runner.invoke(main, ["watch", store, "--only-new"], input=feed)
    assert result.exit_code == 0
    added = {r["id"]: r["added"] for r in _records(result.stdout) if "added" in r}
    assert added == {"wapo-1": True, "other": True, "spun-1": False, "page-1": False}
    with Index.open(store) as index:
        assert len(index) == 2


def test_input_file_and_an_existing_index(
    runner: CliRunner, store: str, feed: str, tmp_path: Path
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(feed, encoding="utf-8")
    runner.invoke(main, ["watch", store, "--input", str(path)])
    again = runner.invoke(main, ["watch", store, "--input", str(path)])
    records = {r["id"]: r for r in _records(again.stdout) if "added" in r}
    # each document is already indexed under its own id: it replaces itself, and its
    # copies are the other documents
    assert [m["a"] for m in records["wapo-1"]["matches"]] == ["page-1", "spun-1"]


def test_a_resent_id_replaces_the_earlier_document(runner: CliRunner, store: str) -> None:
    first = "Defense chiefs from the United States and Russia held their first talks."
    second = "An entirely different story about the weather in the north of the country."
    lines = _line(id="a", text=first) + _line(id="a", text=second) + _line(id="b", text=first)
    records = _records(runner.invoke(main, ["watch", store], input=lines).stdout)
    assert [r["matches"] for r in records] == [[], [], []]


def test_a_line_over_max_bytes_is_an_error_and_the_feed_goes_on(
    runner: CliRunner, store: str, original: Path
) -> None:
    text = original.read_text(encoding="utf-8")
    lines = _line(id="big", text=text * 3) + _line(id="fits", text=text)
    result = runner.invoke(main, ["watch", store, "--max-bytes", "20000"], input=lines)
    assert _records(result.stdout) == [
        {"line": 1, "error": "line longer than 20,000 bytes, skipped"},
        {"line": 2, "id": "fits", "added": True, "matches": []},
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        pytest.param("[1, 2]\n", 'expected a JSON object with an "id", got an array', id="array"),
        pytest.param(
            _line(id=True, text="x"),
            '"id" must be a string or an integer, got a boolean',
            id="bool-id",
        ),
        pytest.param(
            _line(id="u", text="x" * 9, url=7), '"url" must be a string, got a number', id="url"
        ),
        pytest.param(
            _line(id="h", html=["<p>"]), '"html" must be a string, got an array', id="html"
        ),
        *(
            pytest.param(line + "\n", message, id=name)
            for name, line, message in HOSTILE_JSON_LINES
        ),
        pytest.param(
            b'{"id": "x", "text": "caf\xe9"}\n',
            "not UTF-8 (byte 25 is 0xe9); write JSON lines in UTF-8",
            id="latin-1",
        ),
    ],
)
def test_malformed_lines(runner: CliRunner, store: str, line: str | bytes, error: str) -> None:
    data = line.encode() if isinstance(line, str) else line
    result = runner.invoke(main, ["watch", store], input=data)
    assert result.exit_code == 0
    [record] = _records(result.stdout)
    assert (record["line"], record["error"]) == (1, error)


def test_an_unreachable_redis_is_an_error(runner: CliRunner, free_port: int) -> None:
    url = f"redis://127.0.0.1:{free_port}/0"
    result = runner.invoke(main, ["watch", url], input=_line(id="a", text="x"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"dedup: error: cannot reach Redis at {url}")


def test_watch_on_redis(runner: CliRunner, redis_url: str, feed: str) -> None:
    result = runner.invoke(main, ["watch", redis_url], input=feed)
    assert result.exit_code == 0
    spun = next(r for r in _records(result.stdout) if r.get("id") == "spun-1")
    assert [(m["a"], m["kind"]) for m in spun["matches"]] == [("wapo-1", "spun")]


def test_usage_errors_exit_2(runner: CliRunner, store: str, tmp_path: Path) -> None:
    missing = runner.invoke(main, ["watch", store, "--input", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2
    assert "Invalid value for '--input'" in missing.stderr
    bad = runner.invoke(main, ["watch", store, "--max-bytes", "0"], input="")
    assert (bad.exit_code, bad.stderr) == (2, "dedup: error: max_bytes must be at least 1, got 0\n")


def test_help_documents_the_records(runner: CliRunner) -> None:
    result = runner.invoke(main, ["watch", "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: dedup watch [OPTIONS] STORE\n")
    assert '{"line": n, "id": ..., "added": true, "matches": [...]}' in result.stdout


# -- the feed reaches its reader line by line ------------------------------------------------

_RUN = "import dedup.cli.watch; from dedup.cli import main; main(prog_name='dedup')"


def _watch_process(store: str) -> subprocess.Popen[str]:
    """``dedup watch STORE`` in a process of its own, on text pipes."""
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, "watch", store],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_each_output_line_is_flushed_before_the_next_input_is_read(
    store: str, original: Path, spun: Path
) -> None:
    """A real process on pipes: each line is written only after the answer to the
    previous one was read, so without a flush per line this would wait forever (the
    watchdog kills it after a minute and the test fails)."""
    lines = [
        _line(id="wapo-1", text=original.read_text(encoding="utf-8")),
        "not json\n",
        _line(id="spun-1", text=spun.read_text(encoding="utf-8")),
        _line(id="empty-page", html="<html><body></body></html>"),
    ]
    with _watch_process(store) as process_:
        assert process_.stdin is not None
        assert process_.stdout is not None
        watchdog = threading.Timer(60, process_.kill)
        watchdog.start()
        try:
            answers = []
            for line in lines:
                process_.stdin.write(line)
                process_.stdin.flush()
                answers.append(json.loads(process_.stdout.readline()))
            process_.stdin.close()
            assert process_.wait() == 0
        finally:
            watchdog.cancel()
        assert process_.stderr is not None
        assert process_.stderr.read() == ""  # nothing logged by trafilatura either
    assert [(a["line"], a.get("added"), len(a.get("matches", []))) for a in answers] == [
        (1, True, 0),
        (2, None, 0),
        (3, True, 1),
        (4, None, 0),
    ]


def test_a_reader_that_goes_away_ends_the_feed_quietly(store: str, original: Path) -> None:
    """``dedup watch STORE | head -1``: once the reader has closed the pipe, the next
    write fails; the feed stops with status 0 and no traceback, and what it added is
    kept."""
    text = original.read_text(encoding="utf-8")
    with _watch_process(store) as process_:
        assert process_.stdin is not None
        assert process_.stdout is not None
        watchdog = threading.Timer(60, process_.kill)
        watchdog.start()
        try:
            process_.stdin.write(_line(id="first", text=text))
            process_.stdin.flush()
            assert json.loads(process_.stdout.readline())["id"] == "first"
            process_.stdout.close()  # the reader goes away
            for n in range(2, 6):
                process_.stdin.write(_line(id=f"doc-{n}", text=f"{n} {text}"))
            process_.stdin.close()
            assert process_.wait() == 0
        finally:
            watchdog.cancel()
        assert process_.stderr is not None
        assert "Traceback" not in process_.stderr.read()
    with Index.open(store) as index:
        assert "first" in index


# -- the library -----------------------------------------------------------------------------


def test_parse() -> None:
    line = _line(id=7, html="<p>x</p>", text="Hello.", url=None, published="2015-09-18")
    assert parse(line) == Entry("7", "Hello.", {"published": "2015-09-18"})
    assert parse("  \r\n") is None


def test_parse_uses_the_given_extractor() -> None:
    entry = parse(_line(id="p", html="<p>Hi</p>"), extract=lambda html: html.upper())
    assert entry == Entry("p", "<P>HI</P>", {})


def test_process_one_line(store: str, original: Path) -> None:
    text = original.read_text(encoding="utf-8")
    with Index.open(store) as index:
        first = process(_line(id="a", text=text), index, number=5)
        again = process(_line(id="b", text=text), index, number=6, only_new=True)
        assert process("\n", index) is None
        bad = process(b"{", index, number=7)
    assert first == Checked(5, "a", (), added=True)
    assert isinstance(again, Checked)
    assert (again.line, again.added, [m.a for m in again.matches]) == (6, False, ["a"])
    assert bad == Rejected(
        7, "not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    )


def test_watch_refuses_a_bad_max_bytes_at_once(store: str) -> None:
    with Index.open(store) as index, pytest.raises(OptionsError, match="max_bytes"):
        watch(io.BytesIO(b""), index, max_bytes=0)
    assert dedup.cli.watch.watch.name == "watch"


def test_prewarm_changes_nothing_but_speed(
    runner: CliRunner, tmp_path: Path, feed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--prewarm reads an existing index before the feed; the records are the same."""
    from dedup.backends.sqlite import SqliteIndex

    plain, warmed = str(tmp_path / "plain.db"), str(tmp_path / "warmed.db")
    for store in (plain, warmed):  # a second pass finds the first
        assert runner.invoke(main, ["watch", store], input=feed).exit_code == 0
    again = runner.invoke(main, ["watch", plain], input=feed)
    calls: list[str] = []
    original = SqliteIndex.prewarm

    def spy(self: SqliteIndex) -> None:
        calls.append(self.path)
        original(self)

    monkeypatch.setattr(SqliteIndex, "prewarm", spy)
    prewarmed = runner.invoke(main, ["watch", warmed, "--prewarm"], input=feed)
    assert calls == [warmed]
    assert (prewarmed.exit_code, prewarmed.stderr) == (0, "")
    assert _records(prewarmed.stdout) == _records(again.stdout)
    assert any(r.get("matches") for r in _records(prewarmed.stdout))


# -- an index that is unavailable for a while ---------------------------------------------


def _hold_the_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another writer: takes the SQLite write lock and keeps it for ``seconds``."""
    taken = threading.Event()

    def hold() -> None:
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            db.execute("COMMIT")

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait(10)
    return thread


def test_watch_waits_for_a_write_lock_held_past_the_busy_timeout(
    tmp_path: Path, original: Path, spun: Path
) -> None:
    """A bulk `index add` holds the write lock longer than SQLite waits (here 0.1 s, by
    default 30 s): the feed tries the line again instead of dying."""
    from dedup.backends.sqlite import SqliteIndex

    path = tmp_path / "feed.db"
    feed = _line(id="wapo-1", text=original.read_text(encoding="utf-8"))
    feed += _line(id="spun-1", text=spun.read_text(encoding="utf-8"))
    with Index(SqliteIndex(path, timeout=0.1)) as index:
        holder = _hold_the_write_lock(path, 1.0)
        outcomes = list(watch(io.BytesIO(feed.encode()), index, retry=30))
        holder.join()
        assert [(type(o), o.id) for o in outcomes] == [(Checked, "wapo-1"), (Checked, "spun-1")]
        second = outcomes[1]
        assert isinstance(second, Checked)
        assert [m.a for m in second.matches] == ["wapo-1"]
        # without retries, the same lock ends the feed with a clear error
        holder = _hold_the_write_lock(path, 1.0)
        with pytest.raises(StoreUnavailableError, match="locked by another process"):
            list(
                watch(
                    io.BytesIO(_line(id="late", text=original.read_text()).encode()), index, retry=0
                )
            )
        holder.join()


def test_watch_rides_out_a_redis_restart(tmp_path: Path, original: Path, spun: Path) -> None:
    """redis-server stops and comes back half a second later: the line sent meanwhile
    is answered once it is back, and the feed goes on."""
    from conftest import _free_port, redis_process

    port, data = _free_port(), tmp_path / "redis"
    data.mkdir()
    server = redis_process(port, data, appendonly=True)
    url = server.__enter__()
    try:
        with _watch_process(url) as process_:
            assert process_.stdin is not None
            assert process_.stdout is not None
            watchdog = threading.Timer(60, process_.kill)
            watchdog.start()
            try:
                process_.stdin.write(_line(id="wapo-1", text=original.read_text(encoding="utf-8")))
                process_.stdin.flush()
                first = json.loads(process_.stdout.readline())
                server.__exit__(None, None, None)  # the server goes away
                server = redis_process(port, data, appendonly=True)
                process_.stdin.write(_line(id="spun-1", text=spun.read_text(encoding="utf-8")))
                process_.stdin.flush()
                time.sleep(0.5)
                url = server.__enter__()  # and comes back
                second = json.loads(process_.stdout.readline())
                process_.stdin.close()
                assert process_.wait() == 0
            finally:
                watchdog.cancel()
    finally:
        server.__exit__(None, None, None)
    assert first["added"] is True
    assert (second.get("error"), second["added"]) == (None, True)
    assert [m["a"] for m in second["matches"]] == ["wapo-1"]
