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
@pytest.mark.slow
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


@pytest.mark.slow
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


# --------------------------------------------------------------------------- made-up funnels (test fixtures)


def made_up(counts, *, gwent=28, n=80, inspectorate=0) -> pd.DataFrame:
    """Funnel points for made-up forces (test fixtures): ``counts`` of ``n`` for the others, the first ``inspectorate`` of them not secondary."""
    rows = [
        {
            "document_id": f"made_up_{i}",
            "force": f"Made-up {chr(65 + i)}",
            "year": 2020,
            "source_kind": "inspectorate_report" if i < inspectorate else "news",
            "secondary": i >= inspectorate,
            "is_gwent": False,
            "count": c,
            "n": n,
        }
        for i, c in enumerate(counts)
    ]
    rows.append(
        {
            "document_id": "made_up_compared",
            "force": "Made-up Compared",
            "year": 2019,
            "source_kind": "inspectorate_report",
            "secondary": False,
            "is_gwent": True,
            "count": gwent,
            "n": n,
        }
    )
    frame = pd.DataFrame(rows)
    frame["share"] = frame["count"] / frame["n"]
    return frame


def made_up_tables(points_by_measure: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = [nat.overdispersion_run(p, m, a) for m, p in points_by_measure.items() for a in nat.OVERDISPERSION_ANALYSES]
    return read_back(nat.dispersion_table(runs)), read_back(nat.position_table(runs))


TIGHT = [26, 27, 28, 29, 30, 28, 27, 29, 28, 30, 26]


@pytest.mark.parametrize(
    ("counts", "phrase", "named"),
    [
        (TIGHT, "no force under any of the three kinds of limit.", []),
        ([*TIGHT[:-1], 50], "one force under each of the three kinds of limit (Made-up K 2020, above, beyond the 99.8% limit too).", ["K"]),
        ([*TIGHT[:-2], 11, 50], "two forces under each of the three kinds of limit (Made-up J 2020, below", ["J", "K"]),
    ],
)
@pytest.mark.slow
def test_the_count_of_forces_outside_chooses_the_words(counts, phrase, named):
    dispersion, positions = made_up_tables({"inadequate": made_up(counts)})
    text = nat.outside_text(positions, "inadequate")
    assert text.startswith("Outside the 95% limits of the share graded inadequate: ") and phrase in text
    for letter in "ABCDEFGHIJK":
        assert (f"Made-up {letter} 2020" in text) == (letter in named)


@pytest.mark.slow
def test_kinds_of_limit_that_disagree_are_named_apart():
    spread = [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]  # far more spread than chance: over-dispersed limits are much wider
    dispersion, positions = made_up_tables({"good": made_up(spread, gwent=35)})
    text = nat.outside_text(positions, "good")
    assert "under each of the" not in text
    binomial = nat.outside_forces(positions.loc[positions["analysis"].eq(MAIN)], "binomial")
    additive = nat.outside_forces(positions.loc[positions["analysis"].eq(MAIN)], "additive")
    assert len(binomial) > len(additive)
    assert f"{nat.forces_phrase(len(binomial))} under the exact binomial limits" in text
    assert f"{nat.forces_phrase(len(additive))} under the additive random-effects limits" in text
    words = nat.dispersion_text(dispersion, positions, "good")
    assert "the forces' shares spread more than chance alone would make them" in words and "τ² is 0," not in words


def test_the_dispersion_verdict_and_tau2_words_move_with_the_figures():
    dispersion, positions = made_up_tables({"inadequate": made_up(TIGHT)})
    words = nat.dispersion_text(dispersion, positions, "inadequate")
    assert "the test finds no more spread than chance alone could give" in words
    assert "Winsorised at 10% (which changes no z-score here)" in words  # ties at both ends: nothing to pull in
    assert "τ² is 0, so the additive limits are the binomial limits in their Wilson-score form" in words
    assert "with φ at most 1 the multiplicative limits are the binomial ones too" in words
    assert "no force would change band" in words


def test_forces_phrase():
    assert [nat.forces_phrase(k) for k in (0, 1, 2, 12, 14)] == ["no force", "one force", "two forces", "twelve forces", "14 forces"]
    with pytest.raises(ValueError, match="negative"):
        nat.forces_phrase(-1)


@pytest.mark.slow
def test_inside_is_not_sameness_and_outside_is_said_as_outside():
    inside, positions = made_up_tables({"inadequate": made_up(TIGHT)})
    text = nat.compared_verdict(positions, inside, "inadequate")
    assert "lies inside the inner (95%) limits under each of the three kinds of limit" in text
    assert "it does not mean that Made-up Compared is the same as them" in text
    outside, positions = made_up_tables({"inadequate": made_up(TIGHT, gwent=50)})
    text = nat.compared_verdict(positions, outside, "inadequate")
    assert "lies above the outer (99.8%) limit under each of the three kinds of limit" in text
    assert "same as them" not in text and "larger than chance alone would give" in text


def made_up_national(points_by_measure: dict[str, pd.DataFrame]) -> pd.DataFrame:
    docs = pd.concat(points_by_measure.values()).drop_duplicates("document_id").reset_index(drop=True)
    for m, p in points_by_measure.items():
        docs[f"in_funnel_{m}"] = docs["document_id"].isin(p["document_id"])
    return read_back(
        docs[["document_id", "force", "year", "secondary", "source_kind", "is_gwent", *(f"in_funnel_{m}" for m in points_by_measure)]]
    )


@pytest.mark.parametrize(
    ("inadequate", "good", "inadequate_words", "good_words"),
    [
        (TIGHT, TIGHT, "no force under any", "no force under any"),
        ([*TIGHT[:-1], 50], TIGHT, "one force under each", "no force under any"),
        ([*TIGHT[:-2], 11, 50], [*TIGHT[:-1], 50], "two forces under each", "one force under each"),
    ],
)
@pytest.mark.slow
def test_the_headline_counts_and_names_the_forces_outside(inadequate, good, inadequate_words, good_words):
    points = {"inadequate": made_up(inadequate), "good": made_up(good)}
    _, positions = made_up_tables(points)
    text = nat.headline(made_up_national(points), positions)
    assert f"for the share graded inadequate, {inadequate_words}" in text and f"for the share graded good, {good_words}" in text
    assert "Set beside 11 other forces' full inspections published from 2020 to 2020 (all 11 known only from news reports)" in text
    assert "Inside the limits does not show that Made-up Compared is the same as the forces compared" in text
    assert "no different" not in text


@pytest.mark.slow
def test_the_headline_says_where_the_force_lies_when_it_is_outside():
    points = {"inadequate": made_up(TIGHT, gwent=50), "good": made_up(TIGHT)}
    _, positions = made_up_tables(points)
    text = nat.headline(made_up_national(points), positions)
    assert "graded inadequate: above the outer (99.8%) limit under the exact binomial limits" in text
    assert "graded good: inside the inner (95%) limits" in text
    assert "is the same as the forces compared" in text  # still inside on one funnel


def test_the_sensitivity_run_is_made_when_forces_from_the_inspectorate_remain():
    points = made_up([*TIGHT[:-1], 50], inspectorate=4)
    dispersion, positions = made_up_tables({"inadequate": points})
    r = row(dispersion, "inadequate", "without_secondary_sources")
    assert (r["forces"], r["forces_left_out"], r["df"]) == (4, 7, 3) and pd.isna(r["note"])
    kept = points.loc[~points["secondary"]]
    est = funnel.dispersion(kept.loc[~kept["is_gwent"], "count"], kept.loc[~kept["is_gwent"], "n"], winsor_level=funnel.WINSOR_LEVEL)
    assert r["phi"] == pytest.approx(est.phi) and r["tau2"] == pytest.approx(est.tau2)
    part = positions.loc[positions["analysis"].eq("without_secondary_sources")]
    assert set(part["document_id"]) == set(kept["document_id"])
    text = nat.secondary_sensitivity_text(dispersion, positions, "inadequate")
    assert text.startswith(
        "Without the figures known only from secondary coverage (seven forces left out, four forces kept), outside the 95%"
    )
    assert "Made-up K" not in text  # the force outside on the full funnel is a secondary source, left out here


def test_one_force_from_the_inspectorate_is_not_enough():
    dispersion, _ = made_up_tables({"good": made_up(TIGHT, inspectorate=1)})
    r = row(dispersion, "good", "without_secondary_sources")
    assert (r["forces"], r["forces_left_out"]) == (1, 10) and pd.isna(r["phi"])
    assert r["note"] == (
        "Only one other force on the funnel (Made-up A 2020) is not known only from secondary coverage: "
        "without the other 10 (news reports) the spread between forces cannot be estimated from one force."
    )


@pytest.mark.slow
def test_sentences_read_the_same_from_the_published_files(tables):
    dispersion, positions = tables["dispersion"], tables["positions"]
    national = tables["national"]
    for measure in nat.FUNNEL_MEASURES:
        for f in (nat.dispersion_text, nat.secondary_sensitivity_text):
            assert f(dispersion, positions, measure) == f(read_back(dispersion), read_back(positions), measure)
        assert nat.compared_verdict(positions, dispersion, measure) == nat.compared_verdict(
            read_back(positions), read_back(dispersion), measure
        )
    assert nat.headline(national, positions) == nat.headline(read_back(national), read_back(positions))
