"""The national panel's tables: every document's count ranges and shares, the force-versus-inspector pairs, the re-inspections.

Tables only (the sentences about them live in ``analysis/narrative/national.py``, the words the tables carry in
``analysis/narrative/panel.py``). The members come from :func:`analysis.data.panel.read_panel`: every audit package
of a folder through the gate in, figures that contradict each other kept as readings whose ranges are united here.
The published ``national_panel.csv`` is read back here too, for the chart and the sentences (:func:`document_shares`,
:func:`pooled_share`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.choices import CONFIDENCE
from analysis.data.audit_package import SAMPLES as FIGURE_SAMPLES
from analysis.data.load import AuditData
from analysis.data.panel import NOT_USABLE, USED, Member, Panel, national_folder, read_panel
from analysis.data.publish import Stage, TableSpec
from analysis.narrative import panel as words
from analysis.narrative.panel import NO_COUNT_REASON, NO_PANEL_REASON
from analysis.narrative.style import change_words
from analysis.stats.proportions import proportion_interval

RATERS = ("force", "inspectorate")

#: The columns of ``national_panel.csv``, exactly and in this order (issue 25).
PANEL_COLUMNS: dict[str, str] = {
    "audit_id": "The document's id: its package's folder name (in the project's panel, a folder under data/raw/national, or the id of "
    "the project's own audit, read from data/raw).",
    "force": "The police force, as the package's audit.json names it.",
    "published": "Publication date as far as the sources state it (YYYY-MM-DD, YYYY-MM or YYYY).",
    "document_type": "inspection, post-inspection review, post-inspection quarterly update or thematic aggregate (from the document's title).",
    "sample": "all (every case the inspectors graded), force_selected or inspectorate_selected.",
    "rater": "Who graded the cases: force (its own grading of the cases it selected) or inspectorate.",
    "grade": "A grade of the document's own scale (best first), or, for a printed percentage of a sample of unknown size, "
    "the grade(s) it names joined by ' or '.",
    "low": "Fewest cases of this grade over every set of counts the document's figures allow (over every reading, when sources disagree); "
    "empty when no count is known (no number of cases printed, or figures not usable).",
    "high": "Most cases of this grade, likewise.",
    "of": "The number of cases of the sample; empty when the document prints none, or when its sources print different numbers "
    "(the reason then says which rows give which).",
    "share_low": "Smallest share of the sample in this grade (low over of, the smallest over the readings); for a printed percentage of a "
    "sample of unknown size, the lowest share that rounds to it.",
    "share_high": "Largest share, likewise (the highest share that rounds to a printed percentage).",
    "ci_low": words.panel_interval_column(CONFIDENCE),
    "ci_high": "Upper end of that union; empty without a count.",
    "status": "used (every figure of the document holds together), partly_used (some figures contradict others: the ranges are the union "
    "over the readings, or these cases are read without the figures set aside) or not_usable (this sample's figures cannot be used).",
    "reason": "Why the row is partly used or not usable, naming the rows of the package's figures.csv that conflict; for a percentage "
    "of a sample of unknown size, why it has no count or interval.",
}

PANEL_SPEC = TableSpec(
    "national_panel.csv",
    "Every published case audit of the national child protection inspection programme: count ranges, shares and intervals",
    "One row per document, sample, rater and grade: the exact range of the count the document's published figures allow, the share and "
    "the union of exact intervals over that range, read from one audit package per document (in the project's panel, "
    "data/raw/national/<id>/ and the project's own audit from data/raw) through the same checks as any package.",
    PANEL_COLUMNS,
    (
        "Practice areas (sub-samples a source names) are not in the panel; each document's area figures stay in its package.",
        "Where sources disagree, the ranges are the union over the readings that leave out one row of each set of rows that cannot hold "
        "together; where one source contradicts itself, those cases are not usable (data/raw/national/README.md).",
    ),
)


def _group_key(group: tuple[str, str, str]) -> tuple[int, int]:
    return FIGURE_SAMPLES.index(group[0]), RATERS.index(group[1])


def _half_unit(printed: str) -> float:
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0**-decimals


def member_rows(m: Member) -> list[tuple]:
    """The rows of ``national_panel.csv`` for one member, in sample, rater and grade order."""
    alpha = 1 - CONFIDENCE
    head = (m.id, m.meta.force, m.meta.published, m.document_type)
    status, reason = m.status, m.reason()
    unusable = {u.group: u for u in m.unusable}
    out = []
    for group in sorted((g for g in m.groups() if not g[2]), key=_group_key):
        readings = m.per_reading(group)
        if not readings:
            u = unusable[group]
            for grade in m.meta.grades:
                out.append((*head, group[0], group[1], grade, None, None, u.of, np.nan, np.nan, np.nan, np.nan, NOT_USABLE, u.reason))
            continue
        sizes = sorted({of for _, of in readings})
        for i, grade in enumerate(m.meta.grades):
            lows = np.array([r[i, 0] for r, _ in readings])
            highs = np.array([r[i, 1] for r, _ in readings])
            ofs = np.array([of for _, of in readings])
            ci_low = proportion_interval(lows, ofs, method="exact", alpha=alpha)[0].min()
            ci_high = proportion_interval(highs, ofs, method="exact", alpha=alpha)[1].max()
            out.append(
                (
                    *head,
                    *group[:2],
                    grade,
                    int(lows.min()),
                    int(highs.max()),
                    sizes[0] if len(sizes) == 1 else None,
                    float((lows / ofs).min()),
                    float((highs / ofs).max()),
                    float(ci_low),
                    float(ci_high),
                    status,
                    reason,
                )
            )
    for f in sorted(m.shares, key=lambda f: (_group_key(f.group), f.row)):
        if f.area:
            continue
        half = _half_unit(f.printed)
        share = float(f.printed)
        grade = " or ".join(m.meta.grades[i] for i in f.grades)
        low, high = max(share - half, 0.0) / 100, min(share + half, 100.0) / 100
        out.append((*head, f.sample, f.rater, grade, None, None, None, low, high, np.nan, np.nan, status, reason or NO_COUNT_REASON))
    if not out:  # only practice areas (sub-samples) are printed: the document is listed, its figures stay in its package
        areas = sorted({(f.area, f.of) for r in m.readings for f in (*r.figures, *r.shares) if f.area})
        why = words.areas_only_reason(areas)
        for grade in m.meta.grades:
            out.append((*head, "all", "inspectorate", grade, None, None, None, np.nan, np.nan, np.nan, np.nan, NOT_USABLE, why))
    return out


def panel_table(panel: Panel) -> pd.DataFrame:
    """``national_panel.csv``: every member's rows (:func:`member_rows`), members by publication date then id."""
    rows = [row for m in panel.members for row in member_rows(m)]
    frame = pd.DataFrame(rows, columns=list(PANEL_COLUMNS))
    frame = frame.astype({"low": "Int64", "high": "Int64", "of": "Int64"})
    for col in ("share_low", "share_high", "ci_low", "ci_high"):
        frame[col] = frame[col].astype(float)
    frame["reason"] = frame["reason"].fillna("")
    return frame


# --------------------------------------------------------------------------- the force-versus-inspector pairs

#: The pair quantities of ``national_pairs.csv`` (names as in ``identified.csv``), each given as ``<name>_low, <name>_high``.
PAIR_QUANTITIES: dict[str, str] = {
    "percent_agreement": "share of the cases that the force and the inspectors graded the same",
    "cohen_kappa": "Cohen's kappa",
    "weighted_kappa_linear": "weighted kappa with linear disagreement weights",
    "weighted_kappa_quadratic": "weighted kappa with quadratic disagreement weights",
    "n_force_better": "number of cases the force graded better than the inspectors did",
}

PAIR_COLUMNS: dict[str, str] = {
    "audit_id": PANEL_COLUMNS["audit_id"],
    "force": PANEL_COLUMNS["force"],
    "published": PANEL_COLUMNS["published"],
    "n": "Number of force-selected cases graded by both the force and the inspectors.",
    **{f"{q}_{end}": words.pair_bound_column(end, what) for q, what in PAIR_QUANTITIES.items() for end in ("low", "high")},
    "n_tables": "Number of consistent tables when they were listed one by one (empty when too many to list: the ranges then come from closed forms).",
    "method": "How the ranges were computed (stats/pair_bounds.py), as its method text for Cohen's kappa, with the number of readings.",
    "status": PANEL_COLUMNS["status"],
    "reason": PANEL_COLUMNS["reason"],
}

PAIRS_SPEC = TableSpec(
    "national_pairs.csv",
    "Force against inspectors: agreement on the same cases, for every document that publishes both gradings",
    "One row per document that gives the force's own grading and the inspectors' grading of the same force-selected cases: the exact "
    "range, over every case-by-case pairing consistent with the published totals, of the share graded the same, Cohen's kappa, the "
    "linear and quadratic weighted kappas and the cases the force graded better.",
    PAIR_COLUMNS,
    (
        "Where the panel holds the project's own audit, its row equals that audit's identified.csv (and agreement_bounds.csv); each "
        "document is on its own grade scale.",
    ),
)


def pair_row(m: Member) -> tuple | None:
    """The ``national_pairs.csv`` row of one member, or ``None`` when no reading has both gradings of the force-selected cases."""
    from analysis.stats.pair_bounds import pair_bounds

    force, insp = ("force_selected", "force", ""), ("force_selected", "inspectorate", "")
    found, seen = [], set()
    for fs in m.readings:
        if fs.pair != (force, insp):
            continue
        f, g = fs.system.vectors(force), fs.system.vectors(insp)
        key = (f.tobytes(), f.shape, g.tobytes(), g.shape)
        if key in seen:  # another reading with the same totals for the pair: the same tables
            continue
        seen.add(key)
        bounds = pair_bounds(f, g, labels=list(m.meta.grades), confidence=CONFIDENCE)
        found.append((bounds.set_index("quantity"), bounds.attrs["n_tables"], fs.groups[force]))
    if not found:
        return None
    values = []
    for q in PAIR_QUANTITIES:
        lows = [b.loc[q, "low"] for b, _, _ in found]
        highs = [b.loc[q, "high"] for b, _, _ in found]
        values += [
            float(np.nanmin(lows)) if not np.isnan(lows).all() else np.nan,
            float(np.nanmax(highs)) if not np.isnan(highs).all() else np.nan,
        ]
    tables = {t for _, t, _ in found}
    n_tables = tables.pop() if len(tables) == 1 else None  # the readings share the pair's figures, or the count is not one number
    method = found[0][0].loc["cohen_kappa", "method"]
    if len(found) > 1:
        method = words.union_method(len(found), method)
    ns = sorted({n for _, _, n in found})
    return (
        m.id,
        m.meta.force,
        m.meta.published,
        ns[0] if len(ns) == 1 else None,
        *values,
        n_tables,
        method,
        m.status,
        m.reason(),
    )


def pairs_table(panel: Panel) -> pd.DataFrame:
    """``national_pairs.csv``: one row per member with a force-versus-inspector pair (:func:`pair_row`)."""
    rows = [r for m in panel.members if (r := pair_row(m)) is not None]
    frame = pd.DataFrame(rows, columns=list(PAIR_COLUMNS))
    frame = frame.astype({"n": "Int64", "n_force_better_low": "Int64", "n_force_better_high": "Int64", "n_tables": "Int64"})
    return frame


# --------------------------------------------------------------------------- re-inspections

#: The grades whose share is compared between an inspection and its follow-up: (column prefix, grade name).
CHANGE_GRADES: tuple[tuple[str, str], ...] = (("inadequate", "inadequate"), ("good", "good"))

#: The group of cases compared: every case the inspectors graded.
CHANGE_GROUP = ("all", "inspectorate", "")

CHANGE_COLUMNS: dict[str, str] = {
    "force": PANEL_COLUMNS["force"],
    "first_id": "The earlier document (an inspection, or an earlier update).",
    "second_id": "The later document of the same force (its post-inspection review or a later update).",
    "first_published": "Publication date of the earlier document.",
    "second_published": "Publication date of the later document.",
    "second_type": "What the later document is (as document_type in national_panel.csv).",
    **{f"{prefix}_{suffix}": text for prefix, grade in CHANGE_GRADES for suffix, text in words.change_columns(grade, CONFIDENCE).items()},
    "reason": "Why an interval is missing, or which figures of either document conflict (as in national_panel.csv).",
}

CHANGES_SPEC = TableSpec(
    "national_changes.csv",
    "Re-inspections: how the share of cases graded inadequate and good changed between a force's inspection and its follow-up",
    "One row per pair of consecutive documents of the same force in the panel (an inspection and its post-inspection review, or "
    "consecutive quarterly updates): the change in the share of all audited cases graded inadequate and good, as a range over the "
    "counts each document allows, with Newcombe's hybrid score interval (Newcombe 1998, Statistics in Medicine 17:873-890, method 10) "
    "united over those counts.",
    CHANGE_COLUMNS,
    (
        "The two documents' cases are different cases chosen at different times, so the interval treats them as independent samples; "
        "it describes the audited cases, not every case of the force.",
    ),
)


def _side(m: Member, grade: str) -> list[tuple[int, int, int]] | None:
    """For each reading of ``m`` with all cases: ``(low, high, of)`` of ``grade``; ``None`` when no reading gives the count."""
    i = m.meta.grades.index(grade)
    found = [(int(r[i, 0]), int(r[i, 1]), of) for r, of in m.per_reading(CHANGE_GROUP)]
    return found or None


def _printed_share(m: Member, grade: str) -> tuple[float, float] | None:
    """The share of ``grade`` among all cases as printed by a percent-only document (rounding range), if it prints one."""
    i = m.meta.grades.index(grade)
    for f in m.shares:
        if f.group == CHANGE_GROUP and f.grades == (i,):
            half = _half_unit(f.printed)
            return max(float(f.printed) - half, 0.0) / 100, min(float(f.printed) + half, 100.0) / 100
    return None


def change_cells(first: Member, second: Member, grade: str) -> tuple[float, float, float, float, str | None, str]:
    """``(low, high, ci_low, ci_high, words, why_no_interval)`` of the change in the share of ``grade`` from ``first`` to ``second``."""
    from analysis.stats.proportions import newcombe_difference_intervals

    a, b = _side(first, grade), _side(second, grade)
    if a is not None and b is not None:
        lows, highs = [], []
        ci_lows, ci_highs = [], []
        for lo1, hi1, n1 in a:
            for lo2, hi2, n2 in b:
                c1 = np.arange(lo1, hi1 + 1)
                c2 = np.arange(lo2, hi2 + 1)
                x2, x1 = np.meshgrid(c2, c1)
                low, high = newcombe_difference_intervals(x2.ravel(), n2, x1.ravel(), n1, alpha=1 - CONFIDENCE)
                ci_lows.append(low.min())
                ci_highs.append(high.max())
                lows.append(lo2 / n2 - hi1 / n1)
                highs.append(hi2 / n2 - lo1 / n1)
        ci_low, ci_high = float(min(ci_lows)), float(max(ci_highs))
        return float(min(lows)), float(max(highs)), ci_low, ci_high, change_words(ci_low, ci_high), ""
    shares = []
    for m, side in ((first, a), (second, b)):
        if side is not None:
            shares.append((min(lo / of for lo, _, of in side), max(hi / of for _, hi, of in side)))
        else:
            shares.append(_printed_share(m, grade))
    missing = [m.id for m, side in ((first, a), (second, b)) if side is None]
    why = words.no_count_change_reason(missing, grade)
    if None in shares:
        absent = [m.id for m, sh in zip((first, second), shares, strict=True) if sh is None]
        return (
            np.nan,
            np.nan,
            np.nan,
            np.nan,
            None,
            words.no_share_change_reason(absent, grade),
        )
    (l1, h1), (l2, h2) = shares
    return l2 - h1, h2 - l1, np.nan, np.nan, None, why


def reinspection_pairs(panel: Panel) -> list[tuple[Member, Member]]:
    """Consecutive documents of the same force (by publication date), the thematic aggregate left out."""
    by_force: dict[str, list[Member]] = {}
    for m in panel.members:
        if m.document_type != "thematic aggregate":
            by_force.setdefault(m.meta.force, []).append(m)
    out = []
    for members in by_force.values():
        members = sorted(members, key=lambda m: (m.meta.published, m.id))
        out += list(zip(members, members[1:], strict=False))
    return sorted(out, key=lambda p: (p[0].meta.force, p[0].meta.published))


def changes_table(panel: Panel) -> pd.DataFrame:
    """``national_changes.csv``: one row per re-inspection pair (:func:`reinspection_pairs`)."""
    rows = []
    for first, second in reinspection_pairs(panel):
        cells, why = [], []
        for _, grade in CHANGE_GRADES:
            low, high, ci_low, ci_high, word, reason = change_cells(first, second, grade)
            cells += [low, high, ci_low, ci_high, word]
            if reason and reason not in why:
                why.append(reason)
        for m in (first, second):
            if m.status != USED:
                why.append(f"{m.id}: {m.reason()}")
        rows.append(
            (
                first.meta.force,
                first.id,
                second.id,
                first.meta.published,
                second.meta.published,
                second.document_type,
                *cells,
                "; ".join(why),
            )
        )
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    for prefix, _ in CHANGE_GRADES:
        for end in ("low", "high", "ci_low", "ci_high"):
            frame[f"{prefix}_{end}"] = frame[f"{prefix}_{end}"].astype(float)
        frame[f"{prefix}_words"] = frame[f"{prefix}_words"].fillna("")
    return frame


# --------------------------------------------------------------------------- national_panel.csv read back: each document's share of a grade

#: The figures a document's row on the chart shows: every audited case, graded by the inspectors.
OVERALL_SAMPLE, OVERALL_RATER = "all", "inspectorate"
#: Words a force's name may end with that a row label leaves out ("Dorset Police" reads "Dorset").
FORCE_SUFFIXES: tuple[str, ...] = (" Police Service", " Police", " Constabulary")
#: Short reasons shown in place of a bar (the table under the chart gives each document's full reason).
NO_FIGURE, NOT_DRAWN_UNUSABLE, NO_SHARE = "no figure", "not usable", "no share"


def short_force(name: str) -> str:
    """A force's name without the words every force shares (:data:`FORCE_SUFFIXES`): ``"Dorset Police"`` -> ``"Dorset"``.

    A name with a gloss after " - " or " (" keeps only what comes before it, so that a row label fits beside the chart.
    """
    for mark in (" - ", " ("):
        if mark in name[1:]:
            name = name[: name.index(mark, 1)]
    for suffix in FORCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def document_labels(docs: pd.DataFrame) -> list[str]:
    """A row label per document (``force``, ``published``): the short force name and the year, or the month where two would read alike."""
    year = [f"{short_force(str(f))} {str(p)[:4]}" for f, p in zip(docs["force"], docs["published"], strict=True)]
    month = [f"{short_force(str(f))} {str(p)[:7]}" for f, p in zip(docs["force"], docs["published"], strict=True)]
    seen = pd.Series(year).duplicated(keep=False).tolist()
    labels = [m if twice else y for y, m, twice in zip(year, month, seen, strict=True)]
    return [
        f"{label} ({i})" if twice else label
        for i, (label, twice) in enumerate(zip(labels, pd.Series(labels).duplicated(keep=False), strict=True), 1)
    ]


def _overall(panel: pd.DataFrame) -> pd.DataFrame:
    return panel.loc[panel["sample"].eq(OVERALL_SAMPLE) & panel["rater"].eq(OVERALL_RATER)]


def document_shares(panel: pd.DataFrame, grade: str, compared: str) -> pd.DataFrame:
    """One row per document of ``national_panel.csv``, ordered by date: its share graded ``grade`` over every audited case, or why none is drawn.

    Columns: ``audit_id``, ``force``, ``published``, ``document_type``, ``label`` (:func:`document_labels`),
    ``is_compared`` (the document ``compared``, the project's own audit), ``low``, ``high``, ``of``,
    ``share_low``, ``share_high``, ``ci_low``, ``ci_high`` and ``note``: empty when the share is drawn,
    else :data:`NO_FIGURE` (the document has no row for the grade among all audited cases graded by
    the inspectors), :data:`NOT_DRAWN_UNUSABLE` (its row's status is ``not_usable``) or :data:`NO_SHARE`
    (the row has no share, for example when the number of cases is not printed). Every document is
    kept: none is dropped because it has no figure.
    """
    docs = panel.drop_duplicates("audit_id")[["audit_id", "force", "published", "document_type"]]
    docs = docs.sort_values(["published", "audit_id"], kind="stable").reset_index(drop=True)
    rows = _overall(panel).loc[lambda f: f["grade"].eq(grade)].drop_duplicates("audit_id").set_index("audit_id")
    cols = ["low", "high", "of", "share_low", "share_high", "ci_low", "ci_high", "status"]
    out = docs.join(rows[cols], on="audit_id")
    out.insert(4, "label", document_labels(docs))
    out.insert(5, "is_compared", out["audit_id"].eq(compared))
    usable = out["status"].notna() & out["status"].ne("not_usable")
    drawn = usable & out["share_low"].notna() & out["share_high"].notna()
    out["note"] = np.select(
        [out["status"].isna(), out["status"].eq("not_usable"), ~drawn], [NO_FIGURE, NOT_DRAWN_UNUSABLE, NO_SHARE], default=""
    )
    return out.drop(columns="status")


def pooled_share(panel: pd.DataFrame, grade: str, compared: str) -> tuple[float, int] | None:
    """The programme's pooled share graded ``grade`` and the number of documents it pools, or None when none qualifies.

    Pooled over the other documents' full inspections (``document_type`` ``inspection``, the compared
    audit left out, as the funnels leave it out) whose count of ``grade`` among all audited cases is
    pinned to one value (``low == high``), whose number of cases is printed, whose row is usable, and
    whose grade scale is the compared audit's (the same grades in the panel), so that a share good on
    the 2014-15 scale (good, adequate, inadequate) is never pooled with one on the later scale.
    """
    overall = _overall(panel)
    scales = overall.groupby("audit_id")["grade"].agg(lambda g: frozenset(g.astype(str)))
    if compared not in scales.index:
        return None
    same = scales.index[scales.eq(scales[compared])]
    rows = overall.loc[
        overall["grade"].eq(grade)
        & overall["audit_id"].isin(same)
        & overall["audit_id"].ne(compared)
        & overall["document_type"].eq("inspection")
        & overall["status"].ne("not_usable")
        & overall["of"].notna()
        & overall["low"].notna()
        & overall["low"].eq(overall["high"])
    ].drop_duplicates("audit_id")
    if rows.empty:
        return None
    return float(rows["low"].sum() / rows["of"].sum()), len(rows)


# --------------------------------------------------------------------------- the pipeline stage

_LAST: list = []  # the last (data, panel) pair: the panel and national stages of one build read the packages once


def panel_for(data: AuditData) -> Panel | None:
    """The panel of the packages in ``data``'s ``national/`` folder with ``data`` itself as a member; ``None`` without the folder."""
    if _LAST and _LAST[0] is data:
        return _LAST[1]
    folder = national_folder(data)
    panel = None if folder is None else read_panel(folder, project=data)
    _LAST[:] = [data, panel]
    return panel


def panel_tables(panel: Panel) -> dict[str, pd.DataFrame]:
    """The three panel tables of ``panel``, by file name."""
    return {PANEL_SPEC.path: panel_table(panel), PAIRS_SPEC.path: pairs_table(panel), CHANGES_SPEC.path: changes_table(panel)}


SPECS: tuple[TableSpec, ...] = (PANEL_SPEC, PAIRS_SPEC, CHANGES_SPEC)


def _stage_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    panel = panel_for(data)
    if panel is None:
        return {spec.path: NO_PANEL_REASON for spec in SPECS}
    return panel_tables(panel)


STAGE = Stage(name="panel", build=_stage_tables, specs=lambda data: SPECS)


__all__ = [
    "STAGE",
    "CHANGES_SPEC",
    "PAIRS_SPEC",
    "PANEL_COLUMNS",
    "PANEL_SPEC",
    "changes_table",
    "member_rows",
    "pair_row",
    "pairs_table",
    "panel_table",
]
