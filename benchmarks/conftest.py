"""Fixtures of the benchmarks, and the figures they print at the end of the run.

Benchmarks append their markdown tables to the ``quality_report`` fixture; the tables
are printed in the terminal summary whether the tests pass or not, so
``pytest benchmarks`` shows the figures without ``-s``.
"""

from __future__ import annotations

import pytest

from benchmarks.support.corpora import CloughStevenson, clough_stevenson
from benchmarks.support.spinsim import Spinner
from benchmarks.support.wordnet import WordNet, WordNetMissingError

_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def quality_report(request: pytest.FixtureRequest) -> list[str]:
    """Markdown sections to print at the end of the run."""
    return request.config.stash.setdefault(_REPORT, [])


@pytest.fixture(scope="session")
def wordnet() -> WordNet:
    """The WordNet database; the test is skipped when it is not installed."""
    try:
        return WordNet.open()
    except WordNetMissingError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def spinner(wordnet: WordNet) -> Spinner:
    """A spinner over the installed WordNet."""
    return Spinner(wordnet)


@pytest.fixture(scope="session")
def cs_corpus() -> CloughStevenson:
    """The Clough & Stevenson corpus."""
    return clough_stevenson()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    sections = config.stash.get(_REPORT, [])
    if sections:
        terminalreporter.section("quality figures")
        terminalreporter.write("\n\n".join(sections) + "\n")
