"""The inspectorate's ordinal grade scale, in one place: labels, order, scores and column slugs."""

from __future__ import annotations

import pandas as pd

#: Grade labels exactly as used in every data file, best first.
GRADES: tuple[str, ...] = ("good", "requires improvement", "inadequate")

#: Scores where a number is needed: higher is better (good = 3, requires improvement = 2, inadequate = 1).
GRADE_SCORES: dict[str, int] = {"good": 3, "requires improvement": 2, "inadequate": 1}

#: Identifier-safe form of each grade, for column names such as ``share_requires_improvement``.
GRADE_SLUGS: dict[str, str] = {g: g.replace(" ", "_") for g in GRADES}

#: Ordered categorical dtype; categories run from worst to best so that ``a > b`` means "a is the better grade".
GRADE_DTYPE = pd.CategoricalDtype(categories=list(reversed(GRADES)), ordered=True)


def grade_rank(values) -> pd.Series:
    """Position of each grade in :data:`GRADES` (0 = good), for sorting best first."""
    order = {g: i for i, g in enumerate(GRADES)}
    return pd.Series(values).map(order)
