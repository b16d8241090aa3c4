"""A Spark scan's store: what earlier runs fingerprinted and found, for incremental runs.

A store is a directory the driver can read and every executor can write (a local one
in local mode; on a cluster a shared mount: NFS, ``/dbfs``, an S3 or GCS mount), holding:

* ``documents/run=N/``: the documents run N scanned, as the scan's first stage left
  them (id, digest, words, signatures, band keys, line keys, anchors and text), in
  Parquet; nothing in them is computed again;
* ``pairs/run=N/``: the pairs run N reported (the records of ``dedup scan --format
  jsonl``);
* ``settings.json``: the fingerprint and band settings the documents were made with;
  a run with other settings is refused, as its signatures could not be compared.

A run with a store (:func:`dedup.spark.scan` with ``store=``) fingerprints only its own
documents and reports the pairs that involve at least one of them, exactly as a scan of
all the documents together would report those pairs; the pairs among the stored
documents stay as the runs that found them reported them. Its pairs are appended
before its documents, so a run stopped part-way leaves its documents out of the store
and the next run scans them again.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from dedup.errors import SettingsMismatchError, StoreError
from dedup.options import DetectorOptions

__all__ = ["Stored", "append", "open_store"]

_SETTINGS = "settings.json"
_DOCUMENTS = "documents"
_PAIRS = "pairs"


@dataclass(frozen=True)
class Stored:
    """What a store holds: the documents (the fingerprint stage's rows) and the
    ``a, b`` of every pair reported so far; ``None`` where nothing is stored yet."""

    documents: DataFrame | None
    pairs: DataFrame | None


def settings_of(options: DetectorOptions) -> dict[str, Any]:
    """The settings the stored values depend on: how documents are fingerprinted and
    how signatures are cut into band keys."""
    found: dict[str, Any] = json.loads(json.dumps(asdict(options.fingerprint)))
    found.update(bands=options.lsh.bands, rows=options.lsh.rows)
    return found


def open_store(spark: SparkSession, path: str, options: DetectorOptions) -> Stored:
    """The documents and pairs stored at ``path`` (none if it is new).

    Raises:
        SettingsMismatchError: the store was made with other fingerprint or band settings.
        StoreError: the store's settings file is unreadable.
    """
    settings = _read_settings(path)
    if settings is None:
        return Stored(None, None)
    want = settings_of(options)
    differ = sorted(k for k in set(want) | set(settings) if want.get(k) != settings.get(k))
    if differ:
        have = ", ".join(f"{k}={settings.get(k)!r}" for k in differ)
        given = ", ".join(f"{k}={want.get(k)!r}" for k in differ)
        raise SettingsMismatchError(
            f"the store at {path} was made with {have} but this scan uses {given}; scan "
            "with the store's settings, or give a new store"
        )
    documents = _parquet(spark, os.path.join(path, _DOCUMENTS))
    pairs = _parquet(spark, os.path.join(path, _PAIRS))
    return Stored(documents, pairs.select("a", "b") if pairs is not None else None)


def append(path: str, documents: DataFrame, pairs: DataFrame, options: DetectorOptions) -> None:
    """Add one run's pairs, then its documents, to the store at ``path``.

    Each run writes a directory of its own (``run=N``): Spark refreshes every cached
    frame that reads a directory it writes to, and the run's frames read the store."""
    if _read_settings(path) is None:
        _write_settings(path, settings_of(options))
    run = 1 + max(
        (
            int(p.name.removeprefix("run="))
            for part in (_PAIRS, _DOCUMENTS)
            if Path(path, part).is_dir()
            for p in Path(path, part).iterdir()
            if p.name.startswith("run=") and p.name.removeprefix("run=").isdigit()
        ),
        default=0,
    )
    pairs.write.parquet(os.path.join(path, _PAIRS, f"run={run}"))
    documents.write.parquet(os.path.join(path, _DOCUMENTS, f"run={run}"))


def _parquet(spark: SparkSession, path: str) -> DataFrame | None:
    if not Path(path).exists():
        return None
    return spark.read.parquet(path)


def _read_settings(path: str) -> dict[str, Any] | None:
    where = os.path.join(path, _SETTINGS)
    if "://" in path:
        raise StoreError(f"a store is a local or mounted directory, not a URL: {path}")
    try:
        text = Path(where).read_text(encoding="utf-8")
    except FileNotFoundError:
        if Path(path).exists() and any(Path(path).iterdir()):
            raise StoreError(
                f"{path} is not a dedup store (no {_SETTINGS}); give an empty or new directory"
            ) from None
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {where}: {exc.strerror or exc}") from None
    try:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("not an object")
        return value
    except ValueError as exc:
        raise StoreError(f"{where} is damaged ({exc}); it is not a dedup store's") from None


def _write_settings(path: str, settings: dict[str, Any]) -> None:
    Path(path).mkdir(parents=True, exist_ok=True)
    Path(path, _SETTINGS).write_text(json.dumps(settings, sort_keys=True) + "\n", encoding="utf-8")
