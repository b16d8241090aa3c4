"""Everything that turns results into text, JSON, CSV or HTML; pure functions, no I/O.

* :mod:`dedup.render.matches`: matches and clusters of a scan or a check, as a table,
  JSON, JSON lines or CSV;
* :mod:`dedup.render.diff`: one :class:`~dedup.diff.DiffReport` as inline text, JSON or
  an HTML page;
* :mod:`dedup.render.page`: the HTML review page of a whole scan.
"""
