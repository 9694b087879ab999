"""Other forces' published audits as packages (data/raw/national/): each loads or is refused as expected, with exact count ranges.

Every package under ``data/raw/national/`` goes through the gate in that ``process --raw DIR`` uses
(:func:`analysis.data.load.load_audit`). :data:`EXPECTED` records what each must do. For every
package that loads, each group's count ranges are checked against a brute-force enumeration
written here, independent of the engine: every count vector that meets each row (exact counts,
percentages rounding half either way at the printed decimals, bounds, grades counted together)
and ``all`` = force-selected + inspectorate-selected.

Where the compilation the packages were transcribed from is beside the project
(``../shared/data/ncpi/forces/``), every row is also traced to a quote of its source, and every
bound to the rule its words call for (``data/raw/national/README.md``).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from fractions import Fraction
from itertools import product

import pytest

from analysis.cli import main
from analysis.data.audit_package import parse_audit_json
from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.data.package import load_descriptor, stale_hashes
from analysis.data.paths import PROJ_ROOT, RAW_DIR

NATIONAL = RAW_DIR / "national"
PACKAGES = sorted(p.name for p in NATIONAL.iterdir() if p.is_dir())
FORCES = PROJ_ROOT.parent / "shared" / "data" / "ncpi" / "forces"

LOADS = "loads"
N_UNKNOWN = "needs n_unknown (issue 24)"

#: What each package must do at the gate in: load, or be refused with an error holding the fragment.
EXPECTED: dict[str, str] = {
    "avon-and-somerset-2023": LOADS,
    "bedfordshire-2017": LOADS,
    "cambridgeshire-2022": LOADS,
    "cheshire-2023": LOADS,
    "derbyshire-2021": LOADS,
    "dorset-2021": "refused: (all, inspectorate): no counts satisfy all of them together (with each sample's size): "
    "row 6: inadequate 28 of 83; row 7: inadequate 23 of 83",
    "dorset-2022": LOADS,
    "gloucestershire-2017": LOADS,
    "greater-manchester-2014": LOADS,
    "hampshire-2022": LOADS,
    "humberside-2018": N_UNKNOWN,
    "lancashire-2018": LOADS,
    "leicestershire-2017": N_UNKNOWN,
    "leicestershire-2018": N_UNKNOWN,
    "lincolnshire-2019": LOADS,
    "metropolitan-2016": "refused: column 'of': of differs within one group (all, inspectorate): "
    "expected the same of on every row of the group (374, as on row 3); found 384",
    "metropolitan-2017-q3": "refused: (all, inspectorate): no counts satisfy all of them together (with each sample's size): "
    "row 2: requires improvement 64 of 135; row 3: inadequate 61 of 135; row 5: requires improvement or inadequate 121 to 122 (90%) of 135",
    "metropolitan-2018-q4": LOADS,
    "national-2015-eight-forces": LOADS,
    "north-yorkshire-2022": LOADS,
    "north-yorkshire-2023": LOADS,
    "northamptonshire-2019": LOADS,
    "northumbria-2018": LOADS,
    "nottinghamshire-2016": LOADS,
    "suffolk-2022": LOADS,
    "suffolk-2023": LOADS,
    "surrey-2015": LOADS,
    "thames-valley-2023": LOADS,
    "warwickshire-2022": LOADS,
    "warwickshire-2023": LOADS,
    "west-midlands-2014": LOADS,
    "west-yorkshire-2015": "refused: (force_selected, inspectorate): the counts add up to 34 but of = 33",
    "wiltshire-2023": LOADS,
}

#: The rows of figures.csv each refusal names (data rows, the header not counted).
REFUSED_ROWS: dict[str, list[int]] = {
    "dorset-2021": [6, 7],
    "metropolitan-2016": [3, 8],
    "metropolitan-2017-q3": [2, 3, 5],
    "west-yorkshire-2015": [5, 6, 7, 8],
}

#: Documents of the compilation with no package here (each listed, with the reason, in the folder's README).
WITHOUT_PACKAGE = {"cleveland-2018", "cumbria-2017", "greater-manchester-2024", "gwent-2019", "gwent-2020"}

#: How a percent-only document says that it prints no number of cases (audit.json, issue 24).
N_UNKNOWN_FORM = {"samples": {"all": {"n_unknown": True}}}


def _engine_reads_n_unknown() -> bool:
    """Whether audit.json may say a sample's number of cases is unknown (issue 24): the form used here, parsed."""
    probe = {"id": "probe", "force": "f", "title": "t", "published": "2018", "grades": ["good", "inadequate"]}
    probe |= {"sources": [{"title": "t", "url": "https://example.org"}], "licence": "CC0-1.0", **N_UNKNOWN_FORM}
    try:
        parse_audit_json(json.dumps(probe), "probe")
    except AuditDataError:
        return False
    return True


ENGINE_KNOWS_N_UNKNOWN = _engine_reads_n_unknown()

needs_compilation = pytest.mark.skipif(not FORCES.is_dir(), reason="the compilation ../shared/data/ncpi/forces/ is not beside the project")


def rows(name: str) -> list[dict[str, str]]:
    with open(NATIONAL / name / "figures.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def audit(name: str) -> dict:
    return json.loads((NATIONAL / name / "audit.json").read_text(encoding="utf-8"))


def outcome(name: str) -> str:
    expected = EXPECTED[name]
    if expected == N_UNKNOWN:
        return LOADS if ENGINE_KNOWS_N_UNKNOWN else "refused: column 'samples': unknown field"
    return expected


# --------------------------------------------------------------------------- brute force, independent of the engine


def compositions(n: int, k: int):
    """Every vector of ``k`` non-negative integers adding up to ``n``."""
    if k == 1:
        yield (n,)
        return
    for first in range(n + 1):
        for rest in compositions(n - first, k - 1):
            yield (first, *rest)


def meets(row: dict[str, str], vector: tuple[int, ...], grades: list[str]) -> bool:
    """Whether the counts ``vector`` (best grade first) meet one row of figures.csv as printed."""
    chosen = row["grades"].split(" or ")
    c = sum(vector[grades.index(g)] for g in chosen)
    n = int(row["of"])
    if row["count"]:
        return c == int(row["count"])
    if row["percent"]:
        decimals = len(row["percent"].split(".")[1]) if "." in row["percent"] else 0
        return abs(Fraction(100 * c, n) - Fraction(row["percent"])) <= Fraction(1, 2 * 10**decimals)
    return (not row["at_least"] or c >= int(row["at_least"])) and (not row["at_most"] or c <= int(row["at_most"]))


def brute_force_ranges(name: str) -> dict[tuple[str, str, str], list[list[int]]]:
    """For each group (sample, rater, area), each grade's fewest and most cases over every consistent set of counts."""
    meta, figures = audit(name), rows(name)
    assert not meta.get("areas_partition"), "extend the enumeration to areas that partition their sample"
    grades, k = meta["grades"], len(meta["grades"])
    sizes: dict[tuple, int] = {}
    for r in figures:
        sizes.setdefault((r["sample"], r["rater"], r["area"]), int(r["of"]))
    own = {
        g: [v for v in compositions(n, k) if all(meets(r, v, grades) for r in figures if (r["sample"], r["rater"], r["area"]) == g)]
        for g, n in sizes.items()
    }
    # all = force_selected + inspectorate_selected, for the inspectors, in each area
    for area in {g[2] for g in sizes}:
        a, f, i = (("all", "inspectorate", area), ("force_selected", "inspectorate", area), ("inspectorate_selected", "inspectorate", area))
        if a not in sizes or (f not in sizes and i not in sizes):
            continue
        for part, other in ((f, i), (i, f)):
            if part not in sizes:
                sizes[part] = sizes[a] - sizes[other]
                own[part] = list(compositions(sizes[part], k))
        allowed = set(own[a])
        triples = [(x, y) for x, y in product(own[f], own[i]) if tuple(p + q for p, q in zip(x, y, strict=True)) in allowed]
        own[f] = sorted({x for x, _ in triples})
        own[i] = sorted({y for _, y in triples})
        own[a] = sorted({tuple(p + q for p, q in zip(x, y, strict=True)) for x, y in triples})
    return {g: [[min(v[j] for v in vs), max(v[j] for v in vs)] for j in range(k)] for g, vs in own.items()}


def test_the_brute_force_reads_each_kind_of_figure_as_the_readme_says():
    grades = ["good", "requires improvement", "inadequate"]
    row = dict.fromkeys(("count", "percent", "at_least", "at_most"), "")
    assert meets({**row, "grades": "inadequate", "count": "5", "of": "9"}, (1, 3, 5), grades)
    assert not meets({**row, "grades": "inadequate", "count": "5", "of": "9"}, (0, 5, 4), grades)
    # 42% of 115: 48 cases is 41.7%, 49 is 42.6%: only 48 rounds to 42
    assert [c for c in range(116) if meets({**row, "grades": "inadequate", "percent": "42", "of": "115"}, (0, 115 - c, c), grades)] == [48]
    # a share exactly at the half rounds either way: 1 of 8 is 12.5%
    assert meets({**row, "grades": "good", "percent": "12", "of": "8"}, (1, 7, 0), grades)
    assert meets({**row, "grades": "good", "percent": "13", "of": "8"}, (1, 7, 0), grades)
    assert meets({**row, "grades": "good", "percent": "12.5", "of": "8"}, (1, 7, 0), grades)
    assert not meets({**row, "grades": "good", "percent": "12.4", "of": "8"}, (1, 7, 0), grades)
    both = {**row, "grades": "requires improvement or inadequate", "at_least": "16", "at_most": "20", "of": "31"}
    assert meets(both, (15, 10, 6), grades) and not meets(both, (16, 10, 5), grades) and not meets(both, (10, 10, 11), grades)


def test_the_brute_force_adds_the_two_samples_up_to_all(tmp_path, monkeypatch):
    """A made-up package: all 10 cases with 6 good, the force's 4 cases with 3 good: the inspectors' own 6 have 3 good."""
    folder = tmp_path / "national" / "made-up"
    folder.mkdir(parents=True)
    (folder / "audit.json").write_text(json.dumps({"grades": ["good", "inadequate"]}), encoding="utf-8")
    (folder / "figures.csv").write_text(
        "sample,rater,area,grades,count,percent,at_least,at_most,of,wording,source\n"
        "all,inspectorate,,good,6,,,,10,,made up\n"
        "force_selected,inspectorate,,good,,,3,,4,,made up\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "NATIONAL", tmp_path / "national")
    ranges = brute_force_ranges("made-up")
    assert ranges[("force_selected", "inspectorate", "")] == [[3, 4], [0, 1]]
    assert ranges[("inspectorate_selected", "inspectorate", "")] == [[2, 3], [3, 4]]
    assert ranges[("all", "inspectorate", "")] == [[6, 6], [4, 4]]


# --------------------------------------------------------------------------- every package at the gate in


def test_every_package_has_an_expected_outcome():
    assert set(PACKAGES) == set(EXPECTED)
    assert {p.name for p in NATIONAL.iterdir()} == set(PACKAGES) | {"README.md"}


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_loads_or_is_refused_with_one_clear_error(name):
    expected = outcome(name)
    if expected == LOADS:
        data = load_audit(NATIONAL / name)
        assert data.meta.id == name
        return
    with pytest.raises(AuditDataError) as info:
        load_audit(NATIONAL / name)
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"data/raw/national/{name}/"), text
    assert expected.removeprefix("refused: ") in text, text
    rows_named = info.value.row
    assert ([rows_named] if isinstance(rows_named, int) else list(rows_named or [])) == REFUSED_ROWS.get(name, []), text


@pytest.mark.parametrize("name", [n for n in PACKAGES if outcome(n) == LOADS and all(r["of"] for r in rows(n))])
def test_each_loading_package_gives_the_count_ranges_of_a_brute_force_enumeration(name):
    data = load_audit(NATIONAL / name)
    expected = brute_force_ranges(name)
    assert set(data.figure_set.groups) == set(expected)
    for group, ranges in expected.items():
        assert data.count_ranges(*group).tolist() == ranges, group


def test_a_refused_package_is_one_error_line_from_process_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["process", "--raw", str(NATIONAL / "west-yorkshire-2015"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: data/raw/national/west-yorkshire-2015/figures.csv")
    assert not out.exists()


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_descriptor_is_current(name):
    assert stale_hashes(NATIONAL / name) == [], f"run `python -m analysis hashes --update --raw data/raw/national/{name}`"


# --------------------------------------------------------------------------- Gwent's package beside them


def test_gwents_package_holds_the_national_folder_without_describing_or_reading_it():
    assert all("/" not in r["path"] for r in load_descriptor(RAW_DIR)["resources"])
    assert stale_hashes(RAW_DIR) == []
    data = load_audit(RAW_DIR)
    assert data.meta.id == "gwent-2019"


def test_a_loose_file_beside_gwents_package_is_still_refused_with_the_folder_present(raw_copy):
    assert (raw_copy / "national").is_dir()
    (raw_copy / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(AuditDataError, match="extra.csv: file in the package folder is not described"):
        load_audit(raw_copy)


# --------------------------------------------------------------------------- traced to the compilation's quotes

NUMBER_WORDS = {
    w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"])
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _numbers(text: str) -> set[int]:
    found = {int(d) for d in re.findall(r"\d+", text)}
    found |= {NUMBER_WORDS[w.lower()] for w in re.findall(r"[A-Za-z]+", text) if w.lower() in NUMBER_WORDS}
    return found


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


#: Words that bound a share or a count, and the bounds they give out of ``of`` (README, "How the figures were written").
BOUND_RULES: tuple[tuple[str, object], ...] = (
    (r"\bover half\b", lambda m, of: (of // 2 + 1, None)),
    (r"\bjust over a quarter\b", lambda m, of: (of // 4 + 1, None)),
    (r"\b(?:almost|just under) (\d+) ?(?:%|percent|per cent)", lambda m, of: (None, _ceil(int(m[1]) * of, 100) - 1)),
    (r"\bnearly half\b", lambda m, of: (None, _ceil(of, 2) - 1)),
    (r"\balmost (\d+) (?!%|percent|per cent)", lambda m, of: (None, int(m[1]) - 1)),
    (r"\bthree[ -]quarters\b", lambda m, of: (_ceil(5 * of, 8), 7 * of // 8)),
    (r"\bone in five\b", lambda m, of: (_ceil(of, 10), 3 * of // 10)),
    (r"\ba third\b", lambda m, of: (_ceil(of, 6), of // 2)),
)


@needs_compilation
def test_every_document_of_the_compilation_has_a_package_or_a_reason():
    documents = {p.stem for p in FORCES.glob("*.json")}
    assert set(PACKAGES) | WITHOUT_PACKAGE == documents and not set(PACKAGES) & WITHOUT_PACKAGE
    readme = (NATIONAL / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", readme, flags=re.M))
    assert listed == WITHOUT_PACKAGE


@needs_compilation
@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_says_what_its_document_says(name):
    doc = json.loads((FORCES / f"{name}.json").read_text(encoding="utf-8"))
    meta = audit(name)
    assert (meta["id"], meta["force"], meta["title"]) == (name, doc["force"], doc["document_title"])
    assert doc["publication_date"].startswith(meta["published"])
    if doc["grade_scale"] is not None:
        assert meta["grades"] == doc["grade_scale"]
    quoted = {s["url_or_title"] for s in doc["sources"]}
    cited = {r["source"] for r in rows(name)}
    listed = [s["url"] for s in meta["sources"]]
    assert cited <= set(listed) <= quoted and len(listed) == len(set(listed))
    official = all("justiceinspectorates.gov.uk" in u for u in cited)
    assert (meta["licence"] == "OGL-UK-3.0") == official
    assert official or "news reports" in meta["licence"]


@needs_compilation
@pytest.mark.parametrize("name", PACKAGES)
def test_each_row_is_a_quote_of_its_source_and_its_figure_is_in_the_quote(name):
    doc = json.loads((FORCES / f"{name}.json").read_text(encoding="utf-8"))
    quotes: dict[str, list[str]] = {}
    for s in doc["sources"]:
        quotes.setdefault(s["url_or_title"], []).append(_norm(s["quote"]))
    everything = " ".join(q for qs in quotes.values() for q in qs)
    for i, row in enumerate(rows(name), start=1):
        where = f"{name}, row {i}"
        wording = _norm(row["wording"])
        assert wording and any(wording in q for q in quotes[row["source"]]), where
        if row["of"]:
            assert int(row["of"]) in _numbers(everything), where
        if row["count"]:
            n = int(row["count"])
            assert (
                n in _numbers(wording) or (n == 0 and wording.startswith("None")) or (n == int(row["of"]) and "all of them" in wording)
            ), where
        elif row["percent"]:
            assert re.search(rf"\b{re.escape(row['percent'])} ?(%|percent|per cent)", wording), where
        else:
            matched = [(rule, m) for rule, m in ((rule, re.search(pattern, wording, flags=re.I)) for pattern, rule in BOUND_RULES) if m]
            assert len(matched) == 1, (where, wording)
            rule, m = matched[0]
            low, high = rule(m, int(row["of"]))
            assert (row["at_least"] or None, row["at_most"] or None) == (
                str(low) if low is not None else None,
                str(high) if high is not None else None,
            ), where


@needs_compilation
def test_the_percent_only_documents_say_their_case_count_is_unknown():
    percent_only = {n for n in PACKAGES if json.loads((FORCES / f"{n}.json").read_text(encoding="utf-8"))["percentages_only"]}
    unknown = {n for n in PACKAGES if not all(r["of"] for r in rows(n))}
    assert unknown == {n for n, e in EXPECTED.items() if e == N_UNKNOWN} and unknown <= percent_only
    for name in unknown:
        assert audit(name)["samples"] == N_UNKNOWN_FORM["samples"]
        assert all(r["percent"] and not r["of"] and r["sample"] == "all" for r in rows(name))
