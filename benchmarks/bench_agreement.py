"""Timings for the agreement analysis (a plain script, not a test): python benchmarks/bench_agreement.py

Reports
- exact LP bounds of every linear agreement measure for 3 x 3 margins with n = 10,000 (target < 1 s);
- enumeration of every consistent table plus all per-table measures for the published 33 cases (target < 1 s);
- enumeration (and all measures) for 3 x 3 margins with n = 100: number of tables and time.
"""

from __future__ import annotations

import time

import numpy as np

from analysis.data.load import load_audit
from analysis.stats.agreement import agreement_bounds, linear_measure_bounds, published_margins, table_measures
from analysis.stats.contingency import enumerate_tables


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    """Smallest wall-clock time of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    rows, cols = published_margins(load_audit())
    n = int(rows.sum())

    big_rows, big_cols = rows * 10_000 // n, cols * 10_000 // n
    big_rows[0] += 10_000 - big_rows.sum()
    big_cols[0] += 10_000 - big_cols.sum()
    t, lp = best_of(lambda: linear_measure_bounds(big_rows, big_cols))
    print(
        f"LP bounds, 3x3, n = 10,000 (published shares scaled: rows {big_rows.tolist()}, cols {big_cols.tolist()}): {t:.3f} s for {len(lp)} measures"
    )
    uniform = np.array([3334, 3333, 3333]), np.array([3333, 3333, 3334])
    t, lp = best_of(lambda: linear_measure_bounds(*uniform))
    print(f"LP bounds, 3x3, n = 10,000 (near-uniform margins): {t:.3f} s for {len(lp)} measures")

    t, (bounds, tables) = best_of(lambda: agreement_bounds(rows, cols))
    print(f"Published {n} cases: enumeration + all measures + references: {t:.3f} s for {len(tables)} tables")

    for label, r, c in (
        ("near-uniform", [34, 33, 33], [33, 33, 34]),
        ("published shares scaled", (rows * 100 // n).tolist(), (cols * 100 // n).tolist()),
    ):
        r = np.array(r)
        c = np.array(c)
        r[0] += 100 - r.sum()
        c[0] += 100 - c.sum()
        t_enum, found = best_of(lambda r=r, c=c: enumerate_tables(r, c))
        t_all, _ = best_of(lambda found=found: table_measures(found), repeat=1)
        print(
            f"3x3, n = 100 ({label}: rows {r.tolist()}, cols {c.tolist()}): {len(found):,} tables; enumeration {t_enum:.3f} s, all measures {t_all:.3f} s"
        )


if __name__ == "__main__":
    main()
