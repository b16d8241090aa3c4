"""Locality-sensitive hashing: which documents are worth verifying, never all pairs.

* :mod:`dedup.lsh.keys`: band keys of MinHash signatures, and every candidate pair of
  a batch at once (the scan);
* :mod:`dedup.lsh.table`: the incremental band index of one view (the in-memory
  backend);
* :mod:`dedup.lsh.passages`: pairs that share a passage (rare anchors), however small
  a share of either document it is.
"""
