"""MinHash signatures of a document's views: the only place datasketch MinHash is built.

A :class:`Fingerprint` holds, per view, the MinHash signature as a ``uint32`` array in
datasketch's default ``affine32`` scheme, plus a digest of the normalised text for exact
matches. Shingles are hashed with xxh32, about ten times cheaper than datasketch's
default sha1 and as good for MinHash.

>>> from dedup.tokens import tokenize
>>> fp = fingerprint(tokenize("one two three four five six"), "one two three four five six")
>>> fp.signatures["words"].shape
(128,)
>>> lean(fp, "words").jaccard(lean(fp, "words"))
1.0
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import LeanMinHash, MinHash

from dedup.normalize import normalize
from dedup.options import FingerprintOptions
from dedup.tokens import Tokens
from dedup.views import VIEWS

__all__ = [
    "Fingerprint",
    "Signature",
    "estimated_jaccard",
    "fingerprint",
    "is_empty",
    "lean",
    "minhash",
]

Signature = npt.NDArray[np.uint32]
SCHEME = "affine32"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The MinHash signatures of one document.

    Attributes:
        digest: hex digest of the normalised text; equal digests mean an exact copy.
        signatures: view name -> MinHash hash values (``uint32``, ``num_perm`` long).
        seed: the MinHash seed the signatures were made with.
    """

    digest: str
    signatures: Mapping[str, Signature] = field(repr=False)
    seed: int = 1


def digest(text: str) -> str:
    """Hex digest of the normalised text (:func:`dedup.normalize.normalize`)."""
    return hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=16).hexdigest()


def _xxh32(data: bytes) -> int:
    return int(xxhash.xxh32_intdigest(data))


def minhash(shingles: Iterable[str], *, num_perm: int = 128, seed: int = 1) -> Signature:
    """MinHash hash values of a set of shingles (datasketch ``affine32``, xxh32)."""
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=_xxh32, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles])
    values: Signature = np.asarray(m.hashvalues, dtype=np.uint32)
    return values


def fingerprint(
    tokens: Tokens,
    text: str,
    *,
    options: FingerprintOptions | None = None,
    shingle_sets: Mapping[str, set[str]] | None = None,
) -> Fingerprint:
    """Fingerprint a tokenised document on every view in ``options.views``.

    Args:
        tokens: the document's tokens.
        text: the document's text (for the exact-copy digest).
        options: views, ``num_perm`` and ``seed``; the defaults if omitted.
        shingle_sets: the view shingles if the caller already has them.
    """
    options = options or FingerprintOptions()
    signatures = {}
    for name in options.views:
        shingles = shingle_sets[name] if shingle_sets is not None else VIEWS[name](tokens)
        signatures[name] = minhash(shingles, num_perm=options.num_perm, seed=options.seed)
    return Fingerprint(digest(text), signatures, options.seed)


def lean(fp: Fingerprint, view: str) -> LeanMinHash:
    """The datasketch ``LeanMinHash`` of one view, for datasketch's LSH."""
    return LeanMinHash(seed=fp.seed, hashvalues=fp.signatures[view], scheme=SCHEME)


_EMPTY = np.iinfo(np.uint32).max


def is_empty(signature: Signature) -> bool:
    """Whether the signature is that of an empty set (every value at the maximum).

    Empty signatures are equal to one another, so they must never reach an LSH table.
    """
    return bool((signature == _EMPTY).all())


def estimated_jaccard(a: Signature, b: Signature) -> float:
    """Jaccard estimated from two signatures: the share of equal hash values.

    Two empty sets estimate as 0, not 1.
    """
    if is_empty(a) or is_empty(b):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)
