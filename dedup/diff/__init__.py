"""What a copy changed: substituted words, dropped, added and moved paragraphs.

A word-level edit script over two whole articles goes wrong as soon as the copy drops or
reorders a paragraph: the aligner pairs the words of unrelated paragraphs and reports
nonsense swaps ("In" for "Home"). So the diff works in two levels:

1. **Paragraphs.** Every paragraph of the original is compared with every paragraph of
   the copy by word-level Levenshtein similarity (rapidfuzz ``cdist`` over paragraphs
   encoded one character per word), and pairs are taken greedily, best first, if they
   reach ``paragraph_similarity`` and share a few words in order; then weaker pairs
   (``gap_similarity``) that sit between the same two matches on both sides, as a
   paragraph the copy cut down does. A spinner sometimes
   merges or splits paragraphs, so an unmatched paragraph next to a match joins it when
   enough of its words align with the other side. Matches whose order differs from the
   original's (off the longest increasing run of copy positions) are *moved*.
2. **Words.** Within each match, Levenshtein opcodes on the word keys give an edit
   script. A run of changes between aligned words is a *substitution* when it is short
   (one word for one, a run of one-for-one swaps, or a phrase of a few words) and
   *rewritten* when it is long; pure insertions and deletions stay what they are.
   A swap of several words for more words ("scariest part" for "shudderiest set
   forth") is cut into swaps of one word for a phrase, where the phrases keep the
   case and inflection of their words, end in particles and span no punctuation.
   Stray one- or two-word "equal" runs inside a rewritten stretch (an "a" the aligner
   happened to pair up) are folded into the rewrite, so they do not split it into
   pseudo-substitutions. A thesaurus offers phrases that contain the word they replace
   ("policy" becomes "insurance policy", "war" becomes "state of war"); the aligner sees
   the word kept and a word or two inserted beside it. In a paragraph with other swaps,
   such an insertion joins the word it leans on into one substitution: the word after
   it (a modifier before its head), unless punctuation or a particle ("make up",
   "peace of mind") ties it to the word before. Very common words ("the", "of", "in")
   are never taken as the word replaced.

Every span carries token indices and character offsets into both texts, for renderers.

>>> r = diff("The army said the talks went well.", "The infantry pronounced a talks went well.")
>>> [(s.original, s.replacement, s.count) for s in r.substitutions]
[('army', 'infantry', 1), ('said', 'pronounced', 1), ('the', 'a', 1)]
>>> round(r.summary.verbatim, 2)
0.57
"""

from dedup.diff.build import diff, diff_pair, diff_tokens
from dedup.diff.model import (
    DiffOptions,
    DiffReport,
    Op,
    ParagraphMatch,
    Span,
    Substitution,
    Summary,
)

__all__ = [
    "DiffOptions",
    "DiffReport",
    "Op",
    "ParagraphMatch",
    "Span",
    "Substitution",
    "Summary",
    "diff",
    "diff_pair",
    "diff_tokens",
]
