"""The eight practice areas and the two case samples: grade shares with intervals, tests of association, themes and recommendations.

Only published figures are used. The area-by-grade counts cover all cases of both samples
together; the report does not split the areas between the samples, so the samples are compared
on their HMICFRS grades only and never broken down by area.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.load import AuditData
from analysis.data.package import check_foreign_keys, read_resource
from analysis.data.paths import RAW_DIR
from analysis.data.publish import Stage, TableSpec
from analysis.grades import GRADE_SCORES, GRADE_SLUGS, GRADES
from analysis.stats.association import (
    chi_squared_test,
    cramers_v,
    fisher_freeman_halton,
    kruskal_wallis,
    mann_whitney,
)
from analysis.stats.proportions import category_shares
from analysis.text import join_words

#: Seed and number of tables of the Monte Carlo Fisher-Freeman-Halton test written to the outputs.
MONTE_CARLO_SEED = 20190204
MONTE_CARLO_SAMPLES = 100_000

#: How areas are ordered from weakest to strongest, in words (shown in the notebooks).
ORDER_RULE = (
    "areas are ordered by the share of their cases graded inadequate, highest first; "
    "areas with equal shares are ordered by the share graded good, lowest first, and then by their order in the report"
)

SAMPLE_LABELS = {"force_selected": "Force-selected", "inspectorate_selected": "Inspectorate-selected"}


def area_counts(data: AuditData) -> pd.DataFrame:
    """HMICFRS grade counts by practice area: index ``practice_area`` in report order, one column per grade (best first)."""
    areas = data.practice_areas.sort_values("report_order", kind="stable")["practice_area"].tolist()
    counts = data.area_grades.astype({"grade": str}).pivot(index="practice_area", columns="grade", values="n")
    return counts.reindex(index=areas, columns=list(GRADES)).fillna(0).astype("int64").rename_axis(columns=None)


def sample_counts(data: AuditData) -> pd.DataFrame:
    """HMICFRS grade counts of the two samples (force-selected, inspectorate-selected), one column per grade (best first).

    These are the published marginal totals of each sample; no split by practice area is used.
    """
    cs = data.case_samples.astype({"sample": str, "assessor": str, "grade": str})
    hm = cs[cs["assessor"] == "hmicfrs"]
    counts = hm.pivot(index="sample", columns="grade", values="n")
    return counts.reindex(index=list(SAMPLE_LABELS), columns=list(GRADES)).astype("int64").rename_axis(index="sample", columns=None)


def area_summary(data: AuditData) -> pd.DataFrame:
    """One row per practice area (report order): ``area``, ``n``, counts per grade, and per grade its share with Wilson and Clopper-Pearson 95% intervals.

    The columns are those of ``area_summary.csv``; see :func:`analysis.stats.proportions.category_shares`.
    """
    counts = area_counts(data)
    shares = category_shares(counts, [GRADE_SLUGS[g] for g in GRADES])
    return shares.rename_axis("area").reset_index()


def mean_score(counts: pd.DataFrame) -> pd.Series:
    """Mean grade score per row of a grade-count table (good = 3, requires improvement = 2, inadequate = 1)."""
    scores = np.array([GRADE_SCORES[g] for g in GRADES])
    values = counts[list(GRADES)].to_numpy()
    return pd.Series(values @ scores / values.sum(axis=1), index=counts.index)


def order_weakest_first(summary: pd.DataFrame) -> list[str]:
    """Area codes from weakest to strongest by :data:`ORDER_RULE` (``summary`` as from :func:`area_summary`, report order)."""
    frame = summary.assign(_report=np.arange(len(summary)))
    frame = frame.sort_values(["share_inadequate", "share_good", "_report"], ascending=[False, True, True], kind="stable")
    return frame["area"].tolist()


def load_area_themes(raw_dir: str | Path = RAW_DIR) -> pd.DataFrame:
    """The report's common themes per practice area, paraphrased (``practice_area``, ``theme_number``, ``theme``), read against the data package."""
    themes = read_resource(raw_dir, "area_themes")
    areas = read_resource(raw_dir, "practice_areas")
    check_foreign_keys(raw_dir, {"area_themes": themes, "practice_areas": areas})
    themes["_a"] = themes["practice_area"].map(areas.set_index("practice_area")["report_order"])
    return themes.sort_values(["_a", "theme_number"], kind="stable").drop(columns="_a").reset_index(drop=True)


def area_recommendations(data: AuditData) -> pd.DataFrame:
    """Recommendations concerning each practice area: ``practice_area``, ``recommendation_id``, ``deadline``, ``summary`` (areas in report order)."""
    recs = data.recommendations.astype({"deadline": str})
    order = data.practice_areas.set_index("practice_area")["report_order"]
    frame = data.recommendation_areas.merge(recs, on="recommendation_id", how="left", validate="many_to_one")
    frame["_a"] = frame["practice_area"].map(order)
    frame["_r"] = frame["recommendation_id"].str[1:].astype(int)
    frame = frame.sort_values(["_a", "_r"], kind="stable")
    return frame[["practice_area", "recommendation_id", "deadline", "summary"]].reset_index(drop=True)


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


def association_tests(data: AuditData, seed: int = MONTE_CARLO_SEED, samples: int = MONTE_CARLO_SAMPLES) -> pd.DataFrame:
    """Tests of association written to ``association_tests.csv``: one row per test per comparison.

    ``areas_by_grade``: the 8 x 3 table of HMICFRS grades by practice area (all cases), with
    Pearson's chi-squared (effect size Cramér's V), the exact Fisher-Freeman-Halton test (effect
    size the bias-corrected Cramér's V), its seeded Monte Carlo version, and Kruskal-Wallis on the
    ordered grades (effect size epsilon-squared). ``force_vs_inspectorate_selected``: the 2 x 3
    table of HMICFRS grades of the two samples, with chi-squared, exact FFH, and Mann-Whitney
    (asymptotic and exact conditional; effect size the probability that a force-selected case is
    graded better than an inspectorate-selected one, ties counting half). The exact
    Fisher-Freeman-Halton p-value falls back to Monte Carlo (seeded) only past its work budget, and
    its note then says so.
    """
    rows = []

    def add(comparison, test, statistic, df, p, effect, effect_name, note):
        rows.append(
            {
                "comparison": comparison,
                "test": test,
                "statistic": float(statistic),
                "df": df,
                "p_value": float(p),
                "effect_size": float(effect) if effect is not None else np.nan,
                "effect_size_name": effect_name,
                "note": note,
            }
        )

    for comparison, counts, groups in (
        ("areas_by_grade", area_counts(data), "practice areas"),
        ("force_vs_inspectorate_selected", sample_counts(data), "samples"),
    ):
        table = counts.to_numpy()
        chi = chi_squared_test(table)
        add(comparison, "chi_squared", chi.statistic, chi.df, chi.p_value, cramers_v(table), "cramers_v", _chi_note(chi))
        exact = fisher_freeman_halton(table)
        how = (
            "exact test (network algorithm; checked against R's fisher.test in the test suite)"
            if exact.method == "exact"
            else f"Monte Carlo p-value from {exact.samples} tables, numpy seed {exact.seed}, standard error {exact.mc_standard_error:.2g} (the exact test exceeded its work budget)"
        )
        add(
            comparison,
            "fisher_exact",
            exact.table_probability,
            None,
            exact.p_value,
            cramers_v(table, bias_corrected=True),
            "cramers_v_bias_corrected",
            f"Fisher-Freeman-Halton {how}; statistic is the probability of the observed table given its margins",
        )
        if comparison == "areas_by_grade":
            mc = fisher_freeman_halton(table, "monte_carlo", seed=seed, samples=samples)
            add(
                comparison,
                "fisher_monte_carlo",
                mc.table_probability,
                None,
                mc.p_value,
                None,
                "",
                f"Fisher-Freeman-Halton Monte Carlo p-value from {samples} random tables with the observed margins, numpy seed {seed}",
            )
            kw = kruskal_wallis(table)
            add(
                comparison,
                "kruskal_wallis",
                kw.statistic,
                kw.df,
                kw.p_value,
                kw.epsilon_squared,
                "epsilon_squared",
                f"H with tie correction, {groups} as groups and grades as ordered categories (mid-ranks); chi-squared reference",
            )
        else:
            worst_first = counts[list(reversed(GRADES))].to_numpy()
            mw = mann_whitney(worst_first[0], worst_first[1])
            ps_note = (
                "effect size: probability that a force-selected case is graded better than an inspectorate-selected one, ties counting half"
            )
            add(
                comparison,
                "mann_whitney",
                mw.statistic,
                None,
                mw.p_value,
                mw.probability_of_superiority,
                "probability_of_superiority",
                f"U of the force-selected sample; normal approximation with tie correction and continuity correction; {ps_note}",
            )
            add(
                comparison,
                "mann_whitney_exact",
                mw.statistic,
                None,
                mw.exact_p_value,
                mw.probability_of_superiority,
                "probability_of_superiority",
                f"U of the force-selected sample; exact conditional (permutation) p-value given the tied grades; {ps_note}",
            )
    frame = pd.DataFrame(rows)
    frame["df"] = frame["df"].astype("Int64")
    return frame


AREA_SUMMARY_COLUMNS: dict[str, str] = {
    "area": "Practice area code (as in data/raw/practice_areas.csv), in report order.",
    "n": "Number of audited cases in the area (both samples together).",
    **{GRADE_SLUGS[g]: f"Number of the area's cases HMICFRS graded {g}." for g in GRADES},
}
for _g in GRADES:
    _s = GRADE_SLUGS[_g]
    AREA_SUMMARY_COLUMNS.update(
        {
            f"share_{_s}": f"Share of the area's cases graded {_g} (0 to 1).",
            f"wilson_low_{_s}": f"Lower limit of the Wilson score 95% interval for the share graded {_g}.",
            f"wilson_high_{_s}": f"Upper limit of the Wilson score 95% interval for the share graded {_g}.",
            f"exact_low_{_s}": f"Lower limit of the Clopper-Pearson (exact) 95% interval for the share graded {_g}.",
            f"exact_high_{_s}": f"Upper limit of the Clopper-Pearson (exact) 95% interval for the share graded {_g}.",
        }
    )

ASSOCIATION_COLUMNS: dict[str, str] = {
    "comparison": "What is compared: areas_by_grade (HMICFRS grades across the practice areas, all cases) or force_vs_inspectorate_selected (HMICFRS grades of the two samples).",
    "test": "The test: chi_squared, fisher_exact (exact Fisher-Freeman-Halton), fisher_monte_carlo, kruskal_wallis, mann_whitney or mann_whitney_exact.",
    "statistic": "Test statistic: Pearson's X^2, H, U, or for the Fisher tests the probability of the observed table given its margins.",
    "df": "Degrees of freedom of the chi-squared reference distribution (empty where none is used).",
    "p_value": "Two-sided p-value.",
    "effect_size": "Effect size (empty where none is given).",
    "effect_size_name": "Name of the effect size: cramers_v, cramers_v_bias_corrected (Bergsma 2013), epsilon_squared or probability_of_superiority.",
    "note": "How the test was computed, and checks on its assumptions.",
}


def _build(data: AuditData, raw_dir: Path) -> dict[str, pd.DataFrame]:
    return {"area_summary.csv": area_summary(data), "association_tests.csv": association_tests(data)}


STAGE = Stage(
    name="areas",
    build=_build,
    tables=(
        TableSpec(
            "area_summary.csv",
            "Grades by practice area, with shares and 95% intervals",
            "For each practice area, the number of cases per HMICFRS grade and the share of each grade with Wilson and Clopper-Pearson 95% intervals.",
            AREA_SUMMARY_COLUMNS,
            (
                "Each interval treats one grade against the other two as a binomial proportion; the intervals are not simultaneous.",
                "The report does not split the areas between the force-selected and the inspectorate-selected samples.",
            ),
        ),
        TableSpec(
            "association_tests.csv",
            "Tests of association: practice areas and the two samples",
            "Chi-squared, exact Fisher-Freeman-Halton, Kruskal-Wallis and Mann-Whitney tests with effect sizes, for the grades across practice areas and for the two samples.",
            ASSOCIATION_COLUMNS,
            (
                "The samples are compared on the HMICFRS grades the report publishes for each sample; no split by area is used.",
                f"The Monte Carlo test uses numpy's default generator with seed {MONTE_CARLO_SEED}.",
            ),
        ),
    ),
)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def format_share_table(summary: pd.DataFrame, labels: dict[str, str] | None = None, key: str = "area") -> pd.DataFrame:
    """Presentation table: one row per row of ``summary``, one column per grade reading "k of n (p%; 95% CI a% to b%)".

    ``summary`` is as from :func:`analysis.stats.proportions.category_shares` (with the group in column
    ``key``); the interval shown is Wilson's. ``labels`` maps group codes to display names.
    """
    labels = labels or {}
    rows = {}
    for rec in summary.to_dict("records"):
        n = int(rec["n"])
        cells = {}
        for g in GRADES:
            s = GRADE_SLUGS[g]
            cells[g.capitalize()] = (
                f"{int(rec[s])} of {n} ({_pct(rec[f'share_{s}'])}; 95% CI {_pct(rec[f'wilson_low_{s}'])} to {_pct(rec[f'wilson_high_{s}'])})"
            )
        rows[labels.get(rec[key], rec[key])] = cells
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(None)


def area_profile(area: str, data: AuditData, themes: pd.DataFrame, summary: pd.DataFrame) -> str:
    """Markdown for one practice area: its grades in words, the report's common themes (paraphrased) and the recommendations that concern it.

    ``themes`` as from :func:`load_area_themes`; ``summary`` as from :func:`area_summary`.
    Recommendations come from the raw recommendations table with their deadlines.
    """
    label = data.practice_areas.set_index("practice_area").loc[area, "label"]
    rec = summary.set_index("area").loc[area]
    n = int(rec["n"])
    grades = join_words([f"{int(rec[GRADE_SLUGS[g]])} {g}" for g in GRADES])
    lines = [
        f"### {label}",
        "",
        f"Of the {n} cases audited in this area, HMICFRS graded {grades}.",
        "",
        "**Common themes in the case files (our paraphrase):**",
        "",
    ]
    lines += [f"- {t}" for t in themes.loc[themes["practice_area"] == area, "theme"]]
    recs = area_recommendations(data)
    recs = recs[recs["practice_area"] == area]
    lines += ["", "**Recommendations concerning this area:**", ""]
    if recs.empty:
        lines.append("- none")
    lines += [f"- {r.recommendation_id} (act {r.deadline}): {r.summary}" for r in recs.itertuples(index=False)]
    return "\n".join(lines)
