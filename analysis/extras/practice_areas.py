"""Gwent's practice areas (``practice_areas.csv``: code, report order, label, description): every area the figures name is one of them, and every one has figures."""

from __future__ import annotations

from analysis.data.audit_data import AuditData
from analysis.data.errors import AuditDataError
from analysis.extras.extension import Extension


def check(data: AuditData) -> None:
    """With ``practice_areas.csv``, every area the figures name is one of its areas, and every one of its areas has figures."""
    if "practice_areas" not in data.files:
        return
    named = {f.area for f in data.figures.figures if f.area}
    known = list(data.practice_areas["practice_area"])
    unknown = sorted(named - set(known))
    if unknown:
        rows = [f.row for f in data.figures.figures if f.area in unknown]
        raise AuditDataError(
            data.files["figures"],
            "practice area not in practice_areas.csv",
            row=rows,
            column="area",
            expected="one of " + ", ".join(known),
            found=repr(unknown[0]),
        )
    silent = [a for a in known if a not in named]
    if silent:
        raise AuditDataError(
            data.files["practice_areas"],
            f"practice area '{silent[0]}' has no figures",
            row=known.index(silent[0]) + 1,
            column="practice_area",
            expected=f"figures for every area in {data.files['figures']}",
            found="none",
        )


EXTENSION = Extension("practice_areas", ("practice_areas",), check=check)
