"""Charts for the national context: funnel plots, the before/after view and the self-assessment comparison.

Gwent is drawn in the focus colour and every other force in grey; marker *shape* says where a
figure comes from (square: the inspectorate's own website; circle: secondary coverage), and a
hollow marker flags a row used with caution or only in part, so no cue depends on colour alone.
Gwent and every point outside the inner limits carry a label, placed so that labels do not overlap;
the keys to marks and lines are written under each chart, not in a legend box.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.text import Text
from matplotlib.ticker import PercentFormatter

from analysis.plots import DARK_GREY, FIG_WIDTH, FOCUS, GREY, TEXT, TEXT_PT, frame_figure, new_figure, wrap

#: The neutral colour for other forces, and the colour of control limits.
OTHER = GREY
LIMIT_COLOUR = DARK_GREY
MARKERS = {False: "s", True: "o"}  # secondary? -> marker
FLAGGED = ("used_with_caution", "partial")

# Offsets (points) tried in turn for each label; the first that overlaps nothing is used.
_OFFSETS = [(6, 5), (6, -5), (-6, 5), (-6, -5), (9, 0), (-9, 0), (0, 9), (0, -9)]
_OFFSETS += [(dx * k, dy * k) for k in (2, 3, 4) for dx, dy in ((7, 6), (7, -6), (-7, 6), (-7, -6), (0, 9), (0, -9), (10, 0), (-10, 0))]


def _overlaps(box, boxes) -> bool:
    return any(box.overlaps(b) for b in boxes)


def place_labels(
    ax: plt.Axes,
    x: Sequence[float],
    y: Sequence[float],
    labels: Sequence[str],
    *,
    bold: Sequence[bool] | None = None,
    fontsize: float = TEXT_PT,
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
    source: str,
    ylabel: str,
    method: str = "exact_binomial",
    show_other_method: bool = True,
) -> plt.Figure:
    """Funnel plot of a share against the number of cases, one point per document.

    ``points`` needs ``n``, ``share``, ``force``, ``year``, ``secondary``, ``treatment``,
    ``position`` and ``is_gwent`` (see :func:`analysis.sections.national.funnel_points`); ``limits``
    the rows of one measure from :func:`analysis.sections.national.funnel_limit_table`. The limits of
    ``method`` are drawn dashed (95%) and dotted (99.8%) and named at their right end; with
    ``show_other_method`` the other method's limits are drawn as thin light lines for comparison.
    Gwent is in the focus colour with a bold label; other forces are labelled when they lie
    outside the inner limits. A key under the chart explains marks and lines.
    """
    fig, ax = new_figure(8.2)
    lo_n, hi_n = int(points["n"].min()), int(points["n"].max())
    span = limits.loc[limits["n"].between(max(limits["n"].min(), lo_n - 25), min(limits["n"].max(), hi_n + 15))]
    right = span["n"].max()
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
            if m == method:
                ax.text(right, part["upper"].iloc[-1], f" {cov:.1%}".replace(".0%", "%"), va="center", ha="left", color=TEXT)
    ax.axhline(target, color=LIMIT_COLOUR, lw=1.0)
    ax.text(right, target, " pooled", va="center", ha="left", color=TEXT)

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
    ax.set_xlim(span["n"].min(), right)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    key = (
        "Square: figures from the inspectorate's website; circle: secondary coverage; hollow: flagged or partial. "
        "Solid line: pooled share of the other forces; dashed and dotted: 95% and 99.8% limits"
        + ("; faint: the same limits by the other method." if show_other_method else ".")
    )
    ax.set_xlabel("Number of cases audited\n" + wrap(key, FIG_WIDTH - 0.3), loc="left")
    ax.set_ylabel(wrap(ylabel, 3.5))
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    shown = order.loc[order["is_gwent"] | order["position"].ne("within_95")]
    labels = [f"{f} {y}" for f, y in zip(shown["force"], shown["year"], strict=True)]
    place_labels(ax, shown["n"].to_numpy(float), shown["share"].to_numpy(float), labels, bold=shown["is_gwent"].tolist())
    return fig


def before_after_plot(frame: pd.DataFrame, *, grades: Sequence[str], title: str, subtitle: str, source: str) -> plt.Figure:
    """One panel per grade in ``grades``, one under the other: the share of each force's cases in that grade at its inspection and later review, with Wilson intervals.

    ``frame`` is :func:`analysis.sections.national.before_after`, whose columns name the grades
    (:data:`analysis.sections.national.BEFORE_AFTER_GRADES`). Each force is named above its
    rows; the inspection is a filled circle, the later document a hollow diamond, joined by an
    arrow; each marker is labelled with its count and year ("18 of 73, 2016"). The two audits
    sample differently, which the caller's caption must say.
    """
    forces = list(dict.fromkeys(frame["force"]))
    fig, axes = plt.subplots(len(grades), 1, figsize=(FIG_WIDTH, 1.5 * len(forces) * len(grades) + 3.2), squeeze=False)
    axes = axes[:, 0]
    for ax, measure in zip(axes, grades, strict=True):
        for i, force in enumerate(forces):
            y = (len(forces) - 1 - i) * 1.4
            part = frame.loc[frame["force"] == force].sort_values("year", kind="stable")
            first, last = part.iloc[0], part.iloc[-1]
            ax.text(0.0, y + 0.42, force, ha="left", va="bottom", color=TEXT, fontweight="bold", transform=ax.get_yaxis_transform())
            ax.annotate(
                "",
                xy=(last[f"share_{measure}"], y - 0.14),
                xytext=(first[f"share_{measure}"], y + 0.14),
                arrowprops={"arrowstyle": "->", "color": LIMIT_COLOUR, "lw": 0.9},
            )
            for row, dy, marker, face in ((first, 0.14, "o", TEXT), (last, -0.14, "D", "white")):
                share = row[f"share_{measure}"]
                err = [[share - row[f"wilson_low_{measure}"]], [row[f"wilson_high_{measure}"] - share]]
                ax.errorbar(share, y + dy, xerr=err, fmt="none", ecolor=GREY, elinewidth=2, zorder=1)
                ax.scatter(share, y + dy, marker=marker, s=45, facecolors=face, edgecolors=TEXT, zorder=3)
                high = row[f"wilson_high_{measure}"]
                right = high < 0.6
                ax.annotate(
                    f"{int(row[measure])} of {int(row['n_cases'])}, {int(row['year'])}",
                    (high if right else row[f"wilson_low_{measure}"], y + dy),
                    xytext=(4 if right else -4, 0),
                    textcoords="offset points",
                    ha="left" if right else "right",
                    va="center",
                    color=TEXT,
                )
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_xlabel(f"Share graded {measure} (95% Wilson interval)")
        ax.set_ylim(-0.6, (len(forces) - 1) * 1.4 + 0.95)
        ax.set_yticks([])
        ax.spines[["left"]].set_visible(False)
    axes[-1].set_xlabel(
        axes[-1].get_xlabel() + "\n" + wrap("Filled circle: inspection; hollow diamond: post-inspection review.", FIG_WIDTH - 0.3),
        loc="left",
    )
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig


def self_assessment_plot(frame: pd.DataFrame, *, share: str, title: str, subtitle: str, source: str) -> plt.Figure:
    """Per document, the share of self-assessed cases the force and the inspectors graded as ``share`` says.

    ``frame`` is :func:`analysis.sections.national.self_assessment`; ``share`` says in words what its
    share counts (:data:`analysis.sections.national.SELF_ASSESSMENT_SHARE`). Each document is named above
    its row; the force's grading is a hollow circle, the inspectors' a filled square, joined by a
    line; a line under each row gives both gradings as published ("force (circle) 27 of 33", or
    "about 80%" where only a percentage is published). Gwent is in the focus colour, its name in bold.
    """
    fig, ax = new_figure(1.75 * len(frame) + 2.8)
    for i, (_, r) in enumerate(frame.iterrows()):
        y = (len(frame) - 1 - i) * 2.0
        colour = FOCUS if r["is_gwent"] else TEXT
        ax.text(
            0.0,
            y + 0.62,
            f"{r['force']} {r['year']} ({r['n_self_assessed']} cases)",
            ha="left",
            va="bottom",
            color=colour,
            fontweight="bold" if r["is_gwent"] else "normal",
            transform=ax.get_yaxis_transform(),
        )
        ax.plot([r["hmicfrs_share"], r["force_share"]], [y, y], color=GREY, lw=3, zorder=1)
        ax.scatter(r["force_share"], y, marker="o", s=70, facecolors="white", edgecolors=colour, linewidths=1.6, zorder=3)
        ax.scatter(r["hmicfrs_share"], y, marker="s", s=70, facecolors=colour, edgecolors=colour, zorder=3)
        parts = []
        for who, name in (("hmicfrs", "inspectors (square)"), ("force", "force (circle)")):
            if r[f"{who}_basis"] == "counts":
                star = "" if r[f"{who}_total"] == r["n_self_assessed"] else "*"
                parts.append(f"{name} {int(r[f'{who}_top'])} of {int(r[f'{who}_total'])}{star}")
            else:
                parts.append(f"{name} about {r[f'{who}_share']:.0%}")
        ax.text(0.0, y - 0.3, "; ".join(parts), ha="left", va="top", color=TEXT, transform=ax.get_yaxis_transform())
    ax.set_xlim(0, 1)
    ax.set_ylim(-1.1, (len(frame) - 1) * 2.0 + 1.3)
    ax.set_yticks([])
    ax.spines[["left"]].set_visible(False)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xlabel(
        wrap(
            f"Share of self-assessed cases {share}. "
            "Hollow circle: the force's own grading; filled square: the inspectors' grading of the same cases.",
            FIG_WIDTH - 0.3,
        ),
        loc="left",
    )
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig
