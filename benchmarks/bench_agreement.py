"""Timings for the agreement analysis (a plain script, not a test): python benchmarks/bench_agreement.py

Reports, each as the best of three calls with the peak memory of one call (``tracemalloc``):
- ``agreement_bounds`` for 3 x 3 margins with n = 10,000 (issue 12: under 1 s and 400 MB), on the
  margins of the issue, near-uniform margins, the published shares scaled up and lopsided ones;
  these have far too many consistent tables to list, so the ranges come from optimisation;
- ``agreement_bounds`` for the published 33 cases (every consistent table listed);
- the exact LP bounds of the linear measures alone at n = 10,000;
- enumeration (and all per-table measures) for 3 x 3 margins with n = 100: number of tables and time.
There is no R counterpart, so no ratio to R is printed here (see bench_association.py).
"""

from __future__ import annotations

import tracemalloc

import numpy as np
from timing import best_of

from analysis.data.load import load_audit
from analysis.sections.self_assessment import published_margins
from analysis.stats.agreement import agreement_bounds, linear_measure_bounds, table_measures
from analysis.stats.contingency import enumerate_tables

#: Targets of issue 12 for agreement_bounds at n = 10,000.
TIME_TARGET_S, MEMORY_TARGET_MB = 1.0, 400.0


def peak_mb(fn) -> float:
    """Peak memory allocated during one call of ``fn``, in MB."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def scaled(margin: np.ndarray, n: int) -> np.ndarray:
    out = margin * n // margin.sum()
    out[0] += n - out.sum()
    return out


def main() -> None:
    rows, cols = published_margins(load_audit())
    n = int(rows.sum())
    cases = [
        ("issue 12 example (a zero margin)", np.array([8182, 1818, 0]), np.array([3030, 5152, 1818])),
        ("near-uniform", np.array([3334, 3333, 3333]), np.array([3333, 3333, 3334])),
        ("published shares scaled", scaled(rows, 10_000), scaled(cols, 10_000)),
        ("opposite skews", np.array([5000, 3000, 2000]), np.array([2000, 3000, 5000])),
        ("lopsided", np.array([9000, 500, 500]), np.array([500, 500, 9000])),
    ]
    print(f"agreement_bounds, 3 x 3, n = 10,000 (targets: {TIME_TARGET_S:g} s, {MEMORY_TARGET_MB:g} MB)")
    for label, r, c in cases:
        t, (bounds, tables) = best_of(lambda r=r, c=c: agreement_bounds(r, c))
        mem = peak_mb(lambda r=r, c=c: agreement_bounds(r, c))
        verdict = "ok" if t < TIME_TARGET_S and mem < MEMORY_TARGET_MB else "OVER TARGET"
        print(
            f"  {label:34s} rows {r.tolist()}, cols {c.tolist()}: {t:.3f} s, peak {mem:.1f} MB, "
            f"{int(bounds['n_tables'].iloc[0]):,} consistent tables, {len(tables)} listed ({verdict})"
        )

    t, (bounds, tables) = best_of(lambda: agreement_bounds(rows, cols))
    print(f"Published {n} cases (rows {rows.tolist()}, cols {cols.tolist()}): {t:.3f} s, {len(tables)} tables, all listed")

    big_rows, big_cols = scaled(rows, 10_000), scaled(cols, 10_000)
    t, lp = best_of(lambda: linear_measure_bounds(big_rows, big_cols))
    print(f"LP bounds of the linear measures alone, n = 10,000 (published shares scaled): {t:.3f} s for {len(lp)} measures")

    for label, r, c in (
        ("near-uniform", np.array([34, 33, 33]), np.array([33, 33, 34])),
        ("published shares scaled", scaled(rows, 100), scaled(cols, 100)),
    ):
        t_enum, found = best_of(lambda r=r, c=c: enumerate_tables(r, c))
        t_all, _ = best_of(lambda found=found: table_measures(found), repeat=1)
        print(
            f"3x3, n = 100 ({label}: rows {r.tolist()}, cols {c.tolist()}): {len(found):,} tables; enumeration {t_enum:.3f} s, all measures {t_all:.3f} s"
        )


if __name__ == "__main__":
    main()
