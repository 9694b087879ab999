"""Sentences on the practice areas: their grade shares in words, each area's profile, what the multiplicity-adjusted tests, the hierarchical model and the sample-mix bounds can and cannot say, and the home page's sentence.

Published tables (``area_summary.csv``, ``area_ranks.csv``, ``area_adjusted.csv``, ``association_tests.csv``), the areas'
labels and descriptions and the recommendations concerning them in, sentences out. The words the areas' tables carry
(their titles, descriptions, column descriptions and notes in datapackage.json, a method note, the reasons a table is
not written) are built here too, from plain values, and called by :mod:`analysis.sections.areas`; so this module
imports no section but :mod:`analysis.sections.area_order` (which imports neither).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis import choices, sampling
from analysis.grades import grade_slug
from analysis.narrative.style import (
    areas_shown,
    as_text,
    count_share,
    fixed,
    how_certain,
    interval_text,
    join_words,
    level_text,
    mix_verdict,
    number_word,
    p_text,
    percent,
    shown_to_differ,
)
from analysis.sections.area_order import holm_columns, ranked, shown_areas, smallest_adjusted


def order_rule(grades) -> str:
    """How areas are ordered from weakest to strongest, in words (shown in the notebooks)."""
    return (
        f"areas are ordered by the share of their cases graded {grades[-1]}, highest first; "
        f"areas with equal shares are ordered by the share graded {grades[0]}, lowest first, and then by their order in the report"
    )


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


def area_profile(area: str, label: str, grades, themes: pd.DataFrame, recommendations: pd.DataFrame, summary: pd.DataFrame) -> str:
    """Markdown for one practice area: its grades in words, the report's common themes (paraphrased) and the recommendations that concern it.

    ``label`` is the area's name; ``grades`` the scale, best first; ``themes`` as ``data.area_themes``;
    ``recommendations`` as from :func:`analysis.sections.areas.area_recommendations` (with their deadlines);
    ``summary`` is ``area_summary.csv``.
    """
    label = as_text(label)
    rec = summary.set_index("area").loc[area]
    n = int(rec["n"])
    grade_words = join_words([f"{int(rec[grade_slug(g)])} {as_text(g)}" for g in grades])
    lines = [
        f"### {label}",
        "",
        f"Of the {n} cases audited in this area, HMICFRS graded {grade_words}.",
        "",
        "**Common themes in the case files (our paraphrase):**",
        "",
    ]
    lines += [f"- {as_text(t)}" for t in themes.loc[themes["practice_area"] == area, "theme"]]
    recs = recommendations[recommendations["practice_area"] == area]
    lines += ["", "**Recommendations concerning this area:**", ""]
    if recs.empty:
        lines.append("- none")
    lines += [f"- {as_text(r.recommendation_id)} (act {as_text(r.deadline)}): {as_text(r.summary)}" for r in recs.itertuples(index=False)]
    return "\n".join(lines)


def family_words(summary: pd.DataFrame, grades_named: list[str]) -> str:
    """How many tests the familywise adjustment covers, in words: ``"all 16 area-against-rest tests (inadequate and good)"``."""
    k = len(summary) * len(holm_columns(summary))
    return f"all {number_word(k)} area-against-rest tests ({join_words(grades_named)})"


def multiplicity_reading(
    summary: pd.DataFrame, labels: dict[str, str], worst_grade: str, ranks: pd.DataFrame | None = None, alpha: float = choices.ALPHA
) -> str:
    """What the areas' shares in the worst grade can and cannot say once the number of comparisons is allowed for.

    ``ranks`` is ``area_ranks.csv``; the verdict on the most likely weakest area takes the lowest of
    its probabilities (the full model's and the range over the pooling strengths), so it holds
    whichever of them is right (:func:`analysis.narrative.style.how_certain`). Markdown; names as text.
    """
    r = ranked(summary, {area: as_text(label) for area, label in labels.items()})
    w = grade_slug(worst_grade)
    worst_grade = as_text(worst_grade)
    top = r.iloc[0]
    best_grade = [c[len("vs_rest_p_holm_") :] for c in holm_columns(summary)]
    text = (
        f"{top['label']} had the largest share graded {worst_grade}, {count_share(int(top[w]), int(top['n']))}. Against the other "
        f"areas together its Fisher test gives {p_text(float(top[f'vs_rest_p_{w}']))}, but {len(r)} areas were compared"
        + (f" on {number_word(len(best_grade))} grades" if len(best_grade) > 1 else "")
        + f": after Holm's adjustment over {family_words(summary, [as_text(g.replace('_', ' ')) for g in best_grade])} it is "
        f"{p_text(float(top[f'vs_rest_p_holm_{w}']))}, and the smallest adjusted p-value of any area is {p_text(smallest_adjusted(summary))}. "
    )
    shown = shown_areas(summary, labels, alpha)
    sentence = areas_shown(shown)
    text += f"{sentence[0].upper()}{sentence[1:]} from the rest once the number of comparisons is allowed for. "
    if ranks is None:
        return text
    by_area = ranks.set_index("area")
    likely = by_area["p_weakest"].idxmax()
    row = by_area.loc[likely]
    name = as_text(labels.get(likely, likely))
    lowest = float(min(row["p_weakest"], row["p_weakest_low"]))
    text += (
        f"A hierarchical model that lets the areas' true shares differ, and learns from the data how far, puts the probability that "
        f"{name} truly has the highest share of all {number_word(len(r))} areas at {fixed(float(row['p_weakest']), 2)}; over the pooling "
        f"strengths the data allow, that probability runs from {fixed(float(row['p_weakest_low']), 2)} to {fixed(float(row['p_weakest_high']), 2)}, "
        f"so taking the lowest, {name} is {how_certain(lowest)}. Its rank lies between {int(row['rank_low'])} and {int(row['rank_high'])} "
        f"of {len(r)} with {level_text()} probability."
    )
    return text


def mix_paragraph(mix: Sequence[str], worst_grade: str, force_selected: tuple[int, int], inspectorate_selected: tuple[int, int]) -> str:
    """The sample-mix paragraph: why the mix matters, from the two samples' counts of ``worst_grade`` as the inspectors graded them, then ``mix``.

    ``force_selected`` and ``inspectorate_selected`` are each (cases graded ``worst_grade``, cases);
    ``mix`` is :func:`mix_reading`'s lines. The samples' shares are given, not judged: whether they
    differ beyond chance is the samples page's test.
    """
    (kf, nf), (ki, ni) = force_selected, inspectorate_selected
    worst = as_text(worst_grade)
    return (
        f"**The sample mix.** The areas mix the cases the force selected ({count_share(kf, nf)} {worst}, as the inspectors graded "
        f"them) with the inspectors' own choice ({count_share(ki, ni)} {worst}), and the report does not say how each area's cases "
        "split between the two. Over every split of whole cases that fits the published tables, comparing each sample with itself "
        "([the sample mix](../methods.qmd#sample-mix)):\n\n" + "\n".join(f"- {line}" for line in mix)
    )


def mix_reading(adjusted: pd.DataFrame, summary: pd.DataFrame, labels: dict[str, str], worst_grade: str) -> list[str]:
    """Per area (weakest first), whether its excess share of the worst grade over the other areas survives the sample mix, in words.

    From ``area_adjusted.csv`` (the range of the standardised excess over every consistent area x
    sample split) and ``area_summary.csv`` (the crude shares); the verdict is
    :func:`analysis.narrative.style.mix_verdict`.
    """
    w = grade_slug(worst_grade)
    r = ranked(summary, labels)
    total_x, total_n = int(r[w].sum()), int(r["n"].sum())
    adj = adjusted.set_index(["area", "quantity"])
    out = []
    for _, row in r.iterrows():
        k, n = int(row[w]), int(row["n"])
        crude = k / n - (total_x - k) / (total_n - n)
        low, high = (float(v) for v in adj.loc[(row["area"], f"standardised_excess_{w}"), ["low", "high"]])
        verdict = mix_verdict(crude, low, high)
        if verdict.startswith("has no excess"):
            out.append(f"{as_text(row['label'])} ({count_share(k, n)} {as_text(worst_grade)}) {verdict}.")
            continue
        out.append(
            f"{as_text(row['label'])} ({count_share(k, n)} {as_text(worst_grade)}, {round(100 * crude)} points above the other areas) {verdict}: "
            f"compared sample by sample, its excess runs from {round(100 * low)} to {round(100 * high)} percentage points "
            "over the ways its cases could split between the samples."
        )
    return out


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
        f"uncertain: the widest {level_text()} interval for an area's share graded {worst_grade} spans {round(100 * widths.max())} percentage points "
        "(intervals that treat each area's cases as if drawn at random). "
    )
    tests = len(summary) * len(holm_columns(summary))
    sentence = areas_shown(shown_areas(summary, labels))
    return text + (
        f"Allowing for the {tests} area-against-rest comparisons, {sentence} from the rest "
        f"(the smallest adjusted p-value is {p_text(smallest_adjusted(summary)).removeprefix('p = ')})."
    )


def area_descriptions(practice_areas: pd.DataFrame, shown: list[str]) -> str:
    """The practice areas as the package describes them (``practice_areas.csv``'s descriptions), one line each; empty when it gives none.

    ``shown`` are the areas the figures give (:meth:`analysis.data.load.AuditData.areas`).
    """
    areas = practice_areas[practice_areas["practice_area"].isin(shown)]
    described = [(r.label, r.description) for r in areas.itertuples(index=False) if str(r.description).strip()]
    if not described:
        return ""
    return "The areas, as the audit package describes them:\n\n" + "\n".join(
        f"- **{as_text(label)}**: {as_text(text)}" for label, text in described
    )


def primary_sentence(tests: pd.DataFrame) -> str:
    """The practice areas' primary analysis in one sentence, for the top of the page (``association_tests.csv``).

    The exact Fisher-Freeman-Halton test of whether the grade mix differs between the areas
    (Methods, primary analyses); every other test of the areas is named a sensitivity analysis.
    """
    areas = tests[tests["comparison"] == "areas_by_grade"].set_index("test")
    test = next((t for t in ("fisher_exact", "fisher_monte_carlo") if t in areas.index), None)
    if test is None:
        return ""
    p = float(areas.loc[test, "p_value"])
    how = "exact" if test == "fisher_exact" else "Monte Carlo"
    return (
        f"**Primary analysis.** The mix of grades {shown_to_differ(p)} between the areas: the {how} Fisher-Freeman-Halton test gives "
        f"{p_text(p)}, treating the audited cases {sampling.AS_IF_DRAWN}. The "
        "chi-squared and Kruskal-Wallis tests, the area-against-rest tests, the hierarchical model and the sample-mix bounds below are "
        "sensitivity analyses."
    )


def ordering_paragraph(ordered: pd.DataFrame, labels: dict[str, str], grades, by_mean: list[str]) -> str:
    """How the areas are ordered (:func:`order_rule`), the weakest and strongest by it, and how far ordering by the mean grade score agrees.

    ``ordered`` is ``area_summary.csv`` weakest first; ``by_mean`` the areas ordered by their mean grade score
    (:func:`analysis.sections.areas.mean_score`), lowest first. Markdown; names as text.
    """
    from analysis.grades import score_note

    worst, w = grades[-1], grade_slug(grades[-1])
    order = list(ordered["area"])
    weakest, strongest = ordered.iloc[0], ordered.iloc[-1]
    n_all, n_worst = int(ordered["n"].sum()), int(ordered[w].sum())
    return (
        f"Ordering rule: {as_text(order_rule(grades))}. By this rule the weakest area is {as_text(labels[weakest.area].lower())}, where "
        f"{count_share(weakest[w], weakest.n)} cases were graded {as_text(worst)}, and the strongest is "
        f"{as_text(labels[strongest.area].lower())}, with {count_share(strongest[w], strongest.n)} {as_text(worst)}. Over all areas, "
        f"{count_share(n_worst, n_all)} cases were graded {as_text(worst)}. Ordering instead by the mean grade score "
        f"({as_text(score_note(grades, words=True))}) puts {as_text(labels[by_mean[0]].lower())} first and "
        f"{as_text(labels[by_mean[-1]].lower())} last; "
        + (
            "the order of the areas in between is the same."
            if by_mean == order
            else f"{sum(a != b for a, b in zip(by_mean, order, strict=True))} of the {len(order)} areas change places, a first hint that the ranking is fragile."
        )
    )


def spread_paragraph(summary: pd.DataFrame, labels: dict[str, str], worst_grade: str, ranks: pd.DataFrame | None = None) -> str:
    """How wide the areas' intervals are, why reading them one by one overstates what they show, then :func:`multiplicity_reading`.

    From ``area_summary.csv`` and ``area_ranks.csv``. Markdown; names as text.
    """
    w = grade_slug(worst_grade)
    widths = summary[f"wilson_high_{w}"] - summary[f"wilson_low_{w}"]
    return (
        f"The areas hold between {summary['n'].min()} and {summary['n'].max()} cases each, so each share is uncertain: the Wilson "
        f"intervals for the share {as_text(worst_grade)} are between {100 * widths.min():.0f} and {100 * widths.max():.0f} percentage points wide. "
        f"Reading {number_word(len(summary))} intervals against an overall share that includes each area itself overstates what they show, so the comparison "
        "below allows for the number of areas compared ([*Holm adjustment*](../glossary.md#holm)) and borrows strength across areas "
        f"([*partial pooling*](../glossary.md#partial-pooling), in a hierarchical model). {multiplicity_reading(summary, labels, worst_grade, ranks)}"
    )


#: Cochran's rule: at most this share of a table's expected counts may be below five for the chi-squared approximation.
COCHRAN_SHARE = 0.2


def tests_paragraph(tests: pd.DataFrame, check, alpha: float = choices.ALPHA) -> str:
    """The tests of whether the grade mix differs between the areas, from ``association_tests.csv``'s rows of the areas (indexed by test).

    ``check`` is the chi-squared test of the area-by-grade table (:func:`analysis.stats.association.chi_squared_test`). Markdown.
    """
    chi, ffh, mc, kw = (tests.loc[t] for t in ("chi_squared", "fisher_exact", "fisher_monte_carlo", "kruskal_wallis"))
    significant = min(chi.p_value, ffh.p_value, kw.p_value) < alpha
    return (
        f"Pearson's chi-squared test gives X² = {chi.statistic:.2f} on {chi.df} degrees of freedom, p = {chi.p_value:.3f}, but "
        f"with so few cases per area its approximation cannot be trusted: {100 * check.share_expected_below_5:.0f}% of the expected counts are below five "
        f"(the smallest is {fixed(check.min_expected, 1)}), where Cochran's rule allows at most {100 * COCHRAN_SHARE:.0f}%. The exact "
        f"Fisher-Freeman-Halton test needs no such approximation: p = {ffh.p_value:.4f} exactly, and {mc.p_value:.4f} from the Monte Carlo "
        f"version (Monte Carlo standard error {mc.mc_standard_error:.4f}; {mc.note.split('from ', 1)[1].split(';')[0]}). "
        f"The Kruskal-Wallis test, which uses the order of the grades, gives H = {kw.statistic:.2f} on {kw.df} degrees of freedom, "
        f"p = {kw.p_value:.3f}. "
        + (
            f"None of these is below {alpha}: the audit does not show that grades differ between areas by more than chance would produce. "
            if not significant
            else f"At least one is below {alpha}. "
        )
        + f"Cramér's V is "
        f"{chi.effect_size:.2f}, but only {ffh.effect_size:.2f} after Bergsma's correction for its upward bias in small tables."
    )


def power_paragraph(
    n_all: int,
    df: int,
    shape: tuple[int, int],
    cohen_w: dict[str, float],
    powers: dict[str, float],
    w_min: float,
    *,
    alpha: float = choices.ALPHA,
    power: float = choices.POWER,
) -> str:
    """What an audit of ``n_all`` cases could detect between the areas: the chi-squared test's power for Cohen's small, medium and large effects.

    ``df`` is the chi-squared test's degrees of freedom and ``shape`` the area-by-grade table's shape; ``powers`` the test's power for each effect of ``cohen_w``;
    ``w_min`` the smallest w detected with probability ``power`` (:mod:`analysis.stats.association`). Markdown.
    """
    return (
        f"**Power at n = {n_all}.** For a table of this shape ({df} degrees of freedom), the chi-squared test at the "
        f"{100 * alpha:.0f}% level would detect a small, medium or large effect (Cohen's w = "
        f"{join_words([str(w) for w in cohen_w.values()])}) with probability "
        f"{join_words([f'{100 * p:.0f}%' for p in powers.values()])}. It reaches {100 * power:.0f}% power only for "
        f"w of at least {w_min:.2f}, that is a Cramér's V of at least {w_min / (min(shape) - 1) ** 0.5:.2f} (V = w divided by the "
        f"square root of {min(shape) - 1} for a table with {shape[1]} grades). These figures rest on the large-sample "
        f"approximation, so they are only a guide here. So the absence of a significant result says little: real differences of a "
        f"moderate size between areas would often go undetected in an audit of this size, and the ordering of the areas "
        f"should be read as a description of these cases, not as a ranking of the force's practice."
    )


# --------------------------------------------------------------------------- the words of the areas' tables (datapackage.json, contents.csv)


def monte_carlo_method(samples: int, seed: int, se: float) -> str:
    """``association_tests.csv``'s note on the Monte Carlo Fisher-Freeman-Halton test: how many random tables, the seed and the Monte Carlo standard error."""
    return (
        f"Fisher-Freeman-Halton Monte Carlo p-value from {samples} random tables with the observed margins, numpy seed {seed}; "
        f"Monte Carlo standard error {se:.2g}"
    )


def area_summary_columns(grades, n_areas: int, family) -> dict[str, str]:
    """The columns of ``area_summary.csv`` and their descriptions, for a scale (best first), a number of areas and the grades of the family of area-against-rest tests.

    ``family`` is :func:`analysis.sections.areas.family_grades` of ``grades`` (the worst grade, and the best when the scale has three or more).
    """
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
                f"wilson_low_{s}": f"Lower limit of the Wilson score {level_text()} interval for the share graded {g}.",
                f"wilson_high_{s}": f"Upper limit of the Wilson score {level_text()} interval for the share graded {g}.",
                f"exact_low_{s}": f"Lower limit of the Clopper-Pearson (exact) {level_text()} interval for the share graded {g}.",
                f"exact_high_{s}": f"Upper limit of the Clopper-Pearson (exact) {level_text()} interval for the share graded {g}.",
            }
        )
    family = list(family)
    tests = number_word(n_areas * len(family))
    columns.update(
        {
            f"adjusted_low_{w}": f"Lower limit of the Wilson interval for the share graded {worst} at confidence 1 - {choices.ALPHA:g}/{n_areas} (Bonferroni over the {many} areas).",
            f"adjusted_high_{w}": "Upper limit of that Bonferroni-adjusted Wilson interval.",
        }
    )
    for g in family:
        columns.update(
            {
                f"vs_rest_p_{slugs[g]}": f"Two-sided Fisher exact test of the area against the other areas together ({g} against not).",
                f"vs_rest_p_holm_{slugs[g]}": f"That p-value after Holm's adjustment over all {tests} area-against-rest tests "
                f"({join_words(family)}, every area).",
            }
        )
    columns.update(
        {
            f"pooled_share_{w}": f"Posterior mean share graded {worst} in the full hierarchical beta-binomial model, integrated over its "
            "hyperparameters on a grid (Gelman et al., Bayesian Data Analysis, 3rd ed., section 5.3 hyperprior).",
            f"pooled_low_{w}": f"Lower end of the equal-tailed {level_text()} posterior interval of that share.",
            f"pooled_high_{w}": "Upper end of that interval.",
            "p_weakest": f"Posterior probability, in the same model, that the area has the highest true share graded {worst} (as in area_ranks.csv).",
        }
    )
    return columns


def area_summary_title() -> str:
    """The title of ``area_summary.csv``."""
    return f"Grades by practice area, with shares and {level_text()} intervals"


def area_summary_description() -> str:
    """The description of ``area_summary.csv``."""
    return (
        "For each practice area, the number of cases per HMICFRS grade and the share of each grade with Wilson and "
        f"Clopper-Pearson {level_text()} intervals."
    )


def area_summary_interval_note(n_grades: int) -> str:
    """``area_summary.csv``'s note on what its intervals are, for a scale of ``n_grades`` grades."""
    return (
        f"Each interval treats one grade against the other {number_word(n_grades - 1)} as a binomial proportion; the plain "
        f"{level_text()} intervals are not simultaneous: compare areas with the adjusted columns."
    )


def area_ranks_description(worst_grade: str) -> str:
    """The description of ``area_ranks.csv``, on the share graded ``worst_grade``."""
    return (
        f"For each practice area, the probability that it has the highest true share graded {worst_grade} in a full hierarchical "
        f"beta-binomial model, the range of that probability over the pooling strengths the data allow, and a {level_text()} interval for its rank."
    )


def area_ranks_columns(worst_grade: str) -> dict[str, str]:
    """The columns of ``area_ranks.csv`` and their descriptions, on the share graded ``worst_grade``."""
    return {
        "area": "Practice area code, in report order.",
        "p_weakest": f"Posterior probability that the area has the highest true share graded {worst_grade}, integrating over the "
        "hyperparameters on a grid with the weakly informative hyperprior of Gelman et al. (Bayesian Data Analysis, 3rd ed., section 5.3).",
        "p_weakest_low": f"Smallest value of that probability over the profile-likelihood {level_text()} set of the pooling strength (the mean at its "
        "best value for each), a sensitivity analysis: what the probability could be without the hyperprior.",
        "p_weakest_high": "Largest value of that probability over the same set.",
        "rank_low": f"Lower end of the equal-tailed {level_text()} posterior interval of the area's rank (1: the highest share graded {worst_grade}).",
        "rank_high": "Upper end of that interval.",
    }


def area_ranks_pooling_note(n_areas: int, most_cases: float) -> str:
    """``area_ranks.csv``'s note on complete pooling: each of ``n_areas`` areas' probability tends to one in ``n_areas``; the grid stops at ``most_cases``."""
    return (
        "The profile-likelihood set of the pooling strength runs up to complete pooling (every area the same), where each area's probability "
        f"tends to one in {number_word(n_areas)}; the grid stops at a pooling strength of {most_cases:g} cases."
    )


def area_adjusted_quantity_column(family) -> str:
    """The description of ``area_adjusted.csv``'s ``quantity`` column, for the grades of the family of area-against-rest tests."""
    return (
        "share_<grade>_<sample> (the area's share of the grade among its cases in that sample), standardised_share_<grade> "
        "(the two within-sample shares weighted by the samples' sizes) or standardised_excess_<grade> (that standardised share minus the "
        f"other areas' standardised share); for {join_words(list(family))}."
    )


def monte_carlo_seed_note(seed: int) -> str:
    """``association_tests.csv``'s note on the Monte Carlo test's seed."""
    return f"The Monte Carlo test uses numpy's default generator with seed {seed}."


def no_area_counts_reason(samples_given: bool = True) -> str:
    """Why the areas' tables are not written when the figures do not pin every grade's count in every area.

    With ``samples_given`` false (neither are the two samples' grades given), it says so too: the reason
    ``association_tests.csv`` is not written either.
    """
    not_computed = "are not computed" if samples_given else "are not computed, and the two samples' grades are not both given"
    return (
        "The figures do not give every grade's count in every practice area for all cases, so the areas' shares and tests "
        f"{not_computed}; grade_counts.csv gives the range of each count the figures allow."
    )


def too_few_areas_reason() -> str:
    """Why the areas' tables are not written when the figures give fewer than two areas."""
    return "The figures give fewer than two practice areas, so there is nothing to compare."


def all_or_none_reason(worst_grade: str) -> str:
    """Why the areas' tables are not written when no case, or every case, was graded ``worst_grade``."""
    return f"Either no case or every case was graded {worst_grade}, so the areas' shares of it cannot be compared or pooled."


def no_sample_grades_reason() -> str:
    """Why the area x sample bounds are not written when the inspectors' grades of both samples are not given."""
    return "The figures do not give the inspectors' grades of both samples, so the areas cannot be split between the samples."


def no_mix_table_reason() -> str:
    """Why the area x sample bounds are not written when no table of whole cases fits the figures."""
    return "No table of whole cases by area, sample and grade fits the published figures."
