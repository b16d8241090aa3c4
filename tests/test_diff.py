"""Tests of dedup.diff: paragraph map, word alignment, substitution table, summary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.diff import DiffOptions, DiffReport, Op, diff
from dedup.errors import OptionsError
from dedup.tokens import tokenize, unwrapped

_WORD = re.compile(r"\w+(?:['’.\-‐‑–]\w+)*")


@pytest.fixture
def seed_report(original: Path, spun: Path) -> DiffReport:
    return diff(original.read_text(encoding="utf-8"), spun.read_text(encoding="utf-8"))


def _table(report: DiffReport) -> dict[tuple[str, str], int]:
    return {(s.original, s.replacement): s.count for s in report.substitutions}


def _check_alignment(report: DiffReport) -> None:
    """The invariants every report keeps (see the property tests)."""
    # the paragraphs as given, or as a reader sees them (hard-wrapped lines joined,
    # dedup.tokens.unwrapped), whichever the diff aligned
    a, b = tokenize(report.original), tokenize(report.copy)
    if (len(a.paragraphs), len(b.paragraphs)) != (
        len(report.original_paragraphs),
        len(report.copy_paragraphs),
    ):
        a, b = unwrapped(a), unwrapped(b)
    seen_a: list[int] = []
    seen_b: list[int] = []
    for match in report.matches:
        first_a, stop_a = a.paragraphs[match.original[0]][0], a.paragraphs[match.original[-1]][1]
        first_b, stop_b = b.paragraphs[match.copy[0]][0], b.paragraphs[match.copy[-1]][1]
        assert list(match.original) == list(range(match.original[0], match.original[-1] + 1))
        assert list(match.copy) == list(range(match.copy[0], match.copy[-1] + 1))
        rebuilt: list[str] = []
        pos_a, pos_b = first_a, first_b
        for span in match.spans:
            (i1, i2), (j1, j2) = span.original_words, span.copy_words
            assert (i1, j1) == (pos_a, pos_b), "spans must tile both sides in order"
            pos_a, pos_b = i2, j2
            if span.op is Op.EQUAL:
                assert a.keys[i1:i2] == b.keys[j1:j2]
                rebuilt.extend(a.keys[i1:i2])  # kept from the original
            else:
                assert a.keys[i1:i2] != b.keys[j1:j2]
                rebuilt.extend(b.keys[j1:j2])  # the edit: what the copy has instead
            assert (i2 == i1) == (span.op is Op.INSERTION)
            assert (j2 == j1) == (span.op is Op.DELETION)
            start, end = span.original_chars
            if i2 > i1:
                assert (start, end) == (a.starts[i1], a.ends[i2 - 1])
            else:
                assert start == end
            start, end = span.copy_chars
            if j2 > j1:
                assert (start, end) == (b.starts[j1], b.ends[j2 - 1])
            else:
                assert start == end
        assert (pos_a, pos_b) == (stop_a, stop_b), "spans must cover both sides"
        assert rebuilt == b.keys[first_b:stop_b], "the edit script must give the copy"
        seen_a.extend(match.original)
        seen_b.extend(match.copy)
    assert sorted(seen_a + list(report.dropped)) == list(range(len(a.paragraphs)))
    assert sorted(seen_b + list(report.added)) == list(range(len(b.paragraphs)))
    s = report.summary
    if s.copy_words:
        assert s.verbatim + s.substituted + s.rewritten + s.inserted == pytest.approx(1.0)
    assert 0.0 <= s.spin <= 1.0
    assert 0.0 <= s.deleted <= 1.0


# --- the seed pair ------------------------------------------------------------------


def test_seed_top_substitutions(seed_report: DiffReport) -> None:
    table = _table(seed_report)
    top = seed_report.substitutions[0]
    assert (top.original, top.replacement) == ("the", "a")
    assert top.count >= 50
    for pair in [("said", "pronounced"), ("military", "infantry"), ("more", "some-more")]:
        assert pair in table
    assert table["said", "pronounced"] >= 5
    assert table["military", "infantry"] >= 5


def test_seed_table_is_sorted(seed_report: DiffReport) -> None:
    keys = [(-s.count, s.original, s.replacement) for s in seed_report.substitutions]
    assert keys == sorted(keys)


def test_seed_has_no_pseudo_substitutions(seed_report: DiffReport) -> None:
    for sub in seed_report.substitutions:
        for side in (sub.original, sub.replacement):
            assert side == side.lower()
            assert all(_WORD.fullmatch(word) for word in side.split(" ")), sub
        assert sub.original != sub.replacement
    table = _table(seed_report)
    # What a word-level alignment across dropped and reordered paragraphs invents.
    for original in ["in", "secretary", "defense", "the", "kerry"]:
        for replacement in ["home", "world", "/", "u", "secretary", "scroll", "article"]:
            assert (original, replacement) not in table


def test_seed_swaps_keep_capitalisation(seed_report: DiffReport) -> None:
    # A spinner keeps "The" -> "A"; pairing words of unrelated paragraphs does not.
    text_a, text_b = seed_report.original, seed_report.copy
    for match in seed_report.matches:
        for span in match.spans:
            (i1, i2), (j1, j2) = span.original_words, span.copy_words
            if span.op is Op.SUBSTITUTION and i2 - i1 == 1 == j2 - j1:
                old = text_a[span.original_chars[0] : span.original_chars[1]]
                new = text_b[span.copy_chars[0] : span.copy_chars[1]]
                assert old[0].isupper() == new[0].isupper(), (old, new)


def test_seed_paragraph_map(seed_report: DiffReport) -> None:
    pairs = {(m.original[0], m.copy[0]) for m in seed_report.matches}
    assert (0, 1) in pairs  # the headline, under the copy's breadcrumb line
    assert 0 in seed_report.added  # "Home / World / ..."
    assert 1 in seed_report.dropped  # the photo caption
    assert seed_report.moved == (12, 14, 37)
    merged = [m for m in seed_report.matches if len(m.original) > 1]
    assert [(m.original, m.copy) for m in merged] == [((18, 19), (19,))]
    _check_alignment(seed_report)


def test_seed_summary(seed_report: DiffReport) -> None:
    s = seed_report.summary
    assert 0.45 < s.verbatim < 0.65
    assert 0.15 < s.substituted < 0.3
    assert s.dropped > 20  # the page chrome of the original
    assert s.spin > 0.7
    assert seed_report.direction.original == "a"
    assert not seed_report.swapped


def test_unrelated_articles_share_nothing(seeds: Path, original: Path, spun: Path) -> None:
    paths = sorted(seeds.glob("*.txt"))
    for k, a in enumerate(paths):
        for b in paths[k + 1 :]:
            if {a, b} == {original, spun}:
                continue
            report = diff(a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8"))
            assert report.substitutions == (), (a.name, b.name)
            assert report.summary.spin == 0.0


# --- small cases --------------------------------------------------------------------


def test_identical_texts(original: Path) -> None:
    text = original.read_text(encoding="utf-8")
    report = diff(text, text)
    assert report.summary.verbatim == 1.0
    assert report.substitutions == ()
    assert report.summary.spin == 0.0
    assert (report.dropped, report.added, report.moved) == ((), (), ())
    assert all(m.similarity == 1.0 for m in report.matches)
    _check_alignment(report)


def test_empty_texts() -> None:
    report = diff("", "")
    assert report.matches == ()
    assert report.summary.verbatim == 1.0
    assert diff("Some words here.", "").summary.deleted == 1.0
    assert diff("", "Some words here.").summary.inserted == 1.0


def test_dropped_paragraph_does_not_invent_swaps() -> None:
    original = (
        "In sign of alarm, Washington and Moscow begin talks over the conflict\n\n"
        "Secretary of State John Kerry meets with the foreign minister in London.\n\n"
        "Defense chiefs from the United States and Russia held their first direct talks."
    )
    copy = (
        "Home / World / In pointer of alarm, Washington and Moscow start talks\n\n"
        "Defense chiefs from a United States and Russia reason their initial approach talks."
    )
    report = diff(original, copy)
    assert _table(report) == {
        ("the", "a"): 1,
        ("held", "reason"): 1,
        ("first", "initial"): 1,
        ("direct", "approach"): 1,
        ("sign", "pointer"): 1,
        ("begin", "start"): 1,
    }
    assert report.dropped == (1,)
    _check_alignment(report)


def test_moved_paragraph() -> None:
    paragraphs = [
        "Alpha bravo charlie delta echo.",
        "Foxtrot golf hotel india juliet.",
        "Kilo lima mike november oscar.",
        "Papa quebec romeo sierra tango.",
    ]
    moved = [paragraphs[3], paragraphs[0], paragraphs[1], paragraphs[2]]
    report = diff("\n".join(paragraphs), "\n".join(moved))
    assert report.moved == (3,)
    assert report.summary.moved == 1
    assert report.summary.verbatim == 1.0


def test_merged_paragraphs_join_one_match() -> None:
    original = (
        "The civil war threatens the foreign policy interests of the government.\n"
        "Increasingly, it also poses domestic concerns."
    )
    copy = (
        "The polite quarrel threatens a unfamiliar routine interests of a government. "
        "It also poses domestic concerns."
    )
    report = diff(original, copy)
    assert [(m.original, m.copy) for m in report.matches] == [((0, 1), (0,))]
    assert report.dropped == ()
    _check_alignment(report)


def test_split_paragraph_joins_one_match() -> None:
    original = (
        "Defense chiefs from the United States and Russia held their first direct talks in "
        "more than a year Friday. The call between Defense Secretary Carter and Minister "
        "Shoigu caps weeks of concern about the moves of Moscow in the region."
    )
    copy = (
        "Defense chiefs from a United States and Russia reason their initial approach talks "
        "in some-more than a year Friday.\n\nThe call between Defense Secretary Carter and "
        "Minister Shoigu caps weeks of regard about a moves of Moscow in a region."
    )
    report = diff(original, copy)
    assert [(m.original, m.copy) for m in report.matches] == [((0,), (0, 1))]
    assert ("concern", "regard") in _table(report)
    _check_alignment(report)


def test_long_replacement_is_a_rewrite_not_swaps() -> None:
    start = "Officials in Moscow said on Friday that "
    end = " according to a statement released by the ministry of defense."
    original = start + "the plan would bolster the fragile position of the regime" + end
    copy = start + "an entirely different set of measures was announced by nobody" + end
    report = diff(original, copy)
    ops = [span.op for m in report.matches for span in m.spans]
    assert ops == [Op.EQUAL, Op.REWRITTEN, Op.EQUAL]
    assert report.substitutions == ()


def test_short_phrase_is_one_substitution() -> None:
    report = diff(
        "Moscow and the war against separatists in Ukraine worried the officials today.",
        "Moscow and the quarrel in Ukraine worried the officials today.",
    )
    assert _table(report) == {("war against separatists", "quarrel"): 1}


def test_equal_length_runs_pair_one_for_one() -> None:
    report = diff(
        "It is unclear how it might affect the fight against the Islamic State group.",
        "It is unclear how it competence impact a quarrel opposite a Islamic State group.",
    )
    assert _table(report) == {
        ("the", "a"): 2,
        ("might", "competence"): 1,
        ("affect", "impact"): 1,
        ("fight", "quarrel"): 1,
        ("against", "opposite"): 1,
    }


def test_deletion_and_insertion_offsets() -> None:
    original = "Walid said Thursday that up until now there was no joint fight."
    copy = "Walid said Thursday that there was no joint fight on the ground."
    report = diff(original, copy)
    spans = report.matches[0].spans
    deleted = [s for s in spans if s.op is Op.DELETION]
    inserted = [s for s in spans if s.op is Op.INSERTION]
    assert [original[slice(*s.original_chars)] for s in deleted] == ["up until now"]
    assert [copy[slice(*s.copy_chars)] for s in inserted] == ["on the ground"]
    assert copy[: deleted[0].copy_chars[0]] == "Walid said Thursday that"
    _check_alignment(report)


@pytest.mark.parametrize(
    "settings_",
    [
        pytest.param({"paragraph_similarity": 0.0}, id="similarity-zero"),
        pytest.param({"paragraph_similarity": 1.5}, id="similarity-above-one"),
        pytest.param({"gap_similarity": 0.5}, id="gap-above-similarity"),
        pytest.param({"merge_share": 0.0}, id="merge-share-zero"),
        pytest.param({"max_phrase_words": 0}, id="phrase-zero"),
        pytest.param({"min_anchor_words": 0}, id="anchor-zero"),
    ],
)
def test_options_are_validated(settings_: dict[str, Any]) -> None:
    with pytest.raises(OptionsError):
        DiffOptions(**settings_)


def test_options_change_the_result() -> None:
    original = "Alpha bravo charlie delta echo foxtrot golf hotel."
    copy = "Alpha one two three four five golf hotel."
    assert _table(diff(original, copy)) != {}
    strict = DiffOptions(max_swap_run=3, max_phrase_words=2)
    assert _table(diff(original, copy, options=strict)) == {}


# --- properties ---------------------------------------------------------------------

_VOCAB = (
    "the a said pronounced military infantry more some-more war quarrel Moscow Kerry talks "
    "in of and Syria fight U.S. its"
).split()

_paragraph = st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=25).map(" ".join)
_document = st.lists(_paragraph, min_size=0, max_size=6).map("\n\n".join)


@st.composite
def _edited(draw: st.DrawFn) -> tuple[str, str]:
    """A document and a copy with words swapped, dropped and added, and paragraphs
    dropped, added and shuffled."""
    paragraphs = draw(
        st.lists(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=25), max_size=6)
    )
    copy = []
    for words in paragraphs:
        if draw(st.integers(0, 5)) == 0:
            continue  # dropped
        edited = []
        for word in words:
            roll = draw(st.integers(0, 9))
            if roll == 0:
                edited.append(draw(st.sampled_from(_VOCAB)))  # swapped
            elif roll != 1:  # 1: deleted
                edited.append(word)
            if roll == 2:
                edited.append(draw(st.sampled_from(_VOCAB)))  # inserted
        copy.append(edited or words)
    copy = draw(st.permutations(copy)) if draw(st.booleans()) else copy
    return "\n".join(" ".join(p) for p in paragraphs), "\n".join(" ".join(p) for p in copy)


@settings(deadline=None)
@given(_edited())
def test_property_edit_script_rebuilds_the_copy(pair: tuple[str, str]) -> None:
    _check_alignment(diff(*pair))


@settings(deadline=None)
@given(_document)
def test_property_identical_is_verbatim(text: str) -> None:
    report = diff(text, text)
    assert report.summary.verbatim == 1.0
    assert report.substitutions == ()
    assert report.dropped == report.added == ()


@settings(deadline=None)
@given(_edited())
def test_property_substitution_counts_match_spans(pair: tuple[str, str]) -> None:
    report = diff(*pair)
    spans = [s for m in report.matches for s in m.spans if s.op is Op.SUBSTITUTION]
    assert sum(s.count for s in report.substitutions) == len(spans)
    assert report.summary.substitutions == len(spans)


def test_long_texts_compare_only_paragraphs_sharing_a_rare_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past ``ALL_PAIRS_UP_TO`` pairs the diff does not measure every paragraph pair (a
    billion for two 5 MB texts); a shuffled copy, with a few paragraphs edited, still
    has every paragraph matched."""
    import random

    from madeup_texts import synthetic

    from dedup.diff import paragraphs

    originals = [synthetic(n) for n in range(60)]
    rng = random.Random(5)
    copies = originals[:]
    rng.shuffle(copies)
    copies = [
        c.replace(c.split()[10], "changed", 1) if k % 7 == 0 else c for k, c in enumerate(copies)
    ]
    a, b = "\n\n".join(originals), "\n\n".join(copies)
    full = diff(a, b)
    monkeypatch.setattr(paragraphs, "ALL_PAIRS_UP_TO", 0)
    sparse = diff(a, b)
    assert sparse.summary.matched == full.summary.matched == 60
    assert sparse.summary.verbatim == pytest.approx(full.summary.verbatim)
    assert sparse.summary.dropped == sparse.summary.added == 0


def test_an_undecided_pair_says_which_text_it_shows_as_the_original(original: Path) -> None:
    """Two swaps do not decide which text is the original: the report shows the
    likelier one first and says so, whichever order the texts were given in (it said
    "given first" while showing the other)."""
    from dedup.diff import diff_pair
    from dedup.render.diff import text as render_text

    source = original.read_text(encoding="utf-8")
    light = source.replace("mounting", "growing", 1).replace("escalation", "buildup", 1)
    shown = set()
    for names, (first, second) in ((("l", "s"), (light, source)), (("s", "l"), (source, light))):
        report = diff_pair(first, second)
        assert not report.direction.decided
        summary = render_text(report, names=names).split("Summary")[1]
        original_name = names[1] if report.swapped else names[0]
        assert f"original: {original_name}," in summary
        assert f"{original_name} is shown as the original as the likelier of the two" in summary
        shown.add(report.original)
    assert len(shown) == 1  # the same text, whichever order
