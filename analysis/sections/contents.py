"""What a processed set holds, and what it leaves out and why: ``contents.csv``, one row per table a section can write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.narrative.audit import unknown_sizes_note

PATH = "contents.csv"

SPEC = TableSpec(
    PATH,
    "What this processed set holds, and what it leaves out",
    "One row per table the analysis can write: whether this audit's published figures support it, and if not, why. "
    "An audit that publishes fewer figures (percentages only, an overall split only, no self-assessment) gets fewer tables.",
    {
        "section": "The part of the analysis (the pipeline stage) that writes the table.",
        "table": "File name of the table.",
        "published": "yes if the table is in this set, no if the figures cannot support it.",
        "reason": "Why the table is left out (empty when it is published).",
    },
)


def contents_table(
    stages: Sequence[Stage], data: AuditData, tables: Mapping[str, pd.DataFrame], absent: Mapping[str, tuple[str, str]]
) -> pd.DataFrame:
    """One row per table of every stage, in pipeline order: published or not, and why not."""
    unknown = [s for s in ("force_selected", "inspectorate_selected", "all") if s in data.meta.n_unknown]
    counts_note = unknown_sizes_note(unknown)
    rows = []
    for s in stages:
        for spec in s.specs(data):
            if spec.path in tables:
                rows.append((s.name, spec.path, "yes", ""))
            else:
                rows.append((s.name, spec.path, "no", absent[spec.path][1] + counts_note))
    return pd.DataFrame(rows, columns=list(SPEC.columns))
