"""Words of ``association_tests.csv``, the table every comparison (practice areas, samples) shares: its column descriptions and the notes of its rows.

Plain values in (counts, shares, seeds), words out; :mod:`analysis.sections.association` builds the rows.
"""

from __future__ import annotations

from analysis.narrative.style import level_text

#: Cochran's rule: the chi-squared approximation is doubtful when more than this share of expected counts is below 5.
COCHRAN_SHARE = 0.2


def association_columns() -> dict[str, str]:
    """The column descriptions of ``association_tests.csv`` (``datapackage.json``), in the table's order."""
    return {
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


def chi_squared_note(below: int, cells: int, share_below_5: float, min_expected: float) -> str:
    """The ``note`` of a Pearson chi-squared row: how many of the ``cells`` expected counts are below 5 (``below``, a share
    ``share_below_5``), the smallest expected count, and whether that is within Cochran's rule (at most :data:`COCHRAN_SHARE` below 5)."""
    rule = f"{COCHRAN_SHARE:.0%}"
    verdict = (
        f"the chi-squared approximation is doubtful (Cochran's rule allows at most {rule})"
        if share_below_5 > COCHRAN_SHARE
        else f"within Cochran's rule (at most {rule} below 5)"
    )
    return (
        f"Pearson, no continuity correction; {below} of {cells} expected counts below 5 "
        f"(share {share_below_5:.3f}), smallest expected count {min_expected:.3f}: {verdict}"
    )


def fisher_note(exact: bool, samples: int | None = None, seed: int | None = None, standard_error: float | None = None) -> str:
    """The ``note`` of a Fisher-Freeman-Halton row: the exact network algorithm, or (``exact`` false, past its work budget) the
    seeded Monte Carlo p-value from ``samples`` tables with its ``standard_error``."""
    how = (
        "exact test (network algorithm; checked against R's fisher.test in the test suite)"
        if exact
        else f"Monte Carlo p-value from {samples} tables, numpy seed {seed}, standard error {standard_error:.2g} "
        "(the exact test exceeded its work budget)"
    )
    return f"Fisher-Freeman-Halton {how}; statistic is the probability of the observed table given its margins; it ignores the order of the grades"
