"""Candidate search: LSH band tables over each view's MinHash signatures.

An index proposes candidates only; :mod:`dedup.verify` decides. The in-memory index
here keeps one datasketch ``MinHashLSH`` per view, built with explicit ``(bands, rows)``
so recall is chosen, not implied by a threshold.
"""

from __future__ import annotations

from typing import Protocol

from datasketch import MinHashLSH

from dedup.errors import UnknownDocumentError
from dedup.fingerprint import Fingerprint, is_empty, lean
from dedup.options import FingerprintOptions, LshOptions

__all__ = ["CandidateIndex", "MemoryIndex"]


class CandidateIndex(Protocol):
    """What a candidate index offers; storage backends implement this."""

    def insert(self, doc_id: str, fp: Fingerprint) -> None:
        """Index ``fp`` under ``doc_id``."""

    def query(self, fp: Fingerprint) -> set[str]:
        """Ids of the indexed documents that share a band with ``fp`` in any view."""

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; raises :class:`~dedup.errors.UnknownDocumentError`."""

    def __contains__(self, doc_id: object) -> bool: ...

    def __len__(self) -> int: ...


class MemoryIndex:
    """In-memory LSH: one datasketch ``MinHashLSH`` per view.

    >>> from dedup.tokens import tokenize
    >>> from dedup.fingerprint import fingerprint
    >>> text = "the quick brown fox jumps over the lazy dog again and again"
    >>> fp = fingerprint(tokenize(text), text)
    >>> index = MemoryIndex()
    >>> index.insert("fox", fp)
    >>> index.query(fp), len(index), "fox" in index
    ({'fox'}, 1, True)
    """

    def __init__(
        self,
        *,
        fingerprint: FingerprintOptions | None = None,
        lsh: LshOptions | None = None,
    ) -> None:
        fingerprint = fingerprint or FingerprintOptions()
        lsh = lsh or LshOptions()
        lsh.check(fingerprint.num_perm)
        self._tables = {
            view: MinHashLSH(num_perm=fingerprint.num_perm, params=(lsh.bands, lsh.rows))
            for view in fingerprint.views
        }
        self._views_of: dict[str, list[str]] = {}

    def insert(self, doc_id: str, fp: Fingerprint) -> None:
        if doc_id in self._views_of:
            self.remove(doc_id)
        views = [view for view in self._tables if not is_empty(fp.signatures[view])]
        for view in views:
            self._tables[view].insert(doc_id, lean(fp, view), check_duplication=False)
        self._views_of[doc_id] = views

    def query(self, fp: Fingerprint) -> set[str]:
        found: set[str] = set()
        for view, table in self._tables.items():
            if not is_empty(fp.signatures[view]):
                found.update(table.query(lean(fp, view)))
        return found

    def remove(self, doc_id: str) -> None:
        views = self._views_of.pop(doc_id, None)
        if views is None:
            raise UnknownDocumentError(f"no document with id {doc_id!r} in the index")
        for view in views:
            self._tables[view].remove(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._views_of

    def __len__(self) -> int:
        return len(self._views_of)
