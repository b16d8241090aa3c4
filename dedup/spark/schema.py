"""The columns a Spark scan writes and passes between its stages, declared once as Arrow
fields (what the executors build) and turned into Spark DDL (what ``mapInArrow`` is
told), so the two cannot drift apart.

A pair row is the record ``dedup scan --format jsonl`` writes for it
(:func:`dedup.render.matches.match_record`): ``a, b, kind, score, evidence, reason``, with
``evidence.views`` a map from view name to its four overlaps.

>>> ddl([pa.field("id", pa.string()), pa.field("keys", pa.list_(pa.int64()))])
'id STRING, keys ARRAY<BIGINT>'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import pyarrow as pa

from dedup.model import Changes
from dedup.render.matches import VIEW_FIELDS

__all__ = [
    "CLUSTER_FIELDS",
    "PROBLEM_FIELDS",
    "ddl",
    "evidence_arrow_type",
    "fingerprint_fields",
    "match_fields",
]

_LONGS = pa.list_(pa.int64())

PROBLEM_FIELDS = (pa.field("source", pa.string()), pa.field("message", pa.string()))
"""A record that could not be used, and why (as ``dedup scan`` reports problems)."""

CLUSTER_FIELDS = (
    pa.field("id", pa.string()),
    pa.field("cluster", pa.string()),
    pa.field("representative", pa.string()),
)
"""A matched document, its cluster (the smallest id in it) and the cluster's
representative (its longest document; the smallest id among equals)."""


def evidence_arrow_type() -> pa.StructType:
    """The ``evidence`` struct of a pair row."""
    view = pa.struct([pa.field(name, pa.float64()) for name in VIEW_FIELDS])
    changes = pa.struct([pa.field(f.name, pa.int64()) for f in fields(Changes)])
    return pa.struct(
        [
            pa.field("aligned_a", pa.float64()),
            pa.field("aligned_b", pa.float64()),
            pa.field("verbatim", pa.float64()),
            pa.field("aligned_sentences", pa.int64()),
            pa.field("copied_a", pa.int64()),
            pa.field("copied_b", pa.int64()),
            pa.field("boilerplate", pa.int64()),
            pa.field("quotations", pa.int64()),
            pa.field("beyond", pa.int64()),
            pa.field("changes", changes),
            pa.field("views", pa.map_(pa.string(), view)),
        ]
    )


def match_fields() -> list[pa.Field]:
    """The columns of a pair row, in the order of the JSON record."""
    return [
        pa.field("a", pa.string()),
        pa.field("b", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("original", pa.string()),
        pa.field("original_confidence", pa.float64()),
        pa.field("evidence", evidence_arrow_type()),
        pa.field("reason", pa.string()),
    ]


def fingerprint_fields(views: Sequence[str], *, text: bool = False) -> list[pa.Field]:
    """The columns the fingerprint stage gives each document (with its ``text``
    passed through last, if asked)."""
    per_view = []
    for view in views:
        per_view += [pa.field(f"sig_{view}", pa.binary()), pa.field(f"bands_{view}", _LONGS)]
    return [
        pa.field("id", pa.string()),
        pa.field("digest", pa.string()),
        pa.field("words", pa.int64()),
        *per_view,
        pa.field("line_keys", _LONGS),
        pa.field("line_words", _LONGS),
        pa.field("anchors", _LONGS),
        *([pa.field("text", pa.string())] if text else []),
    ]


def ddl(columns: Sequence[pa.Field]) -> str:
    """Spark's DDL for Arrow fields (the types used here)."""
    return ", ".join(f"{f.name} {_ddl_type(f.type)}" for f in columns)


def _ddl_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "STRING"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_binary(t):
        return "BINARY"
    if pa.types.is_map(t):
        return f"MAP<{_ddl_type(t.key_type)}, {_ddl_type(t.item_type)}>"
    if pa.types.is_list(t):
        return f"ARRAY<{_ddl_type(t.value_type)}>"
    if pa.types.is_struct(t):
        inner = ", ".join(
            f"{t.field(i).name}: {_ddl_type(t.field(i).type)}" for i in range(t.num_fields)
        )
        return f"STRUCT<{inner}>"
    raise TypeError(f"no Spark type for {t}")
