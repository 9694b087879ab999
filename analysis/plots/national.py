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

from analysis import choices
from analysis.narrative import panel as words
from analysis.narrative.style import level_text
from analysis.plots import DARK_GREY, EDGE, FIG_WIDTH, FOCUS, GREY, TEXT, TEXT_PT, frame_figure, new_figure, setup_style, wrap
from analysis.sections.panel import OVERALL_RATER, OVERALL_SAMPLE, short_force

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
    """Funnel plot of a share against the number of cases, one mark per document.

    ``points`` are one funnel's rows of ``funnel_positions.csv`` for one analysis (``n``, ``share``,
    ``force``, ``year``, ``secondary``, ``status``, ``pinned``, ``count_low``, ``count_high``,
    ``position_binomial``, ``is_gwent``); ``limits`` the rows of one measure of ``funnel_limits.csv``.
    A pinned count is a point; a count the figures leave as a range is a vertical bar from its fewest
    to its most cases at its number of cases; a document whose sources give different numbers of
    cases cannot be placed and is named in the key. The limits of ``method`` are drawn dashed (95%)
    and dotted (99.8%) and named at their right end; with ``show_other_method`` the other method's
    limits are drawn as thin light lines. Gwent is in the focus colour with a bold label; other forces
    are labelled when they lie outside the inner limits or their place depends on their range.
    """
    fig, ax = new_figure(8.2)
    placed = points.loc[points["n"].notna()].copy()
    placed["n"] = placed["n"].astype(float)
    unplaced = points.loc[points["n"].isna()]
    lo_n, hi_n = int(placed["n"].min()), int(placed["n"].max())
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
                ax.text(right, part["upper"].iloc[-1], " " + level_text(cov), va="center", ha="left", color=TEXT)
    ax.axhline(target, color=LIMIT_COLOUR, lw=1.0)
    ax.text(right, target, " pooled", va="center", ha="left", color=TEXT)

    pinned = placed["pinned"].astype(str).str.lower().eq("true")
    placed["y"] = [
        float(sh) if p else (float(lo) + float(hi)) / 2 / n
        for sh, p, lo, hi, n in zip(placed["share"], pinned, placed["count_low"], placed["count_high"], placed["n"], strict=True)
    ]
    is_gwent = placed["is_gwent"].astype(str).str.lower().eq("true")
    for (_, p), pin, me in zip(placed.iterrows(), pinned, is_gwent, strict=True):
        colour = FOCUS if me else OTHER
        if not pin:
            ax.plot([p["n"]] * 2, [p["count_low"] / p["n"], p["count_high"] / p["n"]], color=FOCUS if me else TEXT, lw=2.2, zorder=3)
            continue
        hollow = str(p["status"]) != "used"
        ax.scatter(
            p["n"],
            p["share"],
            marker=MARKERS[str(p["secondary"]).lower() == "true"],
            s=90 if me else 50,
            facecolors="white" if hollow else colour,
            edgecolors=FOCUS if me else TEXT,
            linewidths=1.4 if hollow else 0.8,
            zorder=3,
        )
    ax.set_xlim(span["n"].min(), right)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    left_out = [f"{short_force(str(f))} {int(y)}" for f, y in zip(unplaced["force"], unplaced["year"], strict=True)]
    key = (
        "Square: figures from the inspectorate's website; circle: secondary coverage; hollow: partly used; vertical bar: a count "
        "the figures leave as a range. "
        + words.funnel_key(choices.FUNNEL_LEVELS)
        + ("; faint: the same limits by the other method." if show_other_method else ".")
        + (f" Not drawn (sources give different numbers of cases): {', '.join(left_out)}." if left_out else "")
    )
    ax.set_xlabel("Number of cases audited\n" + wrap(key, FIG_WIDTH - 0.3), loc="left")
    ax.set_ylabel(wrap(ylabel, 3.5))
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    shown = placed.loc[is_gwent | placed["position_binomial"].ne("within_95")]
    labels = [f"{short_force(str(f))} {int(y)}" for f, y in zip(shown["force"], shown["year"], strict=True)]
    bold = shown["is_gwent"].astype(str).str.lower().eq("true").tolist()
    place_labels(ax, shown["n"].to_numpy(float), shown["y"].to_numpy(float), labels, bold=bold)
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
        ax.set_xlabel(words.interval_axis(measure, choices.CONFIDENCE))
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


# --------------------------------------------------------------------------- the panel of every document (issue 25)

#: Light band behind the compared force's row.
BAND = "#F3F2F1"


def panel_grades(panel: pd.DataFrame, compared: str) -> tuple[str, str]:
    """The grades of the chart's two panels, in the order drawn: the compared audit's worst grade, then beside it its best.

    Read from the compared document's own rows of ``national_panel.csv`` (its scale, best first), never typed here.
    """
    rows = panel.loc[panel["audit_id"].eq(compared) & panel["sample"].eq(OVERALL_SAMPLE) & panel["rater"].eq(OVERALL_RATER), "grade"]
    scale = list(dict.fromkeys(str(g) for g in rows if " or " not in str(g)))
    if len(scale) < 2:
        raise ValueError(f"national_panel.csv has no grade scale for {compared!r}")
    return scale[-1], scale[0]


def panel_chart(
    shares: dict[str, pd.DataFrame],
    pooled: dict[str, float | None],
    colours: dict[str, str],
    *,
    title: str,
    subtitle: str,
    source: str,
    interval: str,
) -> plt.Figure:
    """Every document's share of cases in each grade of ``shares``, one row per document, the grades side by side in panels that share the row labels.

    ``shares`` maps each grade (in the order drawn) to :func:`document_shares` (the same documents in
    the same order); ``pooled`` maps it to the programme's pooled share (:func:`pooled_share`) or
    None; ``colours`` gives each grade its colour (:func:`analysis.plots.grade_colours`). In each
    panel a document's count range is a bar in the grade's colour with a dark edge (a single count,
    a dot), and its interval (``interval`` names it, e.g. "95% interval") a thinner dark line; a
    document with no share drawn shows its short note instead. The pooled share is a dashed line
    named at its top; the compared audit's row is shaded and its label bold. Every text is at least
    :data:`analysis.plots.TEXT_PT`.
    """
    grades = list(shares)
    first = shares[grades[0]]
    n = len(first)
    setup_style()
    fig, axes = plt.subplots(1, len(grades), sharey=True, figsize=(FIG_WIDTH, 0.3 * n + 3.0), squeeze=False)
    axes = axes[0]
    ys = np.arange(n, dtype=float)
    for i, (ax, grade) in enumerate(zip(axes, grades, strict=True)):
        frame = shares[grade].reset_index(drop=True)
        colour = colours[grade]
        for y, row in zip(ys, frame.itertuples(index=False), strict=True):
            if row.is_compared:
                ax.axhspan(y - 0.5, y + 0.5, color=BAND, zorder=0, lw=0)
            if row.note:
                ax.text(0.02, y, row.note, ha="left", va="center", color=DARK_GREY, fontstyle="italic")
                continue
            if pd.notna(row.ci_low) and pd.notna(row.ci_high):  # a printed percentage of an unknown number of cases has no interval
                ax.hlines(y, row.ci_low, row.ci_high, color=DARK_GREY, lw=1.2, zorder=2)
            if row.share_high > row.share_low:
                ax.barh(y, row.share_high - row.share_low, left=row.share_low, height=0.56, color=colour, edgecolor=EDGE, lw=0.7, zorder=3)
            else:
                ax.scatter(row.share_low, y, s=36, color=colour, edgecolors=EDGE, linewidths=0.8, zorder=4)
        target = pooled.get(grade)
        if target is not None:
            ax.axvline(target, color=DARK_GREY, ls="--", lw=1.0, zorder=1)
            ax.text(target, -0.75, f"pooled {target:.0%}", ha="left" if target < 0.5 else "right", va="bottom", color=TEXT)
        ax.set_title(grade.capitalize(), loc="left", fontsize=TEXT_PT, fontweight="bold")
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1], ["" if i else "0%", "50%", "100%"])  # no "0%" against the previous panel's "100%"
        ax.tick_params(axis="y", length=0)
        ax.spines[["left"]].set_visible(False)
    axes[0].set_ylim(n - 0.5, -1.6)
    axes[0].set_yticks(ys, first["label"].tolist())
    for tick, compared in zip(axes[0].get_yticklabels(), first["is_compared"], strict=True):
        if compared:
            tick.set_fontweight("bold")
    key = (
        f"Bar: the shares the published figures allow (a dot: one share); thin line: the {interval}; "
        "dashed line: the pooled share of the other forces' inspections on the same grade scale."
    )
    axes[0].set_xlabel(wrap(key, FIG_WIDTH - 0.3), loc="left")
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    return fig
