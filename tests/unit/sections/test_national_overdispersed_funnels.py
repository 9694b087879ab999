"""Funnels that allow for over-dispersion: the published tables against the statistics, a hand computation and scipy, and the sentences.

The made-up funnels below are test fixtures (forces called "Made-up ..."), not data.
"""

from __future__ import annotations

import io
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from analysis.data.load import load_audit
from analysis.data.publish import csv_bytes
from analysis.sections import national as nat
from analysis.sections.panel import panel_for
from analysis.stats import funnel

MAIN = nat.MAIN_ANALYSIS


@pytest.fixture(scope="module")
def docs():
    """The project's national panel (Gwent's package and every package under data/raw/national)."""
    return panel_for(load_audit())


@pytest.fixture(scope="module")
def tables(docs):
    runs = nat.overdispersion_runs(docs)
    return {
        "limits": nat.funnel_limit_table(docs),
        "dispersion": nat.dispersion_table(runs),
        "od_limits": nat.overdispersed_limit_table(runs),
        "positions": nat.position_table(runs),
    }


def row(dispersion: pd.DataFrame, measure: str, analysis: str) -> pd.Series:
    hits = dispersion.loc[dispersion["measure"].eq(measure) & dispersion["analysis"].eq(analysis)]
    assert len(hits) == 1
    return hits.iloc[0]


def read_back(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the site reads it: published bytes, read with pandas."""
    return pd.read_csv(io.BytesIO(csv_bytes(frame)))


# --------------------------------------------------------------------------- the tables against the statistics


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
def test_without_winsorisation_the_test_is_pearsons_and_tau2_is_statsmodels_dersimonian_laird(docs, tables, measure):
    points = nat.funnel_points(docs, measure).loc[lambda p: p["pinned"].astype(bool)]
    pooled = nat.funnel_target(points)
    others = points.loc[~points["is_gwent"]]
    r = row(tables["dispersion"], measure, "not_winsorised")
    assert r["statistic"] == pytest.approx(pooled.chi2, rel=1e-12)  # the Pearson check the notebook reports
    y = (others["count"] / others["n"]).to_numpy()
    var = pooled.share * (1 - pooled.share) / others["n"].to_numpy(float)
    dl = combine_effects(y, var, method_re="dl")
    assert r["tau2"] == pytest.approx(max(0.0, dl.tau2), rel=1e-9)  # statsmodels does not truncate at zero


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
@pytest.mark.slow
def test_limits_recomputed_by_hand_from_phi_and_tau2(tables, measure):
    r = row(tables["dispersion"], measure, MAIN)
    lim = tables["od_limits"].loc[tables["od_limits"]["measure"].eq(measure)]
    assert set(lim["n"]) == set(nat.FUNNEL_N) and set(lim["confidence"]) == set(funnel.CONFIDENCE_LEVELS)
    assert (lim["target"] == r["target"]).all()
    for _, x in lim.iterrows():
        z = NormalDist().inv_cdf((1 + x["confidence"]) / 2)
        p, n = r["target"], x["n"]
        add = z * math.sqrt(p * (1 - p) / n + r["tau2"])
        mult = z * math.sqrt(max(r["phi"], 1.0)) * math.sqrt(p * (1 - p) / n)
        assert (x["additive_lower"], x["additive_upper"]) == pytest.approx((max(0.0, p - add), min(1.0, p + add)), rel=1e-12)
        assert (x["multiplicative_lower"], x["multiplicative_upper"]) == pytest.approx((max(0.0, p - mult), min(1.0, p + mult)), rel=1e-12)


def test_binomial_columns_are_funnel_limits_and_tau2_zero_gives_the_wilson_limits(tables):
    od, limits = tables["od_limits"], tables["limits"]
    for method, columns in (("exact_binomial", ("binomial_lower", "binomial_upper")),):
        ref = limits.loc[limits["method"].eq(method)].set_index(["measure", "confidence", "n"])
        mine = od.set_index(["measure", "confidence", "n"])
        assert list(mine.index) == list(ref.index)
        np.testing.assert_array_equal(mine[list(columns)].to_numpy(), ref[["lower", "upper"]].to_numpy())
        np.testing.assert_array_equal(mine["target"].to_numpy(), ref["target"].to_numpy())
    zero = tables["dispersion"].loc[tables["dispersion"]["analysis"].eq(MAIN) & tables["dispersion"]["tau2"].eq(0), "measure"]
    assert list(zero) == ["inadequate"]  # on these figures; the check below then has something to check
    for measure in zero:
        wilson = limits.loc[limits["method"].eq("wilson") & limits["measure"].eq(measure)]
        mine = od.loc[od["measure"].eq(measure)]
        np.testing.assert_allclose(mine[["additive_lower", "additive_upper"]].to_numpy(), wilson[["lower", "upper"]].to_numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- the run without press-only figures
