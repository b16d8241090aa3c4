"""The HTML pages in a real browser: headless Chromium loads what ``dedup diff --format
html`` and ``dedup scan --report`` write.

* Article text and document names are untrusted: pages built from texts, file names
  and ids full of markup must run no script and show the markup as text.
* The seed pair's page must render (a screenshot of it) with its substitutions marked.

Chromium is driven with plain subprocess calls (``--dump-dom``, ``--screenshot``); it
comes from the Debian package ``chromium`` (``.ci/run`` installs it). Without it the
tests are skipped, and say so.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main

TITLE_PAYLOAD = "<script>document.title='PWNED'</script>"
IMG_PAYLOAD = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
LINK_PAYLOAD = "<a href=\"javascript:document.body.setAttribute('data-pwned','1')\">read more</a>"
ATTRIBUTE_PAYLOAD = "\"><svg onload=document.body.setAttribute('data-pwned','1')>"
PAYLOADS = [TITLE_PAYLOAD, IMG_PAYLOAD, LINK_PAYLOAD, ATTRIBUTE_PAYLOAD]

# What the pages may contain: the renderers' own markup, nothing active.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "section", "details", "summary",
    "h1", "h2", "h3", "p",
    "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "span", "mark", "del",
    "ins", "a", "input", "label", "ul", "li", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "lang", "charset", "class", "id", "title", "href", "open", "http-equiv", "content",
    "type", "name", "for", "checked",
}  # fmt: skip

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# -- driving Chromium -------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable; the module is skipped when there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.access("/usr/bin/chromium", os.X_OK):
        found = "/usr/bin/chromium"
    if found is None:
        pytest.skip(
            "Chromium is not installed (apt-get install chromium), so the pages "
            "cannot be checked in a real browser"
        )
    return found


class Browser:
    """Runs headless Chromium once per call, each in its own profile directory."""

    def __init__(self, executable: str, workdir: Path) -> None:
        self._executable = executable
        self._workdir = workdir
        self._runs = 0

    def _run(self, *args: str) -> str:
        self._runs += 1
        profile = self._workdir / f"profile-{self._runs}"
        command = [self._executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        # Its own process group, so the renderer and helper processes go with it.
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        ) as process:
            try:
                out, err = process.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                pytest.fail(f"chromium did not finish in 120 s: {' '.join(command)}")
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        if process.returncode != 0:
            pytest.fail(
                f"chromium exited with {process.returncode}: "
                f"{err.decode('utf-8', 'replace')[-2000:]}"
            )
        return out.decode("utf-8")

    def dom(self, page: Path, fragment: str = "") -> str:
        """The page's DOM after loading it (at ``#fragment``, if given) and running
        whatever scripts it has."""
        return self._run("--dump-dom", page.as_uri() + (f"#{fragment}" if fragment else ""))

    def screenshot(self, page: Path, png: Path, fragment: str = "") -> None:
        """A 1400x2000 screenshot of the page (scrolled to ``#fragment``, if given)."""
        uri = page.as_uri() + (f"#{fragment}" if fragment else "")
        self._run(f"--screenshot={png}", "--window-size=1400,2000", uri)


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Browser:
    return Browser(chromium, tmp_path)


class _Dom(HTMLParser):
    """The elements, attributes and visible text of a dumped DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []  # (tag, name, value)
        self.title = ""
        self.body: dict[str, str | None] = {}
        self.text: list[str] = []  # text inside <body>
        self.marks: list[tuple[str | None, str]] = []  # (title attribute, text)
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)
        if tag == "body":
            self.body = dict(attrs)
        if tag == "mark":
            self.marks.append((dict(attrs).get("title"), ""))
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self._in:
            if self._in.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if "title" in self._in:
            self.title += data
        elif "body" in self._in:
            self.text.append(data)
            if "mark" in self._in:
                title, text = self.marks[-1]
                self.marks[-1] = (title, text + data)

    @property
    def visible(self) -> str:
        return "".join(self.text)


def _parse(dom: str) -> _Dom:
    parser = _Dom()
    parser.feed(dom)
    parser.close()
    return parser


def _assert_inert(dom: _Dom, *, title: str) -> None:
    """No script ran, and the page holds nothing that could run one."""
    assert dom.title == title, "a script changed the title"
    assert "data-pwned" not in dom.body, "a script changed the body"
    assert set(dom.tags) <= ALLOWED_TAGS, set(dom.tags) - ALLOWED_TAGS
    for tag, name, value in dom.attributes:
        assert name in ALLOWED_ATTRIBUTES, (tag, name, value)
        if name == "href":
            assert (value or "").startswith("#"), (tag, name, value)


# -- the browser really runs scripts: without this, "no script ran" proves nothing --------


def test_the_browser_runs_scripts(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><title>control</title></head><body>{TITLE_PAYLOAD}"
        f"{ATTRIBUTE_PAYLOAD}</body></html>",
        encoding="utf-8",
    )
    dom = _parse(browser.dom(page))
    assert dom.title == "PWNED"
    assert dom.body.get("data-pwned") == "1"


# -- untrusted text and names --------------------------------------------------------------


REWRITE = "The minister said the {} was accurate and complete in every detail today."


def _hostile_pair(original: Path, spun: Path) -> tuple[str, str]:
    """The seed pair with markup in a kept, a substituted, a rewritten (so in a
    ``title`` attribute), an added and a dropped paragraph."""
    head = f"Officials said {TITLE_PAYLOAD} appeared on the page of the ministry today."
    original_text = "\n\n".join(
        [
            head,
            original.read_text(encoding="utf-8"),
            f"The army said the {IMG_PAYLOAD} image was posted by the ministry.",
            REWRITE.format("long report"),
            f"A caption the copy dropped: {LINK_PAYLOAD} and more words here.",
        ]
    )
    copy_text = "\n\n".join(
        [
            head,
            spun.read_text(encoding="utf-8"),
            f"The infantry pronounced the {IMG_PAYLOAD} image was posted by the ministry.",
            REWRITE.format(f"x{ATTRIBUTE_PAYLOAD} y"),
            f"A paragraph the copy added, {ATTRIBUTE_PAYLOAD} with its own words.",
        ]
    )
    return original_text, copy_text


def _assert_shown_as_text(dom: _Dom) -> None:
    """Every payload is on the page as text, and one survived a ``title`` attribute."""
    for payload in PAYLOADS:
        assert payload in dom.visible, payload
    titles = [value or "" for tag, name, value in dom.attributes if name == "title"]
    assert any(ATTRIBUTE_PAYLOAD.rstrip(">") in title for title in titles)


@pytest.fixture
def hostile_files(tmp_path: Path, original: Path, spun: Path) -> tuple[Path, Path]:
    """The hostile pair in files whose paths hold markup (a ``/`` in a payload makes a
    directory: the path as a whole still reads as the payload)."""
    original_text, copy_text = _hostile_pair(original, spun)
    first = tmp_path / f"{TITLE_PAYLOAD}.txt"
    second = tmp_path / "feed" / f"{ATTRIBUTE_PAYLOAD} {IMG_PAYLOAD}.txt"
    for path, text in ((first, original_text), (second, copy_text)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return first, second


def test_the_pages_policy_forbids_scripts_that_escaped_the_escaping(
    browser: Browser, tmp_path: Path
) -> None:
    """Defence in depth: the pages' Content-Security-Policy stops a script even where a
    bug let one through unescaped (the page below puts it there on purpose)."""
    from dedup.render.diff import page

    body = (
        "<p id=x>before</p><script>document.body.setAttribute('data-pwned','1')</script>"
        "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">"
    )
    file = tmp_path / "unsafe.html"
    file.write_text(page("policy", body), encoding="utf-8")
    dom = _parse(browser.dom(file))
    assert "data-pwned" not in dom.body
    assert "before" in " ".join(dom.text)


def test_diff_page_runs_no_script_from_text_or_names(
    browser: Browser, runner: CliRunner, tmp_path: Path, hostile_files: tuple[Path, Path]
) -> None:
    import dedup.cli.diff  # noqa: F401  registers the command (until dedup.cli imports it)

    first, second = hostile_files
    page = tmp_path / "diff.html"
    args = ["diff", str(second), str(first), "--format", "html", "--output", str(page)]
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stderr) == (1, "")  # 1: the texts differ

    dom = _parse(browser.dom(page))
    _assert_inert(dom, title=f"dedup diff: {second} ↔ {first}")
    _assert_shown_as_text(dom)
    assert str(first) in dom.visible  # the names too
    assert str(second) in dom.visible
    assert ("original: said", "pronounced") in dom.marks


def test_scan_report_runs_no_script_from_text_or_ids(
    browser: Browser, runner: CliRunner, tmp_path: Path, original: Path, spun: Path
) -> None:
    original_text, copy_text = _hostile_pair(original, spun)
    feed = tmp_path / "feed.jsonl"
    records = [
        {"id": f"{TITLE_PAYLOAD} {LINK_PAYLOAD}", "text": original_text},
        {"id": f"{ATTRIBUTE_PAYLOAD}{IMG_PAYLOAD}", "text": copy_text},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    page = tmp_path / "report.html"
    result = runner.invoke(main, ["scan", str(feed), "--report", str(page)])
    assert (result.exit_code, result.stderr) == (1, "")

    dom = _parse(browser.dom(page))
    _assert_inert(dom, title="dedup scan")
    _assert_shown_as_text(dom)
    for record in records:
        assert record["id"] in dom.visible
    assert ("original: said", "pronounced") in dom.marks


# -- the seed pair's page --------------------------------------------------------------------


@pytest.fixture
def seed_page(runner: CliRunner, tmp_path: Path, original: Path, spun: Path) -> Path:
    import dedup.cli.diff  # noqa: F401  registers the command (until dedup.cli imports it)

    page = tmp_path / "seed.html"
    args = ["diff", str(original), str(spun), "--format", "html", "-o", str(page)]
    assert runner.invoke(main, args).exit_code == 1  # the texts differ
    return page


def _png_size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_seed_pair_page_renders(browser: Browser, seed_page: Path, tmp_path: Path) -> None:
    png = tmp_path / "seed.png"
    browser.screenshot(seed_page, png)
    assert _png_size(png) == (1400, 2000)
    # A blank page compresses to a few kilobytes; this one is dense text and colour.
    assert png.stat().st_size > 100_000


def test_seed_pair_page_marks_the_substitutions(
    browser: Browser, seed_page: Path, original: Path, spun: Path
) -> None:
    dom = _parse(browser.dom(seed_page))
    _assert_inert(dom, title=f"dedup diff: {original} ↔ {spun}")
    copy_side = [(title, text) for title, text in dom.marks if title and title.startswith("orig")]
    # Each substitution is marked once on each side, the other side's words on hover.
    assert len(copy_side) == len(dom.marks) // 2 == 271
    assert copy_side.count(("original: said", "pronounced")) == 7
    assert copy_side.count(("original: military", "infantry")) == 6
    assert ("original: more", "some-more") in copy_side
    assert ("copy: pronounced", "said") in dom.marks
    assert "002_332438ef7e52e727.txt looks like the original" in dom.visible


# -- the scan's review page ------------------------------------------------------------------


def _report(runner: CliRunner, tmp_path: Path, *files: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for file in files:
        (folder / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    page = tmp_path / "report.html"
    result = runner.invoke(main, ["scan", str(folder), "--report", str(page)])
    assert result.exit_code in (0, 1), result.output
    return page


def test_the_review_page_of_the_seed_pair(
    browser: Browser, runner: CliRunner, tmp_path: Path, original: Path, spun: Path
) -> None:
    """A header with the counts, a legend, a filter, the original named first; a link
    to ``#pair-1`` opens the pair, whose substitutions come before the diff."""
    page = _report(runner, tmp_path, original, spun)
    dom = _parse(browser.dom(page))
    _assert_inert(dom, title="dedup scan")
    visible = dom.visible
    assert "2 documents · threshold 0.15 · 1 pair (1 spun)" in visible
    assert "a word the copy swapped" in visible  # the legend
    assert "spun (1)" in visible  # the filter
    index = visible.index("original")
    assert visible.index(original.name, index) < visible.index(spun.name, index)
    closed = browser.dom(page)
    assert re.search(r'<details class="pair kind-spun">', closed)  # collapsed at first
    opened = browser.dom(page, fragment="pair-1")
    assert re.search(r'<details class="pair kind-spun" open="">', opened)
    section = opened[opened.index("<details") :]
    assert section.index("Substitutions") < section.index('<table class="diff"')
    png = tmp_path / "report.png"
    browser.screenshot(page, png, fragment="pair-1")
    assert _png_size(png) == (1400, 2000)
    assert png.stat().st_size > 60_000  # the opened pair: tables of text, not a blank page


def test_the_review_page_with_no_pairs_says_so(
    browser: Browser, runner: CliRunner, tmp_path: Path, seeds: Path
) -> None:
    page = _report(runner, tmp_path, *sorted(seeds.glob("00[04]_*.txt")))
    dom = _parse(browser.dom(page))
    _assert_inert(dom, title="dedup scan")
    assert "2 documents · threshold 0.15 · 0 pairs" in dom.visible
    assert "No copies found." in dom.visible
    png = tmp_path / "none.png"
    browser.screenshot(page, png)
    assert _png_size(png) == (1400, 2000)
