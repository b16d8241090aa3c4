"""main_text: the article of a page, without its navigation, comments and footer."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import news_page

from dedup import Detector, Kind
from dedup.errors import InputError
from dedup.extract import main_text

TITLE = "Pentagon chief and Russian counterpart hold first talks in more than a year"
ARTICLE = [
    "Defense Secretary Ashton B. Carter spoke by phone with his Russian counterpart on "
    "Friday, the first direct talks between the two countries' defense chiefs in more "
    "than a year.",
    "The 50-minute call with Russian Defense Minister Sergei Shoigu came as Moscow "
    "deepened its military involvement in Syria, sending jets, tanks and troops to an "
    "airfield near the coastal city of Latakia.",
    "Pentagon press secretary Peter Cook said the two men discussed areas where the "
    "perspectives of the United States and Russia overlap and areas of divergence.",
    "Carter also emphasized the importance of defeating the Islamic State, and said that "
    "goal should be pursued alongside a political transition in Syria, Cook said.",
]
CHROME = [
    pytest.param("cookies", id="cookie-banner"),
    pytest.param("Politics", id="navigation"),
    pytest.param("Subscribe", id="navigation-offer"),
    pytest.param("Related stories", id="related-box"),
    pytest.param("Russia sends fighter jets", id="related-link"),
    pytest.param("Share on Facebook", id="share-bar"),
    pytest.param("Comments", id="comments-heading"),
    pytest.param("patriot1776", id="comment-author"),
    pytest.param("Talking is better than shooting", id="comment"),
    pytest.param("newsletter", id="newsletter"),
    pytest.param("All rights reserved", id="footer"),
    pytest.param("Privacy Policy", id="footer-link"),
    pytest.param("track(", id="script"),
    pytest.param("color", id="style"),
]


@pytest.fixture(scope="module")
def extracted() -> str:
    return main_text(news_page(TITLE, ARTICLE))


def test_the_article_is_kept_one_paragraph_a_line(extracted: str) -> None:
    assert extracted.splitlines() == [TITLE, *ARTICLE]


@pytest.mark.parametrize("chrome", CHROME)
def test_page_chrome_is_left_out(extracted: str, chrome: str) -> None:
    assert chrome not in extracted


def test_a_page_matches_its_article_as_an_exact_copy(original: Path, original_page: str) -> None:
    text = original.read_text(encoding="utf-8")
    match = Detector().compare(text, main_text(original_page))
    assert (match.kind, match.score) == (Kind.EXACT, 1.0)


def test_entities_and_markup_inside_paragraphs_become_text() -> None:
    marked = "Fuel prices rose 5&nbsp;% in <b>May</b> &amp; <i>June</i>, officials said."
    page = news_page(TITLE, [*ARTICLE, marked])
    last = main_text(page).splitlines()[-1]
    assert last == "Fuel prices rose 5 % in May & June, officials said."  # nbsp: a space


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n ", id="blank"),
        pytest.param("<html><head><title>x</title></head><body></body></html>", id="no-body"),
        pytest.param("<html><body><script>track()</script></body></html>", id="script-only"),
        pytest.param("\x00\x01\x02 not markup", id="binary"),
    ],
)
def test_nothing_to_extract_is_an_input_error(html: str) -> None:
    with pytest.raises(InputError) as info:
        main_text(html)
    assert str(info.value) == (
        "found no main text in the HTML: the page is empty, holds only markup or "
        "scripts, or is not HTML; pass the article's text instead"
    )
    assert isinstance(info.value, ValueError)
