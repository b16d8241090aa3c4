"""dedup: find exact, near-duplicate, partial and spun copies of articles.

>>> from dedup import Detector
>>> det = Detector()
>>> det.add("a", "Defense chiefs from the United States and Russia held first talks.")
>>> det.check("Defense chiefs from the United States and Russia held first talks!")[0].kind
<Kind.EXACT: 'exact'>
"""

from dedup.detector import Detector, clusters
from dedup.errors import (
    BinaryInputError,
    DedupError,
    EmptyDocumentError,
    InputError,
    OptionsError,
    RecordError,
    SettingsMismatchError,
    StoreError,
    StoreUnavailableError,
    UnknownDocumentError,
)
from dedup.index import Index
from dedup.model import Cluster, Document, Evidence, Kind, Match, Problem, ScanResult, ViewScores
from dedup.options import DetectorOptions, FingerprintOptions, LshOptions, VerifyOptions

__all__ = [
    "BinaryInputError",
    "Cluster",
    "DedupError",
    "Detector",
    "DetectorOptions",
    "Document",
    "EmptyDocumentError",
    "Evidence",
    "FingerprintOptions",
    "Index",
    "InputError",
    "Kind",
    "LshOptions",
    "Match",
    "OptionsError",
    "Problem",
    "RecordError",
    "ScanResult",
    "SettingsMismatchError",
    "StoreError",
    "StoreUnavailableError",
    "UnknownDocumentError",
    "VerifyOptions",
    "ViewScores",
    "clusters",
]
