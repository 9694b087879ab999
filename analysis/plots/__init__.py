"""Charts that read on a phone: the grade palette, text sizes, SVG output and the parts every chart shares.

Every chart is drawn :data:`FIG_WIDTH` inches wide and written as SVG with its text kept as text
(``svg.fonttype: none``), in a font stack every browser has. On a page 390 CSS px wide Quarto's
body column is 339 CSS px (:data:`PHONE_CONTENT_PX`, from Quarto's own CSS: :func:`narrow_column_px`),
so a chart wider than that is scaled down: a text of ``s`` points is then
``s * 96 / 72 * min(1, 339 / (chart width in CSS px))`` CSS px (:func:`phone_px`). :data:`TEXT_PT`,
the smallest size any chart uses, keeps every text at 11 CSS px or more on such a page; on a wide
screen the chart is shown at its own size, 480 CSS px wide, with 16 px text. Each chart carries
its title, a subtitle (what is measured, the n) and a "Source: ..." line inside the image, so a
downloaded copy keeps them; labels sit on the marks, not in legends. Grades are passed in by the
caller, best first, and coloured by :func:`grade_colours`. The SVG bytes are the same on every run
(fixed ``svg.hashsalt``, no date in the metadata): nbval compares them like any other output.

Topic-specific charts live in submodules of this package (``analysis.plots.<topic>``).
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.transforms import blended_transform_factory

#: Width of every chart, in inches (480 CSS px at 96 px per inch).
FIG_WIDTH = 5.0
#: CSS px per point.
CSS_PX_PER_PT = 96 / 72
#: The phone the charts are sized for: a viewport 390 CSS px wide.
PHONE_VIEWPORT_PX = 390

#: Quarto 1.11's CSS rules that set the body column on a page narrower than Bootstrap's md breakpoint, as its
#: Sass compiles them: the root font size (src/resources/formats/html/bootstrap/_bootstrap-customize.scss,
#: ``$font-size-root: 17px``; the body text is Bootstrap's ``$font-size-base``, 1rem) and the narrow grid
#: (_bootstrap-mixins.scss, ``grid-template-columns-narrow``: a page gutter of ``$grid-column-gutter-width``,
#: 1.5em, each side of one ``minmax(0px, 1fr)`` body track; _bootstrap-rules.scss applies it below md).
QUARTO_NARROW_CSS = """
:root{--bs-root-font-size:17px;--bs-body-font-size:1rem}
@media(max-width: 767.98px){body .page-columns{display:grid;gap:0;grid-template-columns:[screen-start] 1.5em [screen-start-inset page-start page-start-inset body-start-outset body-start body-content-start] minmax(0px, 1fr) [body-content-end body-end body-end-outset page-end-inset page-end screen-end-inset] 1.5em [screen-end]}}
"""


def _css_length(value: float, unit: str, root_px: float, em_px: float) -> float:
    return value * {"px": 1.0, "rem": root_px, "em": em_px}[unit]


def narrow_column_px(css: str, viewport_px: float = PHONE_VIEWPORT_PX) -> float:
    """The width of Quarto's body column, in CSS px, on a page ``viewport_px`` wide (below 768 px), read from a stylesheet Quarto wrote.

    Reads the root font size (``--bs-root-font-size``), the body font size (``--bs-body-font-size``,
    which an ``em`` in the grid refers to) and the narrow ``grid-template-columns`` of
    ``.page-columns`` (the gutters each side of the body track). Raises ``ValueError`` if the
    stylesheet lacks one of them.
    """
    root = re.search(r"--bs-root-font-size:\s*([\d.]+)px", css)
    body = re.search(r"--bs-body-font-size:\s*([\d.]+)(px|rem)", css)
    if not root or not body:
        raise ValueError("no root or body font size (--bs-root-font-size, --bs-body-font-size) in the stylesheet")
    root_px = float(root.group(1))
    em_px = _css_length(float(body.group(1)), body.group(2), root_px, root_px)
    length = r"([\d.]+)(px|rem|em)"
    grid = re.search(
        r"@media\s*\(max-width:\s*767\.98px\)\s*\{[^@]*?grid-template-columns:\s*\[screen-start\]\s*"
        + length
        + r"\s*\[[^\]]*body-content-start\]\s*"
        r"minmax\(0(?:px)?,\s*1fr\)\s*\[[^\]]*\]\s*" + length + r"\s*\[screen-end\]",
        css,
    )
    if not grid:
        raise ValueError("no narrow grid (grid-template-columns of .page-columns below 768px) in the stylesheet")
    start = _css_length(float(grid.group(1)), grid.group(2), root_px, em_px)
    end = _css_length(float(grid.group(3)), grid.group(4), root_px, em_px)
    return viewport_px - start - end


#: The content width of a page 390 CSS px wide in Quarto 1.11: 390 - 2 x 1.5em at 17 px = 339 CSS px.
PHONE_CONTENT_PX = narrow_column_px(QUARTO_NARROW_CSS)
#: The smallest text any chart may show on a 390 px page, in CSS px.
MIN_TEXT_PX = 11

#: Fonts every browser has: DejaVu Sans (what matplotlib measures with, common on Linux), then the
#: sans-serif faces of Windows, macOS and Android, then the generic family.
FONT_STACK = ["DejaVu Sans", "Arial", "Helvetica", "Roboto", "Liberation Sans"]

#: The Analysis Function sequential palette, lightest first.
SEQUENTIAL = ("#ADD1F1", "#6BACE6", "#2073BC", "#12436D", "#092135")
#: The palette extended to seven steps for scales of six or seven grades: a lighter tint of its
#: lightest blue, and a step between #2073BC and #12436D (their mean in sRGB). Tested for order and contrast.
EXTENDED = ("#D6E8F8", "#ADD1F1", "#6BACE6", "#2073BC", "#195B94", "#12436D", "#092135")

#: Neutral colours for text, edges and reference marks.
TEXT = "#0B0C0C"
GREY = "#BFBFBF"
DARK_GREY = "#505A5F"
EDGE = "#0B0C0C"
#: Focus colour (Analysis Function focus palette).
FOCUS = "#12436D"


def phone_scale(width_pt: float, column_px: float = PHONE_CONTENT_PX) -> float:
    """How much a column ``column_px`` wide (default: Quarto's at 390 px) shrinks an image ``width_pt`` points wide."""
    return min(1.0, column_px / (width_pt * CSS_PX_PER_PT))


def phone_px(font_pt: float, width_pt: float, column_px: float = PHONE_CONTENT_PX) -> float:
    """CSS px of a ``font_pt`` point text in an image ``width_pt`` points wide, in a column ``column_px`` wide (default: Quarto's at 390 px)."""
    return font_pt * CSS_PX_PER_PT * phone_scale(width_pt, column_px)


def min_font_pt(width_in: float = FIG_WIDTH) -> float:
    """The smallest font size, in points rounded up to a half point, that stays :data:`MIN_TEXT_PX` on a phone."""
    exact = MIN_TEXT_PX / (CSS_PX_PER_PT * phone_scale(width_in * 72))
    return math.ceil(exact * 2) / 2


#: Font sizes (points): every text, the subtitle and source line, the title.
TEXT_PT = min_font_pt()
TITLE_PT = TEXT_PT + 2


def svg_text_sizes(svg: str) -> tuple[float, list[tuple[float, str]]]:
    """The width (points) of an SVG that matplotlib wrote and the font size (points) and text of each of its texts."""
    m = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg)
    if not m:
        raise ValueError("not an SVG written by matplotlib (no width in pt)")
    sizes = []
    for style, body in re.findall(r'<text\b[^>]*style="([^"]*)"[^>]*>(.*?)</text>', svg, re.S):
        size = re.search(r"font-size:\s*([\d.]+)px", style)
        if size:
            sizes.append((float(size.group(1)), re.sub(r"<[^>]+>", "", body)))
    return float(m.group(1)), sizes


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of a ``#RRGGBB`` colour."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two ``#RRGGBB`` colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def label_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill``, for a label drawn on it."""
    return "#FFFFFF" if contrast_ratio(fill, "#FFFFFF") >= contrast_ratio(fill, "#000000") else "#000000"


def grade_colours(grades: Sequence[str]) -> dict[str, str]:
    """One colour per grade for a scale of 2 to 7 grades given best first: light to dark, darkest for the worst.

    Up to five grades take evenly spaced steps of the Analysis Function sequential palette
    (:data:`SEQUENTIAL`; three grades: ``#ADD1F1``, ``#2073BC``, ``#092135``); six or seven take
    steps of :data:`EXTENDED`. Bars also carry a dark edge and a direct label, so colour is never
    the only cue.
    """
    k = len(grades)
    if not 2 <= k <= 7 or len(set(grades)) != k:
        raise ValueError(f"grade_colours needs 2 to 7 distinct grades, best first; got {list(grades)}")
    palette = SEQUENTIAL if k <= 5 else EXTENDED
    steps = np.round(np.linspace(0, len(palette) - 1, k)).astype(int)
    return {g: palette[i] for g, i in zip(grades, steps, strict=True)}


def slug(label: str) -> str:
    """Identifier-safe form of a label, as in column names such as ``share_requires_improvement``."""
    return label.replace(" ", "_")


def setup_style() -> None:
    """Apply the project's chart style: text as text in SVG, the font stack, phone-readable sizes, stable bytes.

    In an IPython kernel with the inline backend it also makes figures display as SVG at their
    own size (no ``bbox_inches="tight"``) with no date in the SVG metadata.
    """
    plt.rcParams.update(
        {
            "figure.dpi": 96,
            "savefig.dpi": 96,
            "font.family": "sans-serif",
            "font.sans-serif": FONT_STACK,
            "font.size": TEXT_PT,
            "axes.titlesize": TITLE_PT,
            "axes.labelsize": TEXT_PT,
            "xtick.labelsize": TEXT_PT,
            "ytick.labelsize": TEXT_PT,
            "legend.fontsize": TEXT_PT,
            "figure.titlesize": TITLE_PT,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "none",
            "svg.hashsalt": "gwent-ncpi",
            "path.simplify": True,
            # Text is text: a "$" in a label (a package's grade or area name) is a dollar sign, never mathtext.
            "text.parse_math": False,
        }
    )
    _inline_svg()


def _inline_svg() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    if get_ipython() is None or "inline" not in str(matplotlib.get_backend()):
        return
    # Importing the backend configures IPython's figure formatters once; set ours after it.
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg", bbox_inches=None, metadata={"Date": None})


def wrap(text: str, width_in: float = FIG_WIDTH, size_pt: float = TEXT_PT, indent_in: float = 0.0) -> str:
    """``text`` broken into lines that fit ``width_in`` inches at ``size_pt`` (a conservative 0.6 em per character)."""
    chars = max(10, int((width_in - indent_in) * 72 / (0.6 * size_pt)))
    return "\n".join(textwrap.wrap(text, chars)) or text


def new_figure(height_in: float) -> tuple[plt.Figure, plt.Axes]:
    """A figure :data:`FIG_WIDTH` inches wide and ``height_in`` tall, with one axes, in the project's style."""
    setup_style()
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, height_in))
    return fig, ax


def frame_figure(fig: plt.Figure, *, title: str, subtitle: str, source: str) -> None:
    """Put the title and subtitle at the top of ``fig`` and the source line at the bottom, wrapped to fit, and lay out the rest between them.

    ``source`` is the text after "Source: " (for example the publication the figures come from).
    """
    width, height = fig.get_size_inches()
    margin = 0.12
    title_text = wrap(title, width - 2 * margin, TITLE_PT)
    subtitle_text = wrap(subtitle, width - 2 * margin, TEXT_PT)
    source_text = wrap(f"Source: {source}", width - 2 * margin, TEXT_PT)
    line = 1.25 / 72  # inches per point of line height
    top = (title_text.count("\n") + 1) * TITLE_PT * line + (subtitle_text.count("\n") + 1) * TEXT_PT * line + 0.25
    bottom = (source_text.count("\n") + 1) * TEXT_PT * line + 0.2
    y_title = 1 - margin / height
    fig.text(margin / width, y_title, title_text, ha="left", va="top", fontsize=TITLE_PT, fontweight="bold", color=TEXT)
    y_sub = y_title - ((title_text.count("\n") + 1) * TITLE_PT * line + 0.06) / height
    fig.text(margin / width, y_sub, subtitle_text, ha="left", va="top", fontsize=TEXT_PT, color=TEXT)
    fig.text(margin / width, margin / height, source_text, ha="left", va="bottom", fontsize=TEXT_PT, color=DARK_GREY)
    fig.tight_layout(rect=(0, (bottom + margin) / height, 1, 1 - (top + margin) / height), pad=0.3)


def text_width_in(ax: plt.Axes, text: str, size_pt: float = TEXT_PT) -> float:
    """Width in inches of ``text`` drawn at ``size_pt`` on ``ax``'s figure."""
    fig = ax.figure
    t = fig.text(0, 0, text, fontsize=size_pt)
    width = t.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
    t.remove()
    return width


def _labelled_bars(
    groups: list[tuple[str, list[tuple[str, str, float, float, str]]]], *, title: str, subtitle: str, source: str
) -> plt.Figure:
    """Groups of labelled horizontal bars, one group under another: each group ``(heading, bars)``, each bar ``(name, colour, low, high, label)``.

    A bar is solid up to ``low`` and, where ``high`` is larger, hatched on to ``high`` (a range the
    figures leave open); its label sits inside a long solid bar and after the bar otherwise.
    """
    headings = [wrap(heading, FIG_WIDTH - 0.3) for heading, _ in groups]
    rows = sum(len(bars) + 0.9 * (h.count("\n") + 1) + 0.5 for (_, bars), h in zip(groups, headings, strict=True))
    fig, ax = new_figure(0.27 * rows + 1.7)
    to_heading = blended_transform_factory(fig.transFigure, ax.transData)
    y = 0.0
    ticks, tick_labels = [], []
    for (_, bars), heading in zip(groups, headings, strict=True):
        ax.text(0.12 / FIG_WIDTH, y, heading, transform=to_heading, ha="left", va="top", fontweight="bold", in_layout=False)
        y -= 0.9 * (heading.count("\n") + 1) - 0.2
        for name, colour, low, high, label in bars:
            y -= 1
            ax.barh(y, low, color=colour, edgecolor=EDGE, linewidth=0.6, height=0.72)
            if high > low:
                ax.barh(y, high - low, left=low, color="white", edgecolor=colour, hatch="////", linewidth=0.6, height=0.72)
            if high > 0.55 and low == high:
                ax.text(high - 0.015, y, label, ha="right", va="center", color=label_colour(colour))
            elif high > 0.55:  # a long open range: the label on a white ground over the hatching
                ax.text(0.465, y, label, ha="left", va="center", color=TEXT, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
            else:
                ax.text(high + 0.015, y, label, ha="left", va="center", color=TEXT)
            ticks.append(y)
            tick_labels.append(name)
        y -= 0.9
    ax.set_yticks(ticks, tick_labels)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(y + 0.4, 0.1)
    ax.set_xticks([])
    ax.spines[["bottom", "top", "right", "left"]].set_visible(False)
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig


def grade_bars(counts: pd.DataFrame, *, grades: Sequence[str], title: str, subtitle: str, source: str) -> plt.Figure:
    """Grade counts of each group as labelled bars, one group under another: a phone-readable alternative to stacked bars.

    ``counts`` has one row per group (indexed by the label to show) and one column per grade,
    ``grades`` best first. Each group gets a heading ("Force-selected cases (n = 33)") and one bar
    per grade, as long as the grade's share of the group, in the grade's colour
    (:func:`grade_colours`), named on its left and labelled with its count and share ("10 of 33
    (30%)"), so neither a legend nor colour alone carries anything. Groups are drawn top to bottom
    in the given order.
    """
    grades = list(grades)
    colours = grade_colours(grades)
    counts = counts[grades]
    groups = []
    for name, row in counts.iterrows():
        n = int(row.sum())
        bars = []
        for grade in grades:
            share = row[grade] / n if n else 0.0
            bars.append((grade.capitalize(), colours[grade], share, share, f"{int(row[grade])} of {n} ({share:.0%})"))
        groups.append((f"{name} (n\u00a0=\u00a0{n})", bars))
    return _labelled_bars(groups, title=title, subtitle=subtitle, source=source)


def grade_share_bars(shares: pd.DataFrame, *, grades: Sequence[str], title: str, subtitle: str, source: str) -> plt.Figure:
    """Each grade's share of each group of ``grade_shares.csv`` as labelled bars, ranges drawn as ranges.

    One group per (sample, rater, area), headed with its name and n; one bar per grade in the
    grade's colour (:func:`grade_colours`): solid up to ``share_low`` and hatched on to
    ``share_high`` where the figures leave the count open, labelled "k of n (p%)" or "k to k' of n
    (p% to q%)". Printed shares of a sample of unknown size are drawn as one bar each, labelled with
    the percentage only.
    """
    colours = grade_colours(list(grades))
    names = {"force_selected": "Force-selected cases", "inspectorate_selected": "Inspectorate-selected cases", "all": "All cases"}
    raters = {"force": "graded by the force", "inspectorate": "graded by the inspectors"}
    groups = []
    for (sample, rater, area), part in shares.groupby(["sample", "rater", "area"], sort=False, dropna=False):
        size = part["of"].iloc[0]
        where = f", {area}" if isinstance(area, str) and area else ""
        n = f" (n\u00a0=\u00a0{int(size)})" if pd.notna(size) else " (number of cases not published)"
        bars = []
        for r in part.itertuples(index=False):
            lo, hi = float(r.share_low), float(r.share_high)
            if pd.isna(r.of):
                label = f"{100 * lo:g}% as printed"
            elif r.low == r.high:
                label = f"{int(r.low)} of {int(r.of)} ({lo:.0%})"
            else:
                label = f"{int(r.low)} to {int(r.high)} of {int(r.of)} ({lo:.0%} to {hi:.0%})"
            bars.append((str(r.grade).capitalize(), colours.get(r.grade, GREY), lo, hi, label))
        groups.append((f"{names.get(sample, sample)}{where}, {raters.get(rater, rater)}{n}", bars))
    return _labelled_bars(groups, title=title, subtitle=subtitle, source=source)
