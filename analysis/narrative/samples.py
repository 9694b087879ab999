"""Sentences on the two samples: the inspectors' grades of the cases the force selected against those of the cases they selected.

Published tables in (``sample_grades.csv``, ``association_tests.csv``), sentences out.
"""

from __future__ import annotations

import pandas as pd

from analysis.choices import ALPHA
from analysis.narrative.style import as_text, count_share, fixed, level_text, p_text, unusual
from analysis.sections.samples import COMPARISON, SAMPLE_LABELS


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
