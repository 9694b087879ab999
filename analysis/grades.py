"""Ordinal grade scales: the order, scores, column slugs and the pandas dtype of any scale, and Gwent's scale as the default.

An audit package names its own scale (``audit.json``: 2 to 7 grades, best first); every function
here takes the scale as an argument. :data:`GRADES` is the scale of the Gwent 2019 audit, the
project's default package, kept for Gwent's own sections and its tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.narrative.style import number_word

#: Gwent 2019's grade labels exactly as in its figures, best first.
GRADES: tuple[str, ...] = ("good", "requires improvement", "inadequate")


def grade_slug(grade: str) -> str:
    """Identifier-safe form of a grade, for column names such as ``share_requires_improvement``."""
    return "_".join(grade.lower().replace("-", " ").split())


def grade_slugs(grades: Sequence[str]) -> dict[str, str]:
    """Each grade's :func:`grade_slug`."""
    return {g: grade_slug(g) for g in grades}


def grade_scores(grades: Sequence[str]) -> dict[str, int]:
    """Scores where a number is needed: the best grade scores k, the worst 1 (Gwent: good 3, requires improvement 2, inadequate 1)."""
    k = len(grades)
    return {g: k - i for i, g in enumerate(grades)}


def grade_dtype(grades: Sequence[str]) -> pd.CategoricalDtype:
    """Ordered categorical dtype with categories worst to best, so that ``a > b`` means "a is the better grade"."""
    return pd.CategoricalDtype(categories=list(reversed(grades)), ordered=True)


def grade_rank(values, grades: Sequence[str] = GRADES) -> pd.Series:
    """Position of each grade in ``grades`` (0 = best), for sorting best first."""
    order = {g: i for i, g in enumerate(grades)}
    return pd.Series(values).map(order)


def short_grade(grade: str) -> str:
    """A grade as written in compact notes: several words by their initials (requires improvement: RI), one word as it is."""
    words = grade.split()
    return "".join(w[0].upper() for w in words) if len(words) > 1 else grade


def score_note(grades: Sequence[str], words: bool = False) -> str:
    """The scores in a few words: ``good 3, RI 2, inadequate 1``, or with ``words`` ``good three, requires improvement two, inadequate one``."""
    if words:
        return ", ".join(f"{g} {number_word(s)}" for g, s in grade_scores(grades).items())
    return ", ".join(f"{short_grade(g)} {s}" for g, s in grade_scores(grades).items())


#: Gwent's scores, slugs and dtype (the default package's scale).
GRADE_SCORES: dict[str, int] = grade_scores(GRADES)
GRADE_SLUGS: dict[str, str] = grade_slugs(GRADES)
GRADE_DTYPE = grade_dtype(GRADES)
