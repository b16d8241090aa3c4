"""A scan of a batch of documents: flat arrays of what was read, the pairs worth
verifying, and the pool of workers that fingerprints and verifies them.

* :mod:`dedup.scan.arrays`: the fingerprints, line keys, anchors and page chrome of a
  batch, as flat arrays (cheap to slice, to pickle and to share with forked workers);
* :mod:`dedup.scan.pairs`: every duplicate pair of a batch (exact groups, LSH
  candidates, passages, prefilter, verification, kinds);
* :mod:`dedup.scan.pool`: the two heavy stages on every core.
"""
