"""Coverage claims: computed reference figures, the join and every derived verdict, bad input, and the review tables."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import edit_figure, load_edited, replace_line

from analysis.data.errors import AuditDataError
from analysis.data.load import load_audit
from analysis.data.publish import csv_bytes
from analysis.extras.coverage import (
    AT_ODDS,
    BASIS_COMPUTED,
    BASIS_CURATED,
    CONTRADICTS,
    ELSEWHERE,
    MATCHES,
    MATCHES_ROUNDED,
    NOT_STATED,
    VERDICTS,
    check_review,
)
from analysis.narrative.coverage import review_note, verdict_summary
from analysis.pipeline import STAGES, build_stage
from analysis.sections.coverage import (
    CHECKED_COLUMNS,
    CLAIMS_TABLE_COLUMNS,
    Figure,
    check_claims,
    checked_claims,
    claims_table,
    derive_verdict,
    load_coverage,
    number_tokens,
    reference_figures,
    within,
)


@pytest.fixture(scope="module")
def data():
    return load_audit()


@pytest.fixture(scope="module")
def figures(data):
    return reference_figures(data)


@pytest.fixture(scope="module")
def checked(data):
    return checked_claims(data)


# --- reference figures: computed from the data, and they back-test against the report's printed totals


def test_figures_reproduce_the_reports_totals(data, figures):
    assert figures["cases_all"].value == data.total("cases_all") == 80
    assert [figures[f"hmicfrs_all_{g}"].value for g in ("good", "requires_improvement", "inadequate")] == [20, 37, 23]
    assert [figures[f"force_selected_force_{g}"].value for g in ("good", "requires_improvement", "inadequate")] == [27, 6, 0]
    assert [figures[f"force_selected_hmicfrs_{g}"].value for g in ("good", "requires_improvement", "inadequate")] == [10, 17, 6]
    assert [figures[f"inspectorate_selected_hmicfrs_{g}"].value for g in ("good", "requires_improvement", "inadequate")] == [10, 20, 17]
    assert figures["cases_force_selected"].value == 33 and figures["cases_inspectorate_selected"].value == 47
    assert figures["share_hmicfrs_all_good"].value == pytest.approx(25.0)
    assert figures["share_force_selected_force_good"].value == pytest.approx(100 * 27 / 33)
    assert figures["area_child_sexual_exploitation_inadequate"].value == 9
    assert figures["area_police_protection_s46_cases"].value == 6
    assert "force_selected_force_good" in figures and "inspectorate_selected_force_good" not in figures  # never graded by the force


def test_figures_for_deadlines_and_dates(figures):
    assert figures["deadline_R6"].value == "within three months"
    assert figures["deadline_R8"].value == "immediately"
    assert figures["recommendations_all"].value == 8
    assert figures["recommendations_immediately"].value + figures["recommendations_within_three_months"].value == 8
    assert figures["inspection_month"].value == "2019-02"
    assert figures["inspection_year"].value == 2019
    assert figures["publication_month"].value == "2019-06"
    assert figures["inspection_in_publication_year"].value == "yes"
    for fig in figures.values():
        assert fig.description and fig.section, fig.key
        assert type(fig.value) in (int, float, str), fig.key


def test_figures_for_the_sample_and_the_next_steps(data, figures):
    # section 4: the force's 33 cases were a random sample from throughout Gwent; Next steps: an update on the
    # immediate recommendations and an action plan within six weeks of publication, a revisit within six months
    assert data.total("cases_force_selected_random") == figures["cases_force_selected_random"].value == 33
    assert figures["force_selected_random_sample"].value == "yes"
    assert figures["cases_force_selected_random"].section == "4. Case file analysis"
    assert [figures[f"next_steps_{s}"].value for s in ("update_weeks", "action_plan_weeks", "revisit_months")] == [6, 6, 6]
    assert figures["next_steps_update_deadline"].value == figures["next_steps_action_plan_deadline"].value == "within six weeks"
    assert figures["next_steps_revisit_deadline"].value == "within six months"
    assert figures["next_steps_revisit_deadline"].section == "Summary (Conclusion); Next steps"
    assert figures["next_steps_update_deadline"].section == "Next steps"
    # the update covers the recommendations to be acted on immediately, the action plan the others (counted, not typed)
    assert "the 2 recommendations to be acted on immediately" in figures["next_steps_update_deadline"].description
    assert "other 6 recommendations" in figures["next_steps_action_plan_deadline"].description


@pytest.mark.parametrize(
    ("n", "unit", "phrase"),
    [(6, "week", "within six weeks"), (6, "month", "within six months"), (1, "month", "within one month"), (13, "week", "within 13 weeks")],
)
def test_within_phrases_a_time_limit(n, unit, phrase):
    assert within(n, unit) == phrase


# --- derive_verdict: every computed verdict and each rule

COUNT = Figure("k", 20, "a count", "Summary")
SHARE = Figure("s", 28.75, "a percentage", "Summary")
TEXT = Figure("t", "within three months", "a deadline", "8. Decision-making")


@pytest.mark.parametrize(
    ("claimed", "figure", "rule", "decimals", "expected"),
    [
        ("20", COUNT, "exact", None, MATCHES),
        ("21", COUNT, "exact", None, CONTRADICTS),
        ("20", COUNT, "rounding", 0, MATCHES),
        ("28.75", SHARE, "exact", None, MATCHES),
        ("29", SHARE, "exact", None, CONTRADICTS),
        ("29", SHARE, "rounding", 0, MATCHES_ROUNDED),
        ("28.75", SHARE, "rounding", 0, MATCHES),
        ("28.8", SHARE, "rounding", 1, MATCHES_ROUNDED),  # on the half-unit boundary: accepted
        ("28.7", SHARE, "rounding", 1, MATCHES_ROUNDED),  # rounding half down is also accepted
        ("28", SHARE, "rounding", 0, CONTRADICTS),
        ("28.6", SHARE, "rounding", 1, CONTRADICTS),
        ("30", SHARE, "rounding", 0, CONTRADICTS),
        ("within three months", TEXT, "exact", None, MATCHES),
        ("immediately", TEXT, "exact", None, CONTRADICTS),
        ("Within three months", TEXT, "exact", None, CONTRADICTS),
    ],
)
def test_derive_verdict(claimed, figure, rule, decimals, expected):
    assert derive_verdict(claimed, figure, rule, decimals) == expected


@pytest.mark.parametrize(
    ("claimed", "figure", "rule", "decimals", "message"),
    [
        ("eighty", COUNT, "exact", None, "an integer"),
        ("20.0", COUNT, "exact", None, "an integer"),
        ("about 29", SHARE, "rounding", 0, "a number"),
        ("within three months", TEXT, "rounding", 0, "rounding rule needs a numeric figure"),
        ("20", COUNT, "roughly", None, "unknown comparison rule"),
        ("29", SHARE, "rounding", None, "needs decimals"),
    ],
)
def test_derive_verdict_rejects(claimed, figure, rule, decimals, message):
    with pytest.raises(ValueError, match=message):
        derive_verdict(claimed, figure, rule, decimals)


# --- the join on the real claims


def test_checked_table_shape(checked):
    assert list(checked.columns) == list(CHECKED_COLUMNS)
    assert checked["claim_id"].is_unique
    assert set(checked["verdict"]) <= set(VERDICTS)
    assert set(checked["verdict_basis"]) == {BASIS_COMPUTED, BASIS_CURATED}
    raw = load_coverage(load_audit())["claims"]
    assert list(checked["claim_id"]) == list(raw["claim_id"])


def test_computed_claims_are_joined_to_their_figures(checked, figures):
    computed = checked[checked["verdict_basis"] == BASIS_COMPUTED]
    assert len(computed) >= 9
    for row in computed.itertuples():
        fig = figures[row.figure_key]
        assert row.reference_value == str(fig.value)
        assert row.verdict == derive_verdict(row.claimed_value, fig, row.comparison)
        assert str(fig.value) in row.report_says
    by_id = checked.set_index("claim_id")
    # the national article's 80 cases and 20/37/23 grades, and the deadlines and dates, are joined
    assert by_id.loc["000-08", "figure_key"] == "cases_all" and by_id.loc["000-08", "verdict"] == MATCHES
    assert by_id.loc[["000-09", "000-10", "000-11"], "reference_value"].tolist() == ["20", "37", "23"]
    assert by_id.loc["003-16", "reference_value"] == "immediately"
    assert by_id.loc["000-04", "reference_value"] == "2019-02"


def test_curated_claims_keep_their_verdict_and_context(checked):
    curated = checked[checked["verdict_basis"] == BASIS_CURATED]
    raw = load_coverage(load_audit())["claims"].set_index("claim_id")
    for row in curated.itertuples():
        assert row.verdict == raw.loc[row.claim_id, "curated_verdict"]
        assert row.reference_value == "" and row.figure_key == "" and row.comparison == ""
        assert row.report_says
    # text 004 is about later work: a joint inspection and, where it refers back to an HMICFRS report, the
    # post-inspection review; only the force's own account of later changes (line 18) is judged against the report
    later = checked[checked["text_id"] == "004"]
    back = later[later["verdict"] != ELSEWHERE]
    assert set(back["lines"]) <= {"18"}
    assert all("later" in c or "after the 2019 report" in c for c in later["context"])


def test_pcc_release_refers_back_to_the_post_inspection_review(checked):
    # the release is from 2020: the HMICFRS report it places earlier that year is the post-inspection review
    by_id = checked.set_index("claim_id")
    for claim in ("004-12", "004-13"):
        assert by_id.loc[claim, "verdict"] == ELSEWHERE, claim
        assert "post-inspection review" in by_id.loc[claim, "context"], claim
    assert "2020" in by_id.loc["004-12", "context"]


def test_same_quoted_words_get_the_same_verdict(checked):
    # the national article repeats the inspector's words from the press release: one verdict for both
    by_id = checked.set_index("claim_id")
    assert by_id.loc["000-18", "claimed_value"] == by_id.loc["001-07", "claimed_value"]
    assert by_id.loc["000-18", "verdict"] == by_id.loc["001-07", "verdict"] == NOT_STATED
    assert by_id.loc["000-18", "report_says"] == by_id.loc["001-07", "report_says"]


def test_every_verdict_is_enumerated_alike(data, checked):
    # the data package's allowed curated verdicts, the column description and the summary all know the fixed set
    assert data.field_enum("coverage_claims", "curated_verdict") == VERDICTS
    described = CHECKED_COLUMNS["verdict"]
    assert all(v in described for v in VERDICTS)
    for verdict in VERDICTS:
        one = checked.copy()
        one["verdict"] = verdict
        assert verdict_summary(one)  # every verdict has its wording in the summary


def test_claim_at_odds_with_the_report(checked):
    # the release says the force works well with local authority social care; chapter 6 finds information
    # sharing with children's social care weak, though partners told the inspectors joint working was strong
    row = checked.set_index("claim_id").loc["001-09"]
    assert row["verdict"] == AT_ODDS and row["verdict_basis"] == BASIS_CURATED
    assert "6. Assessment and help" in row["report_section"]
    assert "001-05" in row["context"]  # the release's own concern about information sharing
    text = verdict_summary(checked)
    k = int((checked["verdict"] == AT_ODDS).sum())
    assert f"{k} is at odds with the report" in text
    assert f"The report gives some support to {k} claim in the HMICFRS press release, but its own findings" in text


def test_paraphrases_are_not_quotations(checked):
    for text in checked["paraphrase"]:
        assert not any(q in text for q in ('"', "“", "”")), text


# --- a changed figure changes the derived verdict (end to end, through the raw files)


def _flip_all_good_by_one(raw):
    """Move one inspectorate-selected case from 'requires improvement' to 'good', consistently in every figure."""
    # figures.csv rows: 7-8 inspectorate-selected good and RI, 10-11 all cases, 13-14 section 47 enquiries
    for row, count in ((7, "11"), (8, "19"), (10, "21"), (11, "36"), (13, "5"), (14, "3")):
        edit_figure(raw, row, count=count)


def test_changed_count_flips_verdicts(raw_copy):
    _flip_all_good_by_one(raw_copy)
    out = checked_claims(load_edited(raw_copy)).set_index("claim_id")
    assert out.loc["000-09", "reference_value"] == "21" and out.loc["000-09", "verdict"] == CONTRADICTS
    assert out.loc["000-10", "reference_value"] == "36" and out.loc["000-10", "verdict"] == CONTRADICTS
    assert out.loc["000-11", "verdict"] == MATCHES  # inadequate unchanged
    assert out.loc["000-08", "verdict"] == MATCHES  # total unchanged


def test_changed_deadline_and_date_flip_verdicts(raw_copy):
    path = raw_copy / "recommendations.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("R6,8,Decision-making,within three months", "R6,8,Decision-making,immediately"),
        encoding="utf-8",
    )
    path = raw_copy / "source.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2019-02-04,2019-02-15", "2019-03-04,2019-03-15"), encoding="utf-8")
    out = checked_claims(load_edited(raw_copy)).set_index("claim_id")
    assert out.loc["000-07", "verdict"] == CONTRADICTS
    assert out.loc["003-07", "verdict"] == MATCHES  # R7 unchanged
    assert out.loc["000-04", "reference_value"] == "2019-03" and out.loc["000-04", "verdict"] == CONTRADICTS
    assert out.loc["001-02", "verdict"] == MATCHES  # still earlier in the year of publication


def test_revisit_claims_are_checked_by_code(checked):
    # the three texts that promise a revisit within six months are joined to the report's next steps
    by_id = checked.set_index("claim_id")
    for claim in ("000-21", "001-12", "003-25"):
        assert by_id.loc[claim, "figure_key"] == "next_steps_revisit_deadline", claim
        assert by_id.loc[claim, "verdict_basis"] == BASIS_COMPUTED and by_id.loc[claim, "verdict"] == MATCHES, claim
        assert by_id.loc[claim, "reference_value"] == "within six months", claim


def test_changed_next_steps_and_sample_flip_verdicts_and_figures(raw_copy):
    replace_line(
        raw_copy / "published_totals.csv",
        "next_steps_revisit_months,6,Summary (Conclusion); Next steps",
        "next_steps_revisit_months,3,Summary (Conclusion); Next steps",
    )
    replace_line(
        raw_copy / "published_totals.csv",
        "cases_force_selected_random,33,4. Case file analysis",
        "cases_force_selected_random,20,4. Case file analysis",
    )
    data = load_edited(raw_copy)
    out = checked_claims(data).set_index("claim_id")
    for claim in ("000-21", "001-12", "003-25"):
        assert out.loc[claim, "reference_value"] == "within three months" and out.loc[claim, "verdict"] == CONTRADICTS, claim
    figures = reference_figures(data)
    assert figures["force_selected_random_sample"].value == "no"
    assert figures["next_steps_update_deadline"].value == "within six weeks"  # unchanged


def test_changed_claim_flips_verdict(raw_copy, data):
    path = raw_copy / "coverage_claims.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",80,cases_all,exact,", ",81,cases_all,exact,"), encoding="utf-8")
    out = checked_claims(load_edited(raw_copy)).set_index("claim_id")
    assert out.loc["000-08", "verdict"] == CONTRADICTS


def test_rounding_claim_through_the_join(figures):
    claims = pd.DataFrame(
        [
            {
                "claim_id": "x-1",
                "claimed_value": "25",
                "figure_key": "share_hmicfrs_all_good",
                "comparison": "exact",
                "decimals": None,
                "curated_verdict": None,
            },
            {
                "claim_id": "x-2",
                "claimed_value": "29",
                "figure_key": "share_hmicfrs_all_inadequate",
                "comparison": "rounding",
                "decimals": 0,
                "curated_verdict": None,
            },
            {
                "claim_id": "x-3",
                "claimed_value": "46",
                "figure_key": "share_hmicfrs_all_requires_improvement",
                "comparison": "rounding",
                "decimals": 0,
                "curated_verdict": None,
            },
        ]
    )
    out = check_claims(claims, figures)
    assert out["verdict"].tolist() == [MATCHES, MATCHES_ROUNDED, MATCHES_ROUNDED]  # 25.0, 28.75, 46.25
    assert out["reference_value"].tolist() == ["25.0", "28.75", "46.25"]


# --- bad input: one clear AuditDataError each


def _row(**over):
    base = {
        "claim_id": "x-1",
        "claimed_value": "20",
        "figure_key": "hmicfrs_all_good",
        "comparison": "exact",
        "decimals": None,
        "curated_verdict": None,
        "report_says": None,
    }
    base.update(over)
    return pd.DataFrame([base])


@pytest.mark.parametrize(
    ("over", "column", "message"),
    [
        ({"figure_key": "hmicfrs_all_great"}, "figure_key", "unknown figure key"),
        ({"figure_key": None, "curated_verdict": "sort of matches", "report_says": "x"}, "curated_verdict", "unknown verdict"),
        ({"curated_verdict": "matches"}, "figure_key, curated_verdict", "not both"),
        ({"figure_key": None, "comparison": None}, "figure_key, curated_verdict", "found neither"),
        ({"comparison": None}, "comparison", "needs a comparison rule"),
        ({"comparison": "rounding"}, "decimals", "needs the number of decimals"),
        ({"decimals": 1}, "decimals", "only to the rounding rule"),
        ({"claimed_value": "twenty"}, "claimed_value", "an integer"),
        (
            {"figure_key": "deadline_R6", "comparison": "rounding", "decimals": 0, "claimed_value": "within three months"},
            "comparison",
            "numeric figure",
        ),
        ({"figure_key": None, "comparison": None, "curated_verdict": "matches"}, "report_says", "what the report says"),
        ({"figure_key": None, "curated_verdict": "matches", "report_says": "x"}, "comparison", "only to a claim checked against a figure"),
    ],
)
def test_check_claims_rejects(figures, over, column, message):
    with pytest.raises(AuditDataError, match=message) as err:
        check_claims(_row(**over), figures, "data/raw/coverage_claims.csv")
    assert err.value.column == column
    assert err.value.row == 1
    assert "data/raw/coverage_claims.csv, row 1 (line 2)" in str(err.value)


def test_bad_verdict_label_in_file(raw_copy, data):
    path = raw_copy / "coverage_claims.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",,,,matches,11. Police detention,", ",,,,match,11. Police detention,", 1), encoding="utf-8")
    with pytest.raises(AuditDataError, match="value not allowed") as err:
        checked_claims(load_edited(raw_copy))
    assert err.value.column == "curated_verdict" and err.value.row == 1


def test_unknown_figure_key_in_file(raw_copy, data):
    path = raw_copy / "coverage_claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",cases_all,exact,", ",cases_everything,exact,"), encoding="utf-8")
    with pytest.raises(AuditDataError, match="unknown figure key") as err:
        checked_claims(load_edited(raw_copy))
    assert "coverage_claims.csv" in err.value.file and err.value.found == "'cases_everything'"


# --- the review tables: nothing missed, and inconsistencies caught


def test_review_tables_are_consistent():
    data = load_audit()
    t = load_coverage(data)
    check_review(t["claims"], t["texts"], t["lines"], t["number_mentions"], data.files)
    numeric = t["claims"][
        t["claims"]["claim_type"].isin(
            ["graded cases", "deadline", "date", "legal time limit", "facilities", "officers trained", "other number"]
        )
    ]
    assert set(numeric["claim_id"]) <= set(t["number_mentions"]["claim_id"].dropna())
    assert set(t["lines"]["text_id"]) == set(t["texts"]["text_id"]) == {"000", "001", "003", "004"}


def _review(raw):
    load_edited(raw)  # the loader runs check_review on every load


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("coverage_lines.csv", '000,7,,"opinion, stance or intention"', "000,7,000-99,", "claim not in coverage_claims.csv"),
        ("coverage_lines.csv", '000,7,,"opinion, stance or intention"', "000,7,000-01,", "claim 000-01 does not name this line"),
        ("coverage_lines.csv", '000,7,,"opinion, stance or intention"', "000,7,,", "needs either its claims or the reason"),
        ("coverage_lines.csv", "000,1,000-01,", '000,1,,"opinion, stance or intention"', "not reviewed as holding claim 000-01"),
        # moving the token to another claim on the same line leaves 000-08 without a number
        ("coverage_number_mentions.csv", "000,15,80,000-08,", "000,15,80,000-09,", "type 'graded cases' has no number"),
        ("coverage_number_mentions.csv", "000,15,80,000-08,", "000,15,80,000-08,list numbering", "either its claim or the reason"),
        ("coverage_number_mentions.csv", "000,15,80,000-08,", "000,15,80,000-01,", "000-01 does not name this line"),
        ("coverage_number_mentions.csv", "000,15,80,000-08,", "000,15,80,,list numbering", "type 'graded cases' has no number"),
    ],
)
def test_review_inconsistencies_are_caught(raw_copy, file, old, new, message):
    replace_line(raw_copy / file, old, new)
    with pytest.raises(AuditDataError, match=message):
        _review(raw_copy)


def test_number_pass_finds_digits_number_words_and_date_words():
    text = "In 80 cases, three months later.\nNeither of the two sites; more than 1,000 staff.\nCall 020 3513 0600 from 9:00am on Monday.\nAn immediate review, published earlier this year; the bone is fine."
    assert number_tokens(text) == [
        (1, "80"),
        (1, "three"),
        (1, "months"),
        (2, "Neither"),
        (2, "two"),
        (2, "1,000"),
        (3, "020"),
        (3, "3513"),
        (3, "0600"),
        (3, "9:00"),
        (3, "Monday"),
        (4, "immediate"),
        (4, "earlier"),
        (4, "year"),
    ]  # whole words only: "bone" holds "one" but is not matched


# --- outputs: the pipeline stage, the summary and the HTML table


def test_stage_is_registered_and_deterministic(tmp_path, data):
    assert "coverage" in [s.name for s in STAGES]
    first = build_stage("coverage", data)["coverage_claims_checked.csv"]
    second = build_stage("coverage", data)["coverage_claims_checked.csv"]
    assert csv_bytes(first) == csv_bytes(second)
    assert list(first.columns) == list(CHECKED_COLUMNS)


def test_summary_is_computed_from_verdicts(checked):
    text = verdict_summary(checked)
    counts = checked["verdict"].value_counts()
    assert f"make {len(checked)} checkable claims" in text
    assert f"{counts[MATCHES]} match the report" in text
    assert f"{counts[NOT_STATED]} are not stated in it" in text
    flipped = checked.copy()
    flipped.loc[flipped["claim_id"] == "000-09", "verdict"] = CONTRADICTS
    changed = verdict_summary(flipped)
    assert "1 contradicts it" in changed and f"{counts[MATCHES] - 1} match the report" in changed
    assert "contradict it" in text.split("None ")[1]  # no claim contradicts the report as the data stand


def test_review_note_counts(data):
    t = load_coverage(data)
    note = review_note(t["lines"], t["number_mentions"])
    assert f"covered {len(t['lines'])} non-blank lines" in note
    assert f"found {len(t['number_mentions'])} numbers" in note


def test_claims_table_is_plain_and_ordered(checked):
    table = claims_table(checked)
    assert list(table.columns) == list(CLAIMS_TABLE_COLUMNS.values())
    assert len(table) == len(checked) and set(table["claim"]) == set(checked["claim_id"])
    ids = table["claim"].tolist()
    assert ids == sorted(ids)  # claim ids start with the text code, so text then claim order
