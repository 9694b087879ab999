"""The funnels built from the national panel: pinned counts estimate, ranges are placed at every count, sensitivity runs take the ranges' ends."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from analysis.data.load import load_audit
from analysis.data.paths import RAW_DIR
from analysis.sections import national as nat
from analysis.sections.panel import panel_for
from analysis.stats import funnel

MAIN = nat.MAIN_ANALYSIS


@pytest.fixture(scope="module")
def panel():
    return panel_for(load_audit(RAW_DIR))


@pytest.fixture(scope="module")
def tables(panel):
    return nat.funnel_tables(panel)


def _row(dispersion, measure, analysis):
    hits = dispersion.loc[dispersion["measure"].eq(measure) & dispersion["analysis"].eq(analysis)]
    assert len(hits) == 1
    return hits.iloc[0]


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
def test_the_funnel_holds_full_inspections_on_gwents_scale_from_the_panel(panel, measure):
    points = nat.funnel_points(panel, measure)
    members = {m.id: m for m in panel.members}
    assert points["is_gwent"].sum() == 1 and points.loc[points["is_gwent"], "document_id"].item() == "gwent-2019"
    for doc in points["document_id"]:
        m = members[doc]
        assert m.document_type == "inspection" and tuple(m.meta.grades) == nat.FUNNEL_SCALE
    left = [m.id for m in panel.members if m.document_type == "inspection" and tuple(m.meta.grades) == nat.FUNNEL_SCALE]
    for doc in set(left) - set(points["document_id"]):  # only documents with no count of all cases stay out (West Yorkshire, percent-only)
        assert members[doc].per_reading(nat.FUNNEL_GROUP) == [], doc


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
@pytest.mark.parametrize(("analysis", "level"), [(MAIN, funnel.WINSOR_LEVEL), ("not_winsorised", 0.0)])
def test_main_estimates_use_the_other_forces_with_pinned_counts_by_hand(panel, tables, measure, analysis, level):
    points = nat.funnel_points(panel, measure)
    others = points.loc[~points["is_gwent"] & points["pinned"]]
    c, n = others["count"].to_numpy(int), others["n"].to_numpy(float)
    p = c.sum() / n.sum()
    z = (c / n - p) / np.sqrt(p * (1 - p) / n)
    if level:  # Winsorised at the type-7 quantiles
        z = np.clip(z, np.quantile(z, level), np.quantile(z, 1 - level))
    w = n / (p * (1 - p))
    phi = float(np.mean(z**2))
    tau2 = max(0.0, (len(z) * phi - (len(z) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    r = _row(tables["funnel_dispersion.csv"], measure, analysis)
    assert (r["forces"], r["forces_left_out"]) == (len(others), (~points["is_gwent"]).sum() - len(others))
    assert r["target"] == pytest.approx(p, rel=1e-12) and r["phi"] == pytest.approx(phi, rel=1e-12)
    assert r["tau2"] == pytest.approx(tau2, rel=1e-12, abs=1e-15)
    if not level:
        var = p * (1 - p) / n
        assert r["tau2"] == pytest.approx(max(0.0, combine_effects(c / n, var, method_re="dl").tau2), rel=1e-9)


@pytest.mark.parametrize("measure", nat.FUNNEL_MEASURES)
def test_a_range_is_inside_or_outside_only_when_every_count_of_it_is(panel, tables, measure):
    """Brute force: place every count of every range against the main analysis's target with the exact binomial limits."""
    target = _row(tables["funnel_dispersion.csv"], measure, MAIN)["target"]
    positions = tables["funnel_positions.csv"]
    part = positions[positions["measure"].eq(measure) & positions["analysis"].eq(MAIN)].set_index("document_id")
    order = {p: i for i, p in enumerate(funnel.POSITIONS)}
    ranged = 0
    for _, point in nat.funnel_points(panel, measure).iterrows():
        found = {funnel.position(c, size, target) for lo, hi, size in point["readings"] for c in range(lo, hi + 1)}
        got = part.loc[point["document_id"]]
        expected = next(iter(found)) if len(found) == 1 else nat.DEPENDS
        assert got["position_binomial"] == expected, point["document_id"]
        assert (got["position_binomial_low"], got["position_binomial_high"]) == (min(found, key=order.get), max(found, key=order.get))
        ranged += not point["pinned"]
    assert ranged >= 1  # the panel has documents whose counts are ranges (Dorset 2021, the Metropolitan Police 2016, ...)


def test_the_sensitivity_runs_take_every_range_at_its_fewest_and_most(panel, tables):
    measure = "inadequate"
    points = nat.funnel_points(panel, measure)
    others = points.loc[~points["is_gwent"]]
    for analysis, pick in (("ranges_at_fewest", min), ("ranges_at_most", max)):
        counts, sizes = [], []
        for readings in others["readings"]:
            best = pick(readings, key=lambda r: (r[0] if pick is min else r[1]) / r[2])
            counts.append(best[0] if pick is min else best[1])
            sizes.append(best[2])
        r = _row(tables["funnel_dispersion.csv"], measure, analysis)
        assert r["forces"] == len(others) and r["forces_left_out"] == 0
        assert r["target"] == pytest.approx(sum(counts) / sum(sizes), rel=1e-12)


def test_dorset_2021_is_placed_over_23_to_28_inadequate(tables):
    positions = tables["funnel_positions.csv"]
    dorset = positions[
        positions["document_id"].eq("dorset-2021") & positions["measure"].eq("inadequate") & positions["analysis"].eq(MAIN)
    ].iloc[0]
    assert (dorset["count_low"], dorset["count_high"], dorset["n"]) == (23, 28, 83) and not dorset["pinned"] and np.isnan(dorset["z"])
