"""A shared index in Redis: many workers on many machines add to and query one index.

Keys, all under a configurable prefix (default ``dedup``)::

    {prefix}:settings                hash: format, views, num_perm, seed, bands, rows
    {prefix}:ids                     set: every stored id
    {prefix}:doc:{id}                hash: text (zlib UTF-8), digest, meta (JSON, if any),
                                     signatures (little-endian uint32, views in order),
                                     added (Unix time)
    {prefix}:{view}:{band}:{hash}    set: ids of the documents with that band

An add or a remove is one ``MULTI``/``EXEC`` transaction, so a reader never sees half a
document, and it ``WATCH``es the document's key, so two workers replacing the same id
at once cannot leave the band sets of both behind. Workers adding different ids never
conflict: their commands touch band sets only by ``SADD``, which commute.

Durability is the server's: an add that returned survives a crash of Redis only with
``appendonly yes`` and ``appendfsync always`` (``everysec`` may lose the last second).
This module is the only place redis-py is used (``pip install redis``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import redis
from redis.client import Pipeline
from redis.typing import EncodableT

from dedup.backends._stored import (
    Layout,
    dump_meta,
    load_meta,
    pack_text,
    unknown_document,
    unpack_text,
)
from dedup.backends.base import CandidateIndex
from dedup.errors import StoreError, StoreUnavailableError
from dedup.fingerprint import Fingerprint, Signature, reaches
from dedup.lsh.passages import indexed_anchors
from dedup.options import FingerprintOptions, LshOptions

__all__ = ["RedisIndex"]

_FORMAT = 1  # recorded in new indexes (the layout has not changed since format 1)

_T = TypeVar("_T")
_Pipe = Pipeline


class RedisIndex(CandidateIndex):
    """LSH band sets and documents in Redis.

    Args:
        url: a ``redis://`` or ``rediss://`` URL, with the database number as its path
            (``redis://localhost:6379/0``).
        prefix: the prefix of every key; indexes with other prefixes share the server.
        fingerprint: fingerprint settings; the stored ones if omitted.
        lsh: band settings; the stored ones if omitted. ``prefilter`` is not stored.

    Raises:
        SettingsMismatchError: the index was built with other settings than those given.
        StoreError: Redis cannot be reached, or the prefix holds something else.
    """

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        prefix: str = "dedup",
        fingerprint: FingerprintOptions | None = None,
        lsh: LshOptions | None = None,
        create: bool = True,
    ) -> None:
        self.prefix = prefix
        self._create = create
        self._where = f"{_redact(url)} (prefix {prefix!r})"
        self._closed = False
        try:
            self._client: redis.Redis = redis.Redis.from_url(url)
        except ValueError as exc:
            raise StoreError(
                f"cannot use {_redact(url)!r} as a Redis URL: {exc}; "
                "give redis://host:port/db or rediss://host:port/db"
            ) from None
        try:
            with self._translate():
                self._layout = self._atomically(
                    self._key("settings"), lambda pipe: self._settle(pipe, fingerprint, lsh)
                )
        except BaseException:
            self._client.close()
            raise

    # -- the CandidateIndex contract --------------------------------------------------

    def insert(
        self,
        doc_id: str,
        fp: Fingerprint,
        text: str,
        *,
        meta: Mapping[str, object] | None = None,
    ) -> None:
        """Store ``text`` and index ``fp`` under ``doc_id``, replacing an earlier one.

        ``meta`` is any JSON-serialisable mapping kept with the document (see
        :meth:`meta`).
        """
        self._layout.check(fp, where=self._where)
        record: dict[EncodableT, EncodableT] = {
            "text": pack_text(text),
            "digest": fp.digest,
            "signatures": self._layout.pack(fp),
            "added": repr(time.time()),
        }
        meta_json = dump_meta(doc_id, meta)
        if meta_json is not None:
            record["meta"] = meta_json
        bands = self._band_keys(fp.signatures)
        if fp.anchors is not None:
            kept = indexed_anchors(fp.anchors)
            record["anchors"] = kept.astype("<u4").tobytes()
            bands += [self._anchor_key(key) for key in kept.tolist()]
        doc_key = self._doc(doc_id)

        def write(pipe: _Pipe) -> None:
            old = self._old_bands(pipe, doc_key)
            pipe.multi()
            for key in old or ():
                pipe.srem(key, doc_id)
            pipe.delete(doc_key)
            pipe.hset(doc_key, mapping=record)
            for key in bands:
                pipe.sadd(key, doc_id)
            pipe.sadd(self._key("ids"), doc_id)

        with self._translate():
            self._atomically(doc_key, write)

    def query(self, fp: Fingerprint) -> set[str]:
        """Ids of the documents that share a band with ``fp`` in a non-empty view."""
        self._layout.check(fp, where=self._where)
        keys = self._band_keys(fp.signatures)
        if not keys:
            return set()
        with self._translate():
            members = cast(set[bytes], self._client.sunion(keys))
        return {member.decode("utf-8") for member in members}

    def similar(self, fp: Fingerprint, floor: float) -> set[str]:
        """What :meth:`query` finds, less the candidates whose estimated Jaccard with
        ``fp`` is under ``floor`` in every view: their stored signatures are fetched in
        one round trip (a pipeline), their texts never."""
        found = self.query(fp)
        if floor <= 0 or not found:
            return found
        ids = sorted(found)
        with self._translate():
            pipe = self._client.pipeline(transaction=False)
            for doc_id in ids:
                pipe.hget(self._doc(doc_id), "signatures")
            blobs = cast(list[bytes | None], pipe.execute())
        return {
            doc_id
            for doc_id, blob in zip(ids, blobs, strict=True)
            # None: removed by another client since the lookup
            if blob is not None and reaches(fp.signatures, self._layout.unpack(blob), floor)
        }

    def anchored(self, fp: Fingerprint, *, max_documents: int) -> dict[str, int]:
        """The documents sharing rare anchors with ``fp``, and how many each shares
        (see :meth:`CandidateIndex.anchored`): two round trips, the sizes of the
        anchors' sets and then the members of the rare ones."""
        if fp.anchors is None:
            return {}
        keys = [self._anchor_key(k) for k in indexed_anchors(fp.anchors).tolist()]
        if not keys:
            return {}
        with self._translate():
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.scard(key)
            sizes = cast(list[int], pipe.execute())
            rare = [key for key, size in zip(keys, sizes, strict=True) if 0 < size <= max_documents]
            pipe = self._client.pipeline(transaction=False)
            for key in rare:
                pipe.smembers(key)
            members = cast(list[set[bytes]], pipe.execute())
        shared: Counter[str] = Counter()
        for found in members:
            shared.update(member.decode("utf-8") for member in found)
        return dict(shared)

    def text(self, doc_id: str) -> str:
        """The stored text; raises :class:`~dedup.errors.UnknownDocumentError`."""
        return unpack_text(self._fields(doc_id, "text")[0], source=repr(doc_id))

    def signatures(self, doc_id: str) -> dict[str, Signature]:
        """The stored MinHash signatures of a document, by view (no text is read)."""
        return self._layout.unpack(self._fields(doc_id, "signatures")[0], source=repr(doc_id))

    def meta(self, doc_id: str) -> dict[str, object]:
        """The ``meta`` stored with the document (empty if none was given)."""
        return load_meta(self._fields(doc_id, "digest", "meta")[1], source=repr(doc_id))

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; raises :class:`~dedup.errors.UnknownDocumentError`."""
        doc_key = self._doc(doc_id)

        def delete(pipe: _Pipe) -> None:
            old = self._old_bands(pipe, doc_key)
            if old is None:
                raise unknown_document(doc_id)
            pipe.multi()
            for key in old:
                pipe.srem(key, doc_id)
            pipe.delete(doc_key)
            pipe.srem(self._key("ids"), doc_id)

        with self._translate():
            self._atomically(doc_key, delete)

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        with self._translate():
            return bool(self._client.exists(self._doc(doc_id)))

    def __len__(self) -> int:
        with self._translate():
            return self._client.scard(self._key("ids"))

    def ids(self) -> list[str]:
        """Every stored id, sorted."""
        with self._translate():
            return sorted(m.decode("utf-8") for m in self._client.sscan_iter(self._key("ids")))

    # -- settings and lifetime --------------------------------------------------------

    @property
    def fingerprint(self) -> FingerprintOptions:
        """The fingerprint settings the index was built with."""
        return self._layout.fingerprint

    @property
    def lsh(self) -> LshOptions:
        """The band settings the index was built with (``prefilter`` is the default)."""
        return self._layout.lsh

    def close(self) -> None:
        """Close the connections; closing twice is harmless."""
        if not self._closed:
            self._closed = True
            self._client.close()

    def __repr__(self) -> str:
        return f"RedisIndex({self._where})"

    # -- internals --------------------------------------------------------------------

    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def _doc(self, doc_id: str) -> str:
        return self._key("doc", doc_id)

    def _band_keys(self, signatures: Mapping[str, Signature]) -> list[str]:
        views = self._layout.views
        return [
            self._key(views[view], band, value)
            for view, band, value in self._layout.band_keys(signatures)
        ]

    def _old_bands(self, pipe: _Pipe, doc_key: str) -> list[str] | None:
        """The band and anchor keys of the stored document (``None`` if there is none).

        Called while ``doc_key`` is watched, before ``MULTI``: the value is read now.
        """
        old, anchors = cast(list[bytes | None], pipe.hmget(doc_key, ["signatures", "anchors"]))
        if old is None:
            return None
        keys = self._band_keys(self._layout.unpack(old))
        if anchors:
            keys += [self._anchor_key(k) for k in np.frombuffer(anchors, dtype="<u4").tolist()]
        return keys

    def _anchor_key(self, anchor: int) -> str:
        return self._key("anchor", anchor)

    def _settle(
        self, pipe: _Pipe, fingerprint: FingerprintOptions | None, lsh: LshOptions | None
    ) -> Layout:
        raw = cast(dict[bytes, bytes], pipe.hgetall(self._key("settings")))
        stored = {key.decode(): value.decode() for key, value in raw.items()}
        if not stored and not self._create:
            raise StoreError(
                f"no dedup index at {self._where}: it has no settings; "
                "create one with dedup index add"
            )
        layout = Layout.settle(stored, fingerprint, lsh, where=self._where)
        if not stored:
            pipe.multi()
            record: dict[EncodableT, EncodableT] = dict(layout.record(_FORMAT).items())
            pipe.hset(self._key("settings"), mapping=record)
        return layout

    def _atomically(self, key: str, work: Callable[[_Pipe], _T]) -> _T:
        """Run ``work`` as one transaction, again if ``key`` changed in the meantime.

        ``work`` reads what it needs while ``key`` is watched, then calls
        ``pipe.multi()`` and queues its writes; they run at once, or not at all if
        another client wrote ``key`` since the watch.
        """
        with self._client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]  # untyped in redis-py
                    result = work(pipe)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def _fields(self, doc_id: str, *names: str) -> list[Any]:
        """Fields of the document's hash; the first must be present in every document."""
        with self._translate():
            values = cast(list[Any], self._client.hmget(self._doc(doc_id), list(names)))
        if values[0] is None:
            raise unknown_document(doc_id)
        return values

    @contextmanager
    def _translate(self) -> Iterator[None]:
        if self._closed:
            raise StoreError(f"the Redis index at {self._where} is closed")
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StoreUnavailableError(
                f"cannot reach Redis at {self._where}: {exc}; is redis-server running there?"
            ) from exc
        except redis.RedisError as exc:
            raise StoreError(f"the Redis index at {self._where} failed: {exc}") from exc


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}"
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=netloc))
