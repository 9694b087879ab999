"""Verdict words chosen by the numbers they describe: every judgement word in a generated sentence comes from here.

A sentence that says "far more kindly", "is not shown to differ" or "far from certainly" makes a claim
about a figure. Each function below takes that figure and returns the words, with its thresholds
named, so that a changed figure changes the words (the tests move each input across each
threshold). Counts in words use :func:`analysis.text.number_word`.
"""

from __future__ import annotations

from analysis.text import join_words, number_word

#: Significance level of every verdict on a p-value.
ALPHA = 0.05

#: Posterior probabilities at which "the most likely weakest" becomes "probably" and "almost certainly".
PROBABLY, ALMOST_CERTAINLY = 0.8, 0.95

#: Share of cases that must be graded better, under every pairing, for "far more kindly".
FAR_MORE = 0.5

#: Landis and Koch's upper limit of "slight" agreement, below which a kappa is "low".
LOW_KAPPA = 0.2


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``"no force"``, ``"one force"``, ``"two forces"`` (words up to twelve, figures above)."""
    plural = plural or singular + "s"
    if n == 0:
        return f"no {singular}"
    return f"{number_word(n)} {singular if n == 1 else plural}"


def kindness(gap_ci_low: float, gap_ci_high: float, share_better_low: float) -> str:
    """How the force graded its own cases against the inspectors: from the 95% interval of the gap in the share graded best and the fewest cases graded better.

    ``"far more kindly"`` when the whole interval lies above zero and at least :data:`FAR_MORE` of
    the cases were graded better under every pairing; ``"more kindly"`` when only the interval lies
    above zero; ``"more harshly"`` when it lies below; otherwise ``"neither clearly more kindly nor
    more harshly"``.
    """
    if gap_ci_low > 0:
        return "far more kindly" if share_better_low >= FAR_MORE else "more kindly"
    if gap_ci_high < 0:
        return "more harshly"
    return "neither clearly more kindly nor more harshly"


def generosity(gap_ci_low: float, gap_ci_high: float, share_better_low: float) -> str:
    """The same judgement as :func:`kindness` as an adjective phrase: ``"much more generous than"``, ``"more generous than"``, ..."""
    return {
        "far more kindly": "much more generous than",
        "more kindly": "more generous than",
        "more harshly": "harsher than",
    }.get(kindness(gap_ci_low, gap_ci_high, share_better_low), "not clearly more generous or harsher than")


def shown_to_differ(p: float, alpha: float = ALPHA) -> str:
    """``"is shown to differ"`` when ``p < alpha``, else ``"is not shown to differ"`` (never "does not differ")."""
    return "is shown to differ" if p < alpha else "is not shown to differ"


def areas_shown(names: list[str]) -> str:
    """Which areas a multiplicity-adjusted test shows to differ, as the subject and verb of a sentence (never a double negative).

    ``"no area is shown to differ"``, ``"Custody is shown to differ"``, ``"Custody and Missing are shown to differ"``.
    """
    if not names:
        return "no area is shown to differ"
    listed = join_words(names)
    return f"{listed} {'is' if len(names) == 1 else 'are'} shown to differ"


def mix_verdict(crude_excess: float, adjusted_low: float, adjusted_high: float) -> str:
    """Whether an area's excess over the other areas survives the sample mix, from its crude excess and the range of its standardised excess.

    ``"has no excess over the other areas to explain"`` when its crude share is not above theirs
    (or the standardised excess is undefined); ``"keeps an excess over the other areas however its cases
    split between the samples"`` when the standardised excess is above zero in every consistent table;
    ``"has an excess that could be the sample mix"`` when some consistent table puts it at zero or below.
    """
    if not crude_excess > 0 or adjusted_low != adjusted_low or adjusted_high != adjusted_high:
        return "has no excess over the other areas to explain"
    if adjusted_low > 0:
        return "keeps an excess over the other areas however its cases split between the samples"
    return "has an excess that could be the sample mix"


def how_certain(probability: float) -> str:
    """What a posterior probability of being the weakest makes of the most likely weakest area, as a phrase.

    ``"almost certainly the weakest area"`` (at least :data:`ALMOST_CERTAINLY`), ``"probably the
    weakest area"`` (at least :data:`PROBABLY`), ``"more likely than not the weakest area, but far
    from certainly"`` (above one half), else ``"the most likely weakest area, though more likely than
    not another area is weaker"``.
    """
    if probability >= ALMOST_CERTAINLY:
        return "almost certainly the weakest area"
    if probability >= PROBABLY:
        return "probably the weakest area"
    if probability > 0.5:
        return "more likely than not the weakest area, but far from certainly"
    return "the most likely weakest area, though more likely than not another area is weaker"


def band_span(low_band: str, high_band: str) -> str:
    """A range of Landis and Koch bands in words: ``"'slight' throughout"`` or ``"from 'poor' to 'fair'"``."""
    return f"'{low_band}' throughout" if low_band == high_band else f"from '{low_band}' to '{high_band}'"


def restates(kinder_kappa: float | None) -> str | None:
    """How far a low kappa restates the leniency, from the kappa of the "same ranking, one grade kinder" pairing.

    ``None`` when that pairing does not fit the totals (then the sentence is not made);
    ``"largely restates"`` when its kappa is below :data:`LOW_KAPPA` (so leniency alone gives a low
    kappa); else ``"only partly explains"``.
    """
    if kinder_kappa is None:
        return None
    return "largely restates" if kinder_kappa < LOW_KAPPA else "only partly explains"


def spread_beyond_chance(p: float, alpha: float = ALPHA) -> str:
    """The reading of a calibrated over-dispersion test: whether units' shares spread more than chance alone would make them."""
    if p < alpha:
        return "the forces' shares spread more than chance alone would make them"
    return "the test finds no more spread than chance alone could give"


def unusual(p: float, alpha: float = ALPHA) -> str:
    """The reading of a two-sample comparison: unusual under no difference, or could arise by chance."""
    if p < alpha:
        return "a difference this large would be unusual if both sets of cases had the same grade mix"
    return "with samples this small, a difference of this size could arise by chance"


def more_or_fewer(a: float, b: float, noun: str = "") -> str:
    """``"more"``, ``"fewer"`` or ``"as many"`` (``a`` against ``b``), with ``noun`` after it when given."""
    word = "more" if a > b else ("fewer" if a < b else "as many")
    return f"{word} {noun}".strip()


def inside_words(position: str) -> str:
    """A funnel position in words: ``"inside"`` the 95% limits or ``"outside"`` them (above or below)."""
    return "inside" if position in ("within_95", "inside") else "outside"


def direction(low: float, high: float, up: str, down: str) -> str | None:
    """The direction both ends of a range agree on: ``up`` when ``low > 0``, ``down`` when ``high < 0``, else ``None``.

    A range that touches or crosses zero gets no direction word: no sentence may say "more" or
    "higher" of a quantity that some consistent table makes zero or negative.
    """
    if low > 0:
        return up
    if high < 0:
        return down
    return None


def span(low: float, high: float, show=str, *, joiner: str = "and") -> str:
    """A range as words from both ends: ``show(low)`` when they are equal, else ``"between {low} and {high}"`` (``joiner`` "to": ``"from ... to ..."``)."""
    if show(low) == show(high):
        return show(low)
    return f"between {show(low)} and {show(high)}" if joiner == "and" else f"from {show(low)} to {show(high)}"


def tables_fit(n_tables: int, what: str = "table of whole cases") -> str:
    """How many consistent tables fit, with the verb agreeing: ``"exactly one table of whole cases fits"``, ``"28 tables of whole cases fit"``."""
    plural = what.replace("table", "tables", 1)
    return f"exactly one {what} fits" if n_tables == 1 else f"{number_word(n_tables)} {plural} fit"


def change_words(ci_low: float, ci_high: float) -> str:
    """How a share changed between two audits, from the interval of its change (later minus earlier).

    ``"fell"`` when the whole interval lies below zero, ``"rose"`` when it lies above zero,
    otherwise (zero inside the interval, an end on zero included) ``"no clear change"``.
    """
    if ci_high < 0:
        return "fell"
    if ci_low > 0:
        return "rose"
    return "no clear change"
