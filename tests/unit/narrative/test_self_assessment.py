"""Words of the self-assessment tables (:mod:`analysis.narrative.self_assessment`): methods, reasons and descriptions move with their inputs."""

from __future__ import annotations

import pytest

from analysis import choices
from analysis.narrative import self_assessment as words
from analysis.narrative.style import level_text
from analysis.sections import self_assessment as sa

GRADES = ("good", "requires improvement", "inadequate")


def test_the_assumptions_words_are_the_sections_assumptions_in_order():
    assert sa.ASSUMPTIONS is words.ASSUMPTIONS
    assert list(words.ASSUMPTIONS) == [
        "none",
        "force_never_harsher",
        "at_most_one_grade_apart",
        "force_never_harsher_and_at_most_one_grade_apart",
    ]


@pytest.mark.parametrize("name", list(words.ASSUMPTIONS))
def test_the_known_tables_method_says_whether_it_meets_the_assumption(name):
    meets, fails = words.known_table_method(name, True), words.known_table_method(name, False)
    assert meets == f"{words.ASSUMPTIONS[name]}; the case-level table meets it: its value"
    assert fails == f"{words.ASSUMPTIONS[name]}; the case-level table does not meet it"
    assert words.ruled_out_method(name) == f"{words.ASSUMPTIONS[name]}: the published totals rule this out (no table fits them)"


def test_the_contrast_names_carry_the_table_id():
    assert words.kinder_table_name(7) == "Same ranking, one grade kinder (table 7)"
    assert words.least_agreeing_table_name(12) == "Fewest cases graded the same (table 12)"


def test_the_reasons_print_large_counts_with_separators():
    assert (
        words.count_too_large_why(12_345_678, 1_000_000)
        == "counting them would take an array of 12,345,678 cells, past the budget of 1,000,000"
    )
    assert words.too_many_tables_why(1_234_567) == "1,234,567 tables fit the totals"
    assert words.too_many_tables_why(5) == "5 tables fit the totals"
    reason, why = words.too_many_totals(10_000)
    assert reason.startswith("The figures allow 10,000 or more different totals for one of the two gradings")
    assert why == "the figures allow 10,000 or more different totals for one grading, too many to list"
    reason, why = words.too_many_pairs(1_500, 2, 3_000)
    assert reason.startswith("The figures allow 1,500 force totals and 2 inspectors' totals, 3,000 combinations in all: ")
    assert why == "the figures allow 3,000 pairs of totals, too many to list"
    assert words.open_totals_reason(1, 2_000).startswith("The figures leave the totals open (1 possible force totals and 2,000 possible")
    assert words.not_listed_reason("9 tables fit the totals").startswith(
        "Too many tables of case counts fit the published totals to list them one by one (9 tables fit the totals); "
    )


def test_the_skipped_reasons_quote_the_budgets_message():
    assert words.sensitivity_skipped("over budget") == (
        "The sign test's sensitivity is not computed: over budget (its programmes grow with the square of the number of cases)."
    )
    assert words.assumptions_skipped(ValueError("no answer")) == (
        "The ranges under each assumption could not be computed exactly for these figures (no answer)."
    )
    assert words.not_counted("too big") == "tables not counted (too big)"


@pytest.mark.parametrize("alpha", [choices.ALPHA, 0.01])
def test_the_sensitivity_words_name_the_significance_level(alpha):
    assert words.unreachable_detail(alpha).endswith(f"the largest p-value stays below {alpha:g}")
    methods = words.sensitivity_methods(alpha)
    assert list(methods) == ["sign_test_largest_p", "sign_test_moves_to_lose_significance", "sign_test_largest_p_after_moves"]
    assert f"for that largest p-value to reach {alpha:g} (exact" in methods["sign_test_moves_to_lose_significance"]
    assert f"p < {alpha:g} for the tests" in words.verdict_column(alpha)
    assert words.better_worse_detail(9, 1) == "9 better, 1 worse"


def test_the_probit_method_names_the_best_grade_and_the_level():
    text = words.probit_method("good")
    assert text.startswith("normal quantile of the force's share good minus that of the inspectors' share good, same cases; ")
    assert f"delta-method {level_text()} interval" in text and "(the pairing with the fewest cases good for both)" in text


def test_the_descriptions_end_with_the_pairing_note():
    note = words.pairing_note(GRADES)
    assert note.startswith(
        "Rows of each table are the force's grade and columns HMICFRS's grade, both good, requires improvement, inadequate (best first); "
    )
    assert note.endswith("Scores where needed: good = 3, requires improvement = 2, inadequate = 1.")
    for describe in (
        words.agreement_bounds_description,
        words.consistent_tables_description,
        words.identified_description,
        words.assumptions_description,
        words.sensitivity_description,
    ):
        text = describe(note)
        assert text.endswith(" " + note) and "  " not in text
    assert words.identified_title().endswith(f"with {level_text()} intervals")
    low, high = words.identified_ci_columns()
    assert low.startswith(f"Lower end of the {level_text()} interval (for share_force_better, the one-sided {level_text()} Clopper-Pearson")
    assert high == f"Upper end of the {level_text()} interval, spanning every pairing's; empty where none is given."


def test_the_sampling_note_follows_what_the_document_says():
    said = words.identified_sampling_note(True)
    unsaid = words.identified_sampling_note(False)
    assert "the report says they were drawn at random" in said and "does not say" not in said
    assert "the document does not say how they were chosen" in unsaid and "drawn at random" not in unsaid


def test_the_column_words_name_the_grades_the_scale_size_and_the_quantities():
    assert words.cell_column("good", "inadequate") == "Cases graded good by the force and inadequate by HMICFRS."
    assert words.measure_columns(3)["gwet_ac1"] == "Gwet's AC1 (three categories)."
    assert words.measure_columns(5)["gwet_ac1"] == "Gwet's AC1 (five categories)."
    assert (
        words.assumption_quantity_column(("n_same", "cohen_kappa"))
        == "A quantity of identified.csv that depends on the pairing: n_same, cohen_kappa."
    )


def test_the_cell_columns_words_are_read_back_from_the_column_names():
    specs = {s.path: s for s in sa._specs(list(GRADES), words.pairing_note(GRADES))}
    columns = specs["consistent_tables.csv"].columns
    assert columns["force_requires_improvement__hmicfrs_good"] == "Cases graded requires improvement by the force and good by HMICFRS."
