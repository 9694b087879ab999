"""Verdict words are chosen by the figures they describe: move each input across its threshold and the words change.

Each test also checks that the old fixed wording (the words that used to be typed whatever the
figures) is gone where the figures no longer support it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.narrative import areas, audit
from analysis.narrative import self_assessment as sa_text
from analysis.sections import samples

GRADES = ("good", "requires improvement", "inadequate")


# --------------------------------------------------------------------------- sentences


def test_the_kappa_verdict_reads_agreement_and_spans_the_bands():
    text = sa_text.verdict("cohen_kappa", -0.33, 0.22, 33, (-0.58, 0.38))
    assert "agreement between the force's and the inspectors' grading" in text
    assert "from 'poor' to 'fair' on that scale" in text
    assert "the force's grading in general could lie" not in text and "at best" not in text
    narrow = sa_text.verdict("cohen_kappa", 0.25, 0.3, 33, (0.22, 0.38))
    assert "'fair' throughout" in narrow


def _identified(
    gap_low: float, gap_ci: tuple[float, float], better_low: int, share_ci_low: float, score_ci: tuple[float, float] = (0.21, 0.72)
) -> pd.DataFrame:
    rows = [
        ("n_force_better", better_low, better_low + 6, np.nan, np.nan),
        ("share_force_better", better_low / 33, (better_low + 6) / 33, share_ci_low, np.nan),
        ("good_gap", gap_low, gap_low, *gap_ci),
        ("good_gap_newcombe", gap_low, gap_low, *score_ci),
        ("good_gap_imbens_manski", gap_low, gap_low, *gap_ci),
        ("mean_score_gap", 0.7, 0.7, 0.35, 1.05),
    ]
    return pd.DataFrame(rows, columns=["quantity", "low", "high", "ci_low", "ci_high"]).assign(method="")


def test_identified_facts_say_intervals_in_words_and_one_meaning_per_number():
    facts = sa_text.identified_facts(_identified(17 / 33, (0.25, 0.78), 17, 0.3607), 33, GRADES)
    assert "at least a third of the force's cases" in facts[0] and "with 95% confidence" in facts[0]
    assert "between 21 and 72 percentage points, with 95% confidence (Newcombe's score interval, widest over the pairings)" in facts[1]
    # the narrower valid interval is the one said, and named
    wider = sa_text.identified_facts(_identified(17 / 33, (0.25, 0.78), 17, 0.3607, score_ci=(0.2, 0.8)), 33, GRADES)
    assert "between 25 and 78 percentage points, with 95% confidence (Imbens and Manski's interval" in wider[1]
    for sentence in " ".join(facts).split(". "):
        numbers = [t for t in sentence.replace(",", " ").split() if t.isdigit()]
        assert len(numbers) == len(set(numbers)) or set(numbers) <= {"33"}, sentence


def test_the_overall_headline_describes_the_80_and_estimates_from_the_random_33():
    grades = pd.DataFrame(
        [
            ("force_selected", "hmicfrs", "good", 10),
            ("force_selected", "hmicfrs", "requires improvement", 17),
            ("force_selected", "hmicfrs", "inadequate", 6),
            ("inspectorate_selected", "hmicfrs", "good", 10),
            ("inspectorate_selected", "hmicfrs", "requires improvement", 20),
            ("inspectorate_selected", "hmicfrs", "inadequate", 17),
        ],
        columns=["sample", "assessor", "grade", "n"],
    )
    text = audit.headline_overall(grades, GRADES, random_force_selected=True)
    assert "23 of 80 (29%) inadequate" in text and "95% interval" not in text.split("The 33")[0]
    assert "the inspectors graded 6 of 33 (18%) of them inadequate" in text and "with 95% confidence" in text
    unsure = audit.headline_overall(grades, GRADES, random_force_selected=False)
    assert "95% confidence" not in unsure and "describe the audit" in unsure


def test_better_tie_worse_add_up_and_match_the_mann_whitney_effect():
    better, tie, worse = samples.better_tie_worse([10, 17, 6], [10, 20, 17])
    assert better + tie + worse == pytest.approx(1)
    assert better + tie / 2 == pytest.approx(0.6, abs=0.01)  # the 'ties counting half' figure it replaces


def _summary(p_weakest: float, holm: float) -> pd.DataFrame:
    base = {
        "area": ["a", "b"],
        "n": [16, 10],
        "inadequate": [9, 2],
        "good": [3, 4],
        "share_inadequate": [9 / 16, 0.2],
        "share_good": [3 / 16, 0.4],
        "wilson_low_inadequate": [0.33, 0.05],
        "wilson_high_inadequate": [0.77, 0.51],
        "vs_rest_p_inadequate": [0.01, 0.5],
        "vs_rest_p_holm_inadequate": [holm, 0.9],
        "pooled_share_inadequate": [0.37, 0.26],
        "pooled_low_inadequate": [0.24, 0.14],
        "pooled_high_inadequate": [0.51, 0.4],
        "p_weakest": [p_weakest, 1 - p_weakest],
    }
    return pd.DataFrame(base)


def _ranks(p_weakest: float, lowest: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["a", "b"],
            "p_weakest": [p_weakest, 1 - p_weakest],
            "p_weakest_low": [lowest, 0.0],
            "p_weakest_high": [0.99, 0.5],
            "rank_low": [1, 1],
            "rank_high": [2, 2],
        }
    )


def test_the_areas_reading_follows_holm_and_the_posterior_taking_the_lowest_probability():
    labels = {"a": "Area A", "b": "Area B"}
    unsure = areas.multiplicity_reading(_summary(0.54, 0.095), labels, "inadequate", _ranks(0.54, 0.54))
    assert "No area is shown to differ" in unsure and "is not shown" not in unsure
    assert "far from certainly" in unsure
    sure = areas.multiplicity_reading(_summary(0.97, 0.01), labels, "inadequate", _ranks(0.97, 0.96))
    assert "Area A is shown to differ" in sure and "almost certainly the weakest area" in sure and "far from certainly" not in sure
    # the verdict follows the lowest probability over the pooling strengths, not the full model's alone
    low = areas.multiplicity_reading(_summary(0.97, 0.01), labels, "inadequate", _ranks(0.97, 0.3))
    assert "though more likely than not another area is weaker" in low and "almost certainly" not in low
    assert "no area is not shown" not in areas.headline(_summary(0.54, 0.01), labels, "inadequate")
    assert "no area is shown to differ" in areas.headline(_summary(0.54, 0.2), labels, "inadequate")
