"""The protocol every index backend (memory, SQLite, Redis) implements."""

from __future__ import annotations

from typing import Protocol

from dedup.fingerprint import Fingerprint

__all__ = ["CandidateIndex"]


class CandidateIndex(Protocol):
    """Where documents are kept and candidates are looked up.

    An index stores each document's text (verification re-reads it) and its MinHash
    fingerprint in LSH band tables, one set of tables per view.
    """

    def insert(self, doc_id: str, fp: Fingerprint, text: str) -> None:
        """Store ``text`` and index ``fp`` under ``doc_id``, replacing an earlier one."""

    def query(self, fp: Fingerprint) -> set[str]:
        """Ids of the stored documents that share an LSH band with ``fp`` in any view."""

    def text(self, doc_id: str) -> str:
        """The stored text; raises :class:`~dedup.errors.UnknownDocumentError`."""

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; raises :class:`~dedup.errors.UnknownDocumentError`."""

    def __contains__(self, doc_id: object) -> bool: ...

    def __len__(self) -> int: ...
