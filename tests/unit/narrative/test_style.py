"""The house style (:mod:`analysis.narrative.style`): verdict words chosen by the figures they describe, numbers and plurals in words.

Move each input across its threshold and the words change.
"""

from __future__ import annotations

import pytest

from analysis.grades import score_note
from analysis.narrative import style
from analysis.narrative.style import fixed, fraction_at_least


@pytest.mark.parametrize(
    "gap_low, gap_high, better, expected",
    [
        (0.25, 0.78, 0.52, "far more kindly"),
        (0.25, 0.78, 0.49, "more kindly"),
        (-0.05, 0.4, 0.6, "neither clearly more kindly nor more harshly"),
        (-0.5, -0.1, 0.0, "more harshly"),
    ],
)
def test_kindness_follows_the_interval_and_the_fewest_cases_graded_better(gap_low, gap_high, better, expected):
    assert style.kindness(gap_low, gap_high, better) == expected
    assert style.generosity(gap_low, gap_high, better) != ("much more generous than" if expected != "far more kindly" else "")


@pytest.mark.parametrize(
    "p, expected",
    [(0.97, "almost certainly"), (0.85, "probably"), (0.54, "more likely than not"), (0.3, "the most likely weakest area, though")],
)
def test_how_certain_follows_the_posterior_probability(p, expected):
    text = style.how_certain(p)
    assert text.startswith(expected)
    assert ("far from certainly" in text) == (0.5 < p < style.PROBABLY)


def test_shown_to_differ_never_says_does_not_differ():
    assert style.shown_to_differ(0.01) == "is shown to differ"
    assert style.shown_to_differ(0.2) == "is not shown to differ"
    assert "does not differ" not in style.shown_to_differ(0.9)


def test_counts_in_words():
    assert [style.counted(n, "force") for n in (0, 1, 2, 13)] == ["no force", "one force", "two forces", "13 forces"]


def test_restates_follows_the_kinder_pairings_kappa():
    assert style.restates(None) is None
    assert style.restates(-0.06) == "largely restates"
    assert style.restates(0.35) == "only partly explains"


def test_band_span():
    assert style.band_span("fair", "fair") == "'fair' throughout"
    assert style.band_span("poor", "fair") == "from 'poor' to 'fair'"


def test_half_up_display_and_fractions():
    assert fixed(8.25, 1) == "8.3" and f"{8.25:.1f}" == "8.2"  # Python's own rounding would print 8.2
    assert fixed(0.125, 2) == "0.13"
    assert fraction_at_least(0.3607) == "a third" and fraction_at_least(0.41) == "two fifths" and fraction_at_least(0.04) == "4%"


def test_noun_agrees_with_its_count():
    assert [style.noun(n, "case") for n in (0, 1, 2)] == ["cases", "case", "cases"]
    assert style.noun(1, "analysis", "analyses") == "analysis" and style.noun(3, "analysis", "analyses") == "analyses"


def test_number_words_are_one_list_for_scores_and_counts():
    assert [style.number_word(n) for n in (0, 7, 12, 13, 1500)] == ["zero", "seven", "twelve", "13", "1,500"]
    assert score_note(("good", "requires improvement", "inadequate"), words=True) == "good three, requires improvement two, inadequate one"
