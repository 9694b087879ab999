"""Tests for analysis.stats.paired_intervals: Agresti's and SAS's published values, R's vcd::Kappa, statsmodels and SciPy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa

from analysis.stats import paired_intervals as pi
from analysis.stats.agreement import agreement_bounds, tables_of

FIXTURES = Path(__file__).parents[2] / "fixtures"

#: SAS/STAT PROC FREQ, Getting Started, "Agreement Study" (skin condition, two dermatologists).
SKIN = np.array([[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]])


def consistent():
    return tables_of(agreement_bounds([27, 6, 0], [10, 17, 6])[1])


def seeded_tables():
    rng = np.random.default_rng(20190212)
    return [rng.integers(0, 9, size=(3, 3)) for _ in range(5)]


def expand(table) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(table, dtype=int)
    i, j = np.indices(t.shape)
    return np.repeat(i.ravel(), t.ravel()), np.repeat(j.ravel(), t.ravel())


# --- difference of paired proportions ----------------------------------------------------------


def test_paired_difference_on_agresti_presidential_approval():
    # Agresti, Categorical Data Analysis, 3rd ed., 2013, Table 11.1 and section 11.1.1:
    # d = 0.59 - 0.55 = 0.04, se = 0.0095, 95% interval (0.021, 0.059).
    res = pi.paired_proportion_difference([[794, 150], [86, 570]])
    assert res.estimate == pytest.approx(0.04, abs=1e-12)
    assert round(res.se, 4) == 0.0095
    assert (round(res.low, 3), round(res.high, 3)) == (0.021, 0.059)


@pytest.mark.parametrize("table", [*consistent(), *seeded_tables()], ids=lambda t: "".join(map(str, np.ravel(t))))
@pytest.mark.slow
def test_paired_difference_is_the_z_interval_of_the_case_differences(table):
    # Independent route: each case contributes 1[force good] - 1[inspectors good]; the Wald interval
    # is the mean +/- z * (population standard deviation) / sqrt(n).
    x, y = expand(table)
    diff = (x == 0).astype(float) - (y == 0).astype(float)
    z = stats.norm.ppf(0.975)
    se = np.std(diff, ddof=0) / np.sqrt(diff.size)
    res = pi.paired_proportion_difference(table)
    assert res.estimate == pytest.approx(diff.mean(), abs=1e-12)
    assert res.low == pytest.approx(diff.mean() - z * se, abs=1e-12)
    assert res.high == pytest.approx(diff.mean() + z * se, abs=1e-12)


@pytest.mark.slow
def test_good_gap_is_the_same_on_every_consistent_table():
    res = pi.paired_proportion_difference(consistent())
    np.testing.assert_allclose(res.estimate, 17 / 33, rtol=0, atol=1e-15)


def test_other_category_and_confidence():
    t = np.array([[5, 2, 1], [3, 4, 2], [0, 1, 6]])
    res = pi.paired_proportion_difference(t, category=2, confidence=0.90)
    x, y = expand(t)
    diff = (x == 2).astype(float) - (y == 2).astype(float)
    half = stats.norm.ppf(0.95) * np.std(diff) / np.sqrt(diff.size)
    assert (res.low, res.high) == pytest.approx((diff.mean() - half, diff.mean() + half), abs=1e-12)
    with pytest.raises(ValueError):
        pi.paired_proportion_difference(t, category=3)


# --- mean score gap ----------------------------------------------------------------------------


@pytest.mark.parametrize("table", [*consistent(), *seeded_tables()], ids=lambda t: "".join(map(str, np.ravel(t))))
@pytest.mark.slow
def test_mean_score_gap_matches_scipy_paired_t(table):
    x, y = expand(table)
    k = np.shape(table)[0]
    force_score, inspectors_score = k - x, k - y
    diff = force_score - inspectors_score
    ci = stats.ttest_1samp(diff, 0.0).confidence_interval(0.95)
    res = pi.mean_score_gap(table)
    assert res.estimate == pytest.approx(diff.mean(), abs=1e-12)
    assert res.low == pytest.approx(ci.low, abs=1e-12)
    assert res.high == pytest.approx(ci.high, abs=1e-12)


@pytest.mark.slow
def test_mean_score_gap_on_the_published_margins():
    # force mean (27*3 + 6*2)/33, inspectors' mean (10*3 + 17*2 + 6*1)/33: the gap is 23/33 on every table
    res = pi.mean_score_gap(consistent())
    np.testing.assert_allclose(res.estimate, 23 / 33, rtol=0, atol=1e-15)


def test_mean_score_gap_degenerate():
    same = pi.mean_score_gap(np.diag([3, 4, 5]))
    assert same.estimate == same.low == same.high == 0.0
    assert np.isnan(pi.mean_score_gap([[1, 0], [0, 0]]).estimate)


# --- kappa with the Fleiss, Cohen and Everitt standard error -----------------------------------


def vcd_rows():
    ref = pd.read_csv(FIXTURES / "vcd_kappa.csv")
    for row in ref.itertuples(index=False):
        cells = np.array([int(c) for c in row.cells.split()])
        k = int(round(np.sqrt(cells.size)))
        yield pytest.param(cells.reshape(k, k), row.weights, row.value, row.ase, row.lwr, row.upr, id=f"{row.cells}:{row.weights}")


@pytest.mark.parametrize(("table", "weights", "value", "ase", "lwr", "upr"), list(vcd_rows()))
@pytest.mark.slow
def test_kappa_matches_r_vcd(table, weights, value, ase, lwr, upr):
    # tests/fixtures/vcd_kappa.csv: R 4.2.2, vcd 1.4.11, Kappa(x, weights) and confint(level = 0.95);
    # regenerate with tests/fixtures/vcd_kappa.R.
    res = pi.kappa_interval(table, weights)
    assert res.estimate == pytest.approx(value, rel=1e-12, abs=1e-13)
    assert res.se == pytest.approx(ase, rel=1e-12, abs=1e-13)
    assert res.low == pytest.approx(lwr, rel=1e-12, abs=1e-13)
    assert res.high == pytest.approx(upr, rel=1e-12, abs=1e-13)


@pytest.mark.slow
def test_vcd_fixture_covers_the_consistent_tables():
    ref = pd.read_csv(FIXTURES / "vcd_kappa.csv")
    cells = {" ".join(map(str, t.ravel())) for t in consistent()}
    assert cells <= set(ref["cells"])
    assert set(ref["weights"]) == {"identity", "linear", "quadratic"}


def test_kappa_on_sas_published_example():
    # SAS/STAT User's Guide, PROC FREQ, Getting Started: Agreement Study.
    # Simple kappa 0.3449, ASE 0.0724, 95% confidence limits 0.2030 and 0.4868.
    res = pi.kappa_interval(SKIN)
    assert [round(v, 4) for v in (res.estimate, res.se, res.low, res.high)] == [0.3449, 0.0724, 0.2030, 0.4868]


@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
@pytest.mark.slow
def test_kappa_se_matches_statsmodels(weights):
    for table in [SKIN, *seeded_tables()]:
        ref = cohens_kappa(table, wt=None if weights == "identity" else weights)
        assert pi.kappa_standard_error(table, weights) == pytest.approx(ref.std_kappa, rel=1e-10)


@pytest.mark.slow
def test_kappa_stack_and_undefined():
    tabs = consistent()
    res = pi.kappa_interval(tabs, "quadratic")
    assert res.se.shape == (len(tabs),)
    np.testing.assert_allclose(res.se, [pi.kappa_standard_error(t, "quadratic") for t in tabs], rtol=1e-14)
    assert np.isnan(pi.kappa_standard_error([[5, 0], [0, 0]]))
    perfect = pi.kappa_interval(np.diag([4, 5, 6]))
    assert perfect.estimate == 1.0 and perfect.se == pytest.approx(0.0, abs=1e-12)
