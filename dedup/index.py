"""The persistent index a crawler keeps: a :class:`~dedup.detector.Detector` on a backend
opened by location (a SQLite file or a Redis URL)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping

from dedup.backends import CandidateIndex
from dedup.backends.open import open_index
from dedup.detector import Detector
from dedup.errors import EmptyDocumentError
from dedup.fingerprint import Fingerprint, fingerprint_many, fingerprint_with_anchors
from dedup.model import Document, Kind, Match, Problem
from dedup.options import DetectorOptions

__all__ = ["Index"]

ADD_BATCH = 1000
"""Documents per transaction in :meth:`Index.add_many`."""


class Index:
    """A persistent index of documents, opened by location: what a crawler keeps.

    A :class:`Detector` on a storage backend: a SQLite file (the default; every ``add``
    that returns is durable) or a Redis server (``redis://host:port/db``) shared by
    workers on many machines. The index stores its settings; opening it with different
    ones is a :class:`~dedup.errors.SettingsMismatchError`, not wrong answers. Matches
    are verified and classified exactly as :meth:`Detector.scan` does.

    >>> import os, tempfile
    >>> text = "Defense chiefs from the United States and Russia held their first talks."
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with Index.open(os.path.join(tmp, "feed.db")) as index:
    ...         index.add("wapo-1", text, meta={"url": "https://example.org/1"})
    ...         found = index.add_if_new("mirror-1", text)
    ...         (len(index), [(m.a, m.kind.value) for m in found], "mirror-1" in index)
    (1, [('wapo-1', 'exact')], False)
    """

    def __init__(self, backend: CandidateIndex, *, options: DetectorOptions | None = None) -> None:
        self._backend = backend
        self._detector = Detector(options=options, index=backend)
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, location: str | os.PathLike[str], *, options: DetectorOptions | None = None
    ) -> Index:
        """Open (or create) the index at ``location``: a file path or a Redis URL.

        With ``options`` omitted, the index's stored settings are used (the defaults
        for a new index); given options must agree with the stored ones.
        """
        fingerprint = options.fingerprint if options is not None else None
        lsh = options.lsh if options is not None else None
        backend = open_index(location, fingerprint=fingerprint, lsh=lsh)
        if options is None:
            options = DetectorOptions(fingerprint=backend.fingerprint, lsh=backend.lsh)
        return cls(backend, options=options)

    @property
    def options(self) -> DetectorOptions:
        """The settings in force."""
        return self._detector.options

    def add(self, doc_id: str, text: str, *, meta: Mapping[str, object] | None = None) -> None:
        """Store a document (replacing one with the same id); durable when it returns."""
        fp, words = fingerprint_with_anchors(text, options=self.options.fingerprint)
        self._detector.check_length(doc_id, words)
        with self._lock:
            self._backend.insert(doc_id, fp, text, meta=meta)

    def add_many(
        self,
        items: Iterable[Document | Problem],
        *,
        on_problem: Callable[[Problem], None] | None = None,
        on_replace: Callable[[str], None] | None = None,
    ) -> int:
        """Store many documents, a batch at a time; returns how many were added.

        Each batch is fingerprinted in one compiled call and written in one transaction
        where the backend can (SQLite: one fsync per batch); once a batch is written,
        its documents are durable. A document too short to compare is a problem and the
        others go on; problems (and :class:`~dedup.model.Problem` items, from a reader)
        are passed to ``on_problem`` in input order. With ``on_replace``, it is called
        with each id that replaced a document already stored under it (or given earlier
        in ``items``), before the batch is written: ids that collide by accident (two
        folders with the same file names) are said, not silently replaced.
        """
        added = 0
        batch: list[Document | Problem] = []
        for item in items:
            batch.append(item)
            if len(batch) >= ADD_BATCH:
                added += self._add_batch(batch, on_problem, on_replace)
                batch = []
        if batch:
            added += self._add_batch(batch, on_problem, on_replace)
        return added

    def _add_batch(
        self,
        batch: list[Document | Problem],
        on_problem: Callable[[Problem], None] | None,
        on_replace: Callable[[str], None] | None = None,
    ) -> int:
        docs = [item for item in batch if isinstance(item, Document)]
        signatures, digests, words, _, (anchor_keys, anchor_offsets) = fingerprint_many(
            [d.text for d in docs], options=self.options.fingerprint
        )
        seed = self.options.fingerprint.seed
        ids, fps, texts = [], [], []
        row = -1
        for item in batch:
            if isinstance(item, Problem):
                if on_problem is not None:
                    on_problem(item)
                continue
            row += 1
            try:
                self._detector.check_length(item.id, int(words[row]))
            except EmptyDocumentError as exc:
                if on_problem is not None:
                    on_problem(Problem(item.id, exc.message))
                continue
            sigs = {view: sig[row] for view, sig in signatures.items()}
            ids.append(item.id)
            anchors = anchor_keys[anchor_offsets[row] : anchor_offsets[row + 1]]
            fps.append(Fingerprint(digests[row], sigs, seed, anchors))
            texts.append(item.text)
        if on_replace is not None:
            seen: set[str] = set()
            for doc_id in ids:
                if doc_id in seen or doc_id in self._backend:
                    on_replace(doc_id)
                seen.add(doc_id)
        with self._lock:
            self._backend.insert_many(ids, fps, texts)
        return len(ids)

    def check(
        self,
        text: str,
        *,
        doc_id: str = "query",
        kinds: Iterable[Kind] | None = None,
        same_id: bool = False,
    ) -> list[Match]:
        """Copies of ``text`` in the index, best first (``b`` is ``doc_id``); ``kinds``
        and ``same_id`` as in :meth:`Detector.check`."""
        return self._detector.check(text, doc_id=doc_id, kinds=kinds, same_id=same_id)

    def add_if_new(
        self, doc_id: str, text: str, *, meta: Mapping[str, object] | None = None
    ) -> list[Match]:
        """Check ``text``; store it only if no copy of it is indexed. Returns the copies
        found (empty when the document was new and has been added)."""
        return self._check_and_store(doc_id, text, meta, only_new=True)

    def check_and_add(
        self, doc_id: str, text: str, *, meta: Mapping[str, object] | None = None
    ) -> list[Match]:
        """Check ``text``, then store it whatever was found (a feed keeps every page);
        returns the copies found. The text is fingerprinted once, for both."""
        return self._check_and_store(doc_id, text, meta, only_new=False)

    def _check_and_store(
        self, doc_id: str, text: str, meta: Mapping[str, object] | None, *, only_new: bool
    ) -> list[Match]:
        fp, words = fingerprint_with_anchors(text, options=self.options.fingerprint)
        self._detector.check_length(doc_id, words)
        found = self._detector.check_fingerprint(fp, text, doc_id=doc_id)
        if not (found and only_new):
            with self._lock:
                self._backend.insert(doc_id, fp, text, meta=meta)
        return found

    def remove(self, doc_id: str) -> None:
        """Forget a document; :class:`~dedup.errors.UnknownDocumentError` if absent."""
        with self._lock:
            self._detector.remove(doc_id)

    def text(self, doc_id: str) -> str:
        """The stored text of a document."""
        return self._backend.text(doc_id)

    def ids(self) -> list[str]:
        """Every stored id, sorted."""
        return self._backend.ids()

    def meta(self, doc_id: str) -> dict[str, object]:
        """The metadata stored with a document."""
        return self._backend.meta(doc_id)

    def prewarm(self) -> None:
        """Read the index's band tables into the operating system's file cache, so the
        first checks are as fast as later ones (SQLite; Redis and memory need nothing).
        See :meth:`SqliteIndex.prewarm <dedup.backends.sqlite.SqliteIndex.prewarm>`."""
        self._backend.prewarm()

    def stats(self) -> dict[str, object]:
        """Size and settings, as plain values (for ``dedup index stats``)."""
        fp, lsh = self.options.fingerprint, self.options.lsh
        return {
            "location": str(self._backend),
            "documents": len(self._backend),
            "views": list(fp.views),
            "num_perm": fp.num_perm,
            "seed": fp.seed,
            "bands": lsh.bands,
            "rows": lsh.rows,
            "threshold": self.options.threshold,
        }

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._backend

    def __len__(self) -> int:
        return len(self._backend)

    def close(self) -> None:
        """Close the backend's connection."""
        self._backend.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
