"""Fixtures shared by the test modules: the seed articles and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

SEEDS = Path(__file__).parent.parent / "seeds"


@pytest.fixture
def seeds() -> Path:
    """The seed directory: five news articles, exactly one spun pair among them."""
    return SEEDS


@pytest.fixture
def original() -> Path:
    """The seed article ``spun`` was spun from (its text is cp1252-encodable)."""
    return SEEDS / "002_332438ef7e52e727.txt"


@pytest.fixture
def spun() -> Path:
    """The spun copy of ``original``."""
    return SEEDS / "001_0d986f3b99680e2b.txt"


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; stdout and stderr are kept apart (``result.stdout``, ``.stderr``)."""
    return CliRunner()
