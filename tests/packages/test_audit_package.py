"""Audit packages of every published shape: what loads, what each figure allows, and every way figures.csv can be wrong.

The packages under tests/fixtures/packages/ are MADE-UP figures (test fixtures, labelled as such in
their audit.json), one per shape the national programme's documents publish: a four-point scale
with a self-assessment, sums that do not close, a count given only as the remainder, rounded
percentages of combined grades, an inequality, an overall split only.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from analysis.data.audit_package import percent_range
from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.data.package import update_hashes
from analysis.pipeline import payload

PACKAGES = Path(__file__).parents[1] / "fixtures" / "packages"
SHAPES = sorted(p.name for p in PACKAGES.iterdir() if p.is_dir())


@pytest.fixture
def package(tmp_path):
    """A copy of one fixture package, by name, that a test may edit."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(PACKAGES / name, dest)
        return dest

    return copy


def write_figures(folder: Path, rows: list[dict]) -> None:
    """Replace figures.csv with ``rows`` (dicts of the columns given; the others empty) and record its checksum."""
    columns = ["sample", "rater", "area", "grades", "count", "percent", "at_least", "at_most", "of", "wording", "source"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    (folder / "figures.csv").write_text(buffer.getvalue(), encoding="utf-8")
    update_hashes(folder)


def refused(folder: Path, *fragments: str) -> str:
    with pytest.raises(AuditDataError) as info:
        load_audit(folder)
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return text


# --------------------------------------------------------------------------- the fixture packages


def test_every_shape_has_a_fixture_labelled_as_made_up():
    assert set(SHAPES) == {
        "four_point",
        "sums_do_not_close",
        "remainder",
        "percentages",
        "inequality",
        "overall_only",
        "case_level",
        "hostile",
        "one_table",
        "percent_only",
        "sub_sample_area",
    }
    for name in SHAPES:
        assert "MADE-UP" in (PACKAGES / name / "audit.json").read_text(encoding="utf-8")


def test_a_four_point_scale_with_a_self_assessment():
    data = load_audit(PACKAGES / "four_point")
    assert data.grades == ("good", "adequate", "requires improvement", "inadequate")
    assert data.counts("force_selected", "force").tolist() == [15, 8, 5, 2]
    assert data.figures.pair is not None
    files = payload(data)
    assert {"sample_grades.csv", "identified.csv", "assumptions.csv", "sensitivity.csv", "grade_counts.csv"} <= set(files)
    # 71,260 tables fit these totals: too many to list, so the table-by-table files say why they are absent
    contents = files["contents.csv"].decode()
    assert (
        'consistent_tables.csv,no,"Too many tables of case counts fit the published totals to list them one by one (71,260 tables'
        in contents
    )
    assert "closed form" in files["identified.csv"].decode()
    from analysis.sections.self_assessment import self_assessment_specs

    columns = next(t.columns for t in self_assessment_specs(data) if t.path == "consistent_tables.csv")
    assert "force_adequate__hmicfrs_requires_improvement" in columns


def test_sums_that_do_not_close_are_refused_with_the_arithmetic():
    text = refused(PACKAGES / "sums_do_not_close")
    assert text.endswith("figures.csv: rows 5–8 (lines 6–9) (force_selected, inspectorate): the counts add up to 34 but of = 33")


def test_a_count_given_only_as_the_remainder_is_implied():
    data = load_audit(PACKAGES / "remainder")
    assert data.counts("force_selected", "force").tolist() == [20, 8, 2]
    assert data.counts("force_selected", "inspectorate").tolist() == [9, 14, 7]
    # all = force-selected + inspectorate-selected: the latter is implied, with of = 70 - 30
    assert data.counts("inspectorate_selected", "inspectorate").tolist() == [9, 16, 15]
    assert ("inspectorate_selected", "inspectorate", "") in data.figures.implied


def test_rounded_percentages_of_combined_grades_give_ranges():
    data = load_audit(PACKAGES / "percentages")
    assert data.counts("force_selected", "force") is None
    good = data.count_ranges("force_selected", "force")[0]
    assert good.tolist() == list(percent_range("80", 132)) == [105, 106]
    ranges = data.count_ranges("all", "inspectorate")
    assert ranges[0].tolist() == [96, 96]  # 374 - 278: the combined count pins the rest


def test_an_inequality_bounds_one_count():
    data = load_audit(PACKAGES / "inequality")
    ranges = data.count_ranges("all", "inspectorate")
    assert ranges[2].tolist() == [16, 31] and ranges[0].tolist() == [0, 5]
    assert not data.has("force_selected", "force")


@pytest.mark.parametrize("name", ["inequality", "overall_only"])
def test_a_package_without_a_self_assessment_says_why_its_tables_are_absent(name):
    files = payload(load_audit(PACKAGES / name))
    assert "identified.csv" not in files and "sample_grades.csv" not in files
    contents = files["contents.csv"].decode()
    assert "self_assessment,identified.csv,no,The figures give no self-assessment" in contents
    assert "audit,grade_counts.csv,yes," in contents


@pytest.mark.parametrize("name", [s for s in SHAPES if s != "sums_do_not_close"])
def test_process_publishes_every_loadable_shape(name, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["process", "--raw", str(PACKAGES / name), "--out", str(out)]) == 0
    assert (out / "contents.csv").is_file() and (out / "grade_shares.csv").is_file() and (out / "datapackage.json").is_file()
    assert (out / "grade_counts.csv").is_file() == (name != "percent_only")  # a document with no case count has no count ranges


def test_hashes_update_writes_a_descriptor_for_a_new_package(package):
    folder = package("overall_only")
    (folder / "datapackage.json").unlink()
    assert main(["hashes", "--update", "--raw", str(folder)]) == 0
    data = load_audit(folder)
    assert data.descriptor["name"] == "fixture-overall-only" and data.descriptor["licenses"] == [{"name": "CC0-1.0"}]


# --------------------------------------------------------------------------- percentages as printed


@pytest.mark.parametrize(
    "printed, of, expected",
    [
        ("76", 132, (100, 100)),  # 75.5% to 76.5% of 132 = 99.66 to 100.98
        ("75.8", 132, (100, 100)),
        ("50", 2, (1, 1)),
        ("25", 2, None),  # 0% or 50% only
        ("12.5", 8, (1, 1)),  # an exact tie at the half counts: 1 of 8 = 12.5%
        ("13", 8, (1, 1)),  # 12.5% rounds to 13 (half up) or 12 (half even): either way allowed
        ("12", 8, (1, 1)),
        ("0", 500, (0, 2)),  # below 0.5%
        ("100", 500, (498, 500)),
    ],
)
def test_a_percent_allows_every_count_that_rounds_to_it(printed, of, expected):
    assert percent_range(printed, of) == expected
    if expected is not None:
        lo, hi = expected
        shares = [100 * c / of for c in range(of + 1)]
        d = len(printed.split(".")[1]) if "." in printed else 0
        ok = [c for c, s in enumerate(shares) if abs(s - float(printed)) <= 0.5 * 10**-d + 1e-12]
        assert (min(ok), max(ok)) == (lo, hi)


# --------------------------------------------------------------------------- every refusal names the row


BASE = [
    {"sample": "force_selected", "rater": "force", "grades": "good", "count": "20", "of": "30"},
    {"sample": "force_selected", "rater": "force", "grades": "requires improvement", "count": "8", "of": "30"},
    {"sample": "force_selected", "rater": "inspectorate", "grades": "good", "count": "9", "of": "30"},
]


@pytest.mark.parametrize(
    "change, fragments",
    [
        ({"grades": "outstanding"}, ("row 2", "grade not on the scale", "outstanding")),
        ({"grades": "good or good"}, ("row 2", "grade named twice")),
        ({"of": "31"}, ("rows 1, 2", "of differs within one group")),
        ({"percent": "27"}, ("row 2", "two kinds of figure on one row", "count and percent")),
        ({"count": "", "at_least": "3", "percent": "10"}, ("row 2", "two kinds of figure")),
        ({"count": "", "percent": "26.7"}, ()),  # 8 of 30 = 26.67%: loads
        ({"count": ""}, ("row 2", "no figure on the row")),
        ({"count": "", "percent": "5"}, ("row 2", "no whole number of cases rounds to this percentage", "5% of 30")),
        ({"count": "-1"}, ("row 2", "value below the minimum")),
        ({"count": "8.0"}, ("row 2", "not an integer")),
        ({"count": "31"}, ("row 2", "count larger than the number of cases")),
        ({"count": "", "at_least": "9", "at_most": "7"}, ("row 2", "at_least is above at_most")),
        ({"sample": "random"}, ("row 2", "value not allowed", "random")),
        ({"rater": "hmic"}, ("row 2", "value not allowed", "hmic")),
        ({"sample": "all"}, ("row 2", "the force graded only the cases it selected")),
        ({"count": "", "percent": "101"}, ("row 2", "percentage above 100")),
        ({"area": " s47"}, ("row 2", "column 'area'", "starts or ends with white space")),
    ],
)
def test_a_bad_figure_is_refused_naming_its_row(package, change, fragments):
    folder = package("remainder")
    rows = [dict(r) for r in BASE]
    rows[1].update(change)
    write_figures(folder, rows)
    if not fragments:
        assert load_audit(folder).count_ranges("force_selected", "force")[1].tolist() == [8, 8]
        return
    refused(folder, "figures.csv", *fragments)


def test_figures_that_cannot_hold_together_name_the_rows_and_the_arithmetic(package):
    folder = package("remainder")
    rows = [
        *BASE,
        {"sample": "all", "rater": "inspectorate", "grades": "good", "count": "5", "of": "70"},
    ]
    write_figures(folder, rows)
    refused(folder, "rows 3–4 (lines 4–5) (all, inspectorate; force_selected, inspectorate)", "row 3: good 9 of 30; row 4: good 5 of 70")


def test_a_bad_percentage_combination_is_refused_with_the_bound(package):
    folder = package("percentages")
    rows = [
        {"sample": "all", "rater": "inspectorate", "grades": "requires improvement or inadequate", "count": "278", "of": "374"},
        {"sample": "all", "rater": "inspectorate", "grades": "good", "percent": "20", "of": "374"},
    ]
    write_figures(folder, rows)
    refused(folder, "rows 1–2 (lines 2–3) (all, inspectorate): the counts add up to at most 354 but of = 374")


# --------------------------------------------------------------------------- the engine against brute force


def _random_package(rng: np.random.Generator, k: int) -> list[dict]:
    """Figures of random shapes (counts, percentages, bounds, combined grades) on small samples, consistent by construction."""
    grades = ["g0", "g1", "g2", "g3"][:k]
    truth = {}
    for sample, rater, n in (
        ("force_selected", "force", 5),
        ("force_selected", "inspectorate", 5),
        ("inspectorate_selected", "inspectorate", 4),
    ):
        truth[(sample, rater)] = rng.multinomial(n, np.ones(k) / k)
    truth[("all", "inspectorate")] = truth[("force_selected", "inspectorate")] + truth[("inspectorate_selected", "inspectorate")]
    rows = []
    for (sample, rater), counts in truth.items():
        n = int(counts.sum())
        for _ in range(int(rng.integers(0, 3))):
            chosen = sorted(rng.choice(k, size=int(rng.integers(1, k)), replace=False).tolist())
            value = int(counts[chosen].sum())
            kind = rng.integers(0, 3)
            row = {"sample": sample, "rater": rater, "grades": " or ".join(grades[i] for i in chosen), "of": str(n)}
            if kind == 0:
                row["count"] = str(value)
            elif kind == 1:
                row["percent"] = f"{round(100 * value / n)}"
            else:
                row["at_least"] = str(max(0, value - 1))
            rows.append(row)
        if not any(r["sample"] == sample and r["rater"] == rater for r in rows):
            rows.append({"sample": sample, "rater": rater, "grades": grades[0], "at_least": "0", "of": str(n)})
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_every_count_range_equals_brute_force(package, seed):
    from itertools import product

    rng = np.random.default_rng(seed)
    k = 2 + seed % 2
    folder = package("remainder")
    (folder / "audit.json").write_text(
        (folder / "audit.json")
        .read_text(encoding="utf-8")
        .replace('["good", "requires improvement", "inadequate"]', str(["g0", "g1", "g2", "g3"][:k]).replace("'", '"')),
        encoding="utf-8",
    )
    rows = _random_package(rng, k)
    write_figures(folder, rows)
    data = load_audit(folder)
    system = data.figures.system

    # brute force: every count vector of every group, kept when every figure and link holds
    def compositions(n):
        return [c for c in product(range(n + 1), repeat=k) if sum(c) == n]

    groups = list(system.groups)
    kept = []
    for combo in product(*(compositions(system.groups[g]) for g in groups)):
        x = dict(zip(groups, combo, strict=True))
        if all(r.low <= sum(x[r.group][i] for i in r.grades) <= r.high for r in system.rows) and all(
            tuple(sum(x[p][i] for p in parts) for i in range(k)) == x[whole] for whole, parts in system.links
        ):
            kept.append(x)
    assert kept, "the fixture is consistent by construction"
    for g in groups:
        expected = [[min(x[g][i] for x in kept), max(x[g][i] for x in kept)] for i in range(k)]
        assert data.count_ranges(*g).tolist() == expected, g
        assert sorted(map(tuple, system.vectors(g).tolist())) == sorted({tuple(x[g]) for x in kept}), g


def test_the_readme_worked_example_is_a_valid_package(tmp_path):
    """The README's worked example (a real, cited overall split) loads as written, and its report says what is left out."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("**Worked example:") :]
    audit_json = re.search(r"```json\n(.*?)```", example, re.S).group(1)
    figures = re.search(r"```csv\n(.*?)```", example, re.S).group(1)
    folder = tmp_path / "lincolnshire-2019"
    folder.mkdir()
    (folder / "audit.json").write_text(audit_json, encoding="utf-8")
    (folder / "figures.csv").write_text(figures, encoding="utf-8")
    assert main(["hashes", "--update", "--raw", str(folder)]) == 0
    data = load_audit(folder)
    assert data.counts("all", "inspectorate").tolist() == [9, 47, 25]
    files = payload(data)
    assert b"self_assessment,identified.csv,no,The figures give no self-assessment" in files["contents.csv"]
    # the variations the README describes: the good count left out is still pinned by the total
    lines = figures.strip().split("\n")
    write_figures(folder, [dict(zip(lines[0].split(","), line.split(","), strict=True)) for line in lines[2:]])
    assert load_audit(folder).counts("all", "inspectorate").tolist() == [9, 47, 25]


# --------------------------------------------------------------------------- case-level data in a package


def test_a_case_level_file_fixes_the_pairing():
    data = load_audit(PACKAGES / "case_level")
    assert data.known_table.tolist() == [[2, 2, 1], [0, 2, 0], [0, 0, 1]]
    files = payload(data)
    import io

    import pandas as pd

    identified = pd.read_csv(io.BytesIO(files["identified.csv"])).set_index("quantity")
    assert (identified["low"] == identified["high"]).all()
    assert identified.loc["n_force_better", "low"] == 3
    tables = pd.read_csv(io.BytesIO(files["consistent_tables.csv"]))
    assert len(tables) == 1
    assumptions = pd.read_csv(io.BytesIO(files["assumptions.csv"]))
    # the known table has no case graded worse by the force, but one case (good against inadequate) two grades apart
    counts = assumptions.drop_duplicates("assumption").set_index("assumption")["n_tables"].to_dict()
    assert counts == {
        "none": 1,
        "force_never_harsher": 1,
        "at_most_one_grade_apart": 0,
        "force_never_harsher_and_at_most_one_grade_apart": 0,
    }
    assert b'sensitivity.csv,no,"The pairing is known' in files["contents.csv"]


@pytest.mark.parametrize(
    "edit, fragments",
    [
        (
            lambda t: t.replace("MADEUP-8,area two,inadequate,inadequate", "MADEUP-8,area two,inadequate,good"),
            ("do not fit the published figures",),
        ),
        (
            lambda t: t.replace("MADEUP-8,area two,inadequate,inadequate", "MADEUP-8,area two,inadequate,awful"),
            ("grade not on the scale", "row 8"),
        ),
        (lambda t: t.rsplit("\n", 2)[0] + "\n", ("does not hold the force-selected cases", "found 7")),
        (lambda t: t.replace("MADEUP-2,", "MADEUP-1,"), ("duplicate key",)),
        (lambda t: t.replace("MADEUP-2,", " MADEUP-2,"), ("white space",)),
    ],
)
def test_a_case_level_file_that_does_not_fit_is_refused(package, edit, fragments):
    folder = package("case_level")
    path = folder / "cases.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    update_hashes(folder)
    refused(folder, "cases.csv", *fragments)
