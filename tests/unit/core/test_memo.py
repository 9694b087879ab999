"""analysis.memo: a run's shared results are read back exactly, keyed by the arguments' bytes, and nothing is kept unless asked."""

from __future__ import annotations

import numpy as np

from analysis import memo


def _counted():
    calls = []

    @memo.memoised
    def square(x, power=2):
        calls.append(x)
        return np.asarray(x) ** power

    return square, calls


def test_without_the_folder_every_call_computes(monkeypatch):
    monkeypatch.delenv(memo.ENV, raising=False)
    square, calls = _counted()
    square(np.arange(3)), square(np.arange(3))
    assert len(calls) == 2


def test_with_the_folder_a_repeated_call_reads_the_result_and_other_arguments_compute(monkeypatch, tmp_path):
    monkeypatch.setenv(memo.ENV, str(tmp_path / "memo"))
    square, calls = _counted()
    first = square(np.arange(3))
    again = square(np.arange(3))
    np.testing.assert_array_equal(first, again)
    assert len(calls) == 1
    square(np.arange(3, dtype=np.int32))  # same values, other bytes: another key
    square(np.arange(3), power=3)
    square(np.arange(4))
    assert len(calls) == 4
    assert not list((tmp_path / "memo").glob(".*.tmp")), "a temporary file was left behind"


def test_a_torn_file_is_computed_again(monkeypatch, tmp_path):
    monkeypatch.setenv(memo.ENV, str(tmp_path))
    square, calls = _counted()
    square(5)
    (kept,) = tmp_path.glob("square-*.pickle")
    kept.write_bytes(kept.read_bytes()[:3])
    assert square(5) == 25 and len(calls) == 2


def test_the_suite_shares_one_folder_per_run():
    import os

    assert os.environ.get(memo.ENV), "tests/conftest.py sets the run's folder before the workers start"


def test_determinism_tests_compute_afresh(fresh_computation):
    import os

    assert memo.ENV not in os.environ


def test_the_slow_results_are_memoised():
    from analysis.stats import hierarchical, sample_mix

    for func in (hierarchical.area_ranks, sample_mix.cell_bounds, sample_mix.share_range, sample_mix.standardised_range):
        assert callable(func.__wrapped__), func.__name__


def test_one_run_shares_a_new_folder_and_removes_it(monkeypatch):
    import os
    from pathlib import Path

    monkeypatch.delenv(memo.ENV, raising=False)
    square, calls = _counted()
    with memo.one_run():
        folder = Path(os.environ[memo.ENV])
        square(3), square(3)
        assert folder.is_dir() and len(calls) == 1
    assert memo.ENV not in os.environ and not folder.exists()
    square(3)
    assert len(calls) == 2


def test_one_run_keeps_a_folder_already_set(monkeypatch, tmp_path):
    import os

    monkeypatch.setenv(memo.ENV, str(tmp_path))
    with memo.one_run():
        assert os.environ[memo.ENV] == str(tmp_path)
    assert os.environ[memo.ENV] == str(tmp_path) and tmp_path.is_dir()
