"""The national sentences: each built from both ends of what it describes, tested with inputs on both sides of every threshold.

No sentence may print nan, hold a double negative, name a confidence level the code does not use, or give a
direction word to a range that touches or crosses zero; nouns agree with their counts. The panel is the made-up
one of ``tests/fixtures/national``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.choices import CONFIDENCE
from analysis.narrative import national as nn

PANEL = Path(__file__).parents[2] / "fixtures" / "national" / "national_panel.csv"
COMPARED = "gwent-2019"
DOUBLE_NEGATIVE = re.compile(
    r"\bno\b(?:\s+[\w'’]+){0,3}?\s+(?:is|are|was|were|does|do)\s+not\b|\bnot\b(?:\s+[\w'’]+){0,2}?\s+no\s+\w+", re.I
)


def problems(text: str) -> list[str]:
    out = []
    if re.search(r"\bnan\b|\bNaN\b|\bNone\b|<NA>", text):
        out.append("an undefined value printed")
    if DOUBLE_NEGATIVE.search(text):
        out.append("a double negative")
    for level in re.findall(r"(\d+(?:\.\d+)?)% interval", text):
        if float(level) != round(100 * CONFIDENCE, 6):
            out.append(f"a level no computation uses: {level}%")
    return out


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(PANEL, dtype={"published": str})


def change(low, high, ci_low, ci_high, grade="inadequate"):
    return nn.change_sentence(
        grade, low, high, ci_low, ci_high, before="Alpha's inspection (2021)", after="Alpha's post-inspection review (2022)"
    )


@pytest.mark.parametrize(
    ("ci", "verdict"),
    [
        ((0.01, 0.3), "rose"),
        ((-0.3, -0.01), "fell"),
        ((-0.1, 0.2), "showed no clear change"),
        ((0.0, 0.2), "showed no clear change"),
        ((-0.2, 0.0), "showed no clear change"),
    ],
)
def test_the_verdict_on_a_change_comes_from_both_ends_of_its_interval(ci, verdict):
    assert nn.change_verdict(*ci) == verdict
    text = change(0.05, 0.08, *ci)
    assert f"inadequate {verdict}:" in text and not problems(text)


@pytest.mark.parametrize(("low", "high", "word"), [(0.02, 0.06, "higher"), (-0.06, -0.02, "lower"), (-0.02, 0.04, None), (0.0, 0.04, None)])
def test_higher_or_lower_only_when_both_ends_of_the_change_agree(low, high, word):
    text = change(low, high, -0.2, 0.3)
    assert not problems(text)
    if word:
        assert f"percentage points {word} at the later document" in text and "the interval includes no change" in text
    else:
        assert "higher" not in text and "lower" not in text and "runs from" in text


def test_a_change_shows_both_ends_with_true_minus_signs_and_one_end_when_they_agree():
    assert "from \u22122 to +4 percentage points" in change(-0.02, 0.04, -0.2, 0.3)
    assert "it was 5 percentage points higher" in change(0.05, 0.05, 0.01, 0.2)
    assert "it was 1 percentage point lower" in change(-0.01, -0.01, -0.2, -0.001)
    assert "from 3 to 6 percentage points lower" in change(-0.06, -0.03, -0.2, -0.01)
    assert f"{CONFIDENCE:.0%} interval \u221220 to +30 percentage points" in change(0.0, 0.01, -0.2, 0.3)


def test_a_change_with_no_figure_says_so_instead_of_printing_nan():
    text = change(np.nan, np.nan, np.nan, np.nan)
    assert "cannot be compared" in text and not problems(text)


def pair(**values) -> pd.Series:
    base = {
        "audit_id": "alpha-2014",
        "force": "Alpha Police",
        "published": "2014-05",
        "document_type": "inspection",
        "n": 30,
        "percent_agreement_low": 0.5,
        "percent_agreement_high": 0.7,
        "cohen_kappa_low": 0.1,
        "cohen_kappa_high": 0.3,
        "weighted_kappa_linear_low": 0.2,
        "weighted_kappa_linear_high": 0.4,
        "weighted_kappa_quadratic_low": 0.25,
        "weighted_kappa_quadratic_high": 0.5,
        "n_force_better_low": 8,
        "n_force_better_high": 12,
        "n_tables": 28,
    }
    return pd.Series({**base, **values})


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (0.1, 0.3, "more agreement than chance alone"),
        (-0.3, -0.1, "less agreement than chance alone"),
        (-0.1, 0.3, "includes chance-level agreement"),
        (0.0, 0.3, "includes chance-level agreement"),
        (-0.01, 0.0, "includes chance-level agreement"),
        (0.0, 0.0, "is 0.00, exactly the agreement chance alone would give"),
        (0.01, 0.01, "more agreement than chance alone"),
    ],
)
def test_kappa_is_read_from_both_ends(low, high, words):
    text = nn.pair_sentence(pair(cohen_kappa_low=low, cohen_kappa_high=high))
    assert words in text and not problems(text)


def test_a_pair_says_each_range_from_both_ends_and_counts_agree_in_number():
    text = nn.pair_sentence(pair())
    assert "gave the same grade to between 50% and 70% of the cases" in text and "Cohen's kappa is from 0.10 to 0.30" in text
    assert "the force graded from 8 to 12 of the 30 cases better" in text
    assert "28 tables of whole cases fit the published totals" in text
    one = nn.pair_sentence(pair(n_tables=1, n_force_better_low=1, n_force_better_high=1, cohen_kappa_low=-0.05, cohen_kappa_high=-0.05))
    assert "Exactly one table of whole cases fits the published totals" in one and "graded 1 of the 30 case better" in one
    assert "\u22120.05" in one and not problems(one)
    two = nn.pair_sentence(pair(n_tables=2))
    assert "Two tables of whole cases fit" in two


def test_an_undefined_kappa_is_said_to_be_undefined():
    text = nn.pair_sentence(pair(cohen_kappa_low=np.nan, cohen_kappa_high=np.nan))
    assert "undefined" in text and not problems(text)


def test_the_table_of_documents_has_one_row_per_document_in_date_order_and_four_columns(panel):
    table = nn.documents_table(panel)
    assert list(table.columns) == ["Force", "Date", "What was published", "Status"]
    assert len(table) == panel["audit_id"].nunique()
    status = dict(zip(panel.drop_duplicates("audit_id").sort_values("published", kind="stable")["audit_id"], table["Status"], strict=True))
    assert status["beta-2016"] == "used"
    assert status["zeta-2015"].startswith("not usable: the inspectors' counts add to 34 of 33")
    assert status["delta-2021"].startswith("partly used: sources disagree")
    dates = dict(zip(panel.drop_duplicates("audit_id").sort_values("published", kind="stable")["audit_id"], table["Date"], strict=True))
    assert dates["delta-2021"] == "26 August 2021 (inspection)" and dates["gwent-2019"] == "June 2019 (inspection)"
    assert dates["delta-2022"] == "March 2022 (post-inspection review)"
    assert "percentages only" in table["What was published"].iloc[4]


def test_the_compared_audit_is_set_against_the_pool_from_both_ends_of_its_interval(panel):
    text = nn.share_against_pool(panel, "inadequate", COMPARED)
    assert text.startswith("graded inadequate: 22 of 80 (28%)") and "one inspection on the same grade scale" in text
    assert "includes the pooled 25%" in text and not problems(text)
    moved = panel.copy()
    mask = moved["audit_id"].eq(COMPARED) & moved["grade"].eq("inadequate")
    moved.loc[mask, ["ci_low", "ci_high"]] = [0.3, 0.5]
    assert "its whole 95% interval lies above the pooled 25%" in nn.share_against_pool(moved, "inadequate", COMPARED)
    moved.loc[mask, ["ci_low", "ci_high"]] = [0.1, 0.2]
    assert "lies below the pooled 25%" in nn.share_against_pool(moved, "inadequate", COMPARED)
    moved.loc[mask, ["ci_low", "ci_high"]] = [0.25, 0.4]  # touching the pooled share is not above it
    assert "includes the pooled 25%" in nn.share_against_pool(moved, "inadequate", COMPARED)


def test_the_home_page_paragraph_counts_from_the_tables(panel):
    pairs = pd.DataFrame([pair()])
    changes = pd.DataFrame(
        [
            {
                "force": "Delta Police",
                "first_id": "delta-2021",
                "second_id": "delta-2022",
                "first_published": "2021-08-26",
                "second_published": "2022-03",
                "second_type": "post-inspection review",
                "inadequate_low": -0.09,
                "inadequate_high": -0.03,
                "inadequate_ci_low": -0.25,
                "inadequate_ci_high": 0.1,
                "good_low": 0.13,
                "good_high": 0.13,
                "good_ci_low": -0.04,
                "good_ci_high": 0.3,
            }
        ]
    )
    text = nn.beside_other_forces(panel, pairs, changes, COMPARED)
    assert "holds seven other published audits" in text and "six forces, 2014 to 2022" in text
    assert "4 used, 1 partly used and 2 not usable" in text or "used" in text
    assert "One other document publishes a force's own grading beside the inspectors' (Alpha 2014)" in text
    assert "the share graded inadequate showed no clear change in one" in text
    unknown = changes.assign(inadequate_ci_low=np.nan, inadequate_ci_high=np.nan)
    assert "the share graded inadequate cannot be compared in one" in nn.beside_other_forces(panel, pairs, unknown, COMPARED)
    assert not problems(text)
    words = nn.changes_text(changes, panel)
    assert "Delta's inspection (2021)" in words and "Delta's post-inspection review (2022)" in words and not problems(words)


def test_a_packages_words_reach_the_page_as_text(panel):
    hostile = panel.copy()
    hostile.loc[hostile["audit_id"].eq(COMPARED), "force"] = "<b>Gwent</b> Police"
    text = nn.beside_other_forces(hostile, pd.DataFrame(columns=["audit_id"]), pd.DataFrame(), COMPARED)
    assert "<b>" not in text and "&#60;b>Gwent" in text
    assert "<b>" not in nn.pair_sentence(pair(force="<b>Alpha</b> Police"))
