"""Newcombe's hybrid score interval for a difference of two independent proportions, vectorised: the published values and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats.proportions import difference_interval, newcombe_difference_intervals


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17, 873-890, Table II, method 10 (hybrid score), examples (a) and (b).
    [(56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090)],
)
def test_the_vectorised_interval_gives_newcombes_published_values(k1, n1, k2, n2, low, high):
    lo, hi = newcombe_difference_intervals([k1], n1, [k2], n2)
    assert (round(float(lo[0]), 4), round(float(hi[0]), 4)) == (low, high)


def test_every_count_gives_statsmodels_hybrid_score_interval_including_zero_and_all():
    grid = [(c1, 12, c2, 9) for c1 in range(13) for c2 in range(10)] + [(0, 1, 1, 1), (40, 83, 17, 69)]
    c1, n1, c2, n2 = (np.array(v) for v in zip(*grid, strict=True))
    lo, hi = newcombe_difference_intervals(c1, n1, c2, n2)
    for (a, m, b, n), l_, h_ in zip(grid, lo, hi, strict=True):
        _, want_lo, want_hi = difference_interval(a, m, b, n)
        assert l_ == pytest.approx(want_lo, abs=1e-12) and h_ == pytest.approx(want_hi, abs=1e-12), (a, m, b, n)


def test_a_count_outside_its_sample_is_refused():
    with pytest.raises(ValueError):
        newcombe_difference_intervals([3], 2, [1], 5)
