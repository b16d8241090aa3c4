"""Shingle hashes and MinHash values, in two implementations that agree bit for bit.

The hash of a shingle is defined on the hashes of its words, so no shingle string is
ever built on the fast path:

* word hash: ``xxh32(key.encode("utf-8"), seed=0)`` of the folded key;
* shingle hash of words ``w0..w{k-1}``: ``sum(h(wi) * C**(k-1-i)) mod 2**32`` with
  ``C = 0x9E3779B1`` (order-sensitive); a sequence shorter than ``k`` (but not empty) is
  one shingle of all its words;
* MinHash: datasketch's ``affine32`` scheme, ``min(a * fmix32(h) + b mod 2**32)`` per
  permutation, with datasketch's own permutations, so the signatures are datasketch's.

:func:`reference_signature` computes this with xxhash and datasketch itself.
:func:`fast_signatures` computes it in one compiled pass (numba) over the bytes of the
text: tokenising, folding, hashing and taking minima without a Python object per word.
The fast path reads every character through a table (:func:`kernel_class`): typographic
punctuation as its ASCII equivalent, non-ASCII letters already in folded form (such as
"ğ" or "ş") as they are; a text with a character it cannot fold (say an upper-case "Ö",
or anything outside the Basic Multilingual Plane) takes the reference path.
The tests check both paths give identical signatures.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import MinHash

from dedup.normalize import INVISIBLE, fold
from dedup.options import VIEW_NAMES
from dedup.tokens import ABBREVIATIONS, CJK_CHARACTER, Tokens
from dedup.views import ARTICLES, FUNCTION_WORDS, NUMBER_WORDS, VIEWS

__all__ = [
    "ANCHOR_SAMPLE",
    "KERNEL_VIEWS",
    "SCHEME",
    "U32",
    "anchor_keys",
    "fast_signatures",
    "fast_signatures_many",
    "kernel_class",
    "kernel_features",
    "line_keys",
    "reference_signature",
    "sequence_digest",
    "sequence_hash",
    "shingle_hashes",
    "view_shingles",
    "word_hash",
    "word_id",
]

SCHEME = "affine32"
U32 = npt.NDArray[np.uint32]
_C = 0x9E3779B1
_MASK = 0xFFFFFFFF

ANCHOR_SAMPLE = 4
"""One shingle in this many (by hash) is a document's anchor (:func:`anchor_keys`)."""
_ANCHOR_SALT = 0x5BD1E995  # told apart the function words' anchors from the words'


def word_hash(key: str) -> int:
    """The 32-bit hash of one folded word."""
    return int(xxhash.xxh32_intdigest(key.encode("utf-8")))


_MASK64 = 0xFFFFFFFFFFFFFFFF


def sequence_hash(word_hashes: Sequence[int]) -> int:
    """A 64-bit hash of a sequence of word hashes: a polynomial in 0x100000001B3 modulo
    2**64, then the MurmurHash3 64-bit finaliser. The kernel computes the same."""
    h = 0
    for value in word_hashes:
        h = (h * 0x100000001B3 + int(value)) & _MASK64
    for shift, mult in ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53)):
        h ^= h >> shift
        h = (h * mult) & _MASK64
    return h ^ (h >> 33)


def sequence_digest(word_hashes: Sequence[int]) -> str:
    """The exact-copy digest of a document: :func:`sequence_hash` of its word hashes (so
    case, punctuation and spacing aside, the same words in the same order), as 16 hex
    digits.

    >>> sequence_digest([word_hash(w) for w in ["the", "talks"]]) == sequence_digest(
    ...     [word_hash("the"), word_hash("talks")])
    True
    """
    return f"{sequence_hash(word_hashes):016x}"


def line_keys(tokens: Tokens) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The distinct lines of a document, sorted: the :func:`sequence_hash` of each line's
    words (so lines compare case, punctuation and spacing aside), and the number of
    words on all the lines with that key. Lines that recur across many documents are
    page chrome (see :class:`dedup.scan.arrays.Chrome`)."""
    words: dict[int, int] = {}
    for first, stop in tokens.paragraphs:
        key = sequence_hash([word_hash(k) for k in tokens.keys[first:stop]])
        words[key] = words.get(key, 0) + stop - first
    keys = sorted(words)
    return np.array(keys, dtype=np.uint64), np.array([words[k] for k in keys], dtype=np.int64)


def anchor_keys(tokens: Tokens) -> U32:
    """The document's anchors, sorted and distinct: the word 5-grams and function-word
    5-grams (the ``words`` and ``function`` views) whose mixed hash is divisible by
    :data:`ANCHOR_SAMPLE`, the function words' xor a salt.

    Whole-document MinHash misses a passage that is a small share of a long page; two
    documents sharing a passage share its anchors whatever else they hold, so anchors
    held by few documents propose passage candidates
    (:func:`dedup.lsh.passages.passage_pairs`). Sampling by hash keeps the same
    shingles in every document, a quarter of them (Schleimer et al. 2003 call this
    0 mod p selection). The function-word anchors survive a spinner's thesaurus.
    """
    parts = []
    for view, salt in ((VIEWS["words"], 0), (VIEWS["function"], _ANCHOR_SALT)):
        selected = view.select(tokens)
        if len(selected) < view.k:
            continue
        mixed = _fmix32(shingle_hashes([word_hash(key) for key in selected], view.k))
        parts.append(mixed[mixed % ANCHOR_SAMPLE == 0] ^ np.uint32(salt))
    if not parts:
        return np.empty(0, dtype=np.uint32)
    return np.unique(np.concatenate(parts)).astype(np.uint32)


def _fmix32(h: U32) -> U32:
    """datasketch's fmix32 pre-mix of 32-bit hashes."""
    x = h.astype(np.uint64)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(_MASK)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(_MASK)
    x ^= x >> np.uint64(16)
    return x.astype(np.uint32)


def shingle_hashes(word_hashes: Sequence[int], k: int) -> U32:
    """Hashes of the ``k``-word shingles of a sequence of word hashes.

    >>> c = 0x9E3779B1
    >>> shingle_hashes([1, 2, 3], 2).tolist() == [(1 * c + 2) % 2**32, (2 * c + 3) % 2**32]
    True
    """
    h = np.asarray(word_hashes, dtype=np.uint64)
    n = len(h)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    width = min(k, n)
    out = np.zeros(n - width + 1, dtype=np.uint64)
    for i in range(width):
        out = (out * np.uint64(_C) + h[i : n - width + 1 + i]) & np.uint64(_MASK)
    return out.astype(np.uint32)


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """datasketch's ``affine32`` permutation parameters ``(a, b)`` for these settings."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def reference_signature(hashes: U32, *, num_perm: int, seed: int) -> U32:
    """MinHash of a set of shingle hashes, computed by datasketch itself."""
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=int, scheme=SCHEME)
    m.update_batch(hashes.tolist())
    return np.asarray(m.hashvalues, dtype=np.uint32)


# -- the character table the kernel reads ---------------------------------------------

# Non-ASCII characters the tokenizer treats specially, mapped to an ASCII character the
# tokenizer treats the same way: word connectors, closing quotes, sentence terminals.
_SPECIAL = {
    "’": "'",  # connector and closing quote
    "‐": "-",
    "‑": "-",
    "–": "-",  # connectors
    "”": '"',  # closing quote (not a connector)
    "…": "!",  # sentence terminal (not a connector)
}
_NEUTRAL = "#"  # neither word, connector, closing quote, terminal nor space
_CONJOINING = ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))
_WORD = 200  # keep in step with dedup._kernel.WORD
_INVISIBLE = 201  # keep in step with dedup._kernel.INVISIBLE
_REFERENCE = 255  # keep in step with dedup._kernel.REFERENCE
_INVISIBLE_CHARACTERS = frozenset(INVISIBLE)


def kernel_class(ch: str) -> int:
    """How the kernel reads one non-ASCII character: the code of an ASCII character the
    tokenizer treats the same way (a letter whose key is one ASCII letter or digit, such
    as a Cyrillic look-alike or a full-width form, is that letter, upper case if it
    is); 200 for a word character that is already folded (a lower-case or caseless
    letter that cannot compose under NFKC), whose UTF-8 bytes are used as they are;
    201 for an invisible format character, which words run through; 255 for one only
    the reference path can fold.

    >>> [chr(kernel_class(c)) for c in "’”…\u00a0•"]
    ["'", '"', '!', ' ', '#']
    >>> kernel_class("ğ"), kernel_class("Ö"), kernel_class("\u200b"), chr(kernel_class("С"))
    (200, 255, 201, 'C')
    """
    if ch in _SPECIAL:
        return ord(_SPECIAL[ch])
    if ch in _INVISIBLE_CHARACTERS:
        return _INVISIBLE
    if CJK_CHARACTER.match(ch):  # a word of its own: the tokenizer's rule, not the kernel's
        return _REFERENCE
    if ch.isalnum() or ch == "_":
        key = fold(ch)
        if len(key) == 1 and key.isascii() and key.isalnum():  # "а" (Cyrillic), "Ａ"
            return ord(key.upper() if ch.isupper() else key)
        folded = unicodedata.category(ch) in ("Ll", "Lo") and key == ch
        conjoining = any(lo <= ord(ch) <= hi for lo, hi in _CONJOINING)
        return _WORD if folded and not conjoining else _REFERENCE
    if ch.isspace():
        return ord(" ")
    return ord(_NEUTRAL)


@lru_cache(maxsize=1)
def _class_table() -> npt.NDArray[np.uint8]:
    """:func:`kernel_class` of every character of the Basic Multilingual Plane."""
    table = np.arange(0x10000, dtype=np.int64).clip(max=255).astype(np.uint8)
    for cp in range(128, 0x10000):
        table[cp] = kernel_class(chr(cp))
    return table


def _abbreviation_table() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    words = sorted(ABBREVIATIONS)
    data = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8).copy()
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(w) for w in words])
    return data, offsets


_ABBREV_DATA, _ABBREV_OFFSETS = _abbreviation_table()
_MAX_ABBREVIATION = max(len(w) for w in ABBREVIATIONS)


def _hash_table(words: Sequence[str]) -> npt.NDArray[np.uint64]:
    """The word hashes of ``words`` as an open-addressing table (linear probing, empty
    slots all ones), as the kernel's ``_member`` reads it."""
    hashes = sorted({word_hash(w) for w in words})
    size = 1 << (len(hashes) * 4).bit_length()
    table = np.full(size, np.iinfo(np.uint64).max, dtype=np.uint64)
    for h in hashes:
        slot = (h * 0x9E3779B1) & (size - 1)
        while table[slot] != np.iinfo(np.uint64).max:
            slot = (slot + 1) & (size - 1)
        table[slot] = h
    return table


@lru_cache(maxsize=1)
def _function_words() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], np.uint64]:
    """The function words' hashes as an open-addressing table, the articles' hashes,
    and the hash of the article they fold into."""
    articles = np.array(sorted(word_hash(w) for w in ARTICLES), dtype=np.uint64)
    assert len(articles) == 2  # the kernel compares with both
    article = np.uint64(word_hash(next(iter(set(ARTICLES.values())))))
    return _hash_table(sorted(FUNCTION_WORDS)), articles, article


KERNEL_VIEWS = VIEW_NAMES
"""The views the kernel computes, in the order of its signature rows: all of them."""


@lru_cache(maxsize=16)
def _kernel_settings(num_perm: int, seed: int) -> tuple[Any, ...]:
    """What every kernel call takes after the text: the character and abbreviation
    tables, the function words, the permutations, the shingle lengths of
    :data:`KERNEL_VIEWS` and the anchor sampling."""
    a, b = permutations(num_perm, seed)
    function_words, articles, article = _function_words()
    ks = np.array([VIEWS[view].k for view in KERNEL_VIEWS], dtype=np.int64)
    return (
        _class_table(), _ABBREV_DATA, _ABBREV_OFFSETS, _MAX_ABBREVIATION, function_words,
        articles, article, a, b, ks, ANCHOR_SAMPLE, np.uint32(_ANCHOR_SALT),
    )  # fmt: skip


def fast_signatures(
    text: str, *, num_perm: int, seed: int
) -> tuple[int, dict[str, U32], str] | None:
    """``(word count, view -> signature, digest)`` for :data:`KERNEL_VIEWS` from the
    compiled path, or ``None`` when the text needs the reference path (see
    :func:`kernel_class`); the digest is :func:`sequence_digest` of all the words.

    Function words are recognised by their word hash, so a word whose 32-bit hash
    collides with a function word's (odds about 3 in 10^8 per distinct word) would
    count as one here and not in the reference path; nothing else differs.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None
    from dedup import _kernel  # lazy: numba takes a moment to import

    count, sigs, digest, _, _, _ = _kernel.sketch(
        np.frombuffer(data, dtype=np.uint8), *_kernel_settings(num_perm, seed)
    )
    if count < 0:
        return None
    signatures = {view: sigs[row] for row, view in enumerate(KERNEL_VIEWS)}
    return int(count), signatures, f"{int(digest):016x}"


LineArrays = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.int64]]
"""The :func:`line_keys` of many texts, flat: keys, words per line, and offsets (text
``i`` has ``keys[offsets[i]:offsets[i + 1]]``)."""
AnchorArrays = tuple[U32, npt.NDArray[np.int64]]
"""The :func:`anchor_keys` of many texts, flat: keys and offsets."""


def fast_signatures_many(
    texts: Sequence[str], *, num_perm: int, seed: int
) -> tuple[npt.NDArray[np.int64], dict[str, U32], list[str], LineArrays, AnchorArrays]:
    """:func:`fast_signatures` of many texts in one compiled call: word counts (-1
    where a text needs the reference path), view -> ``(n, num_perm)`` signatures,
    digests, :func:`line_keys` and :func:`anchor_keys`. One call saves the per-call
    overhead that dominates short texts."""
    from dedup import _kernel

    encoded = []
    for text in texts:
        try:
            encoded.append(text.encode("utf-8"))
        except UnicodeEncodeError:  # lone surrogates: the reference path
            encoded.append(b"\xf0")  # a 4-byte lead byte makes the kernel refuse it
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    counts, sigs, digests, keys, words, line_offsets, anchors, anchor_offsets = _kernel.sketch_many(
        np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets, *_kernel_settings(num_perm, seed)
    )
    signatures = {view: sigs[:, row, :] for row, view in enumerate(KERNEL_VIEWS)}
    digest_list = [f"{int(d):016x}" for d in digests.tolist()]
    return (counts, signatures, digest_list, (keys, words, line_offsets), (anchors, anchor_offsets))


# -- word ids and what verification reads of a text ------------------------------------

_ID_SEED = 0x2545F491
"""The seed of the second 32-bit hash in a word id (:func:`word_id`)."""


@lru_cache(maxsize=1 << 16)
def word_id(key: str) -> int:
    """A 64-bit id of one folded word, as a signed integer: its :func:`word_hash` and a
    second xxh32 with another seed. Verification compares words by id; two different
    words share one with odds of about 1 in 10^19 per pair."""
    data = key.encode("utf-8", "surrogatepass")
    value = (xxhash.xxh32_intdigest(data) << 32) | xxhash.xxh32_intdigest(data, seed=_ID_SEED)
    return value - (1 << 64) if value >= 1 << 63 else value


def _case_bits(ch: str) -> int:
    from dedup import _kernel

    bits = _kernel.UPPER if ch.isupper() else 0
    if not (ch + "A").isupper():  # cased, and not upper case
        bits |= _kernel.CASED_NOT_UPPER
    if ch.islower() or ch.isdigit():
        bits |= _kernel.LOWER_OR_DIGIT
    return bits


@lru_cache(maxsize=1)
def _case_table() -> npt.NDArray[np.uint8]:
    """The case of every character of the Basic Multilingual Plane, as bits
    (:data:`dedup._kernel.UPPER` ...)."""
    return np.array([_case_bits(chr(cp)) for cp in range(0x10000)], dtype=np.uint8)


KernelFeatures = tuple[Any, ...]
"""What :func:`kernel_features` returns (see :class:`dedup.verify.Features`)."""


def kernel_features(data: bytes, *, max_sentence: int) -> KernelFeatures | None:
    """What verification reads of a text, from its UTF-8 bytes in one compiled pass:
    word ids, byte spans, names and numbers, sentences (at most ``max_sentence`` words),
    their line keys and quotation flags, which words are names and which function
    words, and the shingle keys of :data:`KERNEL_VIEWS`;
    ``None`` when the text needs the reference path."""
    from dedup import _kernel

    args = (np.frombuffer(data, dtype=np.uint8), *_feature_settings(), max_sentence)
    out = _kernel.features(*args)
    return out[1:] if out[0] else None


def view_shingles(
    ids: npt.NDArray[np.int64], names: npt.NDArray[np.bool_], function: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.uint64], ...]:
    """The shingle keys of :data:`KERNEL_VIEWS` from a text's word ids and which words
    are names and function words, as :func:`kernel_features` gives them."""
    from dedup import _kernel

    *_, articles, article, _, ks = _feature_settings()
    return tuple(_kernel.view_shingles(ids, names, function, articles, article, ks))


@lru_cache(maxsize=1)
def _feature_settings() -> tuple[Any, ...]:
    """What every :func:`kernel_features` call takes between the text and the
    sentence length: the character, case and abbreviation tables, the function and
    number words, the articles and the id they fold into, the id seed and the views'
    shingle lengths (built once, not per document)."""
    function_words, articles, _ = _function_words()
    ks = np.array([VIEWS[view].k for view in KERNEL_VIEWS], dtype=np.int64)
    article = np.int64(word_id(next(iter(set(ARTICLES.values())))))
    return (
        _class_table(), _case_table(), _ABBREV_DATA, _ABBREV_OFFSETS, _MAX_ABBREVIATION,
        function_words, _number_words(), articles, article, np.uint64(_ID_SEED), ks,
    )  # fmt: skip


@lru_cache(maxsize=1)
def _number_words() -> npt.NDArray[np.uint64]:
    return _hash_table(sorted(NUMBER_WORDS))
