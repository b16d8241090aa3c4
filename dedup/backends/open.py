"""Open a persistent index by where it is: a Redis URL or a SQLite file.

One string names an index everywhere (a ``--index`` flag, a config line, a worker's
environment), so workers on one machine share a file and workers on many share Redis.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as tmp:
...     with open_index(os.path.join(tmp, "index.db")) as index:
...         type(index).__name__
'SqliteIndex'
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from dedup.backends.sqlite import SqliteIndex
from dedup.errors import StoreError
from dedup.options import FingerprintOptions, LshOptions

if TYPE_CHECKING:
    from dedup.backends.redis import RedisIndex

__all__ = ["REDIS_SCHEMES", "open_index"]

REDIS_SCHEMES = ("redis://", "rediss://")
"""Locations starting with these are Redis URLs; anything else is a SQLite file."""


def open_index(
    location: str | os.PathLike[str],
    *,
    fingerprint: FingerprintOptions | None = None,
    lsh: LshOptions | None = None,
    create: bool = True,
) -> SqliteIndex | RedisIndex:
    """The index at ``location``, created with these settings if it does not exist.

    Args:
        location: ``redis://host:port/db`` or ``rediss://...`` for a
            :class:`~dedup.backends.redis.RedisIndex` (key prefix ``dedup``), anything
            else the path of a :class:`~dedup.backends.sqlite.SqliteIndex` file.
        fingerprint: fingerprint settings; the stored ones if omitted.
        lsh: band settings; the stored ones if omitted.
        create: make a SQLite file an index if it is not one; when False, a file that
            is not a dedup index is a :class:`StoreError` and is not written.

    Raises:
        SettingsMismatchError: the index was built with other settings than those given.
        StoreError: the index cannot be opened, or redis-py is not installed.
    """
    text = os.fspath(location)
    if not text.lower().startswith(REDIS_SCHEMES):
        _check_path(text)
        return SqliteIndex(text, fingerprint=fingerprint, lsh=lsh, create=create)
    _check_redis_url(text)
    try:
        from dedup.backends.redis import RedisIndex
    except ImportError as exc:
        raise StoreError(
            f"a Redis index needs the redis package, which is not installed ({exc}); "
            "pip install redis"
        ) from None
    return RedisIndex(text, fingerprint=fingerprint, lsh=lsh, create=create)


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(//)?")


def _check_path(text: str) -> None:
    """Refuse what is meant as a URL but is not a Redis one, before a SQLite file of
    that name is created: ``http://host/x``, ``redis:localhost`` (no ``//``)."""
    match = _URL.match(text)
    if match is None:
        return
    scheme, slashes = match.group(1).lower(), match.group(2)
    if scheme in ("redis", "rediss") and not slashes:
        raise StoreError(
            f"{text!r} is not an index location: a Redis URL starts with {scheme}:// "
            f"({scheme}://{text[match.end() :]})"
        )
    if slashes:
        raise StoreError(
            f"{text!r} is not an index location: use a SQLite file path or "
            "redis://host:port/db (rediss:// for TLS)"
        )


def _check_redis_url(text: str) -> None:
    """A Redis URL's database must be a number: ``redis://host:6379/abc`` is a typo,
    not database 0."""
    path = urlsplit(text).path.strip("/")
    if path and not path.isdigit():
        raise StoreError(
            f"{text!r}: the Redis database must be a number (redis://host:port/0), got {path!r}"
        )
