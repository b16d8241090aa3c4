"""The public surface: ``dedup.__all__`` is exactly what the package exports."""

from __future__ import annotations

import dedup


def test_all_is_what_is_exported() -> None:
    public = {
        name
        for name, value in vars(dedup).items()
        if not name.startswith("_") and not isinstance(value, type(dedup))
    }
    assert public == set(dedup.__all__)


def test_every_export_is_documented() -> None:
    for name in dedup.__all__:
        assert getattr(dedup, name).__doc__, f"dedup.{name} has no docstring"
