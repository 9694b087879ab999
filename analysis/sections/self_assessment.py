"""Self-assessment against inspection: the force's grades of the cases it selected beside the inspectors' grades of the same cases.

The report publishes only each side's grade totals, so what describes these cases is a range over
all case-by-case pairings consistent with those totals (:func:`analysis.stats.agreement.agreement_bounds`).
Some quantities are the same under every pairing (*identified*): the fewest cases the force graded
better, the gap in the share graded good, the mean grade-score gap. Statements that reach beyond
these cases, to the force's grading in general, treat them as a random sample (as the report says
they were) and use the union of the per-pairing 95% intervals (:mod:`analysis.stats.identification`).
This module builds the tables and their specs; every sentence on the subject, the tables' methods,
reasons and descriptions included, is built in :mod:`analysis.narrative.self_assessment`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis import choices
from analysis.data.load import AuditData
from analysis.data.publish import Stage, TableSpec
from analysis.narrative import self_assessment as words
from analysis.narrative.self_assessment import ASSUMPTIONS, NO_PAIR, verdict
from analysis.stats.agreement import (
    LANDIS_KOCH_MEASURES,
    MEASURE_LABELS,
    agreement_bounds,
    cell_columns,
    table_measures,
    tables_of,
)
from analysis.stats.budget import OverBudget
from analysis.stats.identification import IDENTIFIED_QUANTITIES, best_gap_rows, identified_summary, same_ranking_kinder
from analysis.stats.ordinal_association import goodman_kruskal_gamma
from analysis.stats.pair_bounds import LISTING_LIMIT, CountTooLarge, count_tables, pair_bounds
from analysis.stats.probit_shift import probit_shift
from analysis.stats.sign_test_fragility import sign_test_fragility, sign_test_max_p

#: Significance level used in the plain-language verdicts on the tests.
SIGNIFICANCE = choices.ALPHA  # the analysis's choice (analysis/choices.py)


def published_margins(data: AuditData) -> tuple[np.ndarray, np.ndarray]:
    """Row (force) and column (inspectors) grade totals of the force-selected cases, best first, when the figures pin both.

    Raises ``ValueError`` if the figures give no self-assessment or leave either total open
    (then :func:`margin_sets` gives every total they allow).
    """
    force, insp = data.counts("force_selected", "force"), data.counts("force_selected", "inspectorate")
    if force is None or insp is None:
        raise ValueError("the figures do not pin both gradings of the force-selected cases")
    return force.astype(np.int64), insp.astype(np.int64)


def margin_sets(data: AuditData) -> tuple[np.ndarray, np.ndarray]:
    """Every force total and every inspectors' total of the force-selected cases that the figures allow, shape ``(m, k)`` each.

    Any pair of them is possible (the figures constrain the two gradings separately). Raises
    :class:`analysis.stats.consistent_set.TooManyVectors` when the figures allow too many to list.
    """
    system = data.figures.system
    force, insp = data.figures.pair
    return system.vectors(force), system.vectors(insp)


def kinder_kappa(tables: pd.DataFrame) -> float | None:
    """Cohen's kappa on the "same ranking, one grade kinder" pairing, if it fits the totals (``consistent_tables.csv``), else ``None``."""
    cells = [c for c in tables.columns if c.startswith("force_") and "__hmicfrs_" in c]
    k = int(round(np.sqrt(len(cells))))
    kinder = np.flatnonzero(same_ranking_kinder(tables[cells].to_numpy().reshape(len(tables), k, k)))
    return float(tables["cohen_kappa"].iloc[kinder[0]]) if len(kinder) else None


def contrast_tables(tables: pd.DataFrame) -> dict[str, np.ndarray]:
    """The 'same ranking, one grade kinder' table(s) and the least-agreeing table, by name (k x k arrays of cases).

    ``tables`` is ``consistent_tables.csv``. The kinder table is the one on which the force ranks
    the cases exactly as the inspectors do (gamma = 1) but grades every case not graded good by
    the inspectors one step better (:func:`analysis.stats.identification.same_ranking_kinder`); the
    least-agreeing table has the fewest cases graded the same (first in enumeration order).
    """
    stack = tables_of(tables)
    kinder = np.flatnonzero(same_ranking_kinder(stack))
    least = int(np.argmin(tables["n_same"].to_numpy()))
    out = {words.kinder_table_name(int(tables["table_id"].iloc[i])): stack[i] for i in kinder}
    out[words.least_agreeing_table_name(int(tables["table_id"].iloc[least]))] = stack[least]
    return out


def contrast_measures(contrast: dict[str, np.ndarray]) -> pd.DataFrame:
    """Each agreement measure and gamma on the :func:`contrast_tables`: one row per measure, one column per table."""
    names = list(contrast)
    stack = np.stack([contrast[k] for k in names])
    values = table_measures(stack)
    rows = {
        MEASURE_LABELS[m]: values[m].to_numpy() for m in ("n_same", "n_force_better", *LANDIS_KOCH_MEASURES, "krippendorff_alpha_ordinal")
    }
    rows = {"Goodman and Kruskal's gamma": np.atleast_1d(goodman_kruskal_gamma(stack)), **rows}
    return pd.DataFrame(rows, index=names).T.rename_axis("Measure")


def self_assessment_tables(data: AuditData) -> dict[str, pd.DataFrame | str]:
    """``agreement_bounds.csv`` (ranges with a verdict that holds over each), ``consistent_tables.csv`` and ``identified.csv``.

    Where the figures pin both gradings' totals and the consistent tables can be listed, every
    table is built from the list (:func:`analysis.stats.agreement.agreement_bounds`). Otherwise
    ``identified.csv`` is computed over every total the figures allow without listing tables
    (:func:`analysis.stats.pair_bounds.pair_bounds`), and the two table-by-table files are left
    out with the reason.
    """
    if data.figures.pair is None:
        return dict.fromkeys(TABLES, NO_PAIR)
    labels = list(data.grades)
    if data.known_table is not None:
        return _from_known_table(data.known_table, labels, data.meta.said_random())
    try:
        rows, cols = published_margins(data)
    except ValueError as err:
        return _from_margin_sets(data, str(err))
    n = int(np.sum(rows))
    try:
        n_tables = count_tables(rows, cols)
    except CountTooLarge as err:
        return _from_margin_sets(data, words.count_too_large_why(err.cells, err.limit))
    if n_tables <= LISTING_LIMIT:
        bounds, tables = agreement_bounds(rows, cols, labels)
        identified = identified_summary(tables_of(tables, labels), labels=labels)
    elif len(labels) == 3:
        # 3 x 3: exact ranges of every measure and test without listing (the tables that attain them are kept)
        bounds, tables = agreement_bounds(rows, cols, labels, max_tables=LISTING_LIMIT)
        identified = pair_bounds(rows[None], cols[None], labels=labels)
    else:
        return _from_margin_sets(data, words.too_many_tables_why(n_tables))
    identified = _with_probit(identified, int(rows[0]), int(cols[0]), n, labels[0])
    _add_verdicts(bounds, identified, n, data.meta.said_random())
    return {
        "agreement_bounds.csv": bounds,
        "consistent_tables.csv": tables,
        "identified.csv": identified,
        "sensitivity.csv": _sensitivity(rows, cols),
        "assumptions.csv": _assumptions(rows[None], cols[None], labels),
    }


def _add_verdicts(bounds: pd.DataFrame, identified: pd.DataFrame, n: int, said_random: bool = False) -> None:
    """Give ``bounds`` its ``verdict`` column: each measure's range (with its interval from ``identified`` where the Landis-Koch words apply) in words."""
    by_q = identified.set_index("quantity")
    intervals = {
        m: (float(by_q.loc[m, "ci_low"]), float(by_q.loc[m, "ci_high"]))
        for m in LANDIS_KOCH_MEASURES
        if m in by_q.index and np.isfinite(by_q.loc[m, "ci_low"]) and np.isfinite(by_q.loc[m, "ci_high"])
    }
    bounds["verdict"] = [
        verdict(m, lo, hi, n, intervals.get(m), said_random)
        for m, lo, hi in zip(bounds["measure"], bounds["min"], bounds["max"], strict=True)
    ]


def _from_known_table(table: np.ndarray, labels: list[str], said_random: bool = False) -> dict[str, pd.DataFrame | str]:
    """The self-assessment tables when a case-level file gives the pairing: one consistent table, every measure exact.

    ``consistent_tables.csv`` holds the one table; ``agreement_bounds.csv`` has ``min = max`` (its
    reference columns are computed on the reference tables, whose ids are 0 when they differ from
    the known table); ``identified.csv`` is summarised on it; under each assumption it either
    remains (one table) or is ruled out.
    """
    from analysis.stats.agreement import independence_table, max_agreement_table, measure_ranges

    k = len(labels)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    n = int(table.sum())
    frame = pd.DataFrame(table.reshape(1, k * k), columns=cell_columns(labels))
    frame.insert(0, "table_id", np.array([1], dtype=np.int64))
    tables = pd.concat([frame, table_measures(table[None])], axis=1)
    ranges = measure_ranges(tables)
    refs = {"independence": independence_table(rows, cols), "max_agreement": max_agreement_table(rows, cols)}
    ref_values = {name: table_measures(t[None]).iloc[0] for name, t in refs.items()}
    bounds = pd.DataFrame(
        {
            "measure": ranges["measure"],
            "min": ranges["min"],
            "max": ranges["max"],
            "independence": [float(ref_values["independence"][m]) for m in ranges["measure"]],
            "max_agreement": [float(ref_values["max_agreement"][m]) for m in ranges["measure"]],
            "min_table_id": [1 if i >= 0 else 0 for i in ranges["min_row"]],
            "max_table_id": [1 if i >= 0 else 0 for i in ranges["max_row"]],
            "independence_table_id": int(np.array_equal(refs["independence"], table)),
            "max_agreement_table_id": int(np.array_equal(refs["max_agreement"], table)),
            "n_tables": 1,
            "n_undefined": ranges["n_undefined"],
        }
    )
    identified = _with_probit(
        identified_summary(table[None], labels=labels), int(rows[0]), int(cols[0]), n, labels[0], both_best=int(table[0, 0])
    )
    _add_verdicts(bounds, identified, n, said_random)
    by_q = identified.set_index("quantity")
    records = []
    for name in ASSUMPTIONS:
        meets = bool((table[~assumption_mask(name, k)] == 0).all())
        for q in PAIRING_QUANTITIES:
            value = float(by_q.loc[q, "low"]) if meets else np.nan
            records.append((name, q, value, value, int(meets), words.known_table_method(name, meets)))
    assumptions = pd.DataFrame.from_records(records, columns=["assumption", "quantity", "low", "high", "n_tables", "method"])
    return {
        "agreement_bounds.csv": bounds,
        "consistent_tables.csv": tables,
        "identified.csv": identified,
        "sensitivity.csv": words.KNOWN_PAIRING_SENSITIVITY,
        "assumptions.csv": assumptions,
    }


def _with_probit(
    identified: pd.DataFrame, force_best: int, inspectors_best: int, n: int, best: str, both_best: int | None = None
) -> pd.DataFrame:
    """``identified.csv`` with the good gap's score and Imbens-Manski rows, and the row ``probit_shift_good`` where both shares graded best lie strictly between 0 and 1.

    The gap's rows are :func:`analysis.stats.identification.best_gap_rows` over every number of cases
    both graded best that the totals allow (Fréchet's range), or ``both_best`` when the pairing is
    known. The leniency as an effect size: Phi^-1(force's share best) - Phi^-1(inspectors' share best) on the
    same cases (:func:`analysis.stats.probit_shift.probit_shift`), the same under every pairing, with
    a 95% delta-method interval at the least favourable within-case correlation.
    """
    both = (
        np.arange(max(0, force_best + inspectors_best - n), min(force_best, inspectors_best) + 1)
        if both_best is None
        else np.array([both_best])
    )
    identified = pd.concat([identified, best_gap_rows(force_best, inspectors_best, n, both, best=best)], ignore_index=True)
    if not (0 < force_best < n and 0 < inspectors_best < n):
        return identified
    shift = probit_shift(force_best, inspectors_best, n)
    row = {
        "quantity": "probit_shift_good",
        "low": float(shift.estimate),
        "high": float(shift.estimate),
        "ci_low": float(shift.ci_low),
        "ci_high": float(shift.ci_high),
        "method": words.probit_method(best),
    }
    return pd.concat([identified, pd.DataFrame([row])], ignore_index=True)


def _sensitivity(rows: np.ndarray, cols: np.ndarray) -> pd.DataFrame | str:
    """:func:`sensitivity_table`, or why it is left out when its integer programmes would pass their budget."""
    try:
        return sensitivity_table(rows, cols)
    except OverBudget as err:
        return words.sensitivity_skipped(err)


def _assumptions(force: np.ndarray, inspectors: np.ndarray, labels: Sequence[str]) -> pd.DataFrame | str:
    """:func:`assumption_table`, or why it is left out (a step over its budget, or no exact answer)."""
    try:
        return assumption_table(force, inspectors, labels)
    except (ValueError, ArithmeticError) as err:  # OverBudget is a ValueError
        return words.assumptions_skipped(err)


def sensitivity_table(rows: np.ndarray, cols: np.ndarray, alpha: float = SIGNIFICANCE) -> pd.DataFrame:
    """``sensitivity.csv``: how far the one-sided gap would have to shrink before the sign test, at its least favourable pairing, loses significance.

    :func:`analysis.stats.sign_test_fragility.sign_test_fragility`: the largest two-sided sign-test
    p-value over the pairings that fit the totals, and the fewest of the inspectors' grades that
    would have to move one step kinder (towards the force's view) for it to reach ``alpha``, with
    the inspectors' totals after those moves.
    """
    worst = sign_test_max_p(rows, cols)
    frag = sign_test_fragility(rows, cols, alpha)
    moved = "" if frag.col_sums is None else "/".join(str(int(c)) for c in frag.col_sums)
    unreachable = words.unreachable_detail(alpha) if frag.moves is None and worst.p_value < alpha else ""
    method = words.sensitivity_methods(alpha)
    records = [
        ("sign_test_largest_p", worst.p_value, words.better_worse_detail(worst.better, worst.worse), method["sign_test_largest_p"]),
        (
            "sign_test_moves_to_lose_significance",
            np.nan if frag.moves is None else float(frag.moves),
            moved or unreachable,
            method["sign_test_moves_to_lose_significance"],
        ),
        (
            "sign_test_largest_p_after_moves",
            np.nan if frag.p_value is None else float(frag.p_value),
            moved or unreachable,
            method["sign_test_largest_p_after_moves"],
        ),
    ]
    return pd.DataFrame.from_records(records, columns=["quantity", "value", "detail", "method"])


#: The quantities of ``identified.csv`` that depend on the pairing (the two gaps are the same under every pairing of given totals).
PAIRING_QUANTITIES: tuple[str, ...] = tuple(q for q in IDENTIFIED_QUANTITIES if q not in ("good_gap", "mean_score_gap"))

#: Every table of this section, in the order written.
TABLES: tuple[str, ...] = ("agreement_bounds.csv", "consistent_tables.csv", "identified.csv", "sensitivity.csv", "assumptions.csv")


def assumption_mask(name: str, k: int) -> np.ndarray:
    """The cells an assumption allows to hold cases, as a ``k x k`` boolean mask (rows: the force's grade, best first)."""
    i, j = np.indices((k, k))
    never_harsher = i <= j  # the force's grade is the same as the inspectors' or better
    one_apart = np.abs(i - j) <= 1
    masks = {
        "none": np.ones((k, k), bool),
        "force_never_harsher": never_harsher,
        "at_most_one_grade_apart": one_apart,
        "force_never_harsher_and_at_most_one_grade_apart": never_harsher & one_apart,
    }
    return masks[name]


def assumption_table(force: np.ndarray, inspectors: np.ndarray, labels: Sequence[str]) -> pd.DataFrame:
    """``assumptions.csv``: the range of each pairing-dependent quantity under each assumption, and how many tables remain.

    ``force`` and ``inspectors`` are every total the figures allow for each grading (``(m, k)``,
    one row when pinned). For each assumption of :data:`ASSUMPTIONS`, ``n_tables`` counts the
    consistent tables whose cases lie only in the cells it allows
    (:func:`analysis.stats.pair_bounds.count_tables_over`, exact), and each quantity of
    :data:`PAIRING_QUANTITIES` gets its exact smallest and largest value over them
    (:func:`analysis.stats.pair_bounds.pair_bounds` with that mask). Where the published totals rule
    the assumption out, ``n_tables`` is 0 and ``low``/``high`` are empty. Where counting the tables
    would pass its budget (:class:`analysis.stats.pair_bounds.CountTooLarge`), ``n_tables`` is empty
    and ``method`` says why; the ranges (closed forms or linear programming) need no count.
    """
    from analysis.stats.pair_bounds import count_tables_over, pair_bounds

    k = len(labels)
    records = []
    counted = True
    for name, said in ASSUMPTIONS.items():
        mask = None if name == "none" else assumption_mask(name, k)
        try:
            n_tables, uncounted = count_tables_over(force, inspectors, mask), []
        except CountTooLarge as err:
            n_tables, uncounted, counted = None, [words.not_counted(err)], False
        bounds = None if n_tables == 0 else pair_bounds(force, inspectors, allowed=mask, labels=list(labels))
        if bounds is not None and bounds.attrs["n_pairs_with_tables"] == 0:
            n_tables = 0
        if n_tables == 0:
            for q in PAIRING_QUANTITIES:
                records.append((name, q, np.nan, np.nan, 0, words.ruled_out_method(name)))
            continue
        bounds = bounds.set_index("quantity")
        for q in PAIRING_QUANTITIES:
            how = [part for part in str(bounds.loc[q, "method"]).split("; ") if "interval" not in part and "ci_low" not in part]
            records.append((name, q, bounds.loc[q, "low"], bounds.loc[q, "high"], n_tables, "; ".join([said, *how, *uncounted])))
    frame = pd.DataFrame.from_records(records, columns=["assumption", "quantity", "low", "high", "n_tables", "method"])
    frame["n_tables"] = frame["n_tables"].astype("int64" if counted else "Int64")
    return frame


def _from_margin_sets(data: AuditData, why: str) -> dict[str, pd.DataFrame | str]:
    """The self-assessment tables when the pair's totals are open or too many tables fit them: identified.csv only, and why."""
    from analysis.stats.consistent_set import TooManyVectors
    from analysis.stats.pair_bounds import TooManyMarginPairs

    try:
        force, insp = margin_sets(data)
    except TooManyVectors as err:
        return _from_system(data, *words.too_many_totals(err.count))
    pinned = len(force) == 1 and len(insp) == 1
    reason = words.not_listed_reason(why) if pinned else words.open_totals_reason(len(force), len(insp))
    try:
        identified = pair_bounds(force, insp, labels=list(data.grades))
    except TooManyMarginPairs as err:
        return _from_system(data, *words.too_many_pairs(err.n_force, err.n_inspectorate, err.n_pairs))
    sensitivity: pd.DataFrame | str = _sensitivity(force[0], insp[0]) if pinned else words.OPEN_TOTALS_SENSITIVITY
    if pinned:
        identified = _with_probit(identified, int(force[0][0]), int(insp[0][0]), int(force[0].sum()), data.grades[0])
    assumptions = _assumptions(force, insp, data.grades)
    return {
        "agreement_bounds.csv": reason,
        "consistent_tables.csv": reason,
        "identified.csv": identified,
        "sensitivity.csv": sensitivity,
        "assumptions.csv": assumptions,
    }


def _from_system(data: AuditData, text: str, why: str) -> dict[str, pd.DataFrame | str]:
    """When the possible totals are too many to list: identified.csv's linear quantities by integer programming, the rest left out (``text``)."""
    from analysis.stats.pair_bounds import system_bounds

    out: dict[str, pd.DataFrame | str] = dict.fromkeys(TABLES, text + ".")
    out["identified.csv"] = system_bounds(data.figures.system, labels=list(data.grades), why=why)
    return out


def self_assessment_specs(data: AuditData) -> tuple[TableSpec, ...]:
    """The specs of :func:`self_assessment_tables` for this audit's scale."""
    labels = list(data.grades)
    return _specs(labels, words.pairing_note(labels), data.meta.said_random())


def _specs(labels, note: str, said_random: bool = False) -> tuple[TableSpec, ...]:
    ci_low, ci_high = words.identified_ci_columns()
    return (
        TableSpec(
            "agreement_bounds.csv",
            "Range of each agreement measure over every pairing consistent with the published grades",
            words.agreement_bounds_description(note),
            {
                "measure": "Measure name (see consistent_tables.csv for its definition).",
                "min": "Smallest value over all consistent tables (full precision).",
                "max": "Largest value over all consistent tables (full precision).",
                "independence": "Value on the reference table closest to independence: the expected counts row total x column total / n, rounded to whole cases with the totals kept (controlled rounding, smallest total absolute rounding error). Illustrative, not an estimate.",
                "max_agreement": "Value on the reference table with the most cases graded the same (ties broken by quadratic-weighted agreement, then by the cells). Illustrative, not an estimate.",
                "min_table_id": "table_id in consistent_tables.csv of the first table (in enumeration order) attaining the minimum.",
                "max_table_id": "table_id in consistent_tables.csv of the first table attaining the maximum.",
                "independence_table_id": "table_id of the independence reference table.",
                "max_agreement_table_id": "table_id of the maximum-agreement reference table.",
                "n_tables": "Number of consistent tables.",
                "n_undefined": "Number of consistent tables on which the measure is undefined (left out of min and max).",
                "verdict": words.verdict_column(choices.ALPHA),
            },
            (
                "The independence and maximum-agreement columns are reference points, not the answer: the true pairing is unknown.",
                "The agreement coefficients and counts are linear in the cells once the totals are fixed; their ranges are also checked by linear programming in the tests.",
            ),
        ),
        TableSpec(
            "consistent_tables.csv",
            "Every pairing of force and HMICFRS grades consistent with the published totals",
            words.consistent_tables_description(note),
            {
                "table_id": "Number of the table, in lexicographic order of its cells read row by row.",
                **{c: words.cell_column(*_cell_grades(c)) for c in cell_columns(labels)},
                **words.measure_columns(len(labels)),
                "stuart_maxwell_statistic": "Stuart-Maxwell chi-squared statistic.",
                "stuart_maxwell_df": "Degrees of freedom of the Stuart-Maxwell test.",
                "bowker_statistic": "Bowker chi-squared statistic.",
                "bowker_df": "Degrees of freedom of Bowker's test (pairs with no discordant case dropped).",
                "bowker_df_all_pairs": "Degrees of freedom of Bowker's test counting every pair of grades, k(k-1)/2.",
            },
            ("Only the totals are published; each row is one possibility, none is known to be the actual pairing.",),
        ),
        TableSpec(
            "identified.csv",
            words.identified_title(),
            words.identified_description(note),
            {
                "quantity": "n_force_better, share_force_better, n_same (cases graded the same by both), percent_agreement (n_same over n), good_gap, "
                "mean_score_gap, goodman_kruskal_gamma, kendall_tau_b, spearman_rho, cohen_kappa, weighted_kappa_linear or weighted_kappa_quadratic; "
                "then good_gap_newcombe (the good gap with the union of Newcombe's paired score intervals over the pairings), good_gap_imbens_manski "
                "(the good gap with Imbens and Manski's interval for the identified set) and probit_shift_good, where they apply.",
                "low": "Smallest value over the consistent pairings (equal to high where the quantity is identified).",
                "high": "Largest value over the consistent pairings.",
                "ci_low": ci_low,
                "ci_high": ci_high,
                "method": "How the row is computed, in a few words.",
            },
            (
                words.identified_sampling_note(said_random),
                "The ordinal measures (gamma, tau-b, rho) are not identified: the totals fit pairings with opposite rankings and with the same ranking.",
            ),
        ),
        TableSpec(
            "assumptions.csv",
            "What stated assumptions about the pairing would settle",
            words.assumptions_description(note),
            {
                "assumption": "none (every consistent pairing), force_never_harsher (no case graded worse by the force than by the inspectors), "
                "at_most_one_grade_apart (no case graded two or more grades apart) or force_never_harsher_and_at_most_one_grade_apart (both).",
                "quantity": words.assumption_quantity_column(PAIRING_QUANTITIES),
                "low": "Smallest value over the consistent tables that meet the assumption; empty where the published totals rule the assumption out.",
                "high": "Largest value over those tables; empty where the assumption is ruled out.",
                "n_tables": "Number of consistent tables that meet the assumption (0: the totals rule it out), counted exactly.",
                "method": "The assumption in words and how the range is computed (listing, closed form or linear programming).",
            },
            ("An assumption is not a finding: each row says what would follow if it held. None of them is published or checked.",),
        ),
        TableSpec(
            "sensitivity.csv",
            "How robust the one-sided gap is",
            words.sensitivity_description(note),
            {
                "quantity": "sign_test_largest_p, sign_test_moves_to_lose_significance or sign_test_largest_p_after_moves.",
                "value": "The value: a p-value, or a number of grades.",
                "detail": "For the largest p-value: the cases graded better and worse on that pairing; for the moves: the inspectors' totals after them (best first).",
                "method": "How the row is computed.",
            },
            ("Moving a grade changes the inspectors' totals, and so the set of pairings that fit them; each count is exact.",),
        ),
    )


def _cell_grades(column: str) -> tuple[str, str]:
    """The force's and the inspectors' grade of a cell column ``force_<grade>__hmicfrs_<grade>`` as its words read (slugs, underscores as spaces).

    Read back from the column name, as the published descriptions always were: a grade whose slug holds ``__`` is cut
    short there (kept so the published bytes do not change; the labels themselves would be right).
    """
    parts = column.split("__")
    return parts[0][len("force_") :].replace("_", " "), parts[1][len("hmicfrs_") :].replace("_", " ")


STAGE = Stage(name="self_assessment", build=self_assessment_tables, specs=self_assessment_specs)
