"""The power of a two-sample comparison of shares: the smallest difference an audit of a given size would detect (Cohen's h, normal approximation)."""

from __future__ import annotations

import math

from statsmodels.stats.power import NormalIndPower

from analysis.choices import ALPHA, POWER


def detectable_difference(p1: float, n1: int, n2: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """Smallest increase over share ``p1`` that a two-sided two-sample test at level ``alpha`` detects with probability ``power``.

    Solves Cohen's arcsine effect size ``h`` for samples of ``n1`` and ``n2`` cases with
    ``statsmodels.stats.power.NormalIndPower().solve_power`` and converts it back to a proportion:
    ``p2 = sin(asin(sqrt(p1)) + h / 2) ** 2`` (capped at a share of one).
    Reference: Cohen, J. (1988), *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 6.
    """
    h = NormalIndPower().solve_power(effect_size=None, nobs1=n1, alpha=alpha, power=power, ratio=n2 / n1, alternative="two-sided")
    angle = min(math.asin(math.sqrt(p1)) + float(h) / 2, math.pi / 2)
    return math.sin(angle) ** 2 - p1
