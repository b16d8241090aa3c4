"""What the executors run: the local scan's own code on Arrow record batches.

Nothing here imports Spark; each function takes and yields ``pyarrow.RecordBatch``
(what ``DataFrame.mapInArrow`` hands a Python worker), so it can be tested without a
cluster and runs the same in every executor:

* :func:`fingerprint_batches`: the compiled fingerprint pass
  (:func:`dedup.fingerprint.fingerprint_many`) over a partition, with the band keys of
  every view (:func:`dedup.lsh.keys.band_keys`), the line keys and the anchors;
* :func:`verify_batches`: candidate pairs with both documents' features, verified by
  :func:`dedup.scan.pool.verify_pairs`, classified by :func:`dedup.verify.classify` and
  expanded over exact groups by :func:`dedup.scan.pairs.expand`, as in a local scan.

Unsigned values travel as signed 64-bit integers of the same bits (Spark has no
unsigned types): line keys are ``uint64``, band keys and anchors ``uint32``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dedup.fingerprint import fingerprint_many
from dedup.lsh.keys import band_keys, empty_rows
from dedup.model import Evidence, Kind
from dedup.options import DetectorOptions
from dedup.render.matches import match_record
from dedup.scan.arrays import Anchors, Chrome, Fingerprints, Lines
from dedup.scan.pairs import expand, passes_prefilter
from dedup.scan.pool import verify_pairs
from dedup.spark.schema import fingerprint_fields, match_fields
from dedup.verify import classify, worth_reporting

__all__ = ["fingerprint_batches", "verify_batches"]


def fingerprint_batches(
    batches: Iterable[pa.RecordBatch], *, options: DetectorOptions
) -> Iterator[pa.RecordBatch]:
    """``id, text`` -> ``id, digest, words``, then per view ``sig_<view>`` (the
    signature's bytes) and ``bands_<view>`` (its band keys, null for an empty
    signature), then ``line_keys, line_words, anchors`` and the ``text``."""
    views = options.fingerprint.views
    schema = pa.schema(fingerprint_fields(views, text=True))
    lsh = options.lsh
    for batch in batches:
        if not batch.num_rows:
            continue
        ids = batch.column("id")
        texts = batch.column("text").to_pylist()
        signatures, digests, words, (line_keys, line_words, line_offsets), anchors = (
            fingerprint_many(texts, options=options.fingerprint)
        )
        columns: list[pa.Array] = [ids, pa.array(digests, pa.string()), pa.array(words)]
        for view in views:
            sig = signatures[view]
            columns.append(pa.array([row.tobytes() for row in sig], pa.binary()))
            keys = band_keys(sig, bands=lsh.bands, rows=lsh.rows).astype(np.int64)
            offsets = np.arange(len(sig) + 1, dtype=np.int32) * lsh.bands
            mask = pa.array(empty_rows(sig))
            columns.append(pa.ListArray.from_arrays(offsets, keys.ravel(), mask=mask))
        columns.append(_lists(line_keys.view(np.int64), line_offsets))
        columns.append(_lists(line_words.astype(np.int64), line_offsets))
        columns.append(_lists(anchors[0].astype(np.int64), anchors[1]))
        columns.append(batch.column("text"))
        yield pa.RecordBatch.from_arrays(columns, schema=schema)


def verify_batches(
    batches: Iterable[pa.RecordBatch],
    *,
    options: DetectorOptions,
    kinds: frozenset[Kind],
) -> Iterator[pa.RecordBatch]:
    """Candidate pairs ``a, b, band, passage, exact`` with each side's features
    (``a_text``, ``a_digest``, ..., ``b_members``) -> the matches they stand for:
    ``a, b, kind, score, reason, evidence``, one row per reported pair of documents.

    A pair proposed by the bands alone must pass the estimated-Jaccard prefilter first;
    passage candidates and exact groups' first pairs are verified as they are."""
    schema = pa.schema(match_fields())
    views = options.fingerprint.views
    for batch in batches:
        if not batch.num_rows:
            continue
        rows = batch.to_pydict()
        docs = _Documents(views, options.fingerprint.num_perm)
        pairs = np.array(
            [(docs.add(rows, "a", k), docs.add(rows, "b", k)) for k in range(batch.num_rows)],
            dtype=np.int64,
        ).reshape(-1, 2)
        fps, chrome = docs.fingerprints(options)
        keep = np.asarray(rows["exact"], dtype=bool) | np.asarray(rows["passage"], dtype=bool)
        banded = np.flatnonzero(~keep)
        if len(banded):
            keep[banded] = passes_prefilter(pairs[banded], fps.signatures, options.lsh.prefilter)
        chosen = np.flatnonzero(keep)
        # an exact group's pair is reported whatever its sentences: measured in full
        exact = np.asarray(rows["exact"], dtype=bool)[chosen]
        evidences: list[Evidence | None] = [None] * len(chosen)
        for group in (False, True):
            where = np.flatnonzero(exact == group)
            found = verify_pairs(
                pairs[chosen[where]],
                docs.ids,
                docs.texts,
                options,
                workers=1,
                chrome=chrome,
                fps=fps,
                reportable_only=not group,
            )
            for k, ev in zip(where.tolist(), found, strict=True):
                evidences[k] = ev
        out: list[dict[str, Any]] = []
        for k, ev in zip(chosen.tolist(), evidences, strict=True):
            if ev is None:  # could not be worth reporting: not measured
                continue
            same = bool(rows["exact"][k])
            verdict = classify(ev, exact=same, options=options.verify)
            if verdict.kind not in kinds:
                continue
            if not worth_reporting(verdict, ev, options.threshold, options.verify):
                continue
            first = rows["a_members"][k] or [rows["a"][k]]
            second = None if same else (rows["b_members"][k] or [rows["b"][k]])
            out.extend(match_record(m) for m in expand(verdict, ev, first, second))
        if out:
            yield _records(out, schema)


class _Documents:
    """The distinct documents of one batch of pairs, as the local scan's arrays."""

    def __init__(self, views: Sequence[str], num_perm: int) -> None:
        self.views, self.num_perm = views, num_perm
        self.ids: list[str] = []
        self.texts: list[str] = []
        self._row: dict[str, int] = {}
        self._digests: list[str] = []
        self._words: list[int] = []
        self._sigs: dict[str, list[bytes]] = {v: [] for v in views}
        self._lines: list[tuple[list[int], list[int]]] = []
        self._chrome: dict[int, int] = {}

    def add(self, rows: dict[str, list[Any]], side: str, k: int) -> int:
        doc_id = rows[side][k]
        row = self._row.get(doc_id)
        if row is not None:
            return row
        row = self._row[doc_id] = len(self.ids)
        self.ids.append(doc_id)
        self.texts.append(rows[f"{side}_text"][k])
        self._digests.append(rows[f"{side}_digest"][k])
        self._words.append(rows[f"{side}_words"][k])
        for view in self.views:
            self._sigs[view].append(rows[f"{side}_sig_{view}"][k])
        self._lines.append((rows[f"{side}_line_keys"][k], rows[f"{side}_line_words"][k]))
        keys, counts = rows[f"{side}_chrome_keys"][k], rows[f"{side}_chrome_documents"][k]
        if keys:
            self._chrome.update(zip(keys, counts, strict=True))
        return row

    def fingerprints(self, options: DetectorOptions) -> tuple[Fingerprints, Chrome]:
        n = len(self.ids)
        sizes = np.array([len(keys) for keys, _ in self._lines], dtype=np.int64)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        keys = np.array([x for k, _ in self._lines for x in k], dtype=np.int64).view(np.uint64)
        words = np.array([x for _, w in self._lines for x in w], dtype=np.int64)
        lines = Lines(keys, words, offsets)
        signatures = {
            view: np.frombuffer(b"".join(self._sigs[view]), dtype=np.uint32).reshape(
                n, self.num_perm
            )
            for view in self.views
        }
        empty = Anchors(np.empty(0, dtype=np.uint32), np.zeros(n + 1, dtype=np.int64))
        fps = Fingerprints(signatures, self._digests, np.array(self._words), lines, empty)
        # the batch-wide document counts of these documents' recurring lines (a line
        # absent here is in one document only, as Chrome assumes of unknown keys)
        known = np.array(list(self._chrome), dtype=np.int64).view(np.uint64)
        documents = np.array(list(self._chrome.values()), dtype=np.int64)
        order = np.argsort(known)
        return fps, Chrome.of(lines, known[order], documents[order], options)


def _lists(values: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64]) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.array(values))


def _records(records: list[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    for record in records:  # a map column takes (key, value) pairs
        record["evidence"]["views"] = list(record["evidence"]["views"].items())
    return pa.RecordBatch.from_pylist(records, schema=schema)
