"""Turn raw bytes and text into the canonical form every later stage compares.

Two jobs live here:

* :func:`decode` turns bytes into text: UTF-8 (with or without a byte-order mark), each
  invalid sequence read as cp1252 where it stands (the Windows-encoded files still common
  on the web decode whole; a stray byte costs one character), and a clear error for
  binary data.
* :func:`fold` defines when two words count as "the same": Unicode compatibility forms,
  typographic quotes and dashes, invisible characters, case, the dots of abbreviations
  and possessive endings are all made uniform, so a copy that differs only in those is
  exact (the exact-copy digest is taken over folded words).

Folding is idempotent: ``fold(fold(w)) == fold(w)``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from dedup.errors import BinaryInputError

__all__ = ["CONFUSABLES", "INVISIBLE", "decode", "fold"]

# Control characters other than the whitespace ones (tab, newlines, form feed).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")

# Typographic variants that spinners and CMSs swap freely; mapped to their ASCII form.
_TRANSLATE = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)


# Invisible characters: every format character (Unicode category Cf: zero-width spaces
# and joiners, the soft hyphen, direction marks, the byte-order mark, the tag
# characters), and the combining grapheme joiner and the variation selectors (marks that
# change nothing a reader sees). A scraper can
# put one after every letter and a reader sees the same text, so words run through
# them and keys drop them (:mod:`dedup.tokens`).
_PLANES_WITH_FORMAT_CHARACTERS = (range(0x20000), range(0xE0000, 0xE1000))
_INVISIBLE_MARKS = [
    0x034F,  # combining grapheme joiner
    *range(0x180B, 0x1810),  # Mongolian variation selectors (and the vowel separator)
    *range(0xFE00, 0xFE10),  # variation selectors
    *range(0xE0100, 0xE01F0),  # variation selectors supplement
]
INVISIBLE = "".join(
    sorted(
        {
            chr(cp)
            for plane in _PLANES_WITH_FORMAT_CHARACTERS
            for cp in plane
            if unicodedata.category(chr(cp)) == "Cf"
        }
        | set(map(chr, _INVISIBLE_MARKS))
    )
)
_TRANSLATE.update(dict.fromkeys(map(ord, INVISIBLE)))

# Letters of other scripts that look like a Latin letter or digit, mapped to it after
# case folding, so a copy with Cyrillic "а" for Latin "a" keeps its keys. From Unicode's
# confusables data (Cyrillic and Greek letters whose prototype is one ASCII letter).
# Keys are case-folded first, so an upper-case look-alike ("Т", "М", "Н", "В", "К",
# Greek "Β", "Η") is mapped through its lower-case form ("т" -> "t"): "Мама" and
# "мама" keep one key, and a copy in Cyrillic capitals keeps the Latin one's. Where
# the two cases look like different Latin letters (Greek "Ν"/"ν", "Υ"/"υ"), the lower
# case, the common one in running text, decides; Greek "Μ" is left alone, as its lower
# case is also the micro sign ("µm" is not "mm"). Only the key changes; the text and
# its offsets do not.
CONFUSABLES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y",
    "в": "b", "к": "k", "м": "m", "н": "h", "т": "t",
    "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h",
}  # fmt: skip
_CONFUSE = str.maketrans(CONFUSABLES)


def decode(data: bytes, *, source: str | None = None) -> str:
    """Decode bytes that should hold text.

    UTF-8 (a byte-order mark is dropped), each invalid sequence read as cp1252 where it
    stands (so a Windows-encoded file decodes as cp1252, and a stray byte in a UTF-8 file
    changes one character); binary data (NUL bytes or mostly control characters) is
    refused.

    Args:
        data: the raw bytes.
        source: a name for the data used in error messages (a path or record id).

    Raises:
        BinaryInputError: the bytes do not look like text.

    >>> decode("naïve".encode("utf-8-sig"))
    'naïve'
    >>> decode("“quoted”".encode("cp1252"))
    '“quoted”'
    >>> decode("Привет, мир".encode() + bytes([0xFF]))  # one stray byte: one character
    'Привет, мирÿ'
    """
    head = data[:8192]
    utf16 = _looks_like_utf16(head)
    if not utf16 and b"\x00" in data:  # anywhere, not only at the start: text holds none
        raise BinaryInputError("binary data (NUL bytes), not text", source=source)
    if utf16:
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise BinaryInputError(
                f"starts like UTF-16 text but is not ({exc.reason} at byte {exc.start})",
                source=source,
            ) from None
    text = _text(data)
    sample = text[:4096]
    if sample:
        controls = len(_CONTROL.findall(sample))
        if controls / len(sample) > 0.05:
            raise BinaryInputError(
                f"binary data ({controls} control characters in the first {len(sample)}), not text",
                source=source,
            )
    return text


def _text(data: bytes) -> str:
    """UTF-8 if the bytes are; a file that is mostly UTF-8 with each invalid sequence
    read as cp1252 where it stands (one stray byte costs one character, not the whole
    file); a file that is mostly not, as cp1252 (a Windows file: there, a byte pair that
    happens to be valid UTF-8, "ß“", is still cp1252)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = data.decode("utf-8-sig", errors=_FALLBACK)
    valid = len(_MULTIBYTE.findall(data))  # well-formed multi-byte UTF-8 sequences
    invalid = len(data.decode("utf-8-sig", errors="replace")) - len(
        data.decode("utf-8-sig", errors="ignore")
    )
    if valid > invalid:
        return mixed
    return "".join(_CP1252[byte] for byte in data.removeprefix(b"\xef\xbb\xbf"))


_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _cp1252_here(exc: UnicodeError) -> tuple[str, int]:
    """The bytes of an invalid UTF-8 sequence read as cp1252 (latin-1 for the five
    bytes cp1252 leaves undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_CP1252[byte] for byte in bad), exc.end


_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]
_FALLBACK = "dedup-cp1252"
codecs.register_error(_FALLBACK, _cp1252_here)


def _looks_like_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def fold(word: str) -> str:
    """The comparison key of one word: normalised, lower-cased, without the dots of
    abbreviations or a possessive ending, so "U.S." and "US", "Moscow’s" and "Moscow"
    compare equal.

    >>> [fold(w) for w in ["U.S.", "Moscow’s", "Ａｓｈｔｏｎ", "some-more"]]
    ['us', 'moscow', 'ashton', 'some-more']
    >>> fold("w\u200bo\u00adr\u200bd"), fold("Сору")  # invisible marks, Cyrillic look-alikes
    ('word', 'copy')
    """
    key = unicodedata.normalize("NFKC", word).translate(_TRANSLATE).casefold().translate(_CONFUSE)
    if key.endswith("'s"):
        key = key[:-2]
    return key.replace(".", "").replace("'", "")
