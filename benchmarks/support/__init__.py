"""What the benchmark runs share: corpora and their loaders, the spin simulator and its
WordNet reader, the runs behind the quality figures, metrics and markdown tables.
Nothing here is a run; the runs are the modules one level up (``python -m
benchmarks.NAME``) and the ``test_*.py`` files."""
