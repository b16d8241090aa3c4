"""The ``dedup`` command: parse options, make one library call, render the result.

Every command is thin; the work is in :mod:`dedup.sources` (reading),
:class:`dedup.detector.Detector` (finding copies) and :mod:`dedup.render.matches` (rendering).
One module per command; :mod:`dedup.cli._common` holds what they share.
"""

from dedup.cli import diff, index, scan, spark, watch
from dedup.cli._common import input_options, main, match_options

__all__ = ["diff", "index", "input_options", "main", "match_options", "scan", "spark", "watch"]
