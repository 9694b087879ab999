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

from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.grades import grade_scores, grade_slug
from analysis.sections.association import ASSOCIATION_COLUMNS, contingency_rows, result_row
from analysis.stats.association import fisher_freeman_halton, kruskal_wallis
from analysis.stats.monte_carlo import monte_carlo_se
from analysis.stats.multiplicity import group_comparison
from analysis.stats.pooling import POOLING_DRAWS, POOLING_SEED, partial_pooling
from analysis.stats.proportions import category_shares
from analysis.text import as_text, count_share, fixed, interval_text, join_words, number_word, percent
from analysis.words import how_certain, shown_to_differ

#: Seed and number of tables of the Monte Carlo Fisher-Freeman-Halton test written to the outputs.
MONTE_CARLO_SEED = 20190204
MONTE_CARLO_SAMPLES = 100_000


def order_rule(grades) -> str:
    """How areas are ordered from weakest to strongest, in words (shown in the notebooks)."""
    return (
        f"areas are ordered by the share of their cases graded {grades[-1]}, highest first; "
        f"areas with equal shares are ordered by the share graded {grades[0]}, lowest first, and then by their order in the report"
    )


def area_counts(data: AuditData) -> pd.DataFrame:
    """HMICFRS grade counts by practice area: index ``practice_area`` in report order, one column per grade (best first)."""
    areas = data.practice_areas.sort_values("report_order", kind="stable")["practice_area"].tolist()
    areas = [a for a in areas if a in set(data.area_grades["practice_area"])]
    counts = data.area_grades.astype({"grade": str}).pivot(index="practice_area", columns="grade", values="n")
    return counts.reindex(index=areas, columns=list(data.grades)).fillna(0).astype("int64").rename_axis(columns=None)


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
    slugs = [grade_slug(g) for g in data.grades]
    worst = slugs[-1]
    shares = category_shares(counts, slugs).rename_axis("area").reset_index()
    x, n = counts[data.grades[-1]].to_numpy(), counts.sum(axis=1).to_numpy()
    comparison = group_comparison(x, n)
    pooled = partial_pooling(x, n)
    return shares.assign(
        **{
            f"adjusted_low_{worst}": comparison["adjusted_low"].to_numpy(),
            f"adjusted_high_{worst}": comparison["adjusted_high"].to_numpy(),
            f"vs_rest_p_{worst}": comparison["vs_rest_p"].to_numpy(),
            f"vs_rest_p_holm_{worst}": comparison["vs_rest_p_holm"].to_numpy(),
            f"pooled_share_{worst}": pooled["pooled_share"].to_numpy(),
            f"pooled_low_{worst}": pooled["pooled_low"].to_numpy(),
            f"pooled_high_{worst}": pooled["pooled_high"].to_numpy(),
            "p_weakest": pooled["p_weakest"].to_numpy(),
        }
    )


def mean_score(counts: pd.DataFrame, grades) -> pd.Series:
    """Mean grade score per row of a grade-count table (the best of k grades scores k, the worst 1)."""
    scores = grade_scores(grades)
    values = counts[list(grades)].to_numpy()
    return pd.Series(values @ np.array([scores[g] for g in grades]) / values.sum(axis=1), index=counts.index)


def _worst_best(summary: pd.DataFrame) -> tuple[str, str]:
    """The slugs of the worst and the best grade, read off ``area_summary.csv``'s columns (grades best first)."""
    shares = [c[len("share_") :] for c in summary.columns if c.startswith("share_")]
    return shares[-1], shares[0]


def order_weakest_first(summary: pd.DataFrame) -> list[str]:
    """Area codes from weakest to strongest by :func:`order_rule` (``summary`` as from :func:`area_summary`, report order)."""
    worst, best = _worst_best(summary)
    frame = summary.assign(_report=np.arange(len(summary)))
    frame = frame.sort_values([f"share_{worst}", f"share_{best}", "_report"], ascending=[False, True, True], kind="stable")
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
            f"Fisher-Freeman-Halton Monte Carlo p-value from {samples} random tables with the observed margins, numpy seed {seed}; "
            f"Monte Carlo standard error {se:.2g}",
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
    """The columns of ``area_summary.csv`` for a scale (best first) and a number of areas, with their descriptions."""
    slugs = {g: grade_slug(g) for g in grades}
    worst, w = grades[-1], slugs[grades[-1]]
    many = number_word(n_areas)
    columns = {
        "area": "Practice area code (as in data/raw/practice_areas.csv), in report order.",
        "n": "Number of audited cases in the area (both samples together).",
        **{slugs[g]: f"Number of the area's cases HMICFRS graded {g}." for g in grades},
    }
    for g in grades:
        s = slugs[g]
        columns.update(
            {
                f"share_{s}": f"Share of the area's cases graded {g} (0 to 1).",
                f"wilson_low_{s}": f"Lower limit of the Wilson score 95% interval for the share graded {g}.",
                f"wilson_high_{s}": f"Upper limit of the Wilson score 95% interval for the share graded {g}.",
                f"exact_low_{s}": f"Lower limit of the Clopper-Pearson (exact) 95% interval for the share graded {g}.",
                f"exact_high_{s}": f"Upper limit of the Clopper-Pearson (exact) 95% interval for the share graded {g}.",
            }
        )
    columns.update(
        {
            f"adjusted_low_{w}": f"Lower limit of the Wilson interval for the share graded {worst} at confidence 1 - 0.05/{n_areas} (Bonferroni over the {many} areas).",
            f"adjusted_high_{w}": "Upper limit of that Bonferroni-adjusted Wilson interval.",
            f"vs_rest_p_{w}": f"Two-sided Fisher exact test of the area against the other areas together ({worst} against not).",
            f"vs_rest_p_holm_{w}": f"That p-value after Holm's adjustment over the {many} areas.",
            f"pooled_share_{w}": f"Empirical-Bayes beta-binomial pooled share graded {worst}: posterior mean with the hyperparameters fitted by maximum marginal likelihood over the areas.",
            f"pooled_low_{w}": "Lower end of the equal-tailed 95% posterior interval of the pooled share.",
            f"pooled_high_{w}": "Upper end of that interval.",
            "p_weakest": f"Posterior probability that the area has the highest true share graded {worst} ({POOLING_DRAWS:,} posterior draws, numpy seed {POOLING_SEED}).",
        }
    )
    return columns


def _areas_supported(data: AuditData) -> str | None:
    """``None`` when the figures pin every grade's count in two or more practice areas of all cases; else why not."""
    if data.area_grades is None:
        return (
            "The figures do not give every grade's count in every practice area for all cases, so the areas' shares and tests are not computed; "
            "grade_counts.csv gives the range of each count the figures allow."
        )
    if len(data.areas()) < 2:
        return "The figures give fewer than two practice areas, so there is nothing to compare."
    worst = data.area_grades.loc[data.area_grades["grade"] == data.grades[-1], "n"].sum()
    if worst == 0 or worst == data.area_grades["n"].sum():
        return f"Either no case or every case was graded {data.grades[-1]}, so the areas' shares of it cannot be compared or pooled."
    return None


def area_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """``area_summary.csv`` (shares and intervals by practice area) and ``association_tests.csv``, or why the figures cannot support them."""
    why = _areas_supported(data)
    tests: pd.DataFrame | str = (
        association_tests(data)
        if why is None or data.case_samples is not None
        else why.replace("are not computed", "are not computed, and the two samples' grades are not both given")
    )
    return {"area_summary.csv": area_summary(data) if why is None else why, "association_tests.csv": tests}


def area_specs(data: AuditData) -> tuple[TableSpec, ...]:
    """The specs of :func:`area_tables` for this audit's scale and areas."""
    n_areas = max(len(data.areas()), 2)
    return (
        TableSpec(
            "area_summary.csv",
            "Grades by practice area, with shares and 95% intervals",
            "For each practice area, the number of cases per HMICFRS grade and the share of each grade with Wilson and Clopper-Pearson 95% intervals.",
            area_summary_columns(data.grades, n_areas),
            (
                f"Each interval treats one grade against the other {number_word(len(data.grades) - 1)} as a binomial proportion and the area's cases as a random sample; the plain 95% intervals are not simultaneous: compare areas with the adjusted columns.",
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
    )


STAGE = Stage(name="areas", build=area_tables, specs=area_specs)


def format_share_table(summary: pd.DataFrame, grades, labels: dict[str, str] | None = None, key: str = "area") -> pd.DataFrame:
    """Presentation table: one row per row of ``summary``, one column per grade reading "k of n (p%; 95% interval a% to b%)".

    ``summary`` is as from :func:`analysis.stats.proportions.category_shares` (with the group in column
    ``key``); the interval shown is Wilson's. ``grades`` is the scale, best first; ``labels`` maps group codes to display names.
    """
    labels = labels or {}
    rows = {}
    for rec in summary.to_dict("records"):
        n = int(rec["n"])
        cells = {}
        for g in grades:
            s = grade_slug(g)
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
    label = as_text(data.practice_areas.set_index("practice_area").loc[area, "label"])
    rec = summary.set_index("area").loc[area]
    n = int(rec["n"])
    grades = join_words([f"{int(rec[grade_slug(g)])} {as_text(g)}" for g in data.grades])
    lines = [
        f"### {label}",
        "",
        f"Of the {n} cases audited in this area, HMICFRS graded {grades}.",
        "",
        "**Common themes in the case files (our paraphrase):**",
        "",
    ]
    lines += [f"- {as_text(t)}" for t in themes.loc[themes["practice_area"] == area, "theme"]]
    recs = area_recommendations(data)
    recs = recs[recs["practice_area"] == area]
    lines += ["", "**Recommendations concerning this area:**", ""]
    if recs.empty:
        lines.append("- none")
    lines += [f"- {as_text(r.recommendation_id)} (act {as_text(r.deadline)}): {as_text(r.summary)}" for r in recs.itertuples(index=False)]
    return "\n".join(lines)


def ranked(summary: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """``area_summary.csv`` rows weakest first (:func:`order_rule`), with each area's ``label``."""
    worst, best = _worst_best(summary)
    frame = summary.assign(label=summary["area"].map(labels), _report=np.arange(len(summary)))
    frame = frame.sort_values([f"share_{worst}", f"share_{best}", "_report"], ascending=[False, True, True], kind="stable")
    return frame.drop(columns="_report").reset_index(drop=True)


def multiplicity_reading(summary: pd.DataFrame, labels: dict[str, str], worst_grade: str, alpha: float = 0.05) -> str:
    """What the areas' shares in the worst grade can and cannot say once the number of comparisons is allowed for (Markdown; names as text)."""
    r = ranked(summary, {area: as_text(label) for area, label in labels.items()})
    w = grade_slug(worst_grade)
    worst_grade = as_text(worst_grade)
    top = r.iloc[0]
    significant = r[r[f"vs_rest_p_holm_{w}"] < alpha]
    best = r.sort_values("p_weakest", ascending=False, kind="stable").iloc[0]
    text = (
        f"{top['label']} had the largest share graded {worst_grade}, {count_share(int(top[w]), int(top['n']))}. Against the other "
        f"areas together its Fisher test gives p = {top[f'vs_rest_p_{w}']:.3f}, but {len(r)} areas were compared: after Holm's adjustment "
        f"p = {top[f'vs_rest_p_holm_{w}']:.3f}. "
    )
    if significant.empty:
        text += f"No area's share {shown_to_differ(1.0, alpha)} from the rest once the number of comparisons is allowed for. "
    else:
        text += f"After adjustment, {join_words(list(significant['label']))} {'is' if len(significant) == 1 else 'are'} still shown to differ from the rest at the {alpha:g} level. "
    text += (
        f"Pooling the areas' information (partial pooling) pulls every share towards the overall figure: {top['label']}'s pooled share is "
        f"{percent(top[f'pooled_share_{w}'])} ({interval_text(top[f'pooled_low_{w}'], top[f'pooled_high_{w}'])}), "
        f"and the posterior probability that {best['label']} truly has the highest share of all {number_word(len(r))} areas is {fixed(best['p_weakest'], 2)}: "
        f"{how_certain(best['p_weakest'])}."
    )
    return text


def _share_with_interval(row: pd.Series, w: str) -> str:
    k, n = int(row[w]), int(row["n"])
    return f"{k} of {n} ({percent(k / n)}; {interval_text(row[f'wilson_low_{w}'], row[f'wilson_high_{w}'])})"


def headline(summary: pd.DataFrame, labels: dict[str, str], worst_grade: str) -> str:
    """The home page's sentence on the practice areas (from ``area_summary.csv`` and the areas' labels), on the worst grade (Markdown; names as text)."""
    r = ranked(summary, {area: as_text(label) for area, label in labels.items()})
    w = grade_slug(worst_grade)
    worst_grade = as_text(worst_grade)
    weak, strong = r.iloc[0], r.iloc[-1]
    widths = r[f"wilson_high_{w}"] - r[f"wilson_low_{w}"]
    text = (
        f"{weak['label']} had the largest share graded {worst_grade}, {_share_with_interval(weak, w)}, and {strong['label']} the smallest, "
        f"{_share_with_interval(strong, w)}. Each area holds between {int(r['n'].min())} and {int(r['n'].max())} cases, so these shares are "
        f"uncertain: the widest 95% interval for an area's share graded {worst_grade} spans {round(100 * widths.max())} percentage points. "
    )
    smallest = float(r[f"vs_rest_p_holm_{w}"].min())
    if smallest >= 0.05:
        return text + (
            f"Allowing for the {len(r)} comparisons, no area {shown_to_differ(smallest)} from the rest "
            f"(the smallest adjusted p-value is {fixed(smallest, 2)})."
        )
    shown = r[r[f"vs_rest_p_holm_{w}"] < 0.05]
    return (
        text
        + f"Allowing for the {len(r)} comparisons, {join_words(list(shown['label']))} {'is' if len(shown) == 1 else 'are'} still shown to differ from the rest."
    )


def area_descriptions(data: AuditData) -> str:
    """The practice areas as the package describes them (``practice_areas.csv``'s descriptions), one line each; empty when it gives none."""
    areas = data.practice_areas[data.practice_areas["practice_area"].isin(data.areas())]
    described = [(r.label, r.description) for r in areas.itertuples(index=False) if str(r.description).strip()]
    if not described:
        return ""
    return "The areas, as the audit package describes them:\n\n" + "\n".join(
        f"- **{as_text(label)}**: {as_text(text)}" for label, text in described
    )
