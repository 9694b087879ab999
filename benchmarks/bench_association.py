"""Time and peak memory of the exact Fisher-Freeman-Halton test beside R's fisher.test, table by table (not a test: prints its figures).

Run with ``.venv/bin/python benchmarks/bench_association.py`` (about fifteen minutes on a 2-core
machine, most of it R on the hard tables); ``--slow`` adds R's hour-long runs (5 x 5, n = 150).
Every measurement is one fresh process (Python, or R through ``Rscript``) that makes one warm-up
call, then times ``repeats`` calls and reports the best time per call and its own peak resident
memory (``VmHWM`` from /proc/self/status), so time and memory are measured the same way on both
sides. In the first block the two sides are measured in turn five times and each keeps its best
time (and its largest peak memory), so that the load of a shared machine at one moment does not
decide a ratio (on the project's 2-core virtual machine one process in three runs the same small
table at about 1.6 times its best speed, R's as well as ours). Three blocks:

1. **Default options**: ``fisher_freeman_halton(m)`` (exact within its work budget, else the
   seeded Monte Carlo fallback) beside R's ``fisher.test(m)`` (workspace 200,000, which refuses
   the harder tables).
2. **Budget raised**: ``fisher_freeman_halton(m, max_work=1e12)`` beside
   ``fisher.test(m, workspace = 2e8)``, on the tables that need it.
3. **Hybrid**: ``fisher_freeman_halton(m, "hybrid")`` beside ``fisher.test(m, hybrid = TRUE,
   workspace = 2e8)``.

Columns: our method and time per call, R's time per call (or why it gave no p-value), their ratio
(ours / R), the peak memory of each process and its ratio, and the relative difference of the
p-values where both are exact. Where R's FEXACT is known to be inexact (six_by_six_n80,
seven_by_seven_n37 in tests/fixtures/r_fisher_reference.csv), a further block checks both against
a seeded Monte Carlo estimate with 10^6 tables. Where R answers exactly but differs from ours by more
than 1e-9 (3 x 8, n = 300: about 2e-9), the last block computes ours again with a merging grid 2^14
times finer: ours does not move (to about 1e-16) while R's FEXACT merges past path values up to
3.45e-7 apart (its ``tol`` in f5xact), which is where the difference comes from. If ``Rscript`` is
not on PATH, R's columns say so and only our figures are printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from analysis.data.load import load_audit
from analysis.sections.areas import area_counts

#: Budget for the second block ("raised"): far above what any table here needs.
RAISED = 1e12

#: (name, table, repeats). Made-up tables: drawn with numpy's default_rng(seed).multinomial(n, p), p
#: uniform over the cells (the sparse 10 x 3: columns with probabilities 0.7, 0.2, 0.1), seed 2020
#: unless said; the 8 x 3 "random" one with seed 2024; the 7 x 7 from a screen with seed 8.
TABLES: list[tuple[str, np.ndarray, int]] = [
    ("tea 2x2 (n = 8)", np.array([[3, 1], [1, 3]]), 50),
    ("audit: the two samples 2x3 (n = 80)", np.array([[10, 17, 6], [10, 20, 17]]), 50),
    ("2x9 (n = 135)", np.array([[7, 7, 11, 9, 6, 10, 7, 7, 8], [7, 10, 8, 7, 10, 7, 2, 4, 8]]), 20),
    ("2x10 (n = 200)", np.array([[12, 9, 11, 8, 10, 13, 7, 10, 9, 11], [8, 11, 9, 12, 10, 7, 13, 10, 11, 9]]), 20),
    ("Fleiss 3x3 (n = 200)", np.array([[106, 10, 4], [22, 28, 10], [2, 12, 6]]), 20),
    ("Agresti job satisfaction 4x4 (n = 96)", np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]), 20),
    ("audit: 8 areas x 3 grades (n = 80)", area_counts(load_audit()).to_numpy(), 10),
    (
        "Mehta-Patel MP6 5x7 (n = 39)",
        np.array([[1, 2, 2, 1, 1, 0, 1], [2, 0, 0, 2, 3, 0, 0], [0, 1, 1, 1, 2, 7, 3], [1, 1, 2, 0, 0, 0, 1], [0, 1, 1, 1, 1, 0, 0]]),
        10,
    ),
    ("5x5 (n = 60)", np.array([[2, 2, 4, 3, 2], [4, 2, 2, 3, 2], [4, 3, 3, 4, 3], [0, 3, 2, 1, 5], [1, 1, 2, 1, 1]]), 5),
    (
        "sparse 10x3 (n = 120)",
        np.array([[8, 2, 2], [10, 2, 2], [8, 2, 2], [8, 4, 2], [9, 5, 2], [4, 4, 1], [6, 6, 1], [6, 3, 1], [8, 1, 1], [5, 2, 3]]),
        3,
    ),
    (
        "7x7 (n = 37)",
        np.array(
            [[1, 1, 0, 2, 2, 0, 0], [2, 3, 0, 1, 0, 1, 0], [1, 1, 0, 0, 0, 0, 3], [2, 1, 1, 0, 0, 2, 0]]
            + [[0, 2, 1, 1, 1, 0, 1], [1, 0, 1, 0, 1, 0, 0], [0, 0, 1, 0, 0, 1, 2]]
        ),
        3,
    ),
    ("MS patients, Winnipeg 4x4 (n = 149)", np.array([[38, 5, 0, 1], [33, 11, 3, 0], [10, 14, 5, 6], [3, 7, 3, 10]]), 2),
    (
        "8x3, n = 139 (audit pattern scaled)",
        np.array([[7, 7, 4], [9, 7, 5], [4, 10, 4], [5, 7, 16], [4, 9, 3], [5, 5, 0], [2, 9, 5], [0, 10, 2]]),
        1,
    ),
    (
        "8x3, n = 139 (random, seed 2024)",
        np.array([[3, 13, 2], [3, 12, 2], [6, 10, 2], [7, 7, 4], [0, 9, 9], [5, 11, 3], [4, 9, 1], [1, 11, 5]]),
        2,
    ),
    ("5x5 (n = 100)", np.array([[4, 4, 6, 5, 3], [6, 4, 4, 5, 3], [6, 4, 4, 7, 4], [1, 5, 3, 2, 7], [3, 2, 4, 2, 2]]), 1),
    (
        "3x8 (n = 300)",
        np.array([[12, 12, 16, 14, 11, 16, 12, 12], [14, 11, 16, 13, 13, 17, 13, 7], [14, 11, 9, 18, 10, 9, 12, 8]]),
        1,
    ),
    (
        "6x6 (n = 80)",
        np.array([[2, 2, 4, 3, 1, 4], [2, 2, 3, 2, 4, 3], [2, 4, 3, 0, 3, 2], [1, 5, 2, 1, 3, 2], [2, 0, 2, 3, 4, 0], [4, 2, 0, 1, 2, 0]]),
        1,
    ),
    ("5x5 (n = 150)", np.array([[6, 6, 9, 7, 5], [9, 6, 6, 7, 5], [8, 6, 6, 9, 6], [2, 7, 5, 3, 10], [5, 4, 6, 3, 4]]), 1),
]

#: Tables of the second block (budget raised / R's workspace raised); R's run on the last is over an hour (``--slow``).
RAISED_TABLES = [
    "sparse 10x3 (n = 120)",
    "8x3, n = 139 (audit pattern scaled)",
    "5x5 (n = 100)",
    "3x8 (n = 300)",
    "6x6 (n = 80)",
    "5x5 (n = 150)",
]
R_SLOW = {"5x5 (n = 150)"}

#: Tables of the hybrid block.
HYBRID_TABLES = [
    "audit: the two samples 2x3 (n = 80)",
    "Fleiss 3x3 (n = 200)",
    "Agresti job satisfaction 4x4 (n = 96)",
    "5x5 (n = 100)",
    "3x8 (n = 300)",
]

#: Tables where R's FEXACT is inexact: checked against a Monte Carlo estimate with this many tables.
CHECK_TABLES = ["7x7 (n = 37)", "6x6 (n = 80)"]
CHECK_SAMPLES = 1_000_000

_OURS = """
import json, time
import numpy as np
from analysis.stats.association import fisher_freeman_halton
from analysis.stats.fisher_network import exact_p_value, hybrid_p_value
m, repeats, method, max_work = np.array({table}), {repeats}, {method!r}, {max_work!r}
res = fisher_freeman_halton(m, method, max_work=max_work)
best = float("inf")
for _ in range(repeats):
    start = time.perf_counter()
    res = fisher_freeman_halton(m, method, max_work=max_work)
    best = min(best, time.perf_counter() - start)
report = {{}}
if res.method == "exact":
    exact_p_value(m, max_work=max_work, report=report)
elif res.method == "hybrid":
    hybrid_p_value(m, max_work=max_work, report=report)
hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(json.dumps({{"p": res.p_value, "method": res.method, "seconds": best, "mb": int(hwm) / 1024, "work": report.get("work")}}))
"""

_R = """
m <- matrix(c({cells}), nrow = {rows}, byrow = TRUE)
call <- function() fisher.test(m{args})$p.value
p <- tryCatch(call(), error = function(e) paste("error:", gsub("[\\n,;]", " ", conditionMessage(e))))
if (is.numeric(p)) {{
  s <- min(sapply(seq_len({repeats}), function(i) system.time(call())[["elapsed"]] / 1))
  if (s < 0.05) s <- min(sapply(1:5, function(i) system.time(for (k in 1:20) call())[["elapsed"]] / 20))
}} else {{
  s <- system.time(try(call(), silent = TRUE))[["elapsed"]]
}}
hwm <- as.numeric(strsplit(trimws(sub("VmHWM:", "", grep("VmHWM", readLines("/proc/self/status"), value = TRUE))), " ")[[1]][1])
cat(sprintf("%s;%.6f;%.1f\\n", if (is.numeric(p)) sprintf("%.17g", p) else p, s, hwm / 1024))
"""


def ours(table: np.ndarray, repeats: int, method: str = "exact", max_work: float | None = None) -> dict:
    """Our p-value, method answered, best seconds per call and peak MB, from a fresh process."""
    from analysis.stats.fisher_network import DEFAULT_MAX_WORK

    code = _OURS.format(table=table.tolist(), repeats=repeats, method=method, max_work=max_work or DEFAULT_MAX_WORK)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def r_call(rscript: str, table: np.ndarray, repeats: int, args: str) -> dict:
    """R's p-value (or its error), best seconds per call and peak MB of a fresh R process."""
    code = _R.format(cells=", ".join(str(int(v)) for v in table.ravel()), rows=table.shape[0], args=args, repeats=repeats)
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as f:
        f.write(code)
    try:
        out = subprocess.run([rscript, f.name], capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    finally:
        Path(f.name).unlink()
    p, seconds, mb = out.split(";")
    return {
        "p": float(p) if not p.startswith("error") else None,
        "error": p if p.startswith("error") else None,
        "seconds": float(seconds),
        "mb": float(mb),
    }


def _row(name: str, mine: dict, theirs: dict | None) -> str:
    work = f"{mine['work']:,}" if mine.get("work") is not None else "-"
    left = f"{name:38s} {mine['method']:>11s} {mine['seconds']:9.4f} {mine['mb']:6.0f} {work:>13s}"
    if theirs is None:
        return left + f" {'-':>9s} {'-':>6s} {'-':>7s} {'-':>6s} {'-':>9s}"
    mem = mine["mb"] / theirs["mb"]
    if theirs["p"] is None:
        return left + f" {theirs['seconds']:9.4f} {theirs['mb']:6.0f} {'-':>7s} {mem:6.2f} {'R: ' + theirs['error'][7:60]}"
    diff = f"{abs(mine['p'] / theirs['p'] - 1):9.1e}" if mine["method"] == "exact" else f"{'-':>9s}"
    return (
        left
        + f" {theirs['seconds']:9.4f} {theirs['mb']:6.0f} {mine['seconds'] / theirs['seconds']:7.2f} {mem:6.2f} {diff}  p = {mine['p']:.10g}"
    )


def _best(runs: list[dict]) -> dict:
    """The run with the shortest time, with the largest peak memory of all the runs."""
    best = dict(min(runs, key=lambda run: run["seconds"]))
    best["mb"] = max(run["mb"] for run in runs)
    return best


def _block(
    title: str, names: list[str], rscript: str | None, method: str, max_work: float | None, r_args: str, slow: bool, rounds: int = 1
) -> None:
    """One block of the table; with ``rounds`` > 1 the two sides are measured in turn that many times (each its best)."""
    tables = {name: (table, repeats) for name, table, repeats in TABLES}
    print(f"\n{title}")
    print(
        f"{'table':38s} {'ours':>11s} {'ours s':>9s} {'MB':>6s} {'work':>13s} {'R s':>9s} {'R MB':>6s} {'s ratio':>7s} {'MB rat':>6s} {'rel diff p':>9s}"
    )
    for name in names:
        table, repeats = tables[name]
        with_r = rscript is not None and (slow or name not in R_SLOW or r_args == "")
        mine, theirs = [], []
        for _ in range(rounds):
            mine.append(ours(table, repeats, method, max_work))
            if with_r:
                theirs.append(r_call(rscript, table, repeats, r_args))
        print(_row(name, _best(mine), _best(theirs) if theirs else None), flush=True)


def _check_against_simulation(rscript: str | None) -> None:
    from analysis.stats.association import fisher_freeman_halton

    tables = {name: table for name, table, _ in TABLES}
    print(f"\nWhere R's FEXACT is inexact: both against a seeded Monte Carlo estimate ({CHECK_SAMPLES:,} tables, seed 20)")
    for name in CHECK_TABLES:
        table = tables[name]
        exact = fisher_freeman_halton(table, max_work=RAISED).p_value
        mc = fisher_freeman_halton(table, "monte_carlo", samples=CHECK_SAMPLES, seed=20)
        line = f"{name:38s} exact {exact:.6f} (transposed {fisher_freeman_halton(table.T, max_work=RAISED).p_value:.6f}); Monte Carlo {mc.p_value:.6f} (se {mc.mc_standard_error:.6f}, z = {(exact - mc.p_value) / mc.mc_standard_error:+.1f})"
        if rscript is not None:
            r1 = r_call(rscript, table, 1, ", workspace = 2e8")["p"]
            r2 = r_call(rscript, table.T, 1, ", workspace = 2e8")["p"]
            line += f"; R {r1:.6f} (z = {(r1 - mc.p_value) / mc.mc_standard_error:+.1f}), transposed {r2:.6f} (z = {(r2 - mc.p_value) / mc.mc_standard_error:+.1f})"
        print(line, flush=True)


#: Tables where R answers exactly but differs from ours by more than 1e-9 (R's FEXACT merges past path
#: values that differ by up to 3.45e-7 in log-probability, its f5xact ``tol``; ours merges on a grid of
#: 2^-32): ours again with a grid 2^14 times finer, to show whether our merging explains the difference.
GRID_TABLES = ["3x8 (n = 300)"]

_GRID = """
import numpy as np
import analysis.stats._fisher_kernels as kernels
kernels.GRID = 2.0 ** {bits}  # read when the kernels compile (a fresh numba cache: see NUMBA_CACHE_DIR)
from analysis.stats.fisher_network import exact_p_value
print(repr(float(exact_p_value(np.array({table}), max_work=1e12))))
"""


def _check_grid(rscript: str | None) -> None:
    tables = {name: table for name, table, _ in TABLES}
    print("\nWhere R answers exactly but differs by more than 1e-9: ours with merging grids of 2^-32 (as shipped) and 2^-46")
    for name in GRID_TABLES:
        table = tables[name]
        values = {}
        for bits in (32, 46):
            with tempfile.TemporaryDirectory() as cache:
                code = _GRID.format(bits=bits, table=table.tolist())
                run = subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "NUMBA_CACHE_DIR": cache}
                )
                values[bits] = float(run.stdout.strip().splitlines()[-1])
        line = f"{name:38s} grid 2^-32: {values[32]!r}; 2^-46: {values[46]!r} (rel diff {abs(values[46] / values[32] - 1):.1e})"
        if rscript is not None:
            r = r_call(rscript, table, 1, ", workspace = 2e8")["p"]
            line += f"; R {r!r} (rel diff {abs(r / values[46] - 1):.1e})"
        print(line, flush=True)


def main(argv: list[str]) -> None:
    slow = "--slow" in argv
    rscript = shutil.which("Rscript")
    print("Fisher-Freeman-Halton test: this project (analysis.stats.association.fisher_freeman_halton) beside R's fisher.test")
    print(f"command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}")
    if rscript is None:
        print("Rscript not found on PATH: could not compare with R (install r-base-core); our figures only.")
    else:
        version = subprocess.run([rscript, "-e", "cat(R.version.string)"], capture_output=True, text=True, check=True).stdout
        print(f"R: {version}")
    print("Each figure: one fresh process, a warm-up call, then the best of the listed repeats; MB = that process's peak resident memory.")
    print("Block 1: each side measured five times in turn, best time and largest memory kept.")
    ours(TABLES[4][1], 1)  # compile or load numba's cache once, outside the measurements
    all_names = [name for name, _, _ in TABLES]
    _block("1. Default options: fisher_freeman_halton(m) beside fisher.test(m)", all_names, rscript, "exact", None, "", slow, rounds=5)
    _block(
        f"2. Budget raised: fisher_freeman_halton(m, max_work={RAISED:.0e}) beside fisher.test(m, workspace = 2e8)",
        RAISED_TABLES,
        rscript,
        "exact",
        RAISED,
        ", workspace = 2e8",
        slow,
    )
    _block(
        '3. Hybrid: fisher_freeman_halton(m, "hybrid") beside fisher.test(m, hybrid = TRUE, workspace = 2e8)',
        HYBRID_TABLES,
        rscript,
        "hybrid",
        None,
        ", hybrid = TRUE, workspace = 2e8",
        slow,
    )
    _check_against_simulation(rscript)
    _check_grid(rscript)
    print("\nratios: ours / R. 'rel diff p' only where both answered exactly; R's refusals are listed with their time and memory.")


if __name__ == "__main__":
    main(sys.argv[1:])
