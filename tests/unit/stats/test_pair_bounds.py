"""Exact bounds over sets of possible margins (analysis.stats.pair_bounds) equal brute-force enumeration, on every road.

The reference lists every table of every pair of margins with the long-standing enumerator
(:func:`analysis.stats.contingency.enumerate_tables`), drops those outside the mask, and takes the
minimum and maximum of each per-table value (:func:`analysis.stats.identification.table_intervals`).
All margins here are synthetic test fixtures (seeded), apart from Gwent's published totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data.paths import PROCESSED_DIR
from analysis.data.publish import csv_bytes, format_float
from analysis.stats import pair_bounds as pb
from analysis.stats.contingency import enumerate_tables as reference_tables
from analysis.stats.identification import IDENTIFIED_QUANTITIES, table_intervals
from analysis.stats.ordinal_association import concordance_counts
from analysis.stats.pairing_extremes import count_tables as count_3x3
from analysis.stats.proportions import clopper_pearson_lower

GWENT_FORCE, GWENT_INSPECTORS = [27, 6, 0], [10, 17, 6]
GWENT_LABELS = ("good", "requires improvement", "inadequate")  # as in data/raw; written out so that this test reads no grade module
GWENT_SCORES = "good 3, RI 2, inadequate 1"
WITH_INTERVAL = ("good_gap", "mean_score_gap", "cohen_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic")


def masks(k: int, rng: np.random.Generator) -> dict[str, np.ndarray | None]:
    i, j = np.indices((k, k))
    return {
        "none": None,
        "force_never_harsher": i <= j,
        "at_most_one_grade_apart": np.abs(i - j) <= 1,
        "both": (i <= j) & (j - i <= 1),
        "random": rng.random((k, k)) < 0.7,
    }


def all_tables(force, inspectors, mask) -> np.ndarray:
    # each distinct pair of margins once (a set of margins holds each possibility once)
    found = [reference_tables(r, c) for r in np.unique(np.atleast_2d(force), axis=0) for c in np.unique(np.atleast_2d(inspectors), axis=0)]
    t = np.concatenate(found)
    return t if mask is None else t[(t[:, ~mask] == 0).all(axis=(1,))]


def brute_force(force, inspectors, mask, confidence: float = 0.95) -> dict[str, list[float]] | None:
    """``{quantity: [low, high, ci_low, ci_high]}`` by listing every table; None when there is none."""
    t = all_tables(force, inspectors, mask)
    if len(t) == 0:
        return None
    per = table_intervals(t, confidence)
    n = float(t[0].sum())
    out = {}
    for q in IDENTIFIED_QUANTITIES:
        v = per["n_force_better" if q == "share_force_better" else q].astype(float)
        low, high = (v.min(), v.max()) if v.notna().any() else (np.nan, np.nan)
        out[q] = [low, high, np.nan, np.nan]
    out["share_force_better"] = [
        out["n_force_better"][0] / n,
        out["n_force_better"][1] / n,
        clopper_pearson_lower(out["n_force_better"][0], n),
        np.nan,
    ]
    for q in WITH_INTERVAL:
        out[q][2:] = [per[f"{q}_low"].min(), per[f"{q}_high"].max()]
    return out


def random_margins(rng, k, n, m):
    return rng.multinomial(n, rng.dirichlet(np.full(k, 0.7)), size=m)


def check_against_brute_force(force, inspectors, mask, listing):
    got = pb.pair_bounds(force, inspectors, allowed=mask, listing=listing).set_index("quantity")
    assert tuple(got.index) == IDENTIFIED_QUANTITIES
    want = brute_force(force, inspectors, mask)
    if want is None:
        assert got.attrs["n_tables"] == 0
        assert got[["low", "high", "ci_low", "ci_high"]].isna().all().all()
        assert (got["method"] == "no table is consistent with the totals and the assumptions").all()
        return
    for q, (low, high, ci_low, ci_high) in want.items():
        row = got.loc[q]
        for value, ref in ((row["low"], low), (row["high"], high)):
            if np.isnan(value) and "not found" in row["method"]:
                continue  # the method says the bound could not be settled without listing
            assert value == ref or (np.isnan(value) and np.isnan(ref)), (q, value, ref, row["method"])
        if q == "share_force_better":
            assert row["ci_low"] == ci_low
        elif q in WITH_INTERVAL and not np.isnan(row["ci_low"]):  # an interval, when given, is exact
            assert (row["ci_low"], row["ci_high"]) == (ci_low, ci_high), q
    if listing is None:
        assert got.attrs["n_tables"] == len(all_tables(force, inspectors, mask))


# --- Gwent ---------------------------------------------------------------------------------------------


def test_gwent_margins_reproduce_identified_csv_byte_for_byte():
    got = pb.pair_bounds(GWENT_FORCE, GWENT_INSPECTORS, labels=GWENT_LABELS)
    assert got.attrs == {"n_pairs": 1, "n_pairs_with_tables": 1, "n_tables": 28}
    published = (PROCESSED_DIR / "identified.csv").read_bytes()
    extra = b"\ngood_gap_newcombe,"  # the section appends the gap's score intervals and the leniency effect size
    assert csv_bytes(got) == published[: published.index(extra) + 1]
    # the score scale in words can also be given as it is
    again = pb.pair_bounds(GWENT_FORCE, GWENT_INSPECTORS, labels=GWENT_LABELS, scores=GWENT_SCORES)
    assert csv_bytes(again) == csv_bytes(got)


def test_gwent_closed_forms_give_the_published_ranges_and_exact_intervals():
    published = pd.read_csv(PROCESSED_DIR / "identified.csv").set_index("quantity")
    got = pb.pair_bounds(GWENT_FORCE, GWENT_INSPECTORS, labels=GWENT_LABELS, scores=GWENT_SCORES, listing=False).set_index("quantity")
    for q in IDENTIFIED_QUANTITIES:
        for col in ("low", "high"):
            assert format_float(got.loc[q, col]) == format_float(published.loc[q, col]), (q, col)
        assert got.loc[q, "method"].startswith("closed form") or "closed form" in got.loc[q, "method"]
    for q, cols in (
        ("share_force_better", ("ci_low",)),
        ("percent_agreement", ("ci_low", "ci_high")),
        ("good_gap", ("ci_low", "ci_high")),
        ("mean_score_gap", ("ci_low", "ci_high")),
    ):
        for col in cols:
            assert format_float(got.loc[q, col]) == format_float(published.loc[q, col]), (q, col)
    assert got.loc[["cohen_kappa", "kendall_tau_b"], ["ci_low", "ci_high"]].isna().all().all()
    assert "no interval: tables not listed, on request" in got.loc["cohen_kappa", "method"]


def test_gwent_under_the_assumptions_of_issue_17():
    i, j = np.indices((3, 3))
    never_harsher = pb.pair_bounds(GWENT_FORCE, GWENT_INSPECTORS, allowed=i <= j)
    assert never_harsher.attrs["n_tables"] == 7 == pb.count_tables(GWENT_FORCE, GWENT_INSPECTORS, i <= j)
    both = pb.pair_bounds(GWENT_FORCE, GWENT_INSPECTORS, allowed=(i <= j) & (j - i <= 1)).set_index("quantity")
    assert both.attrs["n_tables"] == 1
    assert (both["low"].dropna() == both["high"].dropna()).all()
    assert both.loc["n_force_better", "low"] == 23


# --- brute force, every road -------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 3, 4, 5])
@pytest.mark.slow
def test_single_pairs_equal_brute_force_listed_and_not(k):
    rng = np.random.default_rng(2000 + k)
    for _ in range(5):
        n = int(rng.integers(1, 9 if k < 5 else 7))
        force, inspectors = random_margins(rng, k, n, 1), random_margins(rng, k, n, 1)
        for mask in masks(k, rng).values():
            for listing in (None, False):
                check_against_brute_force(force, inspectors, mask, listing)


@pytest.mark.parametrize("k", [2, 3, 4, 5])
@pytest.mark.slow
def test_sets_of_margins_equal_brute_force_listed_and_not(k):
    rng = np.random.default_rng(3000 + k)
    for _ in range(4):
        n = int(rng.integers(2, 8 if k < 5 else 6))
        force = random_margins(rng, k, n, int(rng.integers(2, 4)))
        inspectors = random_margins(rng, k, n, int(rng.integers(1, 4)))
        for mask in masks(k, rng).values():
            for listing in (None, False):
                check_against_brute_force(force, inspectors, mask, listing)


@pytest.mark.parametrize("k", [3, 4])
@pytest.mark.slow
def test_larger_samples_on_the_optimising_roads_equal_brute_force(k):
    rng = np.random.default_rng(4000 + k)
    for _ in range(3):
        n = int(rng.integers(10, 16 if k == 3 else 11))
        force, inspectors = random_margins(rng, k, n, 2), random_margins(rng, k, n, 2)
        for mask in masks(k, rng).values():
            check_against_brute_force(force, inspectors, mask, listing=False)


@pytest.mark.slow
def test_gamma_and_tau_left_empty_only_with_a_reason_and_given_values_exact():
    rng = np.random.default_rng(5)
    i, j = np.indices((4, 4))
    empty = 0
    for _ in range(6):
        force, inspectors = random_margins(rng, 4, 9, 2), random_margins(rng, 4, 9, 2)
        for mask in (np.abs(i - j) <= 1, i <= j):
            got = pb.pair_bounds(force, inspectors, allowed=mask, listing=False, max_listed=0).set_index("quantity")
            want = brute_force(force, inspectors, mask)
            if want is None:
                continue
            for q in ("goodman_kruskal_gamma", "kendall_tau_b"):
                for col, ref in (("low", want[q][0]), ("high", want[q][1])):
                    if np.isnan(got.loc[q, col]) and not np.isnan(ref):
                        empty += 1
                        assert f"{col} not found:" in got.loc[q, "method"] and "too many to list (more than 0)" in got.loc[q, "method"]
                    else:
                        assert got.loc[q, col] == ref
    assert empty > 0  # the case arises in these fixtures, so the reason is tested


# --- the theory the closed forms rely on -------------------------------------------------------------------


def test_frechet_tables_are_the_unique_tables_without_discordant_or_concordant_pairs():
    rng = np.random.default_rng(6)
    for k in (2, 3, 4, 5):
        for _ in range(10):
            n = int(rng.integers(1, 9))
            r, c = random_margins(rng, k, n, 1)[0], random_margins(rng, k, n, 1)[0]
            up, down = pb.frechet_tables(r, c)
            for t in (up, down):
                np.testing.assert_array_equal(t.sum(axis=1), r)
                np.testing.assert_array_equal(t.sum(axis=0), c)
            tables = reference_tables(r, c)
            p, q = (np.atleast_1d(x) for x in concordance_counts(tables))
            np.testing.assert_array_equal(tables[q == 0], up[None])
            np.testing.assert_array_equal(tables[p == 0], down[None])
    # vectorised over pairs
    r = random_margins(rng, 4, 6, 5)
    c = random_margins(rng, 4, 6, 5)
    up, down = pb.frechet_tables(r, c)
    for a in range(5):
        np.testing.assert_array_equal(up[a], pb.frechet_tables(r[a], c[a])[0])
        np.testing.assert_array_equal(down[a], pb.frechet_tables(r[a], c[a])[1])


def test_closed_forms_for_cases_better_and_cases_the_same_against_every_table():
    rng = np.random.default_rng(7)
    for k in (2, 3, 4, 5, 6):
        for _ in range(8):
            n = int(rng.integers(1, 8))
            r, c = random_margins(rng, k, n, 1)[0], random_margins(rng, k, n, 1)[0]
            t = reference_tables(r, c)
            better = np.triu(t, 1).sum(axis=(1, 2))
            same = np.trace(t, axis1=1, axis2=2)
            cum_r, cum_c = np.cumsum(r), np.cumsum(c)
            assert better.min() == max(0, (cum_r - cum_c).max())
            assert better.max() == (cum_r - r + n - cum_c).min()
            assert same.max() == np.minimum(r, c).sum()
            assert same.min() == max(0, (r + c).max() - n)


# --- counting and listing -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_count_tables_equals_enumeration_with_and_without_masks():
    rng = np.random.default_rng(8)
    for k in (2, 3, 4, 5):
        for _ in range(8):
            n = int(rng.integers(0, 9))
            r, c = random_margins(rng, k, n, 1)[0], random_margins(rng, k, n, 1)[0]
            tables = reference_tables(r, c)
            assert pb.count_tables(r, c) == len(tables)
            for mask in masks(k, rng).values():
                if mask is None:
                    continue
                kept = tables[(tables[:, ~mask] == 0).all(axis=1)]
                assert pb.count_tables(r, c, mask) == len(kept)
                assert pb.has_table(r, c, mask) == (len(kept) > 0)
                np.testing.assert_array_equal(pb.enumerate_tables(r, c, mask), kept)  # same tables, same order
            np.testing.assert_array_equal(pb.enumerate_tables(r, c), tables)


def test_count_over_sets_of_margins_is_the_sum_over_pairs():
    rng = np.random.default_rng(9)
    i, j = np.indices((4, 4))
    force, inspectors = random_margins(rng, 4, 7, 3), random_margins(rng, 4, 7, 2)
    for mask in (None, i <= j):
        want = sum(pb.count_tables(r, c, mask) for r in np.unique(force, axis=0) for c in np.unique(inspectors, axis=0))
        assert (
            pb.count_tables_over(force, inspectors, mask)
            == want
            == len(all_tables(np.unique(force, axis=0), np.unique(inspectors, axis=0), mask))
        )


@pytest.mark.slow
def test_count_tables_is_exact_at_any_size():
    # 3 x 3: the closed form of analysis.stats.pairing_extremes; every margin 2: a known sequence
    assert pb.count_tables([818, 182, 0], [303, 515, 182]) == count_3x3([818, 182, 0], [303, 515, 182]) == 183 * 184 // 2
    assert pb.count_tables([300, 200, 100], [150, 250, 200]) == count_3x3([300, 200, 100], [150, 250, 200])
    assert [pb.count_tables([2] * k, [2] * k) for k in (2, 3, 4, 5)] == [3, 21, 282, 6210]  # OEIS A000681 (k x k, every margin 2)
    # a bound past 2**63 sends the count through the primes and the Chinese remainder theorem; the count itself
    # still fits in int64 here, so the programme without a modulus checks it
    rows = np.array([9] * 6)
    assert pb._count_bound(rows[None]) > 2**63
    plain = pb._dense_counts(rows, rows, np.ones((6, 6), bool), None)[tuple(rows)]
    assert pb.count_tables(rows, rows) == int(plain) > 10**14
    big = 3**100 + 12345
    primes = pb._primes(5)
    assert all(pb._is_prime(p) and p < 2**40 for p in primes)
    assert pb._crt([big % p for p in primes], primes) == big
    with pytest.raises(pb.CountTooLarge, match="more than the limit"):
        pb.count_tables([400] * 5, [400] * 5)


def test_listing_limits_are_kept():
    with pytest.raises(pb.TooManyTables, match="more than 10 consistent tables"):
        pb.enumerate_tables([5, 5, 5], [5, 5, 5], max_tables=10)
    with pytest.raises(pb.TooManyTables):
        pb.pair_bounds([5, 5, 5], [5, 5, 5], listing=True, max_listed=10)
    got = pb.pair_bounds([5, 5, 5], [5, 5, 5], max_listed=10)
    assert got.attrs["n_tables"] is None and got["method"].str.contains("more than 10 consistent tables, none listed").all()


# --- edge cases and errors -------------------------------------------------------------------------------------


def test_one_grader_uses_one_grade():
    got = pb.pair_bounds([[6, 0, 0]], [[2, 3, 1], [1, 4, 1]]).set_index("quantity")
    for q in ("goodman_kruskal_gamma", "kendall_tau_b", "spearman_rho"):
        assert np.isnan(got.loc[q, "low"]) and np.isnan(got.loc[q, "high"])
        assert got.loc[q, "method"].startswith("undefined on every consistent table")
    assert got.loc["cohen_kappa", "low"] == got.loc["cohen_kappa", "high"] == 0.0
    closed = pb.pair_bounds([[6, 0, 0]], [[2, 3, 1], [1, 4, 1]], listing=False).set_index("quantity")
    pd.testing.assert_frame_equal(closed[["low", "high"]], got[["low", "high"]])
    assert closed.loc["spearman_rho", "method"].startswith("undefined on every consistent table")


def test_one_case():
    got = pb.pair_bounds([0, 1, 0], [[1, 0, 0], [0, 1, 0]]).set_index("quantity")
    assert got.attrs["n_tables"] == 2
    assert np.isnan(got.loc["mean_score_gap", "low"])  # a paired t interval needs two cases
    assert (got.loc["n_force_better", "low"], got.loc["n_force_better", "high"]) == (0, 0)
    check_against_brute_force([0, 1, 0], [[1, 0, 0], [0, 1, 0]], None, False)


def test_a_mask_that_the_totals_rule_out_gives_no_table_and_says_so():
    i, j = np.indices((3, 3))
    got = pb.pair_bounds([[0, 6, 4], [1, 5, 4]], [8, 1, 1], allowed=i <= j)  # the force never harsher, yet fewer graded best
    assert got.attrs == {"n_pairs": 2, "n_pairs_with_tables": 0, "n_tables": 0}
    assert got[["low", "high", "ci_low", "ci_high"]].isna().all().all()
    assert pb.count_tables_over([[0, 6, 4], [1, 5, 4]], [8, 1, 1], i <= j) == 0


def test_an_all_true_mask_is_no_assumption():
    rng = np.random.default_rng(10)
    force, inspectors = random_margins(rng, 4, 30, 2), random_margins(rng, 4, 30, 2)
    a = pb.pair_bounds(force, inspectors)
    b = pb.pair_bounds(force, inspectors, allowed=np.ones((4, 4), dtype=int))
    pd.testing.assert_frame_equal(a, b)


def test_seven_grades_work():
    rng = np.random.default_rng(11)
    force, inspectors = random_margins(rng, 7, 40, 2), random_margins(rng, 7, 40, 3)
    got = pb.pair_bounds(force, inspectors)
    assert got.attrs["n_tables"] is None and got["low"].notna().all()
    i, j = np.indices((7, 7))
    masked = pb.pair_bounds(force, inspectors, allowed=np.abs(i - j) <= 2)
    assert masked["quantity"].tolist() == list(IDENTIFIED_QUANTITIES)


def test_too_many_pairs_is_one_clear_error():
    rng = np.random.default_rng(12)
    force, inspectors = random_margins(rng, 3, 20, 30), random_margins(rng, 3, 20, 30)
    nf, ng = len(np.unique(force, axis=0)), len(np.unique(inspectors, axis=0))
    with pytest.raises(
        pb.TooManyMarginPairs,
        match=rf"{nf * ng} pairs of possible totals \({nf} for the force x {ng} for the inspectors\) exceed the limit of 100",
    ) as err:
        pb.pair_bounds(force, inspectors, max_pairs=100)
    assert err.value.n_pairs == nf * ng and err.value.limit == 100 and not err.value.masked
    with pytest.raises(pb.TooManyMarginPairs, match="with an assumption on the cells"):
        pb.pair_bounds(force, inspectors, allowed=np.eye(3, dtype=bool) | np.eye(3, k=1, dtype=bool), max_pairs=100)


@pytest.mark.parametrize(
    ("force", "inspectors", "allowed", "message"),
    [
        ([3, 2, 1], [3, 3], None, "3 grades but the inspectors' 2"),
        ([3, 2, 1], [3, 2, 2], None, "add up to 6 cases but the inspectors' to 7"),
        ([[3, 2, 1], [3, 2, 2]], [3, 2, 1], None, "must add up to the same number of cases"),
        ([3, -2, 5], [3, 2, 1], None, "non-negative"),
        ([3, 2.5, 0.5], [3, 2, 1], None, "whole numbers"),
        ([6], [6], None, "1 grades; 2 to 7 are handled"),
        ([1] * 8, [1] * 8, None, "8 grades; 2 to 7 are handled"),
        ([0, 0, 0], [0, 0, 0], None, "no cases"),
        ([3, 2, 1], [3, 2, 1], np.ones((2, 2), bool), "3 x 3 boolean mask"),
    ],
)
def test_bad_input_is_refused_with_one_message(force, inspectors, allowed, message):
    with pytest.raises(ValueError, match=message):
        pb.pair_bounds(force, inspectors, allowed=allowed)


@pytest.mark.slow
def test_dual_certificates_give_the_optimum_of_every_pair():
    # many pairs sharing one objective: a few programmes are solved, their dual solutions certify the rest
    rng = np.random.default_rng(13)
    k, n = 4, 40
    force, inspectors = random_margins(rng, k, n, 60), random_margins(rng, k, n, 60)
    i, j = np.indices((k, k))
    for mask in (np.abs(i - j) <= 1, i <= j, rng.random((k, k)) < 0.7):
        ok = pb.has_table(force, inspectors, mask)
        r, c = force[ok], inspectors[ok]
        if len(r) == 0:
            continue
        for weights in ((i < j).astype(float), np.abs(i - j).astype(float), ((i - j) ** 2).astype(float)):
            for maximise in (False, True):
                fast = pb._fixed_tables(r, c, weights, mask, maximise)
                slow, _ = pb._lp_tables(r, c, weights, mask, maximise)
                assert (fast[:, ~mask] == 0).all()
                np.testing.assert_array_equal(fast.sum(axis=2), r)
                np.testing.assert_array_equal(fast.sum(axis=1), c)
                np.testing.assert_array_equal((fast * weights).sum(axis=(1, 2)), (slow * weights).sum(axis=(1, 2)))
