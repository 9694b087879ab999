"""Charts for the national context: funnel plots, the before/after view and the self-assessment comparison.

Gwent is drawn in the focus colour and every other force in grey; marker *shape* says where a
figure comes from (square: the inspectorate's own website; circle: secondary coverage), and a
hollow marker flags a row used with caution or only in part, so no cue depends on colour alone.
Every point carries a label placed so that labels do not overlap.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import PercentFormatter

from analysis.plots import GREY, TEXT, setup_style

#: Focus colour for Gwent (Analysis Function focus palette) and the neutral for other forces.
FOCUS = "#12436D"
OTHER = GREY
LIMIT_COLOUR = "#505A5F"
MARKERS = {False: "s", True: "o"}  # secondary? -> marker
FLAGGED = ("used_with_caution", "partial")

# Offsets (points) tried in turn for each label; the first that overlaps nothing is used.
_OFFSETS = [(6, 5), (6, -5), (-6, 5), (-6, -5), (9, 0), (-9, 0), (0, 9), (0, -9)]
_OFFSETS += [(dx * k, dy * k) for k in (2, 3, 4) for dx, dy in ((7, 6), (7, -6), (-7, 6), (-7, -6), (0, 9), (0, -9), (10, 0), (-10, 0))]


def _overlaps(box, boxes) -> bool:
    return any(box.overlaps(b) for b in boxes)


def place_labels(
    ax: plt.Axes, x: Sequence[float], y: Sequence[float], labels: Sequence[str], *, bold: Sequence[bool] | None = None, fontsize: float = 8
) -> list:
    """Label every point (x, y) of ``ax`` with the first nearby position that overlaps no other label or point.

    Candidate offsets are tried in a fixed order, so placement is deterministic. A label moved
    away from its point gets a thin leader line. Returns the annotation artists.
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    pts = ax.transData.transform(np.column_stack([x, y]))
    pad = 4
    taken = [plt.matplotlib.transforms.Bbox.from_extents(px - pad, py - pad, px + pad, py + pad) for px, py in pts]
    axes_box = ax.get_window_extent(renderer)
    bold = list(bold) if bold is not None else [False] * len(labels)
    artists = []
    for xi, yi, label, b in zip(x, y, labels, bold, strict=True):
        chosen = None
        for dx, dy in _OFFSETS:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            far = abs(dx) > 10 or abs(dy) > 10
            ann = ax.annotate(
                label,
                (xi, yi),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                fontweight="bold" if b else "normal",
                color=TEXT,
                arrowprops={"arrowstyle": "-", "color": TEXT, "lw": 0.6, "shrinkA": 0, "shrinkB": 3} if far else None,
            )
            ann.update_positions(renderer)
            box = Text.get_window_extent(ann, renderer).expanded(1.04, 1.15)  # the text only, not its leader line
            inside = axes_box.contains(box.x0, box.y0) and axes_box.contains(box.x1, box.y1)
            if inside and not _overlaps(box, taken):
                chosen = ann
                taken.append(box)
                break
            ann.remove()
        if chosen is None:  # no free spot: keep the first candidate (labels may then touch)
            dx, dy = _OFFSETS[0]
            chosen = ax.annotate(
                label, (xi, yi), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize, fontweight="bold" if b else "normal"
            )
        artists.append(chosen)
    return artists


def funnel_plot(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    target: float,
    title: str,
    subtitle: str,
    ylabel: str,
    method: str = "exact_binomial",
    show_other_method: bool = True,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Funnel plot of a share against the number of cases, one labelled point per document.

    ``points`` needs ``n``, ``share``, ``force``, ``year``, ``secondary``, ``treatment`` and
    ``is_gwent`` (see :func:`analysis.sections.national.funnel_points`); ``limits`` the rows of one measure
    from :func:`analysis.sections.national.funnel_limit_table`. The limits of ``method`` are drawn dashed
    (95%) and dotted (99.8%); with ``show_other_method`` the other method's limits are drawn as
    thin light lines for comparison. Gwent is in the focus colour with a bold label.
    """
    setup_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 6))
    lo_n, hi_n = int(points["n"].min()), int(points["n"].max())
    span = limits.loc[limits["n"].between(max(limits["n"].min(), lo_n - 25), min(limits["n"].max(), hi_n + 15))]
    for m in limits["method"].unique():
        for cov, style in ((0.95, "--"), (0.998, ":")):
            part = span.loc[(span["method"] == m) & np.isclose(span["confidence"], cov)].sort_values("n")
            if m == method:
                kw = {"color": LIMIT_COLOUR, "lw": 1.3, "ls": style}
            elif show_other_method:
                kw = {"color": "#B1B4B6", "lw": 0.8, "ls": style}
            else:
                continue
            ax.plot(part["n"], part["lower"], **kw)
            ax.plot(part["n"], part["upper"], **kw)
    ax.axhline(target, color=LIMIT_COLOUR, lw=1.0)
    ax.text(span["n"].max(), target, " pooled\n others", va="center", ha="left", fontsize=8, color=TEXT)

    order = points.sort_values(["is_gwent", "n"], ascending=[False, True], kind="stable")
    for _, p in order.iterrows():
        colour = FOCUS if p["is_gwent"] else OTHER
        hollow = p["treatment"] in FLAGGED
        ax.scatter(
            p["n"],
            p["share"],
            marker=MARKERS[bool(p["secondary"])],
            s=90 if p["is_gwent"] else 50,
            facecolors="white" if hollow else colour,
            edgecolors=FOCUS if p["is_gwent"] else TEXT,
            linewidths=1.4 if hollow else 0.8,
            zorder=3,
        )
    labels = [f"{f} {y}" for f, y in zip(order["force"], order["year"], strict=True)]
    ax.set_xlim(span["n"].min(), span["n"].max())
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Number of cases audited")
    ax.set_ylabel(ylabel)
    ax.set_title(title, pad=26)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    handles = []
    for gwent, secondary, label in (
        (True, False, "Gwent: inspectorate report (square)"),
        (True, True, "Gwent: secondary coverage (circle)"),
        (False, False, "Other force: inspectorate website (square)"),
        (False, True, "Other force: secondary coverage (circle)"),
    ):
        if ((points["is_gwent"] == gwent) & (points["secondary"] == secondary)).any():
            face = FOCUS if gwent else OTHER
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=MARKERS[secondary],
                    ls="",
                    markerfacecolor=face,
                    markeredgecolor=FOCUS if gwent else TEXT,
                    markersize=7,
                    label=label,
                )
            )
    if points["treatment"].isin(FLAGGED).any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor="white",
                markeredgecolor=TEXT,
                markersize=7,
                label="Hollow: flagged or partial figures",
            )
        )
    handles += [
        Line2D([], [], color=LIMIT_COLOUR, lw=1.0, label="Pooled share of other forces"),
        Line2D([], [], color=LIMIT_COLOUR, lw=1.3, ls="--", label="95% limits"),
        Line2D([], [], color=LIMIT_COLOUR, lw=1.3, ls=":", label="99.8% limits"),
    ]
    if show_other_method:
        other = "Wilson" if method == "exact_binomial" else "exact binomial"
        handles.append(Line2D([], [], color="#B1B4B6", lw=0.8, ls="--", label=f"{other} limits (comparison)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, frameon=False, fontsize=8)
    ax.figure.tight_layout()
    place_labels(ax, order["n"].to_numpy(float), order["share"].to_numpy(float), labels, bold=order["is_gwent"].tolist())
    return ax


def before_after_plot(frame: pd.DataFrame, *, title: str, subtitle: str) -> plt.Figure:
    """Two panels (share good, share inadequate): each force's inspection and later review, with Wilson intervals.

    ``frame`` is :func:`analysis.sections.national.before_after`. The inspection is a filled circle, the
    later document a hollow diamond, joined by an arrow; each marker is labelled with its count
    ("18 of 73"). The two audits sample differently, which the caller's caption must say.
    """
    setup_style()
    forces = list(dict.fromkeys(frame["force"]))
    fig, axes = plt.subplots(1, 2, figsize=(10, 1.0 * len(forces) + 2.2), sharey=True)
    for ax, measure, count_col in ((axes[0], "good", "good"), (axes[1], "inadequate", "inadequate")):
        for i, force in enumerate(forces):
            y = len(forces) - 1 - i
            part = frame.loc[frame["force"] == force].sort_values("year", kind="stable")
            first, last = part.iloc[0], part.iloc[-1]
            ax.annotate(
                "",
                xy=(last[f"share_{measure}"], y - 0.12),
                xytext=(first[f"share_{measure}"], y + 0.12),
                arrowprops={"arrowstyle": "->", "color": LIMIT_COLOUR, "lw": 0.9},
            )
            for row, dy, marker, face in ((first, 0.12, "o", TEXT), (last, -0.12, "D", "white")):
                share = row[f"share_{measure}"]
                err = [[share - row[f"wilson_low_{measure}"]], [row[f"wilson_high_{measure}"] - share]]
                ax.errorbar(share, y + dy, xerr=err, fmt="none", ecolor=GREY, elinewidth=2, zorder=1)
                ax.scatter(share, y + dy, marker=marker, s=45, facecolors=face, edgecolors=TEXT, zorder=3)
                ax.annotate(
                    f"{int(row[count_col])} of {int(row['n_cases'])} ({int(row['year'])})",
                    (row[f"wilson_high_{measure}"], y + dy),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    color=TEXT,
                )
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"Share graded {measure} (95% Wilson interval)")
        ax.set_ylim(-0.6, len(forces) - 0.4)
    axes[0].set_yticks(range(len(forces)), list(reversed(forces)))
    handles = [
        Line2D([], [], marker="o", ls="", markerfacecolor=TEXT, markeredgecolor=TEXT, label="Inspection"),
        Line2D([], [], marker="D", ls="", markerfacecolor="white", markeredgecolor=TEXT, label="Post-inspection review"),
    ]
    axes[1].legend(handles=handles, loc="upper center", bbox_to_anchor=(-0.1, -0.2), ncols=2, frameon=False)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    fig.text(0.01, 0.9, subtitle, fontsize=9, color=TEXT, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def self_assessment_plot(frame: pd.DataFrame, *, title: str, subtitle: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Per document, the share of self-assessed cases the force and the inspectors rated above the two lower grades.

    ``frame`` is :func:`analysis.sections.national.self_assessment`. The force's grading is a hollow
    circle, the inspectors' a filled square, joined by a line; labels give the published basis
    ("27 of 33", or "about 80%" where only a percentage is published). Gwent is in the focus colour.
    """
    setup_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.9 * len(frame) + 2))
    for i, (_, r) in enumerate(frame.iterrows()):
        y = len(frame) - 1 - i
        colour = FOCUS if r["is_gwent"] else TEXT
        ax.plot([r["hmicfrs_share"], r["force_share"]], [y, y], color=GREY, lw=3, zorder=1)
        ax.scatter(r["force_share"], y, marker="o", s=70, facecolors="white", edgecolors=colour, linewidths=1.6, zorder=3)
        ax.scatter(r["hmicfrs_share"], y, marker="s", s=70, facecolors=colour, edgecolors=colour, zorder=3)
        for who, ha, dx in (("force", "left", 8), ("hmicfrs", "right", -8)):
            if r[f"{who}_basis"] == "counts":
                star = "" if r[f"{who}_total"] == r["n_self_assessed"] else "*"
                text, xy, va = f"{int(r[f'{who}_top'])} of {int(r[f'{who}_total'])}{star}", (dx, 0), "center"
            else:
                text, xy, ha, va = f"{r[f'{who}_share']:.0%} (percentage)", (0, 8), "center", "bottom"
            ax.annotate(text, (r[f"{who}_share"], y), xytext=xy, textcoords="offset points", ha=ha, va=va, fontsize=8, color=TEXT)
    names = [f"{f} {y}\n({n} cases)" for f, y, n in zip(frame["force"], frame["year"], frame["n_self_assessed"], strict=True)]
    ax.set_yticks(range(len(frame)), list(reversed(names)))
    for tick, gw in zip(ax.get_yticklabels(), reversed(frame["is_gwent"].tolist()), strict=True):
        if gw:
            tick.set_fontweight("bold")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(frame) - 0.4)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Share of self-assessed cases not graded requires improvement or inadequate")
    ax.set_title(title, pad=26)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    handles = [
        Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=TEXT, label="The force's own grading"),
        Line2D([], [], marker="s", ls="", markerfacecolor=TEXT, markeredgecolor=TEXT, label="The inspectors' grading of the same cases"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    ax.figure.tight_layout()
    return ax
