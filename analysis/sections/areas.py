"""The practice areas and the two case samples: grade shares with intervals, tests of association, themes and recommendations.

Only published figures are used. The area-by-grade counts cover all cases of both samples
together; the report does not split the areas between the samples, so the samples are compared
on their HMICFRS grades only and never broken down by area. Everything is written for the
audit's own scale: the "worst grade" is the last of its grades (Gwent: inadequate), the "best"
the first (good).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import choices, sampling
from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.grades import grade_scores, grade_slug
from analysis.narrative import areas as words
from analysis.sections.area_order import holm_columns, order_weakest_first, ranked, shown_areas, smallest_adjusted  # noqa: F401 (read here by the site, the front page and notebooks)
from analysis.sections.association import ASSOCIATION_COLUMNS, contingency_rows, result_row
from analysis.stats import hierarchical, sample_mix
from analysis.stats.association import fisher_freeman_halton, kruskal_wallis
from analysis.stats.monte_carlo import monte_carlo_se
from analysis.stats.multiplicity import fisher_vs_rest, group_comparison, holm
from analysis.stats.proportions import category_shares

#: Seed and number of tables of the Monte Carlo Fisher-Freeman-Halton test written to the outputs.
MONTE_CARLO_SEED = choices.MONTE_CARLO_SEED  # the analysis's choice (analysis/choices.py)
MONTE_CARLO_SAMPLES = choices.MONTE_CARLO_SAMPLES  # the analysis's choice (analysis/choices.py)


def area_counts(data: AuditData) -> pd.DataFrame:
    """HMICFRS grade counts by practice area: index ``practice_area`` in report order, one column per grade (best first)."""
    areas = data.practice_areas.sort_values("report_order", kind="stable")["practice_area"].tolist()
    areas = [a for a in areas if a in set(data.area_grades["practice_area"])]
    counts = data.area_grades.astype({"grade": str}).pivot(index="practice_area", columns="grade", values="n")
    return counts.reindex(index=areas, columns=list(data.grades)).fillna(0).astype("int64").rename_axis(columns=None)


def area_summary(data: AuditData, ranks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per practice area (report order): the columns of ``area_summary.csv``.

    ``area``, ``n``, counts per grade, and per grade its share with Wilson and Clopper-Pearson 95%
    intervals (:func:`analysis.stats.proportions.category_shares`); then, for the share graded
    inadequate, the Wilson interval at confidence 1 - 0.05/(number of areas) (Bonferroni), and for
    the worst and the best grade the two-sided Fisher exact test of the area against the other
    areas with Holm's adjustment over every one of those tests together
    (:func:`family_tests`); then the full hierarchical beta-binomial posterior share graded
    inadequate with its 95% interval and the probability that the area has the highest true share
    (:func:`analysis.stats.hierarchical.area_ranks`, the same as ``area_ranks.csv``).
    """
    counts = area_counts(data)
    slugs = [grade_slug(g) for g in data.grades]
    worst = slugs[-1]
    shares = category_shares(counts, slugs).rename_axis("area").reset_index()
    x, n = counts[data.grades[-1]].to_numpy(), counts.sum(axis=1).to_numpy()
    comparison = group_comparison(x, n)
    tests = family_tests(counts, data.grades)
    ranks = hierarchical.area_ranks(x, n) if ranks is None else ranks
    return shares.assign(
        **{
            f"adjusted_low_{worst}": comparison["adjusted_low"].to_numpy(),
            f"adjusted_high_{worst}": comparison["adjusted_high"].to_numpy(),
            **tests,
            f"pooled_share_{worst}": ranks["posterior_mean"].to_numpy(),
            f"pooled_low_{worst}": ranks["posterior_low"].to_numpy(),
            f"pooled_high_{worst}": ranks["posterior_high"].to_numpy(),
            "p_weakest": ranks["p_weakest"].to_numpy(),
        }
    )


def family_grades(grades) -> list[str]:
    """The grades whose area-against-rest tests form one family: the worst, and the best when it is a different test (three or more grades)."""
    return [grades[-1], grades[0]] if len(grades) > 2 else [grades[-1]]


def family_tests(counts: pd.DataFrame, grades) -> dict[str, np.ndarray]:
    """``vs_rest_p_<grade>`` and ``vs_rest_p_holm_<grade>`` for the worst and the best grade, Holm-adjusted over all of them together.

    Each area's share of the grade against the other areas' (:func:`analysis.stats.multiplicity.fisher_vs_rest`);
    one family holds every area's test for both grades, so the adjustment covers "good" as well as
    "inadequate" (Holm 1979). With two grades the best grade's test is the worst grade's, and only it is made.
    """
    n = counts.sum(axis=1).to_numpy()
    family = family_grades(grades)
    raw = {g: fisher_vs_rest(counts[g].to_numpy(), n) for g in family}
    adjusted = holm(np.concatenate([raw[g] for g in family])).reshape(len(family), -1)
    out = {}
    for g, adj in zip(family, adjusted, strict=True):
        out[f"vs_rest_p_{grade_slug(g)}"] = raw[g]
        out[f"vs_rest_p_holm_{grade_slug(g)}"] = adj
    return out


#: The samples of the area x sample x grade bounds, in order.
MIX_SAMPLES: tuple[str, ...] = ("force_selected", "inspectorate_selected")


def mix_problem(data: AuditData) -> sample_mix.MixProblem:
    """The area x sample x grade problem: the published area x grade table (all cases), the inspectors' grades of each sample, and any per-area ranges per sample."""
    counts = area_counts(data)
    areas = list(counts.index)
    samples = np.array([data.counts(s, "inspectorate") for s in MIX_SAMPLES])
    low = np.zeros((len(areas), len(MIX_SAMPLES), len(data.grades)), np.int64)
    high = np.minimum(counts.to_numpy()[:, None, :], samples[None, :, :])
    groups = set(data.figures.groups)
    for i, a in enumerate(areas):
        for j, s in enumerate(MIX_SAMPLES):
            if (s, "inspectorate", a) in groups:
                r = data.count_ranges(s, "inspectorate", a)
                low[i, j] = np.maximum(low[i, j], r[:, 0])
                high[i, j] = np.minimum(high[i, j], r[:, 1])
    return sample_mix.mix_problem(counts.to_numpy(), samples, low, high)


def area_sample_bounds(data: AuditData) -> pd.DataFrame:
    """``area_sample_bounds.csv``: each cell of the area x sample x grade table, its fewest (``low``) and most (``high``) cases over every consistent table."""
    problem = mix_problem(data)
    low, high = sample_mix.cell_bounds(problem)
    areas = list(area_counts(data).index)
    rows = [
        (a, s, g, int(low[i, j, k]), int(high[i, j, k]))
        for i, a in enumerate(areas)
        for j, s in enumerate(MIX_SAMPLES)
        for k, g in enumerate(data.grades)
    ]
    return pd.DataFrame(rows, columns=["area", "sample", "grade", "low", "high"])


def adjusted_quantities(grades) -> list[tuple[str, str, int, str | None]]:
    """The quantities of ``area_adjusted.csv``: (name, grade, grade index, sample or None for the standardised ones)."""
    out = []
    for g in family_grades(grades):
        k = list(grades).index(g)
        slug = grade_slug(g)
        out += [(f"share_{slug}_{s}", g, k, s) for s in MIX_SAMPLES]
        out += [(f"standardised_share_{slug}", g, k, None), (f"standardised_excess_{slug}", g, k, "excess")]
    return out


def area_adjusted(data: AuditData) -> pd.DataFrame:
    """``area_adjusted.csv``: for each area, the range of its within-sample shares, its sample-standardised share and that share's excess over the other areas.

    Ranges over every consistent area x sample x grade table (:mod:`analysis.stats.sample_mix`),
    for the worst grade and (with three or more grades) the best.
    """
    problem = mix_problem(data)
    areas = list(area_counts(data).index)
    rows = []
    for i, a in enumerate(areas):
        for name, _, k, how in adjusted_quantities(data.grades):
            if how is None:
                low, high = sample_mix.standardised_range(problem, i, k)
            elif how == "excess":
                low, high = sample_mix.standardised_range(problem, i, k, excess=True)
            else:
                low, high = sample_mix.share_range(problem, i, MIX_SAMPLES.index(how), k)
            rows.append((a, name, low, high))
    return pd.DataFrame(rows, columns=["area", "quantity", "low", "high"])


def area_ranks(data: AuditData, full: pd.DataFrame | None = None) -> pd.DataFrame:
    """``area_ranks.csv``: each area's probability of the highest true share of the worst grade, its range over the pooling strengths the data allow, and a 95% interval for its rank.

    :func:`analysis.stats.hierarchical.area_ranks` on the areas' counts of the worst grade (``full``, when already computed).
    """
    counts = area_counts(data)
    ranks = _full_ranks(data) if full is None else full
    return pd.DataFrame({"area": list(counts.index), **{c: ranks[c].to_numpy() for c in RANK_COLUMNS}})


#: The columns of ``area_ranks.csv`` after ``area``.
RANK_COLUMNS: tuple[str, ...] = ("p_weakest", "p_weakest_low", "p_weakest_high", "rank_low", "rank_high")


def mean_score(counts: pd.DataFrame, grades) -> pd.Series:
    """Mean grade score per row of a grade-count table (the best of k grades scores k, the worst 1)."""
    scores = grade_scores(grades)
    values = counts[list(grades)].to_numpy()
    return pd.Series(values @ np.array([scores[g] for g in grades]) / values.sum(axis=1), index=counts.index)


def area_recommendations(data: AuditData) -> pd.DataFrame:
    """Recommendations concerning each practice area: ``practice_area``, ``recommendation_id``, ``deadline``, ``summary`` (areas in report order)."""
    recs = data.extra("recommendations").astype({"deadline": str})
    order = data.practice_areas.set_index("practice_area")["report_order"]
    frame = data.extra("recommendation_areas").merge(recs, on="recommendation_id", how="left", validate="many_to_one")
    frame["_a"] = frame["practice_area"].map(order)
    frame["_r"] = frame["recommendation_id"].str[1:].astype(int)
    frame = frame.sort_values(["_a", "_r"], kind="stable")
    return frame[["practice_area", "recommendation_id", "deadline", "summary"]].reset_index(drop=True)


def area_tests(data: AuditData, seed: int = MONTE_CARLO_SEED, samples: int = MONTE_CARLO_SAMPLES) -> list[dict]:
    """Rows of ``association_tests.csv`` for ``areas_by_grade``: the areas x grades table of HMICFRS grades (all cases).

    Pearson's chi-squared (Cramér's V), the exact Fisher-Freeman-Halton test (bias-corrected V),
    its seeded Monte Carlo version with the Monte Carlo standard error of its p-value, and
    Kruskal-Wallis on the ordered grades (epsilon-squared).
    """
    table = area_counts(data).to_numpy()
    rows = contingency_rows("areas_by_grade", table)
    mc = fisher_freeman_halton(table, "monte_carlo", seed=seed, samples=samples)
    se = monte_carlo_se(mc.p_value, samples)
    rows.append(
        result_row(
            "areas_by_grade",
            "fisher_monte_carlo",
            mc.table_probability,
            None,
            mc.p_value,
            None,
            "",
            words.monte_carlo_method(samples, seed, se),
            mc_se=se,
        )
    )
    kw = kruskal_wallis(table)
    rows.append(
        result_row(
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
    """``association_tests.csv``: one row per test per comparison (the practice areas, then the two samples), those the figures support.

    See :func:`area_tests` and :func:`analysis.sections.samples.sample_tests`.
    """
    from analysis.sections.samples import sample_tests

    rows = []
    if _areas_supported(data) is None:
        rows += area_tests(data)
    if data.case_samples is not None:
        rows += sample_tests(data)
    frame = pd.DataFrame(rows)
    frame["df"] = frame["df"].astype("Int64")
    return frame


def area_summary_columns(grades, n_areas: int) -> dict[str, str]:
    """The columns of ``area_summary.csv`` for a scale (best first) and a number of areas, with their descriptions (:func:`analysis.narrative.areas.area_summary_columns`)."""
    return words.area_summary_columns(grades, n_areas, family_grades(grades))


def _areas_supported(data: AuditData, samples_given: bool = True) -> str | None:
    """``None`` when the figures pin every grade's count in two or more practice areas of all cases; else why not.

    ``samples_given`` false: the reason also says that the two samples' grades are not both given (the reason for ``association_tests.csv``).
    """
    if data.area_grades is None:
        return words.no_area_counts_reason(samples_given)
    if len(data.areas()) < 2:
        return words.too_few_areas_reason()
    worst = data.area_grades.loc[data.area_grades["grade"] == data.grades[-1], "n"].sum()
    if worst == 0 or worst == data.area_grades["n"].sum():
        return words.all_or_none_reason(data.grades[-1])
    return None


def _mix_supported(data: AuditData) -> str | None:
    """``None`` when the area x sample x grade bounds can be computed (areas supported, both samples' inspectors' grades pinned); else why not."""
    why = _areas_supported(data)
    if why is not None:
        return why
    if any(data.counts(s, "inspectorate") is None for s in MIX_SAMPLES):
        return words.no_sample_grades_reason()
    if not sample_mix.feasible(mix_problem(data)):
        return words.no_mix_table_reason()
    return None


def area_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """``area_summary.csv``, ``area_ranks.csv``, ``area_sample_bounds.csv``, ``area_adjusted.csv`` and ``association_tests.csv``, or why the figures cannot support them."""
    why = _areas_supported(data)
    tests: pd.DataFrame | str = association_tests(data) if why is None or data.case_samples is not None else _areas_supported(data, False)
    full = _full_ranks(data) if why is None else None
    ranks = area_ranks(data, full) if why is None else why
    summary = area_summary(data, full) if why is None else why
    mix_why = _mix_supported(data)
    return {
        "area_summary.csv": summary,
        "area_ranks.csv": ranks,
        "area_sample_bounds.csv": area_sample_bounds(data) if mix_why is None else mix_why,
        "area_adjusted.csv": area_adjusted(data) if mix_why is None else mix_why,
        "association_tests.csv": tests,
    }


def _full_ranks(data: AuditData) -> pd.DataFrame:
    counts = area_counts(data)
    return hierarchical.area_ranks(counts[data.grades[-1]].to_numpy(), counts.sum(axis=1).to_numpy())


def area_specs(data: AuditData) -> tuple[TableSpec, ...]:
    """The specs of :func:`area_tables` for this audit's scale and areas."""
    n_areas = max(len(data.areas()), 2)
    return (
        TableSpec(
            "area_summary.csv",
            words.area_summary_title(),
            words.area_summary_description(),
            area_summary_columns(data.grades, n_areas),
            (
                words.area_summary_interval_note(len(data.grades)),
                sampling.AS_IF_RANDOM_NOTE,
                "The pooled shares borrow strength across areas, pulling small areas towards the overall share; the model integrates over "
                "how strongly to pool (its hyperparameters), so their intervals allow for that uncertainty.",
                "The report does not split the areas between the force-selected and the inspectorate-selected samples: area_sample_bounds.csv "
                "and area_adjusted.csv bound what that split could be.",
            ),
        ),
        TableSpec(
            "area_ranks.csv",
            "Which practice area is weakest: probabilities and rank intervals",
            words.area_ranks_description(data.grades[-1]),
            words.area_ranks_columns(data.grades[-1]),
            (
                sampling.AS_IF_RANDOM_NOTE,
                words.area_ranks_pooling_note(n_areas, hierarchical.M_MAX),
                "Probabilities are computed by quadrature on a grid, not by simulation: every run gives the same values.",
            ),
        ),
        TableSpec(
            "area_sample_bounds.csv",
            "The practice areas split between the two samples: what the figures allow",
            "For each cell of the table of cases by practice area, sample and grade, the fewest and most cases over every table of whole "
            "cases consistent with the published areas-by-grade table (all cases) and the inspectors' grades of each sample.",
            {
                "area": "Practice area code, in report order.",
                "sample": "force_selected or inspectorate_selected.",
                "grade": "HMICFRS grade.",
                "low": "Fewest cases the cell can hold in any consistent table (exact, by integer programming).",
                "high": "Most cases the cell can hold in any consistent table.",
            },
            (
                "The report publishes the areas by grade over all cases and each sample by grade, not the areas by sample; nothing is assumed "
                "about that split. The bounds are exact (scipy milp with HiGHS, checked against enumeration on smaller problems).",
            ),
        ),
        TableSpec(
            "area_adjusted.csv",
            "Practice areas adjusted for the sample mix: exact ranges",
            "For each practice area, the range over every consistent table (area_sample_bounds.csv) of its share of a grade among each "
            "sample's cases, of its share standardised to the two samples' sizes, and of that standardised share minus the other areas'.",
            {
                "area": "Practice area code, in report order.",
                "quantity": words.area_adjusted_quantity_column(family_grades(data.grades)),
                "low": "Smallest value over the consistent tables in which the shares are defined (exact).",
                "high": "Largest value over those tables.",
            },
            (
                "A standardised excess above zero in every consistent table means the area's excess over the other areas cannot come from how "
                "its cases were spread between the force's and the inspectors' samples alone.",
                "Empty when the quantity is defined in no consistent table (the area can have no case in a sample).",
            ),
        ),
        TableSpec(
            "association_tests.csv",
            "Tests of association: practice areas and the two samples",
            "Chi-squared, exact Fisher-Freeman-Halton, Kruskal-Wallis and Mann-Whitney tests with effect sizes, for the grades across practice areas and for the two samples.",
            ASSOCIATION_COLUMNS,
            (
                "The samples are compared on the HMICFRS grades the report publishes for each sample; no split by area is used.",
                sampling.AS_IF_RANDOM_NOTE,
                "Primary analyses: for the areas, the exact Fisher-Freeman-Halton test; for the two samples, the proportional-odds model's "
                "likelihood-ratio test; every other row is a sensitivity analysis (Methods, primary analyses).",
                words.monte_carlo_seed_note(MONTE_CARLO_SEED),
            ),
        ),
    )


STAGE = Stage(name="areas", build=area_tables, specs=area_specs)
