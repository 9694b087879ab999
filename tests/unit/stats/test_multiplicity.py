"""Tests for analysis.stats.multiplicity: the Wilson formula and statsmodels, the hypergeometric distribution, statsmodels' Holm."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from analysis.data.load import load_audit
from analysis.sections.areas import area_counts
from analysis.stats import multiplicity as mu


@pytest.fixture(scope="module")
def areas():
    counts = area_counts(load_audit())
    return counts, counts["inadequate"].to_numpy(), counts.sum(axis=1).to_numpy()


def wilson(x, n, z):
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_bonferroni_wilson_against_the_formula_and_statsmodels(areas):
    _, x, n = areas
    low, high = mu.bonferroni_wilson(x, n)
    z = stats.norm.ppf(1 - 0.05 / 8 / 2)
    wl, wh = wilson(x, n, z)
    np.testing.assert_allclose(low, np.maximum(wl, 0), atol=1e-12)
    np.testing.assert_allclose(high, wh, atol=1e-12)
    sl, sh = proportion_confint(x, n, alpha=0.05 / 8, method="wilson")
    np.testing.assert_allclose(low, np.clip(sl, 0, 1), atol=1e-12)
    np.testing.assert_allclose(high, np.clip(sh, 0, 1), atol=1e-12)


def test_adjusted_intervals_are_wider(areas):
    _, x, n = areas
    low, high = mu.bonferroni_wilson(x, n)
    ul, uh = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert np.all(low <= ul + 1e-15) and np.all(high >= uh)


def hypergeometric_two_sided(table):
    (a, b), (c, d) = table
    dist = stats.hypergeom(a + b + c + d, a + c, a + b)  # population, successes, draws (row 1)
    support = np.arange(max(0, a + b - (b + d)), min(a + b, a + c) + 1)
    pmf = dist.pmf(support)
    return float(pmf[pmf <= dist.pmf(a) * (1 + 1e-7)].sum())


def test_fisher_vs_rest_against_the_hypergeometric(areas):
    _, x, n = areas
    p = mu.fisher_vs_rest(x, n)
    for i in range(x.size):
        rest_x, rest_n = x.sum() - x[i], n.sum() - n[i]
        table = [[x[i], n[i] - x[i]], [rest_x, rest_n - rest_x]]
        assert p[i] == pytest.approx(min(1.0, hypergeometric_two_sided(table)), abs=1e-12)


def test_published_child_sexual_exploitation_values(areas):
    # the issue: CSE against the other seven gives p = 0.012, 0.095 after Holm over the eight areas
    counts, x, n = areas
    g = mu.group_comparison(x, n).set_index(counts.index)
    row = g.loc["child_sexual_exploitation"]
    assert round(row["vs_rest_p"], 3) == 0.012
    assert round(row["vs_rest_p_holm"], 3) == 0.095


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.slow
def test_holm_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 0.2, size=8)
    p[2] = p[5]  # a tie
    np.testing.assert_allclose(mu.holm(p), multipletests(p, method="holm")[1], rtol=0, atol=1e-15)


def test_group_comparison_columns(areas):
    _, x, n = areas
    g = mu.group_comparison(x, n)
    assert list(g.columns) == ["count", "nobs", "share", "adjusted_low", "adjusted_high", "vs_rest_p", "vs_rest_p_holm"]
    assert (g["vs_rest_p_holm"] >= g["vs_rest_p"]).all()


@pytest.mark.parametrize(("x", "n"), [([1], [2]), ([1, 2], [2]), ([3, 1], [2, 2]), ([1, 1], [0, 2]), ([0.5, 1], [2, 2])])
def test_bad_input_is_refused(x, n):
    with pytest.raises(ValueError):
        mu.group_comparison(x, n)
    with pytest.raises(ValueError):
        mu.holm([0.1, 1.2])
