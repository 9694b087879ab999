"""The national table: Gwent joined from our raw data, treatment of flagged and partial rows, funnels, views and the stage."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import load_edited

from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.data.publish import package_header, serialise
from analysis.pipeline import stage
from analysis.sections import national as nat

COUNT_COLS = ["n_cases", "good", "requires_improvement", "inadequate"]


@pytest.fixture(scope="module")
def data():
    return load_audit()


@pytest.fixture(scope="module")
def docs(data):
    return nat.documents(data)


@pytest.fixture(scope="module")
def table(docs):
    return nat.national_table(docs).set_index("document_id")


def edit_row(raw_dir: Path, document_id: str, **changes: str) -> None:
    """Change cells of one row of national_audits.csv in a scratch copy of data/raw."""
    path = raw_dir / "national_audits.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    hits = [r for r in rows if r["document_id"] == document_id]
    assert len(hits) == 1, document_id
    hits[0].update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_gwent_comes_from_our_raw_data(data, docs):
    raw = data.national_audits
    assert "Gwent" not in set(raw["force"])
    gwent = docs.loc[docs["is_gwent"]].iloc[0]
    assert gwent["n_cases"] == data.total("cases_all")
    for grade, n in zip(("good", "requires_improvement", "inadequate"), data.counts("all", "inspectorate"), strict=True):
        assert gwent[grade] == n
    cs = data.case_samples.astype({"grade": str})
    force = cs[(cs["sample"] == "force_selected") & (cs["assessor"] == "force")].set_index("grade")["n"]
    hmic = cs[(cs["sample"] == "force_selected") & (cs["assessor"] == "hmicfrs")].set_index("grade")["n"]
    assert (gwent["self_force_good"], gwent["self_force_ri"], gwent["self_force_inadequate"]) == tuple(
        force[["good", "requires improvement", "inadequate"]]
    )
    assert (gwent["self_hmicfrs_good"], gwent["self_hmicfrs_ri"], gwent["self_hmicfrs_inadequate"]) == tuple(
        hmic[["good", "requires improvement", "inadequate"]]
    )
    assert gwent["n_self_assessed"] == data.total("cases_force_selected")
    assert gwent["source_url"] == data.source["url"] and not gwent["secondary"]
    assert gwent["year"] == int(str(data.source["publication_month"])[:4])


def test_every_raw_row_appears_once_in_the_processed_table(data, docs, table):
    raw = data.national_audits
    assert len(table) == len(raw) + 1
    assert set(raw["document_id"]) | {docs.loc[docs["is_gwent"], "document_id"].iloc[0]} == set(table.index)


def test_old_scale_and_new_framework_rows_stay_out_of_every_comparison(docs, table):
    for doc_id, row in table.iterrows():
        if row["grade_scale"] != nat.CURRENT_SCALE:
            assert row["treatment"] in ("excluded_scale", "excluded_framework"), doc_id
            assert not row["in_funnel_good"] and not row["in_funnel_inadequate"], doc_id
            assert pd.isna(row["share_good"]) and pd.isna(row["share_inadequate"]), doc_id
    assert set(table.loc[table["year"] <= 2015, "treatment"]) == {"excluded_scale"}
    assert not (set(nat.before_after(docs)["document_id"]) & set(table.index[table["treatment"].str.startswith("excluded")]))


def test_funnels_hold_full_inspections_only(table):
    on_funnel = table["in_funnel_good"] | table["in_funnel_inadequate"]
    assert set(table.loc[on_funnel, "document_type"]) == {"inspection"}
    assert table.loc[table["document_type"] != "inspection", ["in_funnel_good", "in_funnel_inadequate"]].sum().sum() == 0
    assert table.loc[on_funnel, "treatment"].isin(nat.USABLE).all()


def test_partial_rows_enter_only_the_funnel_whose_count_is_stated(table):
    lancs, glos = table.loc["lancashire_2018_inspection"], table.loc["gloucestershire_2017_inspection"]
    assert lancs["treatment"] == glos["treatment"] == "partial"
    assert lancs["in_funnel_inadequate"] and not lancs["in_funnel_good"]
    assert glos["in_funnel_good"] and not glos["in_funnel_inadequate"]
    assert pd.isna(glos["share_inadequate"]) and pd.isna(glos["share_requires_improvement"])
    assert glos["share_good"] == pytest.approx(14 / 89)
    # a combined lower-grade count is never split into its two grades
    assert pd.isna(table.loc["metropolitan_2018_update_q4", "inadequate"])
    assert pd.isna(table.loc["metropolitan_2018_update_q4", "share_good"])


def test_flagged_rows_are_treated_as_documented(docs, table):
    dorset = table.loc["dorset_2021_inspection"]
    assert dorset["treatment"] == "used_with_caution" and "conflicting_count" in dorset["flags"]
    assert dorset["inadequate"] == 28 and dorset["in_funnel_inadequate"]  # the count that adds up, not 23
    assert docs.set_index("document_id").loc["dorset_2021_inspection", "inadequate_alternative"] == 23
    met = table.loc["metropolitan_2016_inspection"]
    assert met["treatment"] == "excluded_inconsistent" and not (met["in_funnel_good"] or met["in_funnel_inadequate"])
    wy = nat.self_assessment(docs).set_index("document_id").loc["west_yorkshire_2015_inspection"]
    assert (wy["hmicfrs_total"], wy["n_self_assessed"], bool(wy["counts_add_up"])) == (34, 33, False)
    assert wy["hmicfrs_share"] == pytest.approx((9 + 8) / 34)  # share over the published counts' own total


def test_funnel_target_leaves_gwent_out(docs):
    for measure in nat.FUNNEL_MEASURES:
        points = nat.funnel_points(docs, measure)
        assert points["is_gwent"].sum() == 1
        others = points.loc[~points["is_gwent"]]
        est = nat.funnel_target(points)
        assert (est.cases, est.n, est.units) == (others["count"].sum(), others["n"].sum(), len(others))


def test_shares_and_positions(table):
    used = table.loc[table["treatment"].isin(["used", "used_with_caution"])]
    assert ((used["good"] + used["requires_improvement"] + used["inadequate"]) == used["n_cases"]).all()
    assert (used["share_inadequate"] == used["inadequate"] / used["n_cases"]).all()
    assert (
        (used["wilson_low_inadequate"] <= used["share_inadequate"]) & (used["share_inadequate"] <= used["wilson_high_inadequate"])
    ).all()
    for measure in nat.FUNNEL_MEASURES:
        on = table[f"in_funnel_{measure}"]
        assert table.loc[on, f"funnel_{measure}_position"].isin(nat.funnel.POSITIONS).all()
        assert table.loc[~on, f"funnel_{measure}_position"].isna().all()


def test_before_after_pairs(docs):
    pairs = nat.before_after(docs)
    assert set(pairs["force"]) == {"Dorset", "North Yorkshire", "Suffolk", "Warwickshire"}
    for _, part in pairs.groupby("force"):
        assert part["stage"].iloc[0] == "inspection" and (part["stage"].iloc[1:] == "follow-up").all()
    unmatched = nat.unmatched_follow_ups(docs).set_index("force")
    assert set(unmatched.index) == {"Leicestershire", "Metropolitan Police"}
    assert "excluded_inconsistent" in unmatched.loc["Metropolitan Police", "unusable"]


def test_self_assessment_view(docs):
    view = nat.self_assessment(docs).set_index("force")
    assert list(view["year"]) == sorted(view["year"])
    assert set(view.index) == {"Gwent", "West Yorkshire", "Metropolitan Police"}
    assert view.loc["Gwent", "force_share"] == pytest.approx(27 / 33)
    assert view.loc["Gwent", "hmicfrs_share"] == pytest.approx(10 / 33)
    met = view.loc["Metropolitan Police"]
    assert met["force_basis"] == met["hmicfrs_basis"] == "percentage"
    assert met["hmicfrs_share"] == pytest.approx(0.24)


def test_coverage_partitions_the_forces(data, docs):
    cov = nat.force_coverage(data, docs)
    assert len(cov.all_forces) == 43
    groups = [set(cov.full), set(cov.partial), set(cov.missing)]
    assert sum(len(g) for g in groups) == 43 and set().union(*groups) == set(cov.all_forces)
    assert "Gwent" in cov.full and "West Yorkshire" in cov.partial
    assert list(cov.scales["grade_scale"]) == ["good_adequate_inadequate", "good_ri_inadequate", "area_judgements"]


@pytest.mark.parametrize(
    ("document_id", "changes", "problem"),
    [
        ("dorset_2021_inspection", {"inadequate": "23"}, "do not add up"),
        ("west_yorkshire_2015_inspection", {"flags": "old_scale;four_categories;count_missing"}, "self-assessed counts do not add up"),
        ("lincolnshire_2019_inspection", {"flags": "sum_mismatch"}, "flag sum_mismatch but the counts add up"),
        ("lancashire_2018_inspection", {"treatment": "used"}, "needs the number of cases and all three counts"),
        ("lancashire_2018_inspection", {"flags": "conflicting_date"}, "partial needs"),
        ("surrey_2015_inspection", {"treatment": "partial"}, "2014-15 scale"),
        ("lincolnshire_2019_inspection", {"inadequate_alternative": "20"}, "not flagged conflicting_count"),
        ("dorset_2021_inspection", {"treatment": "used"}, "cannot be plainly used"),
        ("suffolk_2022_inspection", {"treatment": "used_with_caution"}, "needs a flagged conflicting figure"),
        ("humberside_2018_review", {"n_cases": "30", "good": "8", "treatment": "excluded_no_counts"}, "percentage and no counts"),
        ("gloucestershire_2017_inspection", {"ri_or_inadequate": "70"}, "good and the combined count"),
        ("avon_and_somerset_2023_inspection", {"force": "Gwent"}, "Gwent is taken from this project's own raw data"),
        ("leicestershire_2018_review", {"pct_good_stated": "153"}, "value above the maximum"),
    ],
)
def test_inconsistent_rows_are_refused(raw_copy, document_id, changes, problem):
    edit_row(raw_copy, document_id, **changes)
    with pytest.raises(AuditDataError, match=problem) as err:
        load_edited(raw_copy)
    assert "national_audits.csv" in str(err.value) and "row" in str(err.value)


def test_schema_errors_name_file_row_and_column(raw_copy):
    edit_row(raw_copy, "cheshire_2023_review", treatment="ignored")
    with pytest.raises(AuditDataError, match="treatment"):
        load_edited(raw_copy)


def test_stage_writes_deterministic_tables_matching_their_specs(data, tmp_path):
    s = stage("national")
    built = s.build(data)
    specs = {t.path: t for t in s.specs(data)}
    assert (
        set(built)
        == set(specs)
        == {"national_audits.csv", "funnel_limits.csv", "funnel_dispersion.csv", "funnel_limits_overdispersed.csv", "funnel_positions.csv"}
    )
    for name, frame in built.items():
        assert list(frame.columns) == list(specs[name].columns)
    header = package_header(data.descriptor)
    first, second = serialise(built, specs, data.grades, header), serialise(s.build(data), specs, data.grades, header)
    assert first == second
    limits = built["funnel_limits.csv"]
    assert set(limits["measure"]) == set(nat.FUNNEL_MEASURES) and limits["n"].min() == min(nat.FUNNEL_N)
    dictionary = json.loads(first["datapackage.json"])
    types = {f["name"]: f["type"] for r in dictionary["resources"] if r["path"] == "national_audits.csv" for f in r["schema"]["fields"]}
    assert types["n_cases"] == "integer" and types["in_funnel_good"] == "boolean" and types["share_good"] == "number"


def test_sensitivity_swaps_only_the_cautioned_figure(docs):
    alt = nat.with_alternative_counts(docs).set_index("document_id")
    base = docs.set_index("document_id")
    changed = [d for d in base.index if not base.loc[d, COUNT_COLS].equals(alt.loc[d, COUNT_COLS])]
    assert changed == ["dorset_2021_inspection"]
    assert alt.loc["dorset_2021_inspection", "inadequate"] == 23
    assert alt.loc["metropolitan_2016_inspection", "n_cases"] == 374  # excluded rows are never swapped


def test_funnel_summary(docs):
    s = nat.funnel_summary(docs, "inadequate")
    assert bool(s.gwent["is_gwent"]) and s.gwent["count"] == 23 and s.gwent["n"] == 80
    (lo95, hi95), (lo998, hi998) = s.gwent_limits[0.95], s.gwent_limits[0.998]
    assert lo998 < lo95 < s.target.share < hi95 < hi998
    inside = lo95 <= s.gwent["share"] <= hi95
    assert (s.gwent["position"] == "within_95") == inside
    assert 0 < s.max_method_gap < 0.02
    assert set(s.points["position_wilson"]) <= set(nat.funnel.POSITIONS)


def test_display_tables(docs):
    table = nat.sources_table(docs)
    assert len(table) == len(docs) and list(table["Year"]) == sorted(table["Year"])
    assert table["Source"].str.startswith("<a href=").all()
    glos = table.loc[table["Force"].eq("Gloucestershire")].iloc[0]
    assert (glos["Inadequate"], glos["Requires improvement"]) == ("–", "–")
    assert "together: 75" in glos["Other figures stated"]
    view = nat.self_assessment_table(docs)
    assert "these add to 34" in view.loc[0, "The inspectors' grading of the same cases"]
    assert view["Cases self-assessed"].tolist() == [33, 132, 33]
