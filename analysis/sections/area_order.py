"""The practice areas weakest first, and which of them the multiplicity-adjusted tests single out, read off ``area_summary.csv``.

Table logic shared by the areas' tables (:mod:`analysis.sections.areas`) and their sentences
(:mod:`analysis.narrative.areas`): it imports neither, so the words can be called by the tables'
specs without an import circle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import choices
from analysis.narrative.style import as_text


def _worst_best(summary: pd.DataFrame) -> tuple[str, str]:
    """The slugs of the worst and the best grade, read off ``area_summary.csv``'s columns (grades best first)."""
    shares = [c[len("share_") :] for c in summary.columns if c.startswith("share_")]
    return shares[-1], shares[0]


def order_weakest_first(summary: pd.DataFrame) -> list[str]:
    """Area codes from weakest to strongest by :func:`analysis.narrative.areas.order_rule` (``summary`` as from :func:`analysis.sections.areas.area_summary`, report order)."""
    worst, best = _worst_best(summary)
    frame = summary.assign(_report=np.arange(len(summary)))
    frame = frame.sort_values([f"share_{worst}", f"share_{best}", "_report"], ascending=[False, True, True], kind="stable")
    return frame["area"].tolist()


def ranked(summary: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """``area_summary.csv`` rows weakest first (:func:`analysis.narrative.areas.order_rule`), with each area's ``label``."""
    worst, best = _worst_best(summary)
    frame = summary.assign(label=summary["area"].map(labels), _report=np.arange(len(summary)))
    frame = frame.sort_values([f"share_{worst}", f"share_{best}", "_report"], ascending=[False, True, True], kind="stable")
    return frame.drop(columns="_report").reset_index(drop=True)


def holm_columns(summary: pd.DataFrame) -> list[str]:
    """The Holm-adjusted p-value columns of ``area_summary.csv``: one per grade of the family of area-against-rest tests."""
    return [c for c in summary.columns if c.startswith("vs_rest_p_holm_")]


def smallest_adjusted(summary: pd.DataFrame) -> float:
    """The smallest Holm-adjusted p-value over every area-against-rest test of the family (both grades)."""
    return float(summary[holm_columns(summary)].min().min())


def shown_areas(summary: pd.DataFrame, labels: dict[str, str], alpha: float = choices.ALPHA) -> list[str]:
    """The areas with any Holm-adjusted p-value below ``alpha`` (ordered weakest first), by label (Markdown: names as text)."""
    r = ranked(summary, {area: as_text(label) for area, label in labels.items()})
    return list(r.loc[(r[holm_columns(summary)] < alpha).any(axis=1), "label"])
