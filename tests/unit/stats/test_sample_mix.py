"""The area x sample x grade bounds by integer programming, checked against enumerating every table of a reduced problem."""

import itertools
from fractions import Fraction

import numpy as np
import pytest

from analysis.stats import sample_mix as sm

#: Each function computes here, never read from the run's shared results (analysis.memo).
pytestmark = pytest.mark.usefixtures("fresh_computation")

# three areas, two samples, three grades: small enough to list every table
AREA_GRADE = np.array([[2, 1, 1], [1, 2, 3], [1, 1, 0]])
SAMPLE_GRADE = np.array([[3, 1, 1], [1, 3, 3]])


def all_tables(ag, sg, low=None, high=None):
    """Every whole-number table x[a, s, g] with the two margins (two samples: x[:, 1, g] = ag[:, g] - x[:, 0, g])."""
    na, ng = ag.shape
    per_grade = []
    for g in range(ng):
        options = []
        for first in itertools.product(*(range(ag[a, g] + 1) for a in range(na))):
            if sum(first) == sg[0, g]:
                options.append(first)
        per_grade.append(options)
    for choice in itertools.product(*per_grade):
        x = np.zeros((na, 2, ng), np.int64)
        for g, first in enumerate(choice):
            x[:, 0, g] = first
            x[:, 1, g] = ag[:, g] - np.array(first)
        if low is not None and ((x < low).any() or (x > high).any()):
            continue
        yield x


def brute(ag, sg, low=None, high=None):
    tables = list(all_tables(ag, sg, low, high))
    cells = np.stack(tables)
    totals = sg.sum(axis=1)
    out = {"cell_low": cells.min(axis=0), "cell_high": cells.max(axis=0), "share": {}, "std": {}, "excess": {}}
    na, _, ng = cells.shape[1:]
    for a, g in itertools.product(range(na), range(ng)):
        for s in range(2):
            values = [Fraction(int(x[a, s, g]), int(x[a, s].sum())) for x in tables if x[a, s].sum() > 0]
            out["share"][a, s, g] = (float(min(values)), float(max(values))) if values else (np.nan, np.nan)
        std, excess = [], []
        for x in tables:
            d = x[a].sum(axis=1)
            if (d == 0).any():
                continue
            value = sum(Fraction(int(totals[s]), int(totals.sum())) * Fraction(int(x[a, s, g]), int(d[s])) for s in range(2))
            std.append(value)
            if ((totals - d) > 0).all():
                rest = sum(
                    Fraction(int(totals[s]), int(totals.sum())) * Fraction(int(sg[s, g] - x[a, s, g]), int(totals[s] - d[s]))
                    for s in range(2)
                )
                excess.append(value - rest)
        out["std"][a, g] = (float(min(std)), float(max(std))) if std else (np.nan, np.nan)
        out["excess"][a, g] = (float(min(excess)), float(max(excess))) if excess else (np.nan, np.nan)
    return out


@pytest.mark.parametrize("with_ranges", [False, True])
@pytest.mark.slow
def test_integer_programs_give_exactly_the_bounds_of_enumeration(with_ranges):
    low = high = None
    if with_ranges:  # as when the figures also bound some area's grades within a sample
        low = np.zeros((3, 2, 3), np.int64)
        high = np.minimum(AREA_GRADE[:, None, :], SAMPLE_GRADE[None, :, :]).copy()
        low[1, 1, 2] = 2
        high[0, 0, 0] = 1
    problem = sm.mix_problem(AREA_GRADE, SAMPLE_GRADE, low, high)
    ref = brute(AREA_GRADE, SAMPLE_GRADE, low, high)
    cell_low, cell_high = sm.cell_bounds(problem)
    assert np.array_equal(cell_low, ref["cell_low"]) and np.array_equal(cell_high, ref["cell_high"])
    for a, g in itertools.product(range(3), range(3)):
        for s in range(2):
            np.testing.assert_equal(sm.share_range(problem, a, s, g), ref["share"][a, s, g])
        np.testing.assert_equal(sm.standardised_range(problem, a, g), ref["std"][a, g])
        np.testing.assert_equal(sm.standardised_range(problem, a, g, excess=True), ref["excess"][a, g])


def test_margins_that_disagree_or_admit_no_table_are_refused():
    with pytest.raises(ValueError, match="differ"):
        sm.mix_problem(AREA_GRADE, SAMPLE_GRADE + np.array([[1, 0, 0], [0, 0, 0]]))
    low = np.zeros((3, 2, 3), np.int64)
    low[:, 0, 0] = [2, 1, 1]  # more good cases in the first sample than it has
    problem = sm.mix_problem(AREA_GRADE, SAMPLE_GRADE, low, np.full((3, 2, 3), 9))
    assert not sm.feasible(problem)
    assert sm.feasible(sm.mix_problem(AREA_GRADE, SAMPLE_GRADE))


@pytest.mark.slow
def test_gwent_child_sexual_exploitation_keeps_its_excess_in_every_split():
    ag = np.array([[4, 4, 2], [5, 4, 3], [2, 6, 2], [3, 4, 9], [2, 5, 2], [3, 3, 0], [1, 5, 3], [0, 6, 2]])
    problem = sm.mix_problem(ag, np.array([[10, 17, 6], [10, 20, 17]]))
    low, high = sm.standardised_range(problem, 3, 2, excess=True)
    assert 0 < low < high
    low, _ = sm.standardised_range(problem, 0, 2, excess=True)
    assert low < 0
