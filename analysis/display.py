"""How notebooks show things: tables as Markdown (never HTML, so a page loads nothing from other hosts), and a stable text form for pandas Stylers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from analysis.narrative.style import Markup, as_text, level_text


def _cell(value: Any, fmt: str | Callable[[Any], str] | None = None) -> str:
    """One table cell: the value (formatted) as text (:func:`analysis.narrative.style.as_text`) on one line, or as it is when it is :class:`Markup`."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        text = ""
    elif fmt is None:
        text = value if isinstance(value, Markup) else str(value)
    elif callable(fmt):
        text = fmt(value)
    else:
        text = fmt.format(value)
    markup = isinstance(text, Markup)
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("|", "\\|") if markup else as_text(text)


def pipe_table(
    frame: pd.DataFrame,
    right: Iterable[str] | None = None,
    caption: str | None = None,
    label: str | None = None,
    *,
    index: bool = False,
    formats: Mapping[str, str | Callable[[Any], str]] | None = None,
) -> str:
    """A pandas frame as a Markdown pipe table.

    ``right`` names the right-aligned columns (numbers); by default every numeric column.
    ``index=True`` shows the index (with its name) as the first column. ``formats`` maps a column
    to a format string (``"{:.3f}"``) or a function. Empty and missing values show as blank cells.
    Every header, cell and the caption is text (:func:`analysis.narrative.style.as_text`: a package's grade or
    area name cannot become markup), except a cell that is :class:`~analysis.narrative.style.Markup` (a link
    the project made). ``caption`` (and an optional ``label`` starting ``tbl-``) is written as Pandoc's table caption
    line ``: caption {#tbl-label}``, which Quarto renders as a numbered table caption; in a notebook,
    leave both out and give the cell ``#| label:`` and ``#| tbl-cap:`` options instead.
    """
    if label is not None and not re.fullmatch(r"tbl-[a-z0-9-]+", label):
        raise ValueError(f"table label {label!r} must be 'tbl-' followed by lower-case letters, digits and hyphens")
    if index:
        frame = frame.reset_index()
    formats = dict(formats or {})
    right = set(right) if right is not None else {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    header = "| " + " | ".join(_cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if c in right else ":---" for c in frame.columns) + "|"
    body = [
        "| " + " | ".join(_cell(v, formats.get(c)) for c, v in zip(frame.columns, row, strict=True)) + " |"
        for row in frame.itertuples(index=False)
    ]
    lines = [header, rule, *body]
    if caption is not None:
        lines += ["", f": {_cell(caption)}" + (f" {{#{label}}}" if label else "")]
    return "\n".join(lines) + "\n"


#: Characters after which a long name (a file, a column) may break: a browser breaks it only there.
SEPARATORS = "_./-"


def breakable(name: str) -> Markup:
    """``name`` (a file or column name) as inline Markdown that breaks only after a separator (``_ . / -``).

    A ``<wbr>`` follows each separator that has more of the name after it, underscores are
    escaped (so Markdown never reads them as emphasis) and the rest is shown as text
    (:func:`analysis.narrative.style.as_text`).
    """
    text = as_text(str(name))
    return Markup(re.sub(f"([{re.escape(SEPARATORS)}])(?=.)", lambda m: ("\\_" if m.group(1) == "_" else m.group(1)) + "<wbr>", text))


def code_name(name: str) -> Markup:
    """``name`` as inline code that breaks only after a separator (:func:`breakable` inside ``<code>``)."""
    return Markup(f"<code>{breakable(name)}</code>")


def markdown_table(frame: pd.DataFrame, right: Iterable[str] | None = None, *, index: bool = False, formats=None):
    """:func:`pipe_table` as an IPython ``Markdown`` object: the notebook stores ``text/markdown``, and Quarto renders a native table."""
    from IPython.display import Markdown

    return Markdown(pipe_table(frame, right, index=index, formats=formats))


def styler_text(styler) -> str:
    """Plain-text stand-in for a pandas Styler: its caption (if any) and the shape of the styled data."""
    rows, cols = styler.data.shape
    caption = f" {styler.caption!r}" if getattr(styler, "caption", None) else ""
    return f"<styled table{caption}: {rows} rows x {cols} columns>"


def register_formatters() -> bool:
    """In an IPython kernel, show pandas Stylers as :func:`styler_text` in ``text/plain``.

    The default text form, ``<pandas.io.formats.style.Styler at 0x7f...>``, changes on every
    run, so stored notebook outputs would never be byte-identical. (The project's notebooks show
    tables with :func:`markdown_table`; this keeps an analyst's own Styler output stable.) It also
    sets pandas' ``styler.format.escape`` to ``"html"``, so a Styler's HTML shows every cell as text.
    Returns True when a kernel was found and the formatter registered.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    shell = get_ipython()
    if shell is None:
        return False
    pd.set_option("styler.format.escape", "html")  # a Styler's cells are text: a package's words never become HTML
    formatter = shell.display_formatter.formatters["text/plain"]
    formatter.for_type_by_name("pandas.io.formats.style", "Styler", lambda obj, p, cycle: p.text(styler_text(obj)))
    return True


def p_value_text(p: float) -> str:
    """A p-value for a table cell: "< 0.001", or two significant figures ("0.10", "0.047"); blank when missing."""
    if p is None or p is pd.NA or (isinstance(p, float) and math.isnan(p)):
        return ""
    if not 0 <= p <= 1:
        raise ValueError(f"a p-value lies between 0 and 1, not {p!r}")
    return "< 0.001" if p < 0.001 else f"{p:#.2g}"


#: Readable names of the association tests in ``association_tests.csv`` (its ``test`` column).
TEST_NAMES: dict[str, str] = {
    "proportional_odds": "Proportional-odds model (likelihood ratio)",
    "mann_whitney": "Mann-Whitney rank test (normal approximation)",
    "mann_whitney_exact": "Mann-Whitney rank test (exact)",
    "chi_squared": "Pearson's chi-squared",
    "fisher_exact": "Fisher-Freeman-Halton (exact)",
    "fisher_monte_carlo": "Fisher-Freeman-Halton (Monte Carlo)",
    "kruskal_wallis": "Kruskal-Wallis",
    "proportional_odds_check": "Proportional odds assumption (against an odds ratio per cut)",
    "cumulative_odds_ratio_1": "Odds ratio at cut 1 (best grade against the rest)",
    "cumulative_odds_ratio_2": "Odds ratio at cut 2",
    "cumulative_odds_ratio_3": "Odds ratio at cut 3",
    "cumulative_odds_ratio_4": "Odds ratio at cut 4",
    "cumulative_odds_ratio_5": "Odds ratio at cut 5",
    "cumulative_odds_ratio_6": "Odds ratio at cut 6",
}

#: Readable names of the effect sizes in ``association_tests.csv`` (its ``effect_size_name`` column).
EFFECT_NAMES: dict[str, str] = {
    "common_odds_ratio": "common odds ratio",
    "cumulative_odds_ratio": "odds ratio",
    "probability_of_superiority": "probability of a better grade",
    "cramers_v": "Cramér's V",
    "cramers_v_bias_corrected": "Cramér's V, bias-corrected",
    "epsilon_squared": "epsilon squared",
}

#: Tests whose statistic is not a test statistic a reader compares (the exact test's is the probability of the observed table).
_NO_STATISTIC = ("fisher_exact", "fisher_monte_carlo")


def _number(x: Any, fmt: str) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return ""
    return fmt.format(x).replace("-", "\u2212")


def association_table(tests: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``association_tests.csv`` as a table for readers: test name, statistic, degrees of freedom, p-value, effect size.

    ``tests`` is indexed by ``test`` (or has a ``test`` column). Statistics get three significant
    figures, p-values :func:`p_value_text`, the effect size its name and, where the file gives
    one, its 95% interval; a Monte Carlo p-value carries its standard error. The exact test's
    "statistic" (the probability of the observed table) is left blank: it is not a statistic to compare.
    """
    frame = tests.reset_index() if "test" not in tests.columns else tests
    rows = []
    for r in frame.itertuples(index=False):
        effect = _number(r.effect_size, "{:.2f}")
        if effect:
            effect = f"{effect} ({EFFECT_NAMES.get(r.effect_size_name, str(r.effect_size_name).replace('_', ' '))})"
            low, high = getattr(r, "ci_low", None), getattr(r, "ci_high", None)
            if _number(low, "{:.2f}") and _number(high, "{:.2f}"):
                effect += f"; {level_text()} interval {_number(low, '{:.2f}')} to {_number(high, '{:.2f}')}"
        p = p_value_text(r.p_value)
        se = getattr(r, "mc_standard_error", None)
        if p and _number(se, "{:.2g}"):
            p += f" (Monte Carlo s.e. {_number(se, '{:.2g}')})"
        rows.append(
            {
                "Test": TEST_NAMES.get(r.test, str(r.test).replace("_", " ")),
                "Statistic": "" if r.test in _NO_STATISTIC else _number(r.statistic, "{:#.3g}").rstrip("."),
                "df": _number(r.df, "{:.0f}"),
                "p": p,
                "Effect size": effect,
            }
        )
    return pd.DataFrame(rows, columns=["Test", "Statistic", "df", "p", "Effect size"])
