"""The national panel's chart: every document a row in date order, share inadequate beside share good, ranges, intervals, the pooled share, Gwent marked, readable on a phone.

Built on the made-up panel of ``tests/fixtures/national`` (invented forces and counts in the columns of
``national_panel.csv``); the pooled share is checked against a sum written out here.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.plots import MIN_TEXT_PX, grade_colours, phone_px, svg_text_sizes
from analysis.plots import national as pn
from analysis.sections import panel as panel_section

PANEL = Path(__file__).parents[2] / "fixtures" / "national" / "national_panel.csv"
COMPARED = "gwent-2019"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(PANEL, dtype={"published": str})


@pytest.fixture(scope="module")
def svg(panel) -> str:
    import io

    shares = {g: panel_section.document_shares(panel, g, COMPARED) for g in pn.panel_grades(panel, COMPARED)}
    pooled = {g: (p[0] if (p := panel_section.pooled_share(panel, g, COMPARED)) else None) for g in pn.panel_grades(panel, COMPARED)}
    colours = grade_colours(["good", "requires improvement", "inadequate"])
    fig = pn.panel_chart(
        shares, pooled, colours, title="A title", subtitle="A subtitle", source="made-up packages", interval="95% interval"
    )
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def test_every_document_is_a_row_in_date_order_and_none_is_dropped(panel):
    shares = panel_section.document_shares(panel, "inadequate", COMPARED)
    assert shares["audit_id"].tolist() == list(dict.fromkeys(panel.sort_values("published", kind="stable")["audit_id"]))
    notes = shares.set_index("audit_id")["note"]
    assert notes["zeta-2015"] == panel_section.NOT_DRAWN_UNUSABLE  # its sample is not usable: listed with the reason, not drawn
    assert notes["eps-2018"] == ""  # a printed percentage is drawn (as the shares that round to it)
    assert notes["gwent-2019"] == ""
    good = panel_section.document_shares(panel, "good", COMPARED).set_index("audit_id")["note"]
    assert good["eps-2018"] == panel_section.NO_FIGURE  # the document prints no figure for good


def test_labels_are_short_names_and_years_and_tell_two_documents_of_one_year_apart():
    docs = pd.DataFrame(
        {"force": ["Dorset Police", "Dorset Police", "Avon and Somerset Constabulary"], "published": ["2021-08", "2021-11", "2023"]}
    )
    assert panel_section.document_labels(docs) == ["Dorset 2021-08", "Dorset 2021-11", "Avon and Somerset 2023"]
    assert panel_section.short_force("England and Wales - aggregate of eight forces (not a single force)") == "England and Wales"


def test_the_pooled_share_is_the_other_inspections_on_the_same_scale_with_pinned_counts(panel):
    rows = panel.loc[panel["sample"].eq("all") & panel["rater"].eq("inspectorate")]
    scale = set(rows.loc[rows["audit_id"].eq(COMPARED), "grade"])
    for grade in pn.panel_grades(panel, COMPARED):
        kept_k = kept_n = documents = 0
        for audit_id, part in rows.groupby("audit_id"):
            row = part.loc[part["grade"].eq(grade)]
            if audit_id == COMPARED or set(part["grade"]) != scale or row.empty:
                continue
            r = row.iloc[0]
            if r["document_type"] == "inspection" and r["status"] != "not_usable" and pd.notna(r["of"]) and r["low"] == r["high"]:
                kept_k, kept_n, documents = kept_k + r["low"], kept_n + r["of"], documents + 1
        share, k = panel_section.pooled_share(panel, grade, COMPARED)
        assert (share, k) == pytest.approx((kept_k / kept_n, documents))
    assert panel_section.pooled_share(panel, "inadequate", "no-such-audit") is None


def test_every_text_is_at_least_11_css_px_on_a_390_px_page(svg):
    width, sizes = svg_text_sizes(svg)
    assert sizes
    small = [(size, text) for size, text in sizes if phone_px(size, width) < MIN_TEXT_PX - 1e-9]
    assert not small


def test_the_chart_names_every_document_both_grades_the_pooled_shares_and_its_source(svg, panel):
    _, sizes = svg_text_sizes(svg)
    texts = [t for _, t in sizes]
    for label in panel_section.document_shares(panel, "good", COMPARED)["label"]:
        assert label in texts
    assert {"Inadequate", "Good"} <= set(texts)
    for grade in pn.panel_grades(panel, COMPARED):
        share, _ = panel_section.pooled_share(panel, grade, COMPARED)
        assert f"pooled {share:.0%}" in texts
    assert panel_section.NOT_DRAWN_UNUSABLE in texts and panel_section.NO_FIGURE in texts
    assert any(t.startswith("Source: made-up packages") for t in texts)


def test_gwent_is_marked_bold_and_only_gwent(svg):
    bold = re.findall(r'<text\b[^>]*style="[^"]*font-weight:\s*(?:bold|700)[^"]*"[^>]*>(.*?)</text>', svg, re.S)
    labels = [re.sub(r"<[^>]+>", "", b) for b in bold]
    assert "Gwent 2019" in labels
    assert not any(re.search(r"\b(19|20)\d\d\b", label) for label in labels if label != "Gwent 2019")


def test_each_grade_has_its_own_colour_from_the_palette(svg):
    colours = grade_colours(["good", "requires improvement", "inadequate"])
    assert colours["inadequate"].lower() in svg.lower() and colours["good"].lower() in svg.lower()
    assert colours["requires improvement"].lower() not in svg.lower()


def test_the_funnel_draws_a_range_as_a_bar_and_names_a_document_it_cannot_place():
    """Made-up funnel rows (test fixtures) in the columns of funnel_positions.csv: two pinned, one range, one without a number of cases."""
    points = pd.DataFrame(
        {
            "force": ["Alpha Police", "Beta Police", "Gamma Police", "Delta Police"],
            "year": [2020, 2021, 2022, 2019],
            "secondary": [True, False, True, False],
            "status": ["used", "partly_used", "used", "used"],
            "pinned": [True, True, False, False],
            "count_low": [10, 12, 5, 0],
            "count_high": [10, 12, 40, 30],
            "n": [60, 70, 80, float("nan")],
            "share": [10 / 60, 12 / 70, float("nan"), float("nan")],
            "position_binomial": ["within_95", "within_95", "depends", "depends"],
            "is_gwent": [False, True, False, False],
        }
    )
    n = list(range(20, 121))
    limits = pd.concat(
        pd.DataFrame({"method": m, "confidence": c, "n": n, "lower": 0.1 - c / 20, "upper": 0.3 + c / 20})
        for m in ("exact_binomial", "wilson")
        for c in (0.95, 0.998)
    )
    fig = pn.funnel_plot(points, limits, target=0.2, title="t", subtitle="s", source="made up", ylabel="Share")
    ax = fig.axes[0]
    bars = [line for line in ax.get_lines() if list(line.get_xdata()) == [80, 80]]
    assert len(bars) == 1 and list(bars[0].get_ydata()) == [5 / 80, 40 / 80]
    assert "Not drawn (sources give different numbers of cases): Delta 2019." in " ".join(ax.get_xlabel().split())
    labels = {t.get_text() for t in ax.texts}
    assert {"Beta 2021", "Gamma 2022"} <= labels and "Alpha 2020" not in labels  # the compared and the depending range are labelled
    plt.close(fig)


def test_the_panels_show_the_compared_audits_worst_then_best_grade_from_its_own_rows(panel):
    assert pn.panel_grades(panel, COMPARED) == ("inadequate", "good")
    other_scale = panel.assign(grade=panel["grade"].replace({"inadequate": "poor", "good": "outstanding"}))
    assert pn.panel_grades(other_scale, COMPARED) == ("poor", "outstanding")
    with pytest.raises(ValueError, match="no grade scale"):
        pn.panel_grades(panel, "not-a-document")
