"""Candidate search and document storage: LSH band tables plus a storage backend.

An index proposes candidates and hands back stored texts; :mod:`dedup.verify` decides.
Backends implement :class:`CandidateIndex`; :class:`MemoryIndex` keeps everything in
this process.
"""

from dedup.backends.base import CandidateIndex
from dedup.backends.memory import MemoryIndex

__all__ = ["CandidateIndex", "MemoryIndex"]
