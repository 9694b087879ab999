"""The words of the national panel's and the funnels' tables (analysis/narrative/panel.py): plurals, levels and reasons from their inputs.

Each wording that depends on a count is tested on both sides of it (one document or two, none, one or several forces).
"""

from __future__ import annotations

import pytest

from analysis.narrative import panel as words
from analysis.narrative.style import level_text


def test_forces_phrase():
    assert [words.forces_phrase(k) for k in (0, 1, 2, 12, 14)] == ["no force", "one force", "two forces", "twelve forces", "14 forces"]
    with pytest.raises(ValueError):
        words.forces_phrase(-1)


def test_the_intervals_name_the_level_they_are_computed_at():
    assert f"(Clopper-Pearson) {level_text(0.95)} intervals" in words.panel_interval_column(0.95)
    assert f"(Clopper-Pearson) {level_text(0.9)} intervals" in words.panel_interval_column(0.9)
    cols = words.change_columns("inadequate", 0.9)
    assert list(cols) == ["low", "high", "ci_low", "ci_high", "words"]
    assert "share of all cases graded inadequate," in cols["low"] and cols["ci_low"].startswith("Lower end of the 90% Newcombe")


def test_a_document_with_areas_only_names_each_area_and_its_cases_when_printed():
    reason = words.areas_only_reason([("missing children", 20), ("online abuse", None)])
    assert reason == (
        "the document prints grades only for a sub-sample of the audited cases (missing children: 20 cases; online abuse); "
        "practice areas are not in the panel"
    )


@pytest.mark.parametrize(("end", "word"), [("low", "Smallest"), ("high", "Largest")])
def test_a_pair_bound_column_says_which_end(end, word):
    assert words.pair_bound_column(end, "Cohen's kappa").startswith(f"{word} Cohen's kappa over every case-by-case table")


def test_a_union_over_readings():
    assert words.union_method(2, "exact over 7 tables") == "union over 2 readings; exact over 7 tables"


@pytest.mark.parametrize(
    ("ids", "subject"), [(["dorset-2021"], "dorset-2021 prints"), (["dorset-2021", "dorset-2022"], "dorset-2021 and dorset-2022 print")]
)
def test_the_verb_agrees_with_the_documents_that_print_nothing(ids, subject):
    assert words.no_count_change_reason(ids, "good") == f"{subject} no number of cases for all cases graded good, so there is no interval"
    assert words.no_share_change_reason(ids, "inadequate") == f"{subject} no share of all cases graded inadequate"


@pytest.mark.parametrize(
    ("others", "entering", "start"),
    [
        (0, 0, "The funnel holds no force besides Gwent:"),
        (1, 1, "The funnel holds one force besides Gwent:"),
        (5, 0, "None of the 5 other forces on the funnel can enter"),
        (5, 1, "Only one force of the 5 other forces on the funnel can enter"),
    ],
)
def test_too_few_forces_counts_the_forces_on_either_side_of_two(others, entering, start):
    reason = words.too_few_forces_reason("Gwent", others, entering)
    assert reason.startswith(start) and reason.endswith("the spread between forces cannot be estimated from fewer than two.")


def test_the_funnel_tables_words_carry_their_numbers():
    assert words.confidence_column((0.95, 0.998)) == "Two-sided confidence level of the limits: 0.95 or 0.998."
    assert "from 20 to 120:" in words.funnel_limits_description(20, 120, (0.95, 0.998))
    assert words.funnel_limits_description(20, 120, (0.95, 0.998)).endswith("at 95% and 99.8% confidence.")
    assert "The main analysis Winsorises at 10%;" in words.funnel_dispersion_description(0.1)
    assert "from 30 to 40:" in words.funnel_limits_overdispersed_description(30, 40)
    assert words.no_target_reason(("good", "inadequate"), "good").startswith(
        "No other force's full inspection graded good, inadequate pins the count of all cases graded good,"
    )


def test_each_analysis_and_each_kind_of_position_is_described():
    names = ("all_sources", "not_winsorised", "without_secondary_sources", "ranges_at_fewest", "ranges_at_most")
    texts = [words.overdispersion_analysis_description(n, 0.2) for n in names]
    assert all(t.startswith(n + " (") for n, t in zip(names, texts, strict=True))
    assert ["Winsorised at 20%" in t for t in texts] == [True, False, True, True, True]
    assert words.analysis_column(texts[:2]) == f"How the over-dispersion is estimated: {texts[0]}; {texts[1]}."
    for kind in ("binomial", "additive", "multiplicative"):
        text = words.position_column(kind, "depends")
        assert "; depends when the document's count is a range" in text and text.endswith("say where).")
    with pytest.raises(KeyError):
        words.position_column("poisson", "depends")
