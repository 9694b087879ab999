"""Plotting helpers shared by every chart: the grade palette, label colours and the stacked grade bar.

Topic-specific charts live in submodules of this package (``analysis.plots.<topic>``) and use
:data:`GRADE_COLOURS` so that each grade has one colour everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from analysis.grades import GRADES

#: One colour per grade, from the Analysis Function sequential blue palette, darkest for the worst
#: grade. Neighbouring grades differ by at least 3:1 in contrast (tested), bars carry a dark edge
#: so the light "good" bars stand out from a white background, and every bar is labelled directly.
GRADE_COLOURS: dict[str, str] = {"good": "#ADD1F1", "requires improvement": "#2073BC", "inadequate": "#092135"}

#: Neutral colours for text, edges and reference marks.
TEXT = "#0B0C0C"
GREY = "#BFBFBF"
EDGE = "#0B0C0C"


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


def setup_style() -> None:
    """Apply the project's plain chart style (no top/right spines, readable font sizes)."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "font.size": 10,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "gwent-ncpi",
            "path.simplify": True,
        }
    )


def stacked_grade_bars(
    counts: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    ax: plt.Axes | None = None,
    grades: Sequence[str] = GRADES,
) -> plt.Axes:
    """Horizontal 100% stacked bars, one per row of ``counts`` (columns: grades, values: case counts).

    Each segment is labelled directly with its count and share (e.g. "10 (30%)"), so colour is
    never the only cue; the legend lists grades best first. ``title`` should state the finding,
    ``subtitle`` what is measured and the n.
    """
    setup_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.8 * len(counts) + 1.8))
    counts = counts[list(grades)]
    totals = counts.sum(axis=1)
    shares = counts.div(totals, axis=0)
    y = np.arange(len(counts))[::-1]
    left = np.zeros(len(counts))
    for grade in grades:
        width = shares[grade].to_numpy()
        ax.barh(y, width, left=left, color=GRADE_COLOURS[grade], edgecolor=EDGE, linewidth=0.6, label=grade.capitalize(), height=0.6)
        for yi, li, wi, ni in zip(y, left, width, counts[grade].to_numpy(), strict=True):
            if ni > 0 and wi >= 0.07:
                ax.text(
                    li + wi / 2, yi, f"{ni}\n({wi:.0%})", ha="center", va="center", fontsize=9, color=label_colour(GRADE_COLOURS[grade])
                )
        left += width
    ax.set_yticks(y, [f"{name}\n(n = {int(t)})" for name, t in zip(counts.index, totals, strict=True)])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("Share of cases")
    ax.set_title(title, pad=24)
    ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=9, color=TEXT, va="bottom")
    ax.legend(ncols=len(grades), loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
    ax.figure.tight_layout()
    return ax
