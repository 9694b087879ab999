"""Timings of the exact Fisher-Freeman-Halton test beside R's fisher.test, run in the same session (not a test: prints its figures).

Run with ``.venv/bin/python benchmarks/bench_association.py`` (about three minutes, most of it R).
For each table of issue 12 (and a few more) it prints this project's time per call (best of a few
calls after a warm-up), the peak memory of the computation (``tracemalloc``) and of a fresh Python
process doing only that call (its maximum resident set size), and R's time per call for
``fisher.test(m, workspace = 2e8)`` (best of the same number of calls after a warm-up, one R
session started with ``Rscript``), with the ratio ours / R and the relative difference of the
p-values. If ``Rscript`` is not on PATH it says that it could not compare.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from analysis.data.load import load_audit
from analysis.sections.areas import area_counts
from analysis.stats.fisher_network import exact_p_value

#: Peak memory allowed for one exact p-value (issue 12).
MEMORY_CEILING_MB = 1024

#: (name, table, repeats): the tables of issue 12 first.
TABLES: list[tuple[str, np.ndarray, int]] = [
    ("audit: 8 areas x 3 grades (n = 80)", area_counts(load_audit()).to_numpy(), 10),
    ("Agresti job satisfaction 4x4 (n = 96)", np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]), 10),
    ("Fleiss 3x3 (n = 200)", np.array([[106, 10, 4], [22, 28, 10], [2, 12, 6]]), 10),
    ("MS patients, Winnipeg 4x4 (n = 149)", np.array([[38, 5, 0, 1], [33, 11, 3, 0], [10, 14, 5, 6], [3, 7, 3, 10]]), 2),
    (
        "8x3, n = 139 (audit pattern scaled)",
        np.array([[7, 7, 4], [9, 7, 5], [4, 10, 4], [5, 7, 16], [4, 9, 3], [5, 5, 0], [2, 9, 5], [0, 10, 2]]),
        2,
    ),
    (
        "8x3, n = 139 (random, numpy seed 2024)",
        np.array([[3, 13, 2], [3, 12, 2], [6, 10, 2], [7, 7, 4], [0, 9, 9], [5, 11, 3], [4, 9, 1], [1, 11, 5]]),
        2,
    ),
    ("audit: the two samples 2x3 (n = 80)", np.array([[10, 17, 6], [10, 20, 17]]), 10),
    (
        "Mehta-Patel MP6 5x7 (n = 39)",
        np.array([[1, 2, 2, 1, 1, 0, 1], [2, 0, 0, 2, 3, 0, 0], [0, 1, 1, 1, 2, 7, 3], [1, 1, 2, 0, 0, 0, 1], [0, 1, 1, 1, 1, 0, 0]]),
        10,
    ),
]


def ours(table: np.ndarray, repeats: int) -> tuple[float, float]:
    """Best time per call over ``repeats`` calls after one warm-up call, and the p-value."""
    p = exact_p_value(table)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        p = exact_p_value(table)
        best = min(best, time.perf_counter() - start)
    return best, p


def traced_peak_mb(table: np.ndarray) -> float:
    """Peak memory allocated during one call, in MB (tracemalloc sees numpy's buffers)."""
    tracemalloc.start()
    exact_p_value(table)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def process_peak_mb(table: np.ndarray) -> float:
    """Maximum resident set size of a fresh Python process that imports the module and computes one p-value, in MB."""
    # VmHWM, the high-water mark of this process's own memory (ru_maxrss would carry over the parent's at fork)
    code = (
        "import numpy as np\n"
        "from analysis.stats.fisher_network import exact_p_value\n"
        f"exact_p_value(np.array({table.tolist()}))\n"
        "print([line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM')][0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def r_timings(tables: list[tuple[str, np.ndarray, int]]) -> tuple[str, list[tuple[float, float]]] | None:
    """R's version string and, per table, (p-value, best seconds per call) from one Rscript session; None without Rscript."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    lines = ["cat(R.version.string, '\\n')"]
    for _, table, repeats in tables:
        cells = ", ".join(str(int(v)) for v in table.ravel())
        lines.append(
            f"m <- matrix(c({cells}), nrow = {table.shape[0]}, byrow = TRUE); p <- fisher.test(m, workspace = 2e8)$p.value; "
            f"s <- min(sapply(seq_len({repeats}), function(i) system.time(fisher.test(m, workspace = 2e8))[['elapsed']])); "
            "cat(sprintf('%.17g %.6f\\n', p, s))"
        )
    out = subprocess.run([rscript, "-e", "\n".join(lines)], capture_output=True, text=True, check=True).stdout.splitlines()
    return out[0].strip(), [(float(a), float(b)) for a, b in (line.split() for line in out[1:])]


def main() -> None:
    print("Exact Fisher-Freeman-Halton test: this project (analysis.stats.fisher_network) beside R's fisher.test, same session")
    r = r_timings(TABLES)
    if r is None:
        print("Rscript not found on PATH: could not compare with R (install r-base-core); our figures only.")
    else:
        print(f"R: {r[0]}; call fisher.test(m, workspace = 2e8); times are the best of the listed repeats after a warm-up.")
    header = f"{'table':42s} {'ours s':>9s} {'R s':>9s} {'ours/R':>7s} {'rel. diff p':>11s} {'traced MB':>9s} {'process MB':>10s}  p"
    print(header)
    for i, (name, table, repeats) in enumerate(TABLES):
        t_ours, p = ours(table, repeats)
        traced, rss = traced_peak_mb(table), process_peak_mb(table)
        ok = "" if max(traced, rss) < MEMORY_CEILING_MB else "  OVER THE MEMORY CEILING"
        if r is None:
            print(f"{name:42s} {t_ours:9.4f} {'-':>9s} {'-':>7s} {'-':>11s} {traced:9.1f} {rss:10.1f}  {p:.12g}{ok}")
        else:
            p_r, t_r = r[1][i]
            print(
                f"{name:42s} {t_ours:9.4f} {t_r:9.4f} {t_ours / t_r:7.2f} {abs(p / p_r - 1):11.1e} {traced:9.1f} {rss:10.1f}  {p:.12g}{ok}"
            )
    print(f"Memory ceiling: {MEMORY_CEILING_MB} MB. 'traced' = peak allocated during the call; 'process' = max RSS of a fresh process.")


if __name__ == "__main__":
    main()
