"""The declared sampling model: what every interval and test assumes, stated once and named by reference.

The Methods page states the model in full (section "The sampling model", anchor ``#sampling-model``);
every caption, table note and sentence that gives an interval or a test names which of the two
bases below it rests on, in these words, so that no page says more or less than the model.
"""

from __future__ import annotations

#: Where the model is stated in full.
ANCHOR = "methods.qmd#sampling-model"

#: The force's own cases: the report says they were a random sample of the force's cases (design-based).
REPORT_SAMPLE = "report's random sample"

#: The inspectors' cases, all cases together and the practice areas: analysed as if drawn at random (model-based).
AS_IF_RANDOM = "as if random"

#: Each basis in one clause, for a caption or a sentence.
BASIS: dict[str, str] = {
    REPORT_SAMPLE: "this rests on the report's statement that the force's cases were a random sample of its cases",
    AS_IF_RANDOM: "this treats the cases as if drawn at random from a larger set (a model: the document does not say so)",
}


def basis(which: str) -> str:
    """The clause naming the sampling basis ``which`` (:data:`REPORT_SAMPLE` or :data:`AS_IF_RANDOM`), for a table note or a sentence."""
    if which not in BASIS:
        raise ValueError(f"unknown sampling basis {which!r}; bases: {', '.join(BASIS)}")
    return BASIS[which]


def note(which: str) -> str:
    """A table note: the basis as a sentence, with where the model is stated."""
    clause = basis(which)
    return f"Sampling model: {clause[0].upper()}{clause[1:]} (Methods, the sampling model)."
