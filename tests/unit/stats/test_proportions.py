"""Proportions and their Wilson / Clopper-Pearson intervals: textbook values, SciPy, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.proportions import category_shares, difference_interval, proportion_interval

# Newcombe (1998), Statistics in Medicine 17, 857-872, Table I: methods 3 (Wilson score) and 5 (Clopper-Pearson).
NEWCOMBE = [
    # count, n, Wilson low, Wilson high, exact low, exact high
    (81, 263, 0.2553, 0.3662, 0.2527, 0.3676),
    (15, 148, 0.0624, 0.1605, 0.0578, 0.1617),
    (0, 20, 0.0000, 0.1611, 0.0000, 0.1684),
    (1, 29, 0.0061, 0.1718, 0.0009, 0.1776),
]


@pytest.mark.parametrize(("k", "n", "wl", "wh", "el", "eh"), NEWCOMBE)
def test_newcombe_published_intervals(k, n, wl, wh, el, eh):
    low, high = proportion_interval(k, n, "wilson")
    assert (round(float(low), 4), round(float(high), 4)) == (wl, wh)
    low, high = proportion_interval(k, n, "exact")
    assert (round(float(low), 4), round(float(high), 4)) == (el, eh)


@pytest.mark.parametrize(("k", "n"), [(0, 6), (3, 6), (6, 6), (9, 16), (10, 33), (17, 47), (23, 80)])
def test_agrees_with_scipy_binomtest(k, n):
    res = stats.binomtest(k, n)
    for ours, theirs in (("wilson", "wilson"), ("exact", "exact")):
        ci = res.proportion_ci(confidence_level=0.95, method=theirs)
        low, high = proportion_interval(k, n, ours)
        assert float(low) == pytest.approx(ci.low, abs=1e-10)
        assert float(high) == pytest.approx(ci.high, abs=1e-10)


def test_interval_contains_estimate_and_exact_is_wider_at_extremes():
    k = np.arange(0, 11)
    for method in ("wilson", "exact"):
        low, high = proportion_interval(k, 10, method)
        assert np.all(low <= k / 10) and np.all(k / 10 <= high)
        assert np.all((low >= 0) & (high <= 1))
    wl, wh = proportion_interval(0, 10, "wilson")
    el, eh = proportion_interval(0, 10, "exact")
    assert el == wl == 0 and eh > wh


def test_alpha_changes_width():
    l95, h95 = proportion_interval(5, 20, "wilson", alpha=0.05)
    l99, h99 = proportion_interval(5, 20, "wilson", alpha=0.01)
    assert l99 < l95 and h99 > h95


@pytest.mark.parametrize(("k", "n", "method"), [(3, 2, "wilson"), (-1, 5, "exact"), (1, 0, "wilson"), (1, 5, "wald")])
def test_bad_input_is_refused(k, n, method):
    with pytest.raises(ValueError):
        proportion_interval(k, n, method)


def test_category_shares_layout_and_values():
    counts = pd.DataFrame({"good": [4, 0], "requires improvement": [4, 6], "inadequate": [2, 2]}, index=["a", "b"])
    out = category_shares(counts, ["good", "requires_improvement", "inadequate"])
    expected = ["n", "good", "requires_improvement", "inadequate"]
    for slug in ["good", "requires_improvement", "inadequate"]:
        expected += [f"share_{slug}", f"wilson_low_{slug}", f"wilson_high_{slug}", f"exact_low_{slug}", f"exact_high_{slug}"]
    assert list(out.columns) == expected
    assert out["n"].tolist() == [10, 8]
    shares = out[["share_good", "share_requires_improvement", "share_inadequate"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert out.loc["b", "share_good"] == 0 and out.loc["b", "wilson_low_good"] == 0
    low, high = proportion_interval(6, 8, "exact")
    assert out.loc["b", "exact_low_requires_improvement"] == pytest.approx(float(low))
    assert out.loc["b", "exact_high_requires_improvement"] == pytest.approx(float(high))
    with pytest.raises(ValueError):
        category_shares(counts, ["only_one"])


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17, 873-890, Table II, method 10 (hybrid score).
    [(56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090)],
)
def test_difference_interval_newcombe_published(k1, n1, k2, n2, low, high):
    diff, lo, hi = difference_interval(k1, n1, k2, n2)
    assert diff == pytest.approx(k1 / n1 - k2 / n2)
    assert (round(lo, 4), round(hi, 4)) == (low, high)
    with pytest.raises(ValueError):
        difference_interval(3, 2, 1, 5)
