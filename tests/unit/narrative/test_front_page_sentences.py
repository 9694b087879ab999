"""analysis.narrative.front_page: published tables in, sentences out; each verdict word follows its number across the threshold."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import site
from analysis.data.paths import PROCESSED_DIR
from analysis.narrative.front_page import front_page, inspection_summary, worst_holm_column
from analysis.narrative.style import ALPHA

#: A source record made up for the tests (labelled fixture, not the report's).
SOURCE = {
    "force": "Test Constabulary",
    "inspectorate": "A Test Inspectorate",
    "inspection_start": "2019-01-28",
    "inspection_end": "2019-02-08",
    "publication_month": "2019-06",
}


def tables() -> dict[str, object]:
    read = lambda name: pd.read_csv(PROCESSED_DIR / name)  # noqa: E731
    c = site.sample_counts(PROCESSED_DIR)
    return {
        "source": SOURCE,
        "c": c,
        "identified": read("identified.csv"),
        "summary": read("area_summary.csv"),
        "tests": read("association_tests.csv"),
        "bounds": read("agreement_bounds.csv"),
        "national_text": "The national paragraph.",
        "as_of": "1 January 2020",
    }


def test_the_sentences_carry_the_source_record_and_the_counts():
    t = tables()
    page = front_page(**t)
    assert page.bottom_line.startswith("Test Constabulary graded the 33 cases it selected")
    assert (
        page.dates == "Report published June 2019; inspection fieldwork 28 January 2019 to 8 February 2019; analysis as of 1 January 2020."
    )
    assert page.national == "The national paragraph."
    text = inspection_summary(SOURCE, t["c"])
    assert text.startswith("A Test Inspectorate inspected how Test Constabulary protects children")
    assert "audited 80 case files: 33 that the force chose" in text and "and 47 more that the inspectors chose" in text


@pytest.mark.parametrize(("p", "singled_out"), [(ALPHA, False), (0.2, False), (ALPHA / 10, True)])
def test_the_areas_sentence_follows_the_smallest_adjusted_p_value(p, singled_out):
    t = tables()
    summary = t["summary"].copy()
    summary[worst_holm_column(t["c"].grades)] = p
    areas_text = front_page(**{**t, "summary": summary}).meaning[2]
    assert areas_text.startswith("Even allowing for") is singled_out
    assert areas_text.startswith("No single area of practice can be singled out") is not singled_out


@pytest.mark.parametrize(("p", "words"), [(0.5, "which chance could explain"), (0.001, "more than chance alone would usually produce")])
def test_the_samples_sentence_follows_the_proportional_odds_p_value(p, words):
    t = tables()
    tests = t["tests"].copy()
    row = (tests["comparison"] == "force_vs_inspectorate_selected") & (tests["test"] == "proportional_odds")
    tests.loc[row, "p_value"] = p
    assert words in front_page(**{**t, "tests": tests}).cannot_tell[2]


def test_without_the_proportional_odds_test_the_samples_sentence_stops():
    t = tables()
    tests = t["tests"][t["tests"]["test"] != "proportional_odds"]
    assert front_page(**{**t, "tests": tests}).cannot_tell[2] == "Whether the force chose easier cases for its own sample."
