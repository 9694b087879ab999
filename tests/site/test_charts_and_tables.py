"""Charts read on a phone (every text at least 11 CSS px at 390 px), carry their source, use one colour per grade; tables show readable p-values."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from analysis.data.paths import PROJ_ROOT
from analysis.display import association_table, p_value_text
from analysis.notebooks import notebook_paths
from analysis.plots import (
    EXTENDED,
    MIN_TEXT_PX,
    PHONE_VIEWPORT_PX,
    QUARTO_NARROW_CSS,
    SEQUENTIAL,
    contrast_ratio,
    grade_colours,
    label_colour,
    narrow_column_px,
    phone_px,
    relative_luminance,
    svg_text_sizes,
)

matplotlib.use("Agg")


def stored_svgs():
    for path in notebook_paths():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            for out in cell.get("outputs", []):
                svg = out.get("data", {}).get("image/svg+xml")
                if svg is not None:
                    yield f"{path.name}, cell {i}", "".join(svg)


def test_every_notebook_chart_is_svg_with_text_as_text():
    found = 0
    for path in notebook_paths():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                assert "image/png" not in data, f"{path.name}, cell {i}: a PNG chart"
                if "image/svg+xml" in data:
                    found += 1
                    svg = "".join(data["image/svg+xml"])
                    assert "<text" in svg, f"{path.name}, cell {i}: text drawn as paths"
    assert found >= 10


def quarto_column_px() -> float:
    """Quarto's body column at a 390 px viewport, read from Quarto's CSS: the stylesheet of a rendered site when
    ``$QUARTO_SITE_CSS`` names one (the render test checks it agrees), else Quarto 1.11's rules as compiled."""
    import os

    css = os.environ.get("QUARTO_SITE_CSS")
    text = Path(css).read_text(encoding="utf-8") if css else QUARTO_NARROW_CSS
    return narrow_column_px(text, PHONE_VIEWPORT_PX)


@pytest.mark.parametrize("where,svg", list(stored_svgs()), ids=lambda v: v if isinstance(v, str) and "cell" in v else "")
def test_every_text_in_every_chart_is_at_least_11_css_px_on_a_390_px_page(where, svg):
    width_pt, sizes = svg_text_sizes(svg)
    assert sizes, f"{where}: no text found"
    column = quarto_column_px()
    small = [(round(phone_px(size, width_pt, column), 2), text) for size, text in sizes if phone_px(size, width_pt, column) < MIN_TEXT_PX]
    assert not small, f"{where}: texts below {MIN_TEXT_PX} CSS px at 390 px: {small[:5]}"
    # still comfortable on a wide screen: shown at its own size, text of 14 to 20 CSS px
    assert all(14 <= size * 96 / 72 <= 20 for size, _ in sizes), where


@pytest.mark.parametrize("where,svg", list(stored_svgs()), ids=lambda v: v if isinstance(v, str) and "cell" in v else "")
def test_every_chart_carries_its_source_and_no_date(where, svg):
    texts = " ".join(t for _, t in svg_text_sizes(svg)[1])
    assert "Source: " in texts, where
    assert "<dc:date>" not in svg, f"{where}: a date in the SVG metadata makes its bytes change"
    assert "legend" not in svg, f"{where}: a legend box"


def test_quartos_column_on_a_phone_is_read_from_its_css():
    # Quarto 1.11 at 390 px: 390 - 2 x 1.5em at a 17 px root font = 339 px (measured in a browser: 339)
    assert narrow_column_px(QUARTO_NARROW_CSS) == pytest.approx(339)
    assert quarto_column_px() == pytest.approx(339)
    # the same rules minified differently, in px, or with another root size
    assert narrow_column_px(QUARTO_NARROW_CSS.replace("17px", "16px")) == pytest.approx(390 - 48)
    assert narrow_column_px(QUARTO_NARROW_CSS.replace("1.5em [screen-end]", "20px [screen-end]")) == pytest.approx(390 - 25.5 - 20)
    for broken in ("", QUARTO_NARROW_CSS.replace("767.98px", "991.98px"), QUARTO_NARROW_CSS.replace("--bs-root-font-size:17px;", "")):
        with pytest.raises(ValueError):
            narrow_column_px(broken)


def test_phone_measure():
    # a 480 px wide chart in a 339 px column shrinks by 339/480; 12 pt is 16 px, 11.3 px on the phone
    assert phone_px(12, 360) == pytest.approx(12 * 4 / 3 * 339 / 480)
    # the column that was assumed before (358 px) let 11.5 pt text through at 11.44 px; in Quarto's column it is 10.83 px
    assert phone_px(11.5, 360, 358) >= MIN_TEXT_PX > phone_px(11.5, 360)
    assert phone_px(9, 200) == pytest.approx(12.0)  # narrower than the column: not scaled
    assert svg_text_sizes('<svg width="360pt" height="10pt"><text style="font-size: 12px; fill: red">a <tspan>b</tspan></text></svg>') == (
        360.0,
        [(12.0, "a b")],
    )


@pytest.mark.parametrize("k", range(2, 8))
def test_grade_colours_for_two_to_seven_grades(k):
    grades = [f"grade {i}" for i in range(k)]
    colours = grade_colours(grades)
    assert list(colours) == grades and len(set(colours.values())) == k
    lum = [relative_luminance(colours[g]) for g in grades]
    assert lum == sorted(lum, reverse=True), "best grade lightest, darker with each worse grade"
    assert colours[grades[-1]] == "#092135", "darkest for the worst grade"
    for a, b in zip(grades, grades[1:], strict=False):
        assert contrast_ratio(colours[a], colours[b]) >= (3.0 if k <= 3 else 1.2), (k, a, b)
    for c in colours.values():
        assert contrast_ratio(c, label_colour(c)) >= 4.5
    assert set(colours.values()) <= set(SEQUENTIAL if k <= 5 else EXTENDED)
    with pytest.raises(ValueError):
        grade_colours(["only one"])


def test_plots_do_not_import_gwents_grade_list():
    for path in (PROJ_ROOT / "analysis" / "plots").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert "analysis.grades" not in modules, path.name


def test_chart_titles_make_no_unsupported_ranking():
    for path in notebook_paths():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"fared worst|had \{more\}|sample had (more|fewer)", text), path.name


def test_p_values_read_as_less_than_or_two_significant_figures():
    assert [p_value_text(p) for p in (0.0004, 0.001, 0.101, 0.0466, 0.5, 1.0)] == ["< 0.001", "0.0010", "0.10", "0.047", "0.50", "1.0"]
    assert p_value_text(float("nan")) == ""
    with pytest.raises(ValueError):
        p_value_text(1.5)


def test_association_table_has_readable_headers_and_no_raw_floats():
    tests = pd.read_csv(PROJ_ROOT / "data" / "processed" / "association_tests.csv")
    table = association_table(tests.set_index("test"))
    assert list(table.columns) == ["Test", "Statistic", "df", "p", "Effect size"]
    assert not table["Test"].str.contains("_").any()
    cells = " ".join(table.astype(str).to_numpy().ravel())
    assert not re.search(r"\de-\d|\d\.\d{5,}", cells), cells
    has_p = ~table["Test"].str.startswith("Odds ratio at cut")
    assert (table.loc[has_p, "p"].str.fullmatch(r"< 0\.001|\d\.\d+( \(Monte Carlo s\.e\. [\d.]+\))?")).all()
    assert (table.loc[~has_p, "p"] == "").all() and (~has_p).sum() == 2


@pytest.mark.parametrize("name", ["03_samples.ipynb", "04_practice_areas.ipynb"])
def test_test_tables_in_notebooks_03_and_04_are_formatted(name):
    nb = json.loads((PROJ_ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    md = "".join("".join(o.get("data", {}).get("text/markdown", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "| Test | Statistic | df | p | Effect size |" in md
    assert "p_value" not in md and "e-10" not in md and "effect_size_name" not in md


@pytest.mark.parametrize("chart", ["share_interval_plot", "pooled_shares_plot"])
def test_area_charts_keep_the_reference_line_off_the_names_and_draw_end_points_whole(chart):
    import matplotlib.pyplot as plt

    from analysis.plots import areas as area_plots

    summary = pd.read_csv(PROJ_ROOT / "data" / "processed" / "area_summary.csv")
    share = summary["share_inadequate"]
    assert (share == 0).any(), "the data have an area with no case graded inadequate: its point sits at 0%"
    names = [f"Area {a} with a long name" for a in summary["area"]]
    common = {"labels": names, "title": "t", "subtitle": "s", "source": "test", "reference": float(share.mean())}
    if chart == "share_interval_plot":
        fig = area_plots.share_interval_plot(summary, "inadequate", **common)
    else:
        fig = area_plots.pooled_shares_plot(summary, grade="inadequate", **common)
    fig.canvas.draw()
    ax = fig.axes[0]
    [line] = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    x_line = ax.transData.transform((float(share.mean()), 0))[0]
    crossed = 0
    for text in ax.texts:
        if text.get_text() not in names:
            continue
        box = text.get_window_extent()
        if box.x0 <= x_line <= box.x1:
            crossed += 1
            patch = text.get_bbox_patch()
            assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0) and patch.get_facecolor()[3] == 1.0, text.get_text()
            assert text.get_zorder() > line.get_zorder(), "a name is drawn under the dashed line"
    assert crossed, "the test names are long enough to reach the line"
    # every point, at 0% too, lies whole inside the axes
    for marks in ax.get_lines():
        if marks.get_marker() != "o":
            continue
        radius = marks.get_markersize() / 2 * fig.dpi / 72
        xs = ax.transData.transform(marks.get_xydata())[:, 0]
        assert (xs - radius >= ax.bbox.x0 - 0.5).all() and (xs + radius <= ax.bbox.x1 + 0.5).all()
    plt.close(fig)
