"""The words for a change between two audits come from its interval's ends: fell, rose or no clear change, on both sides of zero."""

from __future__ import annotations

import pytest

from analysis.words import change_words

TINY = 1e-12


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (-0.3, -TINY, "fell"),
        (-0.3, 0.0, "no clear change"),  # the upper end on zero: zero is in the interval
        (-0.3, TINY, "no clear change"),
        (-TINY, 0.3, "no clear change"),
        (0.0, 0.3, "no clear change"),  # the lower end on zero
        (TINY, 0.3, "rose"),
        (-0.2, 0.2, "no clear change"),
    ],
)
def test_the_words_change_exactly_where_the_interval_leaves_zero(low, high, words):
    assert change_words(low, high) == words
