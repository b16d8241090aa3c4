"""The in-memory index: one array-based :class:`~dedup.lsh.table.BandTable` per view.

Each document gets a dense integer row (kept while its id is indexed; freed rows are
reused), and the band tables store rows, not ids: 8 bytes per band and view, where
datasketch's ``MinHashLSH`` keeps a Python set per bucket (the memory of each is
measured in ``benchmarks/README.md``). Beside them, a matrix of every row's signatures
(4 bytes per value and view) lets :meth:`MemoryIndex.similar` drop false candidates
without reading a text. The tables are built with explicit ``(bands, rows)`` so recall
is chosen, not implied by a threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from dedup.backends._stored import Layout, batch_order, dump_meta, load_meta, unknown_document
from dedup.backends.base import CandidateIndex
from dedup.fingerprint import EMPTY, Fingerprint, Signature, estimated_shares, is_empty
from dedup.lsh.keys import Keys, band_keys, empty_rows
from dedup.lsh.passages import indexed_anchors
from dedup.lsh.postings import AnchorPostings
from dedup.lsh.table import DEFAULT_CHUNK_SIZE, BandTable
from dedup.options import FingerprintOptions, LshOptions

__all__ = ["MemoryIndex"]


class MemoryIndex(CandidateIndex):
    """In-memory LSH: per view, an array-based band table; texts in a list.

    Not thread-safe (neither was the datasketch index before it): threads sharing one
    must hold a lock around every call, as :class:`~dedup.index.Index` does.

    Args:
        fingerprint: the settings fingerprints must be made with (views, ``num_perm``,
            ``seed``).
        lsh: bands and rows per view.
        chunk_size: documents buffered per view before they are sorted into the band
            tables (see :class:`~dedup.lsh.table.BandTable`); the default suits all
            sizes.

    >>> from dedup.tokens import tokenize
    >>> from dedup.fingerprint import fingerprint
    >>> text = "the quick brown fox jumps over the lazy dog again and again"
    >>> fp = fingerprint(tokenize(text), text)
    >>> index = MemoryIndex()
    >>> index.insert("fox", fp, text, meta={"lang": "en"})
    >>> index.query(fp), len(index), "fox" in index, index.meta("fox")
    ({'fox'}, 1, True, {'lang': 'en'})
    """

    def __init__(
        self,
        *,
        fingerprint: FingerprintOptions | None = None,
        lsh: LshOptions | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self._fingerprint = fingerprint or FingerprintOptions()
        self._lsh = lsh or LshOptions()
        self._layout = Layout.of(self._fingerprint, self._lsh)
        self._tables = {
            view: BandTable(self._lsh.bands, chunk_size=chunk_size)
            for view in self._fingerprint.views
        }
        self._row_of: dict[str, int] = {}
        self._ids: list[str | None] = []  # row -> id (None: a free row)
        self._texts: list[str | None] = []  # row -> text
        self._metas: list[str | None] = []  # row -> meta as JSON (None: none given)
        self._free: list[int] = []
        # row -> signatures of every view, for the prefilter (:meth:`similar`)
        self._signatures = np.full(
            (0, len(self._layout.views), self._fingerprint.num_perm), EMPTY, dtype=np.uint32
        )
        self._anchors = AnchorPostings()  # anchor -> rows holding it

    def insert(
        self,
        doc_id: str,
        fp: Fingerprint,
        text: str,
        *,
        meta: Mapping[str, object] | None = None,
    ) -> None:
        """Store ``text`` and index ``fp`` under ``doc_id``, replacing an earlier one.

        A view whose signature is empty (no shingles) is not indexed. ``meta`` is any
        JSON-serialisable mapping kept with the document (see :meth:`meta`).

        Raises:
            SettingsMismatchError: ``fp`` was made with other settings than the index.
            InputError: ``meta`` is not JSON-serialisable.
        """
        self._check(fp)
        keys = {view: self._keys_of(fp, view) for view in self._tables}
        meta_json = dump_meta(doc_id, meta)
        row = self._row(doc_id)
        for view, table in self._tables.items():
            view_keys = keys[view]
            if view_keys is not None:
                table.insert(row, view_keys)
            elif row in table:
                table.remove(row)
        self._texts[row], self._metas[row] = text, meta_json
        self._keep_signatures(np.array([row]), [fp])
        self._keep_anchors(row, fp)

    def insert_many(
        self,
        ids: Sequence[str],
        fps: Sequence[Fingerprint],
        texts: Sequence[str],
        *,
        metas: Sequence[Mapping[str, object] | None] | None = None,
    ) -> None:
        """Insert many documents at once; the same as inserting them in order, faster.

        Band keys are computed for the whole batch in one call, and a batch larger than
        the tables' buffers is sorted straight into them. A repeated id keeps its last
        document, as one-by-one inserts would.

        Raises:
            InputError: the sequences differ in length, or a ``meta`` is not
                JSON-serialisable.
            SettingsMismatchError: a fingerprint was made with other settings.
        """
        order = batch_order(ids, fps, texts, metas)
        if not order:
            return
        metas_json = [dump_meta(ids[k], metas[k] if metas is not None else None) for k in order]
        empty, keys = {}, {}
        for k in order:
            self._check(fps[k])
        for view in self._tables:
            signatures = np.stack([fps[k].signatures[view] for k in order])
            empty[view] = empty_rows(signatures)
            keys[view] = self._keys(signatures[~empty[view]])
        rows = np.array([self._row(ids[k]) for k in order], dtype=np.int64)
        for view, table in self._tables.items():
            for row in rows[empty[view]].tolist():
                if row in table:
                    table.remove(row)
            table.insert_many(rows[~empty[view]], keys[view])
        for k, row, meta_json in zip(order, rows.tolist(), metas_json, strict=True):
            self._texts[row], self._metas[row] = texts[k], meta_json
        self._keep_signatures(rows, [fps[k] for k in order])
        anchored = [(row, fps[k].anchors) for k, row in zip(order, rows.tolist(), strict=True)]
        for row, anchors in anchored:
            if anchors is None:  # a fingerprint without anchors leaves the row without any
                self._anchors.remove(row)
        self._anchors.insert_many(
            [row for row, a in anchored if a is not None],
            [indexed_anchors(a) for _, a in anchored if a is not None],
        )

    def query(self, fp: Fingerprint) -> set[str]:
        """Ids of the stored documents that share an LSH band with ``fp`` in any view.

        Raises:
            SettingsMismatchError: ``fp`` was made with other settings than the index.
        """
        self._check(fp)
        found = []
        for view, table in self._tables.items():
            keys = self._keys_of(fp, view)
            if keys is not None:
                found.append(table.query(keys))
        if not found:
            return set()
        rows = np.concatenate(found).tolist()
        return {doc_id for doc_id in map(self._ids.__getitem__, rows) if doc_id is not None}

    def similar(self, fp: Fingerprint, floor: float) -> set[str]:
        """What :meth:`query` finds, less the candidates whose estimated Jaccard with
        ``fp`` is under ``floor`` in every view, estimated in one vectorised comparison
        with the signatures kept beside the band tables (no text is read)."""
        found = self.query(fp)
        if floor <= 0 or not found:
            return found
        ids = sorted(found)
        rows = np.array([self._row_of[doc_id] for doc_id in ids], dtype=np.int64)
        stored = self._signatures[rows]  # (n, views, num_perm)
        reach = np.zeros(len(ids), dtype=bool)
        for position, view in enumerate(self._layout.views):
            mine = fp.signatures[view]
            reach |= estimated_shares(stored[:, position], mine) >= floor
        return {doc_id for doc_id, ok in zip(ids, reach.tolist(), strict=True) if ok}

    def anchored(self, fp: Fingerprint, *, max_documents: int) -> dict[str, int]:
        """The documents sharing rare anchors with ``fp``, and how many each shares
        (see :meth:`CandidateIndex.anchored`)."""
        if fp.anchors is None:
            return {}
        shared = self._anchors.shared(indexed_anchors(fp.anchors), max_documents=max_documents)
        found = {}
        for row, count in shared.items():
            doc_id = self._ids[row]
            if doc_id is not None:
                found[doc_id] = count
        return found

    def signatures(self, doc_id: str) -> dict[str, Signature]:
        """The stored MinHash signatures of a document, by view (copies)."""
        stored = self._signatures[self._existing(doc_id)]
        return {view: stored[i].copy() for i, view in enumerate(self._layout.views)}

    def text(self, doc_id: str) -> str:
        """The stored text; raises :class:`~dedup.errors.UnknownDocumentError`."""
        text = self._texts[self._existing(doc_id)]
        assert text is not None  # every row with an id has its text
        return text

    def meta(self, doc_id: str) -> dict[str, object]:
        """The ``meta`` stored with the document (empty if none was given); a new dict
        each time, so changing it changes nothing stored."""
        return load_meta(self._metas[self._existing(doc_id)])

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; raises :class:`~dedup.errors.UnknownDocumentError`."""
        row = self._existing(doc_id)
        del self._row_of[doc_id]
        self._anchors.remove(row)
        for table in self._tables.values():
            if row in table:
                table.remove(row)
        self._ids[row] = self._texts[row] = self._metas[row] = None
        self._free.append(row)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    def __len__(self) -> int:
        return len(self._row_of)

    def ids(self) -> list[str]:
        """Every stored id, sorted."""
        return sorted(self._row_of)

    # -- settings and lifetime --------------------------------------------------------

    @property
    def fingerprint(self) -> FingerprintOptions:
        """The fingerprint settings the index was built with."""
        return self._fingerprint

    @property
    def lsh(self) -> LshOptions:
        """The band settings the index was built with."""
        return self._lsh

    # -- internals --------------------------------------------------------------------

    def _existing(self, doc_id: str) -> int:
        row = self._row_of.get(doc_id)
        if row is None:
            raise unknown_document(doc_id)
        return row

    def _row(self, doc_id: str) -> int:
        """The row of ``doc_id``, given a free one if it has none yet."""
        row = self._row_of.get(doc_id)
        if row is None:
            if self._free:
                row = self._free.pop()
            else:
                row = len(self._ids)
                self._ids.append(None)
                self._texts.append(None)
                self._metas.append(None)
            self._row_of[doc_id] = row
            self._ids[row] = doc_id
        return row

    def _keys_of(self, fp: Fingerprint, view: str) -> Keys | None:
        """The band keys of one view of a checked ``fp``; ``None`` if its signature is
        empty."""
        signature = fp.signatures[view]
        return None if is_empty(signature) else self._keys(signature[np.newaxis])[0]

    def _keys(self, signatures: Signature) -> Keys:
        return band_keys(signatures, bands=self._lsh.bands, rows=self._lsh.rows)

    def _check(self, fp: Fingerprint) -> None:
        """Raise unless ``fp`` was made with the index's settings."""
        self._layout.check(fp, where="in memory")

    def _keep_anchors(self, row: int, fp: Fingerprint) -> None:
        """Index the row's anchors (replacing its old ones); a fingerprint without them
        leaves the row without any."""
        if fp.anchors is None:
            self._anchors.remove(row)
        else:
            self._anchors.insert(row, indexed_anchors(fp.anchors))

    def _keep_signatures(self, rows: npt.NDArray[np.int64], fps: list[Fingerprint]) -> None:
        if not len(rows):
            return
        need = int(rows.max()) + 1
        if need > len(self._signatures):
            grown = np.full(
                (max(need, 2 * len(self._signatures)), *self._signatures.shape[1:]),
                EMPTY,
                dtype=np.uint32,
            )
            grown[: len(self._signatures)] = self._signatures
            self._signatures = grown
        for row, fp in zip(rows.tolist(), fps, strict=True):
            for i, view in enumerate(self._layout.views):
                self._signatures[row, i] = fp.signatures[view]
