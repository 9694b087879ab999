"""The eight practice areas and the two case samples: grade shares with intervals, tests of association, themes and recommendations.

Only published figures are used. The area-by-grade counts cover all cases of both samples
together; the report does not split the areas between the samples, so the samples are compared
on their HMICFRS grades only and never broken down by area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.grades import GRADE_SCORES, GRADE_SLUGS, GRADES
from analysis.stats.association import (
    chi_squared_test,
    cramers_v,
    fisher_freeman_halton,
    kruskal_wallis,
)
from analysis.stats.monte_carlo import monte_carlo_se
from analysis.stats.multiplicity import group_comparison
from analysis.stats.pooling import POOLING_DRAWS, POOLING_SEED, partial_pooling
from analysis.stats.proportions import category_shares
from analysis.text import count_share, interval_text, join_words, percent

#: Seed and number of tables of the Monte Carlo Fisher-Freeman-Halton test written to the outputs.
MONTE_CARLO_SEED = 20190204
MONTE_CARLO_SAMPLES = 100_000


#: How areas are ordered from weakest to strongest, in words (shown in the notebooks).
ORDER_RULE = (
    "areas are ordered by the share of their cases graded inadequate, highest first; "
    "areas with equal shares are ordered by the share graded good, lowest first, and then by their order in the report"
)


def area_counts(data: AuditData) -> pd.DataFrame:
    """HMICFRS grade counts by practice area: index ``practice_area`` in report order, one column per grade (best first)."""
    areas = data.practice_areas.sort_values("report_order", kind="stable")["practice_area"].tolist()
    counts = data.area_grades.astype({"grade": str}).pivot(index="practice_area", columns="grade", values="n")
    return counts.reindex(index=areas, columns=list(GRADES)).fillna(0).astype("int64").rename_axis(columns=None)


def area_summary(data: AuditData) -> pd.DataFrame:
    """One row per practice area (report order): the columns of ``area_summary.csv``.

    ``area``, ``n``, counts per grade, and per grade its share with Wilson and Clopper-Pearson 95%
    intervals (:func:`analysis.stats.proportions.category_shares`); then, for the share graded
    inadequate, what allows for comparing eight areas at once: the Wilson interval at confidence
    1 - 0.05/8 (Bonferroni), the two-sided Fisher exact test of the area against the other seven
    and its Holm-adjusted p-value (:func:`analysis.stats.multiplicity.group_comparison`), and the
    empirical-Bayes beta-binomial pooled share with its 95% interval and the probability that the
    area has the highest true share (:func:`analysis.stats.pooling.partial_pooling`, seeded).
    """
    counts = area_counts(data)
    shares = category_shares(counts, [GRADE_SLUGS[g] for g in GRADES]).rename_axis("area").reset_index()
    x, n = counts["inadequate"].to_numpy(), counts.sum(axis=1).to_numpy()
    comparison = group_comparison(x, n)
    pooled = partial_pooling(x, n)
    return shares.assign(
        adjusted_low_inadequate=comparison["adjusted_low"].to_numpy(),
        adjusted_high_inadequate=comparison["adjusted_high"].to_numpy(),
        vs_rest_p_inadequate=comparison["vs_rest_p"].to_numpy(),
        vs_rest_p_holm_inadequate=comparison["vs_rest_p_holm"].to_numpy(),
        pooled_share_inadequate=pooled["pooled_share"].to_numpy(),
        pooled_low_inadequate=pooled["pooled_low"].to_numpy(),
        pooled_high_inadequate=pooled["pooled_high"].to_numpy(),
        p_weakest=pooled["p_weakest"].to_numpy(),
    )


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


def _row(comparison, test, statistic, df, p, effect, effect_name, note, ci=(np.nan, np.nan), mc_se=np.nan) -> dict:
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
        _row(comparison, "chi_squared", chi.statistic, chi.df, chi.p_value, cramers_v(table), "cramers_v", _chi_note(chi)),
        _row(
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


def area_tests(data: AuditData, seed: int = MONTE_CARLO_SEED, samples: int = MONTE_CARLO_SAMPLES) -> list[dict]:
    """Rows of ``association_tests.csv`` for ``areas_by_grade``: the 8 x 3 table of HMICFRS grades by practice area (all cases).

    Pearson's chi-squared (Cramér's V), the exact Fisher-Freeman-Halton test (bias-corrected V),
    its seeded Monte Carlo version with the Monte Carlo standard error of its p-value, and
    Kruskal-Wallis on the ordered grades (epsilon-squared).
    """
    table = area_counts(data).to_numpy()
    rows = contingency_rows("areas_by_grade", table)
    mc = fisher_freeman_halton(table, "monte_carlo", seed=seed, samples=samples)
    se = monte_carlo_se(mc.p_value, samples)
    rows.append(
        _row(
            "areas_by_grade",
            "fisher_monte_carlo",
            mc.table_probability,
            None,
            mc.p_value,
            None,
            "",
            f"Fisher-Freeman-Halton Monte Carlo p-value from {samples} random tables with the observed margins, numpy seed {seed}; "
            f"Monte Carlo standard error {se:.2g}",
            mc_se=se,
        )
    )
    kw = kruskal_wallis(table)
    rows.append(
        _row(
            "areas_by_grade",
            "kruskal_wallis",
            kw.statistic,
            kw.df,
            kw.p_value,
            kw.epsilon_squared,
            "epsilon_squared",
            "H with tie correction, practice areas as groups and grades as ordered categories (mid-ranks); chi-squared reference",
        )
    )
    return rows


def association_tests(data: AuditData) -> pd.DataFrame:
    """``association_tests.csv``: one row per test per comparison (the practice areas, then the two samples).

    See :func:`area_tests` and :func:`analysis.sections.samples.sample_tests`.
    """
    from analysis.sections.samples import sample_tests

    frame = pd.DataFrame([*area_tests(data), *sample_tests(data)])
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
AREA_SUMMARY_COLUMNS.update(
    {
        "adjusted_low_inadequate": "Lower limit of the Wilson interval for the share graded inadequate at confidence 1 - 0.05/8 (Bonferroni over the eight areas).",
        "adjusted_high_inadequate": "Upper limit of that Bonferroni-adjusted Wilson interval.",
        "vs_rest_p_inadequate": "Two-sided Fisher exact test of the area against the other areas together (inadequate against not).",
        "vs_rest_p_holm_inadequate": "That p-value after Holm's adjustment over the eight areas.",
        "pooled_share_inadequate": "Empirical-Bayes beta-binomial pooled share graded inadequate: posterior mean with the hyperparameters fitted by maximum marginal likelihood over the areas.",
        "pooled_low_inadequate": "Lower end of the equal-tailed 95% posterior interval of the pooled share.",
        "pooled_high_inadequate": "Upper end of that interval.",
        "p_weakest": f"Posterior probability that the area has the highest true share graded inadequate ({POOLING_DRAWS:,} posterior draws, numpy seed {POOLING_SEED}).",
    }
)

ASSOCIATION_COLUMNS: dict[str, str] = {
    "comparison": "What is compared: areas_by_grade (HMICFRS grades across the practice areas, all cases) or force_vs_inspectorate_selected (HMICFRS grades of the two samples).",
    "test": "The test: chi_squared, fisher_exact (exact Fisher-Freeman-Halton), fisher_monte_carlo, kruskal_wallis, proportional_odds, mann_whitney or mann_whitney_exact.",
    "statistic": "Test statistic: Pearson's X^2, H, U, the likelihood-ratio chi-squared of the proportional-odds model, or for the Fisher tests the probability of the observed table given its margins.",
    "df": "Degrees of freedom of the chi-squared reference distribution (empty where none is used).",
    "p_value": "Two-sided p-value.",
    "effect_size": "Effect size (empty where none is given).",
    "effect_size_name": "Name of the effect size: cramers_v, cramers_v_bias_corrected (Bergsma 2013), epsilon_squared, common_odds_ratio (above 1: the force-selected cases got better grades) or probability_of_superiority.",
    "ci_low": "Lower end of the 95% interval of the effect size, where one is given (the common odds ratio of the proportional-odds model); empty otherwise.",
    "ci_high": "Upper end of that 95% interval; empty otherwise.",
    "mc_standard_error": "Monte Carlo standard error of a simulated p-value (binomial, for the (hits + 1) / (draws + 1) estimate); empty for other tests.",
    "note": "How the test was computed, and checks on its assumptions.",
}


def area_tables(data: AuditData) -> dict[str, pd.DataFrame]:
    """``area_summary.csv`` (shares and intervals by practice area) and ``association_tests.csv``."""
    return {"area_summary.csv": area_summary(data), "association_tests.csv": association_tests(data)}


STAGE = Stage(
    name="areas",
    build=area_tables,
    tables=(
        TableSpec(
            "area_summary.csv",
            "Grades by practice area, with shares and 95% intervals",
            "For each practice area, the number of cases per HMICFRS grade and the share of each grade with Wilson and Clopper-Pearson 95% intervals.",
            AREA_SUMMARY_COLUMNS,
            (
                "Each interval treats one grade against the other two as a binomial proportion and the area's cases as a random sample; the plain 95% intervals are not simultaneous: compare areas with the adjusted columns.",
                "The pooled shares borrow strength across areas, pulling small areas towards the overall share; their intervals do not allow for the uncertainty in the fitted hyperparameters and are somewhat too narrow.",
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


def format_share_table(summary: pd.DataFrame, labels: dict[str, str] | None = None, key: str = "area") -> pd.DataFrame:
    """Presentation table: one row per row of ``summary``, one column per grade reading "k of n (p%; 95% interval a% to b%)".

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
                f"{int(rec[s])} of {n} ({percent(rec[f'share_{s}'])}; {interval_text(rec[f'wilson_low_{s}'], rec[f'wilson_high_{s}'])})"
            )
        rows[labels.get(rec[key], rec[key])] = cells
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(None)


def area_profile(area: str, data: AuditData, themes: pd.DataFrame, summary: pd.DataFrame) -> str:
    """Markdown for one practice area: its grades in words, the report's common themes (paraphrased) and the recommendations that concern it.

    ``themes`` as ``data.area_themes``; ``summary`` as from :func:`area_summary`.
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


def ranked(summary: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """``area_summary.csv`` rows weakest first (:data:`ORDER_RULE`), with each area's ``label``."""
    frame = summary.assign(label=summary["area"].map(labels), _report=np.arange(len(summary)))
    frame = frame.sort_values(["share_inadequate", "share_good", "_report"], ascending=[False, True, True], kind="stable")
    return frame.drop(columns="_report").reset_index(drop=True)


def multiplicity_reading(summary: pd.DataFrame, labels: dict[str, str], alpha: float = 0.05) -> str:
    """What the eight areas' shares graded inadequate can and cannot say once eight comparisons are allowed for."""
    r = ranked(summary, labels)
    top = r.iloc[0]
    significant = r[r["vs_rest_p_holm_inadequate"] < alpha]
    best = r.sort_values("p_weakest", ascending=False, kind="stable").iloc[0]
    text = (
        f"{top['label']} had the largest share graded inadequate, {count_share(int(top['inadequate']), int(top['n']))}. Against the other "
        f"areas together its Fisher test gives p = {top['vs_rest_p_inadequate']:.3f}, but {len(r)} areas were compared: after Holm's adjustment "
        f"p = {top['vs_rest_p_holm_inadequate']:.3f}. "
    )
    if significant.empty:
        text += "No area's share differs from the rest once the number of comparisons is allowed for. "
    else:
        text += f"After adjustment, {join_words(list(significant['label']))} still differ from the rest at the {alpha:g} level. "
    text += (
        f"Pooling the areas' information (partial pooling) pulls every share towards the overall figure: {top['label']}'s pooled share is "
        f"{percent(top['pooled_share_inadequate'])} ({interval_text(top['pooled_low_inadequate'], top['pooled_high_inadequate'])}), "
        f"and the posterior probability that {best['label']} truly has the highest share of all eight areas is {best['p_weakest']:.2f}: "
        "the most likely weakest area, but far from certainly so."
    )
    return text


def _share_with_interval(row: pd.Series) -> str:
    k, n = int(row["inadequate"]), int(row["n"])
    return f"{k} of {n} ({percent(k / n)}; {interval_text(row['wilson_low_inadequate'], row['wilson_high_inadequate'])})"


def headline(summary: pd.DataFrame, labels: dict[str, str]) -> str:
    """The home page's sentence on the practice areas (from ``area_summary.csv`` and the areas' labels)."""
    r = ranked(summary, labels)
    weak, strong = r.iloc[0], r.iloc[-1]
    widths = r["wilson_high_inadequate"] - r["wilson_low_inadequate"]
    text = (
        f"{weak['label']} had the largest share graded inadequate, {_share_with_interval(weak)}, and {strong['label']} the smallest, "
        f"{_share_with_interval(strong)}. Each area holds between {int(r['n'].min())} and {int(r['n'].max())} cases, so these shares are "
        f"uncertain: the widest 95% interval for an area's share graded inadequate spans {round(100 * widths.max())} percentage points. "
    )
    if (r["vs_rest_p_holm_inadequate"] >= 0.05).all():
        return text + (
            f"Allowing for the {len(r)} comparisons, no area can be said to differ from the rest "
            f"(the smallest adjusted p-value is {r['vs_rest_p_holm_inadequate'].min():.2f})."
        )
    return text + f"Allowing for the {len(r)} comparisons, {weak['label']} still differs from the rest."
