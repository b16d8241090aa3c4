"""The typed face of pytest-benchmark's ``benchmark`` fixture (its ``pedantic`` is
untyped): the one place the benchmarks touch it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

__all__ = ["Benchmark", "once"]

_T = TypeVar("_T")


class Benchmark(Protocol):
    """What the benchmarks use of ``pytest_benchmark.fixture.BenchmarkFixture``."""

    def pedantic(
        self,
        target: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        rounds: int = 1,
        iterations: int = 1,
    ) -> Any: ...


def once(benchmark: Benchmark, target: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run ``target(*args, **kwargs)`` once under the benchmark timer; its result.

    Quality benchmarks compute their figures once: the time is for reading, and a
    result that is fast but wrong fails the assertions that follow.
    """
    result = benchmark.pedantic(target, args=args, kwargs=kwargs, rounds=1, iterations=1)
    return cast(_T, result)
