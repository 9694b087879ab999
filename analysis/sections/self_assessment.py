"""Self-assessment against inspection: the force's grades of its own 33 cases beside the inspectors' grades of the same cases.

The report publishes only each side's grade totals, so every statement here is a range over all
case-by-case pairings consistent with those totals (:func:`analysis.stats.agreement.agreement_bounds`),
worded so that it holds under every one of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.grades import GRADES
from analysis.stats.agreement import (
    COUNTS,
    KAPPA_TYPE,
    MEASURE_LABELS,
    P_VALUES,
    agreement_bounds,
    cell_columns,
    landis_koch_band,
)

#: Significance level used in the plain-language verdicts on the tests.
SIGNIFICANCE = 0.05


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else "below 0.001"


def verdict(measure: str, lo: float, hi: float, n: int) -> str:
    """A plain-language statement about ``measure`` that is true for every value in ``[lo, hi]``.

    For kappa-type coefficients it names the Landis and Koch band(s); for p-values it says whether
    p is below :data:`SIGNIFICANCE` under every consistent pairing, under none, or depends on the
    pairing; for counts it gives the least and most cases. ``n`` is the number of cases.
    """
    if np.isnan(lo) or np.isnan(hi):
        return "Undefined for every consistent pairing."
    if measure == "observed_agreement":
        return f"Under every consistent pairing the two gradings agree on between {round(lo * n)} and {round(hi * n)} of the {n} cases ({lo:.0%} to {hi:.0%})."
    if measure in KAPPA_TYPE:
        b_lo, b_hi = landis_koch_band(lo), landis_koch_band(hi)
        if b_lo == b_hi:
            return f"'{b_lo}' agreement on the Landis and Koch scale under every consistent pairing ({lo:.2f} to {hi:.2f})."
        return f"Depends on the unknown pairing, from '{b_lo}' to '{b_hi}' on the Landis and Koch scale ({lo:.2f} to {hi:.2f}); under no consistent pairing is it better than '{b_hi}'."
    if measure == "n_force_better":
        return f"Under every consistent pairing the force graded at least {lo:.0f} of the {n} cases better than HMICFRS did (and at most {hi:.0f})."
    if measure == "n_force_worse":
        return f"Under every consistent pairing the force graded at most {hi:.0f} of the {n} cases worse than HMICFRS did (and at least {lo:.0f})."
    if measure == "n_same":
        return f"Under every consistent pairing the force and HMICFRS gave the same grade to at most {hi:.0f} of the {n} cases (and at least {lo:.0f})."
    if measure in P_VALUES:
        if hi < SIGNIFICANCE:
            return f"p < {SIGNIFICANCE} under every consistent pairing (largest p: {_p(hi)})."
        if lo >= SIGNIFICANCE:
            return f"p is at least {SIGNIFICANCE} under every consistent pairing (smallest p: {_p(lo)})."
        return f"Depends on the unknown pairing: p ranges from {_p(lo)} to {_p(hi)}, so no verdict holds for every pairing."
    raise KeyError(f"unknown measure {measure!r}")


def published_margins(data: AuditData, sample: str = "force_selected") -> tuple[np.ndarray, np.ndarray]:
    """Row (force) and column (HMICFRS) grade totals of the double-graded sample, in :data:`GRADES` order.

    Taken from ``data.case_samples``; raises ``ValueError`` if the sample was not graded by both or
    the two totals differ.
    """
    cs = data.case_samples.astype({"sample": str, "assessor": str, "grade": str})
    part = cs[cs["sample"] == sample]
    margins = []
    for assessor in ("force", "hmicfrs"):
        counts = part[part["assessor"] == assessor].set_index("grade")["n"]
        if counts.empty:
            raise ValueError(f"sample {sample!r} has no grades from {assessor!r}")
        margins.append(counts.reindex(list(GRADES), fill_value=0).to_numpy(dtype=np.int64))
    if margins[0].sum() != margins[1].sum():
        raise ValueError(f"sample {sample!r}: force grades add up to {margins[0].sum()}, HMICFRS grades to {margins[1].sum()}")
    return margins[0], margins[1]


def format_value(measure: str, value: float, n: int | None = None) -> str:
    """A measure's value as text: whole numbers for counts, "k of n (p%)" for observed agreement (a bare
    percentage if ``n`` is not given), two significant figures for p-values ("below 0.001" when tiny),
    two decimals otherwise."""
    if np.isnan(value):
        return "undefined"
    if measure in COUNTS:
        return f"{value:.0f}"
    if measure == "observed_agreement":
        return f"{value:.0%}" if n is None else f"{round(value * n)} of {n} ({value:.0%})"
    if measure in P_VALUES:
        return _p(value)
    return f"{value:.2f}"


def summary_table(bounds: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Reader-facing version of ``agreement_bounds.csv``: one row per measure (by its label), values as text.

    Columns: smallest and largest value over the consistent pairings, the values on the two
    reference tables, and the statement that holds under every consistent pairing. ``n`` (the
    number of cases) lets shares be shown with their counts (:func:`format_value`).
    """
    rows = []
    for r in bounds.itertuples(index=False):
        rows.append(
            {
                "Measure": MEASURE_LABELS[r.measure],
                "Smallest": format_value(r.measure, r.min, n),
                "Largest": format_value(r.measure, r.max, n),
                "Closest to independence": format_value(r.measure, r.independence, n),
                "Most cases graded the same": format_value(r.measure, r.max_agreement, n),
                "What holds under every consistent pairing": r.verdict,
            }
        )
    return pd.DataFrame(rows).set_index("Measure")


def plain_reading(bounds: pd.DataFrame, row_sums: Sequence[int], col_sums: Sequence[int], labels: Sequence[str] = GRADES) -> list[str]:
    """Short plain-English statements for a general reader, each true under every consistent pairing.

    Built from ``bounds`` (``agreement_bounds.csv``) and the two sets of totals (force = rows,
    HMICFRS = columns). Statements are only made where they hold over the whole range: the
    direction counts, the best Landis and Koch band any agreement coefficient reaches, and the
    tests' verdicts (all significant, none, or "depends on the pairing").
    """
    b = bounds.set_index("measure")
    n = int(np.sum(row_sums))
    n_tables = int(b["n_tables"].iloc[0])
    out = [
        f"The report does not say which of the force's grades went with which of the inspectors' grades, so every one of the "
        f"{n_tables} ways of matching them up that fits the published totals was checked. The statements below hold for all of them.",
        f"The force graded at least {b.loc['n_force_better', 'min']:.0f} of the {n} cases more favourably than the inspectors did, "
        f"and at most {b.loc['n_force_worse', 'max']:.0f} less favourably.",
        f"The two gave the same grade to at most {b.loc['n_same', 'max']:.0f} of the {n} cases "
        f"({b.loc['observed_agreement', 'max']:.0%}), and perhaps to as few as {b.loc['n_same', 'min']:.0f}.",
    ]
    kappa = b.loc[list(KAPPA_TYPE)]
    best = float(kappa["max"].max())
    best_band = landis_koch_band(best)
    n_negative = int((kappa["min"] < 0).sum())
    text = f"On the scale usually used to describe agreement statistics (Landis and Koch), agreement is at best '{best_band}': no coefficient exceeds {best:.2f} under any pairing"
    if n_negative:
        text += f", and {n_negative} of the {len(kappa)} coefficients fall below zero (worse than chance) under some pairings"
    out.append(text + ".")
    p_max = b.loc[list(P_VALUES), "max"]
    p_min = b.loc[list(P_VALUES), "min"]
    if (p_max < SIGNIFICANCE).all():
        out.append(
            f"If the force and the inspectors had been grading to the same standard, a gap this one-sided would be very unlikely: "
            f"each of the {len(P_VALUES)} tests gives p below {SIGNIFICANCE} under every pairing "
            f"(the largest p-value under any pairing is {_p(float(p_max.max()))})."
        )
    elif (p_min >= SIGNIFICANCE).all():
        out.append(f"None of the {len(P_VALUES)} tests finds a difference at the {SIGNIFICANCE} level under any pairing.")
    else:
        out.append("Whether the tests find a significant difference depends on the unknown pairing, so no verdict is given.")
    return out


_GRADE_NOTE = (
    "Rows of each table are the force's grade and columns HMICFRS's grade, both good, requires improvement, inadequate (best first); "
    "'better' means the force's grade is better than the inspectors'. Scores where needed: good = 3, requires improvement = 2, inadequate = 1."
)


_MEASURE_DOCS: dict[str, str] = {
    "observed_agreement": "Share of cases given the same grade by the force and HMICFRS.",
    "cohen_kappa": "Cohen's kappa (NaN when chance agreement is 1).",
    "weighted_kappa_linear": "Cohen's weighted kappa with linear weights.",
    "weighted_kappa_quadratic": "Cohen's weighted kappa with quadratic weights.",
    "gwet_ac1": "Gwet's AC1 (three categories).",
    "gwet_ac2_linear": "Gwet's AC2 with linear weights.",
    "krippendorff_alpha_ordinal": "Krippendorff's alpha, ordinal metric, two graders.",
    "n_force_better": "Cases the force graded better than HMICFRS.",
    "n_force_worse": "Cases the force graded worse than HMICFRS.",
    "n_same": "Cases both graded the same.",
    "stuart_maxwell_p": "p-value of the Stuart-Maxwell test of marginal homogeneity (df = rank of its covariance matrix; categories not linked by any discordant case dropped).",
    "bowker_p": "p-value of Bowker's test of symmetry (pairs of categories with no discordant case dropped from the statistic and df).",
    "sign_test_p": "Exact two-sided sign test of better against worse (scipy.stats.binomtest); 1 when no case is discordant.",
}


def self_assessment_tables(data: AuditData) -> dict[str, pd.DataFrame]:
    """``agreement_bounds.csv`` (ranges with a verdict that holds over each) and ``consistent_tables.csv``."""
    rows, cols = published_margins(data)
    bounds, tables = agreement_bounds(rows, cols)
    n = int(np.sum(rows))
    bounds["verdict"] = [verdict(m, lo, hi, n) for m, lo, hi in zip(bounds["measure"], bounds["min"], bounds["max"], strict=True)]
    return {"agreement_bounds.csv": bounds, "consistent_tables.csv": tables}


STAGE = Stage(
    name="self_assessment",
    build=self_assessment_tables,
    tables=(
        TableSpec(
            "agreement_bounds.csv",
            "Range of each agreement measure over every pairing consistent with the published grades",
            "For the cases graded by both the force and HMICFRS, the report publishes only each side's grade totals, not which grades go together. "
            "Each row gives one measure's smallest and largest value over every table of case counts with those totals, its value on two reference tables, "
            "and a plain-language statement that holds over the whole range. " + _GRADE_NOTE,
            {
                "measure": "Measure name (see consistent_tables.csv for its definition).",
                "min": "Smallest value over all consistent tables (full precision).",
                "max": "Largest value over all consistent tables (full precision).",
                "independence": "Value on the reference table closest to independence: the expected counts row total x column total / n, rounded to whole cases with the totals kept (controlled rounding, smallest total absolute rounding error). Illustrative, not an estimate.",
                "max_agreement": "Value on the reference table with the most cases graded the same (ties broken by quadratic-weighted agreement, then by the cells). Illustrative, not an estimate.",
                "min_table_id": "table_id in consistent_tables.csv of the first table (in enumeration order) attaining the minimum.",
                "max_table_id": "table_id in consistent_tables.csv of the first table attaining the maximum.",
                "independence_table_id": "table_id of the independence reference table.",
                "max_agreement_table_id": "table_id of the maximum-agreement reference table.",
                "n_tables": "Number of consistent tables.",
                "n_undefined": "Number of consistent tables on which the measure is undefined (left out of min and max).",
                "verdict": "Plain-language statement true under every consistent pairing (Landis and Koch bands for the coefficients; p < 0.05 for the tests).",
            },
            (
                "The independence and maximum-agreement columns are reference points, not the answer: the true pairing is unknown.",
                "The agreement coefficients and counts are linear in the cells once the totals are fixed; their ranges are also checked by linear programming in the tests.",
            ),
        ),
        TableSpec(
            "consistent_tables.csv",
            "Every pairing of force and HMICFRS grades consistent with the published totals",
            "One row per table of case counts (force grade by HMICFRS grade) whose totals match the report, with every per-table measure. "
            + _GRADE_NOTE,
            {
                "table_id": "Number of the table, in lexicographic order of its cells read row by row.",
                **{
                    c: f"Cases graded {c.split('__')[0][6:].replace('_', ' ')} by the force and {c.split('__')[1][8:].replace('_', ' ')} by HMICFRS."
                    for c in cell_columns()
                },
                **_MEASURE_DOCS,
                "stuart_maxwell_statistic": "Stuart-Maxwell chi-squared statistic.",
                "stuart_maxwell_df": "Degrees of freedom of the Stuart-Maxwell test.",
                "bowker_statistic": "Bowker chi-squared statistic.",
                "bowker_df": "Degrees of freedom of Bowker's test.",
            },
            ("Only the totals are published; each row is one possibility, none is known to be the actual pairing.",),
        ),
    ),
)
