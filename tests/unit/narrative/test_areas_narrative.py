"""The words the practice areas' tables carry (analysis/narrative/areas.py): built from plain values, each number and grade from its input.

Each wording that depends on a number is tested on both sides of it (one or several grades in the family, a
confidence level other than the analysis's), and the reasons a table is not written are checked with and without
the samples' grades.
"""

from __future__ import annotations

import pytest

from analysis import choices
from analysis.narrative import areas as words
from analysis.narrative.style import level_text

GRADES = ("good", "requires improvement", "inadequate")


def test_the_monte_carlo_note_names_its_tables_seed_and_error_and_the_paragraph_can_read_it():
    note = words.monte_carlo_method(100000, 20190401, 0.001234)
    assert note == (
        "Fisher-Freeman-Halton Monte Carlo p-value from 100000 random tables with the observed margins, numpy seed 20190401; "
        "Monte Carlo standard error 0.0012"
    )
    assert note.split("from ", 1)[1].split(";")[0] == "100000 random tables with the observed margins, numpy seed 20190401"
    assert words.monte_carlo_seed_note(7) == "The Monte Carlo test uses numpy's default generator with seed 7."


def test_the_summary_columns_follow_the_scale_the_areas_and_the_family():
    cols = words.area_summary_columns(GRADES, 8, ["inadequate", "good"])
    slugs = ["good", "requires_improvement", "inadequate"]
    expected = ["area", "n", *slugs]
    for s in slugs:
        expected += [f"share_{s}", f"wilson_low_{s}", f"wilson_high_{s}", f"exact_low_{s}", f"exact_high_{s}"]
    expected += ["adjusted_low_inadequate", "adjusted_high_inadequate"]
    expected += ["vs_rest_p_inadequate", "vs_rest_p_holm_inadequate", "vs_rest_p_good", "vs_rest_p_holm_good"]
    expected += ["pooled_share_inadequate", "pooled_low_inadequate", "pooled_high_inadequate", "p_weakest"]
    assert list(cols) == expected
    assert cols["requires_improvement"] == "Number of the area's cases HMICFRS graded requires improvement."
    assert cols["adjusted_low_inadequate"].endswith(f"at confidence 1 - {choices.ALPHA:g}/8 (Bonferroni over the eight areas).")
    assert "all 16 area-against-rest tests (inadequate and good, every area)" in cols["vs_rest_p_holm_good"]
    assert f"Wilson score {level_text()} interval" in cols["wilson_low_good"]


def test_a_two_grade_scale_has_a_family_of_one_grade():
    cols = words.area_summary_columns(("met", "not met"), 12, ["not met"])
    assert "vs_rest_p_met" not in cols and "vs_rest_p_not_met" in cols
    assert "all twelve area-against-rest tests (not met, every area)" in cols["vs_rest_p_holm_not_met"]
    assert "(Bonferroni over the twelve areas)" in cols["adjusted_low_not_met"]
    beyond = words.area_summary_columns(("met", "not met"), 13, ["not met"])  # past twelve, numbers in digits
    assert (
        "all 13 area-against-rest tests" in beyond["vs_rest_p_holm_not_met"]
        and f"1 - {choices.ALPHA:g}/13 (Bonferroni over the 13 areas)" in (beyond["adjusted_low_not_met"])
    )


@pytest.mark.parametrize(("n_grades", "others"), [(2, "one"), (3, "two"), (7, "six")])
def test_the_interval_note_counts_the_other_grades(n_grades, others):
    assert words.area_summary_interval_note(n_grades).startswith(f"Each interval treats one grade against the other {others} as")


def test_the_level_in_the_titles_and_descriptions_is_the_analysis_s():
    assert words.area_summary_title() == f"Grades by practice area, with shares and {level_text()} intervals"
    assert f"Clopper-Pearson {level_text()} intervals." in words.area_summary_description()
    assert f"and a {level_text()} interval for its rank." in words.area_ranks_description("inadequate")
    ranks = words.area_ranks_columns("poor")
    assert list(ranks) == ["area", "p_weakest", "p_weakest_low", "p_weakest_high", "rank_low", "rank_high"]
    assert "highest true share graded poor," in ranks["p_weakest"] and "(1: the highest share graded poor)" in ranks["rank_low"]


def test_the_pooling_note_counts_the_areas_and_the_grid():
    note = words.area_ranks_pooling_note(8, 1000.0)
    assert "tends to one in eight; the grid stops at a pooling strength of 1000 cases." in note
    assert "tends to one in 13;" in words.area_ranks_pooling_note(13, 250.0)


@pytest.mark.parametrize(("family", "named"), [(["inadequate", "good"], "inadequate and good"), (["not met"], "not met")])
def test_the_quantity_column_names_the_family(family, named):
    assert words.area_adjusted_quantity_column(family).endswith(f"standardised share); for {named}.")


def test_the_reasons_a_table_is_not_written():
    plain = words.no_area_counts_reason()
    both = words.no_area_counts_reason(samples_given=False)
    assert plain == (
        "The figures do not give every grade's count in every practice area for all cases, so the areas' shares and tests are not computed; "
        "grade_counts.csv gives the range of each count the figures allow."
    )
    assert both == plain.replace("are not computed", "are not computed, and the two samples' grades are not both given")
    assert words.all_or_none_reason("not met").startswith("Either no case or every case was graded not met, so")
    for reason in (plain, both, words.too_few_areas_reason(), words.no_sample_grades_reason(), words.no_mix_table_reason()):
        assert reason[0].isupper() and reason.endswith(".")


def test_the_sample_mix_paragraph_gives_each_samples_share_and_judges_neither():
    from analysis.narrative.areas import mix_paragraph

    text = mix_paragraph(["Area A (2 of 4 (50%) bad) has no excess."], "bad", (6, 33), (17, 47))
    assert "cases the force selected (6 of 33 (18%) bad, as the inspectors graded them)" in text
    assert "the inspectors' own choice (17 of 47 (36%) bad)" in text
    assert text.endswith("\n\n- Area A (2 of 4 (50%) bad) has no excess.")
    same = mix_paragraph([], "bad", (5, 10), (5, 10))
    assert "differently" not in same and "5 of 10 (50%) bad, as" in same
