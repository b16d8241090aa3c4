"""What the persistent backends (SQLite, Redis) store, shared so they store it alike.

A persistent index remembers the settings it was built with (:class:`Layout`): MinHash
signatures made with another ``num_perm`` or ``seed`` cannot be compared with the stored
ones, and band keys made with other ``bands x rows`` never meet the stored keys, so the
index would silently find nothing. Opening it with other settings is an error instead.

A band key is ``(view, band, hash)``: the view's position in :attr:`Layout.views`, the
band's number, and a 64-bit xxh3 hash of the band's rows (little-endian ``uint32``
bytes), signed so that SQLite can store it as an ``INTEGER``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import xxhash

from dedup.errors import InputError, SettingsMismatchError, StoreError, UnknownDocumentError
from dedup.fingerprint import Fingerprint, Signature, estimated_shares, is_empty
from dedup.options import FingerprintOptions, LshOptions

__all__ = [
    "FORMAT",
    "BandKey",
    "Layout",
    "dump_meta",
    "load_meta",
    "pack_text",
    "unknown_document",
    "unpack_text",
]

FORMAT = 2
"""The newest version of a stored layout this dedup reads; each backend records its
own (:meth:`Layout.record`) and bumps it when its tables or keys change.

SQLite 2: each document's :meth:`Layout.sketch` in a table of its own (format 1 files
are upgraded when opened). Redis: still 1."""

BandKey = tuple[int, int, int]
"""``(view position, band number, signed 64-bit hash of the band's rows)``."""

_WIRE = np.dtype("<u4")  # signatures on disk are little-endian whatever the machine
_SKETCH = np.dtype("<u2")


@dataclass(frozen=True, slots=True)
class Layout:
    """The settings a persistent index is built with, all of which it must be read with.

    ``prefilter`` is not among them: it only filters candidates after the lookup.
    """

    views: tuple[str, ...]
    num_perm: int
    seed: int
    bands: int
    rows: int

    @classmethod
    def of(cls, fingerprint: FingerprintOptions, lsh: LshOptions) -> Layout:
        lsh.check(fingerprint.num_perm)
        return cls(fingerprint.views, fingerprint.num_perm, fingerprint.seed, lsh.bands, lsh.rows)

    @classmethod
    def settle(
        cls,
        stored: Mapping[str, str],
        fingerprint: FingerprintOptions | None,
        lsh: LshOptions | None,
        *,
        where: str,
    ) -> Layout:
        """The layout to use at ``where``, given what is stored there (empty if new).

        Settings left out (``None``) are taken from the stored ones, or are the defaults
        for a new index; settings given must equal the stored ones.

        Raises:
            SettingsMismatchError: a given setting differs from the stored one.
            StoreError: the stored settings are unreadable or from a newer format.
        """
        if not stored:
            return cls.of(fingerprint or FingerprintOptions(), lsh or LshOptions())
        have = cls.from_record(stored, where=where)
        want: dict[str, object] = {}
        if fingerprint is not None:
            # the same views in another order are the same index
            views = have.views if set(fingerprint.views) == set(have.views) else fingerprint.views
            want.update(views=views, num_perm=fingerprint.num_perm, seed=fingerprint.seed)
        if lsh is not None:
            want.update(bands=lsh.bands, rows=lsh.rows)
        stored_values = asdict(have)
        differ = [name for name, value in want.items() if stored_values[name] != value]
        if differ:
            raise SettingsMismatchError(
                f"the index at {where} was built with "
                f"{_describe({n: stored_values[n] for n in differ})} but was opened with "
                f"{_describe({n: want[n] for n in differ})}; open it with the stored "
                "settings (or leave them out to use the stored ones), or build a new "
                "index at another location"
            )
        return have

    @classmethod
    def from_record(cls, record: Mapping[str, str], *, where: str) -> Layout:
        """Read the settings back from their stored strings."""
        try:
            version = int(record["format"])
            if version > FORMAT:
                raise StoreError(
                    f"the index at {where} has format {version}, this dedup reads format "
                    f"{FORMAT} and older; upgrade dedup"
                )
            layout = cls(
                tuple(record["views"].split(",")),
                int(record["num_perm"]),
                int(record["seed"]),
                int(record["bands"]),
                int(record["rows"]),
            )
            layout.lsh.check(layout.fingerprint.num_perm)  # settings dedup could have made
            return layout
        except (KeyError, ValueError, TypeError, AttributeError) as exc:  # and OptionsError
            raise StoreError(
                f"the settings stored at {where} are incomplete or malformed ({exc!r}); "
                "it was not written by dedup, or was damaged"
            ) from None

    def record(self, format: int) -> dict[str, str]:
        """The settings as strings, with the backend's format version, for storing."""
        return {
            "format": str(format),
            "views": ",".join(self.views),
            "num_perm": str(self.num_perm),
            "seed": str(self.seed),
            "bands": str(self.bands),
            "rows": str(self.rows),
        }

    @property
    def fingerprint(self) -> FingerprintOptions:
        return FingerprintOptions(views=self.views, num_perm=self.num_perm, seed=self.seed)

    @property
    def lsh(self) -> LshOptions:
        """The LSH options; ``prefilter`` is the default, it is not stored."""
        return LshOptions(bands=self.bands, rows=self.rows)

    def check(self, fp: Fingerprint, *, where: str) -> None:
        """Raise unless ``fp`` was made with these settings."""
        problem = _misfit(self, fp)
        if problem:
            raise SettingsMismatchError(
                f"the fingerprint does not fit this index ({where}): {problem}; "
                "fingerprint with the index's settings (its .fingerprint attribute)"
            )

    def pack(self, fp: Fingerprint) -> bytes:
        """All views' signatures in one blob, in :attr:`views` order."""
        return b"".join(fp.signatures[view].astype(_WIRE).tobytes() for view in self.views)

    def unpack(self, blob: bytes, *, source: str = "a document") -> dict[str, Signature]:
        """The signatures :meth:`pack` stored; a blob of another size is a damaged index
        (or one whose ``num_perm`` was edited), a :class:`~dedup.errors.StoreError`."""
        if not isinstance(blob, bytes) or len(blob) != self.signature_bytes:
            size = len(blob) if isinstance(blob, bytes) else type(blob).__name__
            raise StoreError(
                f"the stored signatures of {source} are {size} bytes, not the "
                f"{self.signature_bytes} that {len(self.views)} views of num_perm="
                f"{self.num_perm} make: the index is damaged, or its settings were edited"
            )
        values = np.frombuffer(blob, dtype=_WIRE).astype(np.uint32)
        return {
            view: values[i * self.num_perm : (i + 1) * self.num_perm]
            for i, view in enumerate(self.views)
        }

    @property
    def signature_bytes(self) -> int:
        """The size of one document's packed signatures."""
        return len(self.views) * self.num_perm * _WIRE.itemsize

    def sketch(self, signatures: Mapping[str, Signature]) -> bytes:
        """The low 16 bits of every signature value, the views one after another.

        Half the size of the signatures, and as good for estimating Jaccard: two
        different values agree in their low 16 bits once in 65,536 times, so among 128
        values there are 0.002 chance agreements on average (an estimate higher by
        0.000015). An index reads sketches, not signatures, to drop false candidates
        (:meth:`sketch_jaccard`).
        """
        return self.sketch_values(signatures).astype(_SKETCH).tobytes()

    def sketch_values(self, signatures: Mapping[str, Signature]) -> npt.NDArray[np.uint16]:
        """:meth:`sketch` as a ``(views, num_perm)`` array, for an index in memory."""
        return np.stack([signatures[view] for view in self.views]).astype(np.uint16)

    def sketch_jaccard(
        self, signatures: Mapping[str, Signature], sketches: Sequence[bytes]
    ) -> npt.NDArray[np.float64]:
        """Estimated Jaccard of ``signatures`` with each stored :meth:`sketch`, by view:
        an ``(n, views)`` array; a view empty on either side estimates as 0.

        >>> layout = Layout(("words",), 4, 1, 2, 2)
        >>> a = {"words": np.array([1, 2, 3, 70000], dtype=np.uint32)}
        >>> b = {"words": np.array([1, 9, 3, 4464], dtype=np.uint32)}  # 70000 % 65536
        >>> layout.sketch_jaccard(a, [layout.sketch(b)]).tolist()
        [[0.75]]
        """
        size = len(self.views) * self.num_perm * _SKETCH.itemsize
        for sketch in sketches:
            if not isinstance(sketch, bytes) or len(sketch) != size:
                raise StoreError(
                    f"a stored sketch is {len(sketch) if isinstance(sketch, bytes) else 0} "
                    f"bytes, not {size}: the index is damaged, or its settings were edited"
                )
        stored = np.frombuffer(b"".join(sketches), dtype=_SKETCH).reshape(
            len(sketches), len(self.views), self.num_perm
        )
        return self.sketch_shares(signatures, stored)

    def sketch_shares(
        self, signatures: Mapping[str, Signature], stored: npt.NDArray[np.uint16]
    ) -> npt.NDArray[np.float64]:
        """:meth:`sketch_jaccard` of ``(n, views, num_perm)`` stored sketches."""
        query = self.sketch_values(signatures)
        return np.stack(
            [
                estimated_shares(stored[:, position], query[position])
                for position in range(len(self.views))
            ],
            axis=1,
        ).reshape(len(stored), len(self.views))

    def band_keys(self, signatures: Mapping[str, Signature]) -> list[BandKey]:
        """The band keys of every view whose signature is not empty.

        An empty set's signature is the same for every empty document, so it is never
        indexed: all of them would be candidates of one another.
        """
        keys: list[BandKey] = []
        for position, view in enumerate(self.views):
            signature = signatures[view]
            if is_empty(signature):
                continue
            hashes = self.band_hashes(signature.reshape(1, -1))[0].tolist()
            keys.extend((position, band, value) for band, value in enumerate(hashes))
        return keys

    def band_hashes(self, signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        """The band hashes of an ``(n, num_perm)`` signature matrix, ``(n, bands)``.

        Each is the xxh3-64 of the band's rows as little-endian ``uint32`` bytes, signed
        (:data:`BandKey`). Bands of one or two rows (4 or 8 bytes; the default is 2) are
        hashed for the whole matrix at once by :func:`_xxh3_4to8`, which computes the
        same values as xxhash; longer bands are hashed one by one.
        """
        n, width = signatures.shape[0], self.bands * self.rows
        head = np.ascontiguousarray(signatures[:, :width], dtype=np.uint32)
        if self.rows <= 2:
            blocks = head.reshape(n, self.bands, self.rows)
            hashes = _xxh3_4to8(blocks[:, :, 0], blocks[:, :, -1], 4 * self.rows)
            return hashes.view(np.int64)
        raw = head.astype(_WIRE).tobytes()
        size = 4 * self.rows
        values = [
            xxhash.xxh3_64_intdigest(raw[start : start + size])
            for start in range(0, len(raw), size)
        ]
        return np.array(values, dtype=np.uint64).view(np.int64).reshape(n, self.bands)


# xxh3-64 of 4 to 8 bytes with the default secret and seed 0 (XXH3_len_4to8_64b in
# xxhash.h): bytes 8..23 of the secret, and the rrmxmx mixing constant.
_BITFLIP = np.uint64(0x1CAD21F72C81017C ^ 0xDB979083E96DD4DE)
_MX2 = np.uint64(0x9FB21C651E98DF25)


def _xxh3_4to8(
    first: npt.NDArray[np.uint32], last: npt.NDArray[np.uint32], length: int
) -> npt.NDArray[np.uint64]:
    """xxh3-64 of inputs of ``length`` (4..8) bytes, given each input's first and last
    four bytes as little-endian ``uint32`` (equal when ``length`` is 4).

    >>> values = np.array([[7, 12345678]], dtype=np.uint32)
    >>> int(_xxh3_4to8(values[:, :1], values[:, 1:], 8)[0, 0]) == xxhash.xxh3_64_intdigest(
    ...     values.astype("<u4").tobytes())
    True
    """
    x = (last.astype(np.uint64) + (first.astype(np.uint64) << np.uint64(32))) ^ _BITFLIP
    x ^= _rotl(x, 49) ^ _rotl(x, 24)
    x *= _MX2
    x ^= (x >> np.uint64(35)) + np.uint64(length)
    x *= _MX2
    result: npt.NDArray[np.uint64] = x ^ (x >> np.uint64(28))
    return result


def _rotl(x: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.uint64]:
    result: npt.NDArray[np.uint64] = (x << np.uint64(bits)) | (x >> np.uint64(64 - bits))
    return result


def _misfit(layout: Layout, fp: Fingerprint) -> str | None:
    if fp.seed != layout.seed:
        return f"seed={fp.seed} against seed={layout.seed}"
    for view in layout.views:
        signature = fp.signatures.get(view)
        if signature is None:
            return f"no {view!r} view (it has {','.join(fp.signatures) or 'none'})"
        if signature.shape != (layout.num_perm,):
            return f"num_perm={signature.size} against num_perm={layout.num_perm}"
        if signature.dtype != np.uint32:
            return f"{signature.dtype.name} values in view {view!r}, not uint32"
    return None


def _describe(values: Mapping[str, object]) -> str:
    return ", ".join(
        f"{name}={','.join(value) if isinstance(value, tuple) else value}"
        for name, value in values.items()
    )


def pack_text(text: str) -> bytes:
    """The text, zlib-compressed UTF-8 (the seed articles shrink to 44-51%)."""
    return zlib.compress(text.encode("utf-8"))


MAX_TEXT_BYTES = 64_000_000
"""The most a stored text may expand to (13 times the largest input ``dedup`` reads
by default): a crafted index whose few kilobytes expand to gigabytes is refused, not
read into memory."""


def unpack_text(blob: bytes, *, source: str = "a document") -> str:
    """The text :func:`pack_text` stored; raises :class:`~dedup.errors.StoreError` when
    the blob is not zlib, expands past :data:`MAX_TEXT_BYTES`, or is not UTF-8."""
    try:
        inflate = zlib.decompressobj()
        data = inflate.decompress(blob, MAX_TEXT_BYTES)
        if inflate.unconsumed_tail:
            raise StoreError(
                f"the stored text of {source} expands past {MAX_TEXT_BYTES:,} bytes: "
                "the index is damaged or was crafted"
            )
        return data.decode("utf-8")
    except (zlib.error, TypeError) as exc:
        raise StoreError(f"the stored text of {source} is damaged (not zlib data: {exc})") from None
    except UnicodeDecodeError as exc:
        raise StoreError(
            f"the stored text of {source} is damaged (not UTF-8 at byte {exc.start})"
        ) from None


def dump_meta(doc_id: str, meta: Mapping[str, object] | None) -> str | None:
    """``meta`` as JSON, or ``None``; raises :class:`~dedup.errors.InputError`."""
    if meta is None:
        return None
    try:
        return json.dumps(dict(meta), ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"meta must be JSON-serialisable: {exc}", source=doc_id) from None


def load_meta(raw: str | bytes | None, *, source: str = "a document") -> dict[str, object]:
    """The stored meta; an empty dict if none was given; a
    :class:`~dedup.errors.StoreError` if what is stored is not the JSON object
    :func:`dump_meta` wrote."""
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, TypeError, RecursionError):  # UnicodeDecodeError is a ValueError
        value = None
    if not isinstance(value, dict):
        raise StoreError(f"the stored metadata of {source} is damaged (not a JSON object)")
    return value


def batch_order(
    ids: Sequence[str],
    fps: Sequence[object],
    texts: Sequence[str],
    metas: Sequence[object] | None,
) -> list[int]:
    """The positions of an ``insert_many`` batch to store, in order, the last of a
    repeated id winning (as one-by-one inserts would).

    Raises:
        InputError: the sequences differ in length.

    >>> batch_order(["a", "b", "a"], [1, 2, 3], ["x", "y", "z"], None)
    [1, 2]
    """
    given = [len(ids), len(fps), len(texts)] + ([len(metas)] if metas is not None else [])
    if len(set(given)) > 1:
        raise InputError(
            "ids, fps, texts (and metas, if given) must be equally long, got lengths "
            f"{', '.join(map(str, given))}"
        )
    return sorted({doc_id: k for k, doc_id in enumerate(ids)}.values())


def unknown_document(doc_id: str) -> UnknownDocumentError:
    return UnknownDocumentError(f"no document with id {doc_id!r} in the index")
