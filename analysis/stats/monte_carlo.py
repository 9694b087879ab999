"""Monte Carlo error of a p-value (or any probability) estimated from random draws."""

from __future__ import annotations

import numpy as np


def monte_carlo_se(estimate, draws, plus_one: bool = True) -> float | np.ndarray:
    """Standard error of a Monte Carlo probability estimate, from the binomial variance of its hit count.

    A Monte Carlo p-value counts the ``H`` of ``B = draws`` simulated statistics at least as extreme
    as the observed one; ``H`` is Binomial(B, p). With ``plus_one=True`` (the default, as
    :func:`analysis.stats.association.fisher_freeman_halton` and SciPy's ``monte_carlo_test``
    report it) the estimate is ``(H + 1) / (B + 1)``, whose standard error is
    ``sqrt(B p (1 - p)) / (B + 1)``; with ``plus_one=False`` it is ``H / B``, with standard error
    ``sqrt(p (1 - p) / B)``. ``p`` is replaced by the plug-in ``H / B``, recovered from
    ``estimate``. When no draw was a hit (``H = 0``) the plug-in error is 0, which understates the
    uncertainty: quote instead an upper bound for ``p`` (for example the one-sided Clopper-Pearson
    bound ``1 - 0.05 ** (1 / B)``, about ``3 / B``). Accepts scalars or arrays.

    Reference: Davison and Hinkley, *Bootstrap Methods and their Application*, 1997, section 4.2.5;
    Phipson and Smyth, "Permutation p-values should never be zero", Statistical Applications in
    Genetics and Molecular Biology 9, 2010 (the ``(H + 1) / (B + 1)`` estimate).
    """
    p = np.asarray(estimate, dtype=float)
    b = np.asarray(draws, dtype=float)
    if np.any(b < 1) or np.any(b != np.round(b)):
        raise ValueError("draws must be a positive whole number")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("the estimate must lie between 0 and 1")
    if plus_one:
        hits = p * (b + 1) - 1
        if np.any(hits < -1e-9 * (b + 1)) or np.any(np.abs(hits - np.round(hits)) > 1e-6 * (b + 1)):
            raise ValueError("with plus_one=True the estimate must be (H + 1) / (B + 1) for a whole number H of hits")
        q = np.clip(np.round(hits) / b, 0.0, 1.0)
        se = np.sqrt(b * q * (1 - q)) / (b + 1)
    else:
        se = np.sqrt(p * (1 - p) / b)
    return float(se) if se.ndim == 0 else se
