"""The facade crawlers and scripts call: add, check, compare, scan.

A :class:`Detector` runs the whole pipeline: tokenise, build the views, fingerprint, find
candidates in the LSH index (never all pairs), verify each candidate exactly and
classify it. A pair is reported once.

>>> det = Detector()
>>> text = "The defense chiefs held their first direct talks in more than a year on Friday."
>>> det.add("orig", text)
>>> [(m.a, m.kind.value, m.score) for m in det.check(text)]
[('orig', 'exact', 1.0)]
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from dedup.batch import find_matches
from dedup.errors import EmptyDocumentError
from dedup.fingerprint import (
    Fingerprint,
    fingerprint_many,
    fingerprint_text,
    reaches,
)
from dedup.index import CandidateIndex, MemoryIndex
from dedup.index.open import open_index
from dedup.model import COPY_KINDS, Cluster, Document, Kind, Match, Problem, ScanResult
from dedup.options import DetectorOptions
from dedup.parallel import Fingerprints, default_workers, fingerprint_all
from dedup.verify import Prepared, classify, evidence, prepare, worth_reporting

__all__ = ["Detector", "Document", "Index", "Progress", "clusters"]

Progress = Callable[[str, int, int | None], None]
"""A progress callback: ``(phase, done, total)``. The phases of a scan are ``reading``
(``total`` is ``None`` unless given), ``fingerprinting`` and ``comparing``."""


class Detector:
    """Finds exact, near-duplicate, partial and spun copies among documents.

    Args:
        options: all settings (:class:`~dedup.options.DetectorOptions`).
        index: where documents are kept and candidates looked up; in memory if omitted.
    """

    def __init__(
        self,
        *,
        options: DetectorOptions | None = None,
        index: CandidateIndex | None = None,
    ) -> None:
        self.options = options or DetectorOptions()
        self._index = (
            index
            if index is not None
            else MemoryIndex(fingerprint=self.options.fingerprint, lsh=self.options.lsh)
        )
        self._cache: OrderedDict[tuple[str, str], Prepared] = OrderedDict()

    # -- single documents -------------------------------------------------------------

    def prepare(self, doc_id: str, text: str) -> Prepared:
        """Tokenise, shingle and fingerprint one document for verification.

        Raises:
            EmptyDocumentError: the text has fewer than ``min_words`` words.
        """
        prepared = prepare(doc_id, text, fingerprint=self.options.fingerprint)
        self._check_length(doc_id, prepared.words)
        return prepared

    def _check_length(self, doc_id: str, words: int) -> None:
        if words < self.options.min_words:
            what = "no words" if not words else f"only {words} word{'s' * (words != 1)}"
            raise EmptyDocumentError(
                f"too short to compare: {what}, at least {self.options.min_words} needed",
                source=doc_id,
            )

    def add(self, doc_id: str, text: str) -> None:
        """Index a document so later :meth:`check` calls find copies of it.

        Adding an id again replaces the earlier document.
        """
        fp, words = fingerprint_text(text, options=self.options.fingerprint)
        self._check_length(doc_id, words)
        self._index.insert(doc_id, fp, text)

    def remove(self, doc_id: str) -> None:
        """Forget a document."""
        self._index.remove(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._index

    def __len__(self) -> int:
        return len(self._index)

    def check(
        self, text: str, *, doc_id: str = "query", kinds: Iterable[Kind] | None = None
    ) -> list[Match]:
        """Copies of ``text`` among the indexed documents, best first.

        Each match has ``a`` = the indexed document and ``b`` = ``doc_id``; ``kinds``
        as in :meth:`scan`.
        """
        fp, words = fingerprint_text(text, options=self.options.fingerprint)
        self._check_length(doc_id, words)
        return self.check_fingerprint(fp, text, doc_id=doc_id, kinds=kinds)

    def check_fingerprint(
        self,
        fp: Fingerprint,
        text: str,
        *,
        doc_id: str = "query",
        kinds: Iterable[Kind] | None = None,
    ) -> list[Match]:
        """:meth:`check` for a caller that has fingerprinted ``text`` already."""
        wanted = set(kinds) if kinds is not None else COPY_KINDS
        query: Prepared | None = None
        found = []
        for other_id in sorted(self._candidates(fp)):
            if other_id == doc_id:
                continue
            query = query or self.prepare(doc_id, text)
            other = self._prepared(other_id)
            exact = other.fingerprint.digest == fp.digest
            match = self._verify(other, query, exact=exact, by_id=False)
            if match is not None and match.kind in wanted:
                found.append(match)
        return sorted(found, key=_rank)

    def compare(self, a: str, b: str, *, a_id: str = "a", b_id: str = "b") -> Match:
        """Score one pair directly, without the index.

        The match's kind is the one the pair would be reported with, even when its
        score is below ``threshold``; compare the score yourself.
        """
        pa, pb = self.prepare(a_id, a), self.prepare(b_id, b)
        ev = evidence(pa, pb, self.options.verify)
        verdict = classify(
            ev, exact=pa.fingerprint.digest == pb.fingerprint.digest, options=self.options.verify
        )
        return Match(a_id, b_id, verdict.kind, verdict.score, ev, verdict.reason)

    # -- collections ------------------------------------------------------------------

    def scan(
        self,
        documents: Iterable[Document | Problem],
        *,
        kinds: Iterable[Kind] | None = None,
        progress: Progress | None = None,
        total: int | None = None,
        workers: int | None = None,
    ) -> ScanResult:
        """All duplicate pairs among ``documents`` and the documents already indexed.

        The documents are fingerprinted on every core, candidates come from LSH bands
        over the whole batch, and candidates are verified on every core; the result is
        the same with any number of workers. Every document is then added to the index,
        so a detector can scan several batches. A document that cannot be used becomes a
        :class:`~dedup.model.Problem` in the result and the scan goes on; problems in
        ``documents`` (from a reader) are passed through.

        Args:
            documents: the documents, or problems met while reading them.
            kinds: report only these kinds (the copies, :data:`~dedup.model.COPY_KINDS`,
                if omitted; add ``Kind.TEMPLATE`` or ``Kind.RELATED`` to see those too).
            progress: called as ``progress(phase, done, total)``.
            total: the number of documents, if known, for ``progress``.
            workers: processes to use; all cores if omitted, 1 for no pool.
        """
        workers = workers or default_workers()
        ids, texts, found_problems, order = self._read(documents, progress, total)
        fps = fingerprint_all(
            texts, self.options, workers=workers, tick=_ticker(progress, "fingerprinting")
        )
        ids, texts, fps = self._drop_short(ids, texts, fps, found_problems, order)
        problems = [p for _, p in sorted(found_problems, key=lambda item: item[0])]
        earlier = self._against_index(ids, texts, fps)
        matches = find_matches(
            ids, texts, fps, self.options, workers=workers, tick=_ticker(progress, "comparing")
        )
        self._insert(ids, texts, fps)
        wanted = set(kinds) if kinds is not None else COPY_KINDS
        found = [m for m in [*matches, *earlier] if m.kind in wanted]
        return ScanResult(tuple(sorted(found, key=_rank)), len(ids), tuple(problems))

    # -- internals --------------------------------------------------------------------

    def _read(
        self, documents: Iterable[Document | Problem], progress: Progress | None, total: int | None
    ) -> tuple[list[str], list[str], list[tuple[int, Problem]], list[int]]:
        """Ids, texts, problems (with their input position) and each text's position."""
        ids: list[str] = []
        texts: list[str] = []
        problems: list[tuple[int, Problem]] = []
        order: list[int] = []
        seen: set[str] = set()
        for done, item in enumerate(documents, 1):
            if isinstance(item, Problem):
                problems.append((done, item))
            elif item.id in seen:
                problems.append((done, Problem(item.id, "duplicate id in this scan, skipped")))
            else:
                seen.add(item.id)
                ids.append(item.id)
                texts.append(item.text)
                order.append(done)
            if progress is not None:
                progress("reading", done, total)
        return ids, texts, problems, order

    def _drop_short(
        self,
        ids: list[str],
        texts: list[str],
        fps: Fingerprints,
        problems: list[tuple[int, Problem]],
        order: list[int],
    ) -> tuple[list[str], list[str], Fingerprints]:
        short = fps.words < self.options.min_words
        if not short.any():
            return ids, texts, fps
        for row in np.flatnonzero(short).tolist():
            try:
                self._check_length(ids[row], int(fps.words[row]))
            except EmptyDocumentError as exc:
                message = str(exc.args[0]).removeprefix(f"{ids[row]}: ")
                problems.append((order[row], Problem(ids[row], message)))
        keep = np.flatnonzero(~short)
        rows = keep.tolist()
        return [ids[r] for r in rows], [texts[r] for r in rows], fps.rows(keep)

    def _fingerprint_of(self, fps: Fingerprints, row: int) -> Fingerprint:
        return fps.fingerprint(row, self.options.fingerprint.seed)

    def _against_index(
        self, ids: Sequence[str], texts: Sequence[str], fps: Fingerprints
    ) -> list[Match]:
        """Matches between the batch and documents indexed before it."""
        if not len(self._index):
            return []
        batch = set(ids)
        found = []
        for row, doc_id in enumerate(ids):
            fp = self._fingerprint_of(fps, row)
            mine: Prepared | None = None
            for other_id in sorted(self._candidates(fp) - batch):
                mine = mine or prepare(
                    doc_id, texts[row], fingerprint=self.options.fingerprint, known=fp
                )
                other = self._prepared(other_id)
                match = self._verify(other, mine, exact=other.fingerprint.digest == fp.digest)
                if match is not None:
                    found.append(match)
        return found

    def _insert(self, ids: Sequence[str], texts: Sequence[str], fps: Fingerprints) -> None:
        fingerprints = [self._fingerprint_of(fps, row) for row in range(len(ids))]
        bulk = getattr(self._index, "insert_many", None)
        if bulk is not None:
            bulk(ids, fingerprints, texts)
        else:
            for doc_id, fp, text in zip(ids, fingerprints, texts, strict=True):
                self._index.insert(doc_id, fp, text)

    def _verify(self, a: Prepared, b: Prepared, *, exact: bool, by_id: bool = True) -> Match | None:
        """The match of ``a`` and ``b`` if it reaches the threshold; with ``by_id``, the
        one with the smaller id is ``a`` (as in scans), else ``a`` stays ``a``."""
        if by_id and a.id > b.id:
            a, b = b, a
        ev = evidence(a, b, self.options.verify)
        verdict = classify(ev, exact=exact, options=self.options.verify)
        if not worth_reporting(verdict, ev, self.options.threshold, self.options.verify):
            return None
        return Match(a.id, b.id, verdict.kind, round(verdict.score, 4), ev, verdict.reason)

    def _candidates(self, fp: Fingerprint) -> set[str]:
        """The indexed documents sharing a band with ``fp`` whose estimated Jaccard
        reaches ``lsh.prefilter`` in some view. The persistent backends estimate it
        where they keep the documents (``similar``: SQLite from 768-byte sketches, Redis
        from the stored signatures), so a false candidate costs no text; in memory each
        candidate is prepared (and cached) here."""
        floor = self.options.lsh.prefilter
        similar = getattr(self._index, "similar", None)
        if callable(similar):
            found: set[str] = similar(fp, floor)
            return found
        return {
            other
            for other in self._index.query(fp)
            if reaches(fp.signatures, self._prepared(other).fingerprint.signatures, floor)
        }

    def _prepared(self, doc_id: str) -> Prepared:
        """The indexed document, prepared. The cache is keyed by id *and* text, read
        from the index each time: whoever replaced the document (``Index.add``, another
        worker on the same Redis or SQLite index), a stale preparation is never used."""
        text = self._index.text(doc_id)
        key = (doc_id, text)
        prepared = self._cache.get(key)
        if prepared is None:
            prepared = prepare(doc_id, text, fingerprint=self.options.fingerprint)
            self._cache[key] = prepared
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return prepared


_CACHE_SIZE = 2048
_ADD_BATCH = 1000  # documents per transaction in Index.add_many


def _ticker(progress: Progress | None, phase: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    done = 0

    def tick(n: int, total: int) -> None:
        nonlocal done
        done += n
        progress(phase, done, total)

    return tick


def _rank(match: Match) -> tuple[float, str, str]:
    return (-match.score, match.a, match.b)


def clusters(matches: Iterable[Match]) -> list[Cluster]:
    """Group matched documents into connected components, largest score first.

    >>> from dedup.model import Evidence
    >>> ev = Evidence((), 1.0, 1.0, 1.0, 1)
    >>> ms = [Match("a", "b", Kind.EXACT, 1.0, ev), Match("b", "c", Kind.SPUN, 0.7, ev)]
    >>> clusters(ms)[0].ids
    ('a', 'b', 'c')
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: list[Match] = list(matches)
    for m in members:
        ra, rb = find(m.a), find(m.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[Match]] = {}
    for m in members:
        groups.setdefault(find(m.a), []).append(m)
    result = []
    for ms in groups.values():
        ids = sorted({x for m in ms for x in (m.a, m.b)})
        kinds = tuple(sorted({m.kind for m in ms}, key=list(Kind).index))
        result.append(Cluster(tuple(ids), kinds, max(m.score for m in ms)))
    return sorted(result, key=lambda c: (-c.score, c.ids))


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
        fp, words = fingerprint_text(text, options=self.options.fingerprint)
        self._detector._check_length(doc_id, words)
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
            if len(batch) >= _ADD_BATCH:
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
        signatures, digests, words, _, _ = fingerprint_many(
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
                self._detector._check_length(item.id, int(words[row]))
            except EmptyDocumentError as exc:
                if on_problem is not None:
                    message = str(exc.args[0]).removeprefix(f"{item.id}: ")
                    on_problem(Problem(item.id, message))
                continue
            sigs = {view: sig[row] for view, sig in signatures.items()}
            ids.append(item.id)
            fps.append(Fingerprint(digests[row], sigs, seed))
            texts.append(item.text)
        if on_replace is not None:
            seen: set[str] = set()
            for doc_id in ids:
                if doc_id in seen or doc_id in self._backend:
                    on_replace(doc_id)
                seen.add(doc_id)
        with self._lock:
            bulk = getattr(self._backend, "insert_many", None)
            if bulk is not None:
                bulk(ids, fps, texts)
            else:
                for doc_id, fp, text in zip(ids, fps, texts, strict=True):
                    self._backend.insert(doc_id, fp, text)
        return len(ids)

    def check(
        self, text: str, *, doc_id: str = "query", kinds: Iterable[Kind] | None = None
    ) -> list[Match]:
        """Copies of ``text`` in the index, best first (``b`` is ``doc_id``); ``kinds``
        as in :meth:`Detector.scan`."""
        return self._detector.check(text, doc_id=doc_id, kinds=kinds)

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
        fp, words = fingerprint_text(text, options=self.options.fingerprint)
        self._detector._check_length(doc_id, words)
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
        See :meth:`SqliteIndex.prewarm <dedup.index.sqlite.SqliteIndex.prewarm>`."""
        prewarm = getattr(self._backend, "prewarm", None)  # a backend of one's own may lack it
        if callable(prewarm):
            prewarm()

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
