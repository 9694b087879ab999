"""Bounded work, in one run (not a test: prints its figures): the shapes each stage handles within its budget, the cold start, 2 x c tables beside R, the suite.

Run with ``.venv/bin/python benchmarks/bench_bounded_work.py`` (a few minutes on a 2-core machine;
``--no-suite`` leaves out the last block, ``--fresh-clone`` measures the cold start in a fresh clone
after ``make env``, which installs every package again and takes several minutes). Four blocks:

1. **Package shapes per stage.** The budgets (:mod:`analysis.stats.budget` and the limits named
   beside each step) and what they mean in cases: the largest exact pair whose tables are counted
   and listed, the largest pair whose sign-test programmes run; then ``process`` on made-up
   packages of growing size (exact pairs up to seven grades and 100,000 cases, a pair printed as
   rounded percentages of a million cases, a case-level file of a million rows), each in a fresh
   process, with its time, peak memory and what ``contents.csv`` says it left out; and
   ``identified.csv`` alone for exact pairs of k <= 7 grades and n <= 100,000 cases (each under 2 s).
2. **Cold start.** The first exact test in a new process after ``make env`` (the loops loaded
   from numba's cache, as ``python -m analysis warm-up`` left them) beside a warm call, and, for
   scale, the same first call with an empty cache (what a user met before the warm-up).
3. **2 x c tables beside R.** ``fisher_freeman_halton`` on 2 x c tables (c up to 10, n up to 300,
   uniform random counts, seed 2020) beside R's ``fisher.test`` with its default workspace, each in
   a fresh process (the method of ``benchmarks/bench_association.py``), with their ratio. Without
   ``Rscript`` on PATH only our figures are printed.
4. **The suite.** ``make test``'s pytest run (``-n 2 --dist loadfile``), its wall-clock and CPU time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GRADES = ["g1", "g2", "g3", "g4", "g5", "g6", "g7"]

_PEAK = """
import resource, runpy, sys
sys.argv = ["analysis", *sys.argv[1:]]
try:
    runpy.run_module("analysis", run_name="__main__")
except SystemExit as stop:
    code = stop.code
else:
    code = 0
print("PEAK_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
sys.exit(code)
"""


def _package(path: Path, force, inspectors, *, percent: bool = False) -> Path:
    """A made-up package (benchmark fixture) with one force-selected pair, as counts or as whole percentages."""
    from analysis.data.package import update_hashes

    path.mkdir(parents=True)
    k, n = len(force), int(sum(force))
    audit = {
        "id": "bench-bounded-work",
        "force": "Made-up Constabulary (benchmark fixture)",
        "title": "MADE-UP FIGURES for a benchmark",
        "published": "2015-01",
        "grades": GRADES[:k],
        "sources": [{"title": "None: made up", "url": "https://example.org/made-up"}],
        "licence": "CC0-1.0",
    }
    (path / "audit.json").write_text(json.dumps(audit), encoding="utf-8")
    rows = ["sample,rater,area,grades,count,percent,at_least,at_most,of,wording,source"]
    for rater, counts in (("force", force), ("inspectorate", inspectors)):
        for grade, x in zip(GRADES[:k], counts, strict=True):
            figure = f",{round(100 * x / n)}" if percent else f"{x},"
            rows.append(f"force_selected,{rater},,{grade},{figure},,,{n},,made up")
    (path / "figures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    update_hashes(path)
    return path


def _case_package(path: Path, n: int) -> Path:
    """A made-up package (benchmark fixture) with a case-level file of ``n`` cases."""
    from analysis.data.package import update_hashes

    grades = ["good", "requires improvement", "inadequate"]
    rng = np.random.default_rng(1)
    force = rng.integers(0, 3, n)
    inspectors = np.clip(force + rng.integers(-1, 2, n), 0, 2)
    path.mkdir(parents=True)
    audit = {
        "id": "bench-cases",
        "force": "Made-up Constabulary (benchmark fixture)",
        "title": "MADE-UP FIGURES for a benchmark",
        "published": "2021-03",
        "grades": grades,
        "sources": [{"title": "None: made up", "url": "https://example.org/made-up"}],
        "licence": "CC0-1.0",
    }
    (path / "audit.json").write_text(json.dumps(audit), encoding="utf-8")
    rows = ["sample,rater,area,grades,count,percent,at_least,at_most,of,wording,source"]
    for rater, v in (("force", force), ("inspectorate", inspectors)):
        rows += [f"force_selected,{rater},,{g},{int((v == i).sum())},,,,{n},,made up" for i, g in enumerate(grades)]
    (path / "figures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    areas = np.array(["area one", "area two", "area three"])[rng.integers(0, 3, n)]
    with (path / "cases.csv").open("w", encoding="utf-8") as fh:
        fh.write("case_id,practice_area,force_grade,hmicfrs_grade\n")
        fh.writelines(f"CASE-{i:07d},{areas[i]},{grades[force[i]]},{grades[inspectors[i]]}\n" for i in range(n))
    update_hashes(path)
    return path


def _process(raw: Path, out: Path) -> tuple[float, int, str, str]:
    """``python -m analysis process`` in a fresh process: seconds, peak MB, its last output line, what contents.csv leaves out."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _PEAK, "process", "--raw", str(raw), "--out", str(out)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = int(next(line.split()[1] for line in run.stderr.splitlines() if line.startswith("PEAK_MB")))
    said = (run.stdout.strip() or run.stderr.strip()).splitlines()[0][:90]
    left_out = ""
    if (out / "contents.csv").exists():
        import pandas as pd

        contents = pd.read_csv(out / "contents.csv")
        mine = contents[(contents["section"] == "self_assessment") & (contents["published"] == "no")]
        left_out = ", ".join(mine["table"]) or "nothing"
    return seconds, peak, said, left_out


def shapes() -> None:
    from analysis.stats import pair_bounds as pb
    from analysis.stats import sign_test_fragility as stf
    from analysis.stats.consistent_set import MAX_CANDIDATES

    print("1. Package shapes per stage")
    print(
        f"   budgets: table count {pb.MAX_COUNT_CELLS:,} array cells; listing {pb.LISTING_LIMIT:,} tables; "
        f"pairs of totals {pb.MAX_PAIRS:,} (closed forms), {pb.MAX_LP_PAIRS:,} (linear programmes); count vectors "
        f"{MAX_CANDIDATES:,}; sign test {stf.MAX_WORK:,} p-value entries (n <= {int(stf.MAX_WORK**0.5) - 1:,})"
    )
    print("   largest exact pair (equal totals per grade) whose tables are counted:")
    for k in range(2, 8):
        per = int(pb.MAX_COUNT_CELLS ** (1 / k)) - 1  # prod(c_j + 1) over the inspectors' totals
        print(f"     {k} grades: about {per * k:,} cases ({per:,} a grade)")
    print(f"\n   {'package':46s} {'seconds':>8s} {'peak MB':>8s}  result; self-assessment tables left out")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = [
            ("Gwent (data/raw)", ROOT / "data" / "raw"),
            ("4 grades, 1,000 cases (250 each)", _package(tmp / "a", [250] * 4, [400, 100, 300, 200])),
            ("5 grades, 300 cases", _package(tmp / "b", [60] * 5, [50, 70, 60, 65, 55])),
            ("7 grades, 80 cases", _package(tmp / "c", [12, 12, 12, 11, 11, 11, 11], [10, 14, 12, 12, 10, 11, 11])),
            ("3 grades, 100,000 cases", _package(tmp / "d", [50_000, 30_000, 20_000], [40_000, 35_000, 25_000])),
            (
                "7 grades, 100,000 cases",
                _package(
                    tmp / "e", [20_000, 20_000, 10_000, 10_000, 10_000, 10_000, 20_000], [10_000, 20_000, 20_000] + [10_000] * 3 + [20_000]
                ),
            ),
            (
                "7 grades, 1,000,000 cases in whole percentages",
                _package(
                    tmp / "f",
                    [200_000, 200_000] + [100_000] * 4 + [200_000],
                    [100_000, 200_000, 200_000] + [100_000] * 3 + [200_000],
                    percent=True,
                ),
            ),
            ("case-level file of 1,000,000 rows", _case_package(tmp / "g", 1_000_000)),
        ]
        for name, raw in cases:
            seconds, peak, said, left_out = _process(raw, tmp / ("out-" + raw.name))
            print(f"   {name:46s} {seconds:8.1f} {peak:8d}  {said}; {left_out}", flush=True)

    print("\n   identified.csv alone (pair_bounds, exact pair, no listing past 20,000 tables): best of 3")
    rng = np.random.default_rng(28)
    worst = 0.0
    for k in range(2, 8):
        for n in (1_000, 10_000, 100_000):
            rows, cols = rng.multinomial(n, np.full(k, 1 / k)), rng.multinomial(n, np.full(k, 1 / k))
            best = min(_timed(lambda r=rows, c=cols: pb.pair_bounds(r, c)) for _ in range(3))
            worst = max(worst, best)
            print(f"     {k} grades, {n:>7,} cases: {best:6.3f} s")
    print(f"   slowest: {worst:.3f} s (target: under 2 s each)")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


_FIRST_CALL = """
import time
start = time.perf_counter()
from analysis.stats.association import fisher_freeman_halton
import numpy as np
m = np.array([[1, 2, 2, 1, 1, 0, 1], [2, 0, 0, 2, 3, 0, 0], [0, 1, 1, 1, 2, 7, 3], [1, 1, 2, 0, 0, 0, 1], [0, 1, 1, 1, 1, 0, 0]])
t0 = time.perf_counter(); fisher_freeman_halton(m); first = time.perf_counter() - t0
t0 = time.perf_counter(); fisher_freeman_halton(m); warm = time.perf_counter() - t0
print(first, warm, time.perf_counter() - start)
"""


def cold_start(fresh_clone: bool) -> None:
    print("\n2. Cold start: the first exact test (Mehta-Patel MP6, 5 x 7, n = 39) in a new process")
    python = sys.executable
    project = ROOT
    if fresh_clone:
        clone = Path(tempfile.mkdtemp()) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        start = time.perf_counter()
        subprocess.run(["make", "env"], cwd=clone, check=True, capture_output=True)
        print(f"   fresh clone: make env took {time.perf_counter() - start:.0f} s (installs every package and warms the loops)")
        python, project = str(clone / ".venv" / "bin" / "python"), clone
    run = subprocess.run([python, "-c", _FIRST_CALL], cwd=project, capture_output=True, text=True, check=True)
    first, warm, total = (float(v) for v in run.stdout.split())
    print(
        f"   after make env (loops loaded from the cache): first call {first:.3f} s, warm call {warm:.3f} s, difference {first - warm:.3f} s"
    )
    with tempfile.TemporaryDirectory() as empty:
        run = subprocess.run(
            [python, "-c", _FIRST_CALL],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "NUMBA_CACHE_DIR": empty},
        )
    first_cold = float(run.stdout.split()[0])
    print(f"   with an empty cache (before the warm-up existed): first call {first_cold:.1f} s")
    if fresh_clone:
        shutil.rmtree(project.parent, ignore_errors=True)


def two_by_c() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_association import ours, r_call

    rscript = shutil.which("Rscript")
    print("\n3. 2 x c tables: fisher_freeman_halton(m) beside R's fisher.test(m), default options, fresh processes, best per call")
    if rscript is None:
        print("   Rscript not found on PATH: our figures only (install r-base-core to compare)")
    print(f"   {'table':18s} {'ours':>11s} {'ours ms':>9s} {'R ms':>9s} {'ratio':>6s}")
    rng = np.random.default_rng(2020)
    for c in range(2, 11):
        for n in (60, 120, 200, 300):
            table = rng.multinomial(n, np.full(2 * c, 1 / (2 * c))).reshape(2, c)
            mine = ours(table, 20)
            theirs = r_call(rscript, table, 20, "") if rscript else None
            r_ms = "-" if theirs is None else (f"{theirs['seconds'] * 1e3:.2f}" if theirs["p"] is not None else "error")
            ratio = "-" if theirs is None or theirs["p"] is None else f"{mine['seconds'] / theirs['seconds']:.2f}"
            print(f"   2 x {c:<2d} n = {n:<4d}    {mine['method']:>11s} {mine['seconds'] * 1e3:9.2f} {r_ms:>9s} {ratio:>6s}", flush=True)


#: The suite's runs timed by :func:`suite`: ``make test``'s (every test) and ``make test-fast``'s (the unit tests but the slow ones).
SUITE_RUNS = (
    ("make test", ["-n", "2", "--dist", "loadfile", "-q"]),
    (
        "make test-fast",
        ["tests/unit", "-n", "2", "--dist", "loadfile", "-m", "not slow", "-p", "no:nbval", "-o", "addopts=-p no:cacheprovider", "-q"],
    ),
)


def suite() -> None:
    print("\n4. The suite on two cores: make test (pytest -n 2 --dist loadfile) and make test-fast (tests/unit, not slow)")
    for name, args in SUITE_RUNS:
        start = time.perf_counter()
        before = os.times()
        run = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT, capture_output=True, text=True)
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr.strip()[-200:]
        print(f"   {name:15s} {time.perf_counter() - start:5.0f} s wall clock, {cpu:5.0f} s CPU: {last}", flush=True)


def main(argv: list[str]) -> None:
    shapes()
    cold_start("--fresh-clone" in argv)
    two_by_c()
    if "--no-suite" not in argv:
        suite()


if __name__ == "__main__":
    main(sys.argv[1:])
