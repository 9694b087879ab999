"""The report's own identities, checked across the raw tables (sample sizes, grade totals, completeness)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.data.errors import AuditDataError
from analysis.data.paths import display_path
from analysis.grades import GRADE_SLUGS, GRADES

if TYPE_CHECKING:
    from analysis.data.load import AuditData

#: The graded samples the report publishes: (sample, assessor) -> published total of cases.
GRADED_SAMPLES = {
    ("force_selected", "force"): "cases_force_selected",
    ("force_selected", "hmicfrs"): "cases_force_selected",
    ("inspectorate_selected", "hmicfrs"): "cases_inspectorate_selected",
}


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) + 1 for i in mask.index[mask]]


def _check_grid(frame: pd.DataFrame, keys: list[str], expected_groups: list[tuple], file: str) -> None:
    """Every expected group has exactly one row per grade, and no other group appears."""
    groups = frame.groupby(keys, observed=True, sort=False)
    expected = set(expected_groups)
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key, strict=True))
        if key not in expected:
            raise AuditDataError(
                file,
                f"group {label} is not one the report publishes",
                row=_rows(pd.Series(True, index=part.index).reindex(frame.index, fill_value=False)),
                column=", ".join(keys),
                expected="one of " + "; ".join(", ".join(map(str, g)) for g in expected_groups),
                found=label,
            )
        present = set(part["grade"].astype(str))
        missing = [g for g in GRADES if g not in present]
        if missing:
            raise AuditDataError(
                file,
                f"group {label} has no row for grade '{missing[0]}'",
                column="grade",
                expected="one row for each of " + ", ".join(GRADES) + " (use n = 0 for none)",
                found=", ".join(sorted(present, key=GRADES.index)),
            )
    seen = {k if isinstance(k, tuple) else (k,) for k, _ in groups}
    for key in expected_groups:
        if key not in seen:
            label = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key, strict=True))
            raise AuditDataError(file, f"no rows for {label}", expected="one row for each grade", found="none")


def validate_audit(data: AuditData, raw_dir: str | Path) -> None:
    """Check the identities that tie the raw tables to each other and to the report's printed totals.

    - each graded sample has a row for every grade, and no unpublished sample/assessor pair appears;
    - each graded sample adds up to its published size (force 27+6+0 and HMICFRS 10+17+6 to the
      33 force-selected cases; HMICFRS 10+20+17 to the 47 further cases);
    - the two samples add up to the published number of cases (33 + 47 = 80);
    - every practice area has a row for every grade, and the areas add up to all cases and, grade
      by grade, to the report's totals (20/37/23), which must equal the two samples' HMICFRS
      grades added together;
    - every recommendation concerns at least one practice area.

    Raises :class:`AuditDataError` naming the file, rows, column, what was expected and found.
    """
    raw_dir = Path(raw_dir)
    cs_file = display_path(raw_dir / "case_samples.csv")
    ag_file = display_path(raw_dir / "area_grades.csv")
    pt_file = display_path(raw_dir / "published_totals.csv")
    ra_file = display_path(raw_dir / "recommendation_areas.csv")

    totals = data.published_totals.set_index("quantity")["value"]
    for needed in ["cases_all", *(f"cases_all_{GRADE_SLUGS[g]}" for g in GRADES), *set(GRADED_SAMPLES.values())]:
        if needed not in totals.index:
            raise AuditDataError(pt_file, f"no row for quantity '{needed}'", column="quantity", expected=f"a row '{needed}'", found="none")

    cs = data.case_samples
    _check_grid(cs, ["sample", "assessor"], list(GRADED_SAMPLES), cs_file)
    for (sample, assessor), quantity in GRADED_SAMPLES.items():
        mask = (cs["sample"] == sample) & (cs["assessor"] == assessor)
        found = int(cs.loc[mask, "n"].sum())
        if found != totals[quantity]:
            raise AuditDataError(
                cs_file,
                f"grades of sample '{sample}' by assessor '{assessor}' do not add up to the published sample size",
                row=_rows(mask),
                column="n",
                expected=f"a total of {totals[quantity]} ({quantity} in published_totals.csv)",
                found=f"{found}",
            )

    n_samples = int(totals["cases_force_selected"] + totals["cases_inspectorate_selected"])
    if n_samples != totals["cases_all"]:
        raise AuditDataError(
            pt_file,
            "the two samples do not add up to all cases",
            column="value",
            expected=f"cases_force_selected + cases_inspectorate_selected = cases_all ({totals['cases_all']})",
            found=f"{n_samples}",
        )

    ag = data.area_grades
    _check_grid(ag, ["practice_area"], [(a,) for a in data.practice_areas["practice_area"]], ag_file)
    if int(ag["n"].sum()) != totals["cases_all"]:
        raise AuditDataError(
            ag_file,
            "the practice areas do not add up to all cases",
            column="n",
            expected=f"a total of {totals['cases_all']} (cases_all in published_totals.csv)",
            found=f"{int(ag['n'].sum())}",
        )
    hmicfrs = cs[cs["assessor"] == "hmicfrs"]
    for grade in GRADES:
        quantity = f"cases_all_{GRADE_SLUGS[grade]}"
        mask = ag["grade"] == grade
        by_area = int(ag.loc[mask, "n"].sum())
        by_sample = int(hmicfrs.loc[hmicfrs["grade"] == grade, "n"].sum())
        if by_sample != totals[quantity]:
            raise AuditDataError(
                cs_file,
                f"HMICFRS grades '{grade}' of the two samples do not add up to the report's total",
                row=_rows((cs["assessor"] == "hmicfrs") & (cs["grade"] == grade)),
                column="n",
                expected=f"{totals[quantity]} ({quantity} in published_totals.csv)",
                found=f"{by_sample}",
            )
        if by_area != totals[quantity]:
            raise AuditDataError(
                ag_file,
                f"grade '{grade}' does not add up over the practice areas to the report's total",
                row=_rows(mask),
                column="n",
                expected=f"{totals[quantity]} ({quantity} in published_totals.csv, and the two samples' HMICFRS grades added)",
                found=f"{by_area}",
            )

    covered = set(data.recommendation_areas["recommendation_id"])
    for i, rec in enumerate(data.recommendations["recommendation_id"], start=1):
        if rec not in covered:
            raise AuditDataError(
                display_path(raw_dir / "recommendations.csv"),
                f"recommendation '{rec}' concerns no practice area",
                row=i,
                column="recommendation_id",
                expected=f"at least one row for '{rec}' in {Path(ra_file).name}",
                found="none",
            )


def identity_table(data: AuditData) -> pd.DataFrame:
    """The report's identities recomputed from the raw tables (a backtest), one row per identity.

    Columns: ``identity`` (in words), ``computed`` (from the detailed rows), ``published`` (the
    report's printed total) and ``holds``. :func:`validate_audit` has already refused data where
    any identity fails; this table shows the reader that they hold.
    """
    totals = data.published_totals.set_index("quantity")["value"]
    cs = data.case_samples
    rows = []
    names = {
        ("force_selected", "force"): "force's grades of the force-selected cases",
        ("force_selected", "hmicfrs"): "HMICFRS grades of the force-selected cases",
        ("inspectorate_selected", "hmicfrs"): "HMICFRS grades of the inspectorate-selected cases",
    }
    for (sample, assessor), quantity in GRADED_SAMPLES.items():
        found = int(cs.loc[(cs["sample"] == sample) & (cs["assessor"] == assessor), "n"].sum())
        rows.append((f"sum of the {names[(sample, assessor)]}", found, int(totals[quantity])))
    rows.append(
        (
            "force-selected plus inspectorate-selected cases",
            int(totals["cases_force_selected"] + totals["cases_inspectorate_selected"]),
            int(totals["cases_all"]),
        )
    )
    rows.append(("sum over the practice areas", int(data.area_grades["n"].sum()), int(totals["cases_all"])))
    hmicfrs = cs[cs["assessor"] == "hmicfrs"]
    for grade in GRADES:
        quantity = f"cases_all_{GRADE_SLUGS[grade]}"
        rows.append(
            (
                f"'{grade}' summed over the practice areas",
                int(data.area_grades.loc[data.area_grades["grade"] == grade, "n"].sum()),
                int(totals[quantity]),
            )
        )
        rows.append(
            (
                f"'{grade}' summed over the two samples (HMICFRS)",
                int(hmicfrs.loc[hmicfrs["grade"] == grade, "n"].sum()),
                int(totals[quantity]),
            )
        )
    frame = pd.DataFrame(rows, columns=["identity", "computed", "published"])
    frame["holds"] = frame["computed"] == frame["published"]
    return frame


def check_source(frame: pd.DataFrame, raw_dir: str | Path) -> None:
    """The source table holds exactly one document whose inspection ends on or after it starts."""
    file = display_path(Path(raw_dir) / "source.csv")
    if len(frame) != 1:
        raise AuditDataError(file, "wrong number of source documents", expected="exactly 1 data row", found=f"{len(frame)}")
    start, end = frame.loc[0, "inspection_start"], frame.loc[0, "inspection_end"]
    if end < start:
        raise AuditDataError(
            file, "inspection ends before it starts", row=1, column="inspection_end", expected=f"a date on or after {start}", found=str(end)
        )
