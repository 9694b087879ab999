"""Gwent's audit among other forces' child protection inspections: the documents, their shares, funnels and views.

The other forces' figures come from ``data/raw/national_audits.csv`` (read strictly against its
schema, then checked here for internal consistency); Gwent's 2019 figures come from this
project's own raw tables through :func:`analysis.data.load.load_audit`, never typed in twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.load import AuditData
from analysis.data.national_audits import CURRENT_SCALE, FOLLOW_UP_TYPES, NATIONAL_INT_COLUMNS, SELF_FORCE, SELF_HMICFRS, USABLE
from analysis.data.publish import Stage, TableSpec
from analysis.narrative import style
from analysis.narrative.style import Markup, as_text, count_share, html_link, join_words, number_word, p_text
from analysis.stats import funnel

#: Source kinds that are not the inspectorate's own website.
SECONDARY_KINDS: tuple[str, ...] = ("reproduced_release", "news")
#: Proportions tabulated and plotted, by the count column each needs.
MEASURES: dict[str, str] = {"good": "good", "requires_improvement": "requires_improvement", "inadequate": "inadequate"}
#: Measures drawn as funnels.
FUNNEL_MEASURES: tuple[str, ...] = ("inadequate", "good")
#: Numbers of cases at which the funnel limits are tabulated.
FUNNEL_N = range(20, 121)


def gwent_document(data: AuditData) -> pd.DataFrame:
    """Gwent's 2019 inspection as one row with the national table's columns, from this project's raw data.

    All cases (HMICFRS grades of both samples) give the overall counts; the force-selected sample,
    graded by the force and again by HMICFRS, gives the self-assessment columns.
    """
    src = data.extra("source")
    allc = data.counts("all", "inspectorate")
    force, insp = data.counts("force_selected", "force"), data.counts("force_selected", "inspectorate")
    good, ri, bad = (data.grades.index(g) for g in ("good", "requires improvement", "inadequate"))
    year = str(src["publication_month"])[:4]
    row = {col: pd.NA for col in NATIONAL_INT_COLUMNS}
    row.update(
        document_id=f"gwent_{year}_inspection",
        force="Gwent",
        document_type="inspection",
        published=str(src["publication_month"]),
        fieldwork=str(src["inspection_start"])[:7],
        grade_scale=CURRENT_SCALE,
        n_cases=data.total("cases_all"),
        good=int(allc[good]),
        requires_improvement=int(allc[ri]),
        inadequate=int(allc[bad]),
        n_self_assessed=data.total("cases_force_selected"),
        self_force_good=int(force[good]),
        self_force_ri=int(force[ri]),
        self_force_inadequate=int(force[bad]),
        self_hmicfrs_good=int(insp[good]),
        self_hmicfrs_ri=int(insp[ri]),
        self_hmicfrs_inadequate=int(insp[bad]),
        source_kind="inspectorate_report",
        source_outlet="HMICFRS",
        source_url=str(src["url"]),
        other_urls=None,
        location="report section on the case file analysis",
        flags=None,
        treatment="used",
        note="From this project's raw data (figures.csv, source.csv).",
    )
    frame = pd.DataFrame([row])
    for col in NATIONAL_INT_COLUMNS:
        frame[col] = frame[col].astype("Int64")
    return frame


def documents(data: AuditData) -> pd.DataFrame:
    """Every document: the national table plus Gwent's row, with ``year``, ``secondary`` and ``is_gwent``.

    Sorted by force, publication date and identifier.
    """
    national = data.extra("national_audits")
    gwent = gwent_document(data)[list(national.columns)]
    frame = pd.concat([national, gwent], ignore_index=True)
    for col in NATIONAL_INT_COLUMNS:
        frame[col] = frame[col].astype("Int64")
    frame["year"] = frame["published"].str[:4].astype("int64")
    frame["secondary"] = frame["source_kind"].isin(SECONDARY_KINDS)
    frame["is_gwent"] = frame["force"].eq("Gwent")
    return frame.sort_values(["force", "published", "document_id"], kind="stable").reset_index(drop=True)


def _usable(frame: pd.DataFrame) -> pd.Series:
    return frame["treatment"].isin(USABLE) & frame["grade_scale"].eq(CURRENT_SCALE)


def add_shares(frame: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Add ``share_<measure>`` and its Wilson interval (``wilson_low_<measure>``, ``wilson_high_<measure>``) for each measure of :data:`MEASURES`.

    A share is computed only for usable rows (:data:`USABLE`, current scale) whose count and number
    of cases are both stated; otherwise it is left empty. Interval: Wilson score (statsmodels),
    see :func:`analysis.stats.funnel.wilson_interval`.
    """
    out = frame.copy()
    usable = _usable(out)
    for measure, col in MEASURES.items():
        share, low, high = [], [], []
        for ok, count, n in zip(usable, out[col], out["n_cases"], strict=True):
            if ok and pd.notna(count) and pd.notna(n):
                lo, hi = funnel.wilson_interval(int(count), int(n), confidence)
                share.append(int(count) / int(n))
                low.append(lo)
                high.append(hi)
            else:
                share.append(np.nan)
                low.append(np.nan)
                high.append(np.nan)
        out[f"share_{measure}"] = share
        out[f"wilson_low_{measure}"] = low
        out[f"wilson_high_{measure}"] = high
    return out


def funnel_points(docs: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Documents that go on the funnel of ``measure``: full inspections, usable, with that count and n stated.

    Follow-up documents (reviews, updates) are never included; ``partial`` rows only when the
    measure's own count is stated. Adds ``count``, ``n`` and ``share``.
    """
    col = MEASURES[measure]
    mask = docs["document_type"].eq("inspection") & _usable(docs) & docs[col].notna() & docs["n_cases"].notna()
    points = docs.loc[mask].copy()
    points["count"] = points[col].astype("int64")
    points["n"] = points["n_cases"].astype("int64")
    points["share"] = points["count"] / points["n"]
    return points.reset_index(drop=True)


def funnel_target(points: pd.DataFrame, confidence: float = 0.95) -> funnel.PooledEstimate:
    """The funnel's target: the pooled share over the other forces' documents on the funnel (Gwent left out).

    Leaving Gwent out makes the benchmark independent of the force being compared. See
    :func:`analysis.stats.funnel.pooled_estimate` for the interval and the over-dispersion test.
    """
    others = points.loc[~points["is_gwent"]]
    return funnel.pooled_estimate(others["count"].tolist(), others["n"].tolist(), confidence)


def with_positions(points: pd.DataFrame, target: float, method: str = "exact_binomial") -> pd.DataFrame:
    """Add ``position`` (see :data:`analysis.stats.funnel.POSITIONS`) of each funnel point against ``target``."""
    out = points.copy()
    out["position"] = [funnel.position(c, n, target, method) for c, n in zip(out["count"], out["n"], strict=True)]
    return out


def funnel_limit_table(docs: pd.DataFrame, n_values=FUNNEL_N) -> pd.DataFrame:
    """Funnel limits for every measure of :data:`FUNNEL_MEASURES`, both methods, both confidence levels, over ``n_values``."""
    parts = []
    for measure in FUNNEL_MEASURES:
        target = funnel_target(funnel_points(docs, measure)).share
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
SECONDARY_WORDS: dict[str, str] = {"news": "news reports", "reproduced_release": "press releases copied elsewhere"}


@dataclass(frozen=True)
class OverdispersionAnalysis:
    """One way of estimating the over-dispersion: how far the z-scores are Winsorised, and whether secondary sources are used."""

    name: str
    winsor_level: float
    secondary_sources: bool
    description: str


#: The analyses, in the order they are tabulated; the first is the main one.
OVERDISPERSION_ANALYSES: tuple[OverdispersionAnalysis, ...] = (
    OverdispersionAnalysis(
        "all_sources",
        funnel.WINSOR_LEVEL,
        True,
        f"all_sources (the main analysis: every other force on the funnel, z-scores Winsorised at {funnel.WINSOR_LEVEL:.0%})",
    ),
    OverdispersionAnalysis("not_winsorised", 0.0, True, "not_winsorised (every other force on the funnel, z-scores not Winsorised)"),
    OverdispersionAnalysis(
        "without_secondary_sources",
        funnel.WINSOR_LEVEL,
        False,
        "without_secondary_sources (only the other forces whose figures are not known only from secondary coverage, "
        f"Winsorised at {funnel.WINSOR_LEVEL:.0%})",
    ),
)
#: Name of the main analysis.
MAIN_ANALYSIS = OVERDISPERSION_ANALYSES[0].name


@dataclass(frozen=True)
class OverdispersionRun:
    """One funnel under one analysis: the forces placed, the over-dispersion estimate, and why not when it cannot be made.

    ``points`` are the funnel points the analysis keeps, with ``z`` and ``position_<kind>`` for each
    kind of :data:`LIMIT_KINDS`; ``others`` counts the other forces kept (the estimate uses them,
    never the force compared), ``left_out`` the other forces on the funnel the analysis leaves out;
    ``pulled_in`` names the documents whose z-scores Winsorisation changed. With fewer than two
    other forces nothing can be estimated: ``dispersion`` is None, ``points`` is empty and
    ``reason`` says why; otherwise ``reason`` is empty.
    """

    measure: str
    analysis: OverdispersionAnalysis
    points: pd.DataFrame
    others: int
    left_out: int
    dispersion: funnel.Dispersion | None
    pulled_in: tuple[str, ...]
    reason: str


def _plural(k: int, one: str, many: str) -> str:
    return one if k == 1 else many


def forces_phrase(k: int) -> str:
    """A number of forces in words, the noun agreeing: ``"no force"``, ``"one force"``, ``"two forces"``, ..., ``"14 forces"``."""
    if k < 0:
        raise ValueError(f"a number of forces cannot be negative, got {k}")
    return "no force" if k == 0 else f"{number_word(k)} {_plural(k, 'force', 'forces')}"


def _too_few_reason(points: pd.DataFrame, kept: pd.DataFrame) -> str:
    """Why an analysis keeping ``kept`` of a funnel's ``points`` cannot be made: fewer than two other forces are left."""
    compared = points.loc[points["is_gwent"], "force"]
    name = str(compared.iloc[0]) if len(compared) else "the force compared"
    others = points.loc[~points["is_gwent"]]
    kept_others = kept.loc[~kept["is_gwent"]]
    left = others.loc[~others["document_id"].isin(kept_others["document_id"])]
    if len(others) < 2:
        return (
            f"The funnel holds {forces_phrase(len(others))} besides {name}: "
            "the spread between forces cannot be estimated from fewer than two."
        )
    kinds = join_words([SECONDARY_WORDS[k] for k in SECONDARY_KINDS if left["source_kind"].eq(k).any()], "or")
    if kept_others.empty:
        return (  # every other force was left out, and there were at least two
            f"All {len(left)} other forces on the funnel are known only from secondary coverage ({kinds}): "
            f"without them only {name} is left, so there is nothing to compare it with and no spread between forces to estimate."
        )
    only = kept_others.iloc[0]
    return (
        f"Only one other force on the funnel ({only['force']} {only['year']}) is not known only from secondary coverage: "
        f"without the other {len(left)} ({kinds}) the spread between forces cannot be estimated from one force."
    )


def _empty_run_points(points: pd.DataFrame) -> pd.DataFrame:
    out = points.iloc[:0].copy()
    out["z"] = pd.Series(dtype=float)
    for kind in LIMIT_KINDS:
        out[f"position_{kind}"] = pd.Series(dtype=object)
    return out


def overdispersion_run(points: pd.DataFrame, measure: str, analysis: OverdispersionAnalysis) -> OverdispersionRun:
    """Estimate the over-dispersion of one funnel under ``analysis`` and place each force kept against every kind of limit.

    ``points`` are one measure's funnel points (:func:`funnel_points`: ``document_id``, ``force``,
    ``year``, ``source_kind``, ``secondary``, ``is_gwent``, ``count``, ``n``). The target is the
    pooled share of the other forces kept (:func:`funnel_target`); the over-dispersion (``phi``,
    ``tau2``) is estimated from them alone, on :data:`OVERDISPERSION_SCALE`, with their z-scores
    Winsorised at the analysis's level, and every force kept is placed by
    :func:`analysis.stats.funnel.overdispersed_positions`. Reference: Spiegelhalter (2005),
    *Statistics in Medicine* 24:1185-1202, section 6, and *Qual Saf Health Care* 14:347-351.
    """
    keep = np.ones(len(points), dtype=bool)
    if not analysis.secondary_sources:
        keep = points["is_gwent"].to_numpy(bool) | ~points["secondary"].to_numpy(bool)
    kept = points.loc[keep].reset_index(drop=True)
    others_mask = ~kept["is_gwent"].to_numpy(bool)
    others = int(others_mask.sum())
    left_out = int((~points["is_gwent"].to_numpy(bool)).sum()) - others
    if others < 2:
        reason = _too_few_reason(points, kept)
        return OverdispersionRun(measure, analysis, _empty_run_points(points), others, left_out, None, (), reason)
    target = funnel_target(kept).share
    est, placed = funnel.overdispersed_positions(
        kept["count"].to_numpy(),
        kept["n"].to_numpy(),
        target=target,
        winsor_level=analysis.winsor_level,
        scale=OVERDISPERSION_SCALE,
        estimate_from=others_mask,
    )
    out = kept.copy()
    out["z"] = placed["z"].to_numpy()
    for kind in LIMIT_KINDS:
        out[f"position_{kind}"] = placed[f"position_{kind}"].to_numpy()
    z = out.loc[others_mask, "z"].to_numpy()
    pulled = out.loc[others_mask, "document_id"].to_numpy()[funnel.winsorise(z, analysis.winsor_level) != z]
    return OverdispersionRun(measure, analysis, out, others, left_out, est, tuple(str(d) for d in pulled), "")


def overdispersion_runs(docs: pd.DataFrame) -> list[OverdispersionRun]:
    """Every funnel of :data:`FUNNEL_MEASURES` under every analysis of :data:`OVERDISPERSION_ANALYSES`, in that order."""
    runs = []
    for measure in FUNNEL_MEASURES:
        points = funnel_points(docs, measure)
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
    for col in ("year", "count", "n"):
        frame[col] = frame[col].astype("int64")
    for col in ("is_gwent", "secondary"):
        frame[col] = frame[col].astype(bool)
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


PROCESSED_COLUMNS: dict[str, str] = {
    "document_id": "This project's identifier of the document.",
    "force": "Police force (short name).",
    "document_type": "inspection, post_inspection_review or post_inspection_update (see data/raw/datapackage.json).",
    "published": "Publication date as far as the source states it (YYYY-MM-DD, YYYY-MM or YYYY).",
    "year": "Year of publication.",
    "grade_scale": "good_ri_inadequate (comparable with Gwent 2019), good_adequate_inadequate (2014-15) or area_judgements (later framework).",
    "source_kind": "inspectorate_report, inspectorate_release, reproduced_release or news.",
    "secondary": "True when the source is not the inspectorate's own website (reproduced release or news).",
    "source_outlet": "Who published the source page.",
    "source_url": "Address of the source page.",
    "n_cases": "Cases audited, as stated (empty if not stated).",
    "good": "Cases graded good, as stated.",
    "requires_improvement": "Cases graded requires improvement, as stated.",
    "inadequate": "Cases graded inadequate, as stated.",
    "ri_or_inadequate": "Combined requires-improvement-or-inadequate count where only that is stated.",
    "share_good": "good / n_cases (usable rows with both stated).",
    "wilson_low_good": "Lower end of the 95% Wilson interval of share_good.",
    "wilson_high_good": "Upper end of the 95% Wilson interval of share_good.",
    "share_requires_improvement": "requires_improvement / n_cases (usable rows with both stated).",
    "wilson_low_requires_improvement": "Lower end of the 95% Wilson interval of share_requires_improvement.",
    "wilson_high_requires_improvement": "Upper end of the 95% Wilson interval of share_requires_improvement.",
    "share_inadequate": "inadequate / n_cases (usable rows with both stated).",
    "wilson_low_inadequate": "Lower end of the 95% Wilson interval of share_inadequate.",
    "wilson_high_inadequate": "Upper end of the 95% Wilson interval of share_inadequate.",
    "flags": "Known problems, ';'-separated codes (see data/raw/datapackage.json).",
    "treatment": "How the row's counts are used: used, used_with_caution, partial, or an excluded_* reason.",
    "in_funnel_inadequate": "True when the document is a point on the funnel of the share inadequate.",
    "funnel_inadequate_position": "Where the point falls against the exact binomial limits: below_99.8, below_95, within_95, above_95 or above_99.8.",
    "in_funnel_good": "True when the document is a point on the funnel of the share good.",
    "funnel_good_position": "Where the point falls against the exact binomial limits (as funnel_inadequate_position).",
    "is_gwent": "True for Gwent's 2019 inspection (from this project's own raw data).",
}

LIMIT_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the share of cases with that grade.",
    "method": "exact_binomial (Spiegelhalter 2005 interpolated exact limits) or wilson (PHE Fingertips Wilson-score limits).",
    "confidence": "Two-sided confidence level of the limits: " + " or ".join(f"{c:g}" for c in funnel.CONFIDENCE_LEVELS) + ".",
    "n": "Number of cases audited.",
    "target": "Pooled share over the other forces' inspections on the funnel (Gwent left out).",
    "lower": "Lower control limit (a share).",
    "upper": "Upper control limit (a share).",
}

_ANALYSIS_TEXT = "How the over-dispersion is estimated: " + "; ".join(a.description for a in OVERDISPERSION_ANALYSES) + "."

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
    "tau2_low": "Lower end of the 95% Q-profile interval for tau2 (Viechtbauer 2007), from the forces' shares not Winsorised; 0 when "
    "the data are consistent with no spread between forces.",
    "tau2_high": "Upper end of that 95% Q-profile interval for tau2.",
    "winsorised": "Documents (document_id, ';'-separated) whose z-scores Winsorisation pulled in; empty if none.",
    "note": "Why the analysis cannot be made (empty when it is made).",
}

_POSITION_TEXT = "below_99.8, below_95, within_95, above_95 or above_99.8; a share exactly on a limit counts as inside"

POSITION_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the funnel of the share of cases with that grade.",
    "analysis": _ANALYSIS_TEXT,
    "document_id": "This project's identifier of the document (as in national_audits.csv).",
    "force": "Police force (short name).",
    "year": "Year of publication.",
    "is_gwent": "True for the force compared (never used in estimating the target or the over-dispersion).",
    "secondary": "True when the figures are known only from secondary coverage (news reports, or press releases copied elsewhere).",
    "count": "Cases with the measure's grade, as stated.",
    "n": "Cases audited, as stated.",
    "share": "count / n.",
    "z": "z-score against the analysis's target (funnel_dispersion.csv): (share - target) / sqrt(target (1 - target) / n).",
    "position_binomial": f"Where the share falls against the exact binomial limits around the analysis's target: {_POSITION_TEXT}.",
    "position_additive": "Where the share falls against the additive random-effects limits target +/- z sqrt(target (1 - target) / n + tau2): "
    f"{_POSITION_TEXT}.",
    "position_multiplicative": "Where the share falls against the multiplicative limits target +/- z sqrt(max(phi, 1) target (1 - target) / n): "
    f"{_POSITION_TEXT}.",
}

OVERDISPERSED_LIMIT_COLUMNS: dict[str, str] = {
    "measure": "inadequate or good: the share of cases with that grade.",
    "confidence": LIMIT_COLUMNS["confidence"],
    "n": "Number of cases audited.",
    "target": "Pooled share over the other forces' inspections on the funnel (Gwent left out), as in funnel_limits.csv.",
    "binomial_lower": "Lower exact binomial limit (funnel_limits.csv, method exact_binomial): chance alone.",
    "binomial_upper": "Upper exact binomial limit (funnel_limits.csv, method exact_binomial): chance alone.",
    "additive_lower": "Lower additive random-effects limit, target - z sqrt(target (1 - target) / n + tau2), with tau2 of the main analysis "
    "(funnel_dispersion.csv, all_sources), clipped to [0, 1]; with tau2 = 0 it is the Wilson-score limit of funnel_limits.csv.",
    "additive_upper": "Upper additive random-effects limit, target + z sqrt(target (1 - target) / n + tau2) (as additive_lower).",
    "multiplicative_lower": "Lower multiplicative limit, target - z sqrt(max(phi, 1) target (1 - target) / n), with phi of the main analysis, "
    "clipped to [0, 1].",
    "multiplicative_upper": "Upper multiplicative limit, target + z sqrt(max(phi, 1) target (1 - target) / n) (as multiplicative_lower).",
}


def national_table(docs: pd.DataFrame) -> pd.DataFrame:
    """The processed table: one row per document with shares, Wilson intervals, funnel membership and position."""
    frame = add_shares(docs)
    for measure in FUNNEL_MEASURES:
        points = funnel_points(docs, measure)
        target = funnel_target(points).share
        placed = with_positions(points, target).set_index("document_id")["position"]
        frame[f"in_funnel_{measure}"] = frame["document_id"].isin(placed.index)
        frame[f"funnel_{measure}_position"] = frame["document_id"].map(placed)
    return frame[list(PROCESSED_COLUMNS)].reset_index(drop=True)


#: The two grades whose shares are compared at a force's inspection and at its later review.
BEFORE_AFTER_GRADES: tuple[str, str] = ("good", "inadequate")

#: What the share compared in :func:`self_assessment` counts, in words.
SELF_ASSESSMENT_SHARE = "not graded requires improvement or inadequate"


def before_after(docs: pd.DataFrame) -> pd.DataFrame:
    """Forces with a usable full inspection and a usable later document: both rows, inspection first.

    Columns: ``force``, ``stage`` (inspection / follow-up), ``document_id``, ``document_type``,
    ``year``, ``n_cases``, the counts, shares and Wilson intervals (see :func:`add_shares`).
    """
    frame = add_shares(docs)
    usable = _usable(frame) & frame["n_cases"].notna()
    insp = set(frame.loc[usable & frame["document_type"].eq("inspection"), "force"])
    follow = set(frame.loc[usable & frame["document_type"].isin(FOLLOW_UP_TYPES), "force"])
    both = sorted(insp & follow)
    out = frame.loc[usable & frame["force"].isin(both)].copy()
    out["stage"] = np.where(out["document_type"].eq("inspection"), "inspection", "follow-up")
    out = out.sort_values(["force", "published"], kind="stable")
    cols = ["force", "stage", "document_id", "document_type", "year", "n_cases", *BEFORE_AFTER_GRADES, "secondary", "treatment"]
    cols += [f"{kind}_{m}" for m in BEFORE_AFTER_GRADES for kind in ("share", "wilson_low", "wilson_high")]
    return out[cols].reset_index(drop=True)


def unmatched_follow_ups(docs: pd.DataFrame) -> pd.DataFrame:
    """Forces that have both an inspection and a later document, but not both usable: force and reasons."""
    rows = []
    kinds = docs.assign(kind=np.where(docs["document_type"].eq("inspection"), "inspection", "follow-up"))
    usable = _usable(kinds) & kinds["n_cases"].notna()
    ok = set(before_after(docs)["force"])
    for force, part in kinds.groupby("force", sort=True):
        if force in ok or set(part["kind"]) != {"inspection", "follow-up"}:
            continue
        bad = part.loc[~usable.loc[part.index]]
        rows.append(
            {"force": force, "unusable": "; ".join(f"{d} ({t})" for d, t in zip(bad["document_id"], bad["treatment"], strict=True))}
        )
    return pd.DataFrame(rows, columns=["force", "unusable"])


def self_assessment(docs: pd.DataFrame) -> pd.DataFrame:
    """Documents that publish a force's own grading beside the inspectors' grading of the same cases.

    The comparable measure is the share of those cases *not* graded requires improvement or
    inadequate (good, or adequate where that grade was used). From counts where published (the
    share is taken over the published counts' own total, flagged when that differs from the
    number self-assessed); from published percentages otherwise (``basis`` says which). No
    interval is given for a share known only as a rounded percentage.
    """
    rows = []
    for _, r in docs.loc[docs["n_self_assessed"].notna()].iterrows():
        n = int(r["n_self_assessed"])
        rec = {
            "document_id": r["document_id"],
            "force": r["force"],
            "year": int(r["year"]),
            "is_gwent": bool(r["is_gwent"]),
            "n_self_assessed": n,
        }
        for who, cols, pct_col, pct_is_top in (
            ("force", SELF_FORCE, "self_force_pct_good_or_adequate", True),
            ("hmicfrs", SELF_HMICFRS, "self_hmicfrs_pct_ri_or_inadequate", False),
        ):
            values = r[cols]
            if values.notna().any():
                total = int(values.dropna().sum())
                top = int(values.iloc[:2].dropna().sum())
                rec[f"{who}_top"] = top
                rec[f"{who}_total"] = total
                rec[f"{who}_share"] = top / total
                rec[f"{who}_basis"] = "counts"
            elif pd.notna(r[pct_col]):
                pct = int(r[pct_col])
                rec[f"{who}_top"] = pd.NA
                rec[f"{who}_total"] = pd.NA
                rec[f"{who}_share"] = (pct if pct_is_top else 100 - pct) / 100
                rec[f"{who}_basis"] = "percentage"
            else:
                rec.update({f"{who}_top": pd.NA, f"{who}_total": pd.NA, f"{who}_share": np.nan, f"{who}_basis": "not published"})
        rec["counts_add_up"] = all(pd.isna(rec[f"{w}_total"]) or rec[f"{w}_total"] == n for w in ("force", "hmicfrs"))
        rec["grade_scale"] = r["grade_scale"]
        rec["flags"] = r["flags"]
        rows.append(rec)
    return pd.DataFrame(rows).sort_values(["year", "force"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class ForceCoverage:
    """Which forces the stored material covers, and how the grading scale changed over the years."""

    all_forces: tuple[str, ...]
    full: tuple[str, ...]
    partial: tuple[str, ...]
    missing: tuple[str, ...]
    scales: pd.DataFrame


def force_coverage(data: AuditData, docs: pd.DataFrame) -> ForceCoverage:
    """Forces with a complete grade split (any document), with only partial figures, and with none.

    The list of forces is the ``force`` field's allowed values in the data package (the 43
    territorial forces of England and Wales). ``scales`` gives, per grading scale, the first and
    last publication year and the number of documents.
    """
    forces = tuple(sorted(data.field_enum("national_audits", "force")))
    complete = docs["treatment"].isin(("used", "used_with_caution")) & docs["grade_scale"].eq(CURRENT_SCALE)
    full = tuple(sorted(set(docs.loc[complete, "force"])))
    partial = tuple(sorted(set(docs["force"]) - set(full)))
    missing = tuple(f for f in forces if f not in set(docs["force"]))
    scales = (
        docs.groupby("grade_scale", sort=False)
        .agg(first_year=("year", "min"), last_year=("year", "max"), documents=("document_id", "count"))
        .sort_values("first_year")
        .reset_index()
    )
    return ForceCoverage(forces, full, partial, missing, scales)


def national_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """The national tables (Gwent's package only): ``national_audits.csv`` (every document with shares and funnel positions),
    ``funnel_limits.csv`` (binomial limits), and the over-dispersed funnels: ``funnel_dispersion.csv`` (the estimate per funnel
    and analysis), ``funnel_limits_overdispersed.csv`` (additive and multiplicative limits beside the binomial ones) and
    ``funnel_positions.csv`` (each force under each kind of limit).
    """
    if data.extra("national_audits") is None or data.counts("all", "inspectorate") is None:
        why = "The audit package has no table of other forces' audits to compare with (a national_audits.csv resource)."
        return {spec.path: why for spec in _SPECS}
    docs = documents(data)
    runs = overdispersion_runs(docs)
    return {
        "national_audits.csv": national_table(docs),
        "funnel_limits.csv": funnel_limit_table(docs),
        "funnel_dispersion.csv": dispersion_table(runs),
        "funnel_limits_overdispersed.csv": overdispersed_limit_table(runs),
        "funnel_positions.csv": position_table(runs),
    }


def _specs(data: AuditData) -> tuple[TableSpec, ...]:
    return _SPECS


_SPECS = (
    TableSpec(
        "national_audits.csv",
        "Case-audit results of national child protection inspections, by document",
        "One row per document in data/raw/national_audits.csv plus Gwent's 2019 inspection (from this project's own raw data): the stated counts, "
        "the shares with 95% Wilson intervals, the source and its kind, flags, how each row is treated, and where it falls on the funnel plots.",
        PROCESSED_COLUMNS,
        (
            "Shares are computed only for rows treated used, used_with_caution or partial on the good / requires improvement / inadequate scale, and only where the count and the number of cases are both stated; nothing is inferred.",
            "Funnels hold full inspections only; post-inspection reviews and updates audit smaller, differently chosen samples and are never pooled with inspections.",
            "Gwent's figures come from the inspectorate's report; each other row names the kind of source its figures come from "
            "(source_kind: the inspectorate's report or news release, a news report, or a release copied elsewhere) and its address (source_url).",
        ),
    ),
    TableSpec(
        "funnel_limits.csv",
        "Funnel-plot control limits for the share of cases graded inadequate and good",
        "Control limits around the pooled share of the other forces' full inspections, for each number of cases from "
        + f"{FUNNEL_N.start} to {FUNNEL_N.stop - 1}: exact binomial limits "
        "with Spiegelhalter's (2005) interpolation and Wilson-score limits (PHE Fingertips), at "
        + " and ".join(f"{c:.1%}".replace(".0%", "%") for c in funnel.CONFIDENCE_LEVELS)
        + " confidence.",
        LIMIT_COLUMNS,
        (
            "The target leaves Gwent out, so that Gwent is compared with the other forces rather than partly with itself.",
            "The limits assume every force has the target share and differ only by chance; the notebook reports a test of over-dispersion.",
        ),
    ),
    TableSpec(
        "funnel_dispersion.csv",
        "Over-dispersion of the funnels: Spiegelhalter's dispersion statistic and the between-force variance",
        "For each funnel (share inadequate, share good) and each way of estimating it: the number of other forces used, the pooled "
        "target, Spiegelhalter's (2005) dispersion statistic phi from the Winsorised z-scores with its chi-squared test, and the "
        "between-force variance tau2 of the additive random-effects model. The main analysis Winsorises at "
        f"{funnel.WINSOR_LEVEL:.0%}; the others show what changes without Winsorisation and without the figures known only from "
        "secondary coverage.",
        DISPERSION_COLUMNS,
        (
            "The additive random-effects limits are the main over-dispersed limits: forces differ in case mix and in how cases are "
            "selected, and such differences do not shrink as audits grow, whereas multiplicative limits close in on the target as n grows "
            "(Spiegelhalter 2005, Quality and Safety in Health Care 14:347-351).",
            "The force compared (Gwent) is never used to estimate the target or the over-dispersion.",
            "An analysis with fewer than two other forces left estimates nothing: its row gives the counts and the note says why.",
        ),
    ),
    TableSpec(
        "funnel_limits_overdispersed.csv",
        "Funnel limits that allow for over-dispersion, beside the exact binomial limits",
        "For each funnel, each confidence level and each number of cases from "
        + f"{FUNNEL_N.start} to {FUNNEL_N.stop - 1}: the exact binomial limits and, around the same target, the additive random-effects "
        "limits (with tau2) and the multiplicative limits (with phi, at least 1) of the main analysis in funnel_dispersion.csv "
        "(Spiegelhalter 2005).",
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
            "In the main analysis (all_sources) position_binomial equals funnel_<measure>_position in national_audits.csv.",
            "An analysis that cannot be made (see the note in funnel_dispersion.csv) has no rows.",
        ),
    ),
)

STAGE = Stage(name="national", build=national_tables, specs=_specs)


#: Plain words for each funnel position (see :data:`analysis.stats.funnel.POSITIONS`).
POSITION_WORDS: dict[str, str] = {
    "below_99.8": "below the outer (99.8%) limit",
    "below_95": "below the inner (95%) limit but inside the outer (99.8%) one",
    "within_95": "inside the inner (95%) limits",
    "above_95": "above the inner (95%) limit but inside the outer (99.8%) one",
    "above_99.8": "above the outer (99.8%) limit",
}

DOCUMENT_WORDS = {
    "inspection": "Inspection",
    "post_inspection_review": "Post-inspection review",
    "post_inspection_update": "Quarterly update",
}
TREATMENT_WORDS = {
    "used": "used",
    "used_with_caution": "used with caution",
    "partial": "partial: stated counts only",
    "excluded_scale": "excluded: earlier scale",
    "excluded_framework": "excluded: later framework",
    "excluded_inconsistent": "excluded: sources disagree",
    "excluded_no_counts": "excluded: percentages only",
}


def _int_text(value) -> str:
    return "–" if pd.isna(value) else str(int(value))


def other_figures(row: pd.Series) -> str:
    """Figures a row states besides the three counts (combined count, percentages, conflicting values), in words."""
    parts = []
    if pd.notna(row["ri_or_inadequate"]):
        parts.append(f"requires improvement or inadequate together: {int(row['ri_or_inadequate'])}")
    if pd.notna(row["pct_good_stated"]):
        parts.append(f"good: {int(row['pct_good_stated'])}%")
    if pd.notna(row["n_cases_alternative"]):
        parts.append(f"another source: {int(row['n_cases_alternative'])} cases")
    if pd.notna(row["inadequate_alternative"]):
        parts.append(f"another source: {int(row['inadequate_alternative'])} inadequate")
    if pd.notna(row["n_self_assessed"]):
        parts.append(f"self-assessment of {int(row['n_self_assessed'])} cases")
    return "; ".join(parts)


def sources_table(docs: pd.DataFrame) -> pd.DataFrame:
    """Display table of every document: year, force, kind, counts, other figures, linked source, flags, treatment.

    Sorted by year, force and publication date; the source column is an HTML link labelled with
    the publisher (:func:`analysis.narrative.style.html_link`, only to an http(s) address), marked as
    :class:`~analysis.narrative.style.Markup` so a pipe table keeps it; every other cell is text.
    """
    frame = docs.sort_values(["year", "force", "published"], kind="stable")
    return pd.DataFrame(
        {
            "Year": frame["year"].astype(int),
            "Force": frame["force"],
            "Document": frame["document_type"].map(DOCUMENT_WORDS),
            "Cases": frame["n_cases"].map(_int_text),
            "Good": frame["good"].map(_int_text),
            "Requires improvement": frame["requires_improvement"].map(_int_text),
            "Inadequate": frame["inadequate"].map(_int_text),
            "Other figures stated": [other_figures(r) for _, r in frame.iterrows()],
            "Source": [
                Markup(f"{html_link(o, u)} ({'secondary' if s else 'inspectorate'})")
                for u, o, s in zip(frame["source_url"], frame["source_outlet"], frame["secondary"], strict=True)
            ],
            "Flags": frame["flags"].fillna("").str.replace(";", ", ").str.replace("_", " "),
            "Treatment": frame["treatment"].map(TREATMENT_WORDS),
        }
    ).reset_index(drop=True)


def grading_text(row: pd.Series, who: str) -> str:
    """A self-assessment grading as published: counts per grade ("27 good, 6 requires improvement, ...") or the percentage."""
    cols = SELF_FORCE if who == "force" else SELF_HMICFRS
    names = ("good", "adequate", "requires improvement", "inadequate")
    if row[cols].notna().any():
        text = ", ".join(f"{int(row[c])} {g}" for c, g in zip(cols, names, strict=True) if pd.notna(row[c]))
        total = int(row[cols].dropna().sum())
        return text + ("" if total == row["n_self_assessed"] else f" (these add to {total})")
    if who == "force" and pd.notna(row["self_force_pct_good_or_adequate"]):
        return f"about {int(row['self_force_pct_good_or_adequate'])}% good or adequate (percentage only)"
    if who == "hmicfrs" and pd.notna(row["self_hmicfrs_pct_ri_or_inadequate"]):
        return f"{int(row['self_hmicfrs_pct_ri_or_inadequate'])}% requires improvement or inadequate (percentage only)"
    return "not published"


def self_assessment_table(docs: pd.DataFrame) -> pd.DataFrame:
    """Display table of the documents with a self-assessment: the two gradings as published, in year order."""
    rows = docs.loc[docs["n_self_assessed"].notna()].sort_values(["year", "force"], kind="stable")
    return pd.DataFrame(
        {
            "Document": [
                f"{f} {DOCUMENT_WORDS[t].lower()} {y}" for f, t, y in zip(rows["force"], rows["document_type"], rows["year"], strict=True)
            ],
            "Cases self-assessed": rows["n_self_assessed"].astype(int),
            "The force's grading": [grading_text(r, "force") for _, r in rows.iterrows()],
            "The inspectors' grading of the same cases": [grading_text(r, "hmicfrs") for _, r in rows.iterrows()],
            "Source": [html_link(o, u) for u, o in zip(rows["source_url"], rows["source_outlet"], strict=True)],
        }
    ).reset_index(drop=True)


def with_alternative_counts(docs: pd.DataFrame) -> pd.DataFrame:
    """``docs`` with each conflicting figure (``inadequate_alternative``, ``n_cases_alternative``) put in place of the one used.

    Only for rows treated ``used_with_caution``: a sensitivity check of what the other source's
    figure would change. The counts of a changed row no longer need to add up.
    """
    out = docs.copy()
    caution = out["treatment"].eq("used_with_caution")
    for alt, col in (("inadequate_alternative", "inadequate"), ("n_cases_alternative", "n_cases")):
        swap = caution & out[alt].notna()
        out.loc[swap, col] = out.loc[swap, alt]
    return out


@dataclass(frozen=True)
class FunnelSummary:
    """One funnel's points (with positions by both methods), target, and Gwent's place and limits."""

    measure: str
    points: pd.DataFrame
    target: funnel.PooledEstimate
    gwent: pd.Series
    gwent_limits: dict[float, tuple[float, float]]
    max_method_gap: float


def funnel_summary(docs: pd.DataFrame, measure: str) -> FunnelSummary:
    """Everything the notebook says about one funnel, computed in one place.

    ``points`` gains ``position`` (exact binomial limits) and ``position_wilson``; ``gwent_limits``
    maps each confidence level to the exact limits at Gwent's number of cases; ``max_method_gap`` is the
    largest difference between the exact and Wilson limits over the points' range of n.
    """
    points = funnel_points(docs, measure)
    target = funnel_target(points)
    points = with_positions(points, target.share)
    points["position_wilson"] = [funnel.position(c, n, target.share, "wilson") for c, n in zip(points["count"], points["n"], strict=True)]
    gwent = points.loc[points["is_gwent"]].iloc[0]
    limits_at = {
        cov: tuple(float(v[0]) for v in funnel.exact_binomial_limits(target.share, int(gwent["n"]), cov))
        for cov in funnel.CONFIDENCE_LEVELS
    }
    sizes = np.arange(int(points["n"].min()), int(points["n"].max()) + 1)
    gap = 0.0
    for cov in funnel.CONFIDENCE_LEVELS:
        exact = funnel.exact_binomial_limits(target.share, sizes, cov)
        wilson = funnel.wilson_limits(target.share, sizes, cov)
        gap = max(gap, float(np.max(np.abs(np.subtract(exact, wilson)))))
    return FunnelSummary(measure, points, target, gwent, limits_at, gap)


# --------------------------------------------------------------------------- sentences on the over-dispersed funnels
# Each takes the published tables (funnel_positions.csv, funnel_dispersion.csv, national_audits.csv),
# so the notebook (tables built in memory) and the site (tables read from data/processed/) say the same.


def _level_text(confidence: float) -> str:
    return f"{confidence:.1%}".replace(".0%", "%")


#: Which side of which limit a force outside the inner limits lies, in a few words.
_SIDE_WORDS: dict[str, str] = {
    "above_95": "above",
    "below_95": "below",
    "above_99.8": f"above, beyond the {_level_text(funnel.CONFIDENCE_LEVELS[1])} limit too",
    "below_99.8": f"below, beyond the {_level_text(funnel.CONFIDENCE_LEVELS[1])} limit too",
}

#: A position as the band a share lies in, for "would lie ... the <kind of> limits".
_BAND_WORDS: dict[str, str] = {
    "within_95": f"inside the {_level_text(funnel.CONFIDENCE_LEVELS[0])}",
    "above_95": f"above the {_level_text(funnel.CONFIDENCE_LEVELS[0])}",
    "below_95": f"below the {_level_text(funnel.CONFIDENCE_LEVELS[0])}",
    "above_99.8": f"above the {_level_text(funnel.CONFIDENCE_LEVELS[1])}",
    "below_99.8": f"below the {_level_text(funnel.CONFIDENCE_LEVELS[1])}",
}


def _flag(series: pd.Series) -> pd.Series:
    return series.astype(str).str.lower().eq("true")


def _part(positions: pd.DataFrame, measure: str, analysis: str) -> pd.DataFrame:
    return positions.loc[positions["measure"].eq(measure) & positions["analysis"].eq(analysis)]


def _row(dispersion: pd.DataFrame, measure: str, analysis: str) -> pd.Series:
    rows = dispersion.loc[dispersion["measure"].eq(measure) & dispersion["analysis"].eq(analysis)]
    if len(rows) != 1:
        raise ValueError(f"funnel_dispersion.csv: expected one row for {measure}, {analysis}; found {len(rows)}")
    return rows.iloc[0]


def _made(row: pd.Series) -> bool:
    return pd.notna(row["phi"])


def _labels(frame: pd.DataFrame) -> list[str]:
    """Each row's force and year, for a sentence (the force's name as text: :func:`analysis.narrative.style.as_text`)."""
    return [f"{as_text(f)} {int(y)}" for f, y in zip(frame["force"], frame["year"], strict=True)]


def outside_forces(part: pd.DataFrame, kind: str) -> list[str]:
    """The forces of ``part`` (one funnel, one analysis) outside the inner limits of ``kind``: ``"Suffolk 2022, above"``, ..."""
    out = part.loc[part[f"position_{kind}"].ne("within_95")]
    return [f"{label}, {_SIDE_WORDS[p]}" for label, p in zip(_labels(out), out[f"position_{kind}"], strict=True)]


def outside_phrase(part: pd.DataFrame) -> str:
    """How many forces of one funnel lie outside the inner limits under each kind of limit, and which, in words.

    Kinds with the same forces outside are named together: ``"one force under each of the three kinds
    of limit (Thames Valley 2023, above)"``, or ``"two forces under the exact binomial limits
    (...); no force under the additive random-effects limits and the multiplicative limits"``.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for kind in LIMIT_KINDS:
        groups.setdefault(tuple(outside_forces(part, kind)), []).append(kind)

    def named(names: tuple[str, ...]) -> str:
        return f" ({'; '.join(names)})" if names else ""

    if len(groups) == 1:
        ((names, kinds),) = groups.items()
        if not names:
            return f"no force under any of the {number_word(len(kinds))} kinds of limit"
        return f"{forces_phrase(len(names))} under each of the {number_word(len(kinds))} kinds of limit{named(names)}"
    return "; ".join(
        f"{forces_phrase(len(names))} under the {join_words([LIMIT_KINDS[k] for k in kinds])}{named(names)}"
        for names, kinds in groups.items()
    )


def outside_text(positions: pd.DataFrame, measure: str, analysis: str = MAIN_ANALYSIS) -> str:
    """One sentence: which forces lie outside the inner limits of ``measure``'s funnel under each kind of limit (from ``funnel_positions.csv``)."""
    part = _part(positions, measure, analysis)
    inner = _level_text(funnel.CONFIDENCE_LEVELS[0])
    return f"Outside the {inner} limits of the share graded {measure.replace('_', ' ')}: {outside_phrase(part)}."


def _limits_words(phi: float, tau2: float) -> str:
    """What the estimates do to the two kinds of over-dispersed limit, in one sentence."""
    if tau2 == 0:
        additive = "The between-force variance τ² is 0, so the additive limits are the binomial limits in their Wilson-score form"
    else:
        additive = (
            f"The between-force variance τ² is {tau2:.2g}, a spread of about {100 * math.sqrt(tau2):.1f} percentage points "
            "(one standard deviation) between the forces' underlying shares"
        )
    if phi <= 1:
        multiplicative = "with φ at most 1 the multiplicative limits are the binomial ones too"
    else:
        multiplicative = f"the multiplicative limits are the binomial ones widened by a factor of √φ = {math.sqrt(phi):.2f}"
    return f"{additive}; {multiplicative}."


def winsorisation_changes(positions: pd.DataFrame, measure: str) -> dict[tuple[tuple[str, ...], str], list[str]]:
    """Forces of ``measure``'s funnel whose band under an over-dispersed limit differs without Winsorisation.

    Keys are (the forces, their band without Winsorisation); values the kinds of limit concerned.
    """
    merged = _part(positions, measure, MAIN_ANALYSIS).merge(
        _part(positions, measure, "not_winsorised"), on="document_id", suffixes=("", "_raw")
    )
    changes: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for kind in ("additive", "multiplicative"):
        moved = merged.loc[merged[f"position_{kind}"].ne(merged[f"position_{kind}_raw"])]
        for new, group in moved.groupby(f"position_{kind}_raw", sort=False):
            changes.setdefault((tuple(_labels(group)), str(new)), []).append(kind)
    return changes


def _changes_words(changes: dict[tuple[tuple[str, ...], str], list[str]], then: str = " then") -> str:
    return "; ".join(
        f"{join_words(list(labels))} would{then} lie {_BAND_WORDS[new]} {join_words([LIMIT_KINDS[k] for k in kinds])}"
        for (labels, new), kinds in changes.items()
    )


def dispersion_text(dispersion: pd.DataFrame, positions: pd.DataFrame, measure: str) -> str:
    """What the over-dispersion estimate of ``measure``'s funnel is, which forces Winsorisation pulls in, and what changes without it.

    From ``funnel_dispersion.csv`` and ``funnel_positions.csv``; every number and verdict word
    (whether the spread exceeds chance, whether τ² is zero, which forces change band) comes from them.
    """
    main, raw = _row(dispersion, measure, MAIN_ANALYSIS), _row(dispersion, measure, "not_winsorised")
    what = f"the share graded {measure.replace('_', ' ')}"
    if not _made(main):
        return f"For {what} no over-dispersion can be estimated. {main['note']}"
    part = _part(positions, measure, MAIN_ANALYSIS)
    ids = [d for d in str(main["winsorised"]).split(";") if d and d != "nan"]
    pulled = _labels(part.set_index("document_id").loc[ids].reset_index()) if ids else []
    level = float(main["winsor_level"])
    pulled_text = (
        f" at {level:.0%} (pulling in the z-scores of {join_words(pulled)})"
        if pulled
        else f" at {level:.0%} (which changes no z-score here)"
    )
    p_raw = float(main["p_unwinsorised"])
    spread = style.spread_beyond_chance(p_raw)
    raw_statistic = f"{float(raw['statistic']):.1f}" if _made(raw) else None
    tested = (
        f"have squares summing to {raw_statistic} on {int(main['df'])} degrees of freedom"
        if raw_statistic
        else f"are tested on {int(main['df'])} degrees of freedom"
    )
    text = (
        f"For {what}, the {int(main['forces'])} other forces' z-scores, not Winsorised, {tested} ({p_text(p_raw)}): {spread}. "
        f"To estimate the spread, the z-scores are Winsorised{pulled_text}; that gives a dispersion "
        f"statistic φ of {float(main['phi']):.2f}. {_limits_words(float(main['phi']), float(main['tau2']))} "
        f"{tau2_interval_words(float(main['tau2_low']), float(main['tau2_high']), int(main['forces']))}"
    )
    if not _made(raw):
        return text
    text += f" Without Winsorisation φ would be {float(raw['phi']):.2f} and τ² {float(raw['tau2']):.2g}; "
    changes = winsorisation_changes(positions, measure)
    if not changes:
        return text + "no force would change band under either kind of over-dispersed limit."
    text += _changes_words(changes)
    moved_labels = {label for labels, _ in changes for label in labels}
    if pulled and moved_labels == set(pulled):
        text += (
            ". The forces whose band depends on Winsorisation are exactly the ones it pulls in: left as they are, "
            "their own distance from the others widens the limits they are judged against"
        )
    return text + "."


def tau2_interval_words(low: float, high: float, forces: int) -> str:
    """The Q-profile 95% interval for τ² in one sentence, with what so few forces can say about the spread."""
    if high == 0:
        return f"The 95% interval for τ² is the single value 0: the {forces} forces' shares are consistent with no spread between them."
    start = "0" if low == 0 else f"{low:.2g}"
    return (
        f"The 95% interval for τ² (Q-profile, from the shares not Winsorised) runs from {start} to {high:.2g}, "
        f"a spread of up to about {100 * math.sqrt(high):.1f} percentage points: {number_word(forces)} forces say little about how far forces differ."
    )


def chance_outside_text(positions: pd.DataFrame, analysis: str = MAIN_ANALYSIS) -> str:
    """How many points of every funnel lie outside the 95% limits for chance alone, against how many chance alone would put there, and which lie beyond 99.8%.

    Forces are flagged only beyond the outer (99.8%) limits; the inner (95%) limits are drawn for
    orientation, since with this many points about one in twenty lies outside them by chance alone.
    """
    part = positions.loc[positions["analysis"].eq(analysis) & ~_flag(positions["is_gwent"])]
    inner, outer = funnel.CONFIDENCE_LEVELS
    points = len(part)
    if points == 0:
        return ""
    outside = int(part["position_binomial"].ne("within_95").sum())
    beyond = part.loc[part["position_binomial"].isin(["above_99.8", "below_99.8"])]
    expected = points * (1 - inner)
    names = [
        f"{as_text(f)} {int(y)} (share graded {m.replace('_', ' ')})"
        for f, y, m in zip(beyond["force"], beyond["year"], beyond["measure"], strict=True)
    ]
    flagged = (
        f"{join_words(names)} {'lies' if len(names) == 1 else 'lie'} beyond the {_level_text(outer)} limits and "
        f"{'is' if len(names) == 1 else 'are'} flagged"
        if names
        else f"no force lies beyond the {_level_text(outer)} limits, so none is flagged"
    )
    return (
        f"Of the {points} points the other forces make on the funnels, {outside} lie outside the {_level_text(inner)} limits for chance alone, "
        f"where chance alone would put about {expected:.1f}; forces are flagged only beyond the {_level_text(outer)} limits, and {flagged}."
    )


def secondary_sensitivity_text(dispersion: pd.DataFrame, positions: pd.DataFrame, measure: str) -> str:
    """What the run without the figures known only from secondary coverage shows for ``measure``'s funnel, or why it shows nothing."""
    row = _row(dispersion, measure, "without_secondary_sources")
    what = f"the share graded {measure.replace('_', ' ')}"
    if not _made(row):
        return f"A run without the figures known only from secondary coverage cannot be made for {what}. {as_text(row['note'])}"
    left = int(row["forces_left_out"])
    return (
        f"Without the figures known only from secondary coverage ({forces_phrase(left)} left out, {forces_phrase(int(row['forces']))} kept), "
        + outside_text(positions, measure, "without_secondary_sources")[0].lower()
        + outside_text(positions, measure, "without_secondary_sources")[1:]
    )


def compared_verdict(positions: pd.DataFrame, dispersion: pd.DataFrame, measure: str) -> str:
    """Where the force compared lies on ``measure``'s funnel under each kind of limit, and what lying inside does and does not mean.

    Inside the limits means the audits cannot tell its share apart from the pooled share of the
    others; it does not mean the force is the same as them, and the sentence says how wide the
    additive limits are at its number of cases.
    """
    part = _part(positions, measure, MAIN_ANALYSIS)
    me = part.loc[_flag(part["is_gwent"])].iloc[0]
    row = _row(dispersion, measure, MAIN_ANALYSIS)
    groups: dict[str, list[str]] = {}
    for kind in LIMIT_KINDS:
        groups.setdefault(str(me[f"position_{kind}"]), []).append(kind)
    if len(groups) == 1:
        ((pos, kinds),) = groups.items()
        where = f"{POSITION_WORDS[pos]} under each of the {number_word(len(kinds))} kinds of limit"
    else:
        where = "; ".join(f"{POSITION_WORDS[p]} under the {join_words([LIMIT_KINDS[k] for k in ks])}" for p, ks in groups.items())
    n = int(me["n"])
    text = f"{as_text(me['force'])}'s share graded {measure.replace('_', ' ')}, {count_share(int(me['count']), n)}, lies {where}."
    if "within_95" in groups:
        inner, target = funnel.CONFIDENCE_LEVELS[0], float(row["target"])
        (lo,), (hi,) = funnel.overdispersed_limits(target, n, inner, tau2=float(row["tau2"]), scale=str(row["scale"]))
        text += (
            f" Inside the limits means that these audits cannot tell its share apart from the other forces' pooled {target:.0%}; it does "
            f"not mean that {as_text(me['force'])} is the same as them: at {n} cases the additive {_level_text(inner)} limits run from {lo:.0%} "
            f"to {hi:.0%}, and any share in that band would lie inside them."
        )
    else:
        beyond = "chance alone" if float(row["tau2"]) == 0 else "chance and the estimated spread between forces"
        text += f" Lying outside says the difference is larger than {beyond} would give; it does not say why."
    return text


def headline(national: pd.DataFrame, positions: pd.DataFrame) -> str:
    """The home page's sentences on the national comparison, from the published ``national_audits.csv`` and ``funnel_positions.csv``.

    Which sources the other forces' figures come from, where the force compared lies on each funnel
    under each kind of limit, what lying inside does not mean, and which forces lie outside; every
    count and verdict word is chosen from the tables.
    """
    me = national.loc[_flag(national["is_gwent"])].iloc[0]
    on_funnel = pd.Series(False, index=national.index)
    for measure in FUNNEL_MEASURES:
        on_funnel |= _flag(national[f"in_funnel_{measure}"])
    compared = national.loc[on_funnel & ~_flag(national["is_gwent"])]
    k, years = len(compared), compared["year"].astype(int)
    secondary = _flag(compared["secondary"])
    kinds = join_words([SECONDARY_WORDS[s] for s in SECONDARY_KINDS if compared.loc[secondary, "source_kind"].eq(s).any()], "or")
    if secondary.all():
        sources = f"{'all ' + str(k) if k > 1 else 'its figures'} known only from {kinds}"
    elif not secondary.any():
        sources = "none of them known only from secondary coverage"
    else:
        sources = f"{int(secondary.sum())} of them known only from {kinds}"
    inner = _level_text(funnel.CONFIDENCE_LEVELS[0])
    main = positions.loc[positions["analysis"].eq(MAIN_ANALYSIS)]
    where = {
        m: {kind: str(main.loc[main["measure"].eq(m) & _flag(main["is_gwent"]), f"position_{kind}"].iloc[0]) for kind in LIMIT_KINDS}
        for m in FUNNEL_MEASURES
    }
    shares = join_words([f"graded {m.replace('_', ' ')}" for m in FUNNEL_MEASURES])
    every = [p for by_kind in where.values() for p in by_kind.values()]
    if all(p == "within_95" for p in every):
        verdict = (
            f"lie inside the {inner} limits of {'both' if len(FUNNEL_MEASURES) == 2 else 'all the'} funnels under each of the "
            f"{number_word(len(LIMIT_KINDS))} kinds of limit: those for chance alone ({LIMIT_KINDS['binomial']}) and those that also "
            f"allow for real differences between forces ({LIMIT_KINDS['additive']}, and {LIMIT_KINDS['multiplicative']})"
        )
    else:
        parts = []
        for m, by_kind in where.items():
            groups: dict[str, list[str]] = {}
            for kind, p in by_kind.items():
                groups.setdefault(p, []).append(kind)
            parts.append(
                f"graded {m.replace('_', ' ')}: "
                + "; ".join(f"{POSITION_WORDS[p]} under the {join_words([LIMIT_KINDS[x] for x in ks])}" for p, ks in groups.items())
            )
        verdict = "lie as follows, " + "; ".join(parts)
    caveat = (
        f" Inside the limits does not show that {as_text(me['force'])} is the same as the forces compared, only that these audits cannot tell it "
        "apart from them."
        if "within_95" in every
        else ""
    )
    outside = "; ".join(
        f"for the share graded {m.replace('_', ' ')}, {outside_phrase(main.loc[main['measure'].eq(m)])}" for m in FUNNEL_MEASURES
    )
    return (
        f"Set beside {k} other forces' full inspections published from {years.min()} to {years.max()} ({sources}"
        f"{'; ' + counts if (counts := funnel_counts(national)) else ''}), {as_text(me['force'])}'s shares of cases {shares} {verdict}.{caveat} "
        f"Outside the {inner} limits: {outside}. "
        + (f"{chance} " if (chance := chance_outside_text(positions)) else "")
        + "The forces found are not a complete or random set."
    )


def funnel_counts(national: pd.DataFrame) -> str:
    """How many other forces each funnel holds, in words that tell them from the count over both: ``"11 of them on each funnel"``,
    or each funnel's count named (a force lacking one grade's count is on one funnel only); empty when every one is on each funnel."""
    others = ~_flag(national["is_gwent"])
    per = {m: int((_flag(national[f"in_funnel_{m}"]) & others).sum()) for m in FUNNEL_MEASURES}
    on_any = pd.Series(False, index=national.index)
    for m in FUNNEL_MEASURES:
        on_any |= _flag(national[f"in_funnel_{m}"])
    k = int((on_any & others).sum())
    counts = set(per.values())
    if counts == {k}:
        return ""
    if len(counts) == 1:
        return f"{counts.pop()} of them on each funnel"
    return join_words([f"{n} on the funnel of the share graded {m.replace('_', ' ')}" for m, n in per.items()])


def methods_summary(dispersion: pd.DataFrame, positions: pd.DataFrame) -> str:
    """The Methods page's sentences on the over-dispersed funnels: the estimates, who lies outside, and the run without secondary sources."""
    parts = []
    for m in FUNNEL_MEASURES:
        row = _row(dispersion, m, MAIN_ANALYSIS)
        what = f"the share graded {m.replace('_', ' ')}"
        if not _made(row):
            parts.append(f"For {what} no over-dispersion can be estimated: {row['note']}")
            continue
        changes = winsorisation_changes(positions, m) if _made(_row(dispersion, m, "not_winsorised")) else {}
        parts.append(
            f"For {what}, the test of over-dispersion on the z-scores not Winsorised gives {p_text(float(row['p_unwinsorised']))}; "
            f"φ is {float(row['phi']):.2f} and τ² {float(row['tau2']):.2g} (95% interval {float(row['tau2_low']):.2g} to {float(row['tau2_high']):.2g}); outside the "
            f"{_level_text(funnel.CONFIDENCE_LEVELS[0])} limits, {outside_phrase(_part(positions, m, MAIN_ANALYSIS))}"
            + (f"; without Winsorisation {_changes_words(changes, then='')}." if changes else "; Winsorisation changes no force's band.")
        )
    return " ".join(p for p in [*parts, chance_outside_text(positions), secondary_summary(dispersion, positions)] if p)


def secondary_summary(dispersion: pd.DataFrame, positions: pd.DataFrame) -> str:
    """:func:`secondary_sensitivity_text` for every funnel, said once when no funnel's run can be made, for the same reason."""
    rows = [_row(dispersion, m, "without_secondary_sources") for m in FUNNEL_MEASURES]
    notes = list(dict.fromkeys(str(r["note"]) for r in rows if not _made(r)))
    if len(notes) == 1 and not any(_made(r) for r in rows):
        every = "either funnel" if len(rows) == 2 else "any funnel"
        return f"A run without the figures known only from secondary coverage cannot be made on {every}, for the same reason. {as_text(notes[0])}"
    return " ".join(secondary_sensitivity_text(dispersion, positions, m) for m in FUNNEL_MEASURES)


def dispersion_display(dispersion: pd.DataFrame) -> pd.DataFrame:
    """Display table of ``funnel_dispersion.csv``: funnel, analysis in words, forces used, φ, the calibrated test, τ² with its 95% interval.

    The test is the one on the z-scores not Winsorised (``p_unwinsorised``; its statistic is the
    ``not_winsorised`` row's), whichever analysis estimates φ and τ²; a dash where a run cannot be made.
    """
    words = {
        "all_sources": f"All sources, Winsorised at {funnel.WINSOR_LEVEL:.0%} (main)",
        "not_winsorised": "All sources, not Winsorised",
        "without_secondary_sources": "Without secondary sources",
    }

    def num(value, fmt: str) -> str:
        return "–" if pd.isna(value) else format(float(value), fmt)

    raw = dispersion.loc[dispersion["analysis"].eq("not_winsorised")].set_index("measure")["statistic"]
    raw_statistic = [
        raw.get(m, np.nan) if a != "without_secondary_sources" else np.nan
        for m, a in zip(dispersion["measure"], dispersion["analysis"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Share graded": dispersion["measure"].str.replace("_", " "),
            "Analysis": dispersion["analysis"].map(words),
            "Other forces": dispersion["forces"].astype(int),
            "φ": [num(v, ".2f") for v in dispersion["phi"]],
            "Test statistic (df)": [
                "–" if pd.isna(s) or pd.isna(d) else f"{float(s):.1f} ({int(d)})"
                for s, d in zip(raw_statistic, dispersion["df"], strict=True)
            ],
            "p": ["–" if pd.isna(p) else p_text(float(p)).removeprefix("p = ") for p in dispersion["p_unwinsorised"]],
            "τ²": [num(v, ".2g") for v in dispersion["tau2"]],
            "τ² 95% interval": [
                "–" if pd.isna(lo) else f"{float(lo):.2g} to {float(hi):.2g}"
                for lo, hi in zip(dispersion["tau2_low"], dispersion["tau2_high"], strict=True)
            ],
        }
    ).reset_index(drop=True)
