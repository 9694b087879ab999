"""Rows of ``association_tests.csv``: one per test of a comparison, with the columns shared by every comparison (areas, samples)."""

from __future__ import annotations

import numpy as np

from analysis.narrative.style import level_text
from analysis.stats.association import chi_squared_test, cramers_v, fisher_freeman_halton

ASSOCIATION_COLUMNS: dict[str, str] = {
    "comparison": "What is compared: areas_by_grade (HMICFRS grades across the practice areas, all cases) or force_vs_inspectorate_selected (HMICFRS grades of the two samples).",
    "test": "The test: chi_squared, fisher_exact (exact Fisher-Freeman-Halton), fisher_monte_carlo, kruskal_wallis, proportional_odds, mann_whitney, mann_whitney_exact, "
    "proportional_odds_check (the proportional-odds assumption tested against a separate odds ratio per cut) or cumulative_odds_ratio_<cut> (the odds ratio at one cut of the scale).",
    "statistic": "Test statistic: Pearson's X^2, H, U, the likelihood-ratio chi-squared of the proportional-odds model, or for the Fisher tests the probability of the observed table given its margins.",
    "df": "Degrees of freedom of the chi-squared reference distribution (empty where none is used).",
    "p_value": "Two-sided p-value.",
    "effect_size": "Effect size (empty where none is given).",
    "effect_size_name": "Name of the effect size: cramers_v, cramers_v_bias_corrected (Bergsma 2013), epsilon_squared, common_odds_ratio (above 1: the force-selected cases got better grades), cumulative_odds_ratio (the same at one cut of the scale) or probability_of_superiority.",
    "ci_low": f"Lower end of the {level_text()} interval of the effect size, where one is given (the common odds ratio of the proportional-odds model; Woolf's interval for a cumulative odds ratio); empty otherwise.",
    "ci_high": f"Upper end of that {level_text()} interval; empty otherwise.",
    "mc_standard_error": "Monte Carlo standard error of a simulated p-value (binomial, for the (hits + 1) / (draws + 1) estimate); empty for other tests.",
    "note": "How the test was computed, and checks on its assumptions.",
}


def _chi_note(res) -> str:
    cells = res.expected.size
    below = int(round(res.share_expected_below_5 * cells))
    verdict = (
        "the chi-squared approximation is doubtful (Cochran's rule allows at most 20%)"
        if res.share_expected_below_5 > 0.2
        else ("within Cochran's rule (at most 20% below 5)")
    )
    return (
        f"Pearson, no continuity correction; {below} of {cells} expected counts below 5 "
        f"(share {res.share_expected_below_5:.3f}), smallest expected count {res.min_expected:.3f}: {verdict}"
    )


def result_row(comparison, test, statistic, df, p, effect, effect_name, note, ci=(np.nan, np.nan), mc_se=np.nan) -> dict:
    """One row of ``association_tests.csv``."""
    return {
        "comparison": comparison,
        "test": test,
        "statistic": float(statistic),
        "df": df,
        "p_value": float(p),
        "effect_size": float(effect) if effect is not None else np.nan,
        "effect_size_name": effect_name,
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
        "mc_standard_error": float(mc_se),
        "note": note,
    }


def contingency_rows(comparison: str, table: np.ndarray) -> list[dict]:
    """Pearson's chi-squared (Cramér's V) and the exact Fisher-Freeman-Halton test (bias-corrected V) of a groups x grades table.

    The exact test falls back to a seeded Monte Carlo p-value only past its work budget; the note
    then says so and the row carries the Monte Carlo standard error.
    """
    chi = chi_squared_test(table)
    exact = fisher_freeman_halton(table)
    how = (
        "exact test (network algorithm; checked against R's fisher.test in the test suite)"
        if exact.method == "exact"
        else f"Monte Carlo p-value from {exact.samples} tables, numpy seed {exact.seed}, standard error {exact.mc_standard_error:.2g} "
        "(the exact test exceeded its work budget)"
    )
    return [
        result_row(comparison, "chi_squared", chi.statistic, chi.df, chi.p_value, cramers_v(table), "cramers_v", _chi_note(chi)),
        result_row(
            comparison,
            "fisher_exact",
            exact.table_probability,
            None,
            exact.p_value,
            cramers_v(table, bias_corrected=True),
            "cramers_v_bias_corrected",
            f"Fisher-Freeman-Halton {how}; statistic is the probability of the observed table given its margins; it ignores the order of the grades",
            mc_se=exact.mc_standard_error if exact.method != "exact" else np.nan,
        ),
    ]
