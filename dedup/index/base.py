"""The protocol every index backend (memory, SQLite, Redis) implements."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Protocol, Self

from dedup.fingerprint import Fingerprint
from dedup.options import FingerprintOptions, LshOptions

__all__ = ["CandidateIndex", "Closing"]


class CandidateIndex(Protocol):
    """Where documents are kept and candidates are looked up.

    An index stores each document's text (verification re-reads it) and its MinHash
    fingerprint in LSH band tables, one set of tables per view.
    """

    def insert(
        self,
        doc_id: str,
        fp: Fingerprint,
        text: str,
        *,
        meta: Mapping[str, object] | None = None,
    ) -> None:
        """Store ``text`` (and ``meta``, JSON-able) and index ``fp`` under ``doc_id``,
        replacing an earlier one."""

    def query(self, fp: Fingerprint) -> set[str]:
        """Ids of the stored documents that share an LSH band with ``fp`` in any view."""

    def text(self, doc_id: str) -> str:
        """The stored text; raises :class:`~dedup.errors.UnknownDocumentError`."""

    def meta(self, doc_id: str) -> dict[str, object]:
        """The stored metadata (empty if none was given)."""

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; raises :class:`~dedup.errors.UnknownDocumentError`."""

    def __contains__(self, doc_id: object) -> bool: ...

    def ids(self) -> list[str]:
        """Every stored id, sorted."""

    def __len__(self) -> int: ...

    @property
    def fingerprint(self) -> FingerprintOptions:
        """The fingerprint settings the index was built with."""

    @property
    def lsh(self) -> LshOptions:
        """The band settings the index was built with."""

    def prewarm(self) -> None:
        """Read the band tables into memory ahead of the first lookups, where they live
        on disk (a no-op for backends that keep them in memory)."""

    def close(self) -> None:
        """Release connections; the index is unusable afterwards."""


class Closing:
    """``with`` support for a backend (``__exit__`` calls ``close()``), and the
    :meth:`prewarm` of backends whose band tables are already in memory."""

    def prewarm(self) -> None:
        """Nothing to read: the band tables are in memory (backends on disk override)."""

    def close(self) -> None:
        """Release connections (backends override this)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
