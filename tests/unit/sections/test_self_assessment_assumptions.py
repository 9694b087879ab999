"""assumptions.csv against an independent check: every consistent table listed, filtered by each assumption, and measured one by one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data.load import load_audit
from analysis.grades import GRADES
from analysis.narrative import self_assessment as sa_text
from analysis.pipeline import build_stage
from analysis.sections import self_assessment as sa
from analysis.stats.agreement import direction_counts, table_measures
from analysis.stats.contingency import enumerate_tables
from analysis.stats.ordinal_association import goodman_kruskal_gamma, kendall_tau_b, spearman_rho


def brute_force(rows, cols, assumption: str) -> tuple[int, dict[str, tuple[float, float]]]:
    """Count and measure the tables with the margins that meet the assumption, listing them (no pair_bounds code)."""
    tables = enumerate_tables(rows, cols)
    k = len(rows)
    i, j = np.indices((k, k))
    forbidden = {
        "none": np.zeros((k, k), bool),
        "force_never_harsher": i > j,
        "at_most_one_grade_apart": np.abs(i - j) >= 2,
        "force_never_harsher_and_at_most_one_grade_apart": (i > j) | (np.abs(i - j) >= 2),
    }[assumption]
    kept = tables[(tables[:, forbidden] == 0).all(axis=1)]
    if len(kept) == 0:
        return 0, {}
    n = int(np.sum(rows))
    measures = table_measures(kept)
    better = np.atleast_1d(direction_counts(kept)[0])
    values = {
        "n_force_better": better,
        "share_force_better": better / n,
        "goodman_kruskal_gamma": np.atleast_1d(goodman_kruskal_gamma(kept)),
        "kendall_tau_b": np.atleast_1d(kendall_tau_b(kept)),
        "spearman_rho": np.atleast_1d(spearman_rho(kept)),
        "cohen_kappa": measures["cohen_kappa"].to_numpy(),
        "weighted_kappa_linear": measures["weighted_kappa_linear"].to_numpy(),
        "weighted_kappa_quadratic": measures["weighted_kappa_quadratic"].to_numpy(),
    }
    return len(kept), {q: (float(np.nanmin(v)), float(np.nanmax(v))) for q, v in values.items()}


@pytest.fixture(scope="module")
def gwent_assumptions() -> pd.DataFrame:
    return build_stage("self_assessment", load_audit())["assumptions.csv"]


def test_the_columns_and_assumptions_are_exactly_as_named(gwent_assumptions):
    assert list(gwent_assumptions.columns) == ["assumption", "quantity", "low", "high", "n_tables", "method"]
    assert list(dict.fromkeys(gwent_assumptions["assumption"])) == [
        "none",
        "force_never_harsher",
        "at_most_one_grade_apart",
        "force_never_harsher_and_at_most_one_grade_apart",
    ]
    assert set(gwent_assumptions["quantity"]) == set(sa.PAIRING_QUANTITIES)


def test_gwent_matches_listing_every_table(gwent_assumptions):
    a = gwent_assumptions.set_index(["assumption", "quantity"])
    for assumption in sa.ASSUMPTIONS:
        count, ranges = brute_force([27, 6, 0], [10, 17, 6], assumption)
        assert int(a.loc[(assumption, "n_force_better"), "n_tables"]) == count
        for q, (lo, hi) in ranges.items():
            assert a.loc[(assumption, q), "low"] == pytest.approx(lo, abs=1e-12), (assumption, q)
            assert a.loc[(assumption, q), "high"] == pytest.approx(hi, abs=1e-12), (assumption, q)
    # the issue's own numbers: 7 of the 28 tables if the force was never harsher, one if no case was two grades apart
    assert [int(a.loc[(x, "cohen_kappa"), "n_tables"]) for x in sa.ASSUMPTIONS] == [28, 7, 1, 1]


def test_the_sentences_say_what_each_assumption_settles(gwent_assumptions):
    text = sa_text.assumption_sentences(gwent_assumptions, 33)
    assert text[0].startswith("If the force never graded a case worse than the inspectors did, 7 of the 28 pairings remain")
    assert "exactly one pairing remains: the force graded 23 of the 33 cases better" in text[1]


def test_totals_that_rule_an_assumption_out_give_empty_ranges_and_say_so():
    frame = sa.assumption_table(np.array([[0, 1, 4]]), np.array([[4, 1, 0]]), GRADES)
    harsher = frame[frame["assumption"] == "force_never_harsher"]
    assert (harsher["n_tables"] == 0).all() and harsher["low"].isna().all() and harsher["high"].isna().all()
    assert harsher["method"].str.contains("rule this out").all()
    assert any("rule out that the force never graded" in s for s in sa_text.assumption_sentences(frame, 5))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.slow
def test_four_grades_and_sets_of_totals_match_listing(seed):
    rng = np.random.default_rng(seed)
    k = 4
    force = np.array([rng.multinomial(7, np.ones(k) / k) for _ in range(2)])
    force[1] = force[0] if seed % 2 else force[1]
    insp = np.array([rng.multinomial(7, np.ones(k) / k)])
    labels = ("a", "b", "c", "d")
    frame = sa.assumption_table(np.unique(force, axis=0), insp, labels).set_index(["assumption", "quantity"])
    for assumption in sa.ASSUMPTIONS:
        counts, ranges = 0, {}
        for r in np.unique(force, axis=0):
            c, rg = brute_force(r, insp[0], assumption)
            counts += c
            for q, (lo, hi) in rg.items():
                old = ranges.get(q, (np.inf, -np.inf))
                ranges[q] = (min(old[0], lo), max(old[1], hi))
        assert int(frame.loc[(assumption, "cohen_kappa"), "n_tables"]) == counts
        for q, (lo, hi) in ranges.items():
            if np.isfinite(lo):
                assert frame.loc[(assumption, q), "low"] == pytest.approx(lo, abs=1e-12), (seed, assumption, q)
                assert frame.loc[(assumption, q), "high"] == pytest.approx(hi, abs=1e-12), (seed, assumption, q)
