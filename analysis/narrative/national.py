"""Every sentence on the national panel: the documents, the force-versus-inspector pairs, the re-inspections and the home page's "Beside other forces".

Published tables in (``national_panel.csv``, ``national_pairs.csv``, ``national_changes.csv``), sentences out.
Each sentence is built from both ends of what it describes (``low`` and ``high``, and whether they differ);
a direction word ("rose", "fell", "higher", "more agreement than chance") is given only when both ends of
the range it rests on agree (:func:`analysis.words.direction`), and every word from a package (a force's
name, a reason) goes through :func:`analysis.text.as_text`.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.choices import CONFIDENCE
from analysis.plots.national import document_shares, pooled_share, short_force
from analysis.text import as_text, count_share, join_words, long_date, long_month, number_word, percent
from analysis.words import change_words, counted, direction, span, tables_fit

#: The level of every interval named in these sentences, as printed ("95%").
LEVEL = f"{CONFIDENCE:.0%}"

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
        if rows["of"].isna().all():
            kind = "percentages only, number of cases not printed"
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
    through :func:`analysis.text.as_text`); with four columns it stacks on a phone (``styles.css``).
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
    """A range from both ends (:func:`analysis.words.span`), "from ... to ...", or one value when both ends show alike."""
    return span(low, high, show, joiner="to")


def kappa_direction(low: float, high: float) -> str:
    """What a kappa range says about chance, from both ends: above chance, below chance, or a range that includes chance-level agreement."""
    word = direction(low, high, "more agreement than chance alone would give", "less agreement than chance alone would give")
    return word or "a range that includes chance-level agreement (zero)"


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
        parts.append(f"the force and the inspectors gave the same grade to {range_text(float(lo), float(hi), percent)} of the cases")
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
    when both ends of the change agree (:func:`analysis.words.direction`). ``before`` and ``after``
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


def beside_other_forces(panel: pd.DataFrame, pairs: pd.DataFrame, changes: pd.DataFrame, compared: str) -> str:
    """The home page's "Beside other forces" paragraph, from ``national_panel.csv``, ``national_pairs.csv`` and ``national_changes.csv``.

    What the panel holds (documents, forces, years, how many are used, partly used or not usable), where
    the compared audit's shares inadequate and good lie against the pooled share of the other
    inspections, how many other documents publish a force-versus-inspector pair, and how the
    re-inspections changed; every count and verdict word is computed from the tables.
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
    return held + against + pair_words + change_words + " The documents found are not a complete or random set of forces."
