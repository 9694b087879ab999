"""Tests for analysis.stats.identification on the published margins, each value recomputed by an independent route."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.stats import identification as ident
from analysis.stats.agreement import agreement_bounds, tables_of

FIXTURES = Path(__file__).parents[2] / "fixtures"
FORCE, INSPECTORS = [27, 6, 0], [10, 17, 6]


@pytest.fixture(scope="module")
def bounds_and_tables():
    bounds, frame = agreement_bounds(FORCE, INSPECTORS)
    return bounds.set_index("measure"), tables_of(frame)


@pytest.fixture(scope="module")
def summary(bounds_and_tables):
    return ident.identified_summary(bounds_and_tables[1]).set_index("quantity")


def expand(table):
    t = np.asarray(table, dtype=int)
    i, j = np.indices(t.shape)
    return np.repeat(i.ravel(), t.ravel()), np.repeat(j.ravel(), t.ravel())


def test_rows_and_columns(summary):
    assert tuple(summary.index) == ident.IDENTIFIED_QUANTITIES
    assert list(summary.reset_index().columns) == ["quantity", "low", "high", "ci_low", "ci_high", "method"]
    assert summary["method"].str.len().gt(0).all()
    # an interval only where the issue defines one
    assert summary["ci_low"].isna().tolist() == [True, False, True, False, False, False, True, True, True, False, False, False]
    assert summary["ci_high"].isna().tolist() == [True, True, True, False, False, False, True, True, True, False, False, False]


def test_counts_and_share(summary, bounds_and_tables):
    bounds, _ = bounds_and_tables
    row = summary.loc["n_force_better"]
    assert (row["low"], row["high"]) == (bounds.loc["n_force_better", "min"], bounds.loc["n_force_better", "max"])
    share = summary.loc["share_force_better"]
    assert (share["low"], share["high"]) == (row["low"] / 33, row["high"] / 33)
    low, _ = proportion_confint(int(row["low"]), 33, alpha=0.10, method="beta")
    assert share["ci_low"] == pytest.approx(low, abs=1e-12)


def test_identified_gaps_against_scipy(summary, bounds_and_tables):
    _, tables = bounds_and_tables
    z = stats.norm.ppf(0.975)
    wald, tint = [], []
    for t in tables:
        x, y = expand(t)
        d = (x == 0).astype(float) - (y == 0).astype(float)
        wald.append((d.mean() - z * d.std() / np.sqrt(d.size), d.mean() + z * d.std() / np.sqrt(d.size)))
        ci = stats.ttest_1samp(y - x, 0.0).confidence_interval(0.95)  # force score minus inspectors' = j - i
        tint.append((ci.low, ci.high))
    g = summary.loc["good_gap"]
    assert g["low"] == g["high"] == pytest.approx(17 / 33, abs=1e-15)
    assert (g["ci_low"], g["ci_high"]) == pytest.approx((min(w[0] for w in wald), max(w[1] for w in wald)), abs=1e-12)
    m = summary.loc["mean_score_gap"]
    assert m["low"] == m["high"] == pytest.approx(23 / 33, abs=1e-15)
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((min(c[0] for c in tint), max(c[1] for c in tint)), abs=1e-12)


def test_ordinal_ranges_against_scipy(summary, bounds_and_tables):
    _, tables = bounds_and_tables
    tau = [stats.kendalltau(*expand(t)).statistic for t in tables]
    rho = [stats.spearmanr(*expand(t)).statistic for t in tables]
    assert (summary.loc["kendall_tau_b", "low"], summary.loc["kendall_tau_b", "high"]) == pytest.approx((min(tau), max(tau)), abs=1e-12)
    assert (summary.loc["spearman_rho", "low"], summary.loc["spearman_rho", "high"]) == pytest.approx((min(rho), max(rho)), abs=1e-12)
    assert (summary.loc["goodman_kruskal_gamma", "low"], summary.loc["goodman_kruskal_gamma", "high"]) == (-1.0, 1.0)


@pytest.mark.parametrize(
    ("quantity", "weights"), [("cohen_kappa", "identity"), ("weighted_kappa_linear", "linear"), ("weighted_kappa_quadratic", "quadratic")]
)
def test_kappa_ranges_match_agreement_bounds_and_intervals_match_r_vcd(summary, bounds_and_tables, quantity, weights):
    bounds, tables = bounds_and_tables
    row = summary.loc[quantity]
    assert (row["low"], row["high"]) == (bounds.loc[quantity, "min"], bounds.loc[quantity, "max"])
    ref = pd.read_csv(FIXTURES / "vcd_kappa.csv")
    cells = {" ".join(map(str, t.ravel())) for t in tables}
    ref = ref[ref["cells"].isin(cells) & (ref["weights"] == weights)]
    assert len(ref) == len(tables)
    assert row["ci_low"] == pytest.approx(ref["lwr"].min(), rel=1e-12)
    assert row["ci_high"] == pytest.approx(ref["upr"].max(), rel=1e-12)


def test_table_intervals_one_row_per_table(bounds_and_tables):
    _, tables = bounds_and_tables
    per = ident.table_intervals(tables)
    assert len(per) == len(tables)
    assert (per["good_gap_low"] <= per["good_gap"]).all() and (per["good_gap"] <= per["good_gap_high"]).all()
    assert per["n_force_better"].dtype == np.int64


def test_tables_with_different_margins_are_refused():
    with pytest.raises(ValueError, match="same margins"):
        ident.identified_summary([np.eye(3), np.diag([2, 0, 1])])


def test_same_ranking_kinder_on_the_published_margins(bounds_and_tables):
    _, tables = bounds_and_tables
    kinder = ident.one_grade_kinder_table(INSPECTORS)
    np.testing.assert_array_equal(kinder, [[10, 17, 0], [0, 0, 6], [0, 0, 0]])
    np.testing.assert_array_equal(kinder.sum(axis=1), FORCE)  # it is one of the consistent tables
    for strict in (True, False):
        hits = np.flatnonzero(ident.same_ranking_kinder(tables, strict=strict))
        assert len(hits) == 1
        np.testing.assert_array_equal(tables[hits[0]], kinder)


def test_same_ranking_kinder_definition():
    diagonal = np.diag([3, 4, 5])  # same ranking but not kinder
    partly = np.array([[3, 2, 0], [0, 2, 1], [0, 0, 5]])  # some cases kept their grade
    two_steps = np.array([[3, 0, 2], [0, 0, 0], [0, 0, 0]])
    worse = np.array([[3, 0, 0], [1, 0, 0], [0, 0, 0]])
    ties_only = np.array([[3, 0, 0], [0, 0, 0], [0, 0, 0]])  # gamma undefined
    stack = [ident.one_grade_kinder_table([2, 3, 4]), diagonal, partly, two_steps, worse, ties_only]
    assert ident.same_ranking_kinder(stack).tolist() == [True, False, False, False, False, False]
    assert ident.same_ranking_kinder(stack, strict=False).tolist() == [True, True, True, False, False, False]
