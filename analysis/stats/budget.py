"""Work budgets: each costly step counts what it would cost before it starts, in units that do not depend on the machine.

A step that would pass its budget raises :class:`OverBudget` (or one of its subclasses, such as
:class:`analysis.stats.pair_bounds.CountTooLarge`) before any of the work is done, so the same
input gets the same decision on every machine, however fast. The caller then falls back to a method
that needs no listing (closed forms, linear programming, Fréchet bounds) and says so in the
``method`` text, or leaves the table out with the reason (``contents.csv``). Each budget is named
beside the step it limits; :data:`BUDGETS` lists them for the README and the benchmark.
"""

from __future__ import annotations


class OverBudget(ValueError):
    """A step would need ``needed`` units of work (or more), past its ``budget``; ``what`` names the step and ``unit`` the units."""

    def __init__(self, what: str, needed: float | None, budget: float, unit: str = "work units", message: str | None = None):
        self.what, self.needed, self.budget, self.unit = what, needed, budget, unit
        amount = "more" if needed is None else f"{needed:,.0f}"
        super().__init__(message or f"{what} would need {amount} {unit}, past the budget of {budget:,.0f}")


def check(what: str, needed: float, budget: float, unit: str = "work units") -> None:
    """Raise :class:`OverBudget` when ``needed`` exceeds ``budget`` (before the step starts)."""
    if needed > budget:
        raise OverBudget(what, needed, budget, unit)
