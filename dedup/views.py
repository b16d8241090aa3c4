"""Views: the shingle sets a document is fingerprinted and compared on.

One view alone cannot catch every kind of copy, so a document is looked at in several
ways, each robust to a different edit:

``words``
    Word 5-grams of the folded words. The classic near-duplicate view: verbatim copies,
    reprints and partial copies share long runs of words. An article spinner, which
    swaps about every third word, destroys almost all of them.
``skeleton``
    Word 3-grams over only the capitalised words and numbers, in order ("Ashton B.
    Carter", "50-minute", "Islamic State"). Spinners swap common words from a thesaurus
    and leave names and figures alone, so the skeleton of a spun copy matches its
    original, while two articles written independently about the same story mention the
    same names in a different order and share few skeleton 3-grams. On the seed pair the
    skeleton Jaccard is 0.40 against 0.07 for word 5-grams.
``function``
    Word 5-grams over only the function words ("of", "to", "in", "with"...), with the
    articles folded into one ("the", "a", "an" are all "a", since spinners swap them).
    Thesauri have no synonyms for function words, so their sequence survives a spinner
    even in text without names (where the skeleton is empty), while it is specific
    enough that independent texts share almost none: on the seeds 0.29 for the spun
    pair, at most 0.002 for any other pair. (Stopword n-grams are a known
    paraphrase-robust signal in plagiarism detection: Stamatatos, 2011.)

A :class:`View` is a selection of words and a shingle length, kept in :data:`VIEWS` by
name; ``view.shingles(tokens)`` is the set of shingles verification compares exactly,
and :mod:`dedup.fingerprint` hashes the same selection for MinHash.

>>> from dedup.tokens import tokenize
>>> sorted(skeleton(tokenize("Defense Secretary Ashton B. Carter called Sergei Shoigu.")))
['ashton b carter', 'b carter sergei', 'carter sergei shoigu', 'secretary ashton b']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from dedup.options import VIEW_NAMES
from dedup.tokens import Tokens

__all__ = [
    "ARTICLES",
    "FUNCTION_WORDS",
    "NUMBER_WORDS",
    "VIEWS",
    "View",
    "facts",
    "function_keys",
    "numbers",
    "shingles",
    "skeleton",
    "skeleton_keys",
    "words",
]

WORDS_K = 5
SKELETON_K = 3
FUNCTION_K = 5

# English function words: articles, prepositions, conjunctions, pronouns, auxiliaries and
# a few adverbs of degree. Written for this project; folded keys (no apostrophes).
FUNCTION_WORDS = frozenset(
    """a an the and or but nor if then than so as because while though although
    of to in on at by for with from into onto over under about above below between
    among through during before after since until upon within without against
    toward towards across behind beyond around near off out up down
    it its this that these those there here which who whom whose what when where why how
    he him his she her hers they them their theirs we us our ours you your yours
    i me my mine itself himself herself themselves ourselves yourself
    is are was were be been being am do does did done have has had having
    can could would should will shall may might must not no
    all any both each either neither every few many much most more some such
    only also very too just even still yet already again ever never""".split()
)
# English cardinal number words: a template fills them in as it does figures.
NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
    seventy eighty ninety hundred thousand million billion trillion""".split()
)
# Spinners swap articles for one another ("the" -> "a"): one key for all three.
ARTICLES = {"the": "a", "an": "a"}


def shingles(seq: Sequence[str], k: int) -> set[str]:
    """The set of ``k``-word shingles of ``seq``; a shorter non-empty sequence gives
    itself as one shingle, so short texts still have a fingerprint.

    >>> sorted(shingles(["a", "b", "c"], 2))
    ['a b', 'b c']
    >>> shingles(["a"], 3)
    {'a'}
    """
    if len(seq) < k:
        return {" ".join(seq)} if seq else set()
    return {" ".join(seq[i : i + k]) for i in range(len(seq) - k + 1)}


def words(tokens: Tokens) -> set[str]:
    """Word 5-grams of the folded words."""
    return shingles(tokens.keys, WORDS_K)


def facts(tokens: Tokens) -> list[bool]:
    """Whether each word is a name or a number: a word with a digit, or a capitalised
    word that does not start a sentence (or does, but appears capitalised mid-sentence
    too), except the words of an all-capitals line (a headline), where case says
    nothing.

    Spinners leave these alone and templates change them, so verification counts them
    apart (:func:`dedup.verify.align`).

    >>> from dedup.tokens import tokenize
    >>> facts(tokenize("50 shares of Acme rose 5 pct."))
    [True, False, False, True, False, True, False]
    >>> facts(tokenize("ACME SHARES RISE 5 PCT"))
    [False, False, False, True, False]
    """
    digits = numbers(tokens)
    out = [name or digit for name, digit in zip(_names(tokens), digits, strict=True)]
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    for first, stop in tokens.paragraphs:
        shouted = [text[starts[i] : ends[i]].isupper() for i in range(first, stop)]
        if 2 * sum(shouted) > stop - first:
            out[first:stop] = digits[first:stop]
    return out


def numbers(tokens: Tokens) -> list[bool]:
    """Whether each word is a number: has a digit (a figure, a date, a price) or is a
    number word ("seven ships", "two million").

    >>> from dedup.tokens import tokenize
    >>> numbers(tokenize("Seven ships, 12 barges and one tug"))
    [True, False, True, False, False, True, False]
    """
    return [_is_number(key) for key in tokens.keys]


@lru_cache(maxsize=1 << 16)
def _is_number(key: str) -> bool:
    return key in NUMBER_WORDS or any(ch.isdigit() for ch in key)


def skeleton_keys(tokens: Tokens) -> list[str]:
    """The folded capitalised words and numbers, in order, without the first word of
    each sentence (capitalised only because it starts the sentence) unless the same
    word appears capitalised mid-sentence too (the names of :func:`facts`, and the
    numbers that do not start a sentence)."""
    return [key for key, cap in zip(tokens.keys, _names(tokens), strict=True) if cap]


def _names(tokens: Tokens) -> list[bool]:
    keys, capital, initial = tokens.keys, tokens.capital, tokens.initial
    proper = {key for key, cap, ini in zip(keys, capital, initial, strict=True) if cap and not ini}
    return [
        cap and (not ini or key in proper)
        for key, cap, ini in zip(keys, capital, initial, strict=True)
    ]


def function_keys(tokens: Tokens) -> list[str]:
    """The function words of a document, in order, articles folded into "a".

    >>> from dedup.tokens import tokenize
    >>> function_keys(tokenize("The talks took place as the first jets appeared at an airfield."))
    ['a', 'as', 'a', 'at', 'a']
    """
    return [ARTICLES.get(key, key) for key in tokens.keys if key in FUNCTION_WORDS]


def skeleton(tokens: Tokens) -> set[str]:
    """Word 3-grams over the capitalised words and numbers (see :func:`skeleton_keys`)."""
    return shingles(skeleton_keys(tokens), SKELETON_K)


@dataclass(frozen=True, slots=True)
class View:
    """A way of looking at a document: which words, shingled how long.

    Attributes:
        name: the view's name.
        k: words per shingle.
        select: the words of a document this view looks at, in order.
    """

    name: str
    k: int
    select: Callable[[Tokens], list[str]]

    def shingles(self, tokens: Tokens) -> set[str]:
        """The view's shingle set of a document."""
        return shingles(self.select(tokens), self.k)


def _all_keys(tokens: Tokens) -> list[str]:
    return tokens.keys


VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        View("words", WORDS_K, _all_keys),
        View("skeleton", SKELETON_K, skeleton_keys),
        View("function", FUNCTION_K, function_keys),
    )
}
assert tuple(VIEWS) == VIEW_NAMES, "a view is defined here for each name of dedup.options"
