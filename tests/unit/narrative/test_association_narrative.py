"""Words of ``association_tests.csv`` (:mod:`analysis.narrative.association`): each note moves with its inputs across its thresholds."""

from __future__ import annotations

import pytest

from analysis import choices
from analysis.narrative import association as words
from analysis.narrative.style import level_text


def test_the_columns_name_the_level_of_the_intervals_and_keep_the_table_order():
    columns = words.association_columns()
    assert list(columns)[:2] == ["comparison", "test"] and list(columns)[-1] == "note"
    assert columns["ci_low"].startswith(f"Lower end of the {level_text()} interval of the effect size")
    assert columns["ci_high"] == f"Upper end of that {level_text()} interval; empty otherwise."


def test_the_chi_squared_note_says_doubtful_only_past_cochrans_share():
    within = words.chi_squared_note(1, 6, 1 / 6, 3.4)
    assert within == (
        "Pearson, no continuity correction; 1 of 6 expected counts below 5 (share 0.167), smallest expected count 3.400: "
        "within Cochran's rule (at most 20% below 5)"
    )
    at = words.chi_squared_note(2, 10, words.COCHRAN_SHARE, 2.0)
    assert at.endswith("within Cochran's rule (at most 20% below 5)")
    past = words.chi_squared_note(3, 6, 0.5, 1.25)
    assert past.endswith("smallest expected count 1.250: the chi-squared approximation is doubtful (Cochran's rule allows at most 20%)")
    assert "within" not in past and "doubtful" not in within


def test_the_fisher_note_says_exact_or_names_the_monte_carlo_run():
    exact = words.fisher_note(True)
    assert exact.startswith("Fisher-Freeman-Halton exact test (network algorithm;")
    assert "Monte Carlo" not in exact
    mc = words.fisher_note(False, 100_000, choices.FALLBACK_SEED, 0.00123)
    assert mc.startswith(
        f"Fisher-Freeman-Halton Monte Carlo p-value from 100000 tables, numpy seed {choices.FALLBACK_SEED}, standard error 0.0012 "
    )
    assert "(the exact test exceeded its work budget)" in mc and "network algorithm" not in mc
    for note in (exact, mc):
        assert note.endswith("; it ignores the order of the grades")


@pytest.mark.parametrize("share", [0.0, 0.2, 0.2000001, 1.0])
def test_the_chi_squared_note_prints_the_share_to_three_decimals(share):
    assert f"(share {share:.3f})" in words.chi_squared_note(0, 4, share, 5.0)
