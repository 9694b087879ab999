"""Sampling intervals for one paired table of grades: the gap in the share given one grade (the best), the mean score gap, and kappa.

Tables follow :mod:`analysis.stats.agreement`: rows are the force's grade, columns the inspectors',
both best first, any number of grades k, so ``T[i, j]`` with ``i < j`` counts cases the force graded better. Each interval
treats the table's cases as a simple random sample of the cases that could have been audited;
none of them accounts for not knowing which table is the true pairing (take the union over the
consistent tables for that, :mod:`analysis.stats.identification`).

Every function accepts one table (shape ``(k, k)``) or a stack (shape ``(m, k, k)``) and returns an
:class:`Interval` whose fields are floats or arrays of ``m`` floats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.stats.agreement import agreement_weights, weighted_kappa
from analysis.stats.tables import as_square_tables as _tables
from analysis.stats.tables import scalar_or_array as _out


@dataclass(frozen=True)
class Interval:
    """An estimate with its standard error and two-sided confidence interval ``(low, high)`` (floats or arrays)."""

    estimate: float | np.ndarray
    se: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _interval(estimate, se, low, high) -> Interval:
    return Interval(_out(estimate), _out(se), _out(low), _out(high))


def paired_proportion_difference(table, category: int = 0, confidence: float = 0.95) -> Interval:
    """Difference of paired proportions, first grader's share in ``category`` minus the second's, with the Wald interval.

    With ``category=0`` (the best grade) this is the force's share given the best grade minus the
    inspectors' share *on the same cases*. Collapsing the table to "in the category or not", with ``b``
    the cases only the first grader put there and ``c`` those only the second did, the estimate is
    ``d = (b - c) / n`` and its large-sample standard error ``sqrt(((b + c) / n - d**2) / n)``, which
    allows for the two shares being measured on the same cases (their covariance). Interval
    ``d +/- z * se``, not clipped. NaN when n = 0.

    Reference: Agresti, *Categorical Data Analysis*, 3rd ed., 2013, section 11.1.1 (presidential
    approval, Table 11.1: d = 0.04, se = 0.0095, 95% interval (0.021, 0.059)); Newcombe,
    "Improved confidence intervals for the difference between binomial proportions based on paired
    data", Statistics in Medicine 17, 1998, method 1.
    """
    t = _tables(table)
    k = t.shape[-1]
    if not 0 <= category < k:
        raise ValueError(f"category must be between 0 and {k - 1}")
    n = t.sum(axis=(-2, -1))
    both = t[..., category, category]
    b = t[..., category, :].sum(axis=-1) - both
    c = t[..., :, category].sum(axis=-1) - both
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(n > 0, (b - c) / n, np.nan)
        se = np.sqrt(np.maximum((b + c) / n - d**2, 0.0) / n)
    z = _z(confidence)
    return _interval(d, se, d - z * se, d + z * se)


def score_differences(k: int) -> np.ndarray:
    """``D[i, j]`` = first grader's score minus the second's for a case in cell ``(i, j)``, scores ``k - index`` (best k ... worst 1), i.e. ``j - i``."""
    i = np.arange(k)
    return (i[None, :] - i[:, None]).astype(float)


def mean_score_gap(table, confidence: float = 0.95) -> Interval:
    """Mean of (force score - inspectors' score) over the cases, with the paired t interval.

    Scores are ``k - index`` (best grade k down to worst grade 1, on any k-point scale), so a case
    in cell ``(i, j)`` contributes ``j - i``. The interval is ``mean +/- t(n - 1) * s / sqrt(n)``
    with ``s`` the standard deviation of the case differences (divisor ``n - 1``), the one-sample t
    interval on the differences; it equals
    ``scipy.stats.ttest_1samp(differences, 0).confidence_interval(confidence)`` on the case-level
    data. When every case has the same difference the interval is the single point ``mean``. NaN
    when n < 2.

    Reference: Student, "The probable error of a mean", Biometrika 6, 1908; any account of the
    paired t interval, e.g. Altman, *Practical Statistics for Medical Research*, 1991, section 9.6.
    """
    t = _tables(table)
    n = t.sum(axis=(-2, -1))
    d = score_differences(t.shape[-1])
    s1 = (t * d).sum(axis=(-2, -1))
    s2 = (t * d**2).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / n
        # sum of squared deviations as (n * s2 - s1^2) / n: for counts the numerator is a whole number, so tables
        # with the same first two moments of the differences get exactly the same interval
        ss = np.maximum(n * s2 - s1**2, 0.0) / n
        se = np.sqrt(ss / (n - 1) / n)
    ok = n >= 2
    mean, se = np.where(ok, mean, np.nan), np.where(ok, se, np.nan)
    df, where = np.unique(np.where(ok, n - 1, 1), return_inverse=True)  # one quantile per distinct df (a stack shares n)
    q = stats.t.ppf(0.5 + confidence / 2, df)[where.reshape(np.shape(n))]
    return _interval(mean, se, mean - q * se, mean + q * se)


def kappa_standard_error(table, weights: str = "identity") -> float | np.ndarray:
    """Large-sample (non-null) standard error of Cohen's kappa or weighted kappa, Fleiss, Cohen and Everitt (1969).

    With proportions ``p = T / n``, margins ``r`` (rows) and ``c`` (columns), agreement weights
    ``w`` (1 on the diagonal; :func:`analysis.stats.agreement.agreement_weights`), ``p_e = sum(w r
    c')``, kappa ``K`` and ``wbar_i. = sum_j w_ij c_j``, ``wbar_.j = sum_i w_ij r_i``::

        var = [sum p_ij (w_ij - (wbar_i. + wbar_.j)(1 - K))**2 - (K - p_e (1 - K))**2] / (n (1 - p_e)**2)

    ``weights`` is ``"identity"`` (Cohen's kappa), ``"linear"`` (R vcd's "Equal-Spacing") or
    ``"quadratic"`` ("Fleiss-Cohen"). This is the ``ASE`` of R's ``vcd::Kappa`` and of SAS PROC
    FREQ. NaN where kappa is undefined (``p_e = 1``) or n = 0.

    Reference: Fleiss, Cohen and Everitt, "Large sample standard errors of kappa and weighted
    kappa", Psychological Bulletin 72, 1969; Fleiss, Levin and Paik, *Statistical Methods for
    Rates and Proportions*, 3rd ed., 2003, section 18.1.
    """
    t = _tables(table)
    k = t.shape[-1]
    w = agreement_weights(k, weights)
    n = t.sum(axis=(-2, -1))
    nn = np.where(n > 0, n, 1.0)
    p = t / nn[..., None, None]
    r, c = p.sum(axis=-1), p.sum(axis=-2)
    pe = np.einsum("ij,...i,...j->...", w, r, c)
    kap = np.asarray(weighted_kappa(t, weights), dtype=float)
    wi = np.einsum("ij,...j->...i", w, c)
    wj = np.einsum("ij,...i->...j", w, r)
    one_k = (1 - kap)[..., None, None]
    dev = w - (wi[..., :, None] + wj[..., None, :]) * one_k
    num = (p * dev**2).sum(axis=(-2, -1)) - (kap - pe * (1 - kap)) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.maximum(num, 0.0) / (nn * (1 - pe) ** 2)
    se = np.where((n > 0) & np.isfinite(kap), np.sqrt(var), np.nan)
    return _out(se)


def kappa_interval(table, weights: str = "identity", confidence: float = 0.95) -> Interval:
    """Cohen's kappa or weighted kappa with the Wald interval ``K +/- z * se``, se of Fleiss, Cohen and Everitt (1969).

    The estimate is :func:`analysis.stats.agreement.weighted_kappa` (so it matches the published
    ranges exactly) and the standard error :func:`kappa_standard_error`. ``z`` is the standard
    normal quantile for ``confidence`` (1.959964 for 95%, often rounded to 1.96). As in R's
    ``confint`` method for ``vcd::Kappa``, the limits are clipped to [-1, 1].

    Reference: Fleiss, Cohen and Everitt, Psychological Bulletin 72, 1969; Meyer, Zeileis and
    Hornik, vcd: Visualizing Categorical Data (R package), ``Kappa`` and ``confint.Kappa``.
    """
    t = _tables(table)
    est = np.asarray(weighted_kappa(t, weights), dtype=float)
    se = np.asarray(kappa_standard_error(t, weights), dtype=float)
    z = _z(confidence)
    return _interval(est, se, np.clip(est - z * se, -1.0, 1.0), np.clip(est + z * se, -1.0, 1.0))


def newcombe_paired_difference(a, b, c, d, confidence: float = 0.95) -> Interval:
    """Difference of paired proportions ``(a + b) / n - (a + c) / n`` with Newcombe's score interval (1998, method 10).

    ``a`` counts the cases both graders put in the category, ``b`` those only the first did, ``c``
    those only the second did and ``d`` those neither did (scalars or arrays of the same shape). With
    ``p1 = (a + b) / n``, ``p2 = (a + c) / n`` and their Wilson score intervals ``(l1, u1)`` and
    ``(l2, u2)``, and ``phi`` the correlation of the 2 x 2 table with Newcombe's correction
    (``ad - bc`` reduced by ``n / 2`` when it exceeds ``n / 2``, set to 0 when between 0 and ``n / 2``,
    kept when negative; 0 when a margin is empty), the limits are::

        L = D - sqrt((p1 - l1)**2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)**2)
        U = D + sqrt((p2 - l2)**2 - 2 phi (p2 - l2)(u1 - p1) + (u1 - p1)**2)

    It stays inside [-1, 1] and, unlike the Wald interval, behaves well at small n. ``se`` is
    reported as NaN (the interval is not estimate +/- z se). NaN when n = 0.

    Reference: R. G. Newcombe, "Improved confidence intervals for the difference between binomial
    proportions based on paired data", *Statistics in Medicine* 17 (1998), 2635-2650, method 10;
    Fagerland, Lydersen and Laake, *Statistical Analysis of Contingency Tables* (2017), section 8.5.
    """
    a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
    n = a + b + c + d
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = (a + b) / n, (a + c) / n

        def wilson(p):
            centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
            half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
            return centre - half, centre + half

        (l1, u1), (l2, u2) = wilson(p1), wilson(p2)
        margins = (a + b) * (c + d) * (a + c) * (b + d)
        cross = a * d - b * c
        corrected = np.where(cross > n / 2, cross - n / 2, np.where(cross < 0, cross, 0.0))
        phi = np.where(margins > 0, corrected / np.sqrt(np.where(margins > 0, margins, 1.0)), 0.0)
        diff = p1 - p2
        low = diff - np.sqrt(np.maximum((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0))
        high = diff + np.sqrt(np.maximum((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0))
    ok = n > 0
    nan = np.full(np.shape(n), np.nan)
    return _interval(np.where(ok, diff, np.nan), nan, np.where(ok, low, np.nan), np.where(ok, high, np.nan))
