"""The two heavy stages of a scan, fingerprinting and verification, on every core.

Work is cut into chunks and handed to a pool of forked worker processes. The texts are
put in a module global *before* the pool forks, so workers read them from memory they
share with the parent (copy-on-write) instead of receiving them pickled; a chunk is
only a range of positions or an array of pairs. The results come back in chunk order,
so the parallel path returns exactly what the serial path returns.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from dedup.fingerprint import Fingerprint, fingerprint_many
from dedup.model import Evidence
from dedup.options import DetectorOptions, FingerprintOptions
from dedup.verify import Prepared, evidence, prepare

__all__ = [
    "Anchors",
    "Chrome",
    "Fingerprints",
    "Lines",
    "default_workers",
    "fingerprint_all",
    "verify_each",
    "verify_pairs",
]

C = TypeVar("C")
R = TypeVar("R")
Tick = Callable[[int, int], None]
"""Called with the number of items just finished and the number of items in all."""

FINGERPRINT_CHUNK = 256
VERIFY_CHUNK = 64
SERIAL_BELOW = 2000  # fewer documents than this are not worth starting a pool for
SERIAL_PAIRS_BELOW = 32  # nor fewer pairs to verify (a pair costs a few milliseconds)
PREPARED = 4096  # read documents each worker keeps

# Shared with forked workers (set before the pool starts, read-only afterwards).
_TEXTS: Sequence[str] = ()
_IDS: Sequence[str] = ()
_OPTIONS: DetectorOptions = DetectorOptions()
_CHROME: Chrome | None = None
_FPS: Fingerprints | None = None


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _join_ragged(
    columns: Sequence[Sequence[npt.NDArray[Any]]],
    offsets: Sequence[npt.NDArray[np.int64]],
    dtypes: Sequence[type],
) -> tuple[list[npt.NDArray[Any]], npt.NDArray[np.int64]]:
    """Flat per-document arrays of several batches (``columns[c][p]``: column ``c`` of
    part ``p``, documents cut by ``offsets[p]``) joined into one, in order."""
    sizes = [np.diff(o) for o in offsets]
    joined = np.zeros(sum(len(s) for s in sizes) + 1, dtype=np.int64)
    if sizes:
        np.cumsum(np.concatenate(sizes), out=joined[1:])
    flat: list[npt.NDArray[Any]] = [
        np.concatenate(list(parts)).astype(dtype) if len(parts) else np.empty(0, dtype=dtype)
        for parts, dtype in zip(columns, dtypes, strict=True)
    ]
    return flat, joined


def _take_ragged(
    offsets: npt.NDArray[np.int64], keep: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Positions in flat per-document arrays of the documents ``keep``, in that order,
    and their new offsets."""
    keep = np.asarray(keep, dtype=np.int64)
    starts = offsets[keep]
    sizes = offsets[keep + 1] - starts
    new = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(sizes, out=new[1:])
    return np.repeat(starts - new[:-1], sizes) + np.arange(new[-1]), new


@dataclass(frozen=True, slots=True)
class Lines:
    """The line keys of many documents in flat arrays (cheap to pickle and to slice):
    document ``i`` has ``keys[offsets[i]:offsets[i + 1]]`` with ``words`` on each line
    (:func:`dedup.hashing.line_keys`)."""

    keys: npt.NDArray[np.uint64]
    words: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]

    @classmethod
    def join(cls, parts: Sequence[Lines]) -> Lines:
        """The documents of ``parts``, in order."""
        (keys, words), offsets = _join_ragged(
            [[p.keys for p in parts], [p.words for p in parts]],
            [p.offsets for p in parts],
            [np.uint64, np.int64],
        )
        return cls(keys, words, offsets)

    def row(self, i: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Line keys and words of document ``i``."""
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.keys[a:b], self.words[a:b]

    def rows(self, keep: npt.NDArray[np.int64]) -> Lines:
        """The documents ``keep``, in that order."""
        take, offsets = _take_ragged(self.offsets, keep)
        return Lines(self.keys[take], self.words[take], offsets)


@dataclass(frozen=True, slots=True)
class Anchors:
    """The anchors of many documents in flat arrays: document ``i`` has
    ``keys[offsets[i]:offsets[i + 1]]``, sorted (:func:`dedup.hashing.anchor_keys`)."""

    keys: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]

    @classmethod
    def join(cls, parts: Sequence[Anchors]) -> Anchors:
        """The documents of ``parts``, in order."""
        (keys,), offsets = _join_ragged(
            [[p.keys for p in parts]], [p.offsets for p in parts], [np.uint32]
        )
        return cls(keys, offsets)

    def row(self, i: int) -> npt.NDArray[np.uint32]:
        """The anchors of document ``i``."""
        return self.keys[self.offsets[i] : self.offsets[i + 1]]

    def rows(self, keep: npt.NDArray[np.int64]) -> Anchors:
        """The documents ``keep``, in that order."""
        take, offsets = _take_ragged(self.offsets, keep)
        return Anchors(self.keys[take], offsets)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Fingerprints of a batch of texts, as arrays.

    Attributes:
        signatures: view -> ``(n, num_perm)`` uint32 matrix.
        digests: the exact-copy digest of each text.
        words: the number of words of each text.
    """

    signatures: dict[str, npt.NDArray[np.uint32]]
    digests: list[str]
    words: npt.NDArray[np.int64]
    lines: Lines
    anchors: Anchors

    def fingerprint(self, row: int, seed: int) -> Fingerprint:
        """The :class:`~dedup.fingerprint.Fingerprint` of one row."""
        signatures = {view: sig[row] for view, sig in self.signatures.items()}
        return Fingerprint(self.digests[row], signatures, seed)

    def rows(self, keep: npt.NDArray[np.int64]) -> Fingerprints:
        """The fingerprints of the rows ``keep``, in that order."""
        rows = keep.tolist()
        return Fingerprints(
            {view: sig[keep] for view, sig in self.signatures.items()},
            [self.digests[r] for r in rows],
            self.words[keep],
            self.lines.rows(keep),
            self.anchors.rows(keep),
        )


@dataclass(frozen=True, slots=True)
class Chrome:
    """What a scan knows about lines that recur across documents (page chrome).

    A line that a site wraps around every article recurs in far more documents than
    the text of any one article does, even one copied many times. So for a pair, a line
    is chrome when it appears in at least ``min_documents`` documents and in more than
    twice as many as the pair's typical line (the median over their words): the lines of
    an article mirrored five times appear in five documents each and are kept, the
    newsletter blurb under every page of a site is left out.

    Attributes:
        lines: each row's line keys and words per line.
        keys: every line key of the batch, sorted.
        documents: in how many distinct documents each of ``keys`` appears.
        min_documents: ``VerifyOptions.boilerplate_documents``.
    """

    lines: Lines
    keys: npt.NDArray[np.uint64]
    documents: npt.NDArray[np.int64]
    min_documents: int

    def ignore(self, i: int, j: int) -> frozenset[int]:
        """The chrome lines of the pair of rows ``i`` and ``j``."""
        if self.min_documents <= 0 or not len(self.keys):
            return frozenset()
        (keys_i, words_i), (keys_j, words_j) = self.lines.row(i), self.lines.row(j)
        found = _alignloops().chrome_lines(
            keys_i, words_i, keys_j, words_j, self.keys, self.documents, self.min_documents
        )
        return frozenset(found.tolist())


@functools.lru_cache(maxsize=1)
def _alignloops() -> Any:
    from dedup import _alignloops  # lazy: numba takes a moment to import

    return _alignloops


def _fingerprint_range(bounds: tuple[int, int]) -> Fingerprints:
    first, stop = bounds
    texts = _TEXTS[first:stop]
    signatures, digests, words, lines, anchors = fingerprint_many(
        texts, options=_OPTIONS.fingerprint
    )
    return Fingerprints(signatures, digests, words, Lines(*lines), Anchors(*anchors))


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
) -> Fingerprints:
    """Fingerprint every text; the same result with any number of workers."""
    step = FINGERPRINT_CHUNK
    chunks = [(i, min(i + step, len(texts))) for i in range(0, len(texts), step)]
    sizes = [b - a for a, b in chunks]
    parts = list(
        _run(_fingerprint_range, chunks, texts, (), options, workers, len(texts), tick, sizes=sizes)
    )
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
    )


class _Prepared:
    """A per-process cache of prepared documents (about 50 KB each; reading one again
    costs about 0.3 ms). Pairs come sorted by their first document, so its repeats
    always hit; the second documents are scattered, and 4,096 entries catch most of
    them in a corpus of a few thousand."""

    def __init__(self, size: int = PREPARED) -> None:
        self._size = size
        self._cache: OrderedDict[int, Prepared] = OrderedDict()

    def __call__(self, row: int) -> Prepared:
        hit = self._cache.get(row)
        if hit is not None:
            self._cache.move_to_end(row)
            return hit
        known = _FPS.fingerprint(row, _OPTIONS.fingerprint.seed) if _FPS is not None else None
        prepared = prepare(_IDS[row], _TEXTS[row], fingerprint=_OPTIONS.fingerprint, known=known)
        self._cache[row] = prepared
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return prepared


_CACHE = _Prepared()


def _verify_chunk(pairs: npt.NDArray[np.int64]) -> list[Evidence]:
    out = []
    for i, j in pairs.tolist():
        ignore = _CHROME.ignore(i, j) if _CHROME is not None else frozenset()
        out.append(evidence(_CACHE(i), _CACHE(j), _OPTIONS.verify, ignore=ignore))
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
) -> list[Evidence]:
    """The evidence of each pair of rows, in order; the same with any number of workers.

    With ``chrome``, each pair's chrome lines are left out of its alignment; ``fps``
    are the rows' fingerprints, if known (else they are computed again)."""
    found = verify_each(
        pairs, ids, texts, options, workers=workers, tick=tick, chrome=chrome, fps=fps
    )
    return [ev for _, ev in sorted(found, key=lambda item: item[0])]


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
) -> Iterator[tuple[int, Evidence]]:
    """:func:`verify_pairs` as ``(index of the pair, evidence)`` in the order they are
    verified (:func:`_local_order`), so a caller keeps only what it needs of each."""
    global _CHROME, _FPS
    _CHROME, _FPS = chrome, fps
    order = _local_order(pairs, PREPARED // 2)
    ordered = pairs[order]
    chunks = [ordered[i : i + VERIFY_CHUNK] for i in range(0, len(ordered), VERIFY_CHUNK)]
    sizes = [len(c) for c in chunks]
    results = _run(
        _verify_chunk,
        chunks,
        texts,
        ids,
        options,
        workers,
        len(ordered),
        tick,
        sizes=sizes,
        serial_below=SERIAL_PAIRS_BELOW,
    )
    try:
        at = iter(order.tolist())
        for part in results:
            for ev in part:
                yield next(at), ev
    finally:
        _CHROME, _FPS = None, None


def _local_order(pairs: npt.NDArray[np.int64], block: int) -> npt.NDArray[np.int64]:
    """An order of the pairs in which a worker's cache of read documents hits: by
    blocks of ``block`` rows on both sides, then by second row. While one block of
    first documents is compared with one block of second ones, both fit in the cache,
    and as each second document's pairs come together while the first documents are
    used throughout, the cache drops the second block's documents first when the next
    block comes. A corpus whose documents share passages at random has its pairs
    everywhere: sorted by first document alone, its second documents would be read
    again and again."""
    if not len(pairs):
        return np.arange(0, dtype=np.int64)
    a, b = pairs[:, 0], pairs[:, 1]
    return np.lexsort((a, b, b // block, a // block)).astype(np.int64)


def _run(
    func: Callable[[C], R],
    chunks: Sequence[C],
    texts: Sequence[str],
    ids: Sequence[str],
    options: DetectorOptions,
    workers: int,
    items: int,
    tick: Tick | None,
    *,
    sizes: Sequence[int],
    serial_below: int | None = None,
) -> Iterator[R]:
    global _TEXTS, _IDS, _OPTIONS, _CACHE
    _TEXTS, _IDS, _OPTIONS, _CACHE = texts, ids, options, _Prepared()
    try:
        below = SERIAL_BELOW if serial_below is None else serial_below
        if workers <= 1 or items < below or len(chunks) < 2:
            for chunk, size in zip(chunks, sizes, strict=True):
                yield func(chunk)
                if tick is not None:
                    tick(size, items)
            return
        # load the compiled kernels and their tables once here, so forked workers do
        # not each load them
        fingerprint_many(["warm up"], options=options.fingerprint)
        prepare("", "warm up", fingerprint=options.fingerprint)
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_leave_interrupts_to_the_parent) as pool:
            for result, size in zip(pool.imap(func, chunks), sizes, strict=True):
                yield result
                if tick is not None:
                    tick(size, items)
    finally:
        _TEXTS, _IDS, _CACHE = (), (), _Prepared()


def _leave_interrupts_to_the_parent() -> None:
    """In a worker: ignore Ctrl-C, which reaches every process of the job; the parent
    stops the pool (leaving it terminates the workers) and reports the interrupt."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
