"""Tests for the two degrees-of-freedom conventions of analysis.stats.agreement.bowker, against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import SquareTable

from analysis.stats import agreement as ag


@pytest.fixture(scope="module")
def tables():
    return ag.tables_of(ag.agreement_bounds([27, 6, 0], [10, 17, 6])[1])


def test_default_is_unchanged(tables):
    default = ag.bowker(tables)
    informative = ag.bowker(tables, df_convention="informative")
    for a, b in zip(
        (default.statistic, default.df, default.pvalue), (informative.statistic, informative.df, informative.pvalue), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    # the published column is the default convention
    np.testing.assert_array_equal(ag.table_measures(tables)["bowker_p"], default.pvalue)


def test_all_pairs_matches_statsmodels(tables):
    res = ag.bowker(tables, df_convention="all_pairs")
    assert (res.df == 3).all()
    for i, t in enumerate(tables):
        ref = SquareTable(t, shift_zeros=False).symmetry()
        assert res.statistic[i] == pytest.approx(ref.statistic, rel=1e-12)
        assert res.pvalue[i] == pytest.approx(ref.pvalue, rel=1e-10)


def test_conventions_differ_only_in_df(tables):
    a = ag.bowker(tables)
    b = ag.bowker(tables, df_convention="all_pairs")
    np.testing.assert_array_equal(a.statistic, b.statistic)
    assert (b.pvalue >= a.pvalue).all()
    # the issue: the largest p over the consistent tables is 0.0057 (empty pairs dropped) v 0.0104 (k(k-1)/2)
    assert round(float(a.pvalue.max()), 4) == 0.0057
    assert round(float(b.pvalue.max()), 4) == 0.0104


def test_no_discordant_case_and_bad_convention():
    res = ag.bowker(np.diag([3, 4, 5]), df_convention="all_pairs")
    assert res.statistic == 0 and res.df == 3 and res.pvalue == 1
    with pytest.raises(ValueError):
        ag.bowker(np.eye(3), df_convention="k(k-1)/2")
