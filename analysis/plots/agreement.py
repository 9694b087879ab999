"""Charts for the force-versus-inspection comparison: ranges of agreement measures and heat maps of possible pairings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap, to_hex

from analysis.plots import FIG_WIDTH, GREY, TEXT, TEXT_PT, frame_figure, label_colour, new_figure, setup_style, wrap
from analysis.stats.agreement import KAPPA_TYPE, LANDIS_KOCH_BANDS, MEASURE_LABELS

#: Sequential map for case counts in heat maps (white to the Analysis Function dark blue).
COUNT_CMAP = LinearSegmentedColormap.from_list("counts", ["#FFFFFF", "#6BACE6", "#12436D"])
#: Marker colour of the "most cases graded the same" reference.
REFERENCE_ORANGE = "#F46A25"


def measure_ranges_chart(
    bounds: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str,
    measures: Sequence[str] = KAPPA_TYPE,
) -> plt.Figure:
    """Interval chart: each measure's range over all consistent tables, against the Landis and Koch bands.

    ``bounds`` has columns ``measure``, ``min``, ``max``, ``independence`` and ``max_agreement`` (as
    in ``agreement_bounds.csv``). Each measure is named above its bar, which runs from its minimum
    to its maximum, both written at the ends; the two reference tables are marked on the bar and
    named beside the marks on the first bar (circle: closest to independence; diamond: most cases
    graded the same). Shaded columns are the Landis and Koch bands, each named up its column.
    """
    b = bounds.set_index("measure").loc[list(measures)]
    fig, ax = new_figure(1.05 * len(b) + 3.6)
    lo_all, hi_all = LANDIS_KOCH_BANDS[0][0], LANDIS_KOCH_BANDS[-1][1]
    top = 1.35 * len(b) + 1.9
    for idx, (lo, hi, label) in enumerate(LANDIS_KOCH_BANDS):
        ax.axvspan(lo, hi, color=("#FFFFFF", "#F3F2F1")[idx % 2], zorder=0)
        ax.text((lo + hi) / 2, top - 0.1, label, rotation=90, ha="center", va="top", color=TEXT)
    ax.axvline(0, color=GREY, linewidth=1, zorder=1)
    y0 = 1.35 * len(b) - 1.0
    for i, (measure, row) in enumerate(b.iterrows()):
        y = y0 - 1.35 * i
        ax.text(lo_all + 0.02, y + 0.45, MEASURE_LABELS[measure], ha="left", va="bottom", color=TEXT, fontweight="bold")
        ax.plot([row["min"], row["max"]], [y, y], color="#12436D", linewidth=8, solid_capstyle="butt", zorder=2)
        ax.text(row["min"] - 0.04, y, f"{row['min']:.2f}".replace("-", "\u2212"), ha="right", va="center", color=TEXT)
        ax.text(row["max"] + 0.04, y, f"{row['max']:.2f}".replace("-", "\u2212"), ha="left", va="center", color=TEXT)
        ax.scatter(row["independence"], y, marker="o", s=60, facecolor="#FFFFFF", edgecolor=TEXT, zorder=3)
        ax.scatter(row["max_agreement"], y, marker="D", s=50, facecolor=REFERENCE_ORANGE, edgecolor=TEXT, zorder=3)
        if i == len(b) - 1:  # name the two marks once, under the last bar
            ax.annotate(
                "closest to independence",
                (row["independence"], y),
                xytext=(0, -16),
                textcoords="offset points",
                ha="right",
                va="top",
                color=TEXT,
                arrowprops={"arrowstyle": "-", "color": TEXT, "lw": 0.6},
            )
            ax.annotate(
                "most cases graded the same",
                (row["max_agreement"], y),
                xytext=(0, -36),
                textcoords="offset points",
                ha="left",
                va="top",
                color=TEXT,
                arrowprops={"arrowstyle": "-", "color": TEXT, "lw": 0.6},
            )
    ax.set_ylim(y0 - 1.35 * (len(b) - 1) - 1.9, top)
    ax.set_xlim(lo_all, hi_all)
    ax.set_yticks([])
    ax.spines[["left"]].set_visible(False)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["\u22121", "\u22120.5", "0", "0.5", "1"])
    ax.set_xlabel(wrap("Value of the measure (1 = perfect agreement, 0 = chance level)", FIG_WIDTH - 0.4))
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig


def table_heatmaps(
    tables: Mapping[str, np.ndarray],
    *,
    grades: Sequence[str],
    title: str,
    subtitle: str,
    source: str,
    row_label: str = "Force grade",
    col_label: str = "HMICFRS grade",
) -> plt.Figure:
    """Heat maps of square tables of case counts, one under another, each titled by its key, every cell labelled with its count.

    Rows are ``row_label`` and columns ``col_label``, both in ``grades`` order (best first);
    cells where both grades agree (the diagonal) carry a heavy outline. All panels share one
    colour scale (white to dark blue), and each count is written in black or white, whichever
    contrasts more with its cell (:func:`analysis.plots.label_colour`).
    """
    import seaborn as sns

    setup_style()
    k = len(grades)
    names = [wrap(g.capitalize(), 1.2) for g in grades]
    fig, axes = plt.subplots(len(tables), 1, figsize=(FIG_WIDTH, 2.9 * len(tables) + 1.9), squeeze=False)
    vmax = max(float(np.max(t)) for t in tables.values()) or 1.0
    for ax, (name, table) in zip(axes[:, 0], tables.items(), strict=True):
        counts = pd.DataFrame(np.asarray(table), index=names, columns=names)
        sns.heatmap(
            counts,
            ax=ax,
            cmap=COUNT_CMAP,
            vmin=0,
            vmax=vmax,
            annot=True,
            fmt=".0f",
            annot_kws={"fontsize": TEXT_PT + 1},
            cbar=False,
            square=False,
            linewidths=0.5,
            linecolor=GREY,
        )
        for text in ax.texts:  # one label per cell, centred at (column + 0.5, row + 0.5)
            col, row = (int(v) for v in text.get_position())
            text.set_color(label_colour(to_hex(COUNT_CMAP(counts.iat[row, col] / vmax))))
        for i in range(k):
            ax.add_patch(plt.Rectangle((i, i), 1, 1, fill=False, edgecolor=TEXT, linewidth=2, clip_on=False))
        ax.tick_params(axis="both", length=0)
        ax.tick_params(axis="y", labelrotation=0)
        ax.tick_params(axis="x", labelrotation=0)
        ax.set_xlabel(col_label)
        ax.set_ylabel(row_label)
        ax.xaxis.set_label_position("top")
        ax.xaxis.tick_top()
        ax.set_title(wrap(name, FIG_WIDTH - 1.6), loc="left", fontsize=TEXT_PT, fontweight="bold", pad=4)
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig
