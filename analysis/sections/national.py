"""Gwent's audit among other forces' child protection inspections: the funnels, built from the national panel (tables only;
the sentences about them are in :mod:`analysis.narrative.national`).

The documents are the members of the national panel (:mod:`analysis.data.panel`: one audit
package per document under ``data/raw/national/``, and Gwent's own package), read through the same
gate in as any package. A document goes on the funnel of a grade's share when it is a full
inspection graded good, requires improvement, inadequate and gives the number of cases of all the
cases the inspectors graded. A count the figures pin down is a point; a count they leave as a range
is placed at every count of its range, and its position is stated only when every count gives the
same one (else ``depends``, with the range of positions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import choices
from analysis.data.load import AuditData
from analysis.data.panel import Panel
from analysis.data.publish import Stage, TableSpec
from analysis.narrative import panel as words
from analysis.stats import funnel

#: The grade scale of the funnels: documents graded on another scale are not compared with the compared force's.
FUNNEL_SCALE: tuple[str, ...] = ("good", "requires improvement", "inadequate")
#: Source kinds that are not the inspectorate's own website: a document whose licence is not OGL-UK-3.0 alone
#: quotes some figures from news reports or other published statements (data/raw/national/README.md).
SECONDARY_KINDS: tuple[str, ...] = ("news",)
#: The licence of a package whose every figure is quoted from an inspectorate page.
INSPECTORATE_LICENCE = "OGL-UK-3.0"
#: Measures drawn as funnels.
FUNNEL_MEASURES: tuple[str, ...] = ("inadequate", "good")
#: Numbers of cases at which the funnel limits are tabulated.
FUNNEL_N = range(20, 121)
#: The group of cases on the funnels: every case the inspectors graded.
FUNNEL_GROUP = ("all", "inspectorate", "")
#: The position of a document whose range of counts falls in more than one place.
DEPENDS = "depends"


def _year(published: str) -> int:
    return int(str(published)[:4])


def funnel_points(panel: Panel, measure: str) -> pd.DataFrame:
    """The documents on the funnel of ``measure`` (a grade of :data:`FUNNEL_SCALE`): full inspections on that scale with all cases' size.

    One row per document: ``document_id``, ``force``, ``year``, ``source_kind``, ``secondary``,
    ``is_gwent`` (the panel's own package, the force compared), ``status``, ``readings`` (per
    reading, ``(fewest, most, n)``), ``count_low``/``count_high`` (over the readings), ``pinned``
    (one count and one size), and, when pinned, ``count``, ``n`` and ``share`` (else empty).
    """
    i = FUNNEL_SCALE.index(measure)
    rows = []
    for m in panel.members:
        if m.document_type != "inspection" or tuple(m.meta.grades) != FUNNEL_SCALE:
            continue
        found = [(int(r[i, 0]), int(r[i, 1]), int(of)) for r, of in m.per_reading(FUNNEL_GROUP)]
        if not found:
            continue
        readings = tuple(sorted(set(found)))
        pinned = len(readings) == 1 and readings[0][0] == readings[0][1]
        secondary = not m.is_project and m.meta.licence != INSPECTORATE_LICENCE
        rows.append(
            {
                "document_id": m.id,
                "force": m.meta.force,
                "year": _year(m.meta.published),
                "source_kind": "news" if secondary else "inspectorate",
                "secondary": secondary,
                "is_gwent": m.is_project,
                "status": m.status,
                "readings": readings,
                "count_low": min(lo for lo, _, _ in readings),
                "count_high": max(hi for _, hi, _ in readings),
                "pinned": pinned,
                "count": readings[0][0] if pinned else pd.NA,
                "n": readings[0][2] if len({n for _, _, n in readings}) == 1 else pd.NA,
            }
        )
    frame = pd.DataFrame(rows, columns=list(_POINT_COLUMNS))
    frame["count"] = frame["count"].astype("Int64")
    frame["n"] = frame["n"].astype("Int64")
    frame["share"] = [c / n if p else np.nan for c, n, p in zip(frame["count"], frame["n"], frame["pinned"], strict=True)]
    return frame


_POINT_COLUMNS = (
    "document_id",
    "force",
    "year",
    "source_kind",
    "secondary",
    "is_gwent",
    "status",
    "readings",
    "count_low",
    "count_high",
    "pinned",
    "count",
    "n",
)


def funnel_target(points: pd.DataFrame, confidence: float = 0.95) -> funnel.PooledEstimate:
    """The funnel's target: the pooled share over the other forces' documents whose counts are pinned (Gwent left out).

    Leaving Gwent out makes the benchmark independent of the force being compared. See
    :func:`analysis.stats.funnel.pooled_estimate` for the interval and the over-dispersion test.
    """
    others = points.loc[~points["is_gwent"].astype(bool) & points["pinned"].astype(bool)]
    return funnel.pooled_estimate([int(c) for c in others["count"]], [int(n) for n in others["n"]], confidence)


def with_positions(points: pd.DataFrame, target: float, method: str = "exact_binomial") -> pd.DataFrame:
    """Add ``position`` (see :data:`analysis.stats.funnel.POSITIONS`) of each funnel point whose count is pinned against ``target``."""
    out = points.loc[points["pinned"].astype(bool)].copy()
    out["position"] = [funnel.position(int(c), int(n), target, method) for c, n in zip(out["count"], out["n"], strict=True)]
    return out


def funnel_limit_table(panel: Panel, n_values=FUNNEL_N) -> pd.DataFrame:
    """Funnel limits for every measure of :data:`FUNNEL_MEASURES`, both methods, both confidence levels, over ``n_values``."""
    parts = []
    for measure in FUNNEL_MEASURES:
        target = funnel_target(funnel_points(panel, measure)).share
        table = funnel.funnel_limits(target, n_values)
        table.insert(0, "measure", measure)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- funnels that allow for over-dispersion

#: Scale on which the over-dispersion is estimated and the over-dispersed limits are drawn: the share
#: itself, with the binomial standard error at the target (Spiegelhalter 2005, section 6). On this
#: scale ``tau2 = 0`` (or ``phi <= 1``) gives exactly the Wilson-score limits of ``funnel_limits.csv``.
OVERDISPERSION_SCALE = "identity"

#: The kinds of limit every force is placed against, in the order the text names them: chance alone
#: (exact binomial), the main over-dispersed limits (additive random effects) and the multiplicative
#: limits shown beside them.
LIMIT_KINDS: dict[str, str] = {
    "binomial": "exact binomial limits",
    "additive": "additive random-effects limits",
    "multiplicative": "multiplicative limits",
}

#: Words for the kinds of secondary source, as the text names them.
SECONDARY_WORDS: dict[str, str] = {"news": "news reports and other published statements"}


@dataclass(frozen=True)
class OverdispersionAnalysis:
    """One way of estimating the over-dispersion: how far the z-scores are Winsorised, whether secondary sources are used,
    and which counts of the documents whose counts are a range enter the estimate (``ranges``: ``None`` for none of them,
    ``"fewest"`` or ``"most"`` for each at that end of its range, the sensitivity runs)."""

    name: str
    winsor_level: float
    secondary_sources: bool
    description: str
    ranges: str | None = None


#: The analyses, in the order they are tabulated; the first is the main one.
OVERDISPERSION_ANALYSES: tuple[OverdispersionAnalysis, ...] = (
    OverdispersionAnalysis(
        "all_sources",
        funnel.WINSOR_LEVEL,
        True,
        words.overdispersion_analysis_description("all_sources", funnel.WINSOR_LEVEL),
    ),
    OverdispersionAnalysis("not_winsorised", 0.0, True, words.overdispersion_analysis_description("not_winsorised", funnel.WINSOR_LEVEL)),
    OverdispersionAnalysis(
        "without_secondary_sources",
        funnel.WINSOR_LEVEL,
        False,
        words.overdispersion_analysis_description("without_secondary_sources", funnel.WINSOR_LEVEL),
    ),
    OverdispersionAnalysis(
        "ranges_at_fewest",
        funnel.WINSOR_LEVEL,
        True,
        words.overdispersion_analysis_description("ranges_at_fewest", funnel.WINSOR_LEVEL),
        "fewest",
    ),
    OverdispersionAnalysis(
        "ranges_at_most",
        funnel.WINSOR_LEVEL,
        True,
        words.overdispersion_analysis_description("ranges_at_most", funnel.WINSOR_LEVEL),
        "most",
    ),
)
#: Name of the main analysis.
MAIN_ANALYSIS = OVERDISPERSION_ANALYSES[0].name


@dataclass(frozen=True)
class OverdispersionRun:
    """One funnel under one analysis: the forces placed, the over-dispersion estimate, and why not when it cannot be made.

    ``points`` are the funnel points the analysis keeps, with ``z`` and ``position_<kind>`` (and
    ``position_<kind>_low``/``_high``) for each kind of :data:`LIMIT_KINDS`; ``others`` counts the
    other forces whose counts enter the estimate (never the force compared), ``left_out`` the other
    forces on the funnel the estimate does not use; ``pulled_in`` names the documents whose z-scores
    Winsorisation changed. With fewer than two other forces nothing can be estimated:
    ``dispersion`` is None, ``points`` is empty and ``reason`` says why; otherwise ``reason`` is empty.
    """

    measure: str
    analysis: OverdispersionAnalysis
    points: pd.DataFrame
    others: int
    left_out: int
    dispersion: funnel.Dispersion | None
    pulled_in: tuple[str, ...]
    reason: str


def _too_few_reason(points: pd.DataFrame, kept: pd.DataFrame) -> str:
    """Why an analysis estimating from ``kept`` of a funnel's ``points`` cannot be made: fewer than two other forces are left."""
    compared = points.loc[points["is_gwent"], "force"]
    name = str(compared.iloc[0]) if len(compared) else "the force compared"
    others = points.loc[~points["is_gwent"]]
    kept_others = kept.loc[~kept["is_gwent"]]
    return words.too_few_forces_reason(name, len(others), len(kept_others))


def _empty_run_points(points: pd.DataFrame) -> pd.DataFrame:
    out = points.iloc[:0].copy()
    out["z"] = pd.Series(dtype=float)
    for kind in LIMIT_KINDS:
        for suffix in ("", "_low", "_high"):
            out[f"position_{kind}{suffix}"] = pd.Series(dtype=object)
    return out


def _end(readings: tuple[tuple[int, int, int], ...], end: str) -> tuple[int, int]:
    """The count and size of a document's fewest (or most) share over its readings."""
    if end == "fewest":
        lo, _, n = min(readings, key=lambda r: (r[0] / r[2], r[2]))
        return lo, n
    _, hi, n = max(readings, key=lambda r: (r[1] / r[2], -r[2]))
    return hi, n


def overdispersion_run(points: pd.DataFrame, measure: str, analysis: OverdispersionAnalysis) -> OverdispersionRun:
    """Estimate the over-dispersion of one funnel under ``analysis`` and place each force kept against every kind of limit.

    ``points`` are one measure's funnel points (:func:`funnel_points`). The estimate uses the other
    forces kept whose counts are pinned (or, in a sensitivity run, every other force kept, a range
    taken at one end); the target is their pooled share. Every force kept is then placed: a document
    whose count is a range is placed at both ends of its range in every reading (a position is
    monotone in the count), and its position is the one they share, else :data:`DEPENDS`, with the
    lowest and highest positions in ``position_<kind>_low``/``_high``. Reference: Spiegelhalter
    (2005), *Statistics in Medicine* 24:1185-1202, section 6, and *Qual Saf Health Care* 14:347-351.
    """
    keep = np.ones(len(points), dtype=bool)
    if not analysis.secondary_sources:
        keep = points["is_gwent"].to_numpy(bool) | ~points["secondary"].to_numpy(bool)
    kept = points.loc[keep].reset_index(drop=True).copy()
    if analysis.ranges is not None:
        ends = [_end(r, analysis.ranges) for r in kept["readings"]]
        kept["count"] = pd.array([c for c, _ in ends], dtype="Int64")
        kept["n"] = pd.array([n for _, n in ends], dtype="Int64")
        kept["share"] = [c / n for c, n in ends]
    has_count = kept["count"].notna().to_numpy(bool) & kept["n"].notna().to_numpy(bool)
    others_mask = ~kept["is_gwent"].to_numpy(bool) & has_count
    others = int(others_mask.sum())
    left_out = int((~points["is_gwent"].to_numpy(bool)).sum()) - others
    if others < 2:
        reason = _too_few_reason(points, kept.loc[others_mask | kept["is_gwent"].to_numpy(bool)])
        return OverdispersionRun(measure, analysis, _empty_run_points(points), others, left_out, None, (), reason)
    estimate = kept.loc[others_mask]
    target = funnel.pooled_estimate([int(c) for c in estimate["count"]], [int(n) for n in estimate["n"]]).share
    # units: each kept document with a count once; each without, at both ends of every reading
    units, owner, chosen = [], [], []
    for j, (c, n, readings) in enumerate(zip(kept["count"], kept["n"], kept["readings"], strict=True)):
        if has_count[j]:
            units.append((int(c), int(n)))
            owner.append(j)
            chosen.append(bool(others_mask[j]))
        else:
            for lo, hi, size in readings:
                units += [(lo, size), (hi, size)]
                owner += [j, j]
                chosen += [False, False]
    est, placed = funnel.overdispersed_positions(
        [u[0] for u in units],
        [u[1] for u in units],
        target=target,
        winsor_level=analysis.winsor_level,
        scale=OVERDISPERSION_SCALE,
        estimate_from=chosen,
    )
    owner = np.asarray(owner)
    order = {p: i for i, p in enumerate(funnel.POSITIONS)}
    out = kept.copy()
    out["z"] = [float(placed["z"].to_numpy()[owner == j][0]) if has_count[j] else np.nan for j in range(len(kept))]
    for kind in LIMIT_KINDS:
        col = placed[f"position_{kind}"].to_numpy()
        lows, highs, single = [], [], []
        for j in range(len(kept)):
            found = sorted(set(col[owner == j]), key=order.__getitem__)
            lows.append(found[0])
            highs.append(found[-1])
            single.append(found[0] if len(found) == 1 else DEPENDS)
        out[f"position_{kind}"] = single
        out[f"position_{kind}_low"] = lows
        out[f"position_{kind}_high"] = highs
    z = placed["z"].to_numpy()[np.asarray(chosen)]
    ids = np.asarray([kept["document_id"].iloc[j] for j in owner[np.asarray(chosen)]])
    pulled = ids[funnel.winsorise(z, analysis.winsor_level) != z]
    return OverdispersionRun(measure, analysis, out, others, left_out, est, tuple(str(d) for d in pulled), "")


def overdispersion_runs(panel: Panel) -> list[OverdispersionRun]:
    """Every funnel of :data:`FUNNEL_MEASURES` under every analysis of :data:`OVERDISPERSION_ANALYSES`, in that order."""
    runs = []
    for measure in FUNNEL_MEASURES:
        points = funnel_points(panel, measure)
        runs += [overdispersion_run(points, measure, analysis) for analysis in OVERDISPERSION_ANALYSES]
    return runs


def dispersion_table(runs: list[OverdispersionRun]) -> pd.DataFrame:
    """``funnel_dispersion.csv``: one row per funnel and analysis, with Spiegelhalter's dispersion statistic and tau2 (or why not)."""
    rows = []
    for r in runs:
        d = r.dispersion
        rows.append(
            {
                "measure": r.measure,
                "analysis": r.analysis.name,
                "winsor_level": r.analysis.winsor_level,
                "scale": OVERDISPERSION_SCALE,
                "forces": r.others,
                "forces_left_out": r.left_out,
                "target": d.target if d else np.nan,
                "phi": d.phi if d else np.nan,
                "statistic": d.statistic if d else np.nan,
                "df": d.df if d else pd.NA,
                "p_value": d.p_value if d else np.nan,
                "tau2": d.tau2 if d else np.nan,
                "p_unwinsorised": d.p_unwinsorised if d else np.nan,
                "tau2_low": d.tau2_low if d else np.nan,
                "tau2_high": d.tau2_high if d else np.nan,
                "winsorised": ";".join(r.pulled_in),
                "note": r.reason,
            }
        )
    frame = pd.DataFrame(rows, columns=list(DISPERSION_COLUMNS))
    frame["df"] = frame["df"].astype("Int64")
    return frame


def position_table(runs: list[OverdispersionRun]) -> pd.DataFrame:
    """``funnel_positions.csv``: each force on each funnel, under each analysis that can be made, with its position under each kind of limit."""
    parts = []
    for r in runs:
        part = r.points.assign(measure=r.measure, analysis=r.analysis.name)
        parts.append(part[list(POSITION_COLUMNS)])
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(POSITION_COLUMNS))
    for col in ("year", "count_low", "count_high"):
        frame[col] = frame[col].astype("int64")
    for col in ("count", "n"):
        frame[col] = frame[col].astype("Int64")
    for col in ("is_gwent", "secondary", "pinned"):
        frame[col] = frame[col].astype(bool)
    frame["share"] = frame["share"].astype(float)
    frame["z"] = frame["z"].astype(float)
    return frame


def overdispersed_limit_table(runs: list[OverdispersionRun], n_values=FUNNEL_N) -> pd.DataFrame:
    """``funnel_limits_overdispersed.csv``: exact binomial, additive and multiplicative limits side by side, from the main analysis.

    For each funnel whose main analysis can be made, each confidence level of
    :data:`analysis.stats.funnel.CONFIDENCE_LEVELS` and each number of cases in ``n_values``: the
    exact binomial limits (as in ``funnel_limits.csv``), the additive random-effects limits with the
    estimated ``tau2`` and the multiplicative limits with ``max(phi, 1)`` (under-dispersion never
    narrows them), around the same target (:func:`analysis.stats.funnel.overdispersed_limits`).
    """
    sizes = np.asarray(list(n_values), dtype=np.int64)
    parts = []
    for r in runs:
        d = r.dispersion
        if r.analysis.name != MAIN_ANALYSIS or d is None:
            continue
        for confidence in funnel.CONFIDENCE_LEVELS:
            b_lo, b_hi = funnel.exact_binomial_limits(d.target, sizes, confidence)
            a_lo, a_hi = funnel.overdispersed_limits(d.target, sizes, confidence, tau2=d.tau2, scale=d.scale)
            m_lo, m_hi = funnel.overdispersed_limits(d.target, sizes, confidence, phi=max(d.phi, 1.0), scale=d.scale)
            parts.append(
                pd.DataFrame(
                    {
                        "measure": r.measure,
                        "confidence": confidence,
                        "n": sizes,
                        "target": d.target,
                        "binomial_lower": b_lo,
                        "binomial_upper": b_hi,
                        "additive_lower": a_lo,
                        "additive_upper": a_hi,
                        "multiplicative_lower": m_lo,
                        "multiplicative_upper": m_hi,
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=list(OVERDISPERSED_LIMIT_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(OVERDISPERSED_LIMIT_COLUMNS)]


LIMIT_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the share of cases with that grade.",
    "method": "exact_binomial (Spiegelhalter 2005 interpolated exact limits) or wilson (PHE Fingertips Wilson-score limits).",
    "confidence": words.confidence_column(funnel.CONFIDENCE_LEVELS),
    "n": "Number of cases audited.",
    "target": "Pooled share over the other forces' inspections on the funnel (the force compared left out).",
    "lower": "Lower control limit (a share).",
    "upper": "Upper control limit (a share).",
}

_ANALYSIS_TEXT = words.analysis_column(a.description for a in OVERDISPERSION_ANALYSES)

DISPERSION_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the funnel of the share of cases with that grade.",
    "analysis": _ANALYSIS_TEXT,
    "winsor_level": "Share of the other forces' z-scores pulled in at each end before estimating (Winsorisation at type-7 quantiles); 0: none.",
    "scale": "Scale of the z-scores and limits: identity (the share itself, with the binomial standard error at the target).",
    "forces": "Other forces whose full inspections the estimate uses (the force compared is never one of them).",
    "forces_left_out": "Other forces on the funnel that the analysis leaves out.",
    "target": "Pooled share of the forces used (empty when the analysis cannot be made).",
    "phi": "Spiegelhalter's dispersion statistic: the mean squared Winsorised z-score (about 1 when forces differ by chance alone).",
    "statistic": "forces * phi, compared with a chi-squared distribution on df degrees of freedom.",
    "df": "Degrees of freedom of the test: forces - 1.",
    "p_value": "Upper-tail chi-squared p-value of statistic. Winsorising pulls the statistic's mean under no over-dispersion below df, "
    "so this p-value is too large when the z-scores are Winsorised: the test of over-dispersion is p_unwinsorised.",
    "tau2": "Between-force variance of the true shares in the additive random-effects model (moment estimate from the Winsorised "
    "z-scores, as DerSimonian and Laird); 0 when statistic <= df.",
    "p_unwinsorised": "The calibrated test of over-dispersion: upper-tail chi-squared p-value (df degrees of freedom) of the sum of the "
    "forces' squared z-scores, not Winsorised (Spiegelhalter 2005 Winsorises only to estimate phi and tau2); small when the forces' "
    "shares spread more than chance alone would make them.",
    **words.tau2_interval_columns(choices.CONFIDENCE),
    "winsorised": "Documents (document_id, ';'-separated) whose z-scores Winsorisation pulled in; empty if none.",
    "note": "Why the analysis cannot be made (empty when it is made).",
}

POSITION_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the funnel of the share of cases with that grade.",
    "analysis": _ANALYSIS_TEXT,
    "document_id": "The document's id in the national panel (national_panel.csv's audit_id).",
    "force": "Police force, as its package names it.",
    "year": "Year of publication.",
    "is_gwent": "True for the force compared (never used in estimating the target or the over-dispersion).",
    "secondary": "True when some of the document's figures are quoted from news reports or other published statements rather than an "
    "inspectorate page (its package's licence is not OGL-UK-3.0 alone).",
    "status": "The document's status in national_panel.csv (used or partly_used).",
    "count_low": "Fewest cases with the measure's grade that the document's figures allow (national_panel.csv's low, over the readings).",
    "count_high": "Most cases with the measure's grade that the figures allow.",
    "pinned": "True when the figures give one count and one number of cases: only pinned documents enter the main estimates.",
    "count": "The count used: the pinned count; in the sensitivity analyses (ranges_at_fewest, ranges_at_most) a range's fewest or most; "
    "empty for a range in the other analyses.",
    "n": "Cases audited (empty when the sources give different numbers and no count is used).",
    "share": "count / n (empty without a count).",
    "z": "z-score against the analysis's target (funnel_dispersion.csv): (share - target) / sqrt(target (1 - target) / n); empty without a count.",
    "position_binomial": words.position_column("binomial", DEPENDS),
    "position_binomial_low": "The lowest position over every count the document allows (equal to position_binomial unless it is depends).",
    "position_binomial_high": "The highest position over every count the document allows.",
    "position_additive": words.position_column("additive", DEPENDS),
    "position_additive_low": "The lowest such position over every count the document allows.",
    "position_additive_high": "The highest such position over every count the document allows.",
    "position_multiplicative": words.position_column("multiplicative", DEPENDS),
    "position_multiplicative_low": "The lowest such position over every count the document allows.",
    "position_multiplicative_high": "The highest such position over every count the document allows.",
}

OVERDISPERSED_LIMIT_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the share of cases with that grade.",
    "confidence": LIMIT_COLUMNS["confidence"],
    "n": "Number of cases audited.",
    "target": "Pooled share over the other forces' inspections on the funnel (the force compared left out), as in funnel_limits.csv.",
    "binomial_lower": "Lower exact binomial limit (funnel_limits.csv, method exact_binomial): chance alone.",
    "binomial_upper": "Upper exact binomial limit (funnel_limits.csv, method exact_binomial): chance alone.",
    "additive_lower": "Lower additive random-effects limit, target - z sqrt(target (1 - target) / n + tau2), with tau2 of the main analysis "
    "(funnel_dispersion.csv, all_sources), clipped to [0, 1]; with tau2 = 0 it is the Wilson-score limit of funnel_limits.csv.",
    "additive_upper": "Upper additive random-effects limit, target + z sqrt(target (1 - target) / n + tau2) (as additive_lower).",
    "multiplicative_lower": "Lower multiplicative limit, target - z sqrt(max(phi, 1) target (1 - target) / n), with phi of the main analysis, "
    "clipped to [0, 1].",
    "multiplicative_upper": "Upper multiplicative limit, target + z sqrt(max(phi, 1) target (1 - target) / n) (as multiplicative_lower).",
}


def funnel_tables(panel: Panel) -> dict[str, pd.DataFrame | str]:
    """The funnel tables of ``panel``: ``funnel_limits.csv`` (binomial limits) and the over-dispersed funnels,
    ``funnel_dispersion.csv`` (the estimate per funnel and analysis), ``funnel_limits_overdispersed.csv`` (additive and
    multiplicative limits beside the binomial ones) and ``funnel_positions.csv`` (each force under each kind of limit); for each,
    the reason instead when no other force's count on a funnel is pinned."""
    for measure in FUNNEL_MEASURES:
        points = funnel_points(panel, measure)
        if not (points["pinned"].astype(bool) & ~points["is_gwent"].astype(bool)).any():
            why = words.no_target_reason(FUNNEL_SCALE, measure)
            return {spec.path: why for spec in _SPECS}
    runs = overdispersion_runs(panel)
    return {
        "funnel_limits.csv": funnel_limit_table(panel),
        "funnel_dispersion.csv": dispersion_table(runs),
        "funnel_limits_overdispersed.csv": overdispersed_limit_table(runs),
        "funnel_positions.csv": position_table(runs),
    }


def national_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """The funnels of the national panel of ``data``'s package (:func:`analysis.sections.panel.panel_for`), or why there are none."""
    from analysis.sections.panel import NO_PANEL_REASON, panel_for

    panel = panel_for(data)
    if panel is None:
        return {spec.path: NO_PANEL_REASON for spec in _SPECS}
    return funnel_tables(panel)


def funnel_specs() -> tuple[TableSpec, ...]:
    """The specs of :func:`funnel_tables`."""
    return _SPECS


def _specs(data: AuditData) -> tuple[TableSpec, ...]:
    return _SPECS


_SPECS = (
    TableSpec(
        "funnel_limits.csv",
        "Funnel-plot control limits for the share of cases graded inadequate and good",
        words.funnel_limits_description(FUNNEL_N.start, FUNNEL_N.stop - 1, funnel.CONFIDENCE_LEVELS),
        LIMIT_COLUMNS,
        (
            "The target leaves the force compared out, so that it is compared with the other forces rather than partly with itself.",
            "The limits assume every force has the target share and differ only by chance; the notebook reports a test of over-dispersion.",
        ),
    ),
    TableSpec(
        "funnel_dispersion.csv",
        "Over-dispersion of the funnels: Spiegelhalter's dispersion statistic and the between-force variance",
        words.funnel_dispersion_description(funnel.WINSOR_LEVEL),
        DISPERSION_COLUMNS,
        (
            "The additive random-effects limits are the main over-dispersed limits: forces differ in case mix and in how cases are "
            "selected, and such differences do not shrink as audits grow, whereas multiplicative limits close in on the target as n grows "
            "(Spiegelhalter 2005, Quality and Safety in Health Care 14:347-351).",
            "The force compared is never used to estimate the target or the over-dispersion.",
            "An analysis with fewer than two other forces left estimates nothing: its row gives the counts and the note says why.",
        ),
    ),
    TableSpec(
        "funnel_limits_overdispersed.csv",
        "Funnel limits that allow for over-dispersion, beside the exact binomial limits",
        words.funnel_limits_overdispersed_description(FUNNEL_N.start, FUNNEL_N.stop - 1),
        OVERDISPERSED_LIMIT_COLUMNS,
        (
            "Under-dispersion (phi below 1) never narrows the multiplicative limits, and tau2 = 0 gives the binomial limits in their Wilson-score form.",
        ),
    ),
    TableSpec(
        "funnel_positions.csv",
        "Where each force falls on the funnels under binomial, additive and multiplicative limits",
        "One row per document on a funnel, for each analysis of funnel_dispersion.csv that can be made: its count, share and z-score "
        "against the analysis's target, and its position against the exact binomial, additive random-effects and multiplicative "
        "limits at both confidence levels.",
        POSITION_COLUMNS,
        (
            "Documents from the national panel (national_panel.csv); a count left as a range is placed at every count of its range, "
            "and only the documents with pinned counts enter the main estimates (the ranges enter the sensitivity analyses).",
            "An analysis that cannot be made (see the note in funnel_dispersion.csv) has no rows.",
        ),
    ),
)


STAGE = Stage(name="national", build=national_tables, specs=_specs)
