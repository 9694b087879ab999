"""Rows of ``association_tests.csv``: one per test of a comparison, with the columns shared by every comparison (areas, samples)."""

from __future__ import annotations

import numpy as np

from analysis.narrative import association as words
from analysis.stats.association import chi_squared_test, cramers_v, fisher_freeman_halton

#: The column descriptions of ``association_tests.csv`` (words: :func:`analysis.narrative.association.association_columns`).
ASSOCIATION_COLUMNS: dict[str, str] = words.association_columns()


def _chi_note(res) -> str:
    cells = res.expected.size
    below = int(round(res.share_expected_below_5 * cells))
    return words.chi_squared_note(below, cells, res.share_expected_below_5, res.min_expected)


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
            words.fisher_note(exact.method == "exact", exact.samples, exact.seed, exact.mc_standard_error),
            mc_se=exact.mc_standard_error if exact.method != "exact" else np.nan,
        ),
    ]
