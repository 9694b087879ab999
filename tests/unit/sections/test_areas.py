"""The areas stage: area summary and association tables, ordering rule, themes and recommendations per area."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import AREA_CODES

from analysis.data.load import load_audit
from analysis.data.publish import csv_bytes
from analysis.grades import GRADES
from analysis.narrative.areas import area_profile, format_share_table
from analysis.pipeline import build_stage, stage
from analysis.sections.areas import (
    area_counts,
    area_recommendations,
    area_summary,
    area_tables,
    association_tests,
    mean_score,
    order_weakest_first,
)
from analysis.sections.samples import sample_counts

GRADE_COLS = ["good", "requires_improvement", "inadequate"]
AREAS = AREA_CODES


@pytest.fixture(scope="module")
def data():
    return load_audit()


@pytest.fixture(scope="module")
def tests_table(data):
    return association_tests(data)


@pytest.fixture(scope="module")
def _summary(data):
    """``area_summary(data)``, computed once for the module (it integrates the hierarchical model's posterior: seconds)."""
    return area_summary(data)


@pytest.fixture
def summary(_summary):
    """A fresh copy of the module's area summary, so that no test sees another's changes."""
    return _summary.copy()


@pytest.fixture(scope="module")
def _tables(data):
    """``area_tables(data)``, computed once for the module."""
    return area_tables(data)


@pytest.fixture
def tables(_tables):
    """Fresh copies of the module's area tables."""
    return {name: frame if isinstance(frame, str) else frame.copy() for name, frame in _tables.items()}


@pytest.mark.slow
def test_area_summary_columns_and_backtest(data, summary):
    expected = ["area", "n", *GRADE_COLS]
    for g in GRADE_COLS:
        expected += [f"share_{g}", f"wilson_low_{g}", f"wilson_high_{g}", f"exact_low_{g}", f"exact_high_{g}"]
    expected += [
        "adjusted_low_inadequate",
        "adjusted_high_inadequate",
        "vs_rest_p_inadequate",
        "vs_rest_p_holm_inadequate",
        "vs_rest_p_good",
        "vs_rest_p_holm_good",
        "pooled_share_inadequate",
        "pooled_low_inadequate",
        "pooled_high_inadequate",
        "p_weakest",
    ]
    assert list(summary.columns) == expected
    assert summary["area"].tolist() == AREAS
    # the areas add up to the report's totals: 80 cases, 20 good, 37 requires improvement, 23 inadequate
    assert summary["n"].sum() == data.total("cases_all")
    for g, n in zip(GRADE_COLS, data.counts("all", "inspectorate"), strict=True):
        assert summary[g].sum() == n
        assert (summary[f"wilson_low_{g}"] <= summary[f"share_{g}"]).all()
    cse = summary.set_index("area").loc["child_sexual_exploitation"]
    assert (cse["n"], cse["inadequate"]) == (16, 9)
    assert cse["share_inadequate"] == pytest.approx(9 / 16)


def test_samples_use_only_published_hmicfrs_totals(data):
    counts = sample_counts(data)
    assert counts.loc["force_selected"].tolist() == [10, 17, 6]
    assert counts.loc["inspectorate_selected"].tolist() == [10, 20, 17]
    assert list(counts.columns) == list(GRADES)


@pytest.mark.slow
def test_order_rule(summary):
    order = order_weakest_first(summary)
    assert order[0] == "child_sexual_exploitation" and order[-1] == "police_protection_s46"
    # equal share inadequate (2 of 8 and 3 of 12): fewer good first
    assert order.index("children_in_custody") < order.index("domestic_abuse")
    # equal share inadequate and good (2/6/2 and 4/4/2 of 10 differ in good): other referrals before s47
    assert order.index("other_referrals") < order.index("s47_enquiries")
    tie = pd.DataFrame({"area": ["a", "b"], "share_inadequate": [0.5, 0.5], "share_good": [0.1, 0.1]})
    assert order_weakest_first(tie) == ["a", "b"]


def test_mean_score(data):
    scores = mean_score(area_counts(data), data.grades)
    assert scores["police_protection_s46"] == pytest.approx(2.5)
    assert scores["child_sexual_exploitation"] == pytest.approx((3 * 3 + 4 * 2 + 9) / 16)


def test_association_tests_table(data, tests_table):
    t = tests_table
    assert list(t.columns) == [
        "comparison",
        "test",
        "statistic",
        "df",
        "p_value",
        "effect_size",
        "effect_size_name",
        "ci_low",
        "ci_high",
        "mc_standard_error",
        "note",
    ]
    pairs = set(zip(t["comparison"], t["test"], strict=True))
    for test in ("chi_squared", "fisher_exact", "kruskal_wallis"):
        assert ("areas_by_grade", test) in pairs
    for test in ("chi_squared", "fisher_exact", "mann_whitney"):
        assert ("force_vs_inspectorate_selected", test) in pairs
    row = t.set_index(["comparison", "test"])
    assert row.loc[("areas_by_grade", "chi_squared"), "df"] == 14
    assert row.loc[("areas_by_grade", "chi_squared"), "effect_size_name"] == "cramers_v"
    assert row.loc[("force_vs_inspectorate_selected", "mann_whitney"), "effect_size_name"] == "probability_of_superiority"
    # force-selected cases were graded better (fewer inadequate): probability of superiority above one half
    assert row.loc[("force_vs_inspectorate_selected", "mann_whitney"), "effect_size"] > 0.5
    assert row.loc[("areas_by_grade", "fisher_exact"), "p_value"] == pytest.approx(0.2554925197426237, rel=1e-8)
    assert row.loc[("force_vs_inspectorate_selected", "fisher_exact"), "p_value"] == pytest.approx(0.20411896510880678, rel=1e-8)
    assert "seed" in row.loc[("areas_by_grade", "fisher_monte_carlo"), "note"]
    with_p = t[~t["test"].str.startswith("cumulative_odds_ratio_")]  # an odds ratio at one cut has no p-value
    assert with_p["p_value"].between(0, 1).all() and t.loc[t["test"].str.startswith("cumulative_odds_ratio_"), "p_value"].isna().all()


@pytest.mark.slow
def test_stage_is_registered_and_deterministic(data, _tables, fresh_computation):
    s = stage("areas")
    assert {spec.path for spec in s.specs(data)} == {
        "area_summary.csv",
        "area_ranks.csv",
        "area_sample_bounds.csv",
        "area_adjusted.csv",
        "association_tests.csv",
    }
    # two computations of the stage, each from scratch: this one (nothing read from the run's shared results) and the module's area_tables(data)
    first = build_stage("areas", data)
    second = {name: frame for name, frame in _tables.items() if not isinstance(frame, str)}
    assert sorted(first) == sorted(second)
    for name, frame in first.items():
        assert csv_bytes(frame) == csv_bytes(second[name])


@pytest.mark.slow
def test_themes_and_recommendations(data, summary):
    themes = data.extra("area_themes")
    assert set(themes["practice_area"]) == set(AREAS)
    assert themes.groupby("practice_area")["theme_number"].apply(lambda s: s.tolist() == list(range(1, len(s) + 1))).all()
    recs = area_recommendations(data)
    assert set(recs["practice_area"]) <= set(AREAS)
    assert recs.loc[recs["practice_area"] == "children_in_custody", "deadline"].tolist() == ["immediately"]
    label = data.practice_areas.set_index("practice_area").loc["children_in_custody", "label"]
    text = area_profile("children_in_custody", label, data.grades, themes, recs, summary)
    assert "R8 (act immediately)" in text and "0 good, 6 requires improvement and 2 inadequate" in text
    assert text.count("\n- ") == 4 + 1


@pytest.mark.slow
def test_format_share_table(data, summary):
    table = format_share_table(summary, data.grades, {"s47_enquiries": "Section 47"})
    assert table.loc["Section 47", "Inadequate"] == "2 of 10 (20%; 95% interval 6% to 51%)"
    assert list(table.columns) == [g.capitalize() for g in GRADES]
    assert np.all(table.index[1:] == AREAS[1:])


def test_the_samples_headline_test_is_ordinal(tests_table):
    """The proportional-odds row: LR chi-squared on 1 df, common odds ratio above 1 when the force-selected cases did better."""
    row = tests_table.set_index(["comparison", "test"]).loc[("force_vs_inspectorate_selected", "proportional_odds")]
    assert row["df"] == 1 and row["effect_size_name"] == "common_odds_ratio"
    assert row["statistic"] == pytest.approx(2.683131, rel=1e-5)
    assert row["p_value"] == pytest.approx(0.101416, rel=1e-4)
    assert row["effect_size"] == pytest.approx(2.01090, rel=1e-4)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(0.86578, rel=1e-4), pytest.approx(4.67065, rel=1e-4))
    cuts = tests_table[tests_table["test"].str.startswith("cumulative_odds_ratio_")]
    assert len(cuts) == 2 and cuts["ci_low"].notna().all() and (cuts["ci_low"] < cuts["effect_size"]).all()
    others = tests_table[(tests_table["test"] != "proportional_odds") & ~tests_table["test"].str.startswith("cumulative_odds_ratio_")]
    assert others["ci_low"].isna().all() and others["ci_high"].isna().all()


def test_monte_carlo_p_values_carry_their_standard_error(tests_table):
    mc = tests_table[tests_table["test"] == "fisher_monte_carlo"]
    assert len(mc) == 1
    p, se = float(mc["p_value"].iloc[0]), float(mc["mc_standard_error"].iloc[0])
    assert 0 < se < 0.01 and "standard error" in mc["note"].iloc[0]
    exact = float(tests_table.set_index(["comparison", "test"]).loc[("areas_by_grade", "fisher_exact"), "p_value"])
    assert abs(p - exact) < 4 * se  # the simulation agrees with the exact p within its own error
    assert tests_table.loc[tests_table["test"] != "fisher_monte_carlo", "mc_standard_error"].isna().all()


@pytest.mark.slow
def test_areas_multiplicity_and_pooling(data, summary):
    """CSE against the rest p = 0.012; Holm over all 16 area-against-rest tests (inadequate and good); pooled shares pull towards the overall share."""
    from analysis.stats.multiplicity import fisher_vs_rest, holm

    s = summary.set_index("area")
    cse = s.loc["child_sexual_exploitation"]
    assert cse["vs_rest_p_inadequate"] == pytest.approx(0.01193, abs=5e-5)
    counts = area_counts(data)
    n = counts.sum(axis=1).to_numpy()
    family = np.concatenate([fisher_vs_rest(counts["inadequate"].to_numpy(), n), fisher_vs_rest(counts["good"].to_numpy(), n)])
    assert np.allclose(np.concatenate([s["vs_rest_p_holm_inadequate"], s["vs_rest_p_holm_good"]]), holm(family))
    assert cse["vs_rest_p_holm_inadequate"] == pytest.approx(16 * 0.0119333542985, abs=1e-9)  # the smallest of 16: times 16
    assert (s["vs_rest_p_holm_inadequate"] >= s["vs_rest_p_inadequate"]).all()
    assert (s["adjusted_low_inadequate"] <= s["wilson_low_inadequate"]).all()
    assert (s["adjusted_high_inadequate"] >= s["wilson_high_inadequate"]).all()
    overall = s["inadequate"].sum() / s["n"].sum()
    raw = s["share_inadequate"]
    assert ((s["pooled_share_inadequate"] - overall).abs() <= (raw - overall).abs() + 1e-12).all()
    assert s["p_weakest"].sum() == pytest.approx(1, abs=5e-3)  # each rounded to three decimals
    assert s["p_weakest"].idxmax() == "child_sexual_exploitation"


@pytest.mark.slow
def test_area_ranks_and_the_sample_mix_tables(data, tables):
    ranks = tables["area_ranks.csv"]
    assert list(ranks.columns) == ["area", "p_weakest", "p_weakest_low", "p_weakest_high", "rank_low", "rank_high"]
    assert ranks["area"].tolist() == AREAS
    cse = ranks.set_index("area").loc["child_sexual_exploitation"]
    assert cse["p_weakest_low"] < 0.2 < 0.5 < cse["p_weakest"] < cse["p_weakest_high"] < 0.8  # the issue: about 0.72 down to 0.20 and lower
    assert (ranks["rank_low"] >= 1).all() and (ranks["rank_high"] <= len(AREAS)).all()
    bounds = tables["area_sample_bounds.csv"]
    assert list(bounds.columns) == ["area", "sample", "grade", "low", "high"]
    assert len(bounds) == len(AREAS) * 2 * len(GRADES)
    # every cell's range holds the two margins: the areas' grades over the samples, the samples' grades over the areas
    for (a, g), part in bounds.groupby(["area", "grade"]):
        n = int(data.area_grades.set_index(["practice_area", "grade"]).loc[(a, g), "n"])
        assert part["low"].sum() <= n <= part["high"].sum()
    adjusted = tables["area_adjusted.csv"]
    assert list(adjusted.columns) == ["area", "quantity", "low", "high"]
    excess = adjusted.set_index(["area", "quantity"])
    assert excess.loc[("child_sexual_exploitation", "standardised_excess_inadequate"), "low"] > 0
    assert excess.loc[("s47_enquiries", "standardised_excess_inadequate"), "low"] < 0


@pytest.mark.slow
def test_the_area_sentences_never_say_a_double_negative_and_take_the_lowest_probability(data, tables):
    from analysis.narrative.areas import headline, mix_reading, multiplicity_reading

    summary, ranks = tables["area_summary.csv"], tables["area_ranks.csv"]
    labels = data.practice_areas.set_index("practice_area")["label"].to_dict()
    text = multiplicity_reading(summary, labels, "inadequate", ranks)
    assert "No area is shown to differ from the rest" in text and "not shown" not in text
    assert (
        "taking the lowest, Child sexual exploitation is the most likely weakest area, though more likely than not another area is weaker"
        in text
    )
    home = headline(summary, labels, "inadequate")
    assert "no area is shown to differ from the rest (the smallest adjusted p-value is 0.191)" in home
    assert "the smallest adjusted p-value of any area is p = 0.191" in text
    # an adjusted p-value below 0.05 names the area
    shown = summary.assign(vs_rest_p_holm_inadequate=np.where(summary["area"].eq("child_sexual_exploitation"), 0.01, 0.5))
    assert "Child sexual exploitation is shown to differ from the rest" in headline(shown, labels, "inadequate")
    mix = mix_reading(tables["area_adjusted.csv"], summary, labels, "inadequate")
    assert mix[0].startswith("Child sexual exploitation (9 of 16 (56%) inadequate")
    assert "keeps an excess over the other areas however its cases split between the samples" in mix[0]
    assert any("has an excess that could be the sample mix" in line for line in mix)
    assert any("has no excess over the other areas to explain" in line for line in mix)
