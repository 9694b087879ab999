"""Each question's primary analysis (Methods, primary analyses) comes first on its page, and its sentence follows its figures."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

from analysis.data.paths import PROJ_ROOT
from analysis.narrative import areas
from analysis.narrative import self_assessment as sa_text
from analysis.site import read_processed

#: Each question's page and the words its primary analysis opens with.
PAGES = {
    "02_self_assessment_vs_inspection.ipynb": "**Primary analysis.**",
    "03_samples.ipynb": "the primary analysis",
    "04_practice_areas.ipynb": "**Primary analysis.**",
}


def _outputs(name: str) -> list[tuple[str, str]]:
    """Each output of the committed notebook in order: (kind, text), kind "markdown", "figure" or "other"."""
    nb = nbformat.read(PROJ_ROOT / "notebooks" / name, as_version=4)
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "image/svg+xml" in data or "image/png" in data:
                out.append(("figure", ""))
            elif "text/markdown" in data:
                text = data["text/markdown"]
                out.append(("table" if text.lstrip().startswith("|") else "markdown", text))
            else:
                out.append(("other", ""))
    return out


@pytest.mark.parametrize("name", PAGES)
def test_each_question_page_states_its_primary_analysis_before_any_figure_or_table(name):
    outputs = _outputs(name)
    first_exhibit = next(i for i, (kind, _) in enumerate(outputs) if kind in ("figure", "table"))
    primary = [i for i, (kind, text) in enumerate(outputs) if kind == "markdown" and PAGES[name] in text]
    assert primary and primary[0] < first_exhibit, (name, primary, first_exhibit)


def _area_tests(test: str, p: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"comparison": ["areas_by_grade", "force_vs_inspectorate_selected"], "test": [test, "fisher_exact"], "p_value": [p, 0.001]}
    )


@pytest.mark.parametrize(
    ("p", "verb"), [(0.049, "is shown to differ"), (0.05, "is not shown to differ"), (0.051, "is not shown to differ")]
)
def test_the_areas_primary_sentence_takes_its_verb_from_both_sides_of_the_threshold(p, verb):
    text = areas.primary_sentence(_area_tests("fisher_exact", p))
    assert f"The mix of grades {verb} between the areas" in text and "exact Fisher-Freeman-Halton" in text
    assert "not shown to differ" not in text.replace(verb, "") and "sensitivity analyses" in text


def test_the_areas_primary_sentence_names_a_monte_carlo_fallback_and_is_empty_without_a_test():
    assert "the Monte Carlo Fisher-Freeman-Halton test" in areas.primary_sentence(_area_tests("fisher_monte_carlo", 0.3))
    assert areas.primary_sentence(_area_tests("chi_squared", 0.3)) == ""


def test_the_self_assessment_primary_sentence_gives_the_gap_and_its_named_interval_without_a_count():
    identified = read_processed("identified.csv")
    text = sa_text.primary_sentence(identified, 33, ("good", "requires improvement", "inadequate"))
    good, how = sa_text.sharper_gap(identified)
    assert f"{100 * good['low']:.0f} percentage points" in text and how in text
    assert f"between {100 * good['ci_low']:.0f} and {100 * good['ci_high']:.0f} percentage points" in text
    assert "more of the same cases" not in text  # the count is the bottom line's, said once
