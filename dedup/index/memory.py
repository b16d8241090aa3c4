"""The in-memory index: one datasketch ``MinHashLSH`` per view and a dict of texts.

The LSH tables are built with explicit ``(bands, rows)`` so recall is chosen, not
implied by a threshold.
"""

from __future__ import annotations

from datasketch import MinHashLSH

from dedup.errors import UnknownDocumentError
from dedup.fingerprint import Fingerprint, is_empty, lean
from dedup.options import FingerprintOptions, LshOptions

__all__ = ["MemoryIndex"]


class MemoryIndex:
    """In-memory LSH: one datasketch ``MinHashLSH`` per view.

    >>> from dedup.tokens import tokenize
    >>> from dedup.fingerprint import fingerprint
    >>> text = "the quick brown fox jumps over the lazy dog again and again"
    >>> fp = fingerprint(tokenize(text), text)
    >>> index = MemoryIndex()
    >>> index.insert("fox", fp, text)
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
        self._texts: dict[str, str] = {}

    def insert(self, doc_id: str, fp: Fingerprint, text: str) -> None:
        if doc_id in self._views_of:
            self.remove(doc_id)
        views = [view for view in self._tables if not is_empty(fp.signatures[view])]
        for view in views:
            self._tables[view].insert(doc_id, lean(fp, view), check_duplication=False)
        self._views_of[doc_id] = views
        self._texts[doc_id] = text

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
        del self._texts[doc_id]

    def text(self, doc_id: str) -> str:
        try:
            return self._texts[doc_id]
        except KeyError:
            raise UnknownDocumentError(f"no document with id {doc_id!r} in the index") from None

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._views_of

    def __len__(self) -> int:
        return len(self._views_of)
