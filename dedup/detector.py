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

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator

from dedup.errors import EmptyDocumentError, InputError
from dedup.fingerprint import estimated_jaccard, fingerprint, fingerprint_text
from dedup.index import CandidateIndex, MemoryIndex
from dedup.model import Cluster, Document, Kind, Match, Problem, ScanResult
from dedup.options import DetectorOptions
from dedup.tokens import tokenize
from dedup.verify import Prepared, classify, evidence
from dedup.views import VIEWS

__all__ = ["Detector", "Document", "Progress", "clusters"]

Progress = Callable[[int, int | None], None]
"""A progress callback: ``(done, total)``; ``total`` is ``None`` when unknown."""


class Detector:
    """Finds exact, near-duplicate, partial and spun copies among documents.

    Args:
        options: all settings (:class:`~dedup.options.DetectorOptions`).
        index: where candidates are looked up; an in-memory LSH if omitted.
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
        self._cache: OrderedDict[str, Prepared] = OrderedDict()

    # -- single documents -------------------------------------------------------------

    def prepare(self, doc_id: str, text: str) -> Prepared:
        """Tokenise and fingerprint one document.

        Raises:
            EmptyDocumentError: the text has fewer than ``min_words`` words.
        """
        tokens = tokenize(text)
        self._check_length(doc_id, len(tokens))
        shingles = {view: VIEWS[view].shingles(tokens) for view in self.options.fingerprint.views}
        fp = fingerprint(tokens, text, options=self.options.fingerprint)
        return Prepared(doc_id, tokens, shingles, fp)

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
        self._cache.pop(doc_id, None)

    def remove(self, doc_id: str) -> None:
        """Forget a document."""
        self._index.remove(doc_id)
        self._cache.pop(doc_id, None)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._index

    def __len__(self) -> int:
        return len(self._index)

    def check(self, text: str, *, doc_id: str = "query") -> list[Match]:
        """Copies of ``text`` among the indexed documents, best first.

        Each match has ``a`` = the indexed document and ``b`` = ``doc_id``.
        """
        query = self.prepare(doc_id, text)
        found = []
        for other_id in self._index.query(query.fingerprint):
            if other_id == doc_id:
                continue
            match = self._verify(self._prepared(other_id), query)
            if match is not None:
                found.append(match)
        return sorted(found, key=_rank)

    def compare(self, a: str, b: str, *, a_id: str = "a", b_id: str = "b") -> Match:
        """Score one pair directly, without the index.

        The match's kind is the one the pair would be reported with, even when its
        score is below ``threshold``; compare the score yourself.
        """
        pa, pb = self.prepare(a_id, a), self.prepare(b_id, b)
        ev = evidence(pa, pb, self.options.verify)
        kind, score = classify(
            ev, exact=pa.fingerprint.digest == pb.fingerprint.digest, options=self.options.verify
        )
        return Match(a_id, b_id, kind, score, ev)

    # -- collections ------------------------------------------------------------------

    def scan(
        self,
        documents: Iterable[Document | Problem],
        *,
        kinds: Iterable[Kind] | None = None,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> ScanResult:
        """All duplicate pairs among ``documents`` (and the already indexed ones).

        Every document is added to the index, so a detector can scan several batches.
        A document that cannot be used becomes a :class:`~dedup.model.Problem` in the
        result, and the scan goes on; :class:`Problem` items in ``documents`` (from a
        reader) are passed through the same way.

        Args:
            documents: the documents, or problems met while reading them.
            kinds: report only these kinds (all if omitted).
            progress: called as ``progress(done, total)`` while fingerprinting and
                again while verifying.
            total: the number of documents, if known, for ``progress``.
        """
        problems: list[Problem] = []
        order: list[str] = []
        for done, item in enumerate(documents, 1):
            if isinstance(item, Problem):
                problems.append(item)
            else:
                try:
                    self.add(item.id, item.text)
                    order.append(item.id)
                except InputError as exc:
                    problems.append(Problem(item.id, str(exc.args[0]).removeprefix(f"{item.id}: ")))
            if progress is not None:
                progress(done, total)
        wanted = set(kinds) if kinds is not None else None
        matches = []
        seen = set(order)
        for done, doc_id in enumerate(order, 1):
            for match in self._matches_of(doc_id, seen):
                if wanted is None or match.kind in wanted:
                    matches.append(match)
            seen.discard(doc_id)
            if progress is not None:
                progress(done, len(order))
        return ScanResult(tuple(sorted(matches, key=_rank)), len(order), tuple(problems))

    # -- internals --------------------------------------------------------------------

    def _matches_of(self, doc_id: str, later: set[str]) -> Iterator[Match]:
        """Matches of ``doc_id`` with documents in ``later`` (each pair once)."""
        mine = self._prepared(doc_id)
        for other_id in self._index.query(mine.fingerprint):
            if other_id != doc_id and other_id in later:
                match = self._verify(mine, self._prepared(other_id))
                if match is not None:
                    yield match

    def _verify(self, a: Prepared, b: Prepared) -> Match | None:
        if a.id > b.id:
            a, b = b, a
        exact = a.fingerprint.digest == b.fingerprint.digest
        if not exact and self._below_prefilter(a, b):
            return None
        ev = evidence(a, b, self.options.verify)
        kind, score = classify(ev, exact=exact, options=self.options.verify)
        if score < self.options.threshold:
            return None
        return Match(a.id, b.id, kind, round(score, 4), ev)

    def _below_prefilter(self, a: Prepared, b: Prepared) -> bool:
        floor = self.options.lsh.prefilter
        return all(
            estimated_jaccard(sig, b.fingerprint.signatures[view]) < floor
            for view, sig in a.fingerprint.signatures.items()
        )

    def _prepared(self, doc_id: str) -> Prepared:
        prepared = self._cache.get(doc_id)
        if prepared is None:
            prepared = self.prepare(doc_id, self._index.text(doc_id))
            self._remember(prepared)
        else:
            self._cache.move_to_end(doc_id)
        return prepared

    def _remember(self, prepared: Prepared) -> None:
        self._cache[prepared.id] = prepared
        self._cache.move_to_end(prepared.id)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)


_CACHE_SIZE = 2048


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
