"""``dedup index add|check|stats|remove`` on a real SQLite file and a real Redis server."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from madeup_texts import HOSTILE_JSON_LINES

import dedup.cli.index  # registers the command group on ``main``
from dedup.cli import main
from dedup.options import DetectorOptions

TOO_SHORT = "too short to compare: {}, at least " + str(DetectorOptions().min_words) + " needed"


@pytest.fixture
def library(tmp_path: Path, seeds: Path, spun: Path) -> Path:
    """A directory of the seeds without the spun copy (four articles)."""
    folder = tmp_path / "library"
    folder.mkdir()
    for file in seeds.glob("*.txt"):
        if file != spun:
            shutil.copy(file, folder / file.name)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> str:
    """Where the SQLite index goes (it does not exist yet)."""
    return str(tmp_path / "index.db")


@pytest.fixture
def filled(runner: CliRunner, store: str, library: Path) -> str:
    """``store`` holding the four articles of ``library``."""
    result = runner.invoke(main, ["index", "add", store, str(library)])
    assert (result.exit_code, result.stderr) == (0, "")
    return store


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


# -- add -------------------------------------------------------------------------------------


def test_add_creates_the_index(runner: CliRunner, store: str, library: Path) -> None:
    result = runner.invoke(main, ["index", "add", store, str(library)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "added 4 documents; the index holds 4\n",
        "",
    )
    assert Path(store).is_file()


def test_adding_again_replaces_by_id_and_says_so(
    runner: CliRunner, filled: str, library: Path
) -> None:
    result = runner.invoke(main, ["index", "add", filled, str(library)])
    assert (result.exit_code, result.stdout) == (
        0,
        "added 4 documents (4 of them replaced documents with the same id); the index holds 4\n",
    )
    names = sorted(p.name for p in library.glob("*.txt"))
    assert result.stderr.splitlines() == [
        f"dedup: warning: {name}: replaced the document already indexed under this id"
        for name in names
    ]


def test_two_folders_with_the_same_file_names_collide_loudly(
    runner: CliRunner, store: str, tmp_path: Path, seeds: Path
) -> None:
    for folder, seed_name in (("business", "000"), ("tech", "004")):
        (tmp_path / folder).mkdir()
        text = next(seeds.glob(f"{seed_name}_*.txt")).read_text(encoding="utf-8")
        (tmp_path / folder / "story.txt").write_text(text, encoding="utf-8")
    runner.invoke(main, ["index", "add", store, str(tmp_path / "business")])
    result = runner.invoke(main, ["index", "add", store, str(tmp_path / "tech")])
    assert result.exit_code == 0
    assert "story.txt: replaced the document already indexed under this id" in result.stderr


def test_add_reads_stdin_and_json_lines(
    runner: CliRunner, store: str, tmp_path: Path, original: Path
) -> None:
    feed = tmp_path / "docs.jsonl"
    feed.write_text(
        json.dumps({"id": "wapo-1", "text": original.read_text(encoding="utf-8")}) + "\n",
        encoding="utf-8",
    )
    text = b"Defense chiefs from the United States and Russia held talks on Friday."
    result = runner.invoke(main, ["index", "add", store, str(feed), "-"], input=text)
    assert (result.exit_code, result.stdout) == (0, "added 2 documents; the index holds 2\n")
    stats = json.loads(runner.invoke(main, ["index", "stats", store, "--format", "json"]).stdout)
    assert stats["documents"] == 2


def test_bad_inputs_are_warnings_and_the_rest_is_added(
    runner: CliRunner, store: str, library: Path
) -> None:
    (library / "blob.bin").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\xff")
    (library / "short.txt").write_text("Too short.", encoding="utf-8")
    result = runner.invoke(main, ["index", "add", store, str(library), "missing.txt"])
    assert result.exit_code == 0
    assert result.stdout == "added 4 documents; the index holds 4\n"
    assert result.stderr == (
        f"dedup: warning: {library}/blob.bin: binary data (NUL bytes), not text\n"
        f"dedup: warning: short.txt: {TOO_SHORT.format('only 2 words')}\n"
        "dedup: warning: missing.txt: no such file or directory\n"
    )


def test_hostile_json_lines_are_warnings_and_every_other_record_is_added(
    runner: CliRunner, store: str, tmp_path: Path, seeds: Path
) -> None:
    good = [
        json.dumps({"id": f"story-{i}", "text": path.read_text(encoding="utf-8")})
        for i, path in enumerate(sorted(seeds.glob("*.txt")))
    ]
    hostile = [line for _, line, _ in HOSTILE_JSON_LINES]
    lines = [good[0], *hostile[:2], good[1], good[2], hostile[2], good[3], good[4]]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["index", "add", store, str(tmp_path / "feed.jsonl")])
    assert result.exit_code == 0
    assert result.stdout == "added 5 documents; the index holds 5\n"
    warnings = result.stderr.splitlines()
    assert [w.split(": ")[2] for w in warnings] == [
        f"{tmp_path / 'feed.jsonl'}:{n}" for n in (2, 3, 6)
    ]
    assert "Traceback" not in result.stderr


def test_quiet_silences_warnings(runner: CliRunner, store: str, library: Path) -> None:
    result = runner.invoke(main, ["index", "add", "-q", store, str(library), "missing.txt"])
    assert (result.exit_code, result.stderr) == (0, "")


def test_nothing_added_is_an_error_and_the_index_keeps_what_it_had(
    runner: CliRunner, filled: str, tmp_path: Path
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["index", "add", filled, str(tmp_path / "empty.txt"), "gone"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"dedup: warning: {tmp_path}/empty.txt: {TOO_SHORT.format('no words')}\n"
        "dedup: warning: gone: no such file or directory\n"
        "dedup: error: nothing added: no input could be read as a document\n"
    )
    stats = runner.invoke(main, ["index", "stats", filled, "--format", "json"])
    assert json.loads(stats.stdout)["documents"] == 4


def test_progress_can_be_forced(runner: CliRunner, store: str, library: Path) -> None:
    # Off a terminal click draws no bar, only its label.
    result = runner.invoke(main, ["index", "add", store, str(library), "--progress"])
    assert (result.exit_code, result.stderr) == (0, "adding\n")


def test_a_store_that_is_not_an_index_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database, but long enough to be read as one " * 100)
    result = runner.invoke(main, ["index", "add", str(bogus), str(bogus)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"dedup: error: cannot open {str(bogus)!r} as a dedup index")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["check", "stats", "list"])
@pytest.mark.parametrize("kind", ["unrelated-sqlite", "empty-file"])
def test_reading_a_file_that_is_no_index_is_an_error_and_leaves_it_untouched(
    runner: CliRunner, tmp_path: Path, spun: Path, command: str, kind: str
) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    if kind == "empty-file":
        path.write_bytes(b"")
    else:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            db.execute("INSERT INTO notes (body) VALUES ('keep me')")
        db.close()
    before = path.read_bytes()
    args = ["index", command, str(path)] + ([str(spun)] if command == "check" else [])
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"dedup: error: {str(path)!r} is not a dedup index")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, no -shm


def test_an_index_whose_settings_were_emptied_is_an_error(
    runner: CliRunner, filled: str, spun: Path
) -> None:
    import sqlite3

    with sqlite3.connect(filled) as db:
        db.execute("DELETE FROM settings")
    db.close()
    result = runner.invoke(main, ["index", "check", filled, str(spun)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"dedup: error: {filled!r} is a damaged dedup index: its settings are missing\n"
    )


# -- check -----------------------------------------------------------------------------------


def test_check_finds_the_spun_copy(
    runner: CliRunner, filled: str, spun: Path, original: Path
) -> None:
    result = runner.invoke(main, ["index", "check", filled, str(spun)])
    assert (result.exit_code, result.stderr) == (1, "")
    header, row, summary = result.stdout.splitlines()
    assert header.split() == ["score", "kind", "a", "b", "original", "evidence", "why"]
    assert row.split()[1:5] == ["spun", original.name, str(spun), "a"]  # a: the indexed one
    assert re.fullmatch(r"0\.\d{4}  spun  .*, skeleton J 0\.\d\d  \d+ words swapped .*", row)
    assert summary == "1 pair among 1 document"


def test_check_adds_nothing(runner: CliRunner, filled: str, spun: Path) -> None:
    runner.invoke(main, ["index", "check", filled, str(spun)])
    stats = runner.invoke(main, ["index", "stats", filled, "--format", "json"])
    assert json.loads(stats.stdout)["documents"] == 4


@pytest.mark.parametrize("format", ["json", "jsonl", "csv"])
def test_check_formats(
    runner: CliRunner, filled: str, spun: Path, original: Path, format: str
) -> None:
    result = runner.invoke(main, ["index", "check", filled, str(spun), "--format", format])
    assert result.exit_code == 1
    if format == "json":
        document = json.loads(result.stdout)
        assert (document["documents"], document["problems"]) == (1, [])
        rows = [(m["a"], m["b"], m["kind"]) for m in document["matches"]]
    elif format == "jsonl":
        rows = [(m["a"], m["b"], m["kind"]) for m in _jsonl(result.stdout)]
    else:
        header, *records = csv.reader(io.StringIO(result.stdout))
        assert header[:4] == ["a", "b", "kind", "score"]
        assert "function_jaccard" in header
        rows = [(r[0], r[1], r[2]) for r in records]
    assert rows == [(original.name, str(spun), "spun")]


def test_the_kind_filter_can_leave_nothing_and_exit_0(
    runner: CliRunner, filled: str, seeds: Path
) -> None:
    other = seeds / "000_f9bf9bbfa8ab1ea0.txt"
    result = runner.invoke(main, ["index", "check", filled, str(other)])
    # indexed under its name in the library, checked under its path: an exact copy
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].split()[1:4] == ["exact", other.name, str(other)]
    result = runner.invoke(main, ["index", "check", filled, str(other), "--kind", "spun"])
    assert (result.exit_code, result.stdout) == (0, "no duplicates among 1 document\n")


def test_an_input_is_not_compared_with_itself(
    runner: CliRunner, store: str, original: Path
) -> None:
    runner.invoke(main, ["index", "add", store, str(original)])
    result = runner.invoke(main, ["index", "check", store, str(original)])
    assert (result.exit_code, result.stdout) == (0, "no duplicates among 1 document\n")


def test_check_threshold(runner: CliRunner, filled: str, spun: Path) -> None:
    args = ["index", "check", filled, str(spun), "--threshold", "0.99", "--passage-words", "0"]
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stdout) == (0, "no duplicates among 1 document\n")


def test_check_warns_about_bad_inputs_and_checks_the_rest(
    runner: CliRunner, filled: str, spun: Path, tmp_path: Path
) -> None:
    short = tmp_path / "short.txt"
    short.write_text("Too short.", encoding="utf-8")
    result = runner.invoke(
        main, ["index", "check", filled, str(short), str(spun), "gone", "--format", "jsonl"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"dedup: warning: {short}: {TOO_SHORT.format('only 2 words')}\n"
        "dedup: warning: gone: no such file or directory\n"
    )
    assert [m["b"] for m in _jsonl(result.stdout)] == [str(spun)]


def test_check_with_nothing_readable_is_an_error(runner: CliRunner, filled: str) -> None:
    result = runner.invoke(main, ["index", "check", filled, "gone"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "dedup: warning: gone: no such file or directory\n"
        "dedup: error: nothing to check: no input could be read as a document\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["check", "{store}", "x.txt"], id="check"),
        pytest.param(["stats", "{store}"], id="stats"),
        pytest.param(["remove", "{store}", "a"], id="remove"),
    ],
)
def test_a_missing_index_is_an_error_and_is_not_created(
    runner: CliRunner, store: str, args: list[str]
) -> None:
    result = runner.invoke(main, ["index", *(arg.format(store=store) for arg in args)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"dedup: error: no index at {store!r}; create one with: dedup index add {store} PATH...\n"
    )
    assert not Path(store).exists()


# -- stats -----------------------------------------------------------------------------------


def test_stats_as_text(runner: CliRunner, filled: str) -> None:
    result = runner.invoke(main, ["index", "stats", filled])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"location   SqliteIndex({filled!r})\n"
        "documents  4\n"
        "views      words,skeleton,function\n"
        "num_perm   128\n"
        "seed       1\n"
        "bands      64\n"
        "rows       2\n"
        "threshold  0.15\n"
    )


def test_stats_as_json(runner: CliRunner, filled: str) -> None:
    result = runner.invoke(main, ["index", "stats", filled, "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "location": f"SqliteIndex({filled!r})",
        "documents": 4,
        "views": ["words", "skeleton", "function"],
        "num_perm": 128,
        "seed": 1,
        "bands": 64,
        "rows": 2,
        "threshold": 0.15,
    }


# -- remove ----------------------------------------------------------------------------------


def test_remove(runner: CliRunner, filled: str, spun: Path, original: Path) -> None:
    result = runner.invoke(main, ["index", "remove", filled, original.name])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "removed 1 document; the index holds 3\n",
        "",
    )
    check = runner.invoke(main, ["index", "check", filled, str(spun)])
    assert (check.exit_code, check.stdout) == (0, "no duplicates among 1 document\n")


def test_removing_unknown_ids_warns_exits_1_and_removes_the_rest(
    runner: CliRunner, filled: str, original: Path
) -> None:
    result = runner.invoke(main, ["index", "remove", filled, "nope", original.name, "gone"])
    assert result.exit_code == 1
    assert result.stdout == "removed 1 document; the index holds 3\n"
    assert result.stderr == (
        "dedup: warning: nope: not in the index\ndedup: warning: gone: not in the index\n"
    )
    quiet = runner.invoke(main, ["index", "remove", "-q", filled, original.name])
    assert (quiet.exit_code, quiet.stderr) == (1, "")


def test_removing_an_id_twice_in_one_call_removes_it_once(
    runner: CliRunner, filled: str, original: Path
) -> None:
    result = runner.invoke(main, ["index", "remove", filled, original.name, original.name])
    assert (result.exit_code, result.stdout) == (0, "removed 1 document; the index holds 3\n")


# -- Redis -----------------------------------------------------------------------------------


def test_every_command_on_redis(
    runner: CliRunner, redis_url: str, library: Path, spun: Path, original: Path
) -> None:
    added = runner.invoke(main, ["index", "add", redis_url, str(library)])
    assert (added.exit_code, added.stdout) == (0, "added 4 documents; the index holds 4\n")
    checked = runner.invoke(main, ["index", "check", redis_url, str(spun), "--format", "jsonl"])
    assert checked.exit_code == 1
    assert [(m["a"], m["kind"]) for m in _jsonl(checked.stdout)] == [(original.name, "spun")]
    stats = json.loads(
        runner.invoke(main, ["index", "stats", redis_url, "--format", "json"]).stdout
    )
    assert (stats["documents"], stats["location"]) == (
        4,
        f"RedisIndex({redis_url} (prefix 'dedup'))",
    )
    listed = runner.invoke(main, ["index", "list", redis_url])
    assert listed.stdout.splitlines() == sorted(p.name for p in library.glob("*.txt"))
    shown = json.loads(runner.invoke(main, ["index", "show", redis_url, original.name]).stdout)
    assert shown["text"] == original.read_text(encoding="utf-8")
    removed = runner.invoke(main, ["index", "remove", redis_url, original.name, "nope"])
    assert (removed.exit_code, removed.stdout) == (1, "removed 1 document; the index holds 3\n")


def test_an_unreachable_redis_is_an_error(runner: CliRunner, free_port: int, spun: Path) -> None:
    url = f"redis://127.0.0.1:{free_port}/0"
    result = runner.invoke(main, ["index", "check", url, str(spun)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"dedup: error: cannot reach Redis at {url} (prefix 'dedup')")


# -- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["add", "check", "stats", "remove"])
def test_every_command_has_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, ["index", command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: dedup index {command} [OPTIONS] STORE")


def test_the_group_lists_its_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["index", "--help"])
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:\n")[1]
    assert re.findall(r"^  (\w+) ", commands, flags=re.M) == [
        "add",
        "check",
        "list",
        "remove",
        "show",
        "stats",
    ]


def test_remove_help_documents_the_exit_status(runner: CliRunner) -> None:
    help_text = runner.invoke(main, ["index", "remove", "--help"]).stdout
    assert "    1  some ids were not in the index (the others were removed)\n" in help_text
    assert dedup.cli.index.EXIT_UNKNOWN == 1


@pytest.mark.parametrize(
    ("location", "message"),
    [
        pytest.param(
            "redis:localhost",
            "'redis:localhost' is not an index location: a Redis URL starts with redis:// "
            "(redis://localhost)",
            id="redis-without-slashes",
        ),
        pytest.param(
            "http://example.org/index",
            "'http://example.org/index' is not an index location: use a SQLite file path or "
            "redis://host:port/db (rediss:// for TLS)",
            id="http",
        ),
        pytest.param(
            "redis://localhost:6379/abc",
            "'redis://localhost:6379/abc': the Redis database must be a number "
            "(redis://host:port/0), got 'abc'",
            id="redis-db-not-a-number",
        ),
    ],
)
def test_a_mistyped_store_is_an_error_and_creates_nothing(
    runner: CliRunner,
    library: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    location: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["index", "add", location, str(library)])
    assert result.exit_code == 2
    assert result.stderr == f"dedup: error: {message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library"]


def test_a_failed_first_add_leaves_no_index_file(
    runner: CliRunner, store: str, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["index", "add", store, str(tmp_path / "nosuchdir")])
    assert result.exit_code == 2
    assert not Path(store).exists()
    assert not Path(store + "-wal").exists()


def test_a_failed_add_to_an_existing_index_keeps_it(
    runner: CliRunner, filled: str, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["index", "add", filled, str(tmp_path / "nosuchdir")])
    assert result.exit_code == 2
    stats = runner.invoke(main, ["index", "stats", filled, "--format", "json"])
    assert json.loads(stats.stdout)["documents"] == 4


def test_list_and_show(runner: CliRunner, filled: str, library: Path, original: Path) -> None:
    listed = runner.invoke(main, ["index", "list", filled])
    assert (listed.exit_code, listed.stdout.splitlines()) == (
        0,
        sorted(p.name for p in library.glob("*.txt")),
    )
    shown = runner.invoke(main, ["index", "show", filled, original.name])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout) == {
        "id": original.name,
        "text": original.read_text(encoding="utf-8"),
    }
    missing = runner.invoke(main, ["index", "show", filled, "nope"])
    assert (missing.exit_code, missing.stderr) == (2, "dedup: error: 'nope' is not in the index\n")


def test_opening_to_read_creates_nothing(tmp_path: Path) -> None:
    from dedup.backends.open import open_index
    from dedup.errors import StoreError

    missing = tmp_path / "missing.db"
    with pytest.raises(StoreError):
        open_index(missing, create=False)
    assert list(tmp_path.iterdir()) == []


def test_reading_an_index_leaves_its_file_as_it_was(
    runner: CliRunner, filled: str, spun: Path
) -> None:
    import sqlite3

    with sqlite3.connect(filled) as db:  # an index kept in rollback-journal mode
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    before = Path(filled).read_bytes()
    for args in (["list", filled], ["stats", filled], ["check", filled, str(spun)]):
        assert runner.invoke(main, ["index", *args]).exit_code in (0, 1)
    assert Path(filled).read_bytes() == before


def test_reading_an_empty_redis_database_is_an_error_and_writes_nothing(
    runner: CliRunner, redis_url: str
) -> None:
    import redis

    result = runner.invoke(main, ["index", "list", redis_url])
    assert result.exit_code == 2
    assert "has no settings; create one with dedup index add" in result.stderr
    assert redis.Redis.from_url(redis_url).dbsize() == 0


def test_an_index_in_a_read_only_directory_can_be_read(tmp_path: Path, seeds: Path) -> None:
    """Nobody may write the directory, so SQLite cannot make the files a WAL reader
    needs: `stats` and `check` still read the index (as an unprivileged user; root may
    write anywhere)."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to run a command as an unprivileged user")
    directory = Path(tempfile.mkdtemp(dir="/tmp"))  # tmp_path is private to root
    try:
        result = CliRunner().invoke(main, ["index", "add", str(directory / "i.db"), str(seeds)])
        assert result.exit_code == 0, result.output
        directory.chmod(0o555)
        dedup = [sys.executable, "-c", "from dedup.cli import main; main(prog_name='dedup')"]
        nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        for command in (["stats"], ["check"]):
            args = [*nobody, *dedup, "index", *command, str(directory / "i.db")]
            if command == ["check"]:
                args.append(str(next(seeds.glob("001_*.txt"))))
            run = subprocess.run(args, capture_output=True, text=True, timeout=120)
            assert run.returncode in (0, 1), run.stderr
            assert "error" not in run.stderr
        assert sorted(p.name for p in directory.iterdir()) == ["i.db"]
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory)


def test_readers_do_not_wait_for_a_writer(tmp_path: Path, seeds: Path, spun: Path) -> None:
    """`stats` and `check` read under WAL while another process holds the write lock
    (a bulk `index add`): they answer at once instead of failing after 30 s."""
    import contextlib
    import sqlite3
    import threading

    store = str(tmp_path / "i.db")
    assert CliRunner().invoke(main, ["index", "add", store, str(seeds)]).exit_code == 0
    taken, release = threading.Event(), threading.Event()

    def writer() -> None:
        with contextlib.closing(sqlite3.connect(store, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM sketches")  # uncommitted: readers must not see it
            taken.set()
            release.wait(120)
            db.execute("ROLLBACK")

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert taken.wait(10)
        stats = CliRunner().invoke(main, ["index", "stats", store])
        assert stats.exit_code == 0, stats.output
        check = CliRunner().invoke(main, ["index", "check", store, str(spun), "--format", "jsonl"])
        assert check.exit_code == 1, check.output
        assert "spun" in check.stdout
    finally:
        release.set()
        thread.join()


def test_an_input_under_the_id_of_another_indexed_text_is_compared(
    tmp_path: Path, original: Path, spun: Path
) -> None:
    """`incoming/050.txt` is a spun copy of the `050.txt` indexed from another folder:
    the same id, another text. It is compared (and named as the input), not taken for
    the stored document; the stored document itself, given again, is not a copy."""
    for folder, source in (("orig", original), ("incoming", spun)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "050.txt").write_text(source.read_text(encoding="utf-8"))
    store = str(tmp_path / "o.db")
    assert CliRunner().invoke(main, ["index", "add", store, str(tmp_path / "orig")]).exit_code == 0
    args = ["index", "check", store, str(tmp_path / "incoming"), "--format", "jsonl"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    [match] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (match["a"], match["b"], match["kind"], match["original"]) == (
        "050.txt",
        "050.txt (input)",
        "spun",
        "050.txt",
    )
    again = CliRunner().invoke(main, ["index", "check", store, str(tmp_path / "orig")])
    assert again.exit_code == 0, again.output


def test_full_ids_keep_two_folders_apart(tmp_path: Path, original: Path, spun: Path) -> None:
    for folder, source in (("business", original), ("tech", spun)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "050.txt").write_text(source.read_text(encoding="utf-8"))
    store = str(tmp_path / "i.db")
    for folder in ("business", "tech"):
        args = ["index", "add", store, str(tmp_path / folder), "--full-ids"]
        result = CliRunner().invoke(main, args)
        assert (result.exit_code, result.stderr) == (0, "")
    listed = CliRunner().invoke(main, ["index", "list", store]).stdout.split()
    assert listed == [f"{tmp_path}/business/050.txt", f"{tmp_path}/tech/050.txt"]
