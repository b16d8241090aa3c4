"""Tests of ``dedup scan --report``: one HTML page with every pair and its word diff."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main

PAIR = ("001_0d986f3b99680e2b.txt", "002_332438ef7e52e727.txt")


class _Page(HTMLParser):
    """The index rows (cell texts) and the substitution marks of a report page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.marks: list[tuple[str, str]] = []  # (title, text)
        self.sections: list[str] = []
        self._cells: list[str] | None = None
        self._mark: str | None = None
        self._depth = 0  # inside the first table (the index)
        self._tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._tables += 1
        if tag == "tr" and self._tables == 1:
            self._cells = []
        elif tag == "td" and self._cells is not None:
            self._cells.append("")
        elif tag == "mark":
            self._mark = attributes.get("title") or ""
            self.marks.append((self._mark, ""))
        elif tag == "section":
            self.sections.append(attributes.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._cells:
            self.rows.append(self._cells)
            self._cells = None
        elif tag == "mark":
            self._mark = None

    def handle_data(self, data: str) -> None:
        if self._cells:
            self._cells[-1] += data
        if self._mark is not None:
            title, text = self.marks[-1]
            self.marks[-1] = (title, text + data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def test_report_lists_each_pair_with_its_diff(
    runner: CliRunner, seeds: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    result = runner.invoke(main, ["scan", str(seeds), "--report", str(report)])
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == runner.invoke(main, ["scan", str(seeds)]).stdout  # as without it
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n")
    parsed = _parse(page)
    [row] = parsed.rows
    assert row[:4] == ["1", *reversed(PAIR), "spun"]  # the original first
    score = json.loads(runner.invoke(main, ["scan", str(seeds), "--format", "json"]).stdout)
    assert row[4] == f"{score['matches'][0]['score']:.3f}"
    assert parsed.sections == ["diff-1"]
    assert page.count('<details class="pair kind-spun"><summary>') == 1  # collapsed
    assert page.count('<div id="pair-1"></div>') == 1  # the link target, inside it
    assert ("original: said", "pronounced") in parsed.marks  # the copy's side
    assert ("copy: pronounced", "said") in parsed.marks  # the original's side
    assert "002_332438ef7e52e727.txt looks like the original" in page


def test_report_follows_the_kind_filter_and_other_formats(
    runner: CliRunner, seeds: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    args = ["scan", str(seeds), "--clusters", "--format", "jsonl", "--report", str(report)]
    assert runner.invoke(main, args).exit_code == 1
    assert len(_parse(report.read_text(encoding="utf-8")).rows) == 1
    args = ["scan", str(seeds), "--kind", "exact", "--report", str(report)]
    assert runner.invoke(main, args).exit_code == 0
    parsed = _parse(report.read_text(encoding="utf-8"))
    assert (parsed.rows, parsed.sections) == ([], [])


def test_report_uses_the_ids_of_json_lines(
    runner: CliRunner, tmp_path: Path, original: Path, spun: Path
) -> None:
    data = tmp_path / "feed.jsonl"
    records = [
        {"id": "https://example.com/a?x=1&y=<2>", "text": original.read_text(encoding="utf-8")},
        {"id": "mirror <b>", "text": spun.read_text(encoding="utf-8")},
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = tmp_path / "report.html"
    assert runner.invoke(main, ["scan", str(data), "--report", str(report)]).exit_code == 1
    page = report.read_text(encoding="utf-8")
    [row] = _parse(page).rows
    assert row[1:4] == ["https://example.com/a?x=1&y=<2>", "mirror <b>", "spun"]
    assert "<b>" not in page
    assert "mirror &lt;b&gt;" in page


def test_an_unwritable_report_is_one_line_and_exit_2(
    runner: CliRunner, seeds: Path, tmp_path: Path
) -> None:
    report = tmp_path / "missing" / "report.html"
    result = runner.invoke(main, ["scan", str(seeds), "--report", str(report)])
    assert result.exit_code == 2
    assert result.stderr == f"dedup: error: {report}: cannot write: no such file or directory\n"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        pytest.param(
            "{dir}", "Invalid value for '--report': File '{dir}' is a directory.", id="dir"
        ),
        pytest.param(
            "-",
            "Invalid value for '--report': give a file name: stdout has the scan's own output",
            id="dash",
        ),
    ],
)
def test_report_must_be_a_file_name(
    runner: CliRunner, seeds: Path, tmp_path: Path, path: str, error: str
) -> None:
    result = runner.invoke(main, ["scan", str(seeds), "--report", path.format(dir=tmp_path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Usage: dedup scan [OPTIONS] PATHS...\n")
    assert result.stderr.endswith(f"Error: {error.format(dir=tmp_path)}\n")


def test_scan_help_mentions_the_report(runner: CliRunner) -> None:
    help_text = runner.invoke(main, ["scan", "--help"]).stdout
    assert "--report FILE" in help_text


def test_an_unwritable_report_fails_before_the_scan(
    runner: CliRunner, seeds: Path, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "dir" / "report.html"
    result = runner.invoke(main, ["scan", str(seeds), "--report", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"dedup: error: {target}: cannot write: no such file or directory\n"
    assert result.stdout == ""  # failed before scanning: nothing was reported
