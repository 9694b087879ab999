"""The house style of every generated sentence: numbers and dates in words, plurals, ranges in words, verdict words with their thresholds, and the escaping that keeps a package's words text.

Small helpers turn computed values into words (never typed numbers). Verdict words are chosen by the
numbers they describe: a sentence that says "far more kindly", "is not shown to differ" or "far from
certainly" makes a claim about a figure, so each verdict function takes that figure and returns the
words, with its thresholds named, so that a changed figure changes the words (the tests move each
input across each threshold).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence

from analysis.choices import ALPHA, CONFIDENCE


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


def level_text(level: float = CONFIDENCE) -> str:
    """A confidence (or any) level as a percentage with every decimal it needs: ``0.95 -> "95%"``, ``0.998 -> "99.8%"``.

    The one way a sentence names a level; the default is the analysis's :data:`analysis.choices.CONFIDENCE`.
    """
    return exact_percent(level)


def interval_text(low: float, high: float, confidence: float = CONFIDENCE) -> str:
    """An interval of shares as words, the one wording used everywhere: ``"95% interval 17% to 48%"`` (the level from :func:`level_text`)."""
    return f"{level_text(confidence)} interval {percent(low)} to {percent(high)}"


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


def source_line(record, meta) -> str:
    """Where an audit's figures come from, in one line (the "Source:" line of every chart): the report's ``record`` (:func:`source_text`), else ``meta``'s sources and date (``audit.json``)."""
    if record is not None:
        return source_text(record)
    return "; ".join(title for title, _ in meta.sources) + f" ({meta.published})"


def grade_word(grade: str) -> str:
    """A grade as it reads after a count of cases: ``"requiring improvement"`` for ``"requires improvement"``, else the grade."""
    words = grade.split()
    if words[0] == "requires" and len(words) > 1:
        return "requiring " + " ".join(words[1:])
    return grade


def counts_in_words(counts: Sequence[int], n: int, grades: Sequence[str], *, none: str | None = None, before_verb: str = "") -> str:
    """Counts per grade as a phrase: ``"27 of 33 (82%) good, 6 of 33 (18%) requiring improvement and 0 of 33 (0%) inadequate"``.

    ``none`` replaces a zero count (e.g. ``"none"``); ``before_verb`` goes before a grade phrased as a
    verb (e.g. ``"as "``: "as requiring improvement"). Markdown: each grade is :func:`as_text`.
    """
    parts = []
    for count, grade in zip(counts, grades, strict=True):
        amount = none if (none is not None and int(count) == 0) else count_share(int(count), n)
        word = grade_word(grade)
        parts.append(f"{amount} {before_verb + as_text(word) if word != grade else as_text(word)}")
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


# --------------------------------------------------------------------------- a package's words are text


class Markup(str):
    """Markdown (or HTML) that the project's own code wrote, such as a link from :func:`link`: shown as it is, never escaped again.

    Every other string that reaches a page is text: :func:`analysis.display.pipe_table` passes
    each table cell through :func:`as_text` unless it is ``Markup``.
    """


#: Characters replaced by a numeric character reference wherever they are: each can start Markdown
#: (code, emphasis, links and images, attributes and Quarto shortcodes, math, citations, pipe
#: tables, sub- and superscript) or is the escape character itself.
_ALWAYS = "\\`*[]{}$|@~^"
#: Control characters (Unicode Cc) and the line and paragraph separators: a page shows a space.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Markup that only a few contexts make live, matched by where the character stands:
#: ``&`` that would start a character reference, ``<`` that would start a tag, comment or
#: autolink, ``_`` that could open emphasis (not inside a word: ``force_selected`` stays as it is),
#: and, at the start of the text, a character that would start a block there (a heading, a quote,
#: a list item, a definition, a rule, a title block); ``-0.33`` stays as it is.
_CONTEXT = re.compile(r"&(?=[#A-Za-z0-9])|<(?=[A-Za-z/!?])|(?<![A-Za-z0-9])_(?=\S)|^(?:[#>:]|[-+%](?=\s|-|$))")


def _reference(ch: str) -> str:
    return f"&#{ord(ch)};"


def as_text(value: object) -> str:
    """A package's words as text for a page: ``value`` as a string that Markdown, Quarto and HTML all show exactly as written.

    The one function every string from an audit package passes through before it reaches a
    notebook's Markdown output, a ``.qmd`` page, a site configuration or an HTML page. Each
    character that could start markup (an HTML tag or character reference, Markdown emphasis,
    code, a link or image, a Pandoc attribute or raw block, ``$`` math, a citation, a Quarto
    shortcode ``{{< ... >}}`` or inline ``{python}`` code) is written as a numeric character
    reference (``<`` as ``&#60;``), which Pandoc, CommonMark and every browser show as the character
    itself and never read as markup. Control characters and line breaks become spaces, so the text
    stays on one line. Everything else is kept, so plain words (Gwent's, for example) come out
    byte for byte as they went in. Not for chart labels: matplotlib draws a string as given (see
    :func:`analysis.plots.setup_style`).
    """
    text = _CONTROL.sub(" ", str(value))
    text = _CONTEXT.sub(lambda m: _reference(m.group()), text)
    return "".join(_reference(ch) if ch in _ALWAYS else ch for ch in text)


def as_html(value: object) -> str:
    """A package's words for an HTML page written without Quarto: :func:`as_text`, with quotes and angle brackets escaped too.

    Safe as element text and inside a double- or single-quoted attribute value.
    """
    return as_text(value).replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


#: A web address a page may link to: http or https, a host, and no space, quote, angle bracket or
#: backslash anywhere (those could end the address early in Markdown or HTML).
_WEB_ADDRESS = re.compile(r"https?://[^\s\"'<>\\`{}|^]+", re.IGNORECASE)


def web_address(value: object) -> str | None:
    """``value`` if it is an ``http://`` or ``https://`` address that can be written into a link as it is, else ``None``.

    Anything else (``javascript:``, ``data:``, a file path, an address holding a quote or a
    space) is never a link: callers show it as text.
    """
    text = str(value)
    return text if _WEB_ADDRESS.fullmatch(text) else None


def _markdown_url(url: str) -> str:
    # Parentheses and square brackets are the only characters left that could end a Markdown link target.
    return url.replace("(", "%28").replace(")", "%29").replace("[", "%5B").replace("]", "%5D")


def link(text: object, url: object) -> Markup:
    """A Markdown link ``[text](url)`` when ``url`` is an http(s) address (:func:`web_address`); otherwise the text alone.

    The link text is :func:`as_text`; an address that is not a web address is dropped from the
    link (and not shown), so a package can never make a ``javascript:`` or ``data:`` link.
    """
    address = web_address(url)
    words = as_text(text)
    return Markup(f"[{words}]({_markdown_url(address)})" if address else words)


def html_link(text: object, url: object) -> Markup:
    """An HTML link ``<a href="url">text</a>`` when ``url`` is an http(s) address (:func:`web_address`), else the text alone.

    The text is :func:`as_text` (so it is text in HTML and in Markdown alike, as inside a Markdown
    table) and the address is escaped for a quoted attribute; for other text and attribute values
    of an HTML page use :func:`as_html`.
    """
    address = web_address(url)
    words = as_text(text)
    return Markup(f'<a href="{html.escape(address, quote=True)}">{words}</a>' if address else words)


#: Inline code a page may show as code: no backtick or line break inside, not starting with ``{``
#: (which Quarto would read as inline code to run, such as ``{python}``) and no ``{{`` (Quarto reads
#: shortcodes inside code too).
_SAFE_CODE = re.compile(r"[^`{\x00-\x1f\x7f-\x9f\u2028\u2029][^`\x00-\x1f\x7f-\x9f\u2028\u2029]*")


def code(value: object) -> Markup:
    """``value`` as Markdown inline code (a column name, a pattern), or as :func:`as_text` when it could not be shown as code safely."""
    text = str(value)
    return Markup(f"`{text}`" if _SAFE_CODE.fullmatch(text) and "{{" not in text else as_text(text))


def prose(value: object) -> Markup:
    """A description from a data package: :func:`as_text`, except that inline code written in single backticks stays code (:func:`code`)."""
    parts = str(value).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all of it is text
        return Markup(as_text(value))
    return Markup("".join(code(p) if i % 2 else as_text(p) for i, p in enumerate(parts)))


# --------------------------------------------------------------------------- verdict words chosen by numbers

#: Posterior probabilities at which "the most likely weakest" becomes "probably" and "almost certainly".
PROBABLY, ALMOST_CERTAINLY = 0.8, 0.95

#: Share of cases that must be graded better, under every pairing, for "far more kindly".
FAR_MORE = 0.5

#: Landis and Koch's upper limit of "slight" agreement, below which a kappa is "low".
LOW_KAPPA = 0.2


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun agreeing with ``n``: ``singular`` when ``n`` is 1, else ``plural`` (``singular + "s"`` unless given)."""
    return singular if n == 1 else (plural or singular + "s")


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
