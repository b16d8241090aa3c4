"""MinHash signatures of a document's views: the only place datasketch MinHash is built.

A :class:`Fingerprint` holds, per view, the MinHash signature as a ``uint32`` array in
datasketch's default ``affine32`` scheme, plus a digest of the word sequence for exact
matches. How shingles are hashed (xxh32 per word, combined per shingle, about ten times
cheaper than datasketch's default sha1) is defined in :mod:`dedup.hashing`.

>>> from dedup.tokens import tokenize
>>> fp = fingerprint(tokenize("one two three four five six"), "one two three four five six")
>>> fp.signatures["words"].shape
(128,)
>>> lean(fp, "words").jaccard(lean(fp, "words"))
1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash

from dedup.hashing import (
    SCHEME,
    AnchorArrays,
    LineArrays,
    anchor_keys,
    fast_signatures,
    fast_signatures_many,
    line_keys,
    reference_signature,
    sequence_digest,
    shingle_hashes,
    word_hash,
)
from dedup.options import FingerprintOptions
from dedup.tokens import Tokens, tokenize
from dedup.views import VIEWS

__all__ = [
    "EMPTY",
    "Fingerprint",
    "Signature",
    "estimated_jaccard",
    "fingerprint",
    "fingerprint_many",
    "fingerprint_text",
    "fingerprint_with_anchors",
    "is_empty",
    "lean",
    "minhash",
    "reaches",
]

Signature = npt.NDArray[np.uint32]
Signatures = npt.NDArray[np.uint32]
"""A ``(documents, num_perm)`` matrix of signatures, one row per document."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The MinHash signatures of one document.

    Attributes:
        digest: :func:`dedup.hashing.sequence_digest` of the document's words; equal
            digests mean an exact copy (the same words in the same order).
        signatures: view name -> MinHash hash values (``uint32``, ``num_perm`` long).
        seed: the MinHash seed the signatures were made with.
        anchors: the document's anchors (:func:`dedup.hashing.anchor_keys`), if known:
            an index that keeps them finds a passage copied into a long page, which
            the signatures of the whole page do not (``None``: not computed).
    """

    digest: str
    signatures: Mapping[str, Signature] = field(repr=False)
    seed: int = 1
    anchors: npt.NDArray[np.uint32] | None = field(default=None, repr=False, compare=False)


def minhash(items: Iterable[str], *, num_perm: int = 128, seed: int = 1) -> Signature:
    """MinHash of any set of strings (each hashed whole with xxh32), in the same scheme
    as the document signatures; for callers with sets of their own."""
    hashes = np.array([word_hash(item) for item in set(items)], dtype=np.uint32)
    return reference_signature(hashes, num_perm=num_perm, seed=seed)


def fingerprint(
    tokens: Tokens,
    text: str,
    *,
    options: FingerprintOptions | None = None,
) -> Fingerprint:
    """Fingerprint a tokenised document on every view in ``options.views``.

    This is the reference path (xxhash and datasketch, one Python string per word);
    :func:`fingerprint_text` gives the same signatures faster.

    Args:
        tokens: the document's tokens.
        text: the document's text (for the exact-copy digest).
        options: views, ``num_perm`` and ``seed``; the defaults if omitted.
    """
    options = options or FingerprintOptions()
    signatures = {}
    for name in options.views:
        view = VIEWS[name]
        hashes = shingle_hashes([word_hash(key) for key in view.select(tokens)], view.k)
        signatures[name] = reference_signature(hashes, num_perm=options.num_perm, seed=options.seed)
    digest = sequence_digest([word_hash(key) for key in tokens.keys])
    return Fingerprint(digest, signatures, options.seed)


def fingerprint_text(
    text: str, *, options: FingerprintOptions | None = None
) -> tuple[Fingerprint, int]:
    """Fingerprint raw text: ``(fingerprint, number of words)``.

    Uses the compiled path of :mod:`dedup.hashing` when the text allows it (almost all
    text: see :func:`dedup.hashing.kernel_bytes`), the reference path otherwise; the
    signatures are the same either way.
    """
    options = options or FingerprintOptions()
    fast = fast_signatures(text, num_perm=options.num_perm, seed=options.seed)
    if fast is None:
        tokens = tokenize(text)
        return fingerprint(tokens, text, options=options), len(tokens)
    count, computed, digest = fast
    signatures = {name: computed[name] for name in options.views}
    return Fingerprint(digest, signatures, options.seed), count


def fingerprint_with_anchors(
    text: str, *, options: FingerprintOptions | None = None
) -> tuple[Fingerprint, int]:
    """:func:`fingerprint_text` with the text's anchors too (one compiled call, as
    :func:`fingerprint_many` makes them), for an index that looks up passages."""
    options = options or FingerprintOptions()
    signatures, digests, words, _, (anchors, _offsets) = fingerprint_many([text], options=options)
    sigs = {view: sig[0] for view, sig in signatures.items()}
    fp = Fingerprint(digests[0], sigs, options.seed, np.asarray(anchors, dtype=np.uint32))
    return fp, int(words[0])


def fingerprint_many(
    texts: Sequence[str], *, options: FingerprintOptions | None = None
) -> tuple[dict[str, Signatures], list[str], npt.NDArray[np.int64], LineArrays, AnchorArrays]:
    """Fingerprint many raw texts at once: view -> ``(n, num_perm)`` signatures, the
    digests, the word counts, the texts' line keys (:func:`dedup.hashing.line_keys`,
    flat) and their anchors (:func:`dedup.hashing.anchor_keys`, flat); the same values
    as :func:`fingerprint_text`, ``line_keys`` and ``anchor_keys`` give for each text,
    with one compiled call for all of them."""
    options = options or FingerprintOptions()
    counts, computed, digests, lines, anchors = fast_signatures_many(
        texts, num_perm=options.num_perm, seed=options.seed
    )
    signatures = {name: np.array(computed[name]) for name in options.views}
    fallback = np.flatnonzero(counts < 0).tolist()
    replaced_lines, replaced_anchors = {}, {}
    for row in fallback:
        tokens = tokenize(texts[row])
        fp = fingerprint(tokens, texts[row], options=options)
        for name in options.views:
            signatures[name][row] = fp.signatures[name]
        digests[row] = fp.digest
        counts[row] = len(tokens)
        keys, words = line_keys(tokens)
        replaced_lines[row] = (keys, words)
        replaced_anchors[row] = (anchor_keys(tokens),)
    if fallback:
        keys, words, offsets = lines
        (keys, words), offsets = _patch((keys, words), offsets, replaced_lines)
        lines = (keys, words, offsets)
        (anchor_values,), anchor_offsets = _patch((anchors[0],), anchors[1], replaced_anchors)
        anchors = (anchor_values, anchor_offsets)
    return signatures, digests, counts, lines, anchors


def _patch(
    columns: tuple[npt.NDArray[Any], ...],
    offsets: npt.NDArray[np.int64],
    replaced: Mapping[int, tuple[npt.NDArray[Any], ...]],
) -> tuple[tuple[npt.NDArray[Any], ...], npt.NDArray[np.int64]]:
    """Flat per-text ``columns`` (text ``i`` at ``offsets[i]:offsets[i + 1]``) with the
    rows in ``replaced`` set to the given values."""
    parts: list[list[npt.NDArray[Any]]] = [[] for _ in columns]
    sizes = []
    for row in range(len(offsets) - 1):
        values = replaced.get(row) or tuple(c[offsets[row] : offsets[row + 1]] for c in columns)
        for part, value in zip(parts, values, strict=True):
            part.append(value)
        sizes.append(len(values[0]))
    new_offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=new_offsets[1:])
    joined = tuple(
        np.concatenate(part).astype(column.dtype) if part else column[:0]
        for part, column in zip(parts, columns, strict=True)
    )
    return joined, new_offsets


def lean(fp: Fingerprint, view: str) -> LeanMinHash:
    """The datasketch ``LeanMinHash`` of one view, for datasketch's LSH."""
    return LeanMinHash(seed=fp.seed, hashvalues=fp.signatures[view], scheme=SCHEME)


EMPTY = np.uint32(0xFFFFFFFF)
"""Every value of an empty set's signature (a view with no shingles): the one marker
of emptiness that the band keys, the prefilters and the backends test for."""


def is_empty(signature: Signature) -> bool:
    """Whether the signature is that of an empty set (every value at the maximum).

    Empty signatures are equal to one another, so they must never reach an LSH table.
    """
    if len(signature) and signature[0] != EMPTY:  # the usual case, decided at once
        return False
    return bool((signature == EMPTY).all())


def reaches(a: Mapping[str, Signature], b: Mapping[str, Signature], floor: float) -> bool:
    """Whether the estimated Jaccard of ``a`` and ``b`` (signatures by view) reaches
    ``floor`` in some view of ``a``: the prefilter every index applies to candidates."""
    return any(estimated_jaccard(sig, b[view]) >= floor for view, sig in a.items())


def estimated_shares(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Jaccard estimated from signatures, row by row: the share of equal values of each
    row of ``a`` (``(n, num_perm)``) with the row of ``b`` beside it (or with ``b``, one
    signature). A row that is empty on either side (every value the largest of its
    type: :data:`EMPTY`, or the 16-bit sketch of it) estimates as 0. The one estimate
    behind every prefilter: a scan's pairs, each backend's candidates.

    >>> a = np.array([[1, 2, 3, 4], [0xFFFFFFFF] * 4], dtype=np.uint32)
    >>> estimated_shares(a, np.array([1, 2, 9, 9], dtype=np.uint32)).tolist()
    [0.5, 0.0]
    """
    largest = np.iinfo(a.dtype).max
    shares: npt.NDArray[np.float64] = (a == b).mean(axis=-1)
    shares[(a == largest).all(axis=-1) | (b == largest).all(axis=-1)] = 0.0
    return shares


def estimated_jaccard(a: Signature, b: Signature) -> float:
    """Jaccard estimated from two signatures: the share of equal hash values.

    Two empty sets estimate as 0, not 1.
    """
    if is_empty(a) or is_empty(b):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)
