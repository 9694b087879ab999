"""Sentences on the two samples: the inspectors' grades of the cases the force selected against those of the cases they selected.

Published tables in (``sample_grades.csv``, ``association_tests.csv``), sentences out; and the notes of the samples' rows of
``association_tests.csv`` (plain values in).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.choices import ALPHA, POWER
from analysis.narrative.style import as_text, count_share, counted, counts_in_words, fixed, level_text, p_text, unusual
from analysis.sampling import COMPARED_SAMPLES, COMPARISON

#: The samples' names in tables and charts, in the order compared (first: the cases the force selected).
SAMPLE_LABELS: dict[str, str] = dict(zip(COMPARED_SAMPLES, ("Force-selected", "Inspectorate-selected"), strict=True))


def headline(sample_grades: pd.DataFrame, tests: pd.DataFrame, grades: tuple[str, ...]) -> str:
    """The home page's sentence on the two samples, from ``sample_grades.csv`` and ``association_tests.csv`` (ordinal test first).

    ``grades`` is the scale, best first; the sentence (Markdown) gives each sample's share in the worst grade, named as text.
    """
    worst = grades[-1]
    hm = sample_grades[sample_grades["assessor"] == "hmicfrs"]
    counts = {s: hm[hm["sample"] == s].set_index("grade")["n"] for s in SAMPLE_LABELS}
    nf, ni = int(counts["force_selected"].sum()), int(counts["inspectorate_selected"].sum())
    fi, ii = int(counts["force_selected"][worst]), int(counts["inspectorate_selected"][worst])
    t = tests[tests["comparison"] == COMPARISON].set_index("test")
    po, mw = t.loc["proportional_odds"], t.loc["mann_whitney_exact"]
    reading = unusual(po["p_value"], ALPHA)
    every = {2: "both grades", 3: "all three grades"}.get(len(grades), f"all {len(grades)} grades")
    return (
        f"The inspectors graded {count_share(ii, ni)} of the cases they selected {as_text(worst)}, against {count_share(fi, nf)} of the cases "
        f"the force selected. Comparing {every} in order, the odds of a better grade were "
        f"{fixed(po['effect_size'], 1)} times as high for the force-selected cases, and with {level_text()} confidence between {fixed(po['ci_low'], 2)} "
        f"and {fixed(po['ci_high'], 2)} times as high ({p_text(po['p_value'])}, proportional-odds model, the primary analysis; the exact "
        f"Mann-Whitney test, a sensitivity analysis, gives {p_text(mw['p_value'])}): {reading}. "
        "The interval and the tests treat the inspectors' cases as if drawn at random, a model the document does not state; "
        "either way this cannot show how the force picked its cases."
    )


def difference_paragraph(force, insp, grades, difference: tuple[float, float, float], said_random: bool) -> str:
    """What each sample's grades were and how far apart their shares in the worst grade are, with the interval for the difference.

    ``force`` and ``insp`` are the inspectors' grade counts of the force's and of their own sample (best first);
    ``difference`` is the inspectors' sample's share in the worst grade minus the force's with its interval
    (Newcombe's hybrid score method, :func:`analysis.stats.proportions.difference_interval`); ``said_random``:
    the document says the force's cases were drawn at random. Markdown.
    """
    worst = grades[-1]
    n_force, n_insp = int(sum(force)), int(sum(insp))
    diff, low, high = difference
    points = round(abs(100 * diff))
    gap = (
        "the same, to the nearest point, in both samples"
        if points == 0
        else (f"{counted(points, 'percentage point')} {'higher' if diff > 0 else 'lower'} in the inspectors' own sample")
    )
    model = (
        "taking the force's cases as the random sample the document says they were and the inspectors' as if drawn at random, a model the document does not state"
        if said_random
        else "treating each sample as standing for its kind of case, a model the document does not state"
    )
    return (
        f"Of the {n_force} cases the force selected, the inspectors graded {counts_in_words(force, n_force, grades, before_verb='as ')}. "
        f"Of the {n_insp} cases they selected themselves, they graded {counts_in_words(insp, n_insp, grades, before_verb='as ')}. "
        f"The share {as_text(worst)} is {gap} "
        f"({level_text()} interval for the difference {100 * low:.0f} to {100 * high:.0f} points, Newcombe's hybrid score method, {model}; "
        "see the sampling model on the Methods page). "
        + (
            "That range runs from a slightly lower share to a much higher one: the figures fit no difference as well as a large one, so they "
            "do not show that there is no difference."
            if low <= 0 <= high
            else "The whole range lies on one side of zero."
        )
    )


def tests_paragraph(tests: pd.DataFrame, check, better_tie_worse: tuple[float, float, float], grades, alpha: float = ALPHA) -> str:
    """The ordinal comparison of the samples first, then the order-blind tests, from ``association_tests.csv``'s rows of :data:`COMPARISON`.

    ``tests`` is indexed by test name; ``check`` is the chi-squared test of the table
    (:func:`analysis.stats.association.chi_squared_test`: its smallest expected count and share below five);
    ``better_tie_worse`` the chances that a force-selected case is graded better, the same, worse
    (:func:`analysis.sections.samples.better_tie_worse`). Markdown.
    """
    po, chi, ffh, mw, mwx = (
        tests.loc[t] for t in ("proportional_odds", "chi_squared", "fisher_exact", "mann_whitney", "mann_whitney_exact")
    )
    cochran = (
        f"every expected count is at least five (the smallest is {fixed(check.min_expected, 1)}), so the approximation is sound"
        if check.share_expected_below_5 == 0
        else f"{100 * check.share_expected_below_5:.0f}% of expected counts are below five, so the approximation is doubtful"
    )
    better, tie, worse = better_tie_worse
    smallest = min(po.p_value, chi.p_value, ffh.p_value, mw.p_value, mwx.p_value)
    return (
        f"The grades are ordered, so the main comparison uses the order. A [*proportional-odds model*](../glossary.md#proportional-odds) "
        f"of the inspectors' grade on the sample gives a common odds ratio of {po.effect_size:.2f} ({level_text()} interval {po.ci_low:.2f} to "
        f"{po.ci_high:.2f}): the odds of a better grade, at {'either cut' if len(grades) == 3 else 'every cut'} of the scale, about {po.effect_size:.1f} times as high for a "
        f"force-selected case; likelihood-ratio chi-squared {po.statistic:.2f} on {po.df} degree of freedom, p = {po.p_value:.3f}. "
        f"The Mann-Whitney rank test agrees: p = {mw.p_value:.3f} with the normal approximation and {mwx.p_value:.3f} exactly, given the "
        f"many tied grades. Of a force-selected and an inspectorate-selected case picked at random, the force-selected one would have "
        f"the better grade with probability {100 * better:.0f}%, the same grade with probability {100 * tie:.0f}% and the worse grade "
        f"with probability {100 * worse:.0f}%. "
        f"Tests that ignore the order are weaker here: Pearson's chi-squared gives X² = {chi.statistic:.2f} on {chi.df} degrees of freedom, "
        f"p = {chi.p_value:.3f} ({cochran}), and the exact Fisher-Freeman-Halton test p = {ffh.p_value:.3f}; Cramér's V is "
        f"{chi.effect_size:.2f} ({ffh.effect_size:.2f} after Bergsma's bias correction). "
        f"{f'None of the p-values is below {alpha}' if smallest >= alpha else f'At least one p-value is below {alpha}'}."
    )


def power_paragraph(
    n_force: int, n_insp: int, chi, power_medium: float, w_detectable: float, medium_w: float, *, alpha: float = ALPHA, power: float = POWER
) -> str:
    """What an audit of this size could detect: the chi-squared test's power for a medium effect and the smallest effect found with ``power``.

    ``chi`` is the chi-squared row of ``association_tests.csv``; ``power_medium`` the test's power for Cohen's w = ``medium_w``
    and ``w_detectable`` the smallest w detected with probability ``power`` (:mod:`analysis.stats.association`). Markdown.
    """
    return (
        f"**Power.** With {n_force} and {n_insp} cases, the chi-squared test on this table would have {100 * power_medium:.0f}% "
        f"power to detect a medium effect (Cohen's w = {medium_w}) at the {100 * alpha:.0f}% level, and reaches "
        f"{100 * power:.0f}% power only for w of at least {w_detectable:.2f}. "
        f"The observed effect (for a two-row table w equals Cramér's V, here {chi.effect_size:.2f}) is "
        f"{'below' if chi.effect_size < w_detectable else 'above'} that. A non-significant "
        f"result is therefore weak evidence that the samples are alike: an audit of this size can miss a real difference of this order."
    )


# --------------------------------------------------------------------------- notes of association_tests.csv's rows of the comparison

#: What the probability of superiority means, as every Mann-Whitney row's note ends.
_SUPERIORITY = "effect size: probability that a force-selected case is graded better than an inspectorate-selected one, ties counting half"


def proportional_odds_note() -> str:
    """The ``note`` of the proportional-odds row: the model, its test and its interval at the analysis's level."""
    return (
        "Proportional-odds (ordered logit) model of the inspectors' grade on the sample, statsmodels OrderedModel; "
        "likelihood-ratio chi-squared against the thresholds-only model; odds ratio above 1 means the force-selected cases got better grades; "
        f"Wald {level_text()} interval"
    )


def mann_whitney_note(exact: bool) -> str:
    """The ``note`` of a Mann-Whitney row: the normal approximation (``exact`` false) or the exact conditional p-value."""
    how = (
        "exact conditional (permutation) p-value given the tied grades"
        if exact
        else "normal approximation with tie correction and continuity correction"
    )
    return f"U of the force-selected sample; {how}; {_SUPERIORITY}"


def proportional_odds_check_note() -> str:
    """The ``note`` of the row testing the proportional-odds assumption."""
    return (
        "Likelihood-ratio test of the proportional-odds model against a separate odds ratio at each cut of the scale (for two groups the "
        "saturated cumulative logit model; as ordinal::nominal_test in R); a small p-value says the odds ratios differ between cuts"
    )


def cumulative_odds_note(above: Sequence[str], cut: int) -> str:
    """The ``note`` of the cumulative odds ratio at ``cut`` of the scale, ``above`` the grades better than the cut (best first)."""
    return (
        f"Odds of a grade of {' or '.join(above)} rather than worse, force-selected against inspectorate-selected cases (cut {cut} of the scale); "
        f"Woolf {level_text()} interval; under proportional odds every cut has the same odds ratio"
    )
