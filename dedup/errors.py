"""The one exception tree of dedup.

Every error the library raises on purpose is a :class:`DedupError`, and each one also
inherits the builtin it resembles, so ``except ValueError`` keeps working for callers
who do not know about dedup::

    DedupError (Exception)
    ├── OptionsError (ValueError)      a setting is out of range or inconsistent
    ├── InputError (ValueError)        one document or record cannot be used
    │   ├── BinaryInputError           the bytes are not text
    │   ├── EmptyDocumentError         nothing (or too little) to compare
    │   └── RecordError                a malformed JSON line
    ├── UnknownDocumentError (KeyError) an id that is not in the index
    └── StoreError (RuntimeError)       the storage behind an index failed
        ├── StoreUnavailableError      for now: a lock held, a server unreachable
        └── SettingsMismatchError (ValueError) an index opened with other settings

Messages say what was expected, what arrived and how to fix it. The CLI turns these
into one-line messages in exactly one place (``dedup.cli``).
"""

from __future__ import annotations

__all__ = [
    "BinaryInputError",
    "DedupError",
    "EmptyDocumentError",
    "InputError",
    "OptionsError",
    "RecordError",
    "SettingsMismatchError",
    "StoreError",
    "StoreUnavailableError",
    "UnknownDocumentError",
]


class DedupError(Exception):
    """Base class of every error dedup raises on purpose."""


class OptionsError(DedupError, ValueError):
    """A setting is out of range or inconsistent with another one."""


class InputError(DedupError, ValueError):
    """One document or record cannot be used; the others can.

    ``str(error)`` is ``"source: message"``; the two parts stay apart in the attributes,
    so a caller that shows the source in a column of its own never cuts it back off.

    Attributes:
        message: what is wrong, without the source.
        source: the file, record or id the problem is in (``None`` if unknown).

    >>> error = InputError("not UTF-8", source="a.txt")
    >>> str(error), error.message, error.source
    ('a.txt: not UTF-8', 'not UTF-8', 'a.txt')
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class BinaryInputError(InputError):
    """The bytes look like a binary file, not text."""


class EmptyDocumentError(InputError):
    """The document has no words, or too few to fingerprint."""


class RecordError(InputError):
    """A JSON line is malformed or lacks a required field."""


class UnknownDocumentError(DedupError, KeyError):
    """An id that the index does not hold."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else "unknown document"


class StoreError(DedupError, RuntimeError):
    """The storage behind an index failed or holds something unexpected."""


class StoreUnavailableError(StoreError):
    """The storage cannot be used *for now*: another process holds the SQLite write
    lock longer than the wait allows, or the Redis server cannot be reached. Trying
    again later may succeed; ``dedup watch`` does, for a while (``--retry``)."""


class SettingsMismatchError(StoreError, ValueError):
    """An index was opened with settings other than the ones it was built with."""
