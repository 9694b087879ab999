"""One validated audit package in memory: :class:`AuditData` (meta, figures, cases, extras), built by :func:`analysis.data.load.load_audit`.

The core every package shares: what the audit is, its figures and the consistent set they define,
the optional case-level file, what the figures pin (sizes, counts, ranges, areas), and the report's
identities recomputed from them (:func:`identity_table`, a backtest). Gwent's
further tables are the package's ``extras``, each read and checked by its extension
(:mod:`analysis.extras`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from analysis.data.audit_package import AuditMeta, FigureSet
from analysis.grades import grade_dtype

#: The graded samples in the order tables list them, and the graders (``hmicfrs`` is the name the
#: processed tables use for the inspectorate).
SAMPLES = ("force_selected", "inspectorate_selected")
ASSESSORS = ("force", "hmicfrs")


def _typed(frame: pd.DataFrame, dtype, grade_cols=("grade",), categories: dict | None = None) -> pd.DataFrame:
    out = frame.copy()
    for col in grade_cols:
        out[col] = out[col].astype(dtype)
    for col, cats in (categories or {}).items():
        out[col] = pd.Categorical(out[col], categories=list(cats))
    return out


@dataclass(frozen=True)
class AuditData:
    """One validated audit package: what the audit is, its figures, its case-level file if any, and its extras.

    ``meta`` is ``audit.json`` (:class:`~analysis.data.audit_package.AuditMeta`: id, force, title,
    the grade scale best first, sources, licence); ``figures`` the checked figures of
    ``figures.csv`` and their integer system (every count vector and pairing consistent with
    them, :class:`~analysis.data.audit_package.FigureSet`); ``cases`` the case-level file
    (``cases.csv``) when the package has one, else ``None``; ``extras`` every further resource the
    package holds, by resource name, as its extension (:mod:`analysis.extras`) shaped it (Gwent's
    ``practice_areas``, ``published_totals``, ``recommendations`` and ``recommendation_areas``,
    ``source`` (one record), ``area_themes`` and the four ``coverage_*``
    tables); :meth:`extra` gives one or ``None``. ``descriptor`` is the package's
    ``datapackage.json``; ``files`` maps each resource to the file name used in messages.
    """

    meta: AuditMeta
    figures: FigureSet
    cases: pd.DataFrame | None
    extras: Mapping[str, Any]
    descriptor: dict[str, Any] = field(repr=False)
    files: dict[str, str] = field(repr=False)

    def extra(self, name: str) -> Any | None:
        """The further resource ``name`` as its extension shaped it (a table, or the ``source`` record), or ``None`` when absent."""
        return self.extras.get(name)

    @cached_property
    def practice_areas(self) -> pd.DataFrame:
        """The practice areas (``practice_area, report_order, label, description``): ``practice_areas.csv``, else each area of the figures as published."""
        areas = self.extras.get("practice_areas")
        return areas if areas is not None else derived_areas(self.figures)

    @property
    def known_table(self) -> np.ndarray | None:
        """The force x inspectors table of the force-selected cases when a case-level file gives it (``cases.csv``), else ``None``."""
        return self.figures.system.known

    # ------------------------------------------------------------------ the scale

    @property
    def grades(self) -> tuple[str, ...]:
        """The grade scale, best first (from ``audit.json``)."""
        return self.meta.grades

    @property
    def grade_dtype(self) -> pd.CategoricalDtype:
        """Ordered categorical of the scale, worst to best, so that ``a > b`` means "a is the better grade"."""
        return grade_dtype(self.grades)

    # ------------------------------------------------------------------ what the figures pin

    def has(self, sample: str, rater: str, area: str = "") -> bool:
        """Whether the figures give (or imply) the group ``(sample, rater, area)``."""
        return (sample, rater, area) in self.figures.groups

    def size(self, sample: str, rater: str = "inspectorate", area: str = "") -> int:
        """Number of cases of a group (its ``of``)."""
        return int(self.figures.groups[(sample, rater, area)])

    def counts(self, sample: str, rater: str, area: str = "") -> np.ndarray | None:
        """The group's count per grade (best first) when the figures fix every one, else ``None`` (also for an absent group)."""
        return self._pinned.get((sample, rater, area))

    def count_ranges(self, sample: str, rater: str, area: str = "") -> np.ndarray:
        """``(k, 2)``: for each grade, the fewest and most cases of the group over everything consistent with the figures."""
        return self._ranges[(sample, rater, area)]

    def areas(self, sample: str = "all", rater: str = "inspectorate") -> list[str]:
        """The practice areas the figures give for a sample and rater, in the order of ``practice_areas``."""
        present = {g[2] for g in self.figures.groups if g[:2] == (sample, rater) and g[2]}
        return [a for a in self.practice_areas["practice_area"] if a in present]

    @cached_property
    def _ranges(self) -> dict[tuple, np.ndarray]:
        return {g: self.figures.system.grade_ranges(g) for g in self.figures.groups}

    @cached_property
    def _pinned(self) -> dict[tuple, np.ndarray]:
        return {g: r[:, 0].copy() for g, r in self._ranges.items() if (r[:, 0] == r[:, 1]).all()}

    # ------------------------------------------------------------------ Gwent-shaped views of pinned figures

    @cached_property
    def case_samples(self) -> pd.DataFrame | None:
        """Cases per grade of each graded sample (``sample, assessor, grade, n``), when the figures pin all three; else ``None``."""
        groups = [("force_selected", "force"), ("force_selected", "inspectorate"), ("inspectorate_selected", "inspectorate")]
        if any(self.counts(s, r) is None for s, r in groups):
            return None
        records = [
            (s, "hmicfrs" if r == "inspectorate" else r, g, int(n))
            for s, r in groups
            for g, n in zip(self.grades, self.counts(s, r), strict=True)
        ]
        frame = pd.DataFrame(records, columns=["sample", "assessor", "grade", "n"])
        return _typed(frame, self.grade_dtype, categories={"sample": SAMPLES, "assessor": ASSESSORS})

    @cached_property
    def area_grades(self) -> pd.DataFrame | None:
        """The inspectors' cases per grade in each practice area, all cases (``practice_area, grade, n``), when pinned; else ``None``."""
        areas = self.areas()
        if not areas or any(self.counts("all", "inspectorate", a) is None for a in areas):
            return None
        records = [(a, g, int(n)) for a in areas for g, n in zip(self.grades, self.counts("all", "inspectorate", a), strict=True)]
        return _typed(pd.DataFrame(records, columns=["practice_area", "grade", "n"]), self.grade_dtype)

    def total(self, quantity: str) -> int:
        """A total the audit publishes: a sample size (``cases_all``, ``cases_force_selected``, ``cases_inspectorate_selected``), else from ``published_totals``."""
        sizes = {"cases_all": "all", "cases_force_selected": "force_selected", "cases_inspectorate_selected": "inspectorate_selected"}
        if quantity in sizes:
            return self.size(sizes[quantity])
        totals = self.extras.get("published_totals")
        if totals is None:
            raise KeyError(f"this audit package publishes no total {quantity!r}")
        return int(totals.set_index("quantity").loc[quantity, "value"])

    @property
    def source_line(self) -> str:
        """Where the figures come from, in one line (the "Source:" line of every chart): the report, else ``audit.json``'s sources."""
        from analysis.narrative.style import source_line

        return source_line(self.extras.get("source"), self.meta)

    def field_enum(self, resource: str, name: str) -> tuple[str, ...]:
        """The allowed values the data package gives for field ``name`` of ``resource`` (e.g. the 43 forces)."""
        res = next(r for r in self.descriptor["resources"] if r["name"] == resource)
        fld = next(f for f in res["schema"]["fields"] if f["name"] == name)
        return tuple(fld.get("constraints", {}).get("enum", ()))


def derived_areas(figure_set: FigureSet) -> pd.DataFrame:
    """Practice areas of a package without ``practice_areas.csv``: each area as published, in order of first appearance."""
    seen: list[str] = []
    for f in figure_set.figures:
        if f.area and f.area not in seen:
            seen.append(f.area)
    return pd.DataFrame(
        {
            "practice_area": pd.Series(seen, dtype=object),
            "report_order": pd.Series(range(1, len(seen) + 1), dtype="int64"),
            "label": pd.Series(seen, dtype=object),
            "description": pd.Series([""] * len(seen), dtype=object),
        }
    )


def identity_table(data: AuditData) -> pd.DataFrame:
    """The figures' identities recomputed (a backtest), one row per identity.

    Columns: ``identity`` (in words), ``computed`` (the sum of the detailed figures), ``published``
    (the size or total the figures are out of) and ``holds``: each group's counts add up to its
    number of cases; the groups that make up another (the two samples, the practice areas) add up
    to it, grade by grade. Only groups whose counts the figures fix are summed.
    :func:`analysis.data.audit_package.build_figure_set` has already refused figures where any
    identity fails; this table shows the reader that they hold.
    """
    names = {
        ("force_selected", "force"): "the force's grades of the force-selected cases",
        ("force_selected", "inspectorate"): "the inspectors' grades of the force-selected cases",
        ("inspectorate_selected", "inspectorate"): "the inspectors' grades of the inspectorate-selected cases",
        ("all", "inspectorate"): "the inspectors' grades of all cases",
    }
    rows = []
    for (sample, rater), words in names.items():
        counts = data.counts(sample, rater)
        if counts is not None and (sample, rater, "") not in data.figures.implied:
            rows.append((f"sum of {words}", int(counts.sum()), data.size(sample, rater)))
    system = data.figures.system
    for whole, parts in system.links:
        if data.counts(*whole) is None or any(data.counts(*p) is None for p in parts):
            continue
        if whole[2] == "" and all(p[2] for p in parts):
            what = "summed over the practice areas"
        elif whole[0] == "all":
            what = "summed over the two samples"
            if whole[2]:
                what += f" in area {whole[2]}"
        else:
            continue
        rows.append((f"cases {what}", int(sum(data.size(*p) for p in parts)), data.size(*whole)))
        for i, grade in enumerate(data.grades):
            rows.append((f"'{grade}' {what}", int(sum(data.counts(*p)[i] for p in parts)), int(data.counts(*whole)[i])))
    frame = pd.DataFrame(rows, columns=["identity", "computed", "published"])
    frame["holds"] = frame["computed"] == frame["published"]
    return frame
