"""The two heavy stages of a scan, fingerprinting and verification, on every core.

Work is cut into chunks and handed to a pool of forked worker processes. What a job
reads (texts, ids, options, fingerprints, page chrome) is one :class:`_Job`, registered
under a number *before* the pool forks, so workers read it from memory they share with
the parent (copy-on-write) instead of receiving it pickled; a chunk is only the job's
number and a range of positions or an array of pairs. Two scans running at once (two
threads of one process) have two jobs and never see each other's texts. The results
come back in chunk order, so the parallel path returns exactly what the serial path
returns.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import signal
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from dedup.fingerprint import fingerprint_many
from dedup.model import Evidence
from dedup.options import DetectorOptions, FingerprintOptions
from dedup.scan.arrays import Anchors, Chrome, Fingerprints, Lines, Readings
from dedup.verify import Features, Prepared, evidence, prepare, reportable_evidence

__all__ = ["Tick", "default_workers", "fingerprint_all", "verify_each", "verify_pairs"]

C = TypeVar("C")
R = TypeVar("R")
Tick = Callable[[int, int], None]
"""Called with the number of items just finished and the number of items in all."""

FINGERPRINT_CHUNK = 256
TILE_PAIRS = 8192  # pairs per chunk of verification, at most
SERIAL_BELOW = 2000  # fewer documents than this are not worth starting a pool for
SERIAL_PAIRS_BELOW = 32  # nor fewer pairs to verify (a pair costs a few milliseconds)
PREPARED = 4096  # read documents each worker keeps


class _Prepared:
    """A per-process cache of a job's prepared documents (tens of kilobytes each; cheap
    to read again, but read once per pair without it). Pairs come in blocks
    (:func:`_local_order`), so both sides of a block stay in the cache while it is
    verified."""

    def __init__(self, job: _Job, size: int) -> None:
        self._job = job
        self._size = size
        self._cache: OrderedDict[int, Prepared] = OrderedDict()

    def __call__(self, row: int) -> Prepared:
        hit = self._cache.get(row)
        if hit is not None:
            self._cache.move_to_end(row)
            return hit
        job = self._job
        seed = job.options.fingerprint.seed
        known = job.fps.fingerprint(row, seed) if job.fps is not None else None
        reading = job.fps.readings.row(row) if job.fps and job.fps.readings else None
        text, views = job.texts[row], job.options.fingerprint.views
        features = Features.of_reading(reading, text, views) if reading is not None else None
        prepared = prepare(
            job.ids[row], text, fingerprint=job.options.fingerprint, known=known, features=features
        )
        self._cache[row] = prepared
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return prepared


@dataclass(slots=True)
class _Job:
    """What one stage of one scan reads: set before the pool forks, read-only after."""

    texts: Sequence[str]
    ids: Sequence[str]
    options: DetectorOptions
    chrome: Chrome | None = None
    fps: Fingerprints | None = None
    reportable_only: bool = False  # skip the pairs that cannot be worth reporting
    readings: bool = False  # fingerprinting reads the texts for verification too
    prepared: _Prepared = field(init=False)

    def __post_init__(self) -> None:
        self.prepared = _Prepared(self, PREPARED)


_JOBS: dict[int, _Job] = {}  # the jobs running in this process, by number
_NUMBERS = itertools.count()


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _fingerprint_range(job: _Job, bounds: tuple[int, int]) -> Fingerprints:
    first, stop = bounds
    texts = job.texts[first:stop]
    signatures, digests, words, lines, anchors = fingerprint_many(
        texts, options=job.options.fingerprint
    )
    readings = Readings.of_texts(texts) if job.readings else None
    return Fingerprints(signatures, digests, words, Lines(*lines), Anchors(*anchors), readings)


def _stack(rows: list[npt.NDArray[np.uint32]], num_perm: int) -> npt.NDArray[np.uint32]:
    if not rows:
        return np.empty((0, num_perm), dtype=np.uint32)
    return np.vstack(rows)


def fingerprint_all(
    texts: Sequence[str],
    options: DetectorOptions,
    *,
    workers: int,
    tick: Tick | None = None,
    readings: bool = False,
) -> Fingerprints:
    """Fingerprint every text; the same result with any number of workers. With
    ``readings``, also keep what verification reads of each text
    (:class:`~dedup.scan.arrays.Readings`), so verification does not read it again."""
    step = FINGERPRINT_CHUNK
    chunks = [(i, min(i + step, len(texts))) for i in range(0, len(texts), step)]
    sizes = [b - a for a, b in chunks]
    job = _Job(texts, (), options, readings=readings)
    parts = list(_run(_fingerprint_range, chunks, job, workers, len(texts), tick, sizes=sizes))
    fp_options: FingerprintOptions = options.fingerprint
    return Fingerprints(
        {
            view: _stack([p.signatures[view] for p in parts], fp_options.num_perm)
            for view in fp_options.views
        },
        [d for p in parts for d in p.digests],
        np.concatenate([p.words for p in parts]) if parts else np.empty(0, dtype=np.int64),
        Lines.join([p.lines for p in parts]),
        Anchors.join([p.anchors for p in parts]),
        Readings.join([p.readings for p in parts if p.readings is not None]) if readings else None,
    )


def _verify_chunk(job: _Job, pairs: npt.NDArray[np.int64]) -> list[Evidence | None]:
    out: list[Evidence | None] = []
    read, chrome, options = job.prepared, job.chrome, job.options
    for i, j in pairs.tolist():
        ignore = chrome.ignore(i, j) if chrome is not None else ()
        if job.reportable_only:
            ev = reportable_evidence(
                read(i), read(j), options.verify, options.threshold, ignore=ignore
            )
        else:
            ev = evidence(read(i), read(j), options.verify, ignore=ignore)
        out.append(ev)
    return out


def verify_pairs(
    pairs: npt.NDArray[np.int64],
    ids: Sequence[str],
    texts: Sequence[str],
    options: DetectorOptions,
    *,
    workers: int,
    tick: Tick | None = None,
    chrome: Chrome | None = None,
    fps: Fingerprints | None = None,
    reportable_only: bool = False,
) -> list[Evidence | None]:
    """The evidence of each pair of rows, in order; the same with any number of workers.

    With ``chrome``, each pair's chrome lines are left out of its alignment; ``fps``
    are the rows' fingerprints, if known (else they are computed again). With
    ``reportable_only``, a pair that cannot be worth reporting at ``options.threshold``
    is not measured and its evidence is ``None``
    (:func:`dedup.verify.reportable_evidence`)."""
    found = verify_each(
        pairs,
        ids,
        texts,
        options,
        workers=workers,
        tick=tick,
        chrome=chrome,
        fps=fps,
        reportable_only=reportable_only,
    )
    out: list[Evidence | None] = [None] * len(pairs)
    for at, ev in found:
        out[at] = ev
    return out


def verify_each(
    pairs: npt.NDArray[np.int64],
    ids: Sequence[str],
    texts: Sequence[str],
    options: DetectorOptions,
    *,
    workers: int,
    tick: Tick | None = None,
    chrome: Chrome | None = None,
    fps: Fingerprints | None = None,
    reportable_only: bool = False,
) -> Iterator[tuple[int, Evidence]]:
    """:func:`verify_pairs` as ``(index of the pair, evidence)`` in the order they are
    verified (:func:`_local_order`), so a caller keeps only what it needs of each; with
    ``reportable_only``, the pairs not measured are left out."""
    job = _Job(texts, ids, options, chrome, fps, reportable_only)
    block = _block(pairs, PREPARED // 2, workers)
    order = _local_order(pairs, block)
    ordered = pairs[order]
    chunks = _tiles(ordered, block)
    sizes = [len(c) for c in chunks]
    results = _run(
        _verify_chunk,
        chunks,
        job,
        workers,
        len(ordered),
        tick,
        sizes=sizes,
        serial_below=SERIAL_PAIRS_BELOW,
    )
    at = iter(order.tolist())
    for part in results:
        for ev in part:
            where = next(at)
            if ev is not None:
                yield where, ev


def _local_order(pairs: npt.NDArray[np.int64], block: int) -> npt.NDArray[np.int64]:
    """An order of the pairs in which a worker's cache of read documents hits: by
    tiles (blocks of ``block`` rows on both sides), then by second row. While one block
    of first documents is compared with one block of second ones, both fit in the
    cache, and as each second document's pairs come together while the first documents
    are used throughout, the cache drops the second block's documents first when the
    next tile comes. A corpus whose documents share passages at random has its pairs
    everywhere: sorted by first document alone, its second documents would be read
    again and again."""
    if not len(pairs):
        return np.arange(0, dtype=np.int64)
    a, b = pairs[:, 0], pairs[:, 1]
    return np.lexsort((a, b, b // block, a // block)).astype(np.int64)


def _block(pairs: npt.NDArray[np.int64], most: int, workers: int) -> int:
    """Rows per block of :func:`_local_order`: at most ``most`` (two blocks fill a
    worker's cache), and few enough that the tiles keep every worker busy."""
    if not len(pairs):
        return most
    rows = int(pairs.max()) + 1
    blocks = max(1, math.isqrt(8 * max(1, workers)) + 1)  # blocks*(blocks+1)/2 tiles
    return max(1, min(most, -(-rows // blocks)))


def _tiles(ordered: npt.NDArray[np.int64], block: int) -> list[npt.NDArray[np.int64]]:
    """The pairs in :func:`_local_order` cut into chunks, one tile each (a tile of more
    than ``TILE_PAIRS`` pairs in several): a tile goes to one worker, whose cache then
    holds its two blocks. Chunks cut at a fixed size would send every worker a share
    of every tile, so each worker would read nearly every document of it."""
    if not len(ordered):
        return []
    tile = (ordered[:, 0] // block) * (int(ordered.max()) // block + 1) + ordered[:, 1] // block
    cuts = np.flatnonzero(tile[1:] != tile[:-1]) + 1
    chunks: list[npt.NDArray[np.int64]] = []
    for part in np.split(ordered, cuts):
        chunks.extend(part[i : i + TILE_PAIRS] for i in range(0, len(part), TILE_PAIRS))
    return chunks


def _run(
    func: Callable[[_Job, C], R],
    chunks: Sequence[C],
    job: _Job,
    workers: int,
    items: int,
    tick: Tick | None,
    *,
    sizes: Sequence[int],
    serial_below: int | None = None,
) -> Iterator[R]:
    number = next(_NUMBERS)
    _JOBS[number] = job
    try:
        below = SERIAL_BELOW if serial_below is None else serial_below
        if workers <= 1 or items < below or len(chunks) < 2:
            for chunk, size in zip(chunks, sizes, strict=True):
                yield func(job, chunk)
                if tick is not None:
                    tick(size, items)
            return
        # load the compiled kernels and their tables once here, so forked workers do
        # not each load them
        options = job.options
        fingerprint_many(["warm up"], options=options.fingerprint)
        prepare("", "warm up", fingerprint=options.fingerprint)
        context = multiprocessing.get_context("fork")
        tasks = [(func, number, chunk) for chunk in chunks]
        with context.Pool(workers, initializer=_leave_interrupts_to_the_parent) as pool:
            for result, size in zip(pool.imap(_in_worker, tasks), sizes, strict=True):
                yield result
                if tick is not None:
                    tick(size, items)
    finally:
        del _JOBS[number]


def _in_worker(task: tuple[Callable[[_Job, C], R], int, C]) -> R:
    """Run one chunk of a job in a forked worker, which inherited the job's number."""
    func, number, chunk = task
    return func(_JOBS[number], chunk)


def _leave_interrupts_to_the_parent() -> None:
    """In a worker: ignore Ctrl-C, which reaches every process of the job; the parent
    stops the pool (leaving it terminates the workers) and reports the interrupt."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
