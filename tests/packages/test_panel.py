"""The national panel reads every package: each joins with the status it should, and its count ranges equal a brute-force enumeration.

The enumeration here is independent of the engine: every count vector of each group that meets
each kept row as printed (exact counts, percentages rounding half either way, bounds, grades
counted together), with all = force-selected + inspectorate-selected for the inspectors. Where
sources disagree, the readings are the largest sets of rows that hold together (no row can be
added), found by trying every set of rows; the panel's range is the union over them.
"""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from functools import cache
from itertools import combinations

import numpy as np
import pytest

from analysis.data.panel import NOT_USABLE, PARTLY_USED, USED, package_folders, read_member, read_panel
from analysis.data.paths import RAW_DIR
from analysis.sections.panel import panel_table

NATIONAL = RAW_DIR / "national"
PACKAGES = [p.name for p in package_folders(NATIONAL)]

#: How each package joins the panel (every other package: used).
STATUS: dict[str, str] = {
    "dorset-2021": PARTLY_USED,
    "metropolitan-2016": PARTLY_USED,
    "metropolitan-2017-q3": PARTLY_USED,
    "west-yorkshire-2015": PARTLY_USED,
}


def test_every_package_joins_the_panel_with_its_status():
    assert {name: read_member(NATIONAL / name).status for name in PACKAGES} == {name: STATUS.get(name, USED) for name in PACKAGES}


# --------------------------------------------------------------------------- brute force


@cache
def _rows(name: str) -> list[dict[str, str]]:
    with open(NATIONAL / name / "figures.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def _grades(name: str) -> list[str]:
    return json.loads((NATIONAL / name / "audit.json").read_text(encoding="utf-8"))["grades"]


@cache
def _compositions(n: int, k: int) -> tuple[tuple[int, ...], ...]:
    if k == 1:
        return ((n,),)
    return tuple((first, *rest) for first in range(n + 1) for rest in _compositions(n - first, k - 1))


def _meets(row: dict[str, str], v: tuple[int, ...], grades: list[str]) -> bool:
    c = sum(v[grades.index(g)] for g in row["grades"].split(" or "))
    n = int(row["of"])
    if row["count"]:
        return c == int(row["count"])
    if row["percent"]:
        decimals = len(row["percent"].split(".")[1]) if "." in row["percent"] else 0
        return abs(Fraction(100 * c, n) - Fraction(row["percent"])) <= Fraction(1, 2 * 10**decimals)
    return (not row["at_least"] or c >= int(row["at_least"])) and (not row["at_most"] or c <= int(row["at_most"]))


@cache
def _meeting(name: str, n: int, k: int, rows: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The count vectors of ``n`` cases over ``k`` grades that meet every one of ``rows`` (1-based) as printed (enumerated once per run)."""
    printed, grades = _rows(name), _grades(name)
    return tuple(v for v in _compositions(n, k) if all(_meets(printed[i - 1], v, grades) for i in rows))


def solve(name: str, kept: frozenset[int]) -> dict[tuple, set[tuple[int, ...]]] | None:
    """Every group's count vectors over the solutions of the rows ``kept`` (1-based), or ``None`` when they cannot all hold."""
    rows, grades = _rows(name), _grades(name)
    k = len(grades)
    chosen = [rows[i - 1] for i in sorted(kept)]
    sizes: dict[tuple, int] = {}
    for r in chosen:
        g = (r["sample"], r["rater"], r["area"])
        if sizes.setdefault(g, int(r["of"])) != int(r["of"]):
            return None
    own = {
        g: list(
            _meeting(name, n, k, tuple(i for i in sorted(kept) if (rows[i - 1]["sample"], rows[i - 1]["rater"], rows[i - 1]["area"]) == g))
        )
        for g, n in sizes.items()
    }
    for area in {g[2] for g in sizes}:
        a, f, i = (("all", "inspectorate", area), ("force_selected", "inspectorate", area), ("inspectorate_selected", "inspectorate", area))
        if a not in sizes or (f not in sizes and i not in sizes):
            continue
        if f in sizes and i in sizes:
            if sizes[f] + sizes[i] != sizes[a]:
                return None
            own[a], own[f], own[i] = _joined(tuple(own[a]), tuple(own[f]), tuple(own[i]))
        else:
            part, other = (f, i) if f in sizes else (i, f)
            if sizes[part] > sizes[a]:
                return None
            own[a], own[part], own[other] = _joined_with_rest(tuple(own[a]), tuple(own[part]))
    if any(not vs for vs in own.values()):
        return None
    return {g: set(vs) for g, vs in own.items()}


@cache
def _joined(whole: tuple, force: tuple, inspectors: tuple) -> tuple[list, list, list]:
    """The vectors of all, force-selected and inspectorate-selected that pair up (all = force + inspectorate), each sorted (once per input)."""
    allowed = set(whole)
    pairs = [(x, y) for x in force for y in inspectors if tuple(p + q for p, q in zip(x, y, strict=True)) in allowed]
    return (
        sorted({tuple(p + q for p, q in zip(x, y, strict=True)) for x, y in pairs}),
        sorted({x for x, _ in pairs}),
        sorted({y for _, y in pairs}),
    )


@cache
def _joined_with_rest(whole: tuple, part: tuple) -> tuple[list, list, list]:
    """The vectors of all, of the one sample given and of the other (all minus it) that pair up, each sorted (once per input).

    Every (all, part) pair is tried, as whole arrays: the part fits when it is at most all in every grade."""
    if not whole or not part:
        return [], [], []
    w, x = np.array(whole, dtype=np.int64), np.array(part, dtype=np.int64)
    wi, xi = np.nonzero((x[None, :, :] <= w[:, None, :]).all(axis=2))

    base = int(w.max(initial=0)) + 1

    def rows(a: np.ndarray) -> list[tuple[int, ...]]:  # distinct vectors in order, each a number in base ``base`` while sorted
        codes = np.unique(a @ base ** np.arange(a.shape[1] - 1, -1, -1, dtype=np.int64))
        return [tuple(int(c) // base**j % base for j in range(a.shape[1] - 1, -1, -1)) for c in codes]

    return rows(w[wi]), rows(x[xi]), rows(w[wi] - x[xi])


@cache
def brute_force_readings(name: str, rows: frozenset[int]) -> list[dict[tuple, set]]:
    """The solutions of every largest set of ``rows`` that holds together (enumerated once per run and package; read them only)."""
    found: list[frozenset] = []
    out = []
    for size in range(len(rows), 0, -1):
        for kept in map(frozenset, combinations(sorted(rows), size)):
            if any(kept <= f for f in found):
                continue
            solved = solve(name, kept)
            if solved is not None:
                found.append(kept)
                out.append(solved)
    return out


def union_ranges(readings: list[dict[tuple, set]]) -> dict[tuple, list[list[int]]]:
    out: dict[tuple, list[list[int]]] = {}
    for solved in readings:
        for g, vs in solved.items():
            arr = np.array(sorted(vs))
            lo, hi = arr.min(axis=0), arr.max(axis=0)
            if g in out:
                lo, hi = np.minimum(lo, [r[0] for r in out[g]]), np.maximum(hi, [r[1] for r in out[g]])
            out[g] = [[int(a), int(b)] for a, b in zip(lo, hi, strict=True)]
    return out


@pytest.mark.parametrize("name", ["dorset-2021", "metropolitan-2016", "metropolitan-2017-q3"])
def test_where_sources_disagree_the_ranges_are_the_union_over_every_largest_set_of_rows_that_holds(name):
    member = read_member(NATIONAL / name)
    expected = union_ranges(brute_force_readings(name, frozenset(range(1, len(_rows(name)) + 1))))
    assert set(member.groups()) == set(expected)
    for group, ranges in expected.items():
        assert member.ranges(group)[0].tolist() == ranges, group
    assert len(member.readings) == len(brute_force_readings(name, frozenset(range(1, len(_rows(name)) + 1))))


def test_dorset_2021_is_23_to_28_inadequate_of_83_and_the_reason_names_the_rows():
    member = read_member(NATIONAL / "dorset-2021")
    ranges, sizes = member.ranges(("all", "inspectorate", ""))
    assert ranges[2].tolist() == [23, 28] and sizes == [83]
    assert "row 6: inadequate 28 of 83; row 7: inadequate 23 of 83" in member.reason()


def test_west_yorkshire_2015_sets_aside_the_inspectors_grades_that_add_up_to_34_and_uses_the_rest():
    name = "west-yorkshire-2015"
    member = read_member(NATIONAL / name)
    assert [u.group for u in member.unusable] == [("force_selected", "inspectorate", "")]
    assert "add up to 34 but of = 33" in member.unusable[0].reason and "not usable" in member.unusable[0].reason
    rest = frozenset(i for i, r in enumerate(_rows(name), start=1) if (r["sample"], r["rater"]) != ("force_selected", "inspectorate"))
    assert solve(name, frozenset(range(1, 9))) is None  # the inspectors' four counts cannot hold
    expected = union_ranges([solve(name, rest)])
    for group, ranges in expected.items():
        assert member.ranges(group)[0].tolist() == ranges, group
    table = panel_table(read_panel(NATIONAL))
    rows = table[table["audit_id"].eq(name)]
    aside = rows[rows["sample"].eq("force_selected") & rows["rater"].eq("inspectorate")]
    assert len(aside) == 4 and aside["status"].eq(NOT_USABLE).all() and aside["low"].isna().all() and aside["of"].eq(33).all()
    assert rows.loc[~rows.index.isin(aside.index), "status"].eq(PARTLY_USED).all()


def test_metropolitan_2016_reads_good_or_adequate_as_good_or_requires_improvement_and_says_so():
    member = read_member(NATIONAL / "metropolitan-2016")
    assert _rows("metropolitan-2016")[0]["grades"] == "good or requires improvement"
    assert "good or adequate" in _rows("metropolitan-2016")[0]["wording"]
    reason = member.reason()
    assert "row 1 prints 'adequate'" in reason and "read as 'requires improvement'" in reason
    assert "384 against 374" in reason
    # 80% of 132 good or requires improvement: 105 or 106, so the force graded 26 or 27 inadequate
    assert member.ranges(("force_selected", "force", ""))[0][2].tolist() == [26, 27]
    # the total is 374 or 384: of is left empty in the panel, the shares cover both
    assert member.ranges(("all", "inspectorate", ""))[1] == [374, 384]


def test_the_panel_table_has_one_row_per_document_sample_rater_and_grade_with_intervals_covering_the_ranges():
    table = panel_table(read_panel(NATIONAL))
    assert not table.duplicated(["audit_id", "sample", "rater", "grade"]).any()
    counted = table[table["low"].notna() & table["of"].notna()]
    assert (counted["share_low"] == counted["low"] / counted["of"]).all()
    assert (counted["ci_low"] <= counted["share_low"]).all() and (counted["ci_high"] >= counted["share_high"]).all()
    percent_only = table[table["audit_id"].isin(["humberside-2018", "leicestershire-2017", "leicestershire-2018"])]
    assert (
        percent_only["low"].isna().all()
        and percent_only["ci_low"].isna().all()
        and percent_only["reason"].str.contains("no number of cases").all()
    )
    met = table[table["audit_id"].eq("metropolitan-2016") & table["sample"].eq("all")]
    assert met["of"].isna().all()


def test_a_package_whose_figures_conflict_is_still_refused_for_a_structural_fault(tmp_path):
    """Conflicting figures do not stop the panel; a loose file beside them (or a changed file) still does, with the gate's one line."""
    import shutil

    from analysis.data.errors import AuditDataError

    folder = tmp_path / "dorset-2021"
    shutil.copytree(NATIONAL / "dorset-2021", folder)
    assert read_member(folder).status == PARTLY_USED
    (folder / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(AuditDataError, match="extra.csv: file in the package folder is not described"):
        read_member(folder)
    (folder / "extra.csv").unlink()
    with open(folder / "figures.csv", "a", encoding="utf-8") as f:
        f.write("all,inspectorate,,good,20,,,,83,again,https://example.org\n")
    with pytest.raises(AuditDataError, match="differs from the checksum"):
        read_member(folder)
