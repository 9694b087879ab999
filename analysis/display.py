"""Notebook display settings: a stable plain-text form for pandas Stylers (their default shows a memory address)."""

from __future__ import annotations


def styler_text(styler) -> str:
    """Plain-text stand-in for a pandas Styler: its caption (if any) and the shape of the styled data."""
    rows, cols = styler.data.shape
    caption = f" {styler.caption!r}" if getattr(styler, "caption", None) else ""
    return f"<styled table{caption}: {rows} rows x {cols} columns>"


def register_formatters() -> bool:
    """In an IPython kernel, show pandas Stylers as :func:`styler_text` in ``text/plain``.

    The default text form, ``<pandas.io.formats.style.Styler at 0x7f...>``, changes on every
    run, so stored notebook outputs would never be byte-identical. The HTML form is unchanged.
    Returns True when a kernel was found and the formatter registered.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/plain"]
    formatter.for_type_by_name("pandas.io.formats.style", "Styler", lambda obj, p, cycle: p.text(styler_text(obj)))
    return True
