"""Timings of the exact Fisher-Freeman-Halton test (not a test: prints its figures).

Run with ``.venv/bin/python benchmarks/bench_association.py``. Times the project's own network
algorithm and the ``fexact`` package (R's ACM algorithm 643) on the 8 x 3 audit table and on a
5 x 4 table with n = 150, best of a few repeats, and checks the two agree.
"""

from __future__ import annotations

import time

import numpy as np

from analysis.data.load import load_audit
from analysis.sections.areas import area_counts
from analysis.stats.association import fisher_freeman_halton

TABLE_5X4 = np.array([[10, 8, 6, 6], [9, 7, 8, 5], [8, 10, 7, 6], [6, 9, 8, 9], [5, 7, 9, 7]])


def best_time(fn, repeats: int) -> tuple[float, float]:
    """Smallest wall-clock time over ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    audit = area_counts(load_audit()).to_numpy()
    assert TABLE_5X4.sum() == 150
    cases = [("8 x 3 audit table (n = 80)", audit, 5), ("5 x 4 table (n = 150)", TABLE_5X4, 2)]
    for name, table, repeats in cases:
        t_net, p_net = best_time(lambda t=table: fisher_freeman_halton(t).p_value, repeats)
        t_fx, p_fx = best_time(lambda t=table: fisher_freeman_halton(t, engine="fexact").p_value, repeats)
        t_mc, p_mc = best_time(lambda t=table: fisher_freeman_halton(t, "monte_carlo", seed=1, samples=100_000).p_value, 1)
        print(f"{name}:")
        print(f"  network (this project): {t_net:8.3f} s   p = {p_net:.10f}")
        print(f"  fexact (ACM 643):       {t_fx:8.3f} s   p = {p_fx:.10f}   relative difference {abs(p_net / p_fx - 1):.1e}")
        print(f"  Monte Carlo, 1e5 tables:{t_mc:8.3f} s   p = {p_mc:.4f}")


if __name__ == "__main__":
    main()
