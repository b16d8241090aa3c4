"""The import direction of the pipeline, enforced: a module imports only from earlier
layers (or its own package).

The layers, in the order data flows (drawn in the README, "How the code is laid out")::

    vocabulary -> text -> features -> fingerprint -> lsh -> backends -> diff -> verify
    -> scan -> detector -> index -> inputs -> render -> feed -> spark -> cli

``errors``, ``options`` and ``model`` are the vocabulary every layer may use. Within a
layer, a module imports only the ones listed before it (a compiled helper comes before
the module it serves). The library never imports click; only ``cli`` does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dedup"

# Each layer: its name and its modules (top-level modules and packages), in order.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("vocabulary", ("errors", "options", "model")),
    ("text", ("extract", "normalize", "tokens")),
    ("features", ("views", "_kernel", "hashing")),
    ("fingerprint", ("fingerprint",)),
    ("lsh", ("lsh",)),
    ("backends", ("backends",)),
    ("diff", ("diff",)),  # verify asks diff.direction which text is the original
    ("verify", ("_alignloops", "verify")),
    ("scan", ("scan",)),
    ("detector", ("detector",)),
    ("index", ("index",)),
    ("inputs", ("sources",)),
    ("render", ("render",)),
    ("feed", ("feed",)),
    ("spark", ("spark",)),
    ("cli", ("cli",)),
]


RANK = {
    module: (layer, position)
    for layer, (_, modules) in enumerate(LAYERS)
    for position, module in enumerate(modules)
}
"""Module -> (its layer, its place in the layer)."""


def _may_import(importer: str, imported: str) -> bool:
    return RANK[imported] < RANK[importer]


def _modules() -> list[Path]:
    top = PACKAGE / "__init__.py"
    return sorted(p for p in PACKAGE.rglob("*.py") if p != top)


def _stage(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path: Path) -> None:
    stage = _stage(path)
    assert stage in RANK, f"{stage} has no place in the pipeline; add it to LAYERS"
    for name in _imports(path):
        if name.startswith("dedup."):
            other = name.split(".")[1]
            if other == stage:
                continue
            assert _may_import(stage, other), f"{stage} must not import {other}"
        if name.split(".")[0] == "click":
            assert stage == "cli", f"{stage} imports click; only the CLI may"


def test_every_module_has_a_layer() -> None:
    """A new module or package is placed in a layer, and no layer names a module that
    does not exist."""
    stages = {_stage(path) for path in _modules()}
    assert stages == set(RANK), (sorted(stages - set(RANK)), sorted(set(RANK) - stages))
