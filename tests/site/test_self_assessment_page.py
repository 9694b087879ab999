"""The self-assessment page: its answer in a bottom-line box at the top, and tables with readers' labels and whole numbers."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from analysis.data.paths import PROCESSED_DIR, PROJ_ROOT
from analysis.narrative import self_assessment as sa_text

NOTEBOOK = PROJ_ROOT / "notebooks" / "02_self_assessment_vs_inspection.ipynb"
GRADES = ("good", "requires improvement", "inadequate")


def identified() -> pd.DataFrame:
    return pd.read_csv(PROCESSED_DIR / "identified.csv")


def test_the_bottom_line_opens_the_page():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    outputs = ["".join(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", [])]
    box = next(
        i
        for i, c in enumerate(nb.cells)
        for o in c.get("outputs", [])
        if "The bottom line" in "".join(o.get("data", {}).get("text/markdown", ""))
    )
    first_heading = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## "))
    assert box < first_heading, "the answer comes before the first section"
    shown = next(o for o in outputs if "The bottom line" in o)
    assert shown.startswith('::: {.callout-note appearance="simple" icon="false" title="The bottom line"}') and shown.rstrip().endswith(
        ":::"
    )
    assert sa_text.in_short(identified(), 33, (4, 16))[1:] in shown


def test_table_of_what_the_totals_settle_uses_readers_labels_and_whole_numbers():
    table = sa_text.identified_table(identified(), GRADES)
    cells = table.astype(str).to_numpy().ravel()
    assert not [c for c in cells if re.search(r"\b[a-z]+_[a-z_]+\b", c)], "code names in the table"
    assert all(c.strip() for c in cells), "an empty cell"
    counts = table.set_index("Quantity").loc["Cases the force graded better"]
    assert (counts["Smallest"], counts["Largest"]) == ("17", "23")
    assert table.set_index("Quantity").loc["Gap in the share graded good", "95% interval"] == "25 to 78 points"
    assert table.set_index("Quantity").loc["Share of the cases the force graded better", "95% interval"] == "36% or more (one-sided)"
    assert not [c for c in cells if re.search(r"\d\.\d{3}", c)], "raw decimals (a count read as 17.000)"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    shown = next(
        "".join(o["data"]["text/markdown"]) for c in nb.cells if "tbl-identified" in c.source for o in c.get("outputs", []) if "data" in o
    )
    assert "n_force_better" not in shown and "17.000" not in shown and "| Cases the force graded better | 17 | 23 |" in shown


@pytest.mark.parametrize(
    "gap_low,gap_high,share,words",
    [
        (0.25, 0.78, 0.52, "far more kindly"),
        (0.05, 0.4, 0.3, "more kindly"),
        (-0.4, -0.05, 0.1, "more harshly"),
        (-0.1, 0.3, 0.2, "neither"),
    ],
)
def test_the_bottom_line_follows_the_figures_on_both_sides(gap_low, gap_high, share, words):
    frame = pd.DataFrame(
        {
            "quantity": ["good_gap", "share_force_better"],
            "low": [0.3, share],
            "high": [0.3, share + 0.1],
            "ci_low": [gap_low, 0.1],
            "ci_high": [gap_high, None],
        }
    )
    text = sa_text.in_short(frame, 33, (4, 16))
    assert f"judged its own work {words}" in text
    assert "between 4 and 16 of the 33" in text
    assert "between" not in sa_text.in_short(frame, 33)
