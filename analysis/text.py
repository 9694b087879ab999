"""Small helpers that turn computed values into words for generated prose (never typed numbers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def count_share(k: int, n: int, digits: int = 0) -> str:
    """``"k of n (p%)"``, the house style for a share: every percentage shown with its count."""
    if n <= 0:
        raise ValueError("n must be positive")
    return f"{k} of {n} ({k / n:.{digits}%})"


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """Join ``["a", "b", "c"]`` as ``"a, b and c"``."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def long_date(value: dt.date | str) -> str:
    """A date as ``"4 February 2019"``."""
    d = dt.date.fromisoformat(str(value))
    return f"{d.day} {d:%B %Y}"


def long_month(value: str) -> str:
    """A ``YYYY-MM`` month as ``"June 2019"``."""
    return f"{dt.date.fromisoformat(value + '-01'):%B %Y}"


def date_range(start: dt.date | str, end: dt.date | str) -> str:
    """A date range in words, shortened when start and end share a month: ``"4 to 15 February 2019"``."""
    a, b = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day} to {long_date(b)}"
    return f"{long_date(a)} to {long_date(b)}"


def percent(share: float) -> str:
    """A share as a whole percentage, e.g. ``0.303 -> "30%"``."""
    return f"{share:.0%}"


def exact_percent(share: float) -> str:
    """A share as a percentage with every decimal it needs (up to six significant figures), e.g. ``1 - 0.05/8 -> "99.375%"``."""
    return f"{100 * share:.6g}%"


def interval_text(low: float, high: float, confidence: float = 0.95) -> str:
    """An interval of shares as words, the one wording used everywhere: ``"95% interval 17% to 48%"``."""
    return f"{confidence:.0%} interval {percent(low)} to {percent(high)}"


def signed(x: float, digits: int = 2) -> str:
    """A real number with a true minus sign when negative (e.g. kappa ``-0.05 -> "−0.05"``)."""
    return f"{x:.{digits}f}".replace("-", "\u2212")


def p_text(p: float) -> str:
    """A p-value in a sentence: three decimals, or ``p < 0.001``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def graded_phrase(grade: str, past: bool = True) -> str:
    """How a grade reads after a count of cases: ``"required improvement"`` for a grade phrased as a verb, else ``"graded good"``."""
    words = grade.split()
    if words[0] == "requires" and len(words) > 1:
        return ("required " if past else "require ") + " ".join(words[1:])
    return f"{'were ' if past else 'are '}graded {grade}"


_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def number_word(n: int) -> str:
    """A whole number in words up to twelve (house style for small counts in prose), else in figures."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def source_text(source) -> str:
    """Where an audit's figures come from, for the "Source:" line of a chart: inspectorate, title and month of publication."""
    return f"{source['inspectorate']}, {source['title']} ({long_month(source['publication_month'])})"


def grade_word(grade: str) -> str:
    """A grade as it reads after a count of cases: ``"requiring improvement"`` for ``"requires improvement"``, else the grade."""
    words = grade.split()
    if words[0] == "requires" and len(words) > 1:
        return "requiring " + " ".join(words[1:])
    return grade


def counts_in_words(counts: Sequence[int], n: int, grades: Sequence[str], *, none: str | None = None, before_verb: str = "") -> str:
    """Counts per grade as a phrase: ``"27 of 33 (82%) good, 6 of 33 (18%) requiring improvement and 0 of 33 (0%) inadequate"``.

    ``none`` replaces a zero count (e.g. ``"none"``); ``before_verb`` goes before a grade phrased as a
    verb (e.g. ``"as "``: "as requiring improvement").
    """
    parts = []
    for count, grade in zip(counts, grades, strict=True):
        amount = none if (none is not None and int(count) == 0) else count_share(int(count), n)
        word = grade_word(grade)
        parts.append(f"{amount} {before_verb + word if word != grade else word}")
    return join_words(parts)


def fixed(x: float, digits: int = 1) -> str:
    """``x`` to ``digits`` decimals, halves rounded up (away from zero) as readers expect: 8.25 is "8.3", not Python's "8.2".

    Works on the shortest decimal that represents the float (``repr``), so a value printed as 8.25
    rounds as 8.25 does, whatever its binary approximation.
    """
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(1).scaleb(-digits)
    return f"{Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP):f}"


#: Simple fractions for plain words, smallest first.
_FRACTIONS = (
    (0.1, "a tenth"),
    (0.2, "a fifth"),
    (0.25, "a quarter"),
    (1 / 3, "a third"),
    (0.4, "two fifths"),
    (0.5, "half"),
    (0.6, "three fifths"),
    (2 / 3, "two thirds"),
    (0.75, "three quarters"),
    (0.8, "four fifths"),
    (0.9, "nine tenths"),
)


def fraction_at_least(share: float) -> str:
    """The largest simple fraction not above ``share``, in words, for a lower bound read aloud ("at least a third").

    Rounding a lower bound down keeps "at least" true: 0.36 reads "a third", never "two fifths".
    Below a tenth: the share as a whole percentage.
    """
    chosen = [words for value, words in _FRACTIONS if value <= share + 1e-12]
    return chosen[-1] if chosen else percent(share)
