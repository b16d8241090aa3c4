"""Fixtures shared by the test modules: the seed articles, a CLI runner, a Redis server."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

SEEDS = Path(__file__).parent.parent / "seeds"

# No deadline on property tests: a test's first example may compile a numba kernel (on a
# fresh clone there is no compiled cache yet), and the machines are shared and noisy.
settings.register_profile("dedup", deadline=None)
settings.load_profile("dedup")


@pytest.fixture
def seeds() -> Path:
    """The seed directory: five news articles, exactly one spun pair among them."""
    return SEEDS


@pytest.fixture
def original() -> Path:
    """The seed article ``spun`` was spun from (its text is cp1252-encodable)."""
    return SEEDS / "002_332438ef7e52e727.txt"


@pytest.fixture
def spun() -> Path:
    """The spun copy of ``original``."""
    return SEEDS / "001_0d986f3b99680e2b.txt"


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; stdout and stderr are kept apart (``result.stdout``, ``.stderr``)."""
    return CliRunner()


@pytest.fixture
def free_port() -> int:
    """A local TCP port nothing listens on (at the time of asking)."""
    return _free_port()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def redis_process(port: int, directory: Path, *, appendonly: bool = False) -> Iterator[str]:
    """A redis-server of our own on ``port``, answering PING; yields its URL and stops
    it (SIGTERM: an append-only file is flushed) on leaving. Skips when redis-server or
    redis-py is not installed."""
    redis = pytest.importorskip("redis", reason="redis-py not installed (pip install redis)")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "yes" if appendonly else "no", "--dir", str(directory)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL) as server:
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    with redis.Redis(host="127.0.0.1", port=port) as client:
                        client.ping()
                    break
                except redis.ConnectionError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"redis-server did not answer PING on port {port}")
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of our own on a free port, without persistence; yields its URL."""
    with redis_process(_free_port(), tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The server's URL, its database emptied for each test."""
    redis = pytest.importorskip("redis")
    with redis.Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


# -- a news page around an article --------------------------------------------------------

_COMMENTS = (
    (
        "patriot1776",
        "Why are we even talking to these people? They have lied about every single "
        "agreement they ever signed, and this administration keeps falling for it.",
    ),
    (
        "jdoe",
        "Talking is better than shooting. It is good to see that the lines of "
        "communication between the two militaries are open again after so long.",
    ),
)


def news_page(title: str, paragraphs: list[str]) -> str:
    """``paragraphs`` as the article of a realistic news page: a cookie banner, a site
    header with navigation, a byline, a related-stories box and a share bar inside the
    article, a comment thread of full sentences, a newsletter box and a footer."""
    middle = len(paragraphs) // 2
    related = (
        '<aside class="related"><h3>Related stories</h3><ul>'
        '<li><a href="/world/russia-jets">Russia sends fighter jets to Syria</a></li>'
        '<li><a href="/world/putin">What Putin wants in the Middle East</a></li>'
        "</ul></aside>"
    )
    body = "\n".join(
        [
            *(f"<p>{p}</p>" for p in paragraphs[:middle]),
            related,
            *(f"<p>{p}</p>" for p in paragraphs[middle:]),
        ]
    )
    comments = "\n".join(
        f'<div class="comment"><p class="author">{who}</p><p>{said}</p></div>'
        for who, said in _COMMENTS
    )
    links = ["World", "Politics", "Business", "Technology", "Opinion", "Sports"]
    nav = "".join(f'<li><a href="/{name.lower()}">{name}</a></li>' for name in links)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Example News</title>
<script>window.dataLayer = window.dataLayer || []; track("pageview");</script>
<style>.nav {{ color: #333 }}</style></head>
<body>
<div class="cookie-banner">We use cookies to improve your experience on our site.
<button>Accept all cookies</button></div>
<header class="site-header"><a href="/" class="logo">Example News</a>
<nav class="main-nav"><ul>{nav}<li><a href="/subscribe">Subscribe for $1 a week</a></li>
</ul></nav></header>
<main><article class="story">
<h1>{title}</h1>
<p class="byline">By Missy Ryan, September 18, 2015</p>
{body}
<div class="share">Share on Facebook. Share on Twitter. Email this story.</div>
</article>
<section id="comments" class="comments"><h2>{len(_COMMENTS)} Comments</h2>
{comments}
</section></main>
<div class="newsletter">Sign up for our newsletter to get the top stories of the day
delivered to your inbox every morning.</div>
<footer class="site-footer"><p>© 2015 Example News Company. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy Policy</a></li><li><a href="/terms">Terms of Service</a>
</li><li><a href="/contact">Contact us</a></li></ul></footer>
</body></html>
"""


@pytest.fixture
def original_page(original: Path) -> str:
    """The article ``original`` as a news page with all its chrome (:func:`news_page`)."""
    title, *paragraphs = _paragraphs(original.read_text(encoding="utf-8"))
    return news_page(title, paragraphs)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]
