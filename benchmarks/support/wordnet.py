"""A small reader of the WordNet 3.0 database files, enough to play article spinner.

The spun-copy simulator needs a real thesaurus, not a synonym list someone made up, and
Debian ships one: the ``wordnet-base`` package puts the Princeton WordNet database in
``/usr/share/wordnet``. Its files are plain text in the format documented in WordNet's
``wndb(5)`` and ``morphy(7)`` pages; this module reads the parts a spinner uses:

``index.<pos>``
    One line per lemma: ``lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt
    tagsense_cnt synset_offset...``; the last ``synset_cnt`` fields are the byte
    offsets of the lemma's synsets in ``data.<pos>``.
``data.<pos>``
    One line per synset, starting at its byte offset: ``synset_offset lex_filenum
    ss_type w_cnt word lex_id [word lex_id...] ...``, with ``w_cnt`` in two hex digits.
    Words use ``_`` for spaces; adjectives may carry a syntactic marker such as
    ``(a)`` or ``(ip)``.
``<pos>.exc``
    Irregular inflections: ``inflected base [base...]`` ("held hold").

Lines starting with two spaces are the licence header. Base forms are found as
``morphy`` does: the exception list, the word itself, then the detachment rules
("-ies" -> "-y", "-ed" -> "", ...) whose result is in the index. For example
``WordNet.open().base_forms("held", "v")`` gives ``[("hold", Inflection.PAST)]``
(``benchmarks/test_spinsim.py`` checks it where the files are installed).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DEFAULT_ROOT",
    "POS",
    "Inflection",
    "WordNet",
    "WordNetMissingError",
    "inflect",
]

DEFAULT_ROOT = Path("/usr/share/wordnet")

POS = ("n", "v", "a", "r")
"""WordNet's parts of speech: noun, verb, adjective, adverb (``data.noun`` etc.)."""

_FILE_NAMES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}

_ADJ_MARKER = re.compile(r"\([a-z]+\)$")


class WordNetMissingError(FileNotFoundError):
    """The WordNet database files are not installed."""


class Inflection(enum.Enum):
    """How a word was inflected from its base form, so a synonym can be inflected alike."""

    NONE = "base"
    PLURAL = "plural"  # nouns; also the verb third person singular ("holds")
    PAST = "past"
    GERUND = "gerund"
    COMPARATIVE = "comparative"
    SUPERLATIVE = "superlative"


# morphy(7) detachment rules: (suffix, replacement, inflection), per part of speech.
_RULES: dict[str, tuple[tuple[str, str, Inflection], ...]] = {
    "n": (
        ("s", "", Inflection.PLURAL),
        ("ses", "s", Inflection.PLURAL),
        ("xes", "x", Inflection.PLURAL),
        ("zes", "z", Inflection.PLURAL),
        ("ches", "ch", Inflection.PLURAL),
        ("shes", "sh", Inflection.PLURAL),
        ("men", "man", Inflection.PLURAL),
        ("ies", "y", Inflection.PLURAL),
    ),
    "v": (
        ("s", "", Inflection.PLURAL),
        ("ies", "y", Inflection.PLURAL),
        ("es", "e", Inflection.PLURAL),
        ("es", "", Inflection.PLURAL),
        ("ed", "e", Inflection.PAST),
        ("ed", "", Inflection.PAST),
        ("ing", "e", Inflection.GERUND),
        ("ing", "", Inflection.GERUND),
    ),
    "a": (
        ("er", "", Inflection.COMPARATIVE),
        ("est", "", Inflection.SUPERLATIVE),
        ("er", "e", Inflection.COMPARATIVE),
        ("est", "e", Inflection.SUPERLATIVE),
    ),
    "r": (),
}


@dataclass(slots=True)
class _Part:
    """The loaded files of one part of speech."""

    index: dict[str, tuple[int, ...]]
    data: bytes
    exceptions: dict[str, tuple[str, ...]]
    synsets: dict[int, tuple[str, ...]] = field(default_factory=dict)


class WordNet:
    """Lemmas, synsets and base forms from the WordNet database files.

    Each part of speech is loaded on first use (the index parsed, the data file read
    into memory and sliced at the synset offsets).

    Args:
        root: the directory holding ``index.noun``, ``data.noun`` and the rest.
    """

    def __init__(self, root: Path = DEFAULT_ROOT) -> None:
        missing = [
            name
            for pos in POS
            for name in (f"index.{_FILE_NAMES[pos]}", f"data.{_FILE_NAMES[pos]}")
            if not (root / name).is_file()
        ]
        if missing:
            raise WordNetMissingError(
                f"WordNet database not found in {root} (missing {', '.join(missing)}); "
                "install it with `apt-get install wordnet-base`"
            )
        self.root = root
        self._parts: dict[str, _Part] = {}

    @classmethod
    def open(cls, root: Path = DEFAULT_ROOT) -> WordNet:
        """The database in ``root`` (raises :class:`WordNetMissingError` if absent)."""
        return cls(root)

    def _part(self, pos: str) -> _Part:
        part = self._parts.get(pos)
        if part is None:
            name = _FILE_NAMES[pos]
            part = _Part(
                index=_read_index(self.root / f"index.{name}"),
                data=(self.root / f"data.{name}").read_bytes(),
                exceptions=_read_exceptions(self.root / f"{name}.exc"),
            )
            self._parts[pos] = part
        return part

    def __contains__(self, item: tuple[str, str]) -> bool:
        lemma, pos = item
        return lemma in self._part(pos).index

    def synsets(self, lemma: str, pos: str) -> tuple[int, ...]:
        """Byte offsets of the synsets of ``lemma`` (lower case, ``_`` for spaces)."""
        return self._part(pos).index.get(lemma, ())

    def lemmas(self, pos: str, offset: int) -> tuple[str, ...]:
        """The words of the synset at ``offset`` in ``data.<pos>``, as written there
        (case kept, ``_`` for spaces, adjective markers removed)."""
        part = self._part(pos)
        cached = part.synsets.get(offset)
        if cached is None:
            end = part.data.index(b"\n", offset)
            fields = part.data[offset:end].decode("utf-8").split(" ")
            if int(fields[0]) != offset:
                raise ValueError(
                    f"data.{_FILE_NAMES[pos]} has no synset at byte {offset} "
                    f"(found {fields[0]!r}); the index and data files do not belong together"
                )
            count = int(fields[3], 16)
            cached = tuple(_ADJ_MARKER.sub("", fields[4 + 2 * i]) for i in range(count))
            part.synsets[offset] = cached
        return cached

    def synonyms(self, lemma: str, pos: str) -> list[str]:
        """Every lemma sharing a synset with ``lemma``, in any sense, without ``lemma``
        itself; in database order, each once."""
        seen: dict[str, None] = {}
        for offset in self.synsets(lemma, pos):
            for word in self.lemmas(pos, offset):
                if word.lower() != lemma:
                    seen.setdefault(word, None)
        return list(seen)

    def base_forms(self, word: str, pos: str) -> list[tuple[str, Inflection]]:
        """The index lemmas ``word`` (lower case) can be an inflection of, with how it
        was inflected: the exception list first, then the word itself, then the
        detachment rules (morphy's order)."""
        part = self._part(pos)
        found: dict[str, Inflection] = {}
        for base in part.exceptions.get(word, ()):
            if base in part.index:
                found.setdefault(base, _irregular(word, pos))
        if word in part.index:
            found.setdefault(word, Inflection.NONE)
        for suffix, replacement, how in _RULES[pos]:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                base = word[: -len(suffix)] + replacement
                if base in part.index:
                    found.setdefault(base, how)
        return list(found.items())


def _read_index(path: Path) -> dict[str, tuple[int, ...]]:
    index: dict[str, tuple[int, ...]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("  "):
                continue
            fields = line.split()
            count = int(fields[2])
            index[fields[0]] = tuple(int(x) for x in fields[len(fields) - count :])
    return index


def _read_exceptions(path: Path) -> dict[str, tuple[str, ...]]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as lines:
        return {
            fields[0]: tuple(fields[1:])
            for fields in (line.split() for line in lines)
            if len(fields) >= 2
        }


def _irregular(word: str, pos: str) -> Inflection:
    """Guess the inflection of an irregular form from its ending (cheap, usually right)."""
    if pos == "n":
        return Inflection.PLURAL
    if pos == "v":
        if word.endswith("ing"):
            return Inflection.GERUND
        return Inflection.PLURAL if word.endswith("s") else Inflection.PAST
    if pos == "a":
        return Inflection.SUPERLATIVE if word.endswith("st") else Inflection.COMPARATIVE
    return Inflection.NONE


_VOWELS = frozenset("aeiou")


def inflect(word: str, how: Inflection) -> str:
    """Inflect one word by the regular English rules (no doubled consonants, no
    irregular forms: an article spinner is no better).

    >>> [inflect(w, Inflection.PLURAL) for w in ["talk", "match", "ally", "day"]]
    ['talks', 'matches', 'allies', 'days']
    >>> [inflect(w, Inflection.PAST) for w in ["hold", "agree", "carry"]]
    ['holded', 'agreed', 'carried']
    >>> [inflect(w, Inflection.GERUND) for w in ["make", "see", "die", "run"]]
    ['making', 'seeing', 'dying', 'runing']
    """
    consonant_y = len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS
    if how is Inflection.PLURAL:
        if word.endswith(("s", "x", "z", "ch", "sh")):
            return word + "es"
        return word[:-1] + "ies" if consonant_y else word + "s"
    if how is Inflection.PAST:
        if word.endswith("e"):
            return word + "d"
        return word[:-1] + "ied" if consonant_y else word + "ed"
    if how is Inflection.GERUND:
        if word.endswith("ie"):
            return word[:-2] + "ying"
        if word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
            return word[:-1] + "ing"
        return word + "ing"
    if how in (Inflection.COMPARATIVE, Inflection.SUPERLATIVE):
        ending = "er" if how is Inflection.COMPARATIVE else "est"
        if word.endswith("e"):
            return word + ending[1:]
        return word[:-1] + "i" + ending if consonant_y else word + ending
    return word
