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
from scipy.stats import mstats
from statsmodels.stats.meta_analysis import combine_effects

from analysis.data.load import load_audit
from analysis.data.publish import csv_bytes
from analysis.sections import national as nat
from analysis.stats import funnel

MAIN = nat.MAIN_ANALYSIS


@pytest.fixture(scope="module")
def docs():
    return nat.documents(load_audit())


@pytest.fixture(scope="module")
def tables(docs):
    runs = nat.overdispersion_runs(docs)
    return {
        "national": nat.national_table(docs),
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
@pytest.mark.parametrize(("analysis", "level"), [(MAIN, funnel.WINSOR_LEVEL), ("not_winsorised", 0.0)])
def test_dispersion_rows_are_the_stats_functions_on_the_other_forces(docs, tables, measure, analysis, level):
    points = nat.funnel_points(docs, measure)
    others = points.loc[~points["is_gwent"]]
    target = others["count"].sum() / others["n"].sum()
    est = funnel.dispersion(others["count"].to_numpy(), others["n"].to_numpy(), target, level, "identity")
    r = row(tables["dispersion"], measure, analysis)
    assert (r["forces"], r["forces_left_out"], r["df"], r["winsor_level"], r["scale"]) == (
        len(others),
        0,
        len(others) - 1,
        level,
        "identity",
    )
    for field in ("target", "phi", "statistic", "p_value", "tau2"):
        assert r[field] == getattr(est, field), field
    _, placed = funnel.overdispersed_positions(points["count"], points["n"], target, level, "identity", ~points["is_gwent"].to_numpy())
    part = tables["positions"].loc[tables["positions"]["measure"].eq(measure) & tables["positions"]["analysis"].eq(analysis)]
    assert list(part["document_id"]) == list(points["document_id"])
    for kind in nat.LIMIT_KINDS:
        assert list(part[f"position_{kind}"]) == list(placed[f"position_{kind}"]), kind
    np.testing.assert_array_equal(part["z"], placed["z"])


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
def test_phi_and_tau2_by_hand_with_scipy_winsorising(docs, tables, measure):
    """An independent computation: z-scores written out, scipy's count-based Winsorisation, the moment formula for tau2."""
    others = nat.funnel_points(docs, measure).loc[lambda p: ~p["is_gwent"]]
    y, n = (others["count"] / others["n"]).to_numpy(), others["n"].to_numpy(float)
    p = others["count"].sum() / others["n"].sum()
    z = (y - p) / np.sqrt(p * (1 - p) / n)
    units = len(z)
    # With 11 forces the 10% type-7 quantiles are exactly the second-lowest and second-highest z, so they equal
    # scipy's Winsorisation, which replaces floor(0.1 * 11) = 1 value at each end by its neighbour.
    assert units == 11
    wz = np.asarray(mstats.winsorize(z, limits=(0.1, 0.1)))
    w = n / (p * (1 - p))
    for analysis, zz in ((MAIN, wz), ("not_winsorised", z)):
        r = row(tables["dispersion"], measure, analysis)
        phi = float(np.mean(zz**2))
        tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
        assert r["phi"] == pytest.approx(phi, rel=1e-12) and r["statistic"] == pytest.approx(units * phi, rel=1e-12)
        assert r["tau2"] == pytest.approx(tau2, rel=1e-12, abs=1e-15)
    # the documents Winsorisation pulled in are the lowest and the highest z-score
    pulled = set(row(tables["dispersion"], measure, MAIN)["winsorised"].split(";"))
    assert pulled == {others["document_id"].iloc[int(np.argmin(z))], others["document_id"].iloc[int(np.argmax(z))]}


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
def test_without_winsorisation_the_test_is_pearsons_and_tau2_is_statsmodels_dersimonian_laird(docs, tables, measure):
    points = nat.funnel_points(docs, measure)
    pooled = nat.funnel_target(points)
    others = points.loc[~points["is_gwent"]]
    r = row(tables["dispersion"], measure, "not_winsorised")
    assert r["statistic"] == pytest.approx(pooled.chi2, rel=1e-12)  # the Pearson check the notebook reports
    y = (others["count"] / others["n"]).to_numpy()
    var = pooled.share * (1 - pooled.share) / others["n"].to_numpy(float)
    dl = combine_effects(y, var, method_re="dl")
    assert r["tau2"] == pytest.approx(max(0.0, dl.tau2), rel=1e-9)  # statsmodels does not truncate at zero


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
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


def test_positions_follow_the_published_limits(tables):
    """Each force's position, re-derived by comparing its share with the limits table at its n (a share on a limit is inside)."""
    od = tables["od_limits"].set_index(["measure", "confidence", "n"])
    inner, outer = funnel.CONFIDENCE_LEVELS
    main = tables["positions"].loc[tables["positions"]["analysis"].eq(MAIN)]
    assert len(main) and main["n"].between(min(nat.FUNNEL_N), max(nat.FUNNEL_N)).all()
    for _, x in main.iterrows():
        for kind in nat.LIMIT_KINDS:
            lo_in, hi_in = od.loc[(x["measure"], inner, x["n"]), [f"{kind}_lower", f"{kind}_upper"]]
            lo_out, hi_out = od.loc[(x["measure"], outer, x["n"]), [f"{kind}_lower", f"{kind}_upper"]]
            s = x["share"]
            expected = (
                "above_99.8"
                if s > hi_out
                else "below_99.8"
                if s < lo_out
                else "above_95"
                if s > hi_in
                else "below_95"
                if s < lo_in
                else "within_95"
            )
            assert x[f"position_{kind}"] == expected, (x["document_id"], x["measure"], kind)


def test_main_binomial_positions_are_national_audits_positions(tables):
    national = tables["national"].set_index("document_id")
    main = tables["positions"].loc[tables["positions"]["analysis"].eq(MAIN)]
    for measure in nat.FUNNEL_MEASURES:
        part = main.loc[main["measure"].eq(measure)].set_index("document_id")
        assert set(part.index) == set(national.index[national[f"in_funnel_{measure}"]])
        assert (part["position_binomial"] == national.loc[part.index, f"funnel_{measure}_position"]).all()


# --------------------------------------------------------------------------- the run without press-only figures


def test_without_secondary_sources_there_is_nothing_to_compare(docs, tables):
    dispersion, positions = tables["dispersion"], tables["positions"]
    for measure in nat.FUNNEL_MEASURES:
        points = nat.funnel_points(docs, measure)
        others = points.loc[~points["is_gwent"]]
        assert others["secondary"].all()  # every other force on the funnel is known only from secondary coverage
        r = row(dispersion, measure, "without_secondary_sources")
        assert (r["forces"], r["forces_left_out"]) == (0, len(others))
        assert r[["target", "phi", "statistic", "p_value", "tau2"]].isna().all() and pd.isna(r["df"])
        assert r["note"] == (
            f"All {len(others)} other forces on the funnel are known only from secondary coverage (news reports): "
            "without them only Gwent is left, so there is nothing to compare it with and no spread between forces to estimate."
        )
        assert positions.loc[positions["measure"].eq(measure) & positions["analysis"].eq("without_secondary_sources")].empty
    text = nat.secondary_summary(read_back(dispersion), read_back(positions))
    assert text.startswith(
        "A run without the figures known only from secondary coverage cannot be made on either funnel, for the same reason."
    )
    assert "All 11 other forces" in text and "nothing to compare it with" in text
