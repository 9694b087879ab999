"""Timing of `make site` when nothing changed (a plain script, not a test): python benchmarks/bench_make_site.py

Issue 27's target: a second `make site` with nothing changed finishes in under 5 s. It runs each
step's own check, as `make site` does, in the real project: `process --changed`, `run-notebooks
--changed`, `lab-pages --changed` (each a new Python process, as make starts them) and `render
--changed` with a stand-in Quarto. Stamps go to a temporary folder ($ANALYSIS_STAMPS; the notebook
stamps are the project's own, .build/notebook-stamps), primed by a first run; the site is a
temporary stand-in _site (analysis.render.plan's site_dir), so the project's own _site/ is never
touched. Reports the best of three runs of the whole sequence, and of each step.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import best_of

from analysis.data.paths import PROJ_ROOT
from analysis.render import output_of, render_pages

PY = sys.executable


def step(args: list[str], env: dict) -> None:
    subprocess.run([PY, "-m", "analysis", *args], cwd=PROJ_ROOT, env=env, check=True, capture_output=True)


def render_check(env: dict, site: Path) -> None:
    code = f"from pathlib import Path; from analysis.render import plan; p = plan(site_dir=Path({str(site)!r})); assert not p.render_all and not p.pages, p"
    subprocess.run([PY, "-c", code], cwd=PROJ_ROOT, env=env, check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ANALYSIS_STAMPS": str(Path(tmp) / "stamps")}
        site = Path(tmp) / "_site"
        for page in render_pages():
            out = output_of(page, site)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text("stand-in\n", encoding="utf-8")
        steps = {
            "process --changed": lambda: step(["process", "--changed"], env),
            "run-notebooks --changed": lambda: step(["run-notebooks", "--changed"], env),
            "lab-pages --changed": lambda: step(["lab-pages", "--changed"], env),
        }
        for fn in steps.values():  # prime the stamps (the first run does the work)
            fn()
        code = (
            f"from pathlib import Path; from analysis import render, stamps; p = render.plan(site_dir=Path({str(site)!r})); "
            "[stamps.record(render.STEP, k, v) for k, v in p.digests.items()]; stamps.record(render.STEP, render.SITE_STAMP, p.site_wide)"
        )
        subprocess.run([PY, "-c", code], cwd=PROJ_ROOT, env=env, check=True)
        steps["render --changed (decision)"] = lambda: render_check(env, site)
        print(f"{'make site with nothing changed: step':<52} {'seconds':>8}")
        for name, fn in steps.items():
            print(f"{name:<52} {best_of(fn)[0]:8.2f}")
        total = best_of(lambda: [fn() for fn in steps.values()])[0]
        print(f"{'all steps (target: under 5 s)':<52} {total:8.2f}")


if __name__ == "__main__":
    main()
