"""The two samples: the inspectors' grades of the cases the force selected against those of the cases the inspectors selected.

Only the published totals of each sample are used (the report does not split the practice areas
between the samples). The grades are ordered, so the headline comparison is one that uses the
order: a proportional-odds model (its common odds ratio), with Mann-Whitney beside it; the
order-blind chi-squared and Fisher-Freeman-Halton tests are reported too. The rows' words (their
notes) and every sentence on the subject are in :mod:`analysis.narrative.samples`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import choices
from analysis.data.load import AuditData
from analysis.narrative import samples as words
from analysis.sampling import COMPARED_SAMPLES, COMPARISON
from analysis.sections.association import contingency_rows, result_row
from analysis.stats.association import mann_whitney
from analysis.stats.ordinal_regression import cumulative_odds_ratios, proportional_odds_test, proportional_odds_two_groups

#: Significance level used in the sentences (the analysis's choice, :data:`analysis.choices.ALPHA`).
ALPHA = choices.ALPHA


def sample_counts(data: AuditData) -> pd.DataFrame:
    """HMICFRS grade counts of the two samples (force-selected, inspectorate-selected), one column per grade (best first).

    These are the published marginal totals of each sample; no split by practice area is used.
    """
    cs = data.case_samples.astype({"sample": str, "assessor": str, "grade": str})
    hm = cs[cs["assessor"] == "hmicfrs"]
    counts = hm.pivot(index="sample", columns="grade", values="n")
    return counts.reindex(index=list(COMPARED_SAMPLES), columns=list(data.grades)).astype("int64").rename_axis(index="sample", columns=None)


def sample_tests(data: AuditData) -> list[dict]:
    """Rows of ``association_tests.csv`` for :data:`COMPARISON`: the 2 x 3 table of the inspectors' grades of the two samples.

    ``proportional_odds``: a proportional-odds (ordered logit) model of the grade on the sample
    (statsmodels ``OrderedModel``; McCullagh 1980), likelihood-ratio chi-squared on 1 df, effect
    size the common odds ratio (above 1: the force-selected cases got better grades) with its 95%
    Wald interval. Then Mann-Whitney (asymptotic and exact conditional; effect size the probability
    that a force-selected case is graded better, ties counting half), and the order-blind
    chi-squared and exact Fisher-Freeman-Halton tests.
    """
    counts = sample_counts(data)
    po = proportional_odds_two_groups(counts.iloc[0].to_numpy(), counts.iloc[1].to_numpy())
    rows = [
        result_row(
            COMPARISON,
            "proportional_odds",
            po.statistic,
            po.df,
            po.p_value,
            po.odds_ratio,
            "common_odds_ratio",
            words.proportional_odds_note(),
            ci=(po.ci_low, po.ci_high),
        )
    ]
    worst_first = counts[list(reversed(data.grades))].to_numpy()
    mw = mann_whitney(worst_first[0], worst_first[1])
    rows += [
        result_row(
            COMPARISON,
            "mann_whitney",
            mw.statistic,
            None,
            mw.p_value,
            mw.probability_of_superiority,
            "probability_of_superiority",
            words.mann_whitney_note(exact=False),
        ),
        result_row(
            COMPARISON,
            "mann_whitney_exact",
            mw.statistic,
            None,
            mw.exact_p_value,
            mw.probability_of_superiority,
            "probability_of_superiority",
            words.mann_whitney_note(exact=True),
        ),
    ]
    rows += contingency_rows(COMPARISON, counts.to_numpy())
    check = proportional_odds_test(counts.iloc[0].to_numpy(), counts.iloc[1].to_numpy())
    rows.append(
        result_row(
            COMPARISON,
            "proportional_odds_check",
            check.statistic,
            check.df,
            check.p_value,
            None,
            "",
            words.proportional_odds_check_note(),
        )
    )
    for cut in cumulative_odds_ratios(counts.iloc[0].to_numpy(), counts.iloc[1].to_numpy()).itertuples(index=False):
        rows.append(
            result_row(
                COMPARISON,
                f"cumulative_odds_ratio_{int(cut.cut)}",
                np.nan,
                None,
                np.nan,
                cut.odds_ratio,
                "cumulative_odds_ratio",
                words.cumulative_odds_note(data.grades[: int(cut.cut)], int(cut.cut)),
                ci=(cut.ci_low, cut.ci_high),
            )
        )
    return rows


def better_tie_worse(counts_1, counts_2) -> tuple[float, float, float]:
    """For a case drawn at random from each of two groups (counts per grade, best first): P(the first is graded better), P(same grade), P(worse)."""
    a = np.asarray(counts_1, float) / np.sum(counts_1)
    b = np.asarray(counts_2, float) / np.sum(counts_2)
    joint = np.outer(a, b)
    i, j = np.indices(joint.shape)
    return float(joint[i < j].sum()), float(joint[i == j].sum()), float(joint[i > j].sum())
