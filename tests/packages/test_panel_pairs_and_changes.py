"""The panel's force-versus-inspector pairs and re-inspection changes: Gwent equals its own tables, Greater Manchester 2014 a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data.load import load_audit
from analysis.data.panel import read_member
from analysis.data.paths import PROCESSED_DIR, RAW_DIR
from analysis.sections.panel import PAIR_COLUMNS, change_cells, pair_row
from analysis.stats.proportions import difference_interval

NATIONAL = RAW_DIR / "national"


def _pair(member) -> pd.Series:
    return pd.Series(pair_row(member), index=list(PAIR_COLUMNS))


def test_gwents_pair_row_equals_its_identified_and_agreement_bounds_tables():
    row = _pair(read_member(RAW_DIR, data=load_audit(RAW_DIR), is_project=True))
    identified = pd.read_csv(PROCESSED_DIR / "identified.csv").set_index("quantity")
    for q in ("percent_agreement", "cohen_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic", "n_force_better"):
        assert row[f"{q}_low"] == pytest.approx(identified.loc[q, "low"], abs=1e-11), q
        assert row[f"{q}_high"] == pytest.approx(identified.loc[q, "high"], abs=1e-11), q
    bounds = pd.read_csv(PROCESSED_DIR / "agreement_bounds.csv")
    assert row["n_tables"] == bounds["n_tables"].iloc[0] == 28
    assert row["n"] == 33


def test_greater_manchester_2014_is_one_table_and_matches_a_hand_computation():
    """The force graded all 30 cases good; the inspectors 8 good, 16 adequate, 1 requires improvement, 5 inadequate.

    The only table puts every case in the force's good row. Agreement 8/30. With the force's
    totals (30, 0, 0, 0) the chance-expected agreement under any weights w is sum_j 30 c_j w[0, j] / 30^2,
    which is the observed weighted agreement sum_j c_j w[0, j] / 30: every kappa is 0. The force
    graded better every case the inspectors did not grade good: 22.
    """
    row = _pair(read_member(NATIONAL / "greater-manchester-2014"))
    c = np.array([8, 16, 1, 5])
    for name, w in (
        ("cohen_kappa", np.eye(4)[0]),
        ("weighted_kappa_linear", 1 - np.abs(np.arange(4)) / 3),
        ("weighted_kappa_quadratic", 1 - (np.arange(4) / 3) ** 2),
    ):
        observed = (c * w).sum() / 30
        expected = (30 * c * w).sum() / 30**2
        hand = (observed - expected) / (1 - expected)
        assert row[f"{name}_low"] == pytest.approx(hand, abs=1e-12) and row[f"{name}_high"] == pytest.approx(hand, abs=1e-12)
    assert row["percent_agreement_low"] == row["percent_agreement_high"] == pytest.approx(8 / 30)
    assert row["n_force_better_low"] == row["n_force_better_high"] == 22
    assert row["n_tables"] == 1 and row["n"] == 30


def test_west_yorkshire_2015_has_no_pair_and_the_metropolitan_police_2016_has_one_over_its_percentages():
    assert pair_row(read_member(NATIONAL / "west-yorkshire-2015")) is None
    row = _pair(read_member(NATIONAL / "metropolitan-2016"))
    assert row["n"] == 132 and pd.isna(row["n_tables"]) and row["status"] == "partly_used"
    assert 0 <= row["percent_agreement_low"] <= row["percent_agreement_high"] <= 1


def test_a_change_with_pinned_counts_is_one_newcombe_interval():
    """North Yorkshire 2022 -> 2023: both documents pin their counts, so the union is one interval."""
    first, second = read_member(NATIONAL / "north-yorkshire-2022"), read_member(NATIONAL / "north-yorkshire-2023")
    (r1, n1), (r2, n2) = first.per_reading(("all", "inspectorate", ""))[0], second.per_reading(("all", "inspectorate", ""))[0]
    i1, i2 = first.meta.grades.index("inadequate"), second.meta.grades.index("inadequate")
    assert r1[i1, 0] == r1[i1, 1] and r2[i2, 0] == r2[i2, 1]
    low, high, ci_low, ci_high, words, why = change_cells(first, second, "inadequate")
    diff, want_lo, want_hi = difference_interval(int(r2[i2, 0]), n2, int(r1[i1, 0]), n1)
    assert low == high == pytest.approx(diff) and (ci_low, ci_high) == pytest.approx((want_lo, want_hi)) and why == ""
    assert words == ("fell" if want_hi < 0 else "rose" if want_lo > 0 else "no clear change")


def test_a_change_over_count_ranges_is_the_union_of_every_counts_interval():
    """Dorset 2021 (23 to 28 inadequate of 83) -> Dorset 2022: the union of the intervals over every count, by brute force."""
    first, second = read_member(NATIONAL / "dorset-2021"), read_member(NATIONAL / "dorset-2022")
    ((r2, n2),) = second.per_reading(("all", "inspectorate", ""))
    i = first.meta.grades.index("inadequate")
    los, his = [], []
    for r1, n1 in first.per_reading(("all", "inspectorate", "")):
        for c1 in range(r1[i, 0], r1[i, 1] + 1):
            for c2 in range(r2[i, 0], r2[i, 1] + 1):
                _, lo, hi = difference_interval(c2, n2, c1, n1)
                los.append(lo)
                his.append(hi)
    low, high, ci_low, ci_high, _, _ = change_cells(first, second, "inadequate")
    assert (ci_low, ci_high) == pytest.approx((min(los), max(his)), abs=1e-12)
    assert low == pytest.approx(r2[i, 0] / n2 - 28 / 83) and high == pytest.approx(r2[i, 1] / n2 - 23 / 83)


def test_a_percent_only_pair_has_a_share_range_but_no_interval_and_says_why():
    first, second = read_member(NATIONAL / "leicestershire-2017"), read_member(NATIONAL / "leicestershire-2018")
    low, high, ci_low, ci_high, words, why = change_cells(first, second, "good")
    assert (low, high) == pytest.approx((0.525 - 0.295, 0.535 - 0.285))
    assert np.isnan(ci_low) and np.isnan(ci_high) and words is None and "no number of cases" in why
