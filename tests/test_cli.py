from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.options import DetectorOptions

PAIR = ("001_0d986f3b99680e2b.txt", "002_332438ef7e52e727.txt")
README = Path(__file__).parent.parent / "README.md"
TOO_SHORT = "too short to compare: {}, at least " + str(DetectorOptions().min_words) + " needed"


@pytest.fixture
def pair_dir(tmp_path: Path, original: Path, spun: Path) -> Path:
    """A directory holding the spun seed pair, for bad files to be added to."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "original.txt").write_bytes(original.read_bytes())
    (folder / "spun.txt").write_bytes(spun.read_bytes())
    return folder


def _jsonl(result_stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in result_stdout.splitlines()]


# -- the seeds --------------------------------------------------------------------------


def test_scan_seeds_finds_the_one_spun_pair(runner: CliRunner, seeds: Path) -> None:
    result = runner.invoke(main, ["scan", str(seeds)])
    assert (result.exit_code, result.stderr) == (1, "")
    header, row, summary = result.stdout.splitlines()
    assert header.split() == ["score", "kind", "a", "b", "original", "evidence", "why"]
    assert row.split()[1:5] == ["spun", *PAIR, "b"]  # 002, the Washington Post's
    assert re.fullmatch(
        r"0\.\d{4}  spun  \S+  \S+  b         aligned \d+%/\d+%, verbatim \d+%, "
        r"skeleton J 0\.\d\d  \d+ words swapped .* names and numbers kept",
        row,
    )
    assert summary == "1 pair among 6 documents"  # five seeds and their README


def test_scan_seeds_as_json_lines(runner: CliRunner, seeds: Path) -> None:
    result = runner.invoke(main, ["scan", str(seeds), "--format", "jsonl"])
    assert result.exit_code == 1
    [match] = _jsonl(result.stdout)
    assert (match["a"], match["b"], match["kind"]) == (*PAIR, "spun")
    assert set(match) == {
        "a",
        "b",
        "kind",
        "score",
        "original",
        "original_confidence",
        "evidence",
        "reason",
    }
    assert match["original"] == PAIR[1]
    assert match["original_confidence"] == pytest.approx(1.0, abs=0.05)


def test_scan_seeds_as_json(runner: CliRunner, seeds: Path) -> None:
    result = runner.invoke(main, ["scan", str(seeds), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["documents"], document["problems"]) == (6, [])
    assert [(m["a"], m["b"], m["kind"]) for m in document["matches"]] == [(*PAIR, "spun")]


def test_scan_seeds_as_csv(runner: CliRunner, seeds: Path) -> None:
    result = runner.invoke(main, ["scan", str(seeds), "--format", "csv"])
    assert result.exit_code == 1
    header, row = csv.reader(io.StringIO(result.stdout))
    assert header[:4] == ["a", "b", "kind", "score"]
    assert "skeleton_jaccard" in header
    assert row[:3] == [*PAIR, "spun"]


def test_scan_seeds_in_clusters(runner: CliRunner, seeds: Path) -> None:
    result = runner.invoke(main, ["scan", str(seeds), "--clusters", "--format", "jsonl"])
    assert result.exit_code == 1
    [group] = _jsonl(result.stdout)
    assert (group["ids"], group["kinds"]) == (list(PAIR), ["spun"])


def test_the_kind_filter_can_leave_nothing_and_exit_0(runner: CliRunner, seeds: Path) -> None:
    result = runner.invoke(main, ["scan", str(seeds), "--kind", "exact", "--kind", "partial"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "no duplicates among 6 documents\n",
        "",
    )


def test_a_high_threshold_leaves_nothing(runner: CliRunner, seeds: Path) -> None:
    args = ["scan", str(seeds), "--threshold", "0.99", "--passage-words", "0", "--clusters"]
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stdout) == (0, "no duplicates among 6 documents\n")


def test_a_long_copied_passage_is_reported_under_a_high_threshold(
    runner: CliRunner, seeds: Path
) -> None:
    # the seed pair shares over a thousand words: a passage, whatever --threshold says
    result = runner.invoke(main, ["scan", str(seeds), "--threshold", "0.99", "--format", "csv"])
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 2  # the header and the seed pair


# -- bad input: warnings, the rest is scanned --------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "warning"),
    [
        pytest.param("empty.txt", b"", "empty.txt: " + TOO_SHORT.format("no words"), id="empty"),
        pytest.param(
            "tiny.txt",
            b"Just three words.",
            "tiny.txt: " + TOO_SHORT.format("only 3 words"),
            id="tiny",
        ),
        pytest.param(
            "blob.bin",
            b"GIF89a\x01\x00\x01\x00\x00\xff",
            "{dir}/blob.bin: binary data (NUL bytes), not text",
            id="binary",
        ),
        pytest.param(
            "noise.dat",
            bytes(range(1, 32)) * 10,
            "{dir}/noise.dat: binary data (260 control characters in the first 310), not text",
            id="control-characters",
        ),
    ],
)
def test_an_unusable_file_is_a_warning_and_the_rest_is_scanned(
    runner: CliRunner, pair_dir: Path, name: str, data: bytes, warning: str
) -> None:
    (pair_dir / name).write_bytes(data)
    result = runner.invoke(main, ["scan", str(pair_dir), "--format", "jsonl"])
    assert result.exit_code == 1
    assert result.stderr == f"dedup: warning: {warning.format(dir=pair_dir)}\n"
    [match] = _jsonl(result.stdout)
    assert (match["a"], match["b"]) == ("original.txt", "spun.txt")


@pytest.mark.parametrize(
    "encoding",
    [
        pytest.param("utf-8-sig", id="utf8-bom"),
        pytest.param("cp1252", id="cp1252"),
        pytest.param("utf-16", id="utf16"),
    ],
)
def test_an_encoded_copy_is_an_exact_copy(
    runner: CliRunner, pair_dir: Path, original: Path, encoding: str
) -> None:
    text = original.read_text(encoding="utf-8")
    (pair_dir / "reencoded.txt").write_bytes(text.encode(encoding))
    result = runner.invoke(main, ["scan", str(pair_dir), "--format", "jsonl"])
    assert (result.exit_code, result.stderr) == (1, "")
    matches = {(m["a"], m["b"]): m["kind"] for m in _jsonl(result.stdout)}
    assert matches[("original.txt", "reencoded.txt")] == "exact"


def test_a_file_over_max_bytes_is_truncated_with_a_warning(
    runner: CliRunner, tmp_path: Path, original: Path, spun: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(original.read_bytes() * 3)
    result = runner.invoke(
        main, ["scan", str(big), str(spun), "--max-bytes", "12000", "--format", "jsonl"]
    )
    size = big.stat().st_size
    assert result.exit_code == 1
    assert result.stderr == (
        f"dedup: warning: {big}: truncated to the first 12,000 bytes (file is {size:,} bytes)\n"
    )
    [match] = _jsonl(result.stdout)
    assert (match["a"], match["b"], match["kind"]) == (*sorted([str(big), str(spun)]), "spun")


@pytest.mark.slow
def test_a_100_mb_file_is_read_only_up_to_max_bytes(
    runner: CliRunner, tmp_path: Path, original: Path, spun: Path
) -> None:
    big = tmp_path / "big.txt"
    chunk = original.read_bytes()
    with big.open("wb") as out:
        for _ in range(100_000_000 // len(chunk) + 1):
            out.write(chunk)
    size = big.stat().st_size
    result = runner.invoke(main, ["scan", str(big), str(spun), "--format", "jsonl"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"dedup: warning: {big}: truncated to the first 5,000,000 bytes (file is {size:,} bytes)\n"
    )
    [match] = _jsonl(result.stdout)
    assert (match["a"], match["b"]) == tuple(sorted([str(big), str(spun)]))


def test_malformed_json_lines_are_warnings_naming_file_and_line(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    original: Path,
    spun: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = [
        json.dumps({"id": "original", "text": original.read_text(encoding="utf-8")}),
        "not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "spun", "text": spun.read_text(encoding="utf-8")}),
        json.dumps({"id": "original", "text": "again"}),
    ]
    Path("data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["scan", "data.jsonl", "--format", "jsonl"])
    assert result.exit_code == 1
    assert result.stderr == (
        "dedup: warning: data.jsonl:2: not valid JSON (Expecting value at column 1)\n"
        'dedup: warning: data.jsonl:3: missing "text" or "html" field\n'
        "dedup: warning: data.jsonl:5: duplicate id 'original' (first read from "
        "data.jsonl:1), skipped\n"
    )
    [match] = _jsonl(result.stdout)
    assert (match["a"], match["b"], match["kind"]) == ("original", "spun", "spun")


def test_dash_reads_stdin(runner: CliRunner, original: Path, spun: Path) -> None:
    result = runner.invoke(
        main, ["scan", "-", str(spun), "--format", "jsonl"], input=original.read_bytes()
    )
    assert (result.exit_code, result.stderr) == (1, "")
    [match] = _jsonl(result.stdout)
    assert (match["a"], match["b"], match["kind"]) == ("-", str(spun), "spun")


def test_quiet_silences_warnings(runner: CliRunner, pair_dir: Path) -> None:
    (pair_dir / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["scan", "-q", str(pair_dir)])
    assert (result.exit_code, result.stderr) == (1, "")


def test_one_document_alone_is_no_duplicate(runner: CliRunner, original: Path) -> None:
    result = runner.invoke(main, ["scan", str(original)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "no duplicates among 1 document\n",
        "",
    )


# -- nothing could be read, usage errors: exit status 2 ----------------------------------


@pytest.mark.parametrize(
    ("args", "stdin", "warnings"),
    [
        pytest.param(
            ["missing.txt", "gone/"],
            b"",
            "dedup: warning: missing.txt: no such file or directory\n"
            "dedup: warning: gone/: no such file or directory\n",
            id="missing",
        ),
        pytest.param(
            ["-"], b"", f"dedup: warning: -: {TOO_SHORT.format('no words')}\n", id="empty-stdin"
        ),
        pytest.param(["empty-dir"], b"", "", id="empty-directory"),
    ],
)
def test_nothing_readable_is_an_error(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: bytes,
    warnings: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty-dir").mkdir()
    result = runner.invoke(main, ["scan", *args], input=stdin)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"{warnings}dedup: error: nothing to compare: no input could be read as a document\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--threshold", "1.5"],
            "dedup: error: threshold must be between 0 and 1, got 1.5\n",
            id="threshold",
        ),
        pytest.param(
            ["--max-bytes", "0"], "dedup: error: max_bytes must be at least 1, got 0\n", id="bytes"
        ),
    ],
)
def test_a_library_error_is_one_line_and_exit_2(
    runner: CliRunner, seeds: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["scan", str(seeds), *args])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param([], "Missing argument 'PATHS...'.", id="no-paths"),
        pytest.param(["x", "--format", "xml"], "Invalid value for '--format'", id="format"),
        pytest.param(["x", "--kind", "copy"], "Invalid value for '--kind'", id="kind"),
        pytest.param(["x", "--threshold", "high"], "Invalid value for '--threshold'", id="float"),
    ],
)
def test_a_usage_error_exits_2(runner: CliRunner, args: list[str], error: str) -> None:
    result = runner.invoke(main, ["scan", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: dedup scan [OPTIONS] PATHS...\n")
    assert error in result.stderr


# -- progress, version, help --------------------------------------------------------------


def test_progress_is_off_unless_stderr_is_a_terminal(runner: CliRunner, seeds: Path) -> None:
    assert runner.invoke(main, ["scan", str(seeds)]).stderr == ""


def test_progress_can_be_forced(runner: CliRunner, seeds: Path) -> None:
    # Off a terminal click draws no bar, only each phase's label.
    result = runner.invoke(main, ["scan", str(seeds), "--progress"])
    assert (result.exit_code, result.stderr) == (1, "fingerprinting\ncomparing\n")


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert (result.exit_code, result.stdout) == (0, "dedup, version 0.1.0\n")


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))


COMMANDS = list(_command_paths(main))


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(runner: CliRunner, path: tuple[str, ...]) -> None:
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: dedup {' '.join(path)} ")


def test_scan_help_documents_the_exit_status(runner: CliRunner) -> None:
    help_text = runner.invoke(main, ["scan", "--help"]).stdout
    assert "Exit status:\n    0  no copies found\n    1  copies found\n" in help_text


@pytest.mark.skipif(not README.exists(), reason="README.md is not written yet")
@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert f"dedup {' '.join(path)}" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        pytest.param(MemoryError(), 3, "dedup: error: out of memory", id="memory"),
        pytest.param(
            ZeroDivisionError("division by zero"),
            3,
            "dedup: error: internal error, a bug in dedup (ZeroDivisionError: division by zero)",
            id="bug",
        ),
        pytest.param(KeyboardInterrupt(), 130, "dedup: error: interrupted", id="ctrl-c"),
    ],
)
def test_a_crash_or_an_interrupt_is_never_exit_1(
    runner: CliRunner,
    seeds: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    status: int,
    message: str,
) -> None:
    # the failure is planted in the library, under the command line being tested
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("dedup.detector.Detector.scan", fail)
    result = runner.invoke(main, ["scan", str(seeds)])
    assert result.exit_code == status
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_a_real_scan_with_status_130(tmp_path: Path) -> None:
    import gzip
    import os
    import select
    import shutil
    import signal
    import subprocess
    import sys
    import time

    corpus = Path(__file__).resolve().parent.parent / "benchmarks/data/reuters-21578"
    data = tmp_path / "reuters.jsonl"
    with gzip.open(corpus / "reuters-21578.jsonl.gz", "rb") as f, data.open("wb") as out:
        shutil.copyfileobj(f, out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dedup.cli", "scan", "--progress", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
        # as at a terminal: a job started in the background by a script (CI) inherits
        # an ignored SIGINT, and Python then never turns Ctrl-C into KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    seen = b""  # wait for the scan itself, however slowly a busy machine starts it
    deadline = time.monotonic() + 120
    while b"fingerprinting" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 1.0)
        if ready:
            seen += os.read(proc.stderr.fileno(), 4096)
    assert b"fingerprinting" in seen, seen
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: to every process of the job
    _, rest = proc.communicate(timeout=60)
    err = seen + rest
    assert proc.returncode == 130, err.decode(errors="replace")[-2000:]
    assert b"dedup: error: interrupted" in err
    assert b"Traceback" not in err


def test_a_reader_that_stops_early_is_no_crash(tmp_path: Path, original: Path) -> None:
    import subprocess
    import sys

    for i in range(60):  # 1,770 exact pairs: more output than a pipe holds
        (tmp_path / f"{i}.txt").write_bytes(original.read_bytes())
    proc = subprocess.Popen(
        [sys.executable, "-m", "dedup.cli", "scan", str(tmp_path), "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 1)
    assert b"internal error" not in err
    assert b"Traceback" not in err


def test_web_pages_are_scanned_by_their_main_text(
    runner: CliRunner, tmp_path: Path, original: Path, spun: Path, original_page: str
) -> None:
    (tmp_path / "page.html").write_text(original_page, encoding="utf-8")
    (tmp_path / "spun.txt").write_text(spun.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(main, ["scan", str(tmp_path), "--format", "jsonl"])
    assert result.exit_code == 1, result.output
    (match,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (match["a"], match["b"], match["kind"], match["original"]) == (
        "page.html",
        "spun.txt",
        "spun",
        "page.html",
    )
    as_text = runner.invoke(main, ["scan", str(tmp_path), "--no-html", "--format", "jsonl"])
    assert as_text.exit_code == 0


def test_a_file_named_inside_a_directory_given_is_read_once(
    runner: CliRunner, seeds: Path, original: Path
) -> None:
    result = runner.invoke(main, ["scan", str(seeds), str(original), "--format", "jsonl"])
    assert result.exit_code == 1
    kinds = [json.loads(line)["kind"] for line in result.stdout.splitlines()]
    assert kinds == ["spun"]
    assert f"dedup: warning: {original}: already read as {seeds / original.name}, skipped" in (
        result.stderr
    )


def test_h_is_help(runner: CliRunner) -> None:
    for args in (["-h"], ["scan", "-h"], ["index", "add", "-h"], ["diff", "-h"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, args
        assert result.stdout.startswith("Usage: ")
