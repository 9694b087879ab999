"""Sentences on the two samples (:mod:`analysis.narrative.samples`): each moves with its inputs across its thresholds."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.narrative import samples as samples_text
from analysis.sections import samples

GRADES = ("good", "requires improvement", "inadequate")


def test_the_samples_headline_follows_the_p_value():
    grades = pd.DataFrame(
        [("force_selected", "hmicfrs", g, n) for g, n in zip(GRADES, (10, 17, 6), strict=True)]
        + [("inspectorate_selected", "hmicfrs", g, n) for g, n in zip(GRADES, (10, 20, 17), strict=True)],
        columns=["sample", "assessor", "grade", "n"],
    )
    tests = pd.DataFrame(
        [
            (samples.COMPARISON, "proportional_odds", 0.101, 2.01, 0.87, 4.67),
            (samples.COMPARISON, "mann_whitney_exact", 0.103, 0.6, np.nan, np.nan),
        ],
        columns=["comparison", "test", "p_value", "effect_size", "ci_low", "ci_high"],
    )
    assert "could arise by chance" in samples_text.headline(grades, tests, GRADES)
    assert "would be unusual" in samples_text.headline(grades, tests.assign(p_value=0.01), GRADES)
    assert "between 0.87 and 4.67 times as high" in samples_text.headline(grades, tests, GRADES)


def test_the_difference_paragraph_says_whether_the_range_crosses_zero():
    force, insp = pd.Series([10, 17, 6], index=GRADES), pd.Series([10, 20, 17], index=GRADES)
    crossing = samples_text.difference_paragraph(force, insp, GRADES, (0.18, -0.02, 0.36), said_random=True)
    assert "18 percentage points higher in the inspectors' own sample" in crossing
    assert "95% interval for the difference -2 to 36 points" in crossing and "do not show that there is no difference" in crossing
    assert "the random sample the document says they were" in crossing
    one_side = samples_text.difference_paragraph(force, insp, GRADES, (0.18, 0.01, 0.36), said_random=False)
    assert "The whole range lies on one side of zero." in one_side and "standing for its kind of case" in one_side
    same = samples_text.difference_paragraph(force, insp, GRADES, (0.004, -0.2, 0.2), said_random=False)
    assert "the same, to the nearest point, in both samples" in same


def test_the_tests_paragraph_follows_alpha_and_cochrans_rule():
    rows = {
        "proportional_odds": (4.1, 1, 0.04, 2.0, 0.9, 4.6),
        "chi_squared": (3.0, 2, 0.2, 0.19, np.nan, np.nan),
        "fisher_exact": (np.nan, np.nan, 0.21, 0.1, np.nan, np.nan),
        "mann_whitney": (900.0, np.nan, 0.1, 0.6, np.nan, np.nan),
        "mann_whitney_exact": (900.0, np.nan, 0.11, 0.6, np.nan, np.nan),
    }
    tests = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "df", "p_value", "effect_size", "ci_low", "ci_high"])
    sound = SimpleNamespace(min_expected=5.5, share_expected_below_5=0.0)
    doubtful = SimpleNamespace(min_expected=2.0, share_expected_below_5=1 / 3)
    text = samples_text.tests_paragraph(tests, sound, (0.4, 0.3, 0.3), GRADES)
    assert "At least one p-value is below 0.05." in text and "so the approximation is sound" in text and "at either cut" in text
    text = samples_text.tests_paragraph(tests.assign(p_value=0.5), doubtful, (0.4, 0.3, 0.3), GRADES)
    assert "None of the p-values is below 0.05." in text and "33% of expected counts are below five" in text


def test_the_sample_labels_follow_the_compared_samples_in_order():
    from analysis.sampling import COMPARED_SAMPLES

    assert list(samples_text.SAMPLE_LABELS) == list(COMPARED_SAMPLES) == ["force_selected", "inspectorate_selected"]
    assert samples.COMPARISON == samples_text.COMPARISON == "force_vs_inspectorate_selected"


def test_the_mann_whitney_note_says_which_p_value_and_what_the_effect_size_is():
    normal, exact = samples_text.mann_whitney_note(exact=False), samples_text.mann_whitney_note(exact=True)
    assert normal.startswith("U of the force-selected sample; normal approximation with tie correction and continuity correction; ")
    assert exact.startswith("U of the force-selected sample; exact conditional (permutation) p-value given the tied grades; ")
    assert "permutation" not in normal and "normal approximation" not in exact
    for note in (normal, exact):
        assert note.endswith(
            "effect size: probability that a force-selected case is graded better than an inspectorate-selected one, ties counting half"
        )


def test_the_odds_notes_name_the_level_and_the_grades_above_the_cut():
    from analysis.narrative.style import level_text

    assert samples_text.proportional_odds_note().endswith(f"; Wald {level_text()} interval")
    first = samples_text.cumulative_odds_note(GRADES[:1], 1)
    assert first.startswith(
        "Odds of a grade of good rather than worse, force-selected against inspectorate-selected cases (cut 1 of the scale); "
    )
    second = samples_text.cumulative_odds_note(GRADES[:2], 2)
    assert second.startswith("Odds of a grade of good or requires improvement rather than worse") and "(cut 2 of the scale)" in second
    assert f"Woolf {level_text()} interval" in second
    assert samples_text.proportional_odds_check_note().startswith("Likelihood-ratio test of the proportional-odds model")
