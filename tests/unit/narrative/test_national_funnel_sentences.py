"""The funnel sentences of analysis/narrative/national.py on made-up funnels (labelled test fixtures), each threshold tried on both sides.

The tables are built by the funnel builders of analysis/sections/national.py from made-up funnel points and read
back as CSV, as the site reads them; a count left as a range is said as such ("depends"), with its range of places.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.data.publish import csv_bytes
from analysis.narrative import national as nn
from analysis.narrative.style import ALPHA
from analysis.sections import national as nat

DOUBLE_NEGATIVE = r"\bno\b(?:\s+[\w'’]+){0,3}?\s+(?:is|are|was|were|does|do)\s+not\b"


def read_back(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(csv_bytes(frame)))


def made_up(counts, *, compared=28, n=80, inspectorate=0, ranges=()) -> pd.DataFrame:
    """Made-up funnel points (test fixtures): ``counts`` of ``n`` for the other forces (the first ``inspectorate`` not secondary),
    ``ranges`` as (fewest, most) counts of further forces whose figures leave their count open, and the compared force."""
    rows = []

    def add(i, lo, hi, *, is_compared=False, secondary=True, year=2020):
        pinned = lo == hi
        rows.append(
            {
                "document_id": "made-up-compared" if is_compared else f"made-up-{i}",
                "force": "Made-up Compared" if is_compared else f"Made-up {chr(65 + i)}",
                "year": year,
                "source_kind": "news" if secondary else "inspectorate",
                "secondary": secondary,
                "is_gwent": is_compared,
                "status": "used",
                "readings": ((lo, hi, n),),
                "count_low": lo,
                "count_high": hi,
                "pinned": pinned,
                "count": lo if pinned else pd.NA,
                "n": n,
            }
        )

    for i, c in enumerate(counts):
        add(i, c, c, secondary=i >= inspectorate)
    for j, (lo, hi) in enumerate(ranges):
        add(len(counts) + j, lo, hi)
    add(0, compared, compared, is_compared=True, secondary=False, year=2019)
    frame = pd.DataFrame(rows)
    frame["count"] = frame["count"].astype("Int64")
    frame["share"] = [c / n if p else float("nan") for c, n, p in zip(frame["count"], frame["n"], frame["pinned"], strict=True)]
    return frame


def tables(points_by_measure: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = [nat.overdispersion_run(p, m, a) for m, p in points_by_measure.items() for a in nat.OVERDISPERSION_ANALYSES]
    return read_back(nat.dispersion_table(runs)), read_back(nat.position_table(runs))


def problems(text: str) -> list[str]:
    import re

    out = []
    if re.search(r"\bnan\b|\bNaN\b|<NA>|(?<=[a-z,;:(] )None\b", text):
        out.append("an undefined value printed")
    if re.search(DOUBLE_NEGATIVE, text, re.I):
        out.append("a double negative")
    if re.search(r"\b(?:one|1) (?:forces|points)\b|\b(?:two|three|[2-9]\d*) (?:force|point)\b", text):
        out.append("a noun that does not agree with its count")
    return out


TIGHT = [26, 27, 28, 29, 30, 28, 27, 29, 28, 30, 26]
SPREAD = [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]  # far more spread than chance: over-dispersed limits much wider


@pytest.mark.parametrize(
    ("counts", "phrase", "named"),
    [
        (TIGHT, "no force under any of the three kinds of limit.", []),
        ([*TIGHT[:-1], 50], "one force under each of the three kinds of limit (Made-up K 2020, above, beyond the 99.8% limit too).", ["K"]),
        ([*TIGHT[:-2], 11, 50], "two forces under each of the three kinds of limit (Made-up J 2020, below", ["J", "K"]),
    ],
)
def test_the_count_of_forces_outside_chooses_the_words(counts, phrase, named):
    _, positions = tables({"inadequate": made_up(counts)})
    text = nn.outside_text(positions, "inadequate")
    assert text.startswith("Outside the 95% limits of the share graded inadequate: ") and phrase in text
    for letter in "ABCDEFGHIJK":
        assert (f"Made-up {letter} 2020" in text) == (letter in named)
    assert "depends" not in text and problems(text) == []


def test_a_range_across_the_limits_is_said_to_depend_with_its_range_and_is_never_counted_inside_or_outside():
    _, positions = tables({"inadequate": made_up(TIGHT, ranges=[(0, 80)])})
    text = nn.outside_text(positions, "inadequate")
    assert "no force under any of the three kinds of limit" in text
    assert (
        "for one force it depends on counts the figures leave open, under each kind of limit (Made-up L 2020, from below the 99.8%" in text
    )
    assert problems(text) == []
    chance = nn.chance_outside_text(positions)
    assert "Of the eleven points the other forces' pinned counts make on the funnels, none lies outside" in chance
    assert "One more point comes from counts the figures leave as ranges; it could lie inside or outside" in chance


def test_a_range_wholly_outside_is_outside_with_its_side_and_not_said_to_depend():
    _, positions = tables({"inadequate": made_up(TIGHT, ranges=[(60, 80)])})
    text = nn.outside_text(positions, "inadequate")
    assert "(Made-up L 2020, above" in text and "it depends" not in text
    # a range wholly inside is said nowhere (neither outside nor depending)
    _, positions = tables({"inadequate": made_up(TIGHT, ranges=[(27, 29)])})
    text = nn.outside_text(positions, "inadequate")
    assert "Made-up L" not in text and "no force under any" in text


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        ("below_99.8", "above_99.8", "anywhere from below the outer (99.8%) limit to above the outer (99.8%) limit"),
        ("within_95", "above_95", "anywhere from inside the inner (95%) limits to above the inner (95%) limit"),
        ("above_95", "above_99.8", "above the inner (95%) limit wherever its count lies"),
        ("below_99.8", "below_95", "below the inner (95%) limit wherever its count lies"),
        ("within_95", "within_95", "inside the inner (95%) limits"),
    ],
)
def test_a_place_range_is_said_from_both_ends(low, high, words):
    assert nn.place_range(low, high).startswith(words)


def test_kinds_of_limit_that_disagree_are_named_apart():
    dispersion, positions = tables({"good": made_up(SPREAD, compared=35)})
    text = nn.outside_text(positions, "good")
    main = positions.loc[positions["analysis"].eq(nn.MAIN_ANALYSIS)]
    binomial, additive = nn.outside_forces(main, "binomial"), nn.outside_forces(main, "additive")
    assert len(binomial) > len(additive) and "under each of the" not in text
    assert f"{nn.forces_phrase(len(binomial))} under the exact binomial limits" in text
    assert f"{nn.forces_phrase(len(additive))} under the additive random-effects limits" in text
    words = nn.dispersion_text(dispersion, positions, "good")
    assert "the forces' shares spread more than chance alone would make them" in words and "τ² is 0," not in words
    assert problems(words) == []


def test_the_dispersion_verdict_and_tau2_words_move_with_the_figures():
    dispersion, positions = tables({"inadequate": made_up(TIGHT)})
    words = nn.dispersion_text(dispersion, positions, "inadequate")
    assert "the test finds no more spread than chance alone could give" in words
    assert "Winsorised at 10% (which changes no z-score here)" in words
    assert "τ² is 0, so the additive limits are the binomial limits in their Wilson-score form" in words
    assert "with φ at most 1 the multiplicative limits are the binomial ones too" in words
    assert "no force would change band" in words and "whose counts are ranges left out" not in words
    assert "With every count left as a range" in words  # the sensitivity runs are made even with no range (ends equal)
    assert problems(words) == []


@pytest.mark.parametrize("p", [ALPHA / 2, ALPHA, 2 * ALPHA])
def test_the_spread_verdict_turns_at_alpha(p):
    dispersion, positions = tables({"inadequate": made_up(TIGHT, ranges=[(0, 80)])})
    words = nn.dispersion_text(dispersion.assign(p_unwinsorised=p), positions, "inadequate")
    beyond = "the forces' shares spread more than chance alone would make them" in words
    assert beyond == (p < ALPHA)
    assert "(one force whose counts are ranges left out)" in words and problems(words) == []


def test_the_ranges_runs_are_said_from_both_ends():
    dispersion, _ = tables({"inadequate": made_up(TIGHT, ranges=[(0, 80), (10, 70)])})
    text = nn.ranges_text(dispersion, "inadequate")
    fewest = dispersion.loc[dispersion["analysis"].eq("ranges_at_fewest")].iloc[0]
    most = dispersion.loc[dispersion["analysis"].eq("ranges_at_most")].iloc[0]
    assert f"taken at its fewest, over 13 forces, the pooled share is {nn.percent(fewest['target'])}" in text
    assert f"at its most, over 13 forces, the pooled share is {nn.percent(most['target'])}" in text
    assert fewest["target"] < most["target"] and problems(text) == []


def test_forces_phrase():
    assert [nn.forces_phrase(k) for k in (0, 1, 2, 12, 14)] == ["no force", "one force", "two forces", "twelve forces", "14 forces"]
    with pytest.raises(ValueError, match="negative"):
        nn.forces_phrase(-1)


def test_inside_is_not_sameness_and_outside_is_said_as_outside():
    dispersion, positions = tables({"inadequate": made_up(TIGHT)})
    text = nn.compared_verdict(positions, dispersion, "inadequate")
    assert "lies inside the inner (95%) limits under each of the three kinds of limit" in text
    assert "it does not mean that Made-up Compared is the same as them" in text
    dispersion, positions = tables({"inadequate": made_up(TIGHT, compared=50)})
    text = nn.compared_verdict(positions, dispersion, "inadequate")
    assert "lies above the outer (99.8%) limit under each of the three kinds of limit" in text
    assert "same as them" not in text and "larger than chance alone would give" in text


@pytest.mark.parametrize(
    ("inadequate", "good", "inadequate_words", "good_words"),
    [
        (TIGHT, TIGHT, "no force under any", "no force under any"),
        ([*TIGHT[:-1], 50], TIGHT, "one force under each", "no force under any"),
        ([*TIGHT[:-2], 11, 50], [*TIGHT[:-1], 50], "two forces under each", "one force under each"),
    ],
)
def test_the_home_page_funnel_sentence_counts_and_names_the_forces_outside(inadequate, good, inadequate_words, good_words):
    _, positions = tables({"inadequate": made_up(inadequate), "good": made_up(good)})
    text = nn.funnel_headline(positions)
    assert f"for the share graded inadequate, {inadequate_words}" in text and f"for the share graded good, {good_words}" in text
    assert "Inside the limits does not show that Made-up Compared is the same as the forces compared" in text
    assert problems(text) == []


def test_the_home_page_funnel_sentence_says_where_the_force_lies_when_it_is_outside():
    _, positions = tables({"inadequate": made_up(TIGHT, compared=50), "good": made_up(TIGHT)})
    text = nn.funnel_headline(positions)
    assert "graded inadequate, above the outer (99.8%) limit under each of the three kinds of limit" in text
    assert "graded good, inside the inner (95%) limits" in text and "is the same as the forces compared" not in text


def test_the_secondary_run_is_said_when_made_and_why_not_otherwise():
    dispersion, positions = tables({"inadequate": made_up([*TIGHT[:-1], 50], inspectorate=4)})
    text = nn.secondary_sensitivity_text(dispersion, positions, "inadequate")
    assert text.startswith(
        "Without the figures known only from secondary coverage (seven forces left out, four forces kept), outside the 95%"
    )
    assert "Made-up K" not in text
    dispersion, positions = tables({"inadequate": made_up(TIGHT), "good": made_up(TIGHT)})
    text = nn.secondary_summary(dispersion, positions)
    assert text.startswith(
        "A run without the figures known only from secondary coverage cannot be made on either funnel, for the same reason."
    )


def test_the_methods_summary_and_display_table_on_made_up_funnels():
    dispersion, positions = tables({"inadequate": made_up(TIGHT, ranges=[(0, 80)]), "good": made_up(SPREAD, compared=35)})
    text = nn.methods_summary(dispersion, positions)
    assert text.count("the test of over-dispersion on the z-scores not Winsorised gives") == 2 and problems(text) == []
    shown = nn.dispersion_display(dispersion)
    assert list(shown["Analysis"].unique()) == list(nn.ANALYSIS_WORDS.values())
    assert "nan" not in shown.to_string()


def test_sentences_read_the_same_from_the_published_files():
    from analysis.data.paths import PROCESSED_DIR

    dispersion = pd.read_csv(PROCESSED_DIR / "funnel_dispersion.csv")
    positions = pd.read_csv(PROCESSED_DIR / "funnel_positions.csv")
    text = nn.methods_summary(dispersion, positions) + nn.funnel_headline(positions)
    for m in nn.FUNNEL_MEASURES:
        text += nn.dispersion_text(dispersion, positions, m) + nn.compared_verdict(positions, dispersion, m)
    assert problems(text) == []
    # every document whose place depends on its range is named with its range
    main = positions.loc[positions["analysis"].eq(nn.MAIN_ANALYSIS) & positions["position_binomial"].eq("depends")]
    for label in nn._labels(main):
        assert label in text


def test_the_home_page_names_each_depending_force_once_with_its_widest_range():
    _, positions = tables({"inadequate": made_up(TIGHT, ranges=[(0, 80)]), "good": made_up(TIGHT)})
    text = nn.funnel_headline(positions)
    assert text.count("Made-up L 2020") == 1
    assert (
        "for one force it depends on counts the figures leave open (Made-up L 2020, from below the 99.8% to above the 99.8% limits)" in text
    )
    assert problems(text) == []


def test_the_display_table_prints_p_without_its_letter():
    dispersion, _ = tables({"inadequate": made_up(SPREAD, ranges=[(0, 80)])})
    shown = nn.dispersion_display(dispersion.assign(p_unwinsorised=[1e-9, 0.2, float("nan"), 1e-9, 0.04]))
    assert shown["p"].tolist() == ["< 0.001", "0.200", "–", "< 0.001", "0.040"]


@pytest.mark.parametrize(("inspectorate", "who"), [(0, "none"), (1, "only one")])
def test_a_run_that_cannot_be_made_says_why_from_its_counts(inspectorate, who):
    dispersion, positions = tables({"inadequate": made_up(TIGHT, inspectorate=inspectorate)})
    text = nn.secondary_sensitivity_text(dispersion, positions, "inadequate")
    assert f"Of the eleven other forces on the funnel, {who} can enter this run's estimate" in text and problems(text) == []
