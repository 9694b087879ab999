"""Every audit's report in its own true words: each fixture package's notebook copies and summary page, read sentence by sentence.

A report is rendered for every fixture package that loads (the shapes of tests/fixtures/packages/,
among them a pair with exactly one consistent table, a document printing percentages with no case
count, and a practice area that is a sub-sample of the cases). Every sentence they show is
collected and checked: no ``nan``/``inf``, no "1 tables", no negative count of cases, no range whose
two ends are the same; every number in a "whatever the pairing"/"at least"/"at most" sentence is the
matching end of the published range; and no words that belong to Gwent's package alone.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis.data.audit_package import parse_audit_json
from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.data.paths import RAW_DIR
from analysis.narrative import self_assessment as sa_text
from analysis.narrative.audit import shares_sentence
from analysis.narrative.style import direction, fixed, span, tables_fit
from analysis.sections import self_assessment as sa
from analysis.sections.audit import grade_shares

PACKAGES = Path(__file__).parents[1] / "fixtures" / "packages"
#: Every fixture package that loads (sums_do_not_close is refused, by design).
LOADABLE = sorted(p.name for p in PACKAGES.iterdir() if (p / "datapackage.json").is_file() and p.name != "sums_do_not_close")

#: Words that belong to Gwent's package only: its name, its statute, its practice areas' labels.
GWENT_WORDS = ("Gwent", "Children Act", *pd.read_csv(RAW_DIR / "practice_areas.csv")["label"])
#: What may be said of how cases were chosen only where the package quotes its document saying so.
SELECTION_WORDS = ("random sample", "drawn at random", "chosen at random", "selected at random", "the report says they were")


@pytest.fixture(scope="module")
def reports(package_report) -> dict[str, Path]:
    """A report (Quarto stubbed) for every loadable fixture package: the run's shared reports (``package_report`` in conftest)."""
    return {name: package_report(name) for name in LOADABLE}


def _texts(folder: Path) -> list[str]:
    """Every piece of prose a report shows: markdown cells and Markdown/plain outputs of every notebook copy, and the summary page's text."""
    texts = []
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                texts.append(cell.source)
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "text/markdown" in data:
                    texts.append(data["text/markdown"])
                elif "text/plain" in data and "image/svg+xml" not in data and "image/png" not in data:
                    texts.append(data["text/plain"])
                elif out.get("output_type") == "stream":
                    texts.append(out["text"])
    page = (folder / "index.html").read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    texts.append(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    return texts


def _sentences(folder: Path) -> list[str]:
    return [s.strip() for t in _texts(folder) for s in re.split(r"(?<=[.!?:])\s+|\n+", t) if s.strip()]


@pytest.mark.parametrize("name", LOADABLE)
def test_no_sentence_shows_nan_inf_a_singular_plural_a_negative_count_or_a_range_of_one_value(reports, name):
    for s in _sentences(reports[name]):
        assert not re.search(r"\b(nan|NaN|inf)\b", s), (name, s)
        assert not re.search(r"\b1 (tables|ways|pairings|identities|areas|practice areas|forces)\b", s), (name, s)
        assert not re.search(r"[−-]\d+ (more|fewer|of the|cases)\b", s), (name, s)
        assert not re.search(r"\bbetween ([−-]?[\d.,]+%?) and \1(?![\d.])", s), (name, s)
        assert "from 0.00 to 0.00" not in s and "−0.00" not in s, (name, s)


@pytest.mark.parametrize("name", LOADABLE)
def test_every_number_said_to_hold_whatever_the_pairing_is_the_matching_end_of_its_range(reports, name):
    processed = reports[name] / "processed"
    if not (processed / "identified.csv").is_file():
        return
    q = pd.read_csv(processed / "identified.csv").set_index("quantity")
    n = int(load_audit(PACKAGES / name).size("force_selected", "force"))
    checked = 0
    for s in _sentences(reports[name]):
        m = re.search(r"at least (\d+) of the (\d+) cases better", s)
        if m and "Cases the force" not in s:
            assert int(m.group(1)) == round(q.loc["n_force_better", "low"]) and int(m.group(2)) == n, (name, s)
            checked += 1
        m = re.search(r"at most (\d+) of the \d+ cases\)?", s)
        if m and "better" in s and "at least" in s:
            assert int(m.group(1)) == round(q.loc["n_force_better", "high"]), (name, s)
        m = re.search(r"graded (\d+) (more|fewer) of the same cases \S+ than the inspectors did, whatever the pairing", s)
        if m:
            low, high = (round(q.loc["good_gap", e] * n) for e in ("low", "high"))
            assert low == high and abs(low) == int(m.group(1)) and (m.group(2) == "more") == (low > 0), (name, s)
            checked += 1
        m = re.search(r"on average ([\d.]+) points (higher|lower), whatever the pairing", s)
        if m:
            low, high = q.loc["mean_score_gap", "low"], q.loc["mean_score_gap", "high"]
            assert fixed(low, 2) == fixed(high, 2) and fixed(abs(low), 2) == m.group(1) and (m.group(2) == "higher") == (low > 0), (name, s)
            checked += 1
        m = re.search(r"between ([\d.]+) and ([\d.]+) points (higher|lower)", s)
        if m:
            low, high = sorted(abs(q.loc["mean_score_gap", e]) for e in ("low", "high"))
            assert (m.group(1), m.group(2)) == (fixed(low, 2), fixed(high, 2)), (name, s)
            checked += 1
    assert checked >= 3, f"{name}: the identified facts were not found in its report"


@pytest.mark.parametrize("name", LOADABLE)
def test_no_report_but_gwents_speaks_of_gwent_or_of_a_selection_its_document_does_not_state(reports, name):
    meta = load_audit(PACKAGES / name).meta
    for s in _sentences(reports[name]):
        for word in GWENT_WORDS:
            assert word.lower() not in s.lower(), (name, word, s)
        if not meta.selection:
            # "as if drawn at random" declares the analysis's model (the Methods page's sampling model), not how cases were chosen
            claim = s.replace("as if drawn at random", "")
            for word in SELECTION_WORDS:
                assert word not in claim, (name, word, s)


@pytest.mark.parametrize("name", LOADABLE)
def test_the_summary_page_is_self_contained_and_links_every_table_and_notebook(reports, name):
    page = (reports[name] / "index.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<style>" in page
    loads = re.findall(
        r"""(?:src|srcset)\s*=\s*["']([^"']*)|<link\b[^>]*href=["']([^"']*)|@import\s+(?:url\()?["']?([^"')\s;]*)|url\(\s*["']?([^"')]*)""",
        page,
    )
    for found in loads:
        target = next(x for x in found if x)
        assert not re.match(r"(https?:)?//", target), (name, target)
    contents = pd.read_csv(reports[name] / "processed" / "contents.csv", keep_default_na=False)
    for table in contents.loc[contents["published"] == "yes", "table"]:
        assert f'href="processed/{table}"' in page, (name, table)
    for nb in (reports[name] / "notebooks").glob("*.ipynb"):
        assert f'href="notebooks/{nb.name}"' in page, (name, nb.name)


def test_a_summary_page_escapes_what_the_package_says(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    doc = json.loads((PACKAGES / "overall_only" / "audit.json").read_text(encoding="utf-8"))
    doc["title"] = "Figures <script>alert(1)</script> & more"
    (folder / "audit.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "figures.csv").write_bytes((PACKAGES / "overall_only" / "figures.csv").read_bytes())
    from analysis.data.package import update_hashes

    update_hashes(folder)
    from analysis.data.load import load_audit as load
    from analysis.pipeline import process
    from analysis.report import summary_page

    process(folder, tmp_path / "out" / "processed")
    page = summary_page(folder, tmp_path / "out" / "processed", [], tmp_path / "out").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "<" not in heading and html.unescape(heading) == "Figures <script>alert(1)</script> & more"
    assert load(folder).meta.title in html.unescape(page)


# --------------------------------------------------------------------------- the shapes the new fixtures stand for


def test_one_table_is_said_in_the_singular_with_point_values(reports):
    text = " ".join(_sentences(reports["one_table"]))
    assert "Exactly one table of whole cases fits the published totals" in text
    assert "Only one way of matching them" in text
    assert "gamma is undefined on every table" in text and "one of the two gradings puts every case in the same grade" in text
    assert "the two gradings agree on 12 (60%) under every pairing" in text


def test_a_percent_only_document_is_reported_as_printed_with_no_count(reports):
    shares = pd.read_csv(reports["percent_only"] / "processed" / "grade_shares.csv")
    assert shares[["low", "high", "of", "ci_low", "ci_high"]].isna().all().all()
    assert shares["share_low"].tolist() == [0.22, 0.41] and shares["grade"].tolist() == ["good", "inadequate"]
    contents = pd.read_csv(reports["percent_only"] / "processed" / "contents.csv", keep_default_na=False).set_index("table")
    assert contents.loc["grade_counts.csv", "published"] == "no" and "n_unknown" in contents.loc["grade_counts.csv", "reason"]
    assert "given as printed, with no count and no interval" in " ".join(_sentences(reports["percent_only"]))


def test_areas_that_do_not_partition_are_area_figures_never_the_case_list(reports):
    contents = pd.read_csv(reports["sub_sample_area"] / "processed" / "contents.csv", keep_default_na=False).set_index("table")
    assert contents.loc["area_grades.csv", "published"] == "yes" and contents.loc["cases.csv", "published"] == "no"
    assert "areas_partition" in contents.loc["cases.csv", "reason"]
    text = " ".join(_sentences(reports["sub_sample_area"]))
    assert "in one practice area (11 cases) of the 33 audited cases" in text and "no list of cases is made" in text


def test_gwents_areas_still_partition_its_80_cases_into_a_case_list():
    from analysis.narrative.audit import areas_sentence
    from analysis.pipeline import build_stage

    data = load_audit()
    tables = build_stage("audit", data)
    assert len(tables["cases.csv"]) == 80
    assert areas_sentence(tables["grade_counts.csv"], tables["cases.csv"]).startswith(
        "The report breaks all 80 cases into 8 practice areas, from"
    )


# --------------------------------------------------------------------------- grade_shares.csv against a library and the closed form


def test_grade_shares_are_clopper_pearson_where_pinned_and_the_union_over_the_range_where_open():
    from scipy.stats import binomtest

    for name in ("overall_only", "percentages", "inequality"):
        data = load_audit(PACKAGES / name)
        shares = grade_shares(data)
        assert list(shares.columns) == [
            "sample",
            "rater",
            "area",
            "grade",
            "low",
            "high",
            "of",
            "share_low",
            "share_high",
            "ci_low",
            "ci_high",
        ]
        for r in shares.itertuples(index=False):
            intervals = [binomtest(k, int(r.of)).proportion_ci(0.95, method="exact") for k in range(int(r.low), int(r.high) + 1)]
            assert np.isclose(r.ci_low, min(i.low for i in intervals), atol=1e-9), (name, r)
            assert np.isclose(r.ci_high, max(i.high for i in intervals), atol=1e-9), (name, r)
            assert np.isclose(r.share_low, r.low / r.of) and np.isclose(r.share_high, r.high / r.of)


def test_the_shares_sentence_says_what_the_intervals_reach_only_as_the_document_allows():
    data = load_audit(PACKAGES / "four_point")
    text = shares_sentence(grade_shares(data), data.meta)
    assert "every count pinned" in text and "cannot show" in text and "random" not in text
    gwent = load_audit()
    said = shares_sentence(grade_shares(gwent), gwent.meta)
    assert "the document says the cases were drawn at random" not in said  # Gwent's inspectors chose some of the cases themselves


# --------------------------------------------------------------------------- sentences moved across every threshold


def _identified(better, good, score, share_ci=0.3):
    rows = [
        ("n_force_better", *better, np.nan, np.nan),
        ("share_force_better", better[0] / 30, better[1] / 30, share_ci, np.nan),
        ("good_gap", good[0] / 30, good[1] / 30, good[0] / 30 - 0.2, good[1] / 30 + 0.2),
        ("mean_score_gap", *score, score[0] - 0.3, score[1] + 0.3),
    ]
    return pd.DataFrame(rows, columns=["quantity", "low", "high", "ci_low", "ci_high"])


@pytest.mark.parametrize(
    ("good", "want"),
    [
        ((8, 8), "graded 8 more of the same cases good than the inspectors did, whatever the pairing"),
        ((-8, -8), "graded 8 fewer of the same cases good than the inspectors did, whatever the pairing"),
        ((0, 0), "graded as many of the same cases good, whatever the pairing"),
        ((8, 9), "between 8 and 9 more of the same cases good"),
        ((-9, -8), "between 8 and 9 fewer of the same cases good"),
        ((-7, 17), "runs from 7 fewer to 17 more"),
        ((0, 17), "runs from 0 more to 17 more"),
    ],
)
def test_the_gap_in_the_best_grade_follows_both_ends(good, want):
    facts = sa_text.identified_facts(_identified((5, 9), good, (0.2, 0.2)), 30, ("good", "requires improvement", "inadequate"))
    assert want in facts[1], facts[1]
    if good[0] <= 0 <= good[1] and good != (0, 0):
        assert "no direction holds" in facts[1]
    if good[0] < good[1]:
        assert "whatever the pairing" not in facts[1]


@pytest.mark.parametrize(
    ("score", "want"),
    [
        ((0.5, 0.5), "on average 0.50 points higher, whatever the pairing"),
        ((-0.45, -0.45), "on average 0.45 points lower, whatever the pairing"),
        ((0.0, 0.0), "the same on average"),
        ((0.2, 0.6), "between 0.20 and 0.60 points higher"),
        ((-0.24, 0.56), "from −0.24 to 0.56 points above the inspectors', depending on the totals"),
    ],
)
def test_the_mean_score_gap_follows_both_ends(score, want):
    facts = sa_text.identified_facts(_identified((5, 9), (8, 8), score), 30, ("good", "requires improvement", "inadequate"))
    assert want in facts[2], facts[2]
    if score[0] < 0 < score[1]:
        assert "higher," not in facts[2].split("(")[0].replace("neither higher nor lower", "")


def test_at_least_is_not_said_of_zero_and_the_sample_is_introduced_as_the_package_allows():
    grades = ("good", "requires improvement", "inadequate")
    none_better = sa_text.identified_facts(_identified((0, 4), (2, 2), (0.1, 0.1), share_ci=0.0), 30, grades)[0]
    assert "at least 0" not in none_better and "no case is graded better under every pairing" in none_better
    said = sa_text.identified_facts(_identified((5, 9), (8, 8), (0.5, 0.5)), 30, grades, said_random=True)[0]
    silent = sa_text.identified_facts(_identified((5, 9), (8, 8), (0.5, 0.5)), 30, grades)[0]
    assert "the random sample the report says they were" in said and "random" not in silent


def test_direction_words_need_both_ends_and_ranges_say_one_value_when_the_ends_agree():
    assert direction(0.1, 0.5, "more", "fewer") == "more" and direction(-0.5, -0.1, "more", "fewer") == "fewer"
    assert (
        direction(-0.1, 0.5, "more", "fewer") is None
        and direction(0, 0.5, "more", "fewer") is None
        and direction(0, 0, "up", "down") is None
    )
    assert span(8, 8) == "8" and span(8, 9) == "between 8 and 9" and span(1, 2, joiner="to") == "from 1 to 2"
    assert tables_fit(1) == "exactly one table of whole cases fits" and tables_fit(2) == "two tables of whole cases fit"
    assert sa_text.listed_intro(1).startswith("Exactly one table of whole cases fits") and sa_text.listed_intro(28).startswith(
        "Exactly 28 tables"
    )


@pytest.mark.parametrize(
    ("lo", "hi", "want"),
    [
        (3, 3, "graded exactly 3 of the 20 cases better"),
        (3, 5, "at least 3 of the 20 cases better than HMICFRS did (and at most 5)"),
    ],
)
def test_count_verdicts_say_exactly_when_the_ends_agree(lo, hi, want):
    assert want in sa_text.verdict("n_force_better", lo, hi, 20)


def test_undefined_measures_are_said_with_the_reason_and_zero_width_intervals_are_not_given():
    assert "undefined" in sa_text.verdict("cohen_kappa", np.nan, np.nan, 20).lower() and "nan" not in sa_text.verdict(
        "cohen_kappa", np.nan, np.nan, 20
    )
    text = sa_text.verdict("cohen_kappa", 0.0, 0.0, 20, (-1e-12, 1e-12))
    assert "sampling error" not in text and "(0.00)" in text
    assert "from 0.10 to 0.30" in sa_text.verdict("cohen_kappa", 0.1, 0.3, 20, (0.1, 0.3), said_random=False)
    alpha = sa_text.verdict("krippendorff_alpha_ordinal", 0.5, 0.7, 20)
    assert "from below 0.667 to between 0.667 and 0.8, depending on the pairing" in alpha


# --------------------------------------------------------------------------- audit.json: what a document states


def _audit(**extra) -> str:
    doc = json.loads((PACKAGES / "overall_only" / "audit.json").read_text(encoding="utf-8"))
    doc.update(extra)
    return json.dumps(doc)


def test_audit_json_carries_the_documents_own_sentence_on_selection_and_unknown_sizes():
    meta = parse_audit_json(
        _audit(
            samples={
                "force_selected": {"selection": {"quote": "They were chosen at random.", "source": "p. 4", "random": True}},
                "all": {"n_unknown": True},
            }
        ),
        "audit.json",
    )
    assert meta.said_random("force_selected") and not meta.said_random("inspectorate_selected") and meta.n_unknown == {"all"}
    assert load_audit().meta.said_random() and not load_audit(PACKAGES / "four_point").meta.selection


@pytest.mark.parametrize(
    ("samples", "problem"),
    [
        ({"everyone": {"n_unknown": True}}, "unknown sample in samples"),
        ({"all": {"n_unknown": False}}, "samples.all.n_unknown must be true"),
        ({"all": {"selection": {"quote": "x", "source": "y"}}}, "samples.all.selection is not {quote, source, random}"),
        ({"all": {"selection": {"quote": "x", "source": "y", "random": "yes"}}}, "samples.all.selection is not {quote, source, random}"),
        ({"all": {}}, "samples.all is not usable"),
        ([], "samples must be an object"),
    ],
)
def test_bad_samples_in_audit_json_are_refused_in_one_line(samples, problem):
    with pytest.raises(AuditDataError, match=re.escape(problem)):
        parse_audit_json(_audit(samples=samples), "audit.json")


def test_an_empty_of_is_refused_unless_the_sample_is_said_to_be_of_unknown_size(tmp_path):
    from analysis.data.package import update_hashes

    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "audit.json").write_bytes((PACKAGES / "overall_only" / "audit.json").read_bytes())
    (folder / "figures.csv").write_text(
        "sample,rater,area,grades,count,percent,at_least,at_most,of,wording,source\nall,inspectorate,,good,,22,,,,22% good,made up\n",
        encoding="utf-8",
    )
    update_hashes(folder)
    with pytest.raises(AuditDataError, match=r"figures.csv, row 1 \(line 2\), column 'of': missing value: .*n_unknown"):
        load_audit(folder)
    (folder / "audit.json").write_text(_audit(samples={"all": {"n_unknown": True}}), encoding="utf-8")
    (folder / "figures.csv").write_text(
        "sample,rater,area,grades,count,percent,at_least,at_most,of,wording,source\nall,inspectorate,,good,5,,,,,5 good,made up\n",
        encoding="utf-8",
    )
    update_hashes(folder)
    with pytest.raises(AuditDataError, match="a sample of unknown size can only be given as printed percentages"):
        load_audit(folder)


# --------------------------------------------------------------------------- frictions


def test_a_missing_descriptor_names_hashes_update(tmp_path, capsys):
    from analysis.cli import main

    (tmp_path / "pkg").mkdir()
    assert main(["process", "--raw", str(tmp_path / "pkg"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "datapackage.json" in err and "hashes --update" in err


def test_hashes_update_describes_every_file_it_can_read_and_refuses_one_it_cannot(tmp_path, capsys):
    from analysis.cli import main

    folder = tmp_path / "pkg"
    folder.mkdir()
    for name in ("audit.json", "figures.csv"):
        (folder / name).write_bytes((PACKAGES / "overall_only" / name).read_bytes())
    for name in ("source.csv",):
        (folder / name).write_bytes((RAW_DIR / name).read_bytes())
    assert main(["hashes", "--update", "--raw", str(folder)]) == 0
    described = {r["name"] for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    assert described == {"audit", "figures", "source"}
    assert load_audit(folder).extra("source") is not None
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = (folder / "datapackage.json").read_bytes()
    assert main(["hashes", "--update", "--raw", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "notes.csv" in err and "does not know how to read" in err and err.count("\n") == 1
    assert (folder / "datapackage.json").read_bytes() == before


def test_arithmetic_refusals_give_the_file_lines():
    from analysis.data.audit_package import _rows_text

    assert _rows_text([5, 6, 7, 8, 12]) == "rows 5–8, 12 (lines 6–9, 13)" and _rows_text([3]) == "row 3 (line 4)"


def test_a_successful_report_prints_no_kernel_error(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--raw", str(PACKAGES / "overall_only"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        env={**__import__("os").environ, "QUARTO": "/nonexistent/quarto"},
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr + result.stdout and "KeyboardInterrupt" not in result.stderr + result.stdout
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_fragility_no_moves_can_reach_is_said_with_why():
    table = sa.sensitivity_table(np.array([20, 0, 0]), np.array([0, 0, 20])).set_index("quantity")
    assert np.isnan(table.loc["sign_test_moves_to_lose_significance", "value"])
    assert table.loc["sign_test_moves_to_lose_significance", "detail"].startswith("not reachable: even with every one")
    reachable = sa.sensitivity_table(np.array([27, 6, 0]), np.array([10, 17, 6])).set_index("quantity")
    assert reachable.loc["sign_test_moves_to_lose_significance", "detail"] == "17/10/6"


def test_the_data_dictionary_says_the_cases_were_random_only_for_a_package_whose_document_says_so(gwent_payload):
    from analysis.pipeline import payload

    gwent = gwent_payload["datapackage.json"].decode("utf-8")  # payload(load_audit()), computed once per run
    other = payload(load_audit(PACKAGES / "four_point"))["datapackage.json"].decode("utf-8")
    assert "the report says they were drawn at random" in gwent and "the report says they were drawn at random" not in other
