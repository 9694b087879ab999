"""The words of the press-coverage check's reference figures (analysis/narrative/coverage.py): each from its values, plurals agreeing."""

from __future__ import annotations

import pytest

from analysis.narrative import coverage as words


@pytest.mark.parametrize(
    ("n", "unit", "phrase"),
    [
        (1, "week", "within one week"),
        (6, "week", "within six weeks"),
        (12, "month", "within twelve months"),
        (13, "month", "within 13 months"),
    ],
)
def test_a_time_limit_is_phrased_as_the_report_phrases_it(n, unit, phrase):
    assert words.within(n, unit) == phrase


def test_the_samples_and_who_graded_them():
    assert words.sample_cases_figure("force_selected") == "Cases in the force-selected sample"
    assert words.sample_grade_figure("inspectorate_selected", "hmicfrs", "good") == (
        "Cases in the inspectorate-selected sample that HMICFRS graded good"
    )
    assert words.sample_share_figure("force_selected", "force", "inadequate") == (
        "Percentage of the force-selected sample that the force graded inadequate"
    )
    assert words.all_grade_figure("good") == "Cases HMICFRS graded good, both samples together"
    assert words.all_share_figure("requires improvement") == "Percentage of all audited cases HMICFRS graded requires improvement"


def test_the_areas_and_recommendations():
    assert words.area_cases_figure("Missing children") == "Audited cases in the area 'Missing children'"
    assert words.area_grade_figure("Missing children", "good") == "Cases in the area 'Missing children' HMICFRS graded good"
    assert words.recommendations_due_figure("immediately") == "Recommendations to be acted on immediately"
    assert words.deadline_figure("R3", "Initial contact") == "Deadline of recommendation R3 (Initial contact)"


def test_the_random_sample_figures_name_the_sample_size():
    assert words.random_cases_figure().startswith("Force-selected cases the report says were a random sample")
    assert words.random_sample_figure(33).startswith("Whether the report says all 33 force-selected cases were a random sample")


@pytest.mark.parametrize(
    ("immediate", "others", "first", "second"), [(1, 1, "recommendation", "recommendation"), (2, 6, "recommendations", "recommendations")]
)
def test_the_next_steps_count_their_recommendations(immediate, others, first, second):
    subjects = words.next_step_subjects(immediate, others)
    assert list(subjects) == ["next_steps_update", "next_steps_action_plan", "next_steps_revisit"]
    assert subjects["next_steps_update"].endswith(f"on the {immediate} {first} to be acted on immediately")
    assert subjects["next_steps_action_plan"] == f"the force's action plan for its other {others} {second}"
    assert words.time_allowed_figure("week", "x") == "Time allowed after publication, in weeks, for x"
    assert words.step_deadline_figure("x") == "Deadline, counted from publication, for x"


def test_what_the_report_says_when_the_claims_table_does_not():
    assert words.report_says("Cases in the force-selected sample", "33") == "Cases in the force-selected sample: 33."
