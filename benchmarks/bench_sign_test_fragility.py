"""Timings of the sign test's largest p-value and fragility over the tables with given margins (not a test: prints its figures).

Run with ``.venv/bin/python benchmarks/bench_sign_test_fragility.py`` (a few seconds). Target
(issue 17): well under a second per call for the published 3 x 3 totals (n = 33) and for four grades
with n around 100. Prints the best time of a few calls after a warm-up, and the answer.
"""

from __future__ import annotations

import time

import numpy as np

from analysis.stats.sign_test_fragility import sign_test_fragility, sign_test_max_p

#: Target time per call, seconds.
TARGET_S = 1.0


def best_time(call, repeats: int = 5) -> float:
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    out = [("published totals, n = 33 (27/6/0 v 10/17/6)", np.array([27, 6, 0]), np.array([10, 17, 6]))]
    for seed in range(6):  # four grades, n = 100: a kinder first grader (numpy seeds 0-5)
        rng = np.random.default_rng(seed)
        out.append(
            (f"k = 4, n = 100, seed {seed}", rng.multinomial(100, [0.55, 0.3, 0.1, 0.05]), rng.multinomial(100, [0.1, 0.2, 0.3, 0.4]))
        )
    return out


def main() -> None:
    print(f"{'case':48} {'rows':>16} {'cols':>16} {'max p (s)':>10} {'fragility (s)':>14}  answer")
    worst = 0.0
    for name, rows, cols in cases():
        t_max = best_time(lambda r=rows, c=cols: sign_test_max_p(r, c))
        t_frag = best_time(lambda r=rows, c=cols: sign_test_fragility(r, c))
        res = sign_test_fragility(rows, cols)
        worst = max(worst, t_max, t_frag)
        answer = f"p before {res.p_value_before:.3g}; moves {res.moves}" + (
            f" -> {res.col_sums}, p {res.p_value:.3g}" if res.moves is not None else ""
        )
        print(f"{name:48} {str(rows.tolist()):>16} {str(cols.tolist()):>16} {t_max:10.3f} {t_frag:14.3f}  {answer}")
    print(f"slowest call {worst:.3f} s against a target of {TARGET_S:.1f} s: {'met' if worst < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
