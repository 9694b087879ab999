"""Charts for the practice areas and the two samples: a diverging grade bar and shares with their 95% intervals."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.grades import GRADE_SLUGS, GRADES
from analysis.plots import EDGE, GRADE_COLOURS, GREY, TEXT, label_colour, setup_style


def diverging_grade_bars(counts: pd.DataFrame, *, title: str, subtitle: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Diverging bars of grade shares, one row per row of ``counts`` (top to bottom in the given order).

    ``counts`` has one column per grade (labels as in :data:`analysis.grades.GRADES`) and one row
    per group, indexed by the label to show. "Good" extends to the right of zero; "requires
    improvement" and then "inadequate" extend to the left, so the length to the left is the share
    graded below good. Every segment carries its count, so colour is never the only cue.
    """
    setup_style()
    counts = counts[list(GRADES)]
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 0.55 * len(counts) + 2.0))
    totals = counts.sum(axis=1).to_numpy()
    shares = counts.to_numpy() / totals[:, None]
    y = np.arange(len(counts))[::-1]
    good, ri, inad = (shares[:, i] for i in range(3))
    segments = [
        ("good", np.zeros(len(y)), good, counts["good"].to_numpy()),
        ("requires improvement", -ri, ri, counts["requires improvement"].to_numpy()),
        ("inadequate", -ri - inad, inad, counts["inadequate"].to_numpy()),
    ]
    for grade, left, width, k in segments:
        colour = GRADE_COLOURS[grade]
        ax.barh(y, width, left=left, color=colour, edgecolor=EDGE, linewidth=0.6, height=0.62, label=grade.capitalize())
        for yi, li, wi, ki in zip(y, left, width, k, strict=True):
            if ki > 0:
                if wi >= 0.06:
                    ax.text(li + wi / 2, yi, str(int(ki)), ha="center", va="center", fontsize=9, color=label_colour(colour))
                else:
                    ax.text(
                        li - 0.01 if li < 0 else li + wi + 0.01, yi, str(int(ki)), ha="right" if li < 0 else "left", va="center", fontsize=8
                    )
    ax.axvline(0, color=TEXT, linewidth=1)
    ax.set_yticks(y, [f"{name} (n = {int(t)})" for name, t in zip(counts.index, totals, strict=True)])
    ax.set_xlim(-1, 1)
    ticks = np.linspace(-1, 1, 9)
    ax.set_xticks(ticks, [f"{abs(t):.0%}" for t in ticks])
    ax.set_xlabel("Share of cases: below good to the left, good to the right (labels: case counts)")
    ax.set_title(title, pad=24)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    ax.figure.tight_layout()
    return ax


def share_interval_plot(
    summary: pd.DataFrame,
    grade: str,
    *,
    labels: Sequence[str],
    title: str,
    subtitle: str,
    reference: float | None = None,
    reference_label: str = "all cases",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Share of ``grade`` per row of ``summary`` (as from :func:`analysis.stats.proportions.category_shares`), with 95% intervals.

    Rows are drawn top to bottom in the given order, labelled by ``labels``. A thick bar shows the
    Wilson interval and a thin line the (wider) Clopper-Pearson interval; each point is annotated
    "k of n". ``reference`` draws a dashed vertical line (e.g. the share over all cases).
    """
    setup_style()
    slug = GRADE_SLUGS[grade]
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, max(3.0, 0.5 * len(summary) + 2.2)))
    y = np.arange(len(summary))[::-1]
    colour = GRADE_COLOURS[grade] if grade != "good" else "#2073BC"
    share = summary[f"share_{slug}"].to_numpy()
    ax.hlines(
        y, summary[f"exact_low_{slug}"], summary[f"exact_high_{slug}"], color=GREY, linewidth=1.5, label="Clopper-Pearson 95% interval"
    )
    ax.hlines(
        y, summary[f"wilson_low_{slug}"], summary[f"wilson_high_{slug}"], color=colour, linewidth=5, alpha=0.6, label="Wilson 95% interval"
    )
    ax.plot(share, y, "o", color=colour, markeredgecolor=EDGE, markersize=7, label="Share", zorder=3)
    for yi, hi, k, n in zip(y, summary[f"exact_high_{slug}"], summary[slug], summary["n"], strict=True):
        right = hi < 0.85
        ax.text(
            hi + 0.015 if right else 0.99, yi, f"{int(k)} of {int(n)}", fontsize=8, color=TEXT, ha="left" if right else "right", va="center"
        )
    if reference is not None:
        ax.axvline(reference, color=TEXT, linestyle="--", linewidth=1, label=f"Share over {reference_label}")
    ax.set_yticks(y, list(labels))
    ax.set_ylim(-0.6, len(summary) - 0.4)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(f"Share of cases graded {grade}")
    ax.set_title(title, pad=24)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    fig = ax.figure
    handles, texts = ax.get_legend_handles_labels()
    fig.legend(handles, texts, ncols=4, loc="lower center", frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.35 / fig.get_figheight(), 1, 1))
    return ax


def pooled_shares_plot(summary: pd.DataFrame, *, labels: Sequence[str], title: str, subtitle: str, reference: float) -> plt.Axes:
    """Each area's raw share graded inadequate (hollow circle, Wilson 95% interval) beside its partially pooled share (filled, 95% interval).

    ``summary`` rows as in ``area_summary.csv`` (drawn top to bottom in the given order);
    ``reference`` draws the overall share as a dashed line, towards which pooling pulls each area.
    """
    setup_style()
    _, ax = plt.subplots(figsize=(8.5, max(3.0, 0.55 * len(summary) + 2.2)))
    y = np.arange(len(summary))[::-1]
    raw, pooled = summary["share_inadequate"].to_numpy(), summary["pooled_share_inadequate"].to_numpy()
    ax.hlines(
        y + 0.15,
        summary["wilson_low_inadequate"],
        summary["wilson_high_inadequate"],
        color=GREY,
        linewidth=2,
        label="Raw share, Wilson 95% interval",
    )
    ax.plot(raw, y + 0.15, "o", markerfacecolor="white", markeredgecolor=EDGE, markersize=7, zorder=3, label="Raw share")
    colour = GRADE_COLOURS["inadequate"]
    ax.hlines(
        y - 0.15,
        summary["pooled_low_inadequate"],
        summary["pooled_high_inadequate"],
        color=colour,
        linewidth=4,
        alpha=0.7,
        label="Pooled share, 95% interval",
    )
    ax.plot(pooled, y - 0.15, "o", color=colour, markeredgecolor=EDGE, markersize=7, zorder=3, label="Pooled share")
    for yi, k, n in zip(y, summary["inadequate"], summary["n"], strict=True):
        ax.text(0.99, yi, f"{int(k)} of {int(n)}", fontsize=8, color=TEXT, ha="right", va="center")
    ax.axvline(reference, color=TEXT, linestyle="--", linewidth=1, label="Share over all cases")
    ax.set_yticks(y, list(labels))
    ax.set_ylim(-0.7, len(summary) - 0.3)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("Share of cases graded inadequate")
    ax.set_title(title, pad=24)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    fig = ax.figure
    handles, texts = ax.get_legend_handles_labels()
    fig.legend(handles, texts, ncols=3, loc="lower center", frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.45 / fig.get_figheight(), 1, 1))
    return ax
