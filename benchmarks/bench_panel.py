"""Timings for the national panel (a plain script, not a test): python benchmarks/bench_panel.py

Reports, each the best of three runs, in wall-clock seconds and in CPU seconds of this process (on a
shared machine the wall clock also counts other programs' turns; the CPU time does not) (issue 25, item 6):
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


def timed(fn) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call of ``fn``."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def whole_build(stages) -> tuple[float, float]:
    _forget()
    return timed(lambda: build_all(load_audit(RAW_DIR), stages))


def panel_alone(folder: Path, project=None) -> tuple[float, float]:
    def run():
        built = read_panel(folder, project=project)
        panel.panel_tables(built)
        national.funnel_tables(built)

    return timed(run)


def best(times: list[tuple[float, float]]) -> tuple[float, float]:
    return min(t[0] for t in times), min(t[1] for t in times)


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
    (w_with, c_with), (w_without, c_without) = best(with_times), best(without_times)
    print(f"whole Gwent build with the panel:    wall {w_with:7.2f} s, cpu {c_with:7.2f} s (best of 3)")
    print(f"whole Gwent build without the panel: wall {w_without:7.2f} s, cpu {c_without:7.2f} s (best of 3)")
    for what, ratio in (("wall", w_with / w_without), ("cpu", c_with / c_without)):
        print(f"ratio ({what}) {ratio:.2f} (target at most {RATIO_TARGET}): {'met' if ratio <= RATIO_TARGET else 'NOT met'}")

    gwent = load_audit(RAW_DIR)
    members = len(package_folders(RAW_DIR / "national")) + 1
    panel_alone(RAW_DIR / "national", gwent)  # warm
    wall, cpu = best([panel_alone(RAW_DIR / "national", gwent) for _ in range(3)])
    print(f"panel alone, {members} packages (warm): wall {wall:.2f} s, cpu {cpu:.2f} s (target under {PANEL_TARGET_S} s)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = padded(RAW_DIR / "national", PANEL_SIZE, Path(tmp))
        panel_alone(folder)
        wall, cpu = best([panel_alone(folder) for _ in range(3)])
    print(f"panel alone, {PANEL_SIZE} packages (warm): wall {wall:.2f} s, cpu {cpu:.2f} s (target under {PANEL_TARGET_S} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
