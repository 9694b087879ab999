"""Timings for analysis.stats.pair_bounds (a plain script, not a test): python benchmarks/bench_pair_bounds.py

Issue 16's target: every bound for k = 4 and 5 grades and up to n = 1,000 cases with exact-count
margins well under a second each; the Gwent build no slower than today. Reports, each the best of
three calls:

- ``pair_bounds`` for one pair of exact totals, k = 4 and 5, n = 100 and 1,000, three shapes of
  margins (even, skewed, with grades nobody used), with no assumption and under the two
  assumptions of issue 17 (the force never harsher; at most one grade apart), with the road taken
  (listing, closed forms, linear programming);
- Gwent's published totals: ``pair_bounds`` against today's route (``agreement_bounds`` then
  ``identified_summary``);
- percentages only: every count vector whose shares round to printed whole percentages (made-up
  percentages, a synthetic case), thousands of pairs of possible totals;
- the listing road at its largest: pairs with 10,000 to 95,000 tables, listed (``max_listed`` raised);
- ``count_tables`` on a few margins.

All margins except Gwent's are made up for timing.
"""

from __future__ import annotations

import itertools

import numpy as np
from timing import best_of

from analysis.stats import pair_bounds as pb
from analysis.stats.agreement import agreement_bounds, tables_of
from analysis.stats.identification import identified_summary


def counts(shares, n: int) -> np.ndarray:
    """Whole counts adding up to n in proportion to ``shares`` (largest remainders)."""
    raw = np.asarray(shares, float) / np.sum(shares) * n
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(out - raw)[: n - out.sum()]] += 1
    return out


def from_percentages(percents, n: int) -> np.ndarray:
    """Every count vector adding up to n whose shares round to the printed whole percentages (a tie at the half either way)."""
    ranges = [range(max(0, -(-(2 * p - 1) * n // 200)), min(n, (2 * p + 1) * n // 200) + 1) for p in percents]
    return np.array([v for v in itertools.product(*ranges) if sum(v) == n], dtype=np.int64)


def road(frame) -> str:
    """Which road pair_bounds took, read from its method texts."""
    if frame.attrs.get("n_tables") == 0:
        return "no table"
    if frame.attrs.get("n_tables"):
        return f"listing ({frame.attrs['n_tables']:,} tables)"
    text = " ".join(frame["method"])
    return "linear programming" if "linear programming" in text else "closed forms"


SHAPES = {
    4: {
        "even": ([1, 1, 1, 1], [1, 1, 1, 1]),
        "skewed": ([60, 25, 10, 5], [20, 40, 25, 15]),
        "zero grades": ([70, 30, 0, 0], [0, 55, 30, 15]),
    },
    5: {
        "even": ([1, 1, 1, 1, 1], [1, 1, 1, 1, 1]),
        "skewed": ([50, 25, 12, 8, 5], [15, 30, 25, 20, 10]),
        "zero grades": ([60, 40, 0, 0, 0], [0, 35, 35, 20, 10]),
    },
}


def assumptions(k: int) -> dict[str, np.ndarray | None]:
    i, j = np.indices((k, k))
    return {"none": None, "force never harsher": i <= j, "at most one grade apart": np.abs(i - j) <= 1}


def main() -> None:
    print("pair_bounds, one pair of exact totals (target: well under 1 s each)")
    print(f"{'k':>2} {'n':>6}  {'margins':<12} {'assumption':<24} {'seconds':>8}  road")
    worst = 0.0
    for k, shapes in SHAPES.items():
        for n in (100, 1000):
            for name, (fs, gs) in shapes.items():
                f, g = counts(fs, n), counts(gs, n)
                for label, mask in assumptions(k).items():
                    t, out = best_of(lambda f=f, g=g, mask=mask: pb.pair_bounds(f, g, allowed=mask))
                    worst = max(worst, t)
                    print(f"{k:>2} {n:>6}  {name:<12} {label:<24} {t:>8.3f}  {road(out)}")
    print(f"slowest single pair: {worst:.3f} s")

    print("\nGwent's published totals (33 cases, 28 tables)")
    rows, cols = [27, 6, 0], [10, 17, 6]
    t_old, _ = best_of(lambda: identified_summary(tables_of(agreement_bounds(rows, cols)[1])))
    t_new, _ = best_of(lambda: pb.pair_bounds(rows, cols))
    print(f"  today's route (agreement_bounds + identified_summary): {t_old:.3f} s; pair_bounds: {t_new:.3f} s")

    print("\npercentages only (made-up whole percentages): every pair of possible totals")
    for k, n, fp, gp in ((4, 500, [52, 31, 12, 5], [37, 38, 17, 8]), (5, 400, [31, 27, 21, 12, 9], [12, 22, 33, 21, 12])):
        f, g = from_percentages(fp, n), from_percentages(gp, n)
        for label, mask in assumptions(k).items():
            ff, gg = (f, g) if mask is None else (f[:40], g[:40])  # with an assumption: a linear programme per pair, so fewer pairs
            t, out = best_of(lambda ff=ff, gg=gg, mask=mask: pb.pair_bounds(ff, gg, allowed=mask), repeat=1)
            pairs = out.attrs["n_pairs"]
            print(
                f"  k = {k}, n = {n}: {len(ff)} x {len(gg)} = {pairs:,} pairs ({out.attrs['n_pairs_with_tables']:,} with tables), "
                f"{label}: {t:.2f} s ({1e6 * t / pairs:.0f} us a pair), {road(out)}"
            )

    print(f"\nthe listing road at its largest (pair_bounds lists up to {pb.LISTING_LIMIT:,} tables by default)")
    for f, g in (([4, 4, 4, 4], [4, 4, 4, 4]), ([6, 6, 6, 5], [5, 6, 6, 6]), ([3, 3, 3, 3, 2], [3, 3, 3, 2, 3])):
        n_tables = pb.count_tables(f, g)
        t, out = best_of(lambda f=f, g=g: pb.pair_bounds(f, g, max_listed=100_000), repeat=1)
        print(f"  {f} x {g}: {n_tables:,} tables, {t:.2f} s, {road(out)}")

    print("\ncount_tables (exact, by dynamic programming)")
    for f, g in (
        ([33, 33, 33, 33], [33, 33, 33, 33]),
        ([20] * 5, [20] * 5),
        ([600, 250, 100, 50], [200, 400, 250, 150]),
        ([7] * 7, [7] * 7),
    ):
        try:
            t, value = best_of(lambda f=f, g=g: pb.count_tables(f, g), repeat=1)
            print(f"  {f} x {g}: {value:,} tables, {t:.2f} s")
        except pb.CountTooLarge as err:
            print(f"  {f} x {g}: refused, {err}")


if __name__ == "__main__":
    main()
