"""Charts for the force-versus-inspection comparison: diverging grade bars, ranges of agreement measures, table heat maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import LinearSegmentedColormap, to_hex

from analysis.grades import GRADES
from analysis.plots import EDGE, GRADE_COLOURS, GREY, TEXT, label_colour, setup_style
from analysis.stats.agreement import KAPPA_TYPE, LANDIS_KOCH_BANDS, MEASURE_LABELS

#: Sequential map for case counts in heat maps (white to the Analysis Function dark blue).
COUNT_CMAP = LinearSegmentedColormap.from_list("counts", ["#FFFFFF", "#6BACE6", "#12436D"])


def diverging_grade_bars(
    counts: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    ax: plt.Axes | None = None,
    grades: Sequence[str] = GRADES,
) -> plt.Axes:
    """Diverging horizontal bars of grade counts, one bar per row of ``counts`` (columns: grades).

    The best grade extends to the right of zero; the other grades extend to the left, the next
    best nearest zero and the worst outermost, so the bars line up on the "good / not good" split.
    Each segment is labelled with its count and share of the row ("10 (30%)"); colours are
    :data:`analysis.plots.GRADE_COLOURS`. Rows are drawn top to bottom in the order given.
    """
    setup_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.9 * len(counts) + 2.0))
    counts = counts[list(grades)]
    totals = counts.sum(axis=1).to_numpy()
    y = np.arange(len(counts))[::-1]
    segments: list[tuple[str, np.ndarray, np.ndarray]] = []
    segments.append((grades[0], np.zeros(len(counts)), counts[grades[0]].to_numpy(dtype=float)))
    left = np.zeros(len(counts))
    for grade in grades[1:]:
        width = counts[grade].to_numpy(dtype=float)
        left = left - width
        segments.append((grade, left.copy(), width))
    for grade, start, width in segments:
        ax.barh(y, width, left=start, color=GRADE_COLOURS[grade], edgecolor=EDGE, linewidth=0.6, height=0.6, label=grade.capitalize())
        for yi, s, w, tot in zip(y, start, width, totals, strict=True):
            if w > 0 and w / max(tot, 1) >= 0.07:
                ax.text(
                    s + w / 2,
                    yi,
                    f"{w:.0f}\n({w / tot:.0%})",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color=label_colour(GRADE_COLOURS[grade]),
                )
    reach = max(float(counts[grades[0]].max()), float(counts[list(grades[1:])].sum(axis=1).max()), 1.0)
    ax.set_xlim(-reach * 1.08, reach * 1.08)
    ax.axvline(0, color=TEXT, linewidth=1)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlim(-reach * 1.08, reach * 1.08)
    ax.set_yticks(y, [f"{name}\n(n = {int(t)})" for name, t in zip(counts.index, totals, strict=True)])
    ax.set_xlabel(f"Cases: '{grades[0]}' to the right, other grades to the left")
    ax.set_title(title, pad=24)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(g.capitalize()) for g in grades]
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        ncols=len(grades),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25),
        frameon=False,
    )
    ax.figure.tight_layout()
    return ax


def measure_ranges_chart(
    bounds: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    measures: Sequence[str] = KAPPA_TYPE,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Interval chart: each measure's range over all consistent tables, against the Landis and Koch bands.

    ``bounds`` has columns ``measure``, ``min``, ``max``, ``independence`` and ``max_agreement`` (as
    in ``agreement_bounds.csv``). Each measure is a bar from its minimum to its maximum, labelled
    with both values; the two reference tables are marked (circle: closest to independence;
    diamond: most cases graded the same). Shaded columns are the Landis and Koch bands, named at the top.
    """
    setup_style()
    b = bounds.set_index("measure").loc[list(measures)]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.6 * len(b) + 2.4))
    shades = ["#FFFFFF", "#F3F2F1"]
    for idx, (lo, hi, label) in enumerate(LANDIS_KOCH_BANDS):
        ax.axvspan(lo, hi, color=shades[idx % 2], zorder=0)
        ax.text((lo + hi) / 2, len(b) - 0.45, label.replace(" ", "\n"), ha="center", va="bottom", fontsize=8, color=TEXT)
    ax.axvline(0, color=GREY, linewidth=1, zorder=1)
    y = np.arange(len(b))[::-1]
    for yi, (_, row) in zip(y, b.iterrows(), strict=True):
        ax.plot([row["min"], row["max"]], [yi, yi], color="#12436D", linewidth=7, solid_capstyle="butt", zorder=2)
        ax.text(row["min"] - 0.045, yi, f"{row['min']:.2f}", ha="right", va="center", fontsize=8, color=TEXT)
        ax.text(row["max"] + 0.045, yi, f"{row['max']:.2f}", ha="left", va="center", fontsize=8, color=TEXT)
    ax.scatter(
        b["independence"], y, marker="o", s=42, facecolor="#FFFFFF", edgecolor=TEXT, zorder=3, label="Reference: closest to independence"
    )
    ax.scatter(
        b["max_agreement"],
        y,
        marker="D",
        s=36,
        facecolor="#F46A25",
        edgecolor=TEXT,
        zorder=3,
        label="Reference: most cases graded the same",
    )
    ax.set_yticks(y, [MEASURE_LABELS[m] for m in b.index])
    ax.set_ylim(-0.7, len(b) + 0.2)
    ax.set_xlim(LANDIS_KOCH_BANDS[0][0], LANDIS_KOCH_BANDS[-1][1])
    ax.set_xlabel("Value of the measure (1 = perfect agreement, 0 = chance level)")
    ax.set_title(title, pad=24)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False, fontsize=9)
    ax.figure.tight_layout()
    return ax


def table_heatmaps(
    tables: Mapping[str, np.ndarray],
    *,
    title: str,
    subtitle: str,
    grades: Sequence[str] = GRADES,
    row_label: str = "Force grade",
    col_label: str = "HMICFRS grade",
) -> plt.Figure:
    """Side-by-side heat maps (:func:`seaborn.heatmap`) of square tables of case counts, each titled by its key, cells labelled with counts.

    Rows are ``row_label`` and columns ``col_label``, both in ``grades`` order; cells where both
    grades agree (the diagonal) carry a heavy outline; the row label is shown on the first panel.
    All panels share one colour scale (white to dark blue), and each count is written in black or
    white, whichever contrasts more with its cell (:func:`analysis.plots.label_colour`).
    """
    setup_style()
    k = len(grades)
    fig, axes = plt.subplots(1, len(tables), figsize=(3.4 * len(tables) + 0.6, 4.2), squeeze=False)
    vmax = max(float(np.max(t)) for t in tables.values()) or 1.0
    names = [g.capitalize().replace(" ", "\n", 1) if len(g) > 12 else g.capitalize() for g in grades]
    for idx, (ax, (name, table)) in enumerate(zip(axes[0], tables.items(), strict=True)):
        counts = pd.DataFrame(np.asarray(table), index=names, columns=names)
        sns.heatmap(
            counts,
            ax=ax,
            cmap=COUNT_CMAP,
            vmin=0,
            vmax=vmax,
            annot=True,
            fmt=".0f",
            annot_kws={"fontsize": 11},
            cbar=False,
            square=True,
            linewidths=0.5,
            linecolor=GREY,
        )
        for text in ax.texts:  # one label per cell, centred at (column + 0.5, row + 0.5)
            col, row = (int(v) for v in text.get_position())
            text.set_color(label_colour(to_hex(COUNT_CMAP(counts.iat[row, col] / vmax))))
        for i in range(k):
            ax.add_patch(plt.Rectangle((i, i), 1, 1, fill=False, edgecolor=TEXT, linewidth=2, clip_on=False))
        ax.tick_params(axis="both", labelsize=8, length=0)
        ax.tick_params(axis="y", labelrotation=0)
        ax.set_xlabel(col_label)
        ax.set_ylabel(row_label if idx == 0 else "")
        ax.xaxis.set_label_position("top")
        ax.xaxis.tick_top()
        ax.set_title(name, fontsize=10, pad=8, loc="center")
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    fig.text(0.01, 0.90, subtitle, ha="left", fontsize=9, color=TEXT)
    fig.tight_layout(rect=(0, 0, 1, 0.88))
    return fig
