"""The whole data path in one place: load and validate an audit package, build each section's tables in memory, publish the set.

``python -m analysis process`` calls :func:`process`; it is the only code that writes a processed
set. Notebooks and the site call :func:`build_stage` (in memory) or read the published files.
Each section writes the tables its figures support and says, in ``contents.csv``, why it leaves
out the others.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from analysis.data import provenance
from analysis.data.errors import PublishError
from analysis.data.load import AuditData, load_audit
from analysis.data.paths import PROCESSED_DIR, RAW_DIR, display_path
from analysis.data.publish import Progress, Stage, TableSpec, check_out, package_header, publish, serialise
from analysis.log import step
from analysis.sections import areas, audit, contents, coverage, national, self_assessment
from analysis.sections import panel as panel_section
from analysis.stats.budget import OverBudget
from analysis.wall import wall

#: Every stage of the pipeline, in order. A stage's tables are listed in its specs.
STAGES: tuple[Stage, ...] = (audit.STAGE, self_assessment.STAGE, areas.STAGE, coverage.STAGE, panel_section.STAGE, national.STAGE)


def stage(name: str) -> Stage:
    """The pipeline stage called ``name``."""
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(f"no pipeline stage named {name!r}; stages: {', '.join(s.name for s in STAGES)}")


def specs(data: AuditData, stages: tuple[Stage, ...] = STAGES) -> dict[str, TableSpec]:
    """Every table spec of ``stages`` for this audit (columns can depend on its grade scale), by file name."""
    return {t.path: t for s in stages for t in s.specs(data)}


def build_all(data: AuditData, stages: tuple[Stage, ...] = STAGES) -> tuple[dict[str, pd.DataFrame], dict[str, tuple[str, str]]]:
    """Build ``stages`` in memory: the tables the figures support, and for each other table ``(stage, reason)``.

    A step whose counted cost passes its budget (:class:`analysis.stats.budget.OverBudget`) and that
    its section does not handle itself leaves that stage's tables out, each with the reason.
    """
    tables: dict[str, pd.DataFrame] = {}
    absent: dict[str, tuple[str, str]] = {}
    for s in stages:
        expected = {t.path for t in s.specs(data)}
        with step(s.name):
            try:
                built = s.build(data)
            except OverBudget as err:
                built = dict.fromkeys(
                    expected, f"Left out because {err}: the work is counted before it starts, and this would take too long."
                )
        if set(built) != expected:
            raise ValueError(f"stage {s.name!r} built {sorted(built)}, its specs list {sorted(expected)}")
        for name, value in built.items():
            if isinstance(value, str):
                absent[name] = (s.name, value)
            else:
                tables[name] = value
    return tables, absent


def build(data: AuditData, stages: tuple[Stage, ...] = STAGES) -> dict[str, pd.DataFrame]:
    """The processed tables of ``stages`` that the figures support, in memory (nothing is written)."""
    return build_all(data, stages)[0]


def build_stage(name: str, data: AuditData) -> dict[str, pd.DataFrame]:
    """Build one stage's tables in memory, as the notebooks do: the same tables ``process`` publishes, nothing written."""
    return build(data, (stage(name),))


def absent_tables(name: str, data: AuditData) -> dict[str, str]:
    """The tables of stage ``name`` that this audit's figures cannot support, each with the sentence saying why."""
    return {table: reason for table, (_, reason) in build_all(data, (stage(name),))[1].items()}


def check_folders(raw_dir: str | Path, out_dir: str | Path) -> None:
    """Refuse an output folder equal to, inside, or containing the raw folder (before anything is read or written)."""
    raw, out = Path(os.path.realpath(raw_dir)), Path(os.path.realpath(out_dir))
    if out == raw or raw in out.parents or out in raw.parents:
        relation = "is" if out == raw else ("is inside" if raw in out.parents else "contains")
        raise PublishError(
            f"{display_path(out_dir)}: the output folder {relation} the raw folder {display_path(raw_dir)}; "
            "publishing there would replace raw data, so choose another --out"
        )


def payload(data: AuditData) -> dict[str, bytes]:
    """The bytes of the whole processed set for ``data``: every supported table, ``contents.csv`` and ``datapackage.json``.

    The descriptor says where the figures come from (:func:`analysis.data.provenance.header`: ``sources``
    and ``x_audit``), so that the pages read it from the set and never load the raw package.
    """
    tables, absent = build_all(data)
    with step("contents and bytes"):
        all_specs = specs(data)
        tables[contents.PATH] = contents.contents_table(STAGES, data, tables, absent)
        chosen = {name: all_specs[name] for name in tables if name in all_specs}
        chosen[contents.PATH] = contents.SPEC
        return serialise(tables, chosen, data.grades, {**package_header(data.descriptor), **provenance.header(data)})


def process(
    raw_dir: str | Path = RAW_DIR,
    out_dir: str | Path = PROCESSED_DIR,
    progress: Progress | None = None,
    *,
    max_seconds: float | None = None,
) -> tuple[list[str], bool]:
    """Validate every file of the audit package in ``raw_dir``, build every table it supports, and publish the set into ``out_dir``.

    Everything is validated and computed in memory first; then :func:`analysis.data.publish.publish`
    replaces the set as a whole (recording the swap in ``progress``, if given, so that an interrupted
    run can say which set is in place). Returns the file names of the set and whether anything changed.
    Raises :class:`analysis.data.errors.AuditDataError` on bad input and
    :class:`analysis.data.errors.PublishError` when the set cannot be written; either way the
    previous set is left as it was. With ``max_seconds``, loading and building stop with
    :class:`analysis.wall.TimeLimitExceeded` (naming the stage) once they have run that long, before
    anything is published.
    """
    check_folders(raw_dir, out_dir)
    check_out(out_dir)
    with wall(max_seconds):
        with step("load"):
            data = load_audit(raw_dir)
        files = payload(data)
    with step("publish"):
        changed = publish(files, out_dir, progress)
    return sorted(files), changed


def panel_payload(packages_dir: str | Path) -> dict[str, bytes]:
    """The bytes of a panel's processed set: the panel tables of every package under ``packages_dir`` and ``datapackage.json``."""
    from analysis.data.panel import read_panel

    panel = read_panel(packages_dir)
    tables = panel_section.panel_tables(panel)
    tables.update({name: t for name, t in national.funnel_tables(panel).items() if not isinstance(t, str)})
    chosen = {spec.path: spec for spec in (*panel_section.SPECS, *national.funnel_specs()) if spec.path in tables}
    header = {
        "name": "national-panel-processed",
        "title": "A national panel of case-file audits",
        "description": "Tables written by `python -m analysis panel` from a folder of audit packages (one subfolder each). "
        "Do not edit by hand: delete and rebuild.",
        "licenses": [{"name": "other", "title": licence} for licence in sorted({m.meta.licence for m in panel.members})],
    }
    return serialise(tables, chosen, (), header)


def build_panel(
    packages_dir: str | Path, out_dir: str | Path, progress: Progress | None = None, *, max_seconds: float | None = None
) -> tuple[list[str], bool]:
    """Read every package under ``packages_dir`` through the gate in, build the panel tables and publish them as one set into ``out_dir``.

    Raises :class:`analysis.data.errors.AuditDataError` at the first structural fault of any
    package (nothing is written) and :class:`analysis.data.errors.PublishError` when the set cannot
    be written; the previous set is then left as it was.
    """
    check_folders(packages_dir, out_dir)
    check_out(out_dir)
    with wall(max_seconds), step("panel"):
        files = panel_payload(packages_dir)
    with step("publish"):
        changed = publish(files, out_dir, progress)
    return sorted(files), changed
