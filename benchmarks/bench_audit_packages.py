"""Timings for whole audit packages (a plain script, not a test): python benchmarks/bench_audit_packages.py

Issue 16's targets: the Gwent build no slower than before audit packages; any package's figures
turned into exact count ranges quickly. Reports, each the best of three runs:

- Gwent's package: load and validate (``load_audit``) and build every table in memory
  (``analysis.pipeline.payload``), as ``python -m analysis process`` does before writing;
- each made-up fixture package of ``tests/fixtures/packages`` (labelled as made up there);
- the integer programme on made-up figures of four and five grades and up to 1,000 cases: exact
  counts, rounded percentages and bounds, the range of every count (``grade_ranges``) and every
  possible total of a group (``vectors``).

Compare the Gwent line with the same script's first line run on the commit before audit packages
(``git worktree add /tmp/before 2a7ad26``; there ``analysis.pipeline.build(load_audit())``).
"""

from __future__ import annotations

from pathlib import Path

from timing import best_of

from analysis.data.load import load_audit
from analysis.pipeline import payload
from analysis.stats.consistent_set import CountSystem, Row

PACKAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "packages"


def seconds(fn) -> float:
    """Smallest wall-clock time of three runs of ``fn``."""
    return best_of(fn)[0]


def main() -> None:
    print(f"{'what':<62} {'seconds':>8}")
    print(f"{'Gwent: load_audit()':<62} {seconds(load_audit):8.3f}")
    print(f"{'Gwent: load_audit() and every table in memory (payload)':<62} {seconds(lambda: payload(load_audit())):8.3f}")
    for folder in sorted(p for p in PACKAGES.iterdir() if p.is_dir() and p.name != "sums_do_not_close"):
        print(f"{'fixture ' + folder.name + ': load and every table':<62} {seconds(lambda f=folder: payload(load_audit(f))):8.3f}")
    for k in (4, 5):
        for n in (100, 1000):
            exact = CountSystem(k, {"a": n}, [Row("a", (i,), n // k, n // k, i) for i in range(k - 1)])
            print(f"{f'k = {k}, n = {n}: exact counts, every grade range':<62} {seconds(lambda s=exact: s.grade_ranges('a')):8.3f}")
            open_ = CountSystem(
                k,
                {"a": n, "b": n},
                [
                    Row("a", (0,), n // 5, n // 5 + n // 50, 1),
                    Row("a", tuple(range(1, k)), n - n // 5 - n // 50, n),
                    Row("b", (k - 1,), n // 3, n),
                ],
            )
            print(
                f"{f'k = {k}, n = {n}: percentages and bounds, every grade range':<62} {seconds(lambda s=open_: s.grade_ranges('b')):8.3f}"
            )


if __name__ == "__main__":
    main()
