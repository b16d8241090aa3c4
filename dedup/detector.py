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

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from dedup.backends import CandidateIndex, MemoryIndex
from dedup.errors import EmptyDocumentError, InputError
from dedup.fingerprint import Fingerprint, fingerprint_with_anchors
from dedup.model import COPY_KINDS, Cluster, Document, Kind, Match, Problem, ScanResult
from dedup.options import DetectorOptions
from dedup.scan.arrays import Fingerprints
from dedup.scan.pairs import find_matches
from dedup.scan.pool import default_workers, fingerprint_all
from dedup.verify import (
    Prepared,
    classify,
    evidence,
    prepare,
    reportable_evidence,
    worth_reporting,
)

__all__ = ["Detector", "Document", "Progress", "clusters"]

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
        self.check_length(doc_id, prepared.words)
        return prepared

    def check_length(self, doc_id: str, words: int) -> None:
        """Raise :class:`~dedup.errors.EmptyDocumentError` unless a document of ``words``
        words is long enough to compare (``options.min_words``)."""
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
        fp, words = fingerprint_with_anchors(text, options=self.options.fingerprint)
        self.check_length(doc_id, words)
        self._index.insert(doc_id, fp, text)

    def remove(self, doc_id: str) -> None:
        """Forget a document."""
        self._index.remove(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._index

    def __len__(self) -> int:
        return len(self._index)

    def check(
        self,
        text: str,
        *,
        doc_id: str = "query",
        kinds: Iterable[Kind] | None = None,
        same_id: bool = False,
    ) -> list[Match]:
        """Copies of ``text`` among the indexed documents, best first.

        Each match has ``a`` = the indexed document and ``b`` = ``doc_id``; ``kinds``
        as in :meth:`scan`. The indexed document stored under ``doc_id`` itself is
        taken for an earlier version of this one and not compared, unless
        ``same_id``: then it is compared when its text differs (an id that collided by
        accident, such as two folders' ``050.txt``).
        """
        fp, words = fingerprint_with_anchors(text, options=self.options.fingerprint)
        self.check_length(doc_id, words)
        return self.check_fingerprint(fp, text, doc_id=doc_id, kinds=kinds, same_id=same_id)

    def check_fingerprint(
        self,
        fp: Fingerprint,
        text: str,
        *,
        doc_id: str = "query",
        kinds: Iterable[Kind] | None = None,
        same_id: bool = False,
    ) -> list[Match]:
        """:meth:`check` for a caller that has fingerprinted ``text`` already (with its
        anchors, :func:`~dedup.fingerprint.fingerprint_with_anchors`, to find passages)."""
        wanted = set(kinds) if kinds is not None else COPY_KINDS
        query: Prepared | None = None
        found = []
        for other_id in sorted(self._candidates(fp) | self._passage_candidates(fp)):
            if other_id == doc_id and not same_id:
                continue
            other = self._prepared(other_id)
            exact = other.fingerprint.digest == fp.digest
            if other_id == doc_id and exact:
                continue  # the very document, stored
            query = query or self.prepare(doc_id, text)
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
        documents: Iterable[Document | Problem | tuple[str, str]],
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
            texts,
            self.options,
            workers=workers,
            tick=_ticker(progress, "fingerprinting"),
            readings=True,
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
        self,
        documents: Iterable[Document | Problem | tuple[str, str]],
        progress: Progress | None,
        total: int | None,
    ) -> tuple[list[str], list[str], list[tuple[int, Problem]], list[int]]:
        """Ids, texts, problems (with their input position) and each text's position."""
        ids: list[str] = []
        texts: list[str] = []
        problems: list[tuple[int, Problem]] = []
        order: list[int] = []
        seen: set[str] = set()
        for done, given in enumerate(documents, 1):
            item = _document(given, done)
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
                self.check_length(ids[row], int(fps.words[row]))
            except EmptyDocumentError as exc:
                problems.append((order[row], Problem(ids[row], exc.message)))
        keep = np.flatnonzero(~short)
        rows = keep.tolist()
        return [ids[r] for r in rows], [texts[r] for r in rows], fps.rows(keep)

    def _fingerprint_of(self, fps: Fingerprints, row: int) -> Fingerprint:
        return fps.fingerprint(row, self.options.fingerprint.seed)

    def _against_index(
        self, ids: Sequence[str], texts: Sequence[str], fps: Fingerprints
    ) -> list[Match]:
        """Matches between the batch and documents indexed before it: LSH candidates
        and passage candidates (shared rare anchors), as a check finds them."""
        if not len(self._index):
            return []
        batch = set(ids)
        found = []
        for row, doc_id in enumerate(ids):
            fp = self._fingerprint_of(fps, row)
            mine: Prepared | None = None
            candidates = self._candidates(fp) | self._passage_candidates(fp)
            for other_id in sorted(candidates - batch):
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
        self._index.insert_many(ids, fingerprints, texts)

    def _verify(self, a: Prepared, b: Prepared, *, exact: bool, by_id: bool = True) -> Match | None:
        """The match of ``a`` and ``b`` if it reaches the threshold; with ``by_id``, the
        one with the smaller id is ``a`` (as in scans), else ``a`` stays ``a``."""
        if by_id and a.id > b.id:
            a, b = b, a
        options = self.options
        ev = (
            evidence(a, b, options.verify)
            if exact  # identical texts: measured in full, as they always reach the threshold
            else reportable_evidence(a, b, options.verify, options.threshold)
        )
        if ev is None:
            return None
        verdict = classify(ev, exact=exact, options=options.verify)
        if not worth_reporting(verdict, ev, options.threshold, options.verify):
            return None
        return Match(a.id, b.id, verdict.kind, round(verdict.score, 4), ev, verdict.reason)

    def _candidates(self, fp: Fingerprint) -> set[str]:
        """The indexed documents sharing a band with ``fp`` whose estimated Jaccard
        reaches ``lsh.prefilter`` in some view. Every backend estimates it where it
        keeps the documents (``similar``: SQLite from 768-byte sketches, Redis and
        memory from the stored signatures), so a false candidate costs no text."""
        return self._index.similar(fp, self.options.lsh.prefilter)

    def _passage_candidates(self, fp: Fingerprint) -> set[str]:
        """The indexed documents that share at least ``lsh.passage_anchors`` rare
        anchors with ``fp``, its best ``lsh.passage_partners`` or one per 20 words (a
        document has about one anchor per two words): a passage copied into a long
        page, which the whole page's signatures miss. A scan keeps fewer (one per 100
        words) because it sees each pair from both sides; a check sees only the page's,
        where stories the page holds whole take the first places (one per 100 words found
        65% of the Reuters benchmark's passages spun at 35%, one per 20 words 96%)."""
        lsh = self.options.lsh
        if not lsh.passage_anchors or fp.anchors is None:
            return set()
        shared = self._index.anchored(fp, max_documents=lsh.passage_documents)
        ranked = sorted(
            ((doc_id, n) for doc_id, n in shared.items() if n >= lsh.passage_anchors),
            key=lambda item: (-item[1], item[0]),
        )
        partners = max(lsh.passage_partners, len(fp.anchors) // 10, 1)
        return {doc_id for doc_id, _ in ranked[:partners]}

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


def _canonical(matches: Sequence[Match]) -> str:
    """The document of a cluster to keep (:attr:`Cluster.canonical`)."""
    votes: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    for m in matches:
        degree.update((m.a, m.b))
        if m.original is not None:
            votes[m.original] += 1
    return min(degree, key=lambda doc_id: (-votes[doc_id], -degree[doc_id], doc_id))


def _document(item: object, position: int) -> Document | Problem:
    """A scan's input as a :class:`Document` (or the :class:`Problem` a reader gave):
    an ``(id, text)`` pair of strings is one too; anything else is an
    :class:`~dedup.errors.InputError` naming its position."""
    if isinstance(item, Document | Problem):
        return item
    if isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
        return Document(item[0], item[1])
    raise InputError(
        f"expected a Document, a Problem or an (id, text) pair of strings, got "
        f"{type(item).__name__}",
        source=f"document {position}",
    )


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
    >>> clusters(ms)[0].ids, clusters(ms)[0].canonical  # b is in the most matches
    (('a', 'b', 'c'), 'b')
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
        result.append(Cluster(tuple(ids), kinds, max(m.score for m in ms), _canonical(ms)))
    return sorted(result, key=lambda c: (-c.score, c.ids))
