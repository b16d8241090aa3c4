"""The main text of an HTML page: the article, without navigation, comments and footers.

A crawler fetches pages, not articles. Two mirrors of one story wrap it in different
menus, link lists, comment threads and footers; compared whole, that chrome dilutes the
copy, and two unrelated pages of one site share it. So a page is reduced to its main
text first, and only that is fingerprinted.

The work is done by trafilatura, offline (it never fetches anything): its extractor
with readability and jusText as fallbacks. This module is the only place it is used.
It is imported on the first call, so commands that never read HTML do not pay for it.

>>> page = '''<html><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
... <article><h1>Talks resume</h1><p>Defense chiefs from the United States and
... Russia held their first talks in a year.</p><p>Officials said so on Friday.</p>
... </article><footer>Copyright 2015 Example News. All rights reserved.</footer>
... </body></html>'''
>>> print(main_text(page))
Talks resume
Defense chiefs from the United States and Russia held their first talks in a year.
Officials said so on Friday.
"""

from __future__ import annotations

from dedup.errors import InputError

__all__ = ["main_text"]


def main_text(html: str) -> str:
    """The main text of an HTML page, one paragraph (or heading) a line.

    Navigation, sidebars, comments, tables, share buttons and footers are left out;
    the headline is kept. Nothing is fetched: links, scripts and images are ignored.

    Raises:
        InputError: no main text was found: the page is empty, holds only scripts,
            styles or markup, or is not HTML at all. (A page of navigation alone can
            give a few words of it, which the detector then refuses as too short.)

    >>> main_text("<html><body><script>track()</script></body></html>")
    Traceback (most recent call last):
    ...
    dedup.errors.InputError: found no main text in the HTML: ...
    """
    import trafilatura  # here, not at the top: importing it takes a fifth of a second

    text = trafilatura.extract(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    if text is None or not text.strip():
        raise InputError(
            "found no main text in the HTML: the page is empty, holds only markup or "
            "scripts, or is not HTML; pass the article's text instead"
        )
    return text.strip()
