"""Tests of dedup.render.diff: inline text, JSON and HTML renderings of a diff."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.diff import DiffReport, diff, diff_pair
from dedup.render import diff as diffview
from dedup.render import page as scanpage

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "section", "details", "summary",
    "h1", "h2", "h3", "p",
    "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "span", "mark", "del",
    "ins", "a", "input", "label", "ul", "li", "div",
}  # fmt: skip
# the page's own: the policy header, and the filter's radio buttons and labels
ALLOWED_ATTRIBUTES = {
    "lang", "charset", "class", "id", "title", "href", "http-equiv", "content",
    "type", "name", "for", "checked",
}  # fmt: skip


class _Tags(HTMLParser):
    """Collects the tags, attributes and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def _assert_safe(page: str) -> None:
    parsed = _parse(page)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert {name for name, _ in parsed.attributes} <= ALLOWED_ATTRIBUTES
    for name, value in parsed.attributes:
        if name == "href":
            assert value is not None
            assert value.startswith("#"), "no external resources"
    for payload in PAYLOADS:
        assert payload not in page


@pytest.fixture
def small() -> DiffReport:
    return diff(
        "Kerry said the talks went well.\n\nA caption that the copy dropped entirely here.",
        "Home / World\n\nKerry pronounced a talks went well.",
    )


@pytest.fixture
def seed_report(original: Path, spun: Path) -> DiffReport:
    return diff_pair(spun.read_text(encoding="utf-8"), original.read_text(encoding="utf-8"))


# --- text ---------------------------------------------------------------------------


def test_text_marks_substitutions(small: DiffReport) -> None:
    out = diffview.text(small, names=("orig.txt", "copy.txt"))
    assert "Kerry [said→pronounced] [the→a] talks went well." in out
    assert "{+Home / World+}" in out
    assert "[-A caption that the copy dropped entirely here.-]" in out
    assert "     1  said → pronounced" in out
    assert "  original: orig.txt, copy: copy.txt" in out
    assert "  substitutions: 2" in out


def test_text_style_is_applied(small: DiffReport) -> None:
    def style(text: str, role: str) -> str:
        return f"<{role}>{text}</{role}>"

    out = diffview.text(small, style=style)
    assert "<substitution>[said→pronounced]</substitution>" in out
    assert "<equal>Kerry</equal>" in out
    assert "<dropped>[-A caption" in out
    assert "<heading>Summary</heading>" in out


def test_text_deletions_and_rewrites() -> None:
    report = diff(
        "Walid said Thursday that up until now there was no joint fight on the ground.",
        "Walid said Thursday that there was no joint fight on the ground.",
    )
    assert "Walid said Thursday that [-up until now-] there was" in diffview.text(report)


def test_text_names_follow_the_orientation(seed_report: DiffReport) -> None:
    out = diffview.text(seed_report, names=("001", "002"), top=3)
    assert "Substitutions (002 → 001)" in out
    assert "002 looks like the original" in out
    lines = out.splitlines()
    table = lines[lines.index("Substitutions (002 → 001)") + 1 :][:4]
    assert table[0].split() == ["59", "the", "→", "a"]
    assert table[3].strip() == f"… and {len(seed_report.substitutions) - 3} more"


# --- JSON ---------------------------------------------------------------------------


def test_json_round_trips(seed_report: DiffReport) -> None:
    data = json.loads(diffview.json(seed_report, names=("001", "002")))
    assert data["original"]["name"] == "002"
    assert data["copy"]["text"] == seed_report.copy
    assert data["swapped"] is True
    assert data["substitutions"][0] == {
        "original": "the",
        "replacement": "a",
        "count": seed_report.substitutions[0].count,
    }
    assert data["summary"]["substitutions"] == seed_report.summary.substitutions
    assert data["moved"] == list(seed_report.moved)
    span = data["matches"][0]["spans"][0]
    assert set(span) == {"op", "original_words", "copy_words", "original_chars", "copy_chars"}
    assert data == diffview.to_dict(seed_report, names=("001", "002"))


# --- HTML ---------------------------------------------------------------------------


def test_html_page_is_self_contained(seed_report: DiffReport) -> None:
    page = diffview.html(seed_report, names=("001", "002"), title="seed pair")
    _assert_safe(page)
    assert page.startswith("<!DOCTYPE html>")
    assert '<mark class="sub" title="original: said">pronounced</mark>' in page
    assert '<tr class="dropped">' in page
    assert '<tr class="match moved">' in page
    assert '<tr class="added">' in page
    assert "<script" not in page


def test_html_escapes_article_text_and_names() -> None:
    original = (
        f"The officials said {PAYLOADS[0]} the talks went well today.\n\n"
        f"Dropped paragraph with {PAYLOADS[1]} inside it, gone."
    )
    copy = (
        f"The officials pronounced {PAYLOADS[0]} a talks went well today.\n\n"
        f"Added paragraph {PAYLOADS[1]} with nothing in common."
    )
    report = diff(original, copy)
    page = diffview.html(report, names=(PAYLOADS[0], PAYLOADS[1]), title=PAYLOADS[1])
    _assert_safe(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_html_escapes_quotes_in_attributes() -> None:
    report = diff(
        'He said "yes" to the talks today.', 'He pronounced" onmouseover="x the talks today.'
    )
    page = diffview.html(report)
    _assert_safe(page)
    assert 'title="original: said"' in page
    assert "onmouseover" not in {name for name, _ in _parse(page).attributes}


def test_html_fragment_and_scan_page(seed_report: DiffReport, small: DiffReport) -> None:
    fragment = diffview.html_fragment(small, title="one pair", anchor='x" onclick="y')
    assert fragment.startswith('<section class="pair" id="x&quot; onclick=&quot;y">')
    assert "<html" not in fragment
    pairs = [
        (scanpage.PairInfo(a="001", b="002", kind="spun", score=0.8), seed_report),
        (scanpage.PairInfo(a=PAYLOADS[0], b=PAYLOADS[1], kind=PAYLOADS[0]), small),
    ]
    page = scanpage.html_scan(pairs, title="scan <b>report</b>")
    _assert_safe(page)
    assert page.count('<section class="pair"') == 2
    assert 'href="#pair-1"' in page
    assert 'id="pair-2"' in page
    assert "scan &lt;b&gt;report&lt;/b&gt;" in page
    assert "0.800" in page


_risky = st.lists(
    st.sampled_from(["<", ">", "&", '"', "'", " ", "\n", "/", "=", "script", "img", "onerror"]),
    max_size=30,
).map("".join)


@settings(deadline=None)
@given(_risky, _risky)
def test_property_html_never_lets_markup_through(a: str, b: str) -> None:
    report = diff("The talks " + a + " went well", "A talks " + b + " went well")
    page = diffview.html(report, names=(a, b), title=a + b)
    parsed = _parse(page)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert {name for name, _ in parsed.attributes} <= ALLOWED_ATTRIBUTES


def test_the_scan_page_makes_each_diff_only_when_its_section_is_written() -> None:
    """The report's memory cap: one pair's diff at a time, however many pairs."""
    from dedup.diff import diff

    made: list[str] = []

    def diff_of(info: scanpage.PairInfo) -> DiffReport:
        made.append(info.a)
        return diff("Kerry said the talks went well.", "Kerry pronounced a talks went well.")

    pairs = [scanpage.PairInfo(f"a{n}", f"b{n}", "spun", 0.5, f"a{n}") for n in range(3)]
    chunks = scanpage.scan_page(pairs, diff_of, documents=6, threshold=0.15)
    head = "".join(next(chunks) for _ in range(5))  # head, header, filters, legend, index
    assert made == []
    assert "6 documents · threshold 0.15 · 3 pairs (3 spun)" in head
    next(chunks)  # the opening of the pairs
    for n in range(3):
        section = next(chunks)
        assert made == [f"a{k}" for k in range(n + 1)]
        assert f'<div id="pair-{n + 1}">' in section
    assert "".join(chunks).endswith("</html>\n")
