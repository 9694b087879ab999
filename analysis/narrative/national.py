"""Every sentence on the national panel: the documents, the force-versus-inspector pairs, the re-inspections and the home page's "Beside other forces".

Published tables in (``national_panel.csv``, ``national_pairs.csv``, ``national_changes.csv``), sentences out.
Each sentence is built from both ends of what it describes (``low`` and ``high``, and whether they differ);
a direction word ("rose", "fell", "higher", "more agreement than chance") is given only when both ends of
the range it rests on agree (:func:`analysis.narrative.style.direction`), and every word from a package (a force's
name, a reason) goes through :func:`analysis.narrative.style.as_text`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.choices import CONFIDENCE
from analysis.narrative.panel import forces_phrase
from analysis.narrative.style import (
    as_text,
    change_words,
    count_share,
    counted,
    direction,
    join_words,
    level_text,
    long_date,
    long_month,
    number_word,
    p_text,
    percent,
    span,
    spread_beyond_chance,
    tables_fit,
)
from analysis.sections.national import DEPENDS, FUNNEL_MEASURES, LIMIT_KINDS, MAIN_ANALYSIS
from analysis.sections.panel import document_shares, pooled_share, short_force
from analysis.stats.funnel import CONFIDENCE_LEVELS as FUNNEL_LEVELS
from analysis.stats.funnel import POSITIONS as FUNNEL_POSITIONS
from analysis.stats.funnel import WINSOR_LEVEL
from analysis.stats.funnel import overdispersed_limits as funnel_limits_at

#: The level of every interval named in these sentences, as printed ("95%").
LEVEL = level_text(CONFIDENCE)

#: Documents' kinds, as a sentence names them.
DOCUMENT_WORDS: dict[str, str] = {
    "inspection": "inspection",
    "post-inspection review": "post-inspection review",
    "post-inspection quarterly update": "quarterly update",
    "thematic aggregate": "thematic report",
}
#: Samples and raters, as the table of documents names them.
SAMPLE_WORDS: dict[str, str] = {
    "all": "all audited cases",
    "force_selected": "cases the force selected",
    "inspectorate_selected": "cases the inspectors selected",
}
RATER_WORDS: dict[str, str] = {"inspectorate": "the inspectors", "force": "the force"}
#: Each status of ``national_panel.csv`` in words.
STATUS_WORDS: dict[str, str] = {"used": "used", "partly_used": "partly used", "not_usable": "not usable"}

#: The measures of ``national_pairs.csv`` (each as ``<name>_low`` and ``<name>_high``), as a sentence names them.
PAIR_MEASURES: dict[str, str] = {
    "percent_agreement": "the share of cases given the same grade",
    "cohen_kappa": "Cohen's kappa",
    "weighted_kappa_linear": "linearly weighted kappa",
    "weighted_kappa_quadratic": "quadratically weighted kappa",
    "n_force_better": "cases the force graded better than the inspectors",
}
#: The grades whose shares ``national_changes.csv`` compares between an inspection and its later document.
CHANGE_GRADES: tuple[str, ...] = ("inadequate", "good")


# --------------------------------------------------------------------------- small pieces


def date_words(published: str) -> str:
    """A publication date as printed by the package, in words: ``"26 August 2021"``, ``"June 2019"`` or ``"2017"``."""
    text = str(published)
    if len(text) == 10:
        return long_date(text)
    if len(text) == 7:
        return long_month(text)
    return text


def document_name(force: str, published: str, document_type: str) -> str:
    """A document named in a sentence: ``"Dorset's inspection (2021)"``, the force's name as text."""
    return f"{as_text(short_force(str(force)))}'s {DOCUMENT_WORDS.get(str(document_type), as_text(document_type))} ({str(published)[:4]})"


def points(share: float) -> str:
    """A difference of shares in whole percentage points, sign dropped: ``0.052 -> "5"``."""
    return f"{abs(100 * share):.0f}"


def signed_points(share: float) -> str:
    """A difference of shares in whole percentage points with a true minus sign: ``-0.052 -> "−5"``, ``0.03 -> "+3"``."""
    value = round(100 * share)
    sign = "+" if value > 0 else "\u2212"
    return "0" if value == 0 else f"{sign}{abs(value)}"


def kappa_text(x: float) -> str:
    """A kappa to two decimals with a true minus sign."""
    return f"{x:.2f}".replace("-", "\u2212")


def _is_missing(*values) -> bool:
    return any(v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA for v in values)


# --------------------------------------------------------------------------- the documents


def _published_words(part: pd.DataFrame) -> str:
    """What one document's panel rows publish, in words: each sample and rater, and whether its counts are exact, ranges or shares only."""
    out = []
    for (sample, rater), rows in part.groupby(["sample", "rater"], sort=False):
        if rows["low"].isna().all() and rows["share_low"].isna().all():
            kind = "no figure that can be used"
        elif rows["low"].isna().all():
            kind = "percentages only, number of cases not printed"
        elif rows["of"].isna().any():
            kind = "counts known within ranges; the sources give different numbers of cases"
        elif rows["low"].notna().all() and rows["low"].eq(rows["high"]).all():
            kind = f"exact counts of {int(rows['of'].max())} cases"
        else:
            kind = f"counts known within ranges, {int(rows['of'].max())} cases"
        who = SAMPLE_WORDS.get(str(sample), str(sample))
        out.append(f"{who}, graded by {RATER_WORDS.get(str(rater), str(rater))} ({kind})")
    return "; ".join(out)


def _status_words(part: pd.DataFrame) -> str:
    """One document's status in words: the status its rows share, or "partly used", with the reasons given."""
    statuses = set(part["status"].astype(str))
    status = statuses.pop() if len(statuses) == 1 else "partly_used"
    reasons = [str(r) for r in dict.fromkeys(part["reason"].dropna().astype(str)) if r.strip()]
    words = STATUS_WORDS.get(status, status)
    return f"{words}: {'; '.join(reasons)}" if reasons else words


def documents_table(panel: pd.DataFrame) -> pd.DataFrame:
    """The table of documents under the chart: force, date, what was published and status, one row per document in date order.

    From ``national_panel.csv``. Every cell is text (:func:`analysis.display.pipe_table` passes each
    through :func:`analysis.narrative.style.as_text`); with four columns it stacks on a phone (``styles.css``).
    """
    order = panel.drop_duplicates("audit_id").sort_values(["published", "audit_id"], kind="stable")
    rows = []
    for audit_id in order["audit_id"]:
        part = panel.loc[panel["audit_id"].eq(audit_id)]
        first = part.iloc[0]
        rows.append(
            {
                "Force": str(first["force"]),
                "Date": f"{date_words(first['published'])} ({DOCUMENT_WORDS.get(str(first['document_type']), str(first['document_type']))})",
                "What was published": _published_words(part),
                "Status": _status_words(part),
            }
        )
    return pd.DataFrame(rows, columns=["Force", "Date", "What was published", "Status"])


# --------------------------------------------------------------------------- the pairs


def range_text(low: float, high: float, show) -> str:
    """A range from both ends (:func:`analysis.narrative.style.span`), "from ... to ...", or one value when both ends show alike."""
    return span(low, high, show, joiner="to")


def kappa_direction(low: float, high: float) -> str:
    """What a kappa range says about chance, from both ends: above chance, below chance, exactly chance (a single zero), or a range that includes it."""
    word = direction(low, high, "more agreement than chance alone would give", "less agreement than chance alone would give")
    if word:
        return word
    return "exactly the agreement chance alone would give" if low == high else "a range that includes chance-level agreement (zero)"


def pair_sentence(row: pd.Series) -> str:
    """One document's force-versus-inspector pair in words, from ``national_pairs.csv``: agreement, kappa, cases graded better, and how many tables fit.

    Each measure is said from its ``_low`` and ``_high``; a measure the row leaves empty is said to be
    undefined, never printed as a number; ``n_tables`` (when given) says how many tables of whole cases
    fit the published totals (one: the pairing is identified).
    """
    name = document_name(row["force"], row["published"], row.get("document_type", "inspection"))
    n = row.get("n")
    parts = []
    lo, hi = row.get("percent_agreement_low"), row.get("percent_agreement_high")
    if not _is_missing(lo, hi):
        parts.append(f"the force and the inspectors gave the same grade to {span(float(lo), float(hi), percent)} of the cases")
    lo, hi = row.get("cohen_kappa_low"), row.get("cohen_kappa_high")
    if _is_missing(lo, hi):
        parts.append("Cohen's kappa is undefined (one side gave every case the same grade)")
    else:
        parts.append(f"Cohen's kappa is {range_text(float(lo), float(hi), kappa_text)}, {kappa_direction(float(lo), float(hi))}")
    weighted = []
    for key in ("weighted_kappa_linear", "weighted_kappa_quadratic"):
        lo, hi = row.get(f"{key}_low"), row.get(f"{key}_high")
        if not _is_missing(lo, hi):
            weighted.append(f"{PAIR_MEASURES[key]} {range_text(float(lo), float(hi), kappa_text)}")
    if weighted:
        parts.append(join_words(weighted))
    lo, hi = row.get("n_force_better_low"), row.get("n_force_better_high")
    if not _is_missing(lo, hi):
        of = "" if _is_missing(n) else f" of the {int(n)}"
        what = "case" if int(hi) == 1 else "cases"
        parts.append(f"the force graded {range_text(int(lo), int(hi), str)}{of} {what} better than the inspectors did")
    tables = row.get("n_tables")
    fit = ""
    if not _is_missing(tables):
        k = int(tables)
        then = "so the case-by-case pairing is known" if k == 1 else "so each measure is a range"
        fits = tables_fit(k)
        fit = f" {fits[0].upper()}{fits[1:]} the published totals, {then}."
    return f"{name}: {'; '.join(parts)}.{fit}"


def pairs_text(pairs: pd.DataFrame, compared: str | None = None) -> str:
    """Every pair of ``national_pairs.csv`` in words, the compared audit's last (it is the one the rest of the site describes)."""
    if pairs.empty:
        return "No document in the panel publishes a force's grading beside the inspectors' grading of the same cases."
    order = pairs.assign(_last=pairs["audit_id"].eq(compared)).sort_values(["_last", "published", "audit_id"], kind="stable")
    k = len(order)
    lead = (
        f"{counted(k, 'document').capitalize()} in the panel {'publishes' if k == 1 else 'publish'} a force's grading of a sample of "
        "its cases beside the inspectors' grading of the same cases."
    )
    return " ".join([lead, *(pair_sentence(r) for _, r in order.iterrows())])


# --------------------------------------------------------------------------- the re-inspections


def change_verdict(ci_low: float, ci_high: float) -> str:
    """The verdict on a change from its interval: ``"rose"`` when the whole interval is above zero, ``"fell"`` when below, else ``"showed no clear change"``."""
    word = change_words(ci_low, ci_high)
    return "showed no clear change" if word == "no clear change" else word


def change_sentence(
    grade: str,
    low: float,
    high: float,
    ci_low: float,
    ci_high: float,
    *,
    before: str,
    after: str,
    method: str = "Newcombe's hybrid score",
) -> str:
    """One re-inspection's change in the share graded ``grade`` in words, from the range of changes the documents allow and its interval.

    ``low``/``high`` are the smallest and largest change (a share, later minus earlier) over the
    counts both documents allow; ``ci_low``/``ci_high`` the union of the intervals over those counts.
    The verdict comes from the interval (:func:`change_verdict`); "higher" or "lower" is said only
    when both ends of the change agree (:func:`analysis.narrative.style.direction`). ``before`` and ``after``
    name the two documents (:func:`document_name`).
    """
    if _is_missing(low, high, ci_low, ci_high):
        return f"The share graded {as_text(grade)} between {before} and {after} cannot be compared: one of the two documents has no usable figure for it."
    verdict = change_verdict(ci_low, ci_high)
    way = direction(low, high, "higher", "lower")
    interval = f"{LEVEL} interval {signed_points(ci_low)} to {signed_points(ci_high)} percentage points, {method}"
    if way:
        a, b = sorted((abs(low), abs(high)))
        size = span(a, b, points, joiner="to")
        change = f"it was {size} percentage {'point' if size == '1' else 'points'} {way} at the later document"
    elif low == high == 0:
        change = "the figures show the same share at both"
    else:
        change = f"the change the figures allow runs from {signed_points(low)} to {signed_points(high)} percentage points"
    tail = "" if verdict != "showed no clear change" or not way else ", but the interval includes no change"
    return f"Between {before} and {after}, the share graded {as_text(grade)} {verdict}: {change} ({interval}){tail}."


def changes_text(changes: pd.DataFrame, panel: pd.DataFrame | None = None) -> str:
    """Every re-inspection of ``national_changes.csv`` in words, with the caution that the two audits sample differently.

    ``panel`` (``national_panel.csv``), when given, names the earlier document's kind; otherwise it is called an inspection.
    """
    kinds = {} if panel is None else dict(zip(panel["audit_id"], panel["document_type"], strict=True))
    if changes.empty:
        return "No force in the panel has a later document to set beside its inspection."
    sentences = []
    for _, r in changes.iterrows():
        before = document_name(r["force"], r["first_published"], kinds.get(r.get("first_id"), "inspection"))
        after = document_name(r["force"], r["second_published"], r.get("second_type", "post-inspection review"))
        for grade in CHANGE_GRADES:
            sentences.append(
                change_sentence(
                    grade,
                    r.get(f"{grade}_low"),
                    r.get(f"{grade}_high"),
                    r.get(f"{grade}_ci_low"),
                    r.get(f"{grade}_ci_high"),
                    before=before,
                    after=after,
                )
            )
    return " ".join(
        [
            *sentences,
            "A later document audits fewer cases, chosen differently, so a change between the two is not a like-for-like measure of improvement.",
        ]
    )


# --------------------------------------------------------------------------- the compared audit among the others


def share_against_pool(panel: pd.DataFrame, grade: str, compared: str) -> str:
    """The compared audit's share graded ``grade`` beside the programme's pooled share, with what its interval says.

    "above" or "below" only when the compared audit's whole interval (``ci_low``..``ci_high``, the union
    over the counts it allows) lies on one side of the pooled share; otherwise its interval includes it.
    Empty when there is no pooled share or no share of the compared audit.
    """
    pooled = pooled_share(panel, grade, compared)
    me = document_shares(panel, grade, compared).loc[lambda f: f["is_compared"]]
    if pooled is None or me.empty or me["note"].iloc[0]:
        return ""
    row = me.iloc[0]
    share, k = pooled
    lo, hi = int(row["low"]), int(row["high"])
    counts = count_share(lo, int(row["of"])) if lo == hi else f"{lo} to {hi} of {int(row['of'])}"
    side = direction(float(row["ci_low"]) - share, float(row["ci_high"]) - share, "above", "below")
    where = (
        f"its whole {LEVEL} interval lies {side} the pooled {percent(share)}"
        if side
        else f"its {LEVEL} interval ({percent(float(row['ci_low']))} to {percent(float(row['ci_high']))}) includes the pooled {percent(share)}"
    )
    return (
        f"graded {as_text(grade)}: {counts}, where the other {counted(k, 'inspection')} on the same grade scale with exact counts pool to "
        f"{percent(share)}; {where}"
    )


def beside_other_forces(
    panel: pd.DataFrame, pairs: pd.DataFrame, changes: pd.DataFrame, compared: str, positions: pd.DataFrame | None = None
) -> str:
    """The home page's "Beside other forces" paragraph, from ``national_panel.csv``, ``national_pairs.csv`` and ``national_changes.csv``.

    What the panel holds (documents, forces, years, how many are used, partly used or not usable), where
    the compared audit's shares inadequate and good lie against the pooled share of the other
    inspections, how many other documents publish a force-versus-inspector pair, and how the
    re-inspections changed; every count and verdict word is computed from the tables. With ``positions``
    (``funnel_positions.csv``), where the compared audit lies on the funnels (:func:`funnel_headline`).
    """
    docs = panel.drop_duplicates("audit_id")
    others = docs.loc[docs["audit_id"].ne(compared)]
    me = docs.loc[docs["audit_id"].eq(compared)]
    name = as_text(short_force(str(me["force"].iloc[0]))) if len(me) else "This audit"
    status = panel.groupby("audit_id")["status"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "partly_used")
    status = status.loc[status.index.isin(others["audit_id"])]
    years = others["published"].astype(str).str[:4]
    held = (
        f"The project's panel holds {counted(len(others), 'other published audit')} of the national child protection inspection programme "
        f"({counted(others['force'].nunique(), 'force')}, {years.min()} to {years.max()}), each read exactly as printed: "
        + join_words([f"{int((status == s).sum())} {STATUS_WORDS[s]}" for s in STATUS_WORDS if int((status == s).sum())])
        + "."
    )
    shares = [t for t in (share_against_pool(panel, g, compared) for g in ("inadequate", "good")) if t]
    against = f" {name}'s share {'; its share '.join(shares)}." if shares else ""
    paired = pairs.loc[pairs["audit_id"].ne(compared)] if "audit_id" in pairs else pairs
    if len(paired):
        names = [f"{as_text(short_force(str(f)))} {str(p)[:4]}" for f, p in zip(paired["force"], paired["published"], strict=True)]
        pair_words = (
            f" {counted(len(paired), 'other document').capitalize()} {'publishes' if len(paired) == 1 else 'publish'} a force's own grading "
            f"beside the inspectors' ({join_words(names)})."
        )
    else:
        pair_words = " No other document publishes a force's own grading beside the inspectors'."
    change_words = ""
    if len(changes) and {"inadequate_ci_low", "inadequate_ci_high"} <= set(changes.columns):
        known = changes.loc[changes["inadequate_ci_low"].notna() & changes["inadequate_ci_high"].notna()]
        verdicts = [
            change_verdict(float(a), float(b)) for a, b in zip(known["inadequate_ci_low"], known["inadequate_ci_high"], strict=True)
        ]
        verdicts += ["cannot be compared"] * (len(changes) - len(known))
        tally = join_words(
            [
                f"{v} in {number_word(verdicts.count(v))}"
                for v in ("fell", "rose", "showed no clear change", "cannot be compared")
                if verdicts.count(v)
            ]
        )
        change_words = (
            f" Between an inspection and the same force's later document ({counted(len(changes), 'pair')}), the share graded inadequate "
            f"{tally}, judged by the {LEVEL} interval of each change."
        )
    funnels = "" if positions is None else funnel_headline(positions)
    funnels = f" {funnels}" if funnels else ""
    return held + against + funnels + pair_words + change_words + " The documents found are not a complete or random set of forces."


# --------------------------------------------------------------------------- the funnels
# Published tables in (funnel_positions.csv, funnel_dispersion.csv), sentences out. A document whose
# count the figures leave as a range has the position ``depends`` and the lowest and highest positions
# its counts give (``position_<kind>_low``/``_high``); it is said as such, with that range, never as
# inside or outside unless every count of its range is.

#: The confidence levels of the funnel limits, as printed ("95%", "99.8%").
INNER, OUTER = (level_text(c) for c in FUNNEL_LEVELS)

#: Plain words for each funnel position (see :data:`analysis.stats.funnel.POSITIONS`).
POSITION_WORDS: dict[str, str] = {
    "below_99.8": f"below the outer ({OUTER}) limit",
    "below_95": f"below the inner ({INNER}) limit but inside the outer ({OUTER}) one",
    "within_95": f"inside the inner ({INNER}) limits",
    "above_95": f"above the inner ({INNER}) limit but inside the outer ({OUTER}) one",
    "above_99.8": f"above the outer ({OUTER}) limit",
}

#: Which side of which limit a force outside the inner limits lies, in a few words.
SIDE_WORDS: dict[str, str] = {
    "above_95": "above",
    "below_95": "below",
    "above_99.8": f"above, beyond the {OUTER} limit too",
    "below_99.8": f"below, beyond the {OUTER} limit too",
}

#: A position as the band a share lies in, for "would lie ... the <kind of> limits".
BAND_WORDS: dict[str, str] = {
    "within_95": f"inside the {INNER}",
    "above_95": f"above the {INNER}",
    "below_95": f"below the {INNER}",
    "above_99.8": f"above the {OUTER}",
    "below_99.8": f"below the {OUTER}",
}

#: The analyses of ``funnel_dispersion.csv`` (the first is the main one), in words for the table and the text.
ANALYSIS_WORDS: dict[str, str] = {
    "all_sources": f"Pinned counts, Winsorised at {level_text(WINSOR_LEVEL)} (main)",
    "not_winsorised": "Pinned counts, not Winsorised",
    "without_secondary_sources": "Without secondary sources",
    "ranges_at_fewest": "Every range at its fewest",
    "ranges_at_most": "Every range at its most",
}
#: The sensitivity runs in which every count left as a range enters the estimate, at one end of it.
RANGE_ANALYSES: dict[str, str] = {"ranges_at_fewest": "fewest", "ranges_at_most": "most"}

_ORDER = {p: i for i, p in enumerate(FUNNEL_POSITIONS)}


def _flag(series: pd.Series) -> pd.Series:
    return series.astype(str).str.lower().eq("true")


def _part(positions: pd.DataFrame, measure: str, analysis: str = MAIN_ANALYSIS) -> pd.DataFrame:
    return positions.loc[positions["measure"].eq(measure) & positions["analysis"].eq(analysis)]


def _row(dispersion: pd.DataFrame, measure: str, analysis: str) -> pd.Series:
    rows = dispersion.loc[dispersion["measure"].eq(measure) & dispersion["analysis"].eq(analysis)]
    if len(rows) != 1:
        raise ValueError(f"funnel_dispersion.csv: expected one row for {measure}, {analysis}; found {len(rows)}")
    return rows.iloc[0]


def _made(row: pd.Series) -> bool:
    return pd.notna(row["phi"])


def why_not_made(row: pd.Series) -> str:
    """Why a run of ``funnel_dispersion.csv`` estimates nothing, from its counts of forces used and left out."""
    kept, total = int(row["forces"]), int(row["forces"]) + int(row["forces_left_out"])
    who = "none" if kept == 0 else f"only {number_word(kept)}"
    return (
        f"Of the {counted(total, 'other force')} on the funnel, {who} can enter this run's estimate: "
        "the spread between forces cannot be estimated from fewer than two."
    )


def _label(force, year) -> str:
    return f"{as_text(short_force(str(force)))} {int(year)}"


def _labels(frame: pd.DataFrame) -> list[str]:
    """Each row's force and year, for a sentence (the force's name as text)."""
    return [_label(f, y) for f, y in zip(frame["force"], frame["year"], strict=True)]


def place_range(low: str, high: str) -> str:
    """Where a document whose count is a range lies, from the lowest and the highest position its counts give.

    Both ends outside the inner limits on the same side: it is outside on that side wherever its count
    lies; otherwise the words name both ends ("anywhere from below the outer (99.8%) limit to above the
    outer (99.8%) limit").
    """
    if low == high:
        return POSITION_WORDS[low]
    if _ORDER[low] > _ORDER["within_95"] or _ORDER[high] < _ORDER["within_95"]:
        side = "above" if _ORDER[low] > _ORDER["within_95"] else "below"
        return f"{side} the inner ({INNER}) limit wherever its count lies, beyond the outer ({OUTER}) one for some of its counts"
    return f"anywhere from {POSITION_WORDS[low]} to {POSITION_WORDS[high]}, depending on counts its figures leave open"


def side_of(position: str, low: str, high: str) -> str | None:
    """The side of the inner limits a document lies on (``SIDE_WORDS``-style), ``None`` when it is inside or may be."""
    if position != DEPENDS:
        return None if position == "within_95" else SIDE_WORDS[position]
    if _ORDER[low] > _ORDER["within_95"]:
        return "above" + (f", beyond the {OUTER} limit for some of its counts" if high == "above_99.8" else "")
    if _ORDER[high] < _ORDER["within_95"]:
        return "below" + (f", beyond the {OUTER} limit for some of its counts" if low == "below_99.8" else "")
    return None


def outside_forces(part: pd.DataFrame, kind: str) -> list[str]:
    """The forces of ``part`` (one funnel, one analysis) outside the inner limits of ``kind`` wherever their count lies: ``"Suffolk 2022, above"``."""
    out = []
    for label, p, lo, hi in zip(
        _labels(part), part[f"position_{kind}"], part[f"position_{kind}_low"], part[f"position_{kind}_high"], strict=True
    ):
        side = side_of(str(p), str(lo), str(hi))
        if side:
            out.append(f"{label}, {side}")
    return out


def depending_forces(part: pd.DataFrame, kind: str) -> list[str]:
    """The forces of ``part`` whose place against ``kind``'s inner limits depends on counts their figures leave open, with the range of places."""
    out = []
    for label, p, lo, hi in zip(
        _labels(part), part[f"position_{kind}"], part[f"position_{kind}_low"], part[f"position_{kind}_high"], strict=True
    ):
        if str(p) == DEPENDS and side_of(str(p), str(lo), str(hi)) is None:
            out.append(f"{label}, from {BAND_WORDS[str(lo)]} to {BAND_WORDS[str(hi)]} limits")
    return out


def _grouped(part: pd.DataFrame, names_of) -> dict[tuple[str, ...], list[str]]:
    groups: dict[tuple[str, ...], list[str]] = {}
    for kind in LIMIT_KINDS:
        groups.setdefault(tuple(names_of(part, kind)), []).append(kind)
    return groups


def depending_compact(part: pd.DataFrame) -> list[str]:
    """The forces of ``part`` whose place depends, under any kind of limit, on counts their figures leave open, each once with the widest range of places."""
    out = []
    for _, r in part.iterrows():
        ends = [
            (str(r[f"position_{k}_low"]), str(r[f"position_{k}_high"]))
            for k in LIMIT_KINDS
            if str(r[f"position_{k}"]) == DEPENDS and side_of(DEPENDS, str(r[f"position_{k}_low"]), str(r[f"position_{k}_high"])) is None
        ]
        if ends:
            lo = min((e[0] for e in ends), key=_ORDER.__getitem__)
            hi = max((e[1] for e in ends), key=_ORDER.__getitem__)
            out.append(f"{_label(r['force'], r['year'])}, from {BAND_WORDS[lo]} to {BAND_WORDS[hi]} limits")
    return out


def outside_phrase(part: pd.DataFrame, *, detail: bool = True) -> str:
    """How many forces of one funnel lie outside the inner limits under each kind of limit, and which, in words; then those whose place depends.

    Kinds with the same forces outside are named together: ``"one force under each of the three kinds
    of limit (Thames Valley 2023, above)"``, or ``"two forces under the exact binomial limits (...); no
    force under the additive random-effects limits and the multiplicative limits"``. Documents whose
    counts are ranges spanning the inner limits are then said to depend, with their range of places
    under each kind of limit (``detail``) or, each once, the widest over the kinds.
    """

    def named(names: tuple[str, ...]) -> str:
        return f" ({'; '.join(names)})" if names else ""

    groups = _grouped(part, outside_forces)
    if len(groups) == 1:
        ((names, kinds),) = groups.items()
        text = (
            f"no force under any of the {number_word(len(kinds))} kinds of limit"
            if not names
            else f"{forces_phrase(len(names))} under each of the {number_word(len(kinds))} kinds of limit{named(names)}"
        )
    else:
        text = "; ".join(
            f"{forces_phrase(len(names))} under the {join_words([LIMIT_KINDS[k] for k in kinds])}{named(names)}"
            for names, kinds in groups.items()
        )
    if not detail:
        names = tuple(depending_compact(part))
        if names:
            text += f"; for {forces_phrase(len(names))} it depends on counts the figures leave open{named(names)}"
        return text
    depending = _grouped(part, depending_forces)
    if len(depending) == 1:
        ((names, kinds),) = depending.items()
        if names:
            text += f"; for {forces_phrase(len(names))} it depends on counts the figures leave open, under each kind of limit{named(names)}"
    else:
        text += "; " + "; ".join(
            f"for {forces_phrase(len(names))} it depends on counts the figures leave open, under the "
            f"{join_words([LIMIT_KINDS[k] for k in kinds])}{named(names)}"
            for names, kinds in depending.items()
            if names
        )
    return text


def outside_text(positions: pd.DataFrame, measure: str, analysis: str = MAIN_ANALYSIS) -> str:
    """One sentence: which forces lie outside the inner limits of ``measure``'s funnel under each kind of limit (from ``funnel_positions.csv``)."""
    return f"Outside the {INNER} limits of the share graded {as_text(measure)}: {outside_phrase(_part(positions, measure, analysis))}."


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


def tau2_interval_words(low: float, high: float, forces: int) -> str:
    """The Q-profile interval for τ² in one sentence, with what so few forces can say about the spread."""
    if high == 0:
        return f"The {LEVEL} interval for τ² is the single value 0: the {forces} forces' shares are consistent with no spread between them."
    start = "0" if low == 0 else f"{low:.2g}"
    return (
        f"The {LEVEL} interval for τ² (Q-profile, from the shares not Winsorised) runs from {start} to {high:.2g}, "
        f"a spread of up to about {100 * math.sqrt(high):.1f} percentage points: {number_word(forces)} forces say little about how far forces differ."
    )


def winsorisation_changes(positions: pd.DataFrame, measure: str) -> dict[tuple[tuple[str, ...], str], list[str]]:
    """Forces with pinned counts on ``measure``'s funnel whose band under an over-dispersed limit differs without Winsorisation.

    Keys are (the forces, their band without Winsorisation); values the kinds of limit concerned. A
    document whose count is a range is left out: its place is already a range of bands.
    """
    main = _part(positions, measure, MAIN_ANALYSIS)
    merged = main.loc[_flag(main["pinned"])].merge(_part(positions, measure, "not_winsorised"), on="document_id", suffixes=("", "_raw"))
    changes: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for kind in ("additive", "multiplicative"):
        moved = merged.loc[merged[f"position_{kind}"].ne(merged[f"position_{kind}_raw"])]
        for new, group in moved.groupby(f"position_{kind}_raw", sort=False):
            changes.setdefault((tuple(_labels(group)), str(new)), []).append(kind)
    return changes


def _changes_words(changes: dict[tuple[tuple[str, ...], str], list[str]], then: str = " then") -> str:
    return "; ".join(
        f"{join_words(list(labels))} would{then} lie {BAND_WORDS[new]} {join_words([LIMIT_KINDS[k] for k in kinds])}"
        for (labels, new), kinds in changes.items()
    )


def ranges_text(dispersion: pd.DataFrame, measure: str) -> str:
    """What the sensitivity runs that take every range at its fewest and at its most cases give for ``measure``'s funnel."""
    rows = [(end, _row(dispersion, measure, a)) for a, end in RANGE_ANALYSES.items() if len(dispersion.loc[dispersion["analysis"].eq(a)])]
    made = [(end, r) for end, r in rows if _made(r)]
    if not made:
        return ""
    each = join_words(
        [
            f"at its {end}, over {forces_phrase(int(r['forces']))}, the pooled share is {percent(float(r['target']))}, φ {float(r['phi']):.2f} and "
            f"τ² {float(r['tau2']):.2g} ({p_text(float(r['p_unwinsorised']))}: {spread_beyond_chance(float(r['p_unwinsorised']))})"
            for end, r in made
        ]
    )
    return f"With every count left as a range taken {each}."


def dispersion_text(dispersion: pd.DataFrame, positions: pd.DataFrame, measure: str) -> str:
    """What the over-dispersion estimate of ``measure``'s funnel is, which forces Winsorisation pulls in, what changes without it, and what the ranges do.

    From ``funnel_dispersion.csv`` and ``funnel_positions.csv``; every number and verdict word
    (whether the spread exceeds chance, whether τ² is zero, which forces change band) comes from them.
    """
    main = _row(dispersion, measure, MAIN_ANALYSIS)
    what = f"the share graded {as_text(measure)}"
    if not _made(main):
        return f"For {what} no over-dispersion can be estimated from the pinned counts. {why_not_made(main)} {ranges_text(dispersion, measure)}".strip()
    raw = _row(dispersion, measure, "not_winsorised")
    part = _part(positions, measure, MAIN_ANALYSIS)
    ids = [d for d in str(main["winsorised"]).split(";") if d and d != "nan"]
    pulled = _labels(part.set_index("document_id").loc[ids].reset_index()) if ids else []
    level = float(main["winsor_level"])
    pulled_text = (
        f" at {level_text(level)} (pulling in the z-scores of {join_words(pulled)})"
        if pulled
        else f" at {level_text(level)} (which changes no z-score here)"
    )
    p_raw = float(main["p_unwinsorised"])
    tested = (
        f"have squares summing to {float(raw['statistic']):.1f} on {int(main['df'])} degrees of freedom"
        if _made(raw)
        else f"are tested on {int(main['df'])} degrees of freedom"
    )
    left = int(main["forces_left_out"])
    left_words = f" ({forces_phrase(left)} whose counts are ranges left out)" if left else ""
    text = (
        f"For {what}, the z-scores of the {int(main['forces'])} other forces whose counts are pinned{left_words}, not Winsorised, {tested} "
        f"({p_text(p_raw)}): {spread_beyond_chance(p_raw)}. To estimate the spread, the z-scores are Winsorised{pulled_text}; that gives "
        f"a dispersion statistic φ of {float(main['phi']):.2f}. {_limits_words(float(main['phi']), float(main['tau2']))} "
        f"{tau2_interval_words(float(main['tau2_low']), float(main['tau2_high']), int(main['forces']))}"
    )
    if _made(raw):
        text += f" Without Winsorisation φ would be {float(raw['phi']):.2f} and τ² {float(raw['tau2']):.2g}; "
        changes = winsorisation_changes(positions, measure)
        if not changes:
            text += "no force would change band under either kind of over-dispersed limit."
        else:
            text += _changes_words(changes)
            moved = {label for labels, _ in changes for label in labels}
            if pulled and moved == set(pulled):
                text += (
                    ". The forces whose band depends on Winsorisation are exactly the ones it pulls in: left as they are, "
                    "their own distance from the others widens the limits they are judged against"
                )
            text += "."
    ranges = ranges_text(dispersion, measure)
    return f"{text} {ranges}" if ranges else text


def chance_outside_text(positions: pd.DataFrame, analysis: str = MAIN_ANALYSIS) -> str:
    """How many pinned points of every funnel lie outside the inner limits for chance alone, against how many chance alone would put there;
    which lie beyond the outer limits (the only ones flagged); and how many points' place depends on counts left open.
    """
    part = positions.loc[positions["analysis"].eq(analysis) & ~_flag(positions["is_gwent"])]
    if part.empty:
        return ""
    pinned = part.loc[_flag(part["pinned"])]
    ranged = part.loc[~_flag(part["pinned"])]
    points = len(pinned)
    outside = int(pinned["position_binomial"].ne("within_95").sum())
    beyond = pinned.loc[pinned["position_binomial"].isin(["above_99.8", "below_99.8"])]
    expected = points * (1 - FUNNEL_LEVELS[0])
    names = [
        f"{_label(f, y)} (share graded {as_text(m)})" for f, y, m in zip(beyond["force"], beyond["year"], beyond["measure"], strict=True)
    ]
    flagged = (
        f"{join_words(names)} {'lies' if len(names) == 1 else 'lie'} beyond the {OUTER} limits and {'is' if len(names) == 1 else 'are'} flagged"
        if names
        else f"no pinned point lies beyond the {OUTER} limits, so none is flagged"
    )
    text = (
        f"Of the {counted(points, 'point')} the other forces' pinned counts make on the funnels, {outside or 'none'} {'lies' if outside <= 1 else 'lie'} "
        f"outside the {INNER} limits for chance alone, where chance alone would put about {expected:.1f}; forces are flagged only beyond the "
        f"{OUTER} limits, and {flagged}."
    )
    if len(ranged):
        spans = int(ranged["position_binomial"].eq(DEPENDS).sum())
        could = "could lie inside or outside the limits depending on the count"
        if len(ranged) == 1:
            tail = f"it {could}" if spans else "its place is the same at every count"
        else:
            tail = f"{'all' if spans == len(ranged) else spans} of them {could}" if spans else "each is in the same place at every count"
        text += (
            f" {counted(len(ranged), 'more point').capitalize()} {'comes' if len(ranged) == 1 else 'come'} from counts the figures leave as "
            f"ranges; {tail}."
        )
    return text


def secondary_sensitivity_text(dispersion: pd.DataFrame, positions: pd.DataFrame, measure: str) -> str:
    """What the run without the figures known only from secondary coverage shows for ``measure``'s funnel, or why it shows nothing."""
    row = _row(dispersion, measure, "without_secondary_sources")
    what = f"the share graded {as_text(measure)}"
    if not _made(row):
        return f"A run without the figures known only from secondary coverage cannot be made for {what}. {why_not_made(row)}"
    rest = outside_text(positions, measure, "without_secondary_sources")
    return (
        f"Without the figures known only from secondary coverage ({forces_phrase(int(row['forces_left_out']))} left out, "
        f"{forces_phrase(int(row['forces']))} kept), {rest[0].lower()}{rest[1:]}"
    )


def secondary_summary(dispersion: pd.DataFrame, positions: pd.DataFrame) -> str:
    """:func:`secondary_sensitivity_text` for every funnel, said once when no funnel's run can be made, for the same reason."""
    rows = [_row(dispersion, m, "without_secondary_sources") for m in FUNNEL_MEASURES]
    notes = list(dict.fromkeys(why_not_made(r) for r in rows if not _made(r)))
    if len(notes) == 1 and not any(_made(r) for r in rows):
        every = "either funnel" if len(rows) == 2 else "any funnel"
        return f"A run without the figures known only from secondary coverage cannot be made on {every}, for the same reason. {notes[0]}"
    return " ".join(secondary_sensitivity_text(dispersion, positions, m) for m in FUNNEL_MEASURES)


def _compared_row(part: pd.DataFrame) -> pd.Series | None:
    me = part.loc[_flag(part["is_gwent"])]
    return None if me.empty else me.iloc[0]


def compared_where(me: pd.Series) -> str:
    """Where the compared document lies under each kind of limit, kinds with the same place named together."""
    groups: dict[str, list[str]] = {}
    for kind in LIMIT_KINDS:
        p, lo, hi = (str(me[f"position_{kind}{s}"]) for s in ("", "_low", "_high"))
        groups.setdefault(place_range(lo, hi) if p == DEPENDS else POSITION_WORDS[p], []).append(kind)
    if len(groups) == 1:
        ((words, kinds),) = groups.items()
        return f"{words} under each of the {number_word(len(kinds))} kinds of limit"
    return "; ".join(f"{w} under the {join_words([LIMIT_KINDS[k] for k in ks])}" for w, ks in groups.items())


def compared_verdict(positions: pd.DataFrame, dispersion: pd.DataFrame, measure: str) -> str:
    """Where the force compared lies on ``measure``'s funnel under each kind of limit, and what lying inside does and does not mean.

    Inside the limits means the audits cannot tell its share apart from the pooled share of the
    others; it does not mean the force is the same as them, and the sentence says how wide the
    additive limits are at its number of cases. Empty when the compared force is not on the funnel.
    """
    part = _part(positions, measure)
    me = _compared_row(part)
    if me is None:
        return ""
    row = _row(dispersion, measure, MAIN_ANALYSIS)
    name = as_text(short_force(str(me["force"])))
    lo_c, hi_c = int(me["count_low"]), int(me["count_high"])
    counts = count_share(lo_c, int(me["n"])) if lo_c == hi_c and pd.notna(me["n"]) else f"{lo_c} to {hi_c} cases"
    text = f"{name}'s share graded {as_text(measure)}, {counts}, lies {compared_where(me)}."
    places = {str(me[f"position_{k}"]) for k in LIMIT_KINDS}
    if places == {"within_95"} and _made(row) and pd.notna(me["n"]):
        n, target = int(me["n"]), float(row["target"])
        (lo,), (hi,) = funnel_limits_at(target, n, FUNNEL_LEVELS[0], tau2=float(row["tau2"]), scale=str(row["scale"]))
        text += (
            f" Inside the limits means that these audits cannot tell its share apart from the other forces' pooled {percent(target)}; it does "
            f"not mean that {name} is the same as them: at {n} cases the additive {INNER} limits run from {percent(lo)} to {percent(hi)}, "
            "and any share in that band would lie inside them."
        )
    elif "within_95" not in places and DEPENDS not in places:
        beyond = "chance alone" if not _made(row) or float(row["tau2"]) == 0 else "chance and the estimated spread between forces"
        text += f" Lying outside says the difference is larger than {beyond} would give; it does not say why."
    return text


def funnel_headline(positions: pd.DataFrame) -> str:
    """The home page's sentence on the funnels: where the compared force lies on each under each kind of limit, and who else lies outside.

    Empty when the compared force is on no funnel.
    """
    main = positions.loc[positions["analysis"].eq(MAIN_ANALYSIS)]
    rows = {m: _compared_row(main.loc[main["measure"].eq(m)]) for m in FUNNEL_MEASURES}
    rows = {m: r for m, r in rows.items() if r is not None}
    if not rows:
        return ""
    name = as_text(short_force(str(next(iter(rows.values()))["force"])))
    every = {str(r[f"position_{k}"]) for r in rows.values() for k in LIMIT_KINDS}
    shares = join_words([f"graded {as_text(m)}" for m in rows])
    if every == {"within_95"}:
        verdict = (
            f"lie inside the {INNER} limits of {'both funnels' if len(rows) == 2 else 'the funnel'} under each of the "
            f"{number_word(len(LIMIT_KINDS))} kinds of limit: those for chance alone ({LIMIT_KINDS['binomial']}) and those that also "
            f"allow for real differences between forces ({LIMIT_KINDS['additive']}, and {LIMIT_KINDS['multiplicative']}). Inside the "
            f"limits does not show that {name} is the same as the forces compared, only that these audits cannot tell it apart from them"
        )
    else:
        verdict = "lie as follows: " + "; ".join(f"graded {as_text(m)}, {compared_where(r)}" for m, r in rows.items())
    outside = "; ".join(f"for the share graded {as_text(m)}, {outside_phrase(main.loc[main['measure'].eq(m)], detail=False)}" for m in rows)
    return f"On the funnels, {name}'s shares of cases {shares} {verdict}. Outside the {INNER} limits: {outside}."


def methods_summary(dispersion: pd.DataFrame, positions: pd.DataFrame) -> str:
    """The Methods page's sentences on the over-dispersed funnels: the estimates, who lies outside, the ranges and the run without secondary sources."""
    parts = []
    for m in FUNNEL_MEASURES:
        row = _row(dispersion, m, MAIN_ANALYSIS)
        what = f"the share graded {as_text(m)}"
        if not _made(row):
            parts.append(f"For {what} no over-dispersion can be estimated from the pinned counts. {why_not_made(row)}")
            continue
        changes = winsorisation_changes(positions, m) if _made(_row(dispersion, m, "not_winsorised")) else {}
        parts.append(
            f"For {what}, the test of over-dispersion on the z-scores not Winsorised gives {p_text(float(row['p_unwinsorised']))}; "
            f"φ is {float(row['phi']):.2f} and τ² {float(row['tau2']):.2g} ({LEVEL} interval {float(row['tau2_low']):.2g} to "
            f"{float(row['tau2_high']):.2g}); outside the {INNER} limits, {outside_phrase(_part(positions, m))}"
            + (f"; without Winsorisation {_changes_words(changes, then='')}." if changes else "; Winsorisation changes no force's band.")
        )
        if ranges := ranges_text(dispersion, m):
            parts.append(ranges)
    return " ".join(p for p in [*parts, chance_outside_text(positions), secondary_summary(dispersion, positions)] if p)


def dispersion_display(dispersion: pd.DataFrame) -> pd.DataFrame:
    """Display table of ``funnel_dispersion.csv``: funnel, analysis in words, forces used, φ, the calibrated test, τ² with its interval.

    The test is the one on the z-scores not Winsorised (``p_unwinsorised``; for the pinned-count analyses
    its statistic is the ``not_winsorised`` row's); a dash where a run cannot be made.
    """

    def num(value, fmt: str) -> str:
        return "–" if pd.isna(value) else format(float(value), fmt)

    raw = dispersion.loc[dispersion["analysis"].eq("not_winsorised")].set_index("measure")["statistic"]
    raw_statistic = [
        raw.get(m, np.nan) if a in ("all_sources", "not_winsorised") else np.nan
        for m, a in zip(dispersion["measure"], dispersion["analysis"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Share graded": dispersion["measure"].map(as_text),
            "Analysis": dispersion["analysis"].map(lambda a: ANALYSIS_WORDS.get(str(a), as_text(a))),
            "Other forces": dispersion["forces"].astype(int),
            "φ": [num(v, ".2f") for v in dispersion["phi"]],
            "Test statistic (df)": [
                "–" if pd.isna(s) or pd.isna(d) else f"{float(s):.1f} ({int(d)})"
                for s, d in zip(raw_statistic, dispersion["df"], strict=True)
            ],
            "p": ["–" if pd.isna(p) else p_text(float(p)).removeprefix("p = ").removeprefix("p ") for p in dispersion["p_unwinsorised"]],
            "τ²": [num(v, ".2g") for v in dispersion["tau2"]],
            f"τ² {LEVEL} interval": [
                "–" if pd.isna(lo) else f"{float(lo):.2g} to {float(hi):.2g}"
                for lo, hi in zip(dispersion["tau2_low"], dispersion["tau2_high"], strict=True)
            ],
        }
    ).reset_index(drop=True)
