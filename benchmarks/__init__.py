"""Quality benchmarks of dedup: loaders, a spun-copy simulator, metrics and the runs.

Outside the default test run. Reproduce every figure with one command from the
repository root::

    python -m benchmarks.quality

or run the asserting versions with ``pytest benchmarks`` (see ``benchmarks/README.md``).
"""
