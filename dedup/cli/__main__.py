"""``python -m dedup.cli``: the same as the ``dedup`` command (also the file to give
``spark-submit``, followed by ``spark-scan`` and its arguments)."""

from dedup.cli import main

if __name__ == "__main__":
    main()
