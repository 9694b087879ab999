"""Sentences on the audit's figures as a whole (:mod:`analysis.narrative.audit`): the words follow the counts, singular and plural."""

from __future__ import annotations

import pandas as pd

from analysis.narrative.audit import areas_sentence, identities_sentence, open_counts_sentence


def test_the_identities_sentence_counts_what_holds_and_what_fails():
    assert identities_sentence(pd.DataFrame({"holds": [True, True, True]})) == "All 3 identities hold."
    assert identities_sentence(pd.DataFrame({"holds": [True]})) == "The identity holds."
    assert identities_sentence(pd.DataFrame({"holds": pd.Series([], dtype=bool)})) == "The figures give no total to recompute."
    assert identities_sentence(pd.DataFrame({"holds": [True, False, False]})) == "2 identities fail: see the table."


def test_the_open_counts_sentence_says_how_many_counts_are_open():
    pinned = pd.DataFrame({"low": [1, 2], "high": [1, 2]})
    assert open_counts_sentence(pinned) == "The figures pin every count of every group of cases they describe."
    assert open_counts_sentence(pinned.assign(high=[1, 4])).startswith("The figures leave 1 of the 2 counts open")


def _counts(areas: dict[str, int], total: int | None) -> pd.DataFrame:
    rows = [("all", "inspectorate", "", g, 0, 0, total) for g in ("good", "poor")] if total is not None else []
    rows += [("all", "inspectorate", a, g, 0, 0, n) for a, n in areas.items() for g in ("good", "poor")]
    return pd.DataFrame(rows, columns=["sample", "rater", "area", "grade", "low", "high", "of"])


def test_the_areas_sentence_reads_the_groups_of_grade_counts():
    one = areas_sentence(_counts({"custody": 7}, None), None)
    assert one.startswith("The figures give the inspectors' grades in one practice area (7 cases).")
    several = areas_sentence(_counts({"custody": 7, "missing": 9}, 20), None)
    assert "in 2 practice areas (from 7 to 9 cases each, 16 in all) of the 20 audited cases." in several
    cases = pd.DataFrame({"case_id": range(16)})
    listed = areas_sentence(_counts({"custody": 8, "missing": 8}, 16), cases)
    assert listed.startswith("The report breaks all 16 cases into 2 practice areas, 8 cases each.") and "has 16 rows" in listed


def test_the_tables_words_end_with_the_exact_grade_labels():
    from analysis.narrative import audit as words

    grades = ("good", "requires improvement", "inadequate")
    note = "Grade labels are exactly: good, requires improvement, inadequate (best first)."
    assert words.grade_note(grades) == note
    for describe in (
        words.grade_counts_description,
        words.grade_shares_description,
        words.sample_grades_description,
        words.cases_description,
        words.area_grades_description,
    ):
        text = describe(grades)
        assert text.endswith(" " + note) and "  " not in text
    assert words.grade_column(grades) == "Grade: good, requires improvement, inadequate."
    assert words.sample_grade_column(grades) == "Grade given: good, requires improvement or inadequate."
    assert words.sample_grade_column(("pass", "fail")) == "Grade given: pass or fail."
    assert words.share_grade_column(("a", "b")).startswith("Grade: a, b; for a printed percentage")


def test_the_shares_words_name_the_level():
    from analysis.narrative import audit as words
    from analysis.narrative.style import level_text

    assert words.grade_shares_title().endswith(f"an exact {level_text()} interval")
    low, high = words.share_ci_columns()
    assert f"Clopper-Pearson) {level_text()} interval" in low and high.startswith(f"Upper end of the exact {level_text()} interval")


def test_the_contents_note_names_the_samples_of_unknown_size_or_says_nothing():
    from analysis.narrative.audit import unknown_sizes_note

    assert unknown_sizes_note([]) == ""
    assert (
        unknown_sizes_note(["all"])
        == " The document gives no number of cases for all (audit.json: n_unknown), so its printed shares enter no count."
    )
    assert "for force_selected or all (audit.json" in unknown_sizes_note(["force_selected", "all"])


def test_the_sample_labels_are_words_of_the_narrative():
    from analysis.narrative.audit import SAMPLE_LABELS, WHY_NOT
    from analysis.sections import audit

    assert audit.SAMPLE_LABELS is SAMPLE_LABELS and audit.WHY_NOT is WHY_NOT
    assert SAMPLE_LABELS[("force_selected", "force")] == "Force-selected cases, graded by the force"
