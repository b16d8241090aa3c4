"""The contract every index backend (memory, SQLite, Redis) fulfils, with its defaults.

A backend subclasses :class:`CandidateIndex` and implements the abstract methods: store
a document, find the ones sharing a band, hand back a text, its signatures and its
metadata. The base class gives what can be built from those (a bulk insert that loops,
a prefilter that reads the stored signatures, no-op ``prewarm`` and ``close``, ``with``
support), so the :class:`~dedup.detector.Detector` calls every method of every backend
the same way; a backend overrides a default where it can do better (one transaction
per batch, an estimate from sketches it keeps beside the documents).

The contract is tested once, over every backend (``tests/test_backends.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Self

from dedup.backends._stored import batch_order
from dedup.fingerprint import Fingerprint, Signature, reaches
from dedup.options import FingerprintOptions, LshOptions

__all__ = ["CandidateIndex"]


class CandidateIndex(ABC):
    """Where documents are kept and candidates are looked up.

    An index stores each document's text (verification re-reads it) and its MinHash
    fingerprint in LSH band tables, one set of tables per view.
    """

    # -- what every backend implements ------------------------------------------------

    @abstractmethod
    def insert(
        self,
        doc_id: str,
        fp: Fingerprint,
        text: str,
        *,
        meta: Mapping[str, object] | None = None,
    ) -> None:
        """Store ``text`` (and ``meta``, JSON-able) and index ``fp`` under ``doc_id``,
        replacing an earlier one.

        Raises:
            SettingsMismatchError: ``fp`` was made with other settings than the index.
            InputError: ``meta`` is not JSON-serialisable.
        """

    @abstractmethod
    def query(self, fp: Fingerprint) -> set[str]:
        """Ids of the stored documents that share an LSH band with ``fp`` in a view
        whose signature is not empty."""

    @abstractmethod
    def text(self, doc_id: str) -> str:
        """The stored text; raises :class:`~dedup.errors.UnknownDocumentError`."""

    @abstractmethod
    def signatures(self, doc_id: str) -> dict[str, Signature]:
        """The stored MinHash signatures of a document, by view (no text is read);
        raises :class:`~dedup.errors.UnknownDocumentError`."""

    @abstractmethod
    def meta(self, doc_id: str) -> dict[str, object]:
        """The stored metadata (empty if none was given); a new dict each time."""

    @abstractmethod
    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; raises :class:`~dedup.errors.UnknownDocumentError`."""

    @abstractmethod
    def __contains__(self, doc_id: object) -> bool: ...

    @abstractmethod
    def ids(self) -> list[str]:
        """Every stored id, sorted."""

    @abstractmethod
    def __len__(self) -> int: ...

    @property
    @abstractmethod
    def fingerprint(self) -> FingerprintOptions:
        """The fingerprint settings the index was built with."""

    @property
    @abstractmethod
    def lsh(self) -> LshOptions:
        """The band settings the index was built with."""

    # -- defaults a backend may override ----------------------------------------------

    def insert_many(
        self,
        ids: Sequence[str],
        fps: Sequence[Fingerprint],
        texts: Sequence[str],
        *,
        metas: Sequence[Mapping[str, object] | None] | None = None,
    ) -> None:
        """Insert many documents; the same as inserting them in order (a repeated id
        keeps its last document). Backends override it to write a batch at once.

        Raises:
            InputError: the sequences differ in length.
        """
        for k in batch_order(ids, fps, texts, metas):
            meta = metas[k] if metas is not None else None
            self.insert(ids[k], fps[k], texts[k], meta=meta)

    def similar(self, fp: Fingerprint, floor: float) -> set[str]:
        """What :meth:`query` finds, less the candidates whose estimated Jaccard with
        ``fp`` is under ``floor`` in every view (``floor`` 0 keeps them all): the
        prefilter the detector applies to every candidate before it reads a text.

        This default reads each candidate's stored signatures; a backend that keeps a
        smaller sketch of them estimates from that.
        """
        found = self.query(fp)
        if floor <= 0:
            return found
        return {
            doc_id for doc_id in found if reaches(fp.signatures, self.signatures(doc_id), floor)
        }

    def anchored(self, fp: Fingerprint, *, max_documents: int) -> dict[str, int]:
        """The stored documents that share anchors with ``fp`` (those of
        :func:`dedup.lsh.passages.indexed_anchors` held by at most ``max_documents``
        documents), and how many each shares: passage candidates, however small a share
        of either document the passage is. This default keeps no anchors and finds
        none (LSH still finds whole-document copies), for a backend of one's own; the
        memory, SQLite and Redis backends keep them."""
        return {}

    def prewarm(self) -> None:
        """Read the band tables into memory ahead of the first lookups, where they live
        on disk (nothing to do for backends that keep them in memory)."""
        return None

    def close(self) -> None:
        """Release connections; the index is unusable afterwards (nothing to release
        for backends that hold none)."""
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
