"""Gwent's further published totals (``published_totals.csv``, e.g. the force-selected cases drawn at random): no more random cases than force-selected cases."""

from __future__ import annotations

from analysis.data.audit_data import AuditData
from analysis.data.errors import AuditDataError
from analysis.extras.extension import Extension


def check(data: AuditData) -> None:
    """The force-selected cases drawn at random are no more than the force-selected cases."""
    published = data.extra("published_totals")
    if published is None:
        return
    totals = published.set_index("quantity")["value"]
    if "cases_force_selected_random" in totals.index:
        rows = [i + 1 for i, q in enumerate(published["quantity"]) if q == "cases_force_selected_random"]
        size = data.size("force_selected") if data.has("force_selected", "inspectorate") else None
        if size is None or totals["cases_force_selected_random"] > size:
            raise AuditDataError(
                data.files["published_totals"],
                "more force-selected cases drawn at random than force-selected cases",
                row=rows[0],
                column="value",
                expected=f"at most {size} (the force-selected cases in {data.files['figures']})"
                if size
                else "a force-selected sample in the figures",
                found=f"{totals['cases_force_selected_random']}",
            )


EXTENSION = Extension("published_totals", ("published_totals",), check=check)
