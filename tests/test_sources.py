from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from madeup_texts import HOSTILE_JSON_LINES

from dedup.detector import Document
from dedup.errors import OptionsError
from dedup.model import Problem
from dedup.sources import read


def _read(*paths: Path | str, stdin: bytes = b"", max_bytes: int = 5_000_000) -> list[object]:
    return list(read([str(p) for p in paths], stdin=io.BytesIO(stdin), max_bytes=max_bytes))


def _jsonl(path: Path, *lines: object) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


# -- files, directories, stdin ----------------------------------------------------------


def test_a_file_given_directly_is_named_as_given(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text.", encoding="utf-8")
    assert _read(tmp_path / "a.txt") == [Document(str(tmp_path / "a.txt"), "Some text.")]


def test_a_directory_is_walked_sorted_with_relative_ids_and_no_hidden_entries(
    tmp_path: Path,
) -> None:
    for name in ["b.txt", "a.txt", "sub/c.txt", "sub/deeper/d.txt", ".hidden.txt", ".git/e"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    items = _read(tmp_path)
    assert items == [
        Document("a.txt", "a.txt"),
        Document("b.txt", "b.txt"),
        Document("sub/c.txt", "sub/c.txt"),
        Document("sub/deeper/d.txt", "sub/deeper/d.txt"),
    ]


def test_symlinked_directories_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert _read(tmp_path) == [
        Document("a.txt", "A."),
        Problem(str(tmp_path / "loop"), "symbolic link, not followed (name it to read it)"),
    ]


def test_dash_reads_stdin_as_one_plain_text_document() -> None:
    assert _read("-", stdin=b'{"id": "x", "text": "y"}') == [
        Document("-", '{"id": "x", "text": "y"}')
    ]


def test_stdin_defaults_to_the_process_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(b"From the pipe.")

    monkeypatch.setattr("sys.stdin", FakeStdin())
    assert list(read(["-"])) == [Document("-", "From the pipe.")]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param("naïve café".encode("utf-8-sig"), "naïve café", id="utf8-bom"),
        pytest.param("naïve café".encode(), "naïve café", id="utf8"),
        pytest.param("“it’s” – done".encode("cp1252"), "“it’s” – done", id="cp1252"),
        pytest.param(b"", "", id="empty"),
    ],
)
def test_text_is_decoded(tmp_path: Path, data: bytes, text: str) -> None:
    (tmp_path / "f.txt").write_bytes(data)
    assert _read(tmp_path) == [Document("f.txt", text)]


def test_bad_paths_become_problems_and_reading_goes_on(tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "ok.txt").write_text("Fine.", encoding="utf-8")
    items = _read(tmp_path / "missing.txt", tmp_path)
    assert items == [
        Problem(str(tmp_path / "missing.txt"), "no such file or directory"),
        Problem(str(tmp_path / "blob.bin"), "binary data (NUL bytes), not text"),
        Document("ok.txt", "Fine."),
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("Secret.", encoding="utf-8")
    locked.chmod(0)
    try:
        assert _read(locked) == [Problem(str(locked), "cannot read: permission denied")]
    finally:
        locked.chmod(0o644)


def test_an_error_while_opening_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: str) -> io.BytesIO:
        raise PermissionError(13, "Permission denied", path)

    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    monkeypatch.setattr("dedup.sources._open", refuse)
    assert _read(tmp_path) == [Problem(str(tmp_path / "a.txt"), "cannot read: permission denied")]


def test_the_same_id_twice_is_a_problem(tmp_path: Path) -> None:
    for name in ["one", "two"]:
        (tmp_path / f"{name}.jsonl").write_text(
            json.dumps({"id": "a", "text": name}) + "\n", encoding="utf-8"
        )
    assert _read(tmp_path / "one.jsonl", tmp_path / "two.jsonl") == [
        Document("a", "one"),
        Problem(
            f"{tmp_path / 'two.jsonl'}:1",
            f"duplicate id 'a' (first read from {tmp_path / 'one.jsonl'}:1), skipped",
        ),
    ]


def test_the_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    path = str(tmp_path / "a.txt")
    assert _read(path, path) == [
        Document(path, "A."),
        Problem(path, f"already read as {path}, skipped"),
    ]


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    """A directory and a file inside it: the file is not its own exact copy."""
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    path = str(tmp_path / "a.txt")
    assert _read(tmp_path, path) == [
        Document("a.txt", "A."),
        Problem(path, f"already read as {path}, skipped"),
    ]


# -- size limit -------------------------------------------------------------------------


def test_a_long_file_is_cut_at_whitespace_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("alpha beta gamma delta", encoding="utf-8")
    assert _read(tmp_path, max_bytes=13) == [
        Document("long.txt", "alpha beta"),
        Problem(str(tmp_path / "long.txt"), "truncated to the first 13 bytes (file is 22 bytes)"),
    ]


def test_a_cut_never_splits_a_utf8_character(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("é é é é", encoding="utf-8")  # 2 bytes each
    [doc, _] = _read(tmp_path, max_bytes=8)
    assert doc == Document("long.txt", "é é")


def test_a_file_of_exactly_max_bytes_is_not_truncated(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("12345", encoding="utf-8")
    assert _read(tmp_path, max_bytes=5) == [Document("a.txt", "12345")]


def test_long_stdin_is_truncated_without_a_size() -> None:
    assert _read("-", stdin=b"one two three", max_bytes=9) == [
        Document("-", "one two"),
        Problem("-", "truncated to the first 9 bytes (input is longer)"),
    ]


def test_max_bytes_is_checked_at_once() -> None:
    with pytest.raises(OptionsError, match="max_bytes must be at least 1, got 0"):
        read(["-"], max_bytes=0)


# -- JSON lines -------------------------------------------------------------------------


def test_each_json_line_is_a_document_named_by_its_id(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "data.jsonl", {"id": "a", "text": "A."}, "", {"id": 7, "text": "B."})
    assert _read(path) == [Document("a", "A."), Document("7", "B.")]


def test_a_jsonl_file_in_a_directory_is_read_by_line(tmp_path: Path) -> None:
    _jsonl(tmp_path / "data.jsonl", {"id": "a", "text": "A."})
    assert _read(tmp_path) == [Document("a", "A.")]


def test_a_jsonl_file_may_start_with_a_bom(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_bytes('{"id": "a", "text": "A."}\n'.encode("utf-8-sig"))
    assert _read(tmp_path) == [Document("a", "A.")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("not json", "not valid JSON (Expecting value at column 1)", id="not-json"),
        pytest.param(
            '{"id": "x", ',
            "not valid JSON (Expecting property name enclosed in double quotes at column 13)",
            id="cut-short",
        ),
        pytest.param([1, 2], 'expected a JSON object with an "id", got an array', id="array"),
        *(pytest.param(line, message, id=name) for name, line, message in HOSTILE_JSON_LINES),
        pytest.param({"text": "T."}, 'missing "id" field', id="no-id"),
        pytest.param({"id": "x"}, 'missing "text" or "html" field', id="no-text"),
        pytest.param(
            {"id": None, "text": "T."},
            '"id" must be a string or an integer, got null',
            id="null-id",
        ),
        pytest.param(
            {"id": True, "text": "T."},
            '"id" must be a string or an integer, got a boolean',
            id="bool-id",
        ),
        pytest.param(
            {"id": 1.5, "text": "T."},
            '"id" must be a string or an integer, got a number',
            id="float-id",
        ),
        pytest.param(
            {"id": "x", "text": ["T."]}, '"text" must be a string, got an array', id="list-text"
        ),
        pytest.param(
            {"id": "x", "text": {"a": 1}},
            '"text" must be a string, got an object',
            id="object-text",
        ),
        pytest.param(
            {"id": "first", "text": "again"},
            "duplicate id 'first' (first read from data.jsonl:1), skipped",
            id="duplicate",
        ),
    ],
)
def test_a_bad_json_line_is_a_problem_naming_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: object, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _jsonl(tmp_path / "data.jsonl", {"id": "first", "text": "1."}, line, {"id": "z", "text": "3."})
    assert _read("data.jsonl") == [
        Document("first", "1."),
        Problem("data.jsonl:2", message),
        Document("z", "3."),
    ]


def test_a_lone_surrogate_in_a_text_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "caf\\ud800 au lait"}\n')
    assert _read(tmp_path) == [Document("a", "caf\ufffd au lait")]


def test_a_json_line_over_max_bytes_is_skipped_and_the_next_is_read(tmp_path: Path) -> None:
    record = {"id": "big", "text": "word " * 100}
    path = _jsonl(tmp_path / "data.jsonl", record, {"id": "small", "text": "Small."})
    assert _read(path, max_bytes=60) == [
        Problem(f"{path}:1", "line longer than 60 bytes, skipped"),
        Document("small", "Small."),
    ]


def test_a_binary_json_line_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_bytes(b'\x00\x01\x02\n{"id": "a", "text": "A."}\n')
    assert _read(tmp_path) == [
        Problem(f"{tmp_path / 'data.jsonl'}:1", "binary data (NUL bytes), not text"),
        Document("a", "A."),
    ]


def test_two_directories_with_the_same_layout_keep_both_files(tmp_path: Path) -> None:
    for site in ("site1", "site2"):
        (tmp_path / site).mkdir()
        (tmp_path / site / "story.txt").write_text(f"text of {site}", encoding="utf-8")
    got = list(read([str(tmp_path / "site1"), str(tmp_path / "site2")]))
    assert [item.id for item in got if isinstance(item, Document)] == [
        "story.txt",
        (tmp_path / "site2" / "story.txt").as_posix(),
    ]


def test_links_and_special_files_in_a_directory_are_problems_not_crashes(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "a.txt").write_text("A page.", encoding="utf-8")
    (folder / "loop").symlink_to("loop")  # a link to itself
    (folder / "up").symlink_to("..")  # a link to a directory above
    (folder / "b.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("Outside.", encoding="utf-8")
    os.mkfifo(folder / "pipe")
    not_followed = "symbolic link, not followed (name it to read it)"
    assert _read(folder) == [
        Document("a.txt", "A page."),
        Problem(f"{folder}/b.txt", not_followed),
        Problem(f"{folder}/loop", not_followed),
        Problem(f"{folder}/pipe", "not a regular file (a FIFO, socket or device)"),
        Problem(f"{folder}/up", not_followed),
    ]
    # a link named directly is read
    assert _read(folder / "b.txt") == [Document(f"{folder}/b.txt", "Outside.")]


def test_a_fifo_named_with_nobody_writing_reads_as_empty_and_does_not_hang(
    tmp_path: Path,
) -> None:
    os.mkfifo(tmp_path / "pipe")
    assert _read(tmp_path / "pipe") == [Document(str(tmp_path / "pipe"), "")]


def test_a_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)

    def write() -> None:
        with open(pipe, "wb") as f:
            f.write(b"Through a pipe.")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        import time

        time.sleep(0.5)  # the writer is waiting at open (it blocks there until a reader comes)
        assert _read(pipe) == [Document(str(pipe), "Through a pipe.")]
    finally:
        writer.join(timeout=5)
