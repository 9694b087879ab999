"""Agreement between two graders of the same cases: per-table measures, and their exact range when only margins are known.

A *table* here is a square k x k array of case counts (any k >= 2): rows are the first grader's
grade (the force's self-assessment), columns the second grader's (the inspectors'), both in the
same category order, best grade first. So a case in row ``i``, column ``j`` with ``i < j`` is one
the force graded *better* than the inspectors did. Ordinal weights use the category positions
(equally spaced, as are grade scores k for the best grade down to 1 for the worst). Grade names
appear only where a caller passes them (``labels``, for column names); without them the grades are
called ``grade 1`` (best) to ``grade k``.

Every function accepts one table (shape ``(k, k)``) or a stack of tables (shape ``(m, k, k)``) and
returns a float (or an array of ``m`` floats). Where a measure is undefined it returns ``NaN``, as
documented on each function. Tests of marginal homogeneity and symmetry
(:mod:`analysis.stats.paired_tests`, re-exported here) return a :class:`TestResult`.

When only the margins are published, :func:`agreement_bounds` reports each measure's exact range
over every consistent table: by listing the tables when there are few, otherwise (3 x 3 margins, any
number of cases) by optimisation. :func:`linear_measure_bounds` gives the exact range of the
measures that are linear in the cells once the margins are fixed (all the agreement coefficients
and the better/worse/same counts) by linear programming, and
:mod:`analysis.stats.pairing_extremes` that of the three tests. For sets of possible margins and
assumptions on the cells, see :mod:`analysis.stats.pair_bounds`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis import choices
from analysis.stats.contingency import enumerate_tables, lexicographic_optimum, linear_bounds, rounded_expected_table
from analysis.stats.paired_tests import TestResult as TestResult  # re-exported: the tests live in paired_tests
from analysis.stats.paired_tests import bowker, sign_test, stuart_maxwell
from analysis.stats.pairing_extremes import count_tables, p_value_extremes
from analysis.stats.tables import as_square_tables as _tables
from analysis.stats.tables import ratio as _ratio
from analysis.stats.tables import scalar_or_array as _out

#: The measures reported for each table, in output order.
MEASURES: tuple[str, ...] = (
    "observed_agreement",
    "cohen_kappa",
    "weighted_kappa_linear",
    "weighted_kappa_quadratic",
    "gwet_ac1",
    "gwet_ac2_linear",
    "krippendorff_alpha_ordinal",
    "n_force_better",
    "n_force_worse",
    "n_same",
    "stuart_maxwell_p",
    "bowker_p",
    "bowker_p_all_pairs",
    "sign_test_p",
)

#: Chance-corrected agreement coefficients (1 = perfect agreement, 0 = chance level).
KAPPA_TYPE: tuple[str, ...] = (
    "cohen_kappa",
    "weighted_kappa_linear",
    "weighted_kappa_quadratic",
    "gwet_ac1",
    "gwet_ac2_linear",
    "krippendorff_alpha_ordinal",
)

#: Counts of cases by the direction of the difference between the two grades.
COUNTS: tuple[str, ...] = ("n_force_better", "n_force_worse", "n_same")

#: p-values of the tests of marginal homogeneity, symmetry and the sign test.
P_VALUES: tuple[str, ...] = ("stuart_maxwell_p", "bowker_p", "bowker_p_all_pairs", "sign_test_p")

#: The coefficients Landis and Koch's bands were proposed for (Cohen's kappa and its weighted forms).
LANDIS_KOCH_MEASURES: tuple[str, ...] = ("cohen_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic")

#: Krippendorff's thresholds for alpha: below 0.667 data are not to be relied on; from 0.800 they are
#: (Krippendorff, *Content Analysis*, 2nd ed., 2004, p. 241).
KRIPPENDORFF_THRESHOLDS: tuple[float, float] = (0.667, 0.800)

#: Human-readable names of the measures, for tables and charts.
MEASURE_LABELS: dict[str, str] = {
    "observed_agreement": "Observed agreement",
    "cohen_kappa": "Cohen's kappa",
    "weighted_kappa_linear": "Weighted kappa (linear)",
    "weighted_kappa_quadratic": "Weighted kappa (quadratic)",
    "gwet_ac1": "Gwet's AC1",
    "gwet_ac2_linear": "Gwet's AC2 (linear)",
    "krippendorff_alpha_ordinal": "Krippendorff's alpha (ordinal)",
    "n_force_better": "Cases the force graded better",
    "n_force_worse": "Cases the force graded worse",
    "n_same": "Cases graded the same",
    "stuart_maxwell_p": "Stuart-Maxwell test, p",
    "bowker_p": "Bowker symmetry test, p (empty pairs dropped)",
    "bowker_p_all_pairs": "Bowker symmetry test, p (df = all pairs)",
    "sign_test_p": "Sign test (better v worse), p",
}

#: The interpretation bands of Landis and Koch (Biometrics 33, 1977, p. 165) as (lower, upper, label):
#: below 0 is "poor"; otherwise a value belongs to the first band whose upper limit is at or above it
#: (so 0 and 0.20 are "slight", 0.21 is "fair").
LANDIS_KOCH_BANDS: tuple[tuple[float, float, str], ...] = (
    (-1.0, 0.0, "poor"),
    (0.0, 0.2, "slight"),
    (0.2, 0.4, "fair"),
    (0.4, 0.6, "moderate"),
    (0.6, 0.8, "substantial"),
    (0.8, 1.0, "almost perfect"),
)


# --- helpers ----------------------------------------------------------------------------------------


def disagreement_weights(k: int, kind: str = "identity") -> np.ndarray:
    """Integer disagreement weights between categories ``i`` and ``j`` of a k-point scale.

    ``identity``: 0 on the diagonal, 1 elsewhere (unweighted kappa); ``linear``: ``|i - j|``;
    ``quadratic``: ``(i - j) ** 2``. Agreement weights are ``1 - d / d.max()`` (Cohen, "Weighted
    kappa", Psychological Bulletin 70, 1968; Fleiss and Cohen, 1973, for quadratic weights).
    """
    i = np.arange(k)
    diff = np.abs(i[:, None] - i[None, :])
    if kind == "identity":
        return (diff > 0).astype(float)
    if kind == "linear":
        return diff.astype(float)
    if kind == "quadratic":
        return (diff**2).astype(float)
    raise ValueError(f"unknown weights {kind!r}: use identity, linear or quadratic")


def agreement_weights(k: int, kind: str = "identity") -> np.ndarray:
    """Agreement weights ``w[i, j] = 1 - d[i, j] / max(d)`` in [0, 1] (1 on the diagonal); see :func:`disagreement_weights`."""
    d = disagreement_weights(k, kind)
    return 1.0 - d / d.max() if d.max() > 0 else np.ones_like(d)


def _margins(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return t.sum(axis=-1), t.sum(axis=-2), t.sum(axis=(-2, -1))


# --- per-table measures ----------------------------------------------------------------------------


def observed_agreement(table) -> float | np.ndarray:
    """Share of cases given the same grade by both graders, ``trace / n``; NaN when n = 0.

    Reference: the proportion of agreement ``p_o`` (Cohen, "A coefficient of agreement for nominal
    scales", Educational and Psychological Measurement 20, 1960).
    """
    t = _tables(table)
    return _out(_ratio(np.trace(t, axis1=-2, axis2=-1), t.sum(axis=(-2, -1))))


def weighted_kappa(table, weights: str = "linear") -> float | np.ndarray:
    """Cohen's weighted kappa, ``1 - n * sum(d * T) / sum(d * outer(rows, cols))`` with disagreement weights ``d``.

    ``weights`` is ``"identity"`` (this is then Cohen's unweighted kappa), ``"linear"`` or
    ``"quadratic"`` (:func:`disagreement_weights`). Equivalent to ``(p_o - p_e) / (1 - p_e)`` on the
    weighted agreement proportions. Undefined, and returned as NaN, when the expected disagreement
    is zero: both graders put every case in one and the same category (so ``p_e = 1``), or n = 0.

    Reference: Cohen, "Weighted kappa", Psychological Bulletin 70, 1968; statsmodels
    ``statsmodels.stats.inter_rater.cohens_kappa`` computes the same value.
    """
    t = _tables(table)
    d = disagreement_weights(t.shape[-1], weights)
    rows, cols, n = _margins(t)
    observed = (d * t).sum(axis=(-2, -1))
    expected = np.einsum("ij,...i,...j->...", d, rows, cols)
    return _out(1.0 - _ratio(n * observed, expected))


def cohen_kappa(table) -> float | np.ndarray:
    """Cohen's kappa ``(p_o - p_e) / (1 - p_e)`` with ``p_e = sum(rows * cols) / n**2``; NaN when ``p_e = 1`` or n = 0.

    ``p_e = 1`` happens only when both graders put every case in the same single category (then
    ``p_o = 1`` too, and kappa is 0/0). Reference: Cohen (1960), see :func:`observed_agreement`.
    """
    return weighted_kappa(table, "identity")


def _gwet(table, weights: str) -> np.ndarray:
    t = _tables(table)
    k = t.shape[-1]
    w = agreement_weights(k, weights)
    rows, cols, n = _margins(t)
    nn = np.where(n > 0, n, 1.0)
    pa = (w * t).sum(axis=(-2, -1)) / nn
    pi = (rows + cols) / (2 * nn[..., None])
    pe = w.sum() / (k * (k - 1)) * (pi * (1 - pi)).sum(axis=-1)
    out = _ratio(pa - pe, 1 - pe)
    return np.where(n > 0, out, np.nan)


def gwet_ac1(table) -> float | np.ndarray:
    """Gwet's AC1, ``(p_o - p_e) / (1 - p_e)`` with ``p_e = sum(pi_k * (1 - pi_k)) / (q - 1)``; NaN when n = 0.

    ``pi_k`` is the share of all 2n gradings in category k and ``q`` the number of categories of
    the scale (the table's size, counting categories that no case received). ``p_e <= 1/q``, so AC1
    is defined whenever n > 0; when both graders use one category only, AC1 = ``p_o``.

    Reference: Gwet, "Computing inter-rater reliability and its variance in the presence of high
    agreement", British Journal of Mathematical and Statistical Psychology 61, 2008; Gwet,
    *Handbook of Inter-Rater Reliability*, 4th ed., 2014, ch. 4.
    """
    return _out(_gwet(table, "identity"))


def gwet_ac2(table, weights: str = "linear") -> float | np.ndarray:
    """Gwet's AC2 with agreement weights ``w``: ``(p_a - p_e) / (1 - p_e)``; NaN when n = 0.

    ``p_a = sum(w * T) / n`` and ``p_e = T_w / (q (q - 1)) * sum(pi_k (1 - pi_k))`` where ``T_w`` is the
    sum of all weights, ``pi_k`` as in :func:`gwet_ac1`. With identity weights this is AC1.
    ``weights`` is ``"linear"`` (default) or ``"quadratic"`` (:func:`agreement_weights`).

    Reference: Gwet, *Handbook of Inter-Rater Reliability*, 4th ed., 2014, ch. 3 and 4.
    """
    return _out(_gwet(table, weights))


def ordinal_distance(pooled: np.ndarray) -> np.ndarray:
    """Krippendorff's squared ordinal distance between categories, from the pooled category counts.

    ``delta[c, k] = (sum(n_g for g from c to k) - (n_c + n_k) / 2) ** 2`` where ``n_g`` counts the
    gradings (by either grader) in category g. Accepts shape ``(k,)`` or ``(..., k)``.
    Reference: Krippendorff, *Content Analysis*, 4th ed., 2019, section 12.3.
    """
    pooled = np.asarray(pooled, float)
    k = pooled.shape[-1]
    cum = np.cumsum(pooled, axis=-1)
    lo = np.minimum.outer(np.arange(k), np.arange(k))
    hi = np.maximum.outer(np.arange(k), np.arange(k))
    between = cum[..., hi] - cum[..., lo] + pooled[..., lo]
    return (between - (pooled[..., :, None] + pooled[..., None, :]) / 2) ** 2


def krippendorff_alpha_ordinal(table) -> float | np.ndarray:
    """Krippendorff's alpha for ordinal data and two graders with no missing values.

    ``alpha = 1 - (N - 1) * sum(o * delta) / sum(n_c * n_k * delta)`` where ``o = T + T'`` is the
    coincidence matrix, ``n_c`` its margins (the pooled gradings), ``N = 2n`` and ``delta`` the
    ordinal distance (:func:`ordinal_distance`). NaN when the expected disagreement is zero (every
    grading in one category) or n = 0. The package ``krippendorff`` (``alpha(...,
    level_of_measurement="ordinal")``) gives the same value on the equivalent reliability data.

    Reference: Krippendorff, *Content Analysis*, 4th ed., 2019, ch. 12; Hayes and Krippendorff,
    "Answering the call for a standard reliability measure", Communication Methods and Measures 1, 2007.
    """
    t = _tables(table)
    rows, cols, n = _margins(t)
    pooled = rows + cols
    delta = ordinal_distance(pooled)
    observed = ((t + np.swapaxes(t, -1, -2)) * delta).sum(axis=(-2, -1))
    expected = (pooled[..., :, None] * pooled[..., None, :] * delta).sum(axis=(-2, -1))
    return _out(1.0 - _ratio((2 * n - 1) * observed, expected))


def direction_counts(table) -> tuple:
    """Cases the first grader (force) graded better, worse and the same as the second (HMICFRS).

    With categories best first, "better" is above the diagonal (row < column), "worse" below it,
    "same" the diagonal. Returns ``(better, worse, same)`` as floats or arrays.
    """
    t = _tables(table)
    k = t.shape[-1]
    better = (t * np.triu(np.ones((k, k)), 1)).sum(axis=(-2, -1))
    worse = (t * np.tril(np.ones((k, k)), -1)).sum(axis=(-2, -1))
    same = np.trace(t, axis1=-2, axis2=-1)
    return _out(better), _out(worse), _out(same)


def table_measures(tables) -> pd.DataFrame:
    """Every measure of :data:`MEASURES` for one table or a stack of tables, one row per table.

    Also returns the test statistics and degrees of freedom (``stuart_maxwell_statistic``,
    ``stuart_maxwell_df``, ``bowker_statistic``, ``bowker_df``). The better/worse/same counts are
    integers when the tables are. On an empty table (no cases) every coefficient, statistic, df
    and p-value is NaN (the counts are 0).
    """
    t = _tables(tables)
    if t.ndim == 2:
        t = t[None]
    better, worse, same = (np.atleast_1d(x) for x in direction_counts(t))
    sm = stuart_maxwell(t)
    bw = bowker(t)
    bw_all = bowker(t, df_convention="all_pairs")
    out = pd.DataFrame(
        {
            "observed_agreement": np.atleast_1d(observed_agreement(t)),
            "cohen_kappa": np.atleast_1d(cohen_kappa(t)),
            "weighted_kappa_linear": np.atleast_1d(weighted_kappa(t, "linear")),
            "weighted_kappa_quadratic": np.atleast_1d(weighted_kappa(t, "quadratic")),
            "gwet_ac1": np.atleast_1d(gwet_ac1(t)),
            "gwet_ac2_linear": np.atleast_1d(gwet_ac2(t, "linear")),
            "krippendorff_alpha_ordinal": np.atleast_1d(krippendorff_alpha_ordinal(t)),
            "n_force_better": better,
            "n_force_worse": worse,
            "n_same": same,
            "stuart_maxwell_p": np.atleast_1d(sm.pvalue),
            "bowker_p": np.atleast_1d(bw.pvalue),
            "bowker_p_all_pairs": np.atleast_1d(bw_all.pvalue),
            "sign_test_p": np.atleast_1d(sign_test(better, worse)),
            "stuart_maxwell_statistic": np.atleast_1d(sm.statistic),
            "stuart_maxwell_df": np.atleast_1d(sm.df),
            "bowker_statistic": np.atleast_1d(bw.statistic),
            "bowker_df": np.atleast_1d(bw.df),
            "bowker_df_all_pairs": np.atleast_1d(bw_all.df),
        }
    )
    empty = t.sum(axis=(1, 2)) == 0
    if empty.any():  # no cases: no test can be run, so every statistic, df and p-value is undefined
        for col in (*P_VALUES, "stuart_maxwell_statistic", "stuart_maxwell_df", "bowker_statistic", "bowker_df", "bowker_df_all_pairs"):
            out[col] = out[col].astype(float).mask(empty)
    if np.array_equal(t, np.rint(t)):
        out = out.astype({c: "int64" for c in COUNTS})
        out = out.astype({c: "Int64" if empty.any() else "int64" for c in ("stuart_maxwell_df", "bowker_df", "bowker_df_all_pairs")})
    return out


# --- ranges over the consistent tables -------------------------------------------------------------


def linear_form(measure: str, row_sums: Sequence[int], col_sums: Sequence[int]) -> tuple[np.ndarray, float, float]:
    """Write ``measure`` as ``intercept + slope * sum(W * T)`` for every table ``T`` with these margins.

    Returns ``(W, intercept, slope)``. Once the margins are fixed, chance agreement (``p_e``) and
    Krippendorff's expected disagreement are constants, so every agreement coefficient and every
    direction count is an affine function of the cells; only the tests are not. Raises
    ``KeyError`` for a measure that is not linear and ``ValueError`` when the measure is undefined
    for these margins (e.g. kappa when ``p_e = 1``).
    """
    rows = np.asarray(row_sums, float)
    cols = np.asarray(col_sums, float)
    k = rows.size
    n = rows.sum()
    if n == 0:
        raise ValueError("no cases: the measures are undefined")
    if measure == "observed_agreement":
        return np.eye(k), 0.0, 1.0 / n
    if measure in ("cohen_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic"):
        kind = {"cohen_kappa": "identity", "weighted_kappa_linear": "linear", "weighted_kappa_quadratic": "quadratic"}[measure]
        d = disagreement_weights(k, kind)
        expected = float(rows @ d @ cols)
        if expected == 0:
            raise ValueError(f"{measure} is undefined for these margins (no expected disagreement)")
        return d, 1.0, -n / expected
    if measure in ("gwet_ac1", "gwet_ac2_linear"):
        w = agreement_weights(k, "identity" if measure == "gwet_ac1" else "linear")
        pi = (rows + cols) / (2 * n)
        pe = w.sum() / (k * (k - 1)) * float((pi * (1 - pi)).sum())
        return w, -pe / (1 - pe), 1.0 / (n * (1 - pe))
    if measure == "krippendorff_alpha_ordinal":
        pooled = rows + cols
        delta = ordinal_distance(pooled)
        expected = float((np.outer(pooled, pooled) * delta).sum())
        if expected == 0:
            raise ValueError(f"{measure} is undefined for these margins (no expected disagreement)")
        return delta, 1.0, -2 * (2 * n - 1) / expected
    if measure == "n_force_better":
        return np.triu(np.ones((k, k)), 1), 0.0, 1.0
    if measure == "n_force_worse":
        return np.tril(np.ones((k, k)), -1), 0.0, 1.0
    if measure == "n_same":
        return np.eye(k), 0.0, 1.0
    raise KeyError(f"{measure!r} is not linear in the cells (or not a known measure)")


#: The measures :func:`linear_form` can express (all of :data:`MEASURES` except the tests).
LINEAR_MEASURES: tuple[str, ...] = tuple(m for m in MEASURES if m not in P_VALUES)


def linear_measure_bounds(row_sums: Sequence[int], col_sums: Sequence[int]) -> pd.DataFrame:
    """Exact min and max of every linear measure over all tables with the margins, by linear programming.

    No enumeration: each bound is a linear programme over the transportation polytope
    (:func:`analysis.stats.contingency.linear_bounds`), whose optimum is attained by an integer table, so
    this works for any n. Returns one row per measure of :data:`LINEAR_MEASURES`: ``measure``,
    ``min``, ``max``, ``min_table``, ``max_table`` (the attaining tables as arrays). Measures
    undefined for the margins get NaN bounds and no tables.
    """
    records = []
    solved: dict[bytes, object] = {}
    for measure in LINEAR_MEASURES:
        try:
            w, a, b = linear_form(measure, row_sums, col_sums)
        except ValueError:
            records.append({"measure": measure, "min": np.nan, "max": np.nan, "min_table": None, "max_table": None})
            continue
        key = w.tobytes()
        if key not in solved:
            solved[key] = linear_bounds(row_sums, col_sums, w)
        lb = solved[key]
        lo, hi = a + b * lb.min, a + b * lb.max
        t_lo, t_hi = lb.min_table, lb.max_table
        if b < 0:
            lo, hi, t_lo, t_hi = hi, lo, t_hi, t_lo
        records.append({"measure": measure, "min": lo, "max": hi, "min_table": t_lo, "max_table": t_hi})
    return pd.DataFrame.from_records(records)


def max_agreement_table(row_sums: Sequence[int], col_sums: Sequence[int]) -> np.ndarray:
    """The consistent table with the most cases graded the same; ties broken by quadratic-weighted agreement, then by the cells.

    A reference point (the most favourable pairing for agreement), not an estimate. Deterministic:
    :func:`analysis.stats.contingency.lexicographic_optimum` maximises the diagonal total, then
    ``sum(w_quadratic * T)``, then the cells read row by row.
    """
    k = len(row_sums)
    return lexicographic_optimum(row_sums, col_sums, [np.eye(k), agreement_weights(k, "quadratic")], maximise=True)


def independence_table(row_sums: Sequence[int], col_sums: Sequence[int]) -> np.ndarray:
    """The consistent integer table closest to independence (controlled rounding of ``row_i * col_j / n``).

    A reference point for "no association beyond chance", evaluated on a whole-case table so that
    every measure (including the tests and the counts) is defined on it and it is one of the
    consistent tables; see :func:`analysis.stats.contingency.rounded_expected_table`. On the real-valued
    expected table itself, Cohen's and the weighted kappas are exactly 0.
    """
    return rounded_expected_table(row_sums, col_sums)


def measure_ranges(values: pd.DataFrame, measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """Min and max of each measure over the rows of ``values`` (one row per table), with the first row attaining each.

    Returns ``measure``, ``min``, ``max``, ``min_row``, ``max_row`` (positions in ``values``; the first
    in row order when several tables attain the bound) and ``n_undefined`` (tables where the measure
    is NaN; they are left out of the range).
    """
    records = []
    for m in measures:
        col = values[m].astype(float).reset_index(drop=True)
        defined = col.notna()
        if defined.any():
            records.append(
                {
                    "measure": m,
                    "min": float(col.min()),
                    "max": float(col.max()),
                    "min_row": int(col.idxmin()),
                    "max_row": int(col.idxmax()),
                    "n_undefined": int((~defined).sum()),
                }
            )
        else:
            records.append({"measure": m, "min": np.nan, "max": np.nan, "min_row": -1, "max_row": -1, "n_undefined": len(col)})
    return pd.DataFrame.from_records(records)


def landis_koch_band(value: float) -> str:
    """The Landis and Koch band of a kappa-type value ("poor" below 0, "slight" from 0 to 0.2, ..., "almost perfect" above 0.8).

    See :data:`LANDIS_KOCH_BANDS`. The bands are a convention for describing kappa, not a test.
    Reference: Landis and Koch, "The measurement of observer agreement for categorical data",
    Biometrics 33, 1977.
    """
    if np.isnan(value):
        return "undefined"
    if value < 0:
        return LANDIS_KOCH_BANDS[0][2]
    for _, upper, label in LANDIS_KOCH_BANDS[1:]:
        if value <= upper + 1e-12:
            return label
    return LANDIS_KOCH_BANDS[-1][2]


def grade_labels(k: int) -> tuple[str, ...]:
    """Neutral names for a k-point scale when the caller gives none: ``grade 1`` (best) to ``grade k``."""
    if k < 1:
        raise ValueError(f"a scale needs at least one grade, got k = {k}")
    return tuple(f"grade {i + 1}" for i in range(k))


def _labels(labels: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if labels is None:
        return grade_labels(k)
    labels = tuple(labels)
    if len(labels) != k:
        raise ValueError(f"{len(labels)} grade labels given for margins of {k} grades")
    return labels


def cell_columns(labels: Sequence[str]) -> list[str]:
    """Column names of the cells, row by row: ``force_<grade>__hmicfrs_<grade>`` (grade slugs, best first; a slug is the label with spaces as ``_``)."""
    slug = {g: str(g).replace(" ", "_") for g in labels}
    return [f"force_{slug[a]}__hmicfrs_{slug[b]}" for a in labels for b in labels]


_CELL = re.compile(r"^force_(.+)__hmicfrs_(.+)$")


def _cell_columns_of(frame: pd.DataFrame) -> list[str]:
    """The cell columns of ``frame`` (named as by :func:`cell_columns`), in order; ``ValueError`` unless they make a square table."""
    cols = [c for c in frame.columns if isinstance(c, str) and _CELL.match(c)]
    k = int(round(len(cols) ** 0.5))
    if k < 1 or k * k != len(cols):
        raise ValueError(f"expected k x k cell columns named force_<grade>__hmicfrs_<grade>, found {len(cols)}")
    return cols


def consistent_tables(row_sums: Sequence[int], col_sums: Sequence[int], labels: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per table consistent with the margins: ``table_id`` (1, 2, ... in enumeration order), the cells, every measure.

    The cells are named by :func:`cell_columns` of ``labels`` (one per grade, best first; default
    :func:`grade_labels`); the measures are those of :func:`table_measures`.
    """
    k = len(row_sums)
    labels = _labels(labels, k)
    tables = enumerate_tables(row_sums, col_sums)
    cells = pd.DataFrame(tables.reshape(len(tables), k * k), columns=cell_columns(labels))
    cells.insert(0, "table_id", np.arange(1, len(tables) + 1, dtype=np.int64))
    return pd.concat([cells, table_measures(tables)], axis=1)


def tables_of(frame: pd.DataFrame, labels: Sequence[str] | None = None) -> np.ndarray:
    """The tables held in the cell columns of ``frame`` (e.g. from :func:`consistent_tables`), shape ``(rows, k, k)``.

    With ``labels`` the columns are those of :func:`cell_columns`; without, the frame's own cell
    columns (``force_<grade>__hmicfrs_<grade>``) in their order, so any k works.
    """
    cols = _cell_columns_of(frame) if labels is None else cell_columns(labels)
    k = int(round(len(cols) ** 0.5))
    return frame[cols].to_numpy().reshape(len(frame), k, k)


def _find(frame: pd.DataFrame, table: np.ndarray, labels: Sequence[str] | None) -> int:
    match = (tables_of(frame, labels) == np.asarray(table)[None]).all(axis=(1, 2))
    return int(frame.loc[match, "table_id"].iloc[0])


#: Most consistent tables that :func:`agreement_bounds` lists one by one; past this (3 x 3 margins) it optimises instead.
ENUMERATION_LIMIT = choices.ENUMERATION_LIMIT  # the analysis's choice (analysis/choices.py)


def agreement_bounds(
    row_sums: Sequence[int], col_sums: Sequence[int], labels: Sequence[str] | None = None, *, max_tables: int = ENUMERATION_LIMIT
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Range of every measure over all tables consistent with the margins, and the tables themselves.

    Returns ``(bounds, tables)``. ``bounds`` has one row per measure of :data:`MEASURES`: ``measure``,
    ``min``, ``max``, ``independence`` (value on :func:`independence_table`), ``max_agreement``
    (value on :func:`max_agreement_table`), ``min_table_id`` and ``max_table_id`` (a table in
    ``tables`` attaining each bound; 0 when the measure is undefined for every table),
    ``independence_table_id``, ``max_agreement_table_id``, ``n_tables`` (number of consistent
    tables) and ``n_undefined`` (tables on which the measure is undefined). The cells of ``tables``
    are named by :func:`cell_columns` of ``labels`` (one per grade, best first; default
    :func:`grade_labels`); any number of grades.

    Up to ``max_tables`` consistent tables (:data:`ENUMERATION_LIMIT`), every table is listed:
    ``tables`` is :func:`consistent_tables` (ids 1, 2, ... in lexicographic order of the cells) and
    the ids in ``bounds`` are those of the first table in that order attaining each bound.

    Past that, for 3 x 3 margins (any n; about 0.3 s at n = 10,000), the tables are not listed but
    the ranges are still exact: the linear measures by linear programming
    (:func:`linear_measure_bounds`), the three tests by
    :func:`analysis.stats.pairing_extremes.p_value_extremes`, and ``n_tables`` is counted in closed
    form (:func:`analysis.stats.pairing_extremes.count_tables`). ``tables`` then holds only the
    tables that ``bounds`` refers to (a table attaining each bound and the two reference tables),
    with the same columns, numbered 1, 2, ... in lexicographic order of their cells; these ids are
    not positions among all consistent tables, so ``n_tables`` exceeds ``len(tables)``. Other table
    sizes are always enumerated (:func:`analysis.stats.contingency.enumerate_tables` refuses more
    than five million).
    """
    k = len(row_sums)
    labels = _labels(labels, k)
    if k == 3:
        n_tables = count_tables(row_sums, col_sums)
        if n_tables > max_tables and int(np.sum(row_sums)) > 0:
            return _optimised_bounds(row_sums, col_sums, labels, n_tables)
    tables = consistent_tables(row_sums, col_sums, labels)
    ranges = measure_ranges(tables)
    ind_id = _find(tables, independence_table(row_sums, col_sums), labels)
    max_id = _find(tables, max_agreement_table(row_sums, col_sums), labels)
    by_id = tables.set_index("table_id")
    ids = tables["table_id"].to_numpy()
    bounds = pd.DataFrame(
        {
            "measure": ranges["measure"],
            "min": ranges["min"],
            "max": ranges["max"],
            "independence": [float(by_id.loc[ind_id, m]) for m in ranges["measure"]],
            "max_agreement": [float(by_id.loc[max_id, m]) for m in ranges["measure"]],
            "min_table_id": [int(ids[i]) if i >= 0 else 0 for i in ranges["min_row"]],
            "max_table_id": [int(ids[i]) if i >= 0 else 0 for i in ranges["max_row"]],
            "independence_table_id": ind_id,
            "max_agreement_table_id": max_id,
            "n_tables": len(tables),
            "n_undefined": ranges["n_undefined"],
        }
    )
    return bounds, tables


def _optimised_bounds(
    row_sums: Sequence[int], col_sums: Sequence[int], labels: Sequence[str], n_tables: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`agreement_bounds` without listing the tables (3 x 3 margins): exact optima, and only the tables referred to."""
    k = len(labels)
    linear = linear_measure_bounds(row_sums, col_sums).set_index("measure")
    attaining: dict[str, tuple[np.ndarray | None, np.ndarray | None]] = {
        m: (linear.loc[m, "min_table"], linear.loc[m, "max_table"]) for m in LINEAR_MEASURES
    }
    attaining.update(p_value_extremes(row_sums, col_sums))
    ind, most = independence_table(row_sums, col_sums), max_agreement_table(row_sums, col_sums)
    listed = [np.asarray(t, dtype=np.int64) for pair in attaining.values() for t in pair if t is not None] + [ind, most]
    cells = np.unique(np.stack(listed).reshape(len(listed), k * k), axis=0)  # lexicographic order
    frame = pd.DataFrame(cells, columns=cell_columns(labels))
    frame.insert(0, "table_id", np.arange(1, len(cells) + 1, dtype=np.int64))
    tables = pd.concat([frame, table_measures(cells.reshape(-1, k, k))], axis=1)
    by_id = tables.set_index("table_id")

    def table_id(t) -> int:
        return 0 if t is None else _find(tables, t, labels)

    ind_id, max_id = table_id(ind), table_id(most)
    records = []
    for m in MEASURES:
        lo, hi = (table_id(t) for t in attaining[m])
        records.append(
            {
                "measure": m,
                "min": float(by_id.loc[lo, m]) if lo else np.nan,
                "max": float(by_id.loc[hi, m]) if hi else np.nan,
                "independence": float(by_id.loc[ind_id, m]),
                "max_agreement": float(by_id.loc[max_id, m]),
                "min_table_id": lo,
                "max_table_id": hi,
                "independence_table_id": ind_id,
                "max_agreement_table_id": max_id,
                "n_tables": n_tables,
                "n_undefined": 0 if lo else n_tables,
            }
        )
    return pd.DataFrame.from_records(records), tables


def reference_tables(bounds: pd.DataFrame, tables: pd.DataFrame, labels: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """The illustrative tables behind ``bounds``: closest to independence, most and fewest cases graded the same.

    Keys name each table; values are k x k arrays taken from ``tables`` (``consistent_tables.csv``)
    by the table ids recorded in ``bounds``; a table that is more than one of them appears once, with its names joined, and a
    reference table absent from ``tables`` (id 0: a known pairing differs from it) is left out. They are reference points, not
    estimates of the pairing.
    The cells are read as by :func:`tables_of` (from ``labels`` if given, else from the frame).
    """
    b = bounds.set_index("measure")
    cells = tables.set_index("table_id")
    ids = {
        "Closest to independence": int(b["independence_table_id"].iloc[0]),
        "Most cases graded the same": int(b["max_agreement_table_id"].iloc[0]),
        "Fewest cases graded the same": int(b.loc["observed_agreement", "min_table_id"]),
    }
    cols = _cell_columns_of(tables) if labels is None else cell_columns(labels)
    k = int(round(len(cols) ** 0.5))
    names: dict[int, list[str]] = {}
    for name, i in ids.items():
        if i in cells.index:  # a reference table that is not among the consistent tables (a known pairing) is not shown
            names.setdefault(i, []).append(name)
    return {
        "; ".join([group[0], *(n[0].lower() + n[1:] for n in group[1:])]): cells.loc[i, cols].to_numpy(dtype=np.int64).reshape(k, k)
        for i, group in names.items()
    }
