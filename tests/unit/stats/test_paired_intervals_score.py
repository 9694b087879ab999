"""Newcombe's paired score interval against published worked examples, and the Imbens-Manski interval against its defining equation."""

import numpy as np
import pytest
from scipy import stats

from analysis.stats.identification import best_gap_rows, imbens_manski_interval
from analysis.stats.paired_intervals import newcombe_paired_difference, paired_proportion_difference


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # Newcombe (1998), Statistics in Medicine 17:2635-2650, Table II example (a), method 10
        ((36, 12, 2, 0), (0.0569, 0.3404)),
        # Fagerland, Lydersen and Laake (2017), section 8.5, complete response before and after consolidation
        # therapy (Cavo et al. 2012): Newcombe square-and-add interval -0.1186 to -0.0046 (estimate -0.0621)
        ((59, 6, 16, 80), (-0.1186, -0.0046)),
    ],
)
def test_newcombe_paired_interval_reproduces_published_worked_examples(cells, expected):
    got = newcombe_paired_difference(*cells)
    assert (round(float(got.low), 4), round(float(got.high), 4)) == expected


def test_newcombe_interval_is_vectorised_and_stays_within_minus_one_and_one():
    a, b, c, d = np.array([0, 5, 0]), np.array([10, 0, 0]), np.array([0, 0, 10]), np.array([0, 5, 0])
    got = newcombe_paired_difference(a, b, c, d)
    assert got.low.shape == (3,)
    assert (got.low >= -1).all() and (got.high <= 1).all()
    assert got.low[1] < 0 < got.high[1]  # no discordant case: an interval around zero, not a point
    assert np.isnan(newcombe_paired_difference(0, 0, 0, 0).low)


def test_imbens_manski_uses_the_two_sided_quantile_for_a_point_and_tends_to_one_sided_for_a_wide_set():
    z2, z1 = stats.norm.ppf(0.975), stats.norm.ppf(0.95)
    assert imbens_manski_interval(0.3, 0.3, 0.1, 0.1) == pytest.approx((0.3 - z2 * 0.1, 0.3 + z2 * 0.1), abs=1e-12)
    low, high = imbens_manski_interval(0.0, 5.0, 0.1, 0.1)
    assert (low, high) == pytest.approx((-z1 * 0.1, 5 + z1 * 0.1), abs=1e-9)
    low, high = imbens_manski_interval(0.0, 0.1, 0.1, 0.2)
    c = -low / 0.1
    assert stats.norm.cdf(c + 0.1 / 0.2) - stats.norm.cdf(-c) == pytest.approx(0.95, abs=1e-12)
    assert z1 < c < z2 and high == pytest.approx(0.1 + c * 0.2)
    with pytest.raises(ValueError, match="below"):
        imbens_manski_interval(1.0, 0.0, 0.1, 0.1)


def test_gwent_good_gap_score_interval_is_the_union_over_every_pairing_and_imbens_manski_the_least_favourable_wald():
    # 27 of 33 good by the force, 10 by the inspectors: between 4 and 10 cases good for both
    rows = best_gap_rows(27, 10, 33, np.arange(4, 11), best="good").set_index("quantity")
    lows, highs = [], []
    for a in range(4, 11):
        got = newcombe_paired_difference(a, 27 - a, 10 - a, 33 - 37 + a)
        lows.append(float(got.low))
        highs.append(float(got.high))
    assert rows.loc["good_gap_newcombe", ["ci_low", "ci_high"]].tolist() == [min(lows), max(highs)]
    assert round(100 * min(lows)) == 21 and round(100 * max(highs)) == 72
    wald = [paired_proportion_difference(np.array([[a, 27 - a], [10 - a, a - 4]])) for a in range(4, 11)]
    assert rows.loc["good_gap_imbens_manski", "ci_low"] == pytest.approx(min(float(w.low) for w in wald), abs=1e-12)
    assert rows.loc["good_gap_imbens_manski", "ci_high"] == pytest.approx(max(float(w.high) for w in wald), abs=1e-12)
    assert "Newcombe" in rows.loc["good_gap_newcombe", "method"] and "Imbens-Manski" in rows.loc["good_gap_imbens_manski", "method"]
    with pytest.raises(ValueError, match="fit the totals"):
        best_gap_rows(27, 10, 33, [11])
