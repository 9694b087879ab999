"""The analysis's choices, in one place: every level, seed and limit the pipeline and its sentences use.

Change a choice here and every table, chart and sentence that depends on it follows; no module types
its own ``0.95`` or ``"95%"``.
"""

from __future__ import annotations

#: The confidence level of every interval the project publishes.
CONFIDENCE = 0.95

#: The significance level of every test the project reports (before any multiplicity adjustment).
ALPHA = 0.05

#: The power the detectable-difference calculation aims for.
POWER = 0.80
