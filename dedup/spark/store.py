"""A Spark scan's store: what earlier runs fingerprinted and found, for incremental runs.

A store is a directory the driver can read and every executor can write (a local one
in local mode; on a cluster a shared mount: NFS, ``/dbfs``, an S3 or GCS mount), holding:

* ``documents/run=N/``: the documents run N scanned, as the scan's first stage left
  them (id, digest, words, signatures, band keys, line keys, anchors and text), in
  Parquet; nothing in them is computed again;
* ``pairs/run=N/``: the pairs run N reported (the records of ``dedup scan --format
  jsonl``);
* ``settings.json``: the fingerprint and band settings the documents were made with;
  a run with other settings is refused, as its signatures could not be compared;
* ``runs.json``: the runs committed, the only ones read (a run stopped part-way is
  not in it, and its documents are scanned again by the next run);
* ``lock`` while a run holds the store: one run at a time.

A run with a store (:func:`dedup.spark.scan` with ``store=``) fingerprints only its own
documents and reports the pairs that involve at least one of them, exactly as a scan of
all the documents together would report those pairs; the pairs among the stored
documents stay as the runs that found them reported them.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from dedup.errors import SettingsMismatchError, StoreError
from dedup.options import DetectorOptions

__all__ = ["FORMAT", "Stored", "append", "locked", "open_store", "settings_of"]

FORMAT = 1  # the layout of the stored rows; a store of another format is refused
_SETTINGS = "settings.json"
_RUNS = "runs.json"
_LOCK = "lock"
_DOCUMENTS = "documents"
_PAIRS = "pairs"


@dataclass(frozen=True)
class Stored:
    """What a store holds: the documents (the fingerprint stage's rows) and the
    ``a, b`` of every pair reported so far."""

    documents: DataFrame
    pairs: DataFrame


def settings_of(options: DetectorOptions) -> dict[str, Any]:
    """The settings the stored values depend on: how documents are fingerprinted, how
    signatures are cut into band keys, and which documents are too short to keep."""
    found: dict[str, Any] = json.loads(json.dumps(asdict(options.fingerprint)))
    found.update(
        bands=options.lsh.bands,
        rows=options.lsh.rows,
        min_words=options.min_words,
        format=FORMAT,
    )
    return found


@contextmanager
def locked(path: str) -> Iterator[None]:
    """Hold the store at ``path`` for one run: a second run at the same time would not
    see the first one's documents, and the pairs between them would never be found.

    Raises:
        StoreError: another run holds the store.
    """
    Path(path).mkdir(parents=True, exist_ok=True)
    lock = Path(path, _LOCK)
    try:
        handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        holder = lock.read_text(encoding="utf-8", errors="replace").strip() or "unknown"
        raise StoreError(
            f"the store at {path} is in use by another run ({holder}); if none is running, "
            f"delete {lock}"
        ) from None
    except OSError as exc:
        raise StoreError(f"cannot write to the store at {path}: {exc.strerror or exc}") from None
    with os.fdopen(handle, "w") as out:
        out.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def open_store(spark: SparkSession, path: str, options: DetectorOptions) -> Stored | None:
    """The documents and pairs of the runs committed to the store at ``path`` (``None``
    if none is).

    Raises:
        SettingsMismatchError: the store was made with other settings.
        StoreError: the store's settings or list of runs is unreadable.
    """
    settings = _read_settings(path)
    if settings is None:
        return None
    want = settings_of(options)
    differ = sorted(k for k in set(want) | set(settings) if want.get(k) != settings.get(k))
    if differ:
        have = ", ".join(f"{k}={settings.get(k)!r}" for k in differ)
        given = ", ".join(f"{k}={want.get(k)!r}" for k in differ)
        raise SettingsMismatchError(
            f"the store at {path} was made with {have} but this scan uses {given}; scan "
            "with the store's settings, or give a new store"
        )
    runs = _committed(path)
    if not runs:
        return None
    pairs = _parquet(spark, path, _PAIRS, runs).select("a", "b")
    return Stored(_parquet(spark, path, _DOCUMENTS, runs), pairs)


def append(path: str, documents: DataFrame, pairs: DataFrame, options: DetectorOptions) -> None:
    """Add one run's pairs and documents to the store at ``path`` (held with
    :func:`locked`), then commit the run: only committed runs are read, so a run
    stopped part-way leaves nothing the next one would take for stored.

    Each run writes a directory of its own (``run=N``): Spark refreshes every cached
    frame that reads a directory it writes to, and the run's frames read the store."""
    if _read_settings(path) is None:
        _write_settings(path, settings_of(options))
    written = [
        int(p.name.removeprefix("run="))
        for part in (_PAIRS, _DOCUMENTS)
        if Path(path, part).is_dir()
        for p in Path(path, part).iterdir()
        if p.name.startswith("run=") and p.name.removeprefix("run=").isdigit()
    ]
    committed = _committed(path)
    run = 1 + max([*written, *committed], default=0)  # past a stopped run's too
    pairs.write.parquet(_uri(path, _PAIRS, f"run={run}"))
    documents.write.parquet(_uri(path, _DOCUMENTS, f"run={run}"))
    runs = [*committed, run]
    temporary = Path(path, f"{_RUNS}.tmp")
    temporary.write_text(json.dumps(runs) + "\n", encoding="utf-8")
    temporary.replace(Path(path, _RUNS))  # atomic: the run is in the store, or not


def _uri(path: str, *parts: str) -> str:
    """A local path as Spark must get it: a ``file:`` URI (a bare path is resolved
    against the cluster's default file system, HDFS on many)."""
    return f"file://{Path(path, *parts).resolve()}"  # not as_uri(): it escapes "run=N"


def _parquet(spark: SparkSession, path: str, part: str, runs: list[int]) -> DataFrame:
    base = _uri(path, part)
    return spark.read.option("basePath", base).parquet(*(f"{base}/run={n}" for n in runs))


def _committed(path: str) -> list[int]:
    where = Path(path, _RUNS)
    try:
        value = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise StoreError(f"{where} is unreadable or damaged ({exc})") from None
    if not isinstance(value, list) or not all(isinstance(n, int) for n in value):
        raise StoreError(f"{where} is damaged: not a list of run numbers")
    return value


def _read_settings(path: str) -> dict[str, Any] | None:
    where = os.path.join(path, _SETTINGS)
    if "://" in path:
        raise StoreError(f"a store is a local or mounted directory, not a URL: {path}")
    try:
        text = Path(where).read_text(encoding="utf-8")
    except FileNotFoundError:
        if Path(path).exists() and any(p.name != _LOCK for p in Path(path).iterdir()):
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
