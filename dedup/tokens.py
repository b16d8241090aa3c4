"""Words with their places in the original text, grouped into sentences and paragraphs.

Tokens are found in the text exactly as given (not in a normalised copy), so every
token, sentence and paragraph carries character offsets that point into the caller's
own string; the diff and the HTML report rely on that. Each token also has a *key*
(:func:`dedup.normalize.fold`), which is what the later stages compare.

>>> toks = tokenize("The U.S. military said: more. Then 50-minute talks.")
>>> toks.keys
['the', 'us', 'military', 'said', 'more', 'then', '50-minute', 'talks']
>>> [toks.text[s:e] for s, e in zip(toks.starts[:2], toks.ends[:2])]
['The', 'U.S']
>>> toks.sentences
[(0, 5), (5, 8)]
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import pairwise

from dedup.normalize import INVISIBLE, fold

__all__ = ["CJK_CHARACTER", "Tokens", "tokenize", "unwrapped"]

# A word: letters/digits, with inner apostrophes, dots, hyphens and dashes ("U.S",
# "Moscow’s", "50-minute", "some-more"), running through invisible format characters
# (a zero-width space or a soft hyphen after every letter is still one word).
# Chinese and Japanese are written without spaces: each ideograph or kana is a word of
# its own (a character n-gram is what their near-duplicate search compares), so a
# sentence is not one giant word.
_CJK = "\u3005\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
CJK_CHARACTER = re.compile(f"[{_CJK}]")
"""A character that is a word of its own (see above)."""
_INV = re.escape(INVISIBLE)
_LETTER = rf"(?![{_CJK}])\w"  # a word character that is not CJK
_IN_WORD = rf"(?:{_LETTER}|[{_INV}])"
_WORD = re.compile(
    rf"[{_CJK}][{_INV}]*|{_LETTER}{_IN_WORD}*(?:['’.\-‐‑–][{_INV}]*{_LETTER}{_IN_WORD}*)*"
)
# Text between two words that ends a sentence when the next word starts with a capital
# or a digit: terminal punctuation, optional closing quotes/brackets, then space.
_SENTENCE_GAP = re.compile(rf"[.!?…][\"'”’)\]{_INV}]*\s")
# Abbreviations after which a full stop does not end a sentence.
# (Keys have no dots: "U.S." is "us", "e.g." is "eg".)
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc co corp ltd vs "
    "no jan feb mar apr jun jul aug sep sept oct nov dec us uk eg ie etc".split()
)
# Sentences longer than this are cut into windows, so texts without punctuation still
# align piecewise.
MAX_SENTENCE_TOKENS = 60


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of one text as parallel lists (cheap to build, cheap to slice).

    Attributes:
        text: the text the offsets point into.
        keys: the comparison key of each word (:func:`dedup.normalize.fold`).
        starts: start offset of each word in ``text``.
        ends: end offset (exclusive) of each word in ``text``.
        capital: whether each word starts with an upper-case letter or a digit.
        initial: whether each word starts a sentence (after terminal punctuation or a
            line break; the windows long sentences are cut into do not count).
        sentences: ``(first, stop)`` token index ranges, in order, covering every token;
            sentences longer than ``MAX_SENTENCE_TOKENS`` are cut into windows. A line
            break ends a sentence unless it only wraps one (see :func:`_soft_wraps`).
        paragraphs: ``(first, stop)`` token index ranges split at line breaks.
    """

    text: str
    keys: list[str] = field(repr=False)
    starts: list[int] = field(repr=False)
    ends: list[int] = field(repr=False)
    capital: list[bool] = field(repr=False)
    initial: list[bool] = field(repr=False)
    sentences: list[tuple[int, int]] = field(repr=False)
    paragraphs: list[tuple[int, int]] = field(repr=False)

    def __len__(self) -> int:
        return len(self.keys)

    def span(self, first: int, stop: int) -> tuple[int, int]:
        """Character offsets ``(start, end)`` of the token range ``first:stop``."""
        if stop <= first:
            pos = self.starts[first] if first < len(self.starts) else len(self.text)
            return pos, pos
        return self.starts[first], self.ends[stop - 1]


def tokenize(text: str) -> Tokens:
    """Split ``text`` into words, sentences and paragraphs (see :class:`Tokens`)."""
    matches = list(_WORD.finditer(text))
    words = [m.group() for m in matches]
    starts = [m.start() for m in matches]
    ends = [m.end() for m in matches]
    keys = list(map(_fold, words))
    capital = [word[0].isupper() or word[0].isdigit() for word in words]
    initial, sentences, paragraphs = _segments(text, keys, starts, ends, capital)
    return Tokens(text, keys, starts, ends, capital, initial, sentences, paragraphs)


# Articles repeat the same few hundred words: fold each once.
_fold = lru_cache(maxsize=1 << 16)(fold)


def _segments(
    text: str, keys: list[str], starts: list[int], ends: list[int], capital: list[bool]
) -> tuple[list[bool], list[tuple[int, int]], list[tuple[int, int]]]:
    """Sentence starts, sentences and paragraphs.

    A paragraph starts at a word with a line break before it; a sentence starts there
    too, and at a capitalised word after terminal punctuation (not after an
    abbreviation or an initial). Only those two kinds of word are looked at.
    """
    n = len(keys)
    if n == 0:
        return [], [], []
    para_breaks = sorted(
        {i for i in map(partial(bisect_right, starts), _newlines(text)) if 0 < i < n}
    )
    breaks = set(para_breaks)
    for i in range(1, n):
        if (
            capital[i]
            and i not in breaks
            and _SENTENCE_GAP.search(text[ends[i - 1] : starts[i]] + " ") is not None
            and keys[i - 1] not in ABBREVIATIONS
            and not (len(keys[i - 1]) == 1 and capital[i - 1])  # an initial: "B. Carter"
        ):
            breaks.add(i)
    initial = [False] * n
    for i in (0, *breaks):
        initial[i] = True
    sentences: list[tuple[int, int]] = []
    start = 0
    for stop in [*sorted(breaks - _soft_wraps(text, keys, starts, ends, para_breaks)), n]:
        while stop - start > MAX_SENTENCE_TOKENS:  # windows of an over-long sentence
            sentences.append((start, start + MAX_SENTENCE_TOKENS))
            start += MAX_SENTENCE_TOKENS
        sentences.append((start, stop))
        start = stop
    paragraphs = list(pairwise([0, *para_breaks, n]))
    return initial, sentences, paragraphs


# Punctuation that ends a line on purpose: the next line is a new sentence.
_LINE_END = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$")


def unwrapped(tokens: Tokens) -> Tokens:
    """``tokens`` with paragraphs as a reader sees them: the lines of a hard-wrapped
    text (an e-mail, newswire, a plain-text essay) joined where a line break only wraps
    a sentence (:func:`_soft_wraps`), so a copy that wraps its lines elsewhere, or not at
    all, has paragraphs of the same text. What the diff aligns.

    >>> wrapped = tokenize("One two\\nthree four.\\n\\nFive.")
    >>> [stop - first for first, stop in wrapped.paragraphs]
    [2, 2, 1]
    >>> [stop - first for first, stop in unwrapped(wrapped).paragraphs]
    [4, 1]
    """
    breaks = [first for first, _ in tokens.paragraphs[1:]]
    soft = _soft_wraps(tokens.text, tokens.keys, tokens.starts, tokens.ends, breaks)
    if not soft:
        return tokens
    kept = [b for b in breaks if b not in soft]
    return dataclasses.replace(tokens, paragraphs=list(pairwise([0, *kept, len(tokens)])))


def _soft_wraps(
    text: str, keys: list[str], starts: list[int], ends: list[int], para_breaks: list[int]
) -> set[int]:
    """The line breaks that only wrap a sentence (hard-wrapped text such as newswire):
    one line break, not after terminal punctuation, and not before a line indented
    deeper than a wrapped line before it (newswire indents the first line of a
    paragraph, and a paragraph may end without a full stop; its table rows, under a
    line of their own, still run on). The sentence goes on across
    them, so a copy that wraps its lines elsewhere still aligns sentence by sentence.
    (Paragraphs, and the ``initial`` flags the views use, still break at every line.)

    >>> wire = "Prices rose\\nsharply 5 pct\\n    Dealers said\\nit was firm."
    >>> t = tokenize(wire + "\\n\\nDiv 5 cts\\n    Pay May 1")
    >>> [" ".join(t.keys[a:b]) for a, b in t.sentences]
    ['prices rose sharply 5 pct', 'dealers said it was firm', 'div 5 cts pay may 1']
    """
    soft = set()
    wrapped = False  # whether the line before continues a sentence from the one above
    for i in para_breaks:
        gap = text[ends[i - 1] : starts[i]]
        first = keys[i][0]  # folded: any cased letter is lower case here
        if gap.count("\n") != 1 or not (first.islower() or first.isdigit()):
            wrapped = False
            continue
        before, after = gap.split("\n", 1)
        line = text[text.rfind("\n", 0, ends[i - 1]) + 1 :]
        if wrapped and _indent(after) > _indent(line):
            wrapped = False  # an indented line after a wrapped one: a new paragraph
            continue
        abbreviation = keys[i - 1] in ABBREVIATIONS or len(keys[i - 1]) == 1
        wrapped = abbreviation or _LINE_END.search(before) is None
        if wrapped:
            soft.add(i)
    return soft


def _indent(line: str) -> int:
    """How many spaces (a tab as four) begin ``line``."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4
        else:
            break
    return width


def _newlines(text: str) -> list[int]:
    """Offsets of the line breaks in ``text``."""
    found = []
    pos = text.find("\n")
    while pos >= 0:
        found.append(pos)
        pos = text.find("\n", pos + 1)
    return found
