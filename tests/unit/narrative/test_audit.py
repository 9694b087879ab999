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
