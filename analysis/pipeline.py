"""The processing pipeline: load and validate the raw data, build every processed table, write them atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.load import AuditData, load_audit
from analysis.data.paths import PROCESSED_DIR, RAW_DIR
from analysis.data.publish import Stage, write_tables
from analysis.sections import areas, audit, coverage, national, self_assessment

#: Every stage of the pipeline, in order. A stage's tables are listed in its specs.
STAGES: tuple[Stage, ...] = (audit.STAGE, self_assessment.STAGE, areas.STAGE, coverage.STAGE, national.STAGE)


def stage(name: str) -> Stage:
    """The pipeline stage called ``name``."""
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(f"no pipeline stage named {name!r}; stages: {', '.join(s.name for s in STAGES)}")


def build(data: AuditData, raw_dir: str | Path = RAW_DIR, stages: tuple[Stage, ...] = STAGES) -> dict[str, pd.DataFrame]:
    """Build the processed tables of ``stages`` from loaded data, in memory."""
    tables: dict[str, pd.DataFrame] = {}
    for s in stages:
        built = s.build(data, Path(raw_dir))
        expected = {t.path for t in s.tables}
        if set(built) != expected:
            raise ValueError(f"stage {s.name!r} built {sorted(built)}, its specs list {sorted(expected)}")
        tables.update(built)
    return tables


def write_stage(name: str, data: AuditData, raw_dir: str | Path = RAW_DIR, out_dir: str | Path = PROCESSED_DIR) -> dict[str, pd.DataFrame]:
    """Build and write one stage's tables (as the notebooks do); return the tables."""
    s = stage(name)
    tables = build(data, raw_dir, (s,))
    write_tables(tables, {t.path: t for t in s.tables}, out_dir)
    return tables


def process(raw_dir: str | Path = RAW_DIR, out_dir: str | Path = PROCESSED_DIR) -> list[Path]:
    """Validate the raw files in ``raw_dir`` and write every processed table into ``out_dir``.

    Everything is validated and computed before anything is written; on bad input an
    :class:`analysis.data.errors.AuditDataError` is raised and ``out_dir`` is left untouched.
    """
    data = load_audit(raw_dir)
    tables = build(data, raw_dir)
    specs = {t.path: t for s in STAGES for t in s.tables}
    return write_tables(tables, specs, out_dir)
