"""The whole data path in one place: load and validate every raw file, build each section's tables in memory, publish the set.

``python -m analysis process`` calls :func:`process`; it is the only code that writes
``data/processed/``. Notebooks and the site call :func:`build_stage` (in memory) or read the
published files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from analysis.data.errors import PublishError
from analysis.data.load import AuditData, load_audit
from analysis.data.paths import PROCESSED_DIR, RAW_DIR, display_path
from analysis.data.publish import Progress, Stage, check_out, publish, serialise
from analysis.sections import areas, audit, coverage, national, self_assessment

#: Every stage of the pipeline, in order. A stage's tables are listed in its specs.
STAGES: tuple[Stage, ...] = (audit.STAGE, self_assessment.STAGE, areas.STAGE, coverage.STAGE, national.STAGE)


def stage(name: str) -> Stage:
    """The pipeline stage called ``name``."""
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(f"no pipeline stage named {name!r}; stages: {', '.join(s.name for s in STAGES)}")


def build(data: AuditData, stages: tuple[Stage, ...] = STAGES) -> dict[str, pd.DataFrame]:
    """Build the processed tables of ``stages`` from validated data, in memory (nothing is written)."""
    tables: dict[str, pd.DataFrame] = {}
    for s in stages:
        built = s.build(data)
        expected = {t.path for t in s.tables}
        if set(built) != expected:
            raise ValueError(f"stage {s.name!r} built {sorted(built)}, its specs list {sorted(expected)}")
        tables.update(built)
    return tables


def build_stage(name: str, data: AuditData) -> dict[str, pd.DataFrame]:
    """Build one stage's tables in memory, as the notebooks do: the same tables ``process`` publishes, nothing written."""
    return build(data, (stage(name),))


def check_folders(raw_dir: str | Path, out_dir: str | Path) -> None:
    """Refuse an output folder equal to, inside, or containing the raw folder (before anything is read or written)."""
    raw, out = Path(os.path.realpath(raw_dir)), Path(os.path.realpath(out_dir))
    if out == raw or raw in out.parents or out in raw.parents:
        relation = "is" if out == raw else ("is inside" if raw in out.parents else "contains")
        raise PublishError(
            f"{display_path(out_dir)}: the output folder {relation} the raw folder {display_path(raw_dir)}; "
            "publishing there would replace raw data, so choose another --out"
        )


def process(raw_dir: str | Path = RAW_DIR, out_dir: str | Path = PROCESSED_DIR, progress: Progress | None = None) -> tuple[list[str], bool]:
    """Validate every raw file in ``raw_dir``, build every table, and publish the whole set into ``out_dir``.

    Everything is validated and computed in memory first; then :func:`analysis.data.publish.publish`
    replaces the set as a whole (recording the swap in ``progress``, if given, so that an interrupted
    run can say which set is in place). Returns the file names of the set and whether anything changed.
    Raises :class:`analysis.data.errors.AuditDataError` on bad input and
    :class:`analysis.data.errors.PublishError` when the set cannot be written; either way the
    previous set is left as it was.
    """
    check_folders(raw_dir, out_dir)
    check_out(out_dir)
    data = load_audit(raw_dir)
    tables = build(data)
    payload = serialise(tables, {t.path: t for s in STAGES for t in s.tables})
    changed = publish(payload, out_dir, progress)
    return sorted(payload), changed
