"""Charts for the practice areas and the two samples: shares with their 95% intervals, raw and partially pooled."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from analysis.narrative.style import level_text
from analysis.plots import DARK_GREY, EDGE, FIG_WIDTH, FOCUS, GREY, TEXT, frame_figure, new_figure, slug, wrap

#: Room left of 0% and right of 100% (share of the axis), so that a point at either end is drawn whole.
X_PAD = 0.04
#: Drawing order: the dashed reference line under the row names, whose white box interrupts it.
LINE_Z, NAME_Z = 1, 4
#: The white box behind a row name (so the reference line never runs through its letters).
NAME_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}


def _named_rows(ax: plt.Axes, y: np.ndarray, labels: Sequence[str], above: float = 0.32) -> None:
    """Write each row's name above its marks, from the left edge (so long names need no margin), on a white box over the reference line."""
    for yi, label in zip(y, labels, strict=True):
        ax.text(
            0.0, yi + above, label, ha="left", va="bottom", color=TEXT, transform=ax.get_yaxis_transform(), zorder=NAME_Z, bbox=NAME_BOX
        )
    ax.set_yticks([])
    ax.spines[["left"]].set_visible(False)


def _share_axis(ax: plt.Axes) -> None:
    """A 0% to 100% axis with room at both ends for a whole point."""
    ax.set_xlim(-X_PAD, 1 + X_PAD)
    ax.spines["bottom"].set_bounds(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])


def share_interval_plot(
    summary: pd.DataFrame,
    grade: str,
    *,
    labels: Sequence[str],
    title: str,
    subtitle: str,
    source: str,
    reference: float | None = None,
    reference_label: str = "all cases",
) -> plt.Figure:
    """Share of ``grade`` per row of ``summary`` (as from :func:`analysis.stats.proportions.category_shares`), with 95% intervals.

    Rows are drawn top to bottom in the given order, each named above its marks by ``labels``.
    A thick bar shows the Wilson interval and a thin line the (wider) Clopper-Pearson interval;
    each point is labelled "k of n"; a note under the chart names the two intervals.
    ``reference`` draws a dashed vertical line (e.g. the share over all cases), named at its top.
    """
    key = slug(grade)
    fig, ax = new_figure(0.62 * len(summary) + 2.6)
    y = np.arange(len(summary))[::-1].astype(float)
    share = summary[f"share_{key}"].to_numpy()
    ax.hlines(y, summary[f"exact_low_{key}"], summary[f"exact_high_{key}"], color=DARK_GREY, linewidth=1.2)
    ax.hlines(y, summary[f"wilson_low_{key}"], summary[f"wilson_high_{key}"], color=FOCUS, linewidth=6, alpha=0.45)
    ax.plot(share, y, "o", color=FOCUS, markeredgecolor=EDGE, markersize=7, zorder=3)
    for yi, hi, lo, k, n in zip(y, summary[f"exact_high_{key}"], summary[f"exact_low_{key}"], summary[key], summary["n"], strict=True):
        right = hi < 0.72
        ax.text(hi + 0.02 if right else lo - 0.02, yi, f"{int(k)} of {int(n)}", color=TEXT, ha="left" if right else "right", va="center")
    if reference is not None:
        ax.axvline(reference, color=TEXT, linestyle="--", linewidth=1, zorder=LINE_Z)
        ax.text(reference, len(summary) - 0.15, f" {reference_label}", ha="left", va="bottom", color=TEXT)
    _named_rows(ax, y, labels)
    ax.set_ylim(-0.6, len(summary) + 0.35)
    _share_axis(ax)
    ax.set_xlabel(wrap(f"Share graded {grade}. Thick: Wilson {level_text()} interval; thin: Clopper-Pearson", FIG_WIDTH - 0.4))
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig


def pooled_shares_plot(
    summary: pd.DataFrame, *, grade: str, labels: Sequence[str], title: str, subtitle: str, source: str, reference: float
) -> plt.Figure:
    """Each area's raw share of ``grade`` (hollow circle, Wilson 95% interval) above its partially pooled share (filled, 95% interval).

    ``summary`` rows as in ``area_summary.csv`` (drawn top to bottom in the given order, each
    named above its marks); ``reference`` draws the overall share as a dashed line, towards which
    pooling pulls each area. The two marks of the first row are named beside them.
    """
    key = slug(grade)
    fig, ax = new_figure(0.8 * len(summary) + 2.8)
    y = np.arange(len(summary))[::-1].astype(float) * 1.25
    raw, pooled = summary[f"share_{key}"].to_numpy(), summary[f"pooled_share_{key}"].to_numpy()
    ax.hlines(y + 0.12, summary[f"wilson_low_{key}"], summary[f"wilson_high_{key}"], color=GREY, linewidth=2.5)
    ax.plot(raw, y + 0.12, "o", markerfacecolor="white", markeredgecolor=EDGE, markersize=7, zorder=3)
    ax.hlines(y - 0.22, summary[f"pooled_low_{key}"], summary[f"pooled_high_{key}"], color=FOCUS, linewidth=4.5, alpha=0.75)
    ax.plot(pooled, y - 0.22, "o", color=FOCUS, markeredgecolor=EDGE, markersize=7, zorder=3)
    for yi, k, n, hi in zip(y, summary[key], summary["n"], summary[f"wilson_high_{key}"], strict=True):
        ax.text(min(hi + 0.02, 0.99), yi + 0.12, f"{int(k)} of {int(n)}", color=TEXT, ha="left" if hi < 0.8 else "right", va="center")
    first = 0
    ax.annotate(
        "raw",
        (summary[f"wilson_low_{key}"].iloc[first], y[first] + 0.12),
        xytext=(-4, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        color=TEXT,
    )
    ax.annotate(
        "pooled",
        (summary[f"pooled_low_{key}"].iloc[first], y[first] - 0.22),
        xytext=(-4, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        color=FOCUS,
    )
    ax.axvline(reference, color=TEXT, linestyle="--", linewidth=1, zorder=LINE_Z)
    ax.text(reference, y[0] + 0.95, " all cases", ha="left", va="bottom", color=TEXT)
    _named_rows(ax, y, labels, above=0.42)
    ax.set_ylim(y[-1] - 0.7, y[0] + 1.35)
    _share_axis(ax)
    ax.set_xlabel(wrap(f"Share graded {grade}, with {level_text()} intervals", FIG_WIDTH - 0.4))
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig
