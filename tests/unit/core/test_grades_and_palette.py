"""The grade scale and the one grade palette."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.grades import GRADE_DTYPE, GRADE_SCORES, GRADE_SLUGS, GRADES, grade_rank
from analysis.plots import contrast_ratio, grade_colours, label_colour

GRADE_COLOURS = grade_colours(GRADES)


def test_scale():
    assert GRADES == ("good", "requires improvement", "inadequate")
    assert [GRADE_SCORES[g] for g in GRADES] == [3, 2, 1]
    assert GRADE_SLUGS["requires improvement"] == "requires_improvement"
    assert grade_rank(["inadequate", "good"]).tolist() == [2, 0]
    graded = pd.Series(["good", "inadequate"], dtype=GRADE_DTYPE)
    assert graded.max() == "good"


def test_palette_one_colour_per_grade_with_contrast():
    assert set(GRADE_COLOURS) == set(GRADES)
    assert len(set(GRADE_COLOURS.values())) == len(GRADES)
    for a, b in zip(GRADES, GRADES[1:], strict=False):
        assert contrast_ratio(GRADE_COLOURS[a], GRADE_COLOURS[b]) >= 3.0, (a, b)
    # darkest for the worst grade
    assert contrast_ratio(GRADE_COLOURS["inadequate"], "#FFFFFF") > contrast_ratio(GRADE_COLOURS["good"], "#FFFFFF")


def test_contrast_ratio_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    for colour in GRADE_COLOURS.values():
        assert contrast_ratio(colour, label_colour(colour)) >= 4.5


def test_text_helpers():
    from analysis.narrative.style import count_share, date_range, join_words, long_month

    assert count_share(10, 33) == "10 of 33 (30%)"
    assert count_share(1, 3, digits=1) == "1 of 3 (33.3%)"
    with pytest.raises(ValueError):
        count_share(1, 0)
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert join_words(["a"]) == "a"
    assert date_range("2019-02-04", "2019-02-15") == "4 to 15 February 2019"
    assert date_range("2019-01-30", "2019-02-02") == "30 January 2019 to 2 February 2019"
    assert long_month("2019-06") == "June 2019"


@pytest.mark.slow
def test_styler_text_is_stable():
    import pandas as pd

    from analysis.display import register_formatters, styler_text

    styler = pd.DataFrame({"a": [1, 2]}).style.set_caption("Two rows")
    assert styler_text(styler) == "<styled table 'Two rows': 2 rows x 1 columns>"
    assert "0x" not in styler_text(pd.DataFrame({"a": [1]}).style)
    assert register_formatters() is False  # no IPython kernel under pytest
