"""The import direction of STYLE.md, enforced: a module imports only from earlier stages.

    normalize -> tokens -> views -> fingerprint -> index -> verify | diff -> detector
    -> report -> cli

``errors``, ``options`` and ``model`` are shared vocabulary that every stage may use.
The library never imports click; only ``cli`` does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dedup"

# stage rank of each module (package modules are named by their first component);
# equal ranks are siblings and must not import each other.
RANK = {
    "errors": -1,
    "options": 0,
    "extract": 0.5,
    "model": 0,
    "normalize": 1,
    "tokens": 2,
    "views": 3,
    "fingerprint": 4,
    "index": 5,
    "_alignloops": 5.9,
    "verify": 6,
    "diff": 6,
    "hashing": 3.5,
    "_kernel": 3.4,
    "direction": 5.5,
    "parallel": 7.5,
    "batch": 7.6,
    "detector": 8,
    "feed": 9.5,
    "sources": 9,
    "report": 9,
    "diffview": 9,
    "spark": 9.5,
    "cli": 10,
}


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
    assert stage in RANK, f"{stage} has no place in the pipeline; add it to RANK"
    for name in _imports(path):
        if name.startswith("dedup."):
            other = name.split(".")[1]
            if other == stage:
                continue
            assert RANK[other] < RANK[stage], f"{stage} must not import {other}"
        if name.split(".")[0] == "click":
            assert stage == "cli", f"{stage} imports click; only the CLI may"
