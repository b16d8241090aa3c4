"""Tests of ``dedup diff``: formats, --output, colours, orientation and bad input."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from dedup.cli import main

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def command() -> ModuleType:
    """The command's module, imported to register ``dedup diff`` on ``main`` (until
    ``dedup.cli`` imports it). Imported when the tests run, not when they are
    collected, so the command lists other test modules collect do not depend on order.
    """
    return importlib.import_module("dedup.cli.diff")


@pytest.fixture
def pair(original: Path, spun: Path) -> list[str]:
    """The seed pair as arguments, the spun copy first: the CLI must turn it round."""
    return [str(spun), str(original)]


def _run(runner: CliRunner, *args: str, **kwargs: Any) -> tuple[int, str, str]:
    result = runner.invoke(main, ["diff", *args], **kwargs)
    return result.exit_code, result.stdout, result.stderr


# -- formats ------------------------------------------------------------------------------


def test_text_is_an_inline_diff_then_substitutions_and_summary(
    runner: CliRunner, pair: list[str], original: Path, spun: Path
) -> None:
    code, out, err = _run(runner, *pair)
    assert (code, err) == (1, "")
    assert "Kerry [said→pronounced]" in out
    assert f"== ¶2 of {original} dropped" in out
    lines = out.splitlines()
    table = lines.index(f"Substitutions ({original} → {spun})")
    assert lines[table + 1].split() == ["59", "the", "→", "a"]
    summary = lines.index("Summary")
    assert lines[summary + 1 : summary + 3] == [
        f"  original: {original}, copy: {spun}",
        f"  {original} looks like the original (confidence 1.00, 146 voting substitution pairs)",
    ]
    assert lines[-1] == "  spin score: 0.89"
    assert out.endswith("\n")
    assert not ANSI.search(out), "no colours when stdout is not a terminal"


def test_either_order_finds_the_same_original(
    runner: CliRunner, pair: list[str], original: Path
) -> None:
    forward = json.loads(_run(runner, *pair, "--format", "json")[1])
    backward = json.loads(_run(runner, *reversed(pair), "--format", "json")[1])
    assert forward["original"]["name"] == backward["original"]["name"] == str(original)
    assert (forward["swapped"], backward["swapped"]) == (True, False)
    # The word alignment breaks ties by position, so only the frequent swaps must agree.
    assert forward["substitutions"][:10] == backward["substitutions"][:10]


def test_json_is_the_whole_report(runner: CliRunner, pair: list[str], spun: Path) -> None:
    code, out, err = _run(runner, *pair, "--format", "json")
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert set(data) == {
        "original", "copy", "swapped", "direction", "summary", "substitutions",
        "original_paragraphs", "copy_paragraphs", "dropped", "added", "moved", "matches",
    }  # fmt: skip
    assert data["copy"] == {"name": str(spun), "text": spun.read_text(encoding="utf-8")}
    assert data["substitutions"][0] == {"original": "the", "replacement": "a", "count": 59}
    assert {"original": "said", "replacement": "pronounced", "count": 7} in data["substitutions"]
    assert data["summary"]["substitutions"] == 271


def test_html_is_one_self_contained_page(
    runner: CliRunner, pair: list[str], original: Path, spun: Path
) -> None:
    code, out, err = _run(runner, *pair, "--format", "html")
    assert (code, err) == (1, "")
    assert out.startswith("<!DOCTYPE html>\n")
    assert out.endswith("</html>\n")
    assert f"<title>dedup diff: {spun} ↔ {original}</title>" in out
    assert '<mark class="sub" title="original: said">pronounced</mark>' in out
    assert "<script" not in out
    assert "src=" not in out


# -- --output and colours -------------------------------------------------------------------


@pytest.mark.parametrize("format_", ["text", "json", "html"])
def test_output_writes_the_same_to_a_file(
    runner: CliRunner, pair: list[str], tmp_path: Path, format_: str
) -> None:
    target = tmp_path / f"diff.{format_}"
    code, out, err = _run(runner, *pair, "--format", format_, "--output", str(target))
    assert (code, out, err) == (1, "", "")
    assert target.read_text(encoding="utf-8") == _run(runner, *pair, "--format", format_)[1]


def test_output_never_gets_colours(runner: CliRunner, pair: list[str], tmp_path: Path) -> None:
    target = tmp_path / "diff.txt"
    assert _run(runner, *pair, "-o", str(target), color=True)[0] == 1
    assert not ANSI.search(target.read_text(encoding="utf-8"))


def test_text_is_coloured_on_a_terminal(runner: CliRunner, pair: list[str]) -> None:
    # color=True makes click treat stdout as a terminal.
    out = _run(runner, *pair, color=True)[1]
    assert "Kerry \x1b[33m\x1b[1m[said→pronounced]\x1b[0m" in out
    assert "\x1b[36m\x1b[1mSummary\x1b[0m" in out
    assert ANSI.sub("", out) == _run(runner, *pair)[1]


def test_no_color_turns_colours_off(runner: CliRunner, pair: list[str]) -> None:
    code, out, _ = _run(runner, *pair, "--no-color", color=True)
    assert code == 1
    assert not ANSI.search(out)
    assert "Kerry [said→pronounced]" in out


def test_stdin_can_be_one_side(runner: CliRunner, original: Path, spun: Path) -> None:
    code, out, err = _run(runner, "-", str(spun), "--format", "json", input=original.read_bytes())
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert (data["original"]["name"], data["copy"]["name"]) == ("-", str(spun))


def test_an_empty_file_is_all_inserted(runner: CliRunner, tmp_path: Path, original: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = _run(runner, str(empty), str(original), "--format", "json")
    assert (code, err) == (1, "")
    summary = json.loads(out)["summary"]
    assert (summary["original_words"], summary["inserted"]) == (0, 1.0)


def test_an_encoded_file_is_decoded(runner: CliRunner, tmp_path: Path, original: Path) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(original.read_text(encoding="utf-8").encode("cp1252"))
    code, out, _ = _run(runner, str(legacy), str(original), "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"]["verbatim"] == 1.0


# -- bad input: one line on stderr, exit status 2 ------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        pytest.param("missing.txt", None, "{path}: no such file or directory", id="missing"),
        pytest.param("folder", "dir", "{path}: is a directory, not a text file", id="directory"),
        pytest.param(
            "blob.bin",
            b"GIF89a\x01\x00\x01\x00\x00\xff",
            "{path}: binary data (NUL bytes), not text",
            id="binary",
        ),
        pytest.param(
            "noise.dat",
            bytes(range(1, 32)) * 10,
            "{path}: binary data (260 control characters in the first 310), not text",
            id="control-characters",
        ),
    ],
)
@pytest.mark.parametrize("side", [0, 1], ids=["a", "b"])
def test_unreadable_input_is_one_line_and_exit_2(
    runner: CliRunner,
    tmp_path: Path,
    original: Path,
    name: str,
    data: bytes | str | None,
    message: str,
    side: int,
) -> None:
    path = tmp_path / name
    if data == "dir":
        path.mkdir()
    elif isinstance(data, bytes):
        path.write_bytes(data)
    args = [str(original), str(original)]
    args[side] = str(path)
    code, out, err = _run(runner, *args)
    assert (code, out) == (2, "")
    assert err == f"dedup: error: {message.format(path=path)}\n"


def test_a_file_over_the_byte_limit_is_refused(
    runner: CliRunner, original: Path, monkeypatch: pytest.MonkeyPatch, command: ModuleType
) -> None:
    monkeypatch.setattr(command, "MAX_BYTES", 1000)
    code, out, err = _run(runner, str(original), str(original))
    assert (code, out) == (2, "")
    assert err == f"dedup: error: {original}: longer than 1,000 bytes; give a shorter text\n"


def test_stdin_twice_is_refused(runner: CliRunner) -> None:
    assert _run(runner, "-", "-", input=b"Some text.") == (
        2,
        "",
        "dedup: error: only one of A and B can be - (stdin)\n",
    )


def test_an_unwritable_output_is_one_line_and_exit_2(
    runner: CliRunner, pair: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "dir" / "diff.html"
    code, out, err = _run(runner, *pair, "--output", str(target))
    assert (code, out) == (2, "")
    assert err == f"dedup: error: {target}: cannot write: no such file or directory\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param([], "Missing argument 'A'.", id="no-files"),
        pytest.param(["a.txt"], "Missing argument 'B'.", id="one-file"),
        pytest.param(["a.txt", "b.txt", "c.txt"], "Got unexpected extra argument", id="three"),
        pytest.param(["a", "b", "--format", "xml"], "Invalid value for '--format'", id="format"),
    ],
)
def test_a_usage_error_exits_2(runner: CliRunner, args: list[str], error: str) -> None:
    code, out, err = _run(runner, *args)
    assert (code, out) == (2, "")
    assert err.startswith("Usage: dedup diff [OPTIONS] A B\n")
    assert error in err


def test_help_documents_formats_and_exit_status(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "--help")
    assert code == 0
    assert out.startswith("Usage: dedup diff [OPTIONS] A B\n")
    assert "Exit status, as diff(1):\n    0  the texts are the same" in out
    assert "1  they differ\n    2  usage error" in out
    assert "--format [text|json|html]" in out
    assert "-o, --output FILE" in out
    assert "--no-color" in out


def test_the_exit_status_says_whether_the_texts_are_the_same(
    runner: CliRunner, tmp_path: Path, original: Path
) -> None:
    retyped = tmp_path / "retyped.txt"  # other quotes, case and spacing: the same words
    retyped.write_text(original.read_text(encoding="utf-8").replace("’", "'").upper())
    assert _run(runner, str(original), str(retyped))[0] == 0
    assert _run(runner, str(original), str(original))[0] == 0


def test_no_original_is_named_without_evidence(runner: CliRunner, seeds: Path) -> None:
    unrelated = [str(next(seeds.glob(f"{n}_*.txt"))) for n in ("000", "002")]
    code, out, _ = _run(runner, *unrelated)
    assert code == 1
    assert "which text is the original cannot be told" in out
    assert "looks like the original" not in out
    data = json.loads(_run(runner, *unrelated, "--format", "json")[1])
    assert data["direction"]["decided"] is False


def test_the_spun_seed_names_its_original(runner: CliRunner, pair: list[str]) -> None:
    out = _run(runner, *pair)[1]
    assert "looks like the original" in out


def test_no_color_in_the_environment_turns_colours_off(
    runner: CliRunner, pair: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(_run(runner, *pair, color=True)[1])


def test_color_always_colours_a_pipe_too(runner: CliRunner, pair: list[str]) -> None:
    code, out, _ = _run(runner, *pair, "--color", "always")  # not a terminal
    assert code == 1
    assert "Kerry \x1b[33m\x1b[1m[said→pronounced]\x1b[0m" in out
    assert not ANSI.search(_run(runner, *pair, "--color", "never", color=True)[1])


def test_a_web_page_is_compared_by_its_main_text(
    runner: CliRunner, tmp_path: Path, original: Path, original_page: str
) -> None:
    page = tmp_path / "page.html"
    page.write_text(original_page, encoding="utf-8")
    _code, out, _ = _run(runner, str(original), str(page))
    assert "<!DOCTYPE" not in out
    assert "<script" not in out
    assert "{+" not in out.split("Summary")[0] or out.count("{+") < 5  # chrome is gone
    as_text = _run(runner, str(original), str(page), "--no-html")[1]
    assert "DOCTYPE" in as_text
    # a page under another name is still read as one, by how it starts
    renamed = tmp_path / "page.txt"
    renamed.write_text(original_page, encoding="utf-8")
    assert _run(runner, str(original), str(renamed))[1] == out.replace(str(page), str(renamed))


def test_unified_shows_only_what_changed_with_context(
    runner: CliRunner, tmp_path: Path, original: Path
) -> None:
    text = original.read_text(encoding="utf-8")
    light = tmp_path / "light.txt"
    light.write_text(text.replace("mounting", "growing", 1), encoding="utf-8")
    full = _run(runner, str(original), str(light))[1]
    code, brief, _ = _run(runner, str(original), str(light), "-U", "1")
    assert code == 1
    assert "[mounting→growing]" in brief or "[growing→mounting]" in brief
    assert brief.count("== ¶") == 3  # the changed paragraph and one either side
    assert "unchanged paragraphs" in brief
    assert len(brief) < len(full) / 5
    assert brief.split("Substitutions")[1] == full.split("Substitutions")[1]
