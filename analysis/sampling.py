"""The declared sampling model, as the pages name it: the Methods page states it in full (anchor ``#sampling-model``).

The force's own cases rest on what the package's document says of how they were chosen
(:meth:`analysis.data.audit_package.AuditMeta.said_random`); the inspectors' cases, all cases
together and the practice areas are analysed as if drawn at random, a model no document states.
"""

from __future__ import annotations

#: How a sentence names the model behind an interval or a test on cases analysed as if drawn at random.
AS_IF_DRAWN = "as if drawn at random (a model; see the sampling model on the Methods page)"

#: The table note (``datapackage.json``) of a table whose intervals and tests treat its cases as if drawn at random.
AS_IF_RANDOM_NOTE = (
    "Sampling model: This treats the cases as if drawn at random from a larger set (a model: the document does not say so) "
    "(Methods, the sampling model)."
)

#: The two samples compared (first: the cases the force selected), and the name of their comparison in ``association_tests.csv``.
COMPARED_SAMPLES: tuple[str, str] = ("force_selected", "inspectorate_selected")
COMPARISON = "force_vs_inspectorate_selected"
