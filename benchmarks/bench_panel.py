"""Timings for the national panel (a plain script, not a test): python benchmarks/bench_panel.py

Reports, each the best of three runs (issue 25, item 6):
- the whole Gwent build (load data/raw, then build every stage's tables in memory, as ``process``
  does before publishing) with the panel and its funnels, and without those two stages, run side by
  side in turns in one process; target: with the panel within 1.5x of without;
- the panel alone, warm (imports done, compiled loops cached; each run reads every package again):
  every package under data/raw/national plus Gwent's, and the same panel padded to 40 packages with
  renamed copies in a temporary folder; target: under 5 s.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from analysis.data.load import load_audit
from analysis.data.package import update_hashes
from analysis.data.panel import package_folders, read_panel
from analysis.data.paths import RAW_DIR
from analysis.pipeline import STAGES, build_all
from analysis.sections import national, panel

RATIO_TARGET, PANEL_TARGET_S, PANEL_SIZE = 1.5, 5.0, 40


def _forget() -> None:
    """Drop the panel the stages share within one build, so every run reads the packages again."""
    panel._LAST.clear()


def whole_build(stages) -> float:
    _forget()
    start = time.perf_counter()
    build_all(load_audit(RAW_DIR), stages)
    return time.perf_counter() - start


def panel_alone(folder: Path, project=None) -> float:
    start = time.perf_counter()
    built = read_panel(folder, project=project)
    panel.panel_tables(built)
    national.funnel_tables(built)
    return time.perf_counter() - start


def padded(folder: Path, size: int, into: Path) -> Path:
    """``folder``'s packages copied into ``into``, with renamed copies of the first ones until there are ``size``."""
    names = [p.name for p in package_folders(folder)]
    for name in names:
        shutil.copytree(folder / name, into / name)
    for i in range(size - len(names)):
        source = names[i % len(names)]
        copy = into / f"{source}-copy{i + 1}"
        shutil.copytree(folder / source, copy)
        meta = json.loads((copy / "audit.json").read_text(encoding="utf-8"))
        meta["id"] = copy.name
        (copy / "audit.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        update_hashes(copy)
    return into


def main() -> int:
    without = tuple(s for s in STAGES if s.name not in ("panel", "national"))
    whole_build(STAGES)  # warm: imports, compiled loops
    with_times, without_times = [], []
    for _ in range(3):
        with_times.append(whole_build(STAGES))
        without_times.append(whole_build(without))
    best_with, best_without = min(with_times), min(without_times)
    ratio = best_with / best_without
    print(f"whole Gwent build with the panel:    {best_with:7.2f} s (best of 3; runs {', '.join(f'{t:.2f}' for t in with_times)})")
    print(f"whole Gwent build without the panel: {best_without:7.2f} s (best of 3; runs {', '.join(f'{t:.2f}' for t in without_times)})")
    print(f"ratio {ratio:.2f} (target at most {RATIO_TARGET}): {'met' if ratio <= RATIO_TARGET else 'NOT met'}")

    gwent = load_audit(RAW_DIR)
    members = len(package_folders(RAW_DIR / "national")) + 1
    panel_alone(RAW_DIR / "national", gwent)  # warm
    best = min(panel_alone(RAW_DIR / "national", gwent) for _ in range(3))
    print(
        f"panel alone, {members} packages (warm): {best:.2f} s (target under {PANEL_TARGET_S} s): {'met' if best < PANEL_TARGET_S else 'NOT met'}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = padded(RAW_DIR / "national", PANEL_SIZE, Path(tmp))
        panel_alone(folder)
        best40 = min(panel_alone(folder) for _ in range(3))
    print(
        f"panel alone, {PANEL_SIZE} packages (warm): {best40:.2f} s (target under {PANEL_TARGET_S} s): {'met' if best40 < PANEL_TARGET_S else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
