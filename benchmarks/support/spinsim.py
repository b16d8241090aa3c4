"""A spun-copy simulator: what an article spinner and a scraper site do to an article.

:meth:`Spinner.spin` makes a spun copy of a real text the way cheap spinning tools do:

* **Synonym swaps from a real thesaurus** (WordNet, :mod:`benchmarks.support.wordnet`), without
  regard to sense: the synonym is any lemma of any synset of the word's base form, in
  the part of speech guessed from one cheap cue (the word before it, or an ``-ly``,
  ``-ed``, ``-ing`` ending), or of any part of speech when the cue finds nothing.
  Inflected words get the synonym inflected by the regular rules ("talks" ->
  "negotiations", "held" -> "keeped"), multiword lemmas are joined with a space or a
  hyphen, the case of the word is kept (``Title``, ``UPPER``) and the punctuation
  around it is untouched. Numbers, words with digits or apostrophes, closed-class
  words (articles, pronouns, prepositions, auxiliaries: :data:`FUNCTION_WORDS`) and
  all-caps words are never swapped; other capitalised words, mostly proper nouns, only
  rarely (see ``capitalised``).
* **Paragraph edits**: 10-20% of the paragraphs dropped, a couple of paragraphs swapped.
* **Page chrome** around the text: a site header and navigation, "Share" and
  "Advertisement" lines between paragraphs, a footer (lines written for this module).

The **substitution rate** is defined over the *candidates*: the words that could be
swapped (they have a WordNet synonym and pass the rules above; a capitalised word is a
candidate only with probability ``capitalised``). Exactly ``round(rate * candidates)``
of them, drawn at random, are swapped. :attr:`SpunText.share` reports the achieved
share of *all* words, which is lower (function words, names and numbers stay).

Everything is deterministic given ``seed`` (:class:`random.Random`), and every edit is
recorded -- each substitution with its offsets in both texts, the dropped and moved
paragraphs, the chrome lines -- so a diff can be scored against the truth.

:func:`paste_half` makes a partial copy: a contiguous half of one article (by words,
in whole paragraphs, or whole sentences for one-paragraph texts) pasted under another.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.support.wordnet import POS, Inflection, WordNet, inflect

__all__ = [
    "FUNCTION_WORDS",
    "PartialCopy",
    "Placed",
    "Spinner",
    "SpunText",
    "Substitution",
    "paragraph_spans",
    "paste_half",
    "sentence_spans",
    "unwrap",
    "word_count",
]

Span = tuple[int, int]

FUNCTION_WORDS = frozenset(
    """
    a an the this that these those some any each every either neither no all both half
    i me my mine we us our ours you your yours he him his she her hers it its they them
    their theirs one ones myself yourself himself herself itself ourselves themselves
    who whom whose which what whatever whoever where when why how whether
    and or but nor so yet if then than because as while though although unless until
    of to in on at by for with from into onto upon about above below over under between
    among through during before after against without within along across around
    behind beyond near off out up down per via since toward towards
    be am is are was were been being have has had having do does did doing done
    will would shall should can could may might must ought
    not also very too just only even there here more most less least such other
    """.split()
)
"""Closed-class words no spinner swaps (WordNet lists a few of them as nouns:
"a" -> "angstrom", "it" -> "information technology")."""

# A word as the spinner sees it: letters and digits with inner apostrophes, hyphens, dots.
_WORD = re.compile(r"\w+(?:['’.\-]\w+)*")
# Only these can be swapped: letters, optionally hyphenated.
_SWAPPABLE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# A sentence ends at terminal punctuation (and closing quotes) followed by white space.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)")

_DETERMINERS = frozenset(
    "a an the this that these those my your his her its our their some any each every no".split()
)
_VERB_CUES = frozenset(
    "to will would shall should can could may might must did does do not never".split()
)


@dataclass(frozen=True, slots=True)
class Substitution:
    """One word swapped for a synonym.

    Attributes:
        original: the word as it stood in the base text.
        replacement: what replaced it, exactly as it stands in the spun text.
        start: offset of the replacement in :attr:`SpunText.text`.
        end: end offset (exclusive) of the replacement there.
        source_start: offset of the original word in the base text.
        source_end: its end offset (exclusive) there.
        pos: WordNet part of speech the synonym came from (``n``, ``v``, ``a``, ``r``).
    """

    original: str
    replacement: str
    start: int
    end: int
    source_start: int
    source_end: int
    pos: str


@dataclass(frozen=True, slots=True)
class Placed:
    """A paragraph of the base text as placed in the spun text.

    Attributes:
        index: the paragraph's number in the base text (0-based).
        start: its offset in the spun text.
        end: its end offset (exclusive) in the spun text.
        source_start: its offset in the base text.
        source_end: its end offset (exclusive) in the base text.
    """

    index: int
    start: int
    end: int
    source_start: int
    source_end: int


@dataclass(frozen=True, slots=True)
class SpunText:
    """A spun copy and everything that was done to make it.

    Attributes:
        text: the spun copy, chrome included.
        substitutions: the swaps, in text order.
        paragraphs: the kept base paragraphs in the order they appear in ``text``.
        dropped: numbers of the base paragraphs left out.
        moved: pairs of base paragraph numbers whose places were exchanged, in order.
        chrome: spans of the page chrome lines in ``text``.
        rate: the substitution rate asked for (share of candidates).
        candidates: words of the kept paragraphs that could have been swapped.
        words: all words of the kept paragraphs.
    """

    text: str
    substitutions: tuple[Substitution, ...]
    paragraphs: tuple[Placed, ...]
    dropped: tuple[int, ...]
    moved: tuple[tuple[int, int], ...]
    chrome: tuple[Span, ...] = field(repr=False)
    rate: float
    candidates: int
    words: int

    @property
    def share(self) -> float:
        """Achieved share of all words (of the kept paragraphs) that were swapped."""
        return len(self.substitutions) / self.words if self.words else 0.0

    @property
    def candidate_share(self) -> float:
        """Achieved share of the candidates that were swapped (``rate``, rounded)."""
        return len(self.substitutions) / self.candidates if self.candidates else 0.0


@dataclass(frozen=True, slots=True)
class PartialCopy:
    """Part of one text pasted under another (:func:`paste_half`).

    Attributes:
        text: the host text, a blank line, then the pasted part.
        host: span of the host text in ``text``.
        pasted: span of the pasted part in ``text``.
        source: span of the pasted part in the base text it was copied from.
    """

    text: str
    host: Span
    pasted: Span
    source: Span


# -- splitting --------------------------------------------------------------------------


def paragraph_spans(text: str) -> list[Span]:
    """Spans of the paragraphs: the non-blank lines, without their edge white space
    (a line break separates paragraphs, as in :mod:`dedup.tokens`).

    >>> t = "Title\\n\\n First para. \\nSecond\\n"
    >>> [t[s:e] for s, e in paragraph_spans(t)]
    ['Title', 'First para.', 'Second']
    """
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            spans.append((start, start + len(stripped)))
        pos += len(line)
    return spans


def unwrap(text: str) -> str:
    """The text with hard line wraps undone: the lines of each block between blank lines
    joined into one paragraph line. A spinner works on a page's paragraphs; moving the
    lines of a text wrapped at 70 characters would cut its sentences apart, which no
    spinner does. Text without blank lines is one paragraph per line already.

    >>> unwrap("A long\\nsentence.\\n\\nNext one\\nhere.")
    'A long sentence.\\n\\nNext one here.'
    >>> unwrap("One paragraph.\\nAnother.")
    'One paragraph.\\nAnother.'
    """
    blocks = re.split(r"\n[ \t]*\n", text)
    if len(blocks) < 2:
        return text
    return "\n\n".join(" ".join(b.split()) for b in blocks if b.strip())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Spans of the sentences of ``text[start:end]``, cut after terminal punctuation.

    >>> t = 'He said "go." Then he left. Done'
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['He said "go."', 'Then he left.', 'Done']
    """
    end = len(text) if end is None else end
    spans = []
    first = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((first, m.end()))
        first = m.end()
        while first < end and text[first].isspace():
            first += 1
    if first < end and text[first:end].strip():
        spans.append((first, len(text[:end].rstrip())))
    return spans


def word_count(text: str) -> int:
    """Number of words as the spinner counts them.

    >>> word_count("The 50-minute call, Moscow's view.")
    5
    """
    return sum(1 for _ in _WORD.finditer(text))


# -- spinning ---------------------------------------------------------------------------

_Option = tuple[str, str, Inflection]  # (lemma, pos, how the original was inflected)


class Spinner:
    """Spins texts with WordNet synonyms (see the module docs).

    Args:
        wordnet: the thesaurus; the one in ``/usr/share/wordnet`` if omitted (raises
            :class:`~benchmarks.support.wordnet.WordNetMissingError` if it is not installed).
        capitalised: probability that a capitalised word (not all caps) is a candidate
            for a swap at all; real spinners mostly leave names alone.
    """

    def __init__(self, wordnet: WordNet | None = None, *, capitalised: float = 0.1) -> None:
        if not 0.0 <= capitalised <= 1.0:
            raise ValueError(f"capitalised must be between 0 and 1, got {capitalised!r}")
        self.wordnet = wordnet or WordNet.open()
        self.capitalised = capitalised
        self._options: dict[str, dict[str, list[_Option]]] = {}

    def options(self, word: str) -> dict[str, list[_Option]]:
        """Synonyms of ``word`` (any case) per part of speech, each with the inflection
        to give it; empty when the word cannot be swapped."""
        lower = word.lower()
        if lower in FUNCTION_WORDS or not _SWAPPABLE.fullmatch(word):
            return {}
        cached = self._options.get(lower)
        if cached is None:
            cached = {}
            for pos in POS:
                found: dict[str, _Option] = {}
                for base, how in self.wordnet.base_forms(lower, pos):
                    for lemma in self.wordnet.synonyms(base, pos):
                        option = (lemma, pos, how)
                        if _render(option, " ").lower() != lower:
                            found.setdefault(f"{lemma}/{how.value}", option)
                if found:
                    cached[pos] = list(found.values())
            self._options[lower] = cached
        return cached

    def spin(
        self,
        text: str,
        *,
        rate: float,
        seed: int | str,
        drop: tuple[float, float] = (0.10, 0.20),
        swap: bool = True,
        chrome: bool = True,
    ) -> SpunText:
        """A spun copy of ``text``.

        Args:
            text: the base text; paragraphs are its non-blank lines.
            rate: share of the candidate words to swap (see the module docs).
            seed: seed of the :class:`random.Random` that makes every choice.
            drop: the share of paragraphs dropped is drawn uniformly from this range
                (rounded; the first kept paragraph is never dropped if it is the only one).
            swap: exchange the places of one paragraph pair (two pairs from 6 paragraphs).
            chrome: wrap the text in page chrome.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        rng = random.Random(seed)
        paras = paragraph_spans(text)
        order, dropped = _drop(rng, len(paras), drop)
        moved = _swap(rng, order) if swap else []

        # Candidates over the kept paragraphs, in output order.
        tokens: list[list[tuple[int, int, str]]] = []  # per output paragraph
        candidates: list[tuple[int, int]] = []  # (output paragraph, token number)
        words = 0
        for out_no, index in enumerate(order):
            start, end = paras[index]
            toks = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]
            tokens.append(toks)
            words += len(toks)
            for tok_no, (_, _, word) in enumerate(toks):
                if self._candidate(rng, word):
                    candidates.append((out_no, tok_no))
        chosen = sorted(rng.sample(candidates, round(rate * len(candidates))))

        swaps: dict[tuple[int, int], tuple[str, str]] = {}
        for out_no, tok_no in chosen:
            toks = tokens[out_no]
            prev = toks[tok_no - 1][2].lower() if tok_no else ""
            swaps[out_no, tok_no] = self._replace(rng, toks[tok_no][2], prev)

        page = _Page(rng if chrome else None)
        subs: list[Substitution] = []
        placed: list[Placed] = []
        for out_no, index in enumerate(order):
            start, end = paras[index]
            page.between(out_no, len(order))
            para_start = page.length
            pos = start
            for tok_no, (w_start, w_end, word) in enumerate(tokens[out_no]):
                swap_to = swaps.get((out_no, tok_no))
                if swap_to is None:
                    continue
                page.add(text[pos:w_start])
                replacement, pos_tag = swap_to
                subs.append(
                    Substitution(
                        word,
                        replacement,
                        page.length,
                        page.length + len(replacement),
                        w_start,
                        w_end,
                        pos_tag,
                    )
                )
                page.add(replacement)
                pos = w_end
            page.add(text[pos:end])
            placed.append(Placed(index, para_start, page.length, start, end))
        page.footer()
        return SpunText(
            text=page.text(),
            substitutions=tuple(subs),
            paragraphs=tuple(placed),
            dropped=tuple(dropped),
            moved=tuple(moved),
            chrome=tuple(page.chrome),
            rate=rate,
            candidates=len(candidates),
            words=words,
        )

    def _candidate(self, rng: random.Random, word: str) -> bool:
        if word[0].isupper() and (word.isupper() or rng.random() >= self.capitalised):
            return False
        return bool(self.options(word))

    def _replace(self, rng: random.Random, word: str, prev: str) -> tuple[str, str]:
        """The replacement of ``word`` and the part of speech it came from."""
        by_pos = self.options(word)
        guessed = [by_pos[p] for p in _guess(word.lower(), prev) if p in by_pos]
        pool = [opt for opts in (guessed or list(by_pos.values())) for opt in opts]
        option = rng.choice(pool)
        replacement = _render(option, rng.choice(("-", " ")))
        if len(word) > 1 and word.isupper():
            replacement = replacement.upper()
        elif word[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        return replacement, option[1]


def _guess(lower: str, prev: str) -> tuple[str, ...]:
    """Parts of speech ``lower`` probably has, from one cheap cue."""
    if prev in _DETERMINERS:
        return ("n", "a")
    if prev in _VERB_CUES:
        return ("v",)
    if lower.endswith("ly"):
        return ("r", "a")
    if lower.endswith(("ed", "ing")):
        return ("v", "a")
    return POS


def _render(option: _Option, sep: str) -> str:
    """A lemma as it is pasted: inflected like the original, words joined by ``sep``."""
    lemma, pos, how = option
    parts = lemma.split("_")
    if how is not Inflection.NONE:
        if pos == "v":
            parts[0] = inflect(parts[0], how)
        elif pos == "a" and len(parts) > 1:
            parts.insert(0, "more" if how is Inflection.COMPARATIVE else "most")
        else:
            parts[-1] = inflect(parts[-1], how)
    return sep.join(parts)


def _drop(
    rng: random.Random, count: int, share: tuple[float, float]
) -> tuple[list[int], list[int]]:
    """(kept paragraph numbers in order, dropped paragraph numbers)."""
    n_drop = min(round(count * rng.uniform(*share)), max(count - 1, 0))
    dropped = sorted(rng.sample(range(count), n_drop))
    gone = set(dropped)
    return [i for i in range(count) if i not in gone], dropped


def _swap(rng: random.Random, order: list[int]) -> list[tuple[int, int]]:
    """Exchange the places of one or two paragraph pairs in ``order`` (in place)."""
    if len(order) < 2:
        return []
    moved = []
    for _ in range(1 if len(order) < 6 else 2):
        i, j = sorted(rng.sample(range(len(order)), 2))
        order[i], order[j] = order[j], order[i]
        moved.append((order[j], order[i]))
    return moved


# -- page chrome ------------------------------------------------------------------------

_SITES = (
    "The Daily Ledger",
    "Worldwire Today",
    "Metro Morning Post",
    "Global Pulse News",
    "The Evening Courier",
)
_NAVIGATION = (
    "Home | World | Politics | Business | Tech | Opinion | Sport",
    "News  Sport  Business  Culture  Travel  Video  Podcasts",
    "Menu  Search  Sign in  Subscribe",
    "Home / News / World",
    "Latest | Most read | Editor's picks",
)
_INLINE = ("Advertisement", "Share", "Share this article", "Story continues below")
_FOOTER = (
    "Share this:",
    "Facebook  Twitter  Email  Print",
    "Related stories",
    "Sign up for our morning briefing and get the stories that matter delivered to your inbox.",
    "Terms of Use | Privacy Policy | Cookie Settings | Contact Us",
    "© {year} {site}. All rights reserved.",
    "Back to top",
)


class _Page:
    """Assembles the spun text and records where the chrome lines went."""

    def __init__(self, rng: random.Random | None) -> None:
        self._rng = rng
        self._parts: list[str] = []
        self.length = 0
        self.chrome: list[Span] = []
        self._site = ""
        self._inline: set[int] = set()
        if rng is not None:
            self._site = rng.choice(_SITES)
            self._line(self._site, chrome=True)
            for line in rng.sample(_NAVIGATION, rng.randint(1, 2)):
                self._line(line, chrome=True)

    def add(self, piece: str) -> None:
        self._parts.append(piece)
        self.length += len(piece)

    def _line(self, line: str, *, chrome: bool) -> None:
        if self.length:
            self.add("\n\n")
        if chrome:
            self.chrome.append((self.length, self.length + len(line)))
        self.add(line)

    def between(self, out_no: int, count: int) -> None:
        """Start paragraph ``out_no`` of ``count``, with chrome before it if chosen."""
        if self._rng is not None and out_no == 0 and count >= 3:
            self._inline = set(self._rng.sample(range(1, count), min(2, count - 1)))
        if out_no in self._inline and self._rng is not None:
            self._line(self._rng.choice(_INLINE), chrome=True)
        if self.length:
            self.add("\n\n")

    def footer(self) -> None:
        if self._rng is None:
            return
        year = self._rng.randint(2009, 2024)
        lines = sorted(self._rng.sample(range(len(_FOOTER)), self._rng.randint(2, 4)))
        for i in lines:
            self._line(_FOOTER[i].format(year=year, site=self._site), chrome=True)

    def text(self) -> str:
        return "".join(self._parts)


# -- partial copies ---------------------------------------------------------------------


def paste_half(base: str, host: str, *, seed: int | str) -> PartialCopy:
    """Paste a contiguous half of ``base`` under ``host``.

    The half is a run of whole paragraphs holding at least half of the words of
    ``base`` (and at most 70% of them), drawn at random among all such runs; a text
    with no such run (one paragraph, or one long one) is cut into sentences instead.

    >>> base = "One two three four.\\nFive six seven eight.\\nNine ten.\\nEleven twelve."
    >>> copy = paste_half(base, "Host article text.", seed=1)
    >>> copy.text[copy.pasted[0]:copy.pasted[1]] == base[copy.source[0]:copy.source[1]]
    True
    >>> copy.text[copy.host[0]:copy.host[1]]
    'Host article text.'
    """
    rng = random.Random(seed)
    units = paragraph_spans(base)
    runs = _half_runs(base, units)
    if not runs:
        units = [s for p in units for s in sentence_spans(base, *p)]
        runs = _half_runs(base, units)
    if not runs:
        raise ValueError(
            "cannot cut a contiguous half from a text of one sentence; "
            "give a base text with at least two sentences"
        )
    first, stop = rng.choice(runs)
    source = (units[first][0], units[stop - 1][1])
    host_text = host.strip()
    text = f"{host_text}\n\n{base[source[0] : source[1]]}"
    pasted_start = len(host_text) + 2
    return PartialCopy(
        text=text,
        host=(0, len(host_text)),
        pasted=(pasted_start, pasted_start + source[1] - source[0]),
        source=source,
    )


def _half_runs(text: str, units: Sequence[Span]) -> list[tuple[int, int]]:
    """Runs ``(first, stop)`` of units holding 50-70% of the words of all ``units``."""
    counts = [word_count(text[s:e]) for s, e in units]
    total = sum(counts)
    runs = []
    for first in range(len(units)):
        words = 0
        for stop in range(first + 1, len(units) + 1):
            words += counts[stop - 1]
            if 2 * words >= total:
                if words <= 0.7 * total and stop - first < len(units):
                    runs.append((first, stop))
                break
    return runs
