"""Funnel-plot limits and pooled estimates, checked against scipy.stats and statsmodels where they overlap; over-dispersion against R's FunnelPlotR."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.stats import funnel

TARGETS = (0.05, 0.24, 0.354, 0.5, 0.9)
SIZES = np.array([1, 5, 20, 33, 47, 80, 101, 250, 1000])
CONFIDENCE_LEVELS = (0.95, 0.998)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("confidence", CONFIDENCE_LEVELS)
def test_exact_limits_sit_between_the_scipy_binomial_quantile_and_the_count_below(target, confidence):
    tail = (1 - confidence) / 2
    low, high = funnel.exact_binomial_limits(target, SIZES, confidence)
    for p, lim in ((tail, low), (1 - tail, high)):
        r = stats.binom.ppf(p, SIZES, target)  # smallest r with P(R <= r) >= p
        assert np.all(lim <= r / SIZES + 1e-12)
        assert np.all(lim >= np.maximum(r - 1, 0) / SIZES - 1e-12)


@pytest.mark.parametrize("target", TARGETS)
def test_exact_limit_is_where_the_interpolated_binomial_cdf_reaches_p(target):
    """Spiegelhalter (2005, A.1.1): the binomial CDF joined linearly between counts equals p at n * limit."""
    for p in (0.001, 0.025, 0.975, 0.999):
        q = funnel.exact_binomial_quantile(p, SIZES, target)
        x = q * SIZES
        inside = (x > 0) & (x < SIZES)  # clipped ends have no interpolation point
        r = np.ceil(x[inside] - 1e-12)
        cdf_r, cdf_below = stats.binom.cdf(r, SIZES[inside], target), stats.binom.cdf(r - 1, SIZES[inside], target)
        interpolated = cdf_below + (x[inside] - (r - 1)) * (cdf_r - cdf_below)
        np.testing.assert_allclose(interpolated, p, atol=1e-9)


def test_exact_limits_approach_the_normal_limits_for_large_n():
    n = np.array([20_000, 100_000])
    for confidence in CONFIDENCE_LEVELS:
        exact = funnel.exact_binomial_limits(0.3, n, confidence)
        wilson = funnel.wilson_limits(0.3, n, confidence)
        np.testing.assert_allclose(exact, wilson, atol=2e-4)


def test_exact_limits_are_clipped_to_zero_and_one():
    low, high = funnel.exact_binomial_limits(0.02, [5, 10], 0.998)
    assert np.all(low == 0) and np.all(high <= 1)
    low, high = funnel.exact_binomial_limits(0.98, [5, 10], 0.998)
    assert np.all(high <= 1) and np.all(high > np.array([4 / 5, 9 / 10]))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("confidence", CONFIDENCE_LEVELS)
def test_wilson_limits_invert_the_statsmodels_wilson_interval(target, confidence):
    """At the upper limit the observed share's Wilson interval just reaches down to the target; likewise below."""
    sizes = np.array([20, 33, 80, 101, 400])
    low, high = funnel.wilson_limits(target, sizes, confidence)
    for n, lo, hi in zip(sizes, low, high, strict=True):
        if 0 < hi < 1:
            assert proportion_confint(hi * n, n, alpha=1 - confidence, method="wilson")[0] == pytest.approx(target, abs=1e-9)
        if 0 < lo < 1:
            assert proportion_confint(lo * n, n, alpha=1 - confidence, method="wilson")[1] == pytest.approx(target, abs=1e-9)


def test_wilson_limits_match_the_phe_closed_form():
    """The PHE Fingertips formula (PHEindicatormethods ``sigma_adjustment``), written out independently."""

    def phe(p, n, a, side):
        z2 = stats.norm.ppf(p) ** 2
        first = a * (n / z2 + 1)
        adj = np.sqrt((-8 * a * (n / z2 + 1)) ** 2 - 64 * (1 / z2 + 1 / n) * a * (n * (a * (n / z2 + 2) - 1) + z2 * (a - 1)))
        last = 1 / z2 + 1 / n
        value = ((first - adj / 8) if side == "low" else (first + adj / 8)) / last / n
        return min(max(value, 0.0), 1.0)  # phe_funnels truncates the limits to the 0-100% range

    for n in (5, 20, 80, 101):
        for a in (0.05, 0.24, 0.354):
            for p, cov in ((0.975, 0.95), (0.999, 0.998)):
                low, high = funnel.wilson_limits(a, n, cov)
                assert low[0] == pytest.approx(phe(p, n, a, "low"), abs=1e-9)
                assert high[0] == pytest.approx(phe(p, n, a, "high"), abs=1e-9)


def test_position_agrees_with_the_statsmodels_wilson_interval():
    """With Wilson limits, a share is inside the 95% funnel exactly when its 95% Wilson interval holds the target."""
    target, n = 0.354, 80
    for count in range(n + 1):
        lo, hi = proportion_confint(count, n, alpha=0.05, method="wilson")
        inside = lo <= target <= hi
        assert (funnel.position(count, n, target, "wilson") == "within_95") == inside, count


@pytest.mark.slow
def test_position_bands_are_ordered():
    target, n = 0.354, 80
    order = {p: i for i, p in enumerate(funnel.POSITIONS)}
    ranks = [order[funnel.position(c, n, target)] for c in range(n + 1)]
    assert ranks == sorted(ranks)
    assert set(ranks) == set(range(len(funnel.POSITIONS)))
    assert funnel.position(round(target * n), n, target) == "within_95"


def test_pooled_estimate_matches_statsmodels_and_scipy():
    counts, sizes = [25, 22, 29, 33], [81, 69, 81, 101]
    est = funnel.pooled_estimate(counts, sizes)
    assert (est.cases, est.n, est.units) == (109, 332, 4)
    assert est.share == pytest.approx(109 / 332)
    assert (est.low, est.high) == pytest.approx(proportion_confint(109, 332, alpha=0.05, method="wilson"))
    table = np.array([counts, np.subtract(sizes, counts)]).T
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert est.chi2 == pytest.approx(chi2)
    assert est.df == dof == 3
    assert est.p_value == pytest.approx(p)
    assert est.dispersion == pytest.approx(chi2 / 3)


def test_funnel_limits_table():
    table = funnel.funnel_limits(0.3, range(20, 31))
    assert list(table.columns) == ["method", "confidence", "n", "target", "lower", "upper"]
    assert len(table) == 11 * len(funnel.METHODS) * len(funnel.CONFIDENCE_LEVELS)
    assert (table["lower"] <= table["target"]).all() and (table["target"] <= table["upper"]).all()
    wide = table.pivot_table(index=["method", "n"], columns="confidence", values=["lower", "upper"])
    assert (wide[("lower", 0.998)] <= wide[("lower", 0.95)]).all()
    assert (wide[("upper", 0.998)] >= wide[("upper", 0.95)]).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: funnel.exact_binomial_limits(0, 10), "target"),
        (lambda: funnel.wilson_limits(0.3, 10, confidence=1.0), "confidence"),
        (lambda: funnel.wilson_limits(0.3, [10, 0]), "positive integers"),
        (lambda: funnel.exact_binomial_limits(0.3, [10.5]), "positive integers"),
        (lambda: funnel.limits(0.3, 10, method="normal"), "unknown method"),
        (lambda: funnel.position(11, 10, 0.3), "between 0 and n"),
        (lambda: funnel.pooled_estimate([5, 12], [10, 10]), "between 0"),
        (lambda: funnel.pooled_estimate([], []), "non-empty"),
    ],
)
def test_bad_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


FIXTURES = Path(__file__).parents[2] / "fixtures"


def overdispersion_rows():
    ref = pd.read_csv(FIXTURES / "funnel_overdispersion.csv", keep_default_na=False)
    for row in ref.itertuples(index=False):
        yield pytest.param(row, id=f"{row.name}-{row.scale}-{row.winsor_level}")


def numbers(text: str) -> list[float]:
    return [float(v) for v in text.split()]


@pytest.mark.parametrize("ref", list(overdispersion_rows()))
@pytest.mark.slow
def test_dispersion_matches_funnelplotr(ref):
    # tests/fixtures/funnel_overdispersion.csv: R 4.2.2 with FunnelPlotR 0.6.0's own functions (see the .R file beside it)
    counts, sizes = [int(v) for v in ref.x.split()], [int(v) for v in ref.n.split()]
    est = funnel.dispersion(counts, sizes, winsor_level=ref.winsor_level, scale=ref.scale)
    assert est.target == pytest.approx(ref.target, rel=1e-12)
    assert funnel.funnel_z_scores(counts, sizes, est.target, ref.scale) == pytest.approx(numbers(ref.z), rel=1e-9, abs=1e-12)
    assert est.phi == pytest.approx(ref.phi, rel=1e-9)
    assert est.tau2 == pytest.approx(ref.tau2, rel=1e-9, abs=1e-15)
    assert est.statistic == pytest.approx(len(counts) * ref.phi, rel=1e-9) and est.df == len(counts) - 1
    if ref.scale == "arcsine":  # FunnelPlotR draws additive limits for proportions on the arcsine scale (z = 1.959964, 3.090232)
        n = [int(v) for v in ref.limit_n.split()]
        for confidence, low, high in ((0.95, ref.lower_95, ref.upper_95), (0.998, ref.lower_998, ref.upper_998)):
            ours = funnel.overdispersed_limits(est.target, n, confidence, tau2=est.tau2, scale="arcsine")
            # where the angle would fall below 0 we clip it (limit 0); FunnelPlotR squares the sine of the negative angle
            inside = ours[0] > 0
            assert ours[0][inside] == pytest.approx(np.array(numbers(low))[inside], abs=1e-6)
            assert ours[1] == pytest.approx(numbers(high), abs=1e-6)


def test_without_winsorisation_the_statistic_is_pearson_and_tau2_is_dersimonian_laird():
    """Identity scale, pooled target: I phi is the Pearson chi-square and tau2 statsmodels' DerSimonian-Laird estimate."""
    from statsmodels.stats.meta_analysis import combine_effects

    counts, sizes = np.array([2, 30, 7, 90, 12, 41, 5, 160, 22, 15]), np.array([20, 60, 45, 210, 80, 120, 33, 400, 95, 150])
    est = funnel.dispersion(counts, sizes, winsor_level=0.0)
    assert est.statistic == pytest.approx(funnel.pooled_estimate(counts, sizes).chi2, rel=1e-12)
    target = counts.sum() / sizes.sum()
    res = combine_effects(counts / sizes, np.full(counts.size, target * (1 - target)) / sizes, method_re="dl")
    assert est.tau2 > 0 and est.tau2 == pytest.approx(res.tau2, rel=1e-9)


@pytest.mark.parametrize("scale", ["identity", "arcsine"])
def test_multiplicative_limits_sit_sqrt_phi_binomial_errors_away(scale):
    target, sizes, phi = 0.3, np.array([20, 80, 150, 400]), 2.25
    for confidence in (0.95, 0.998):
        z = stats.norm.ppf((1 + confidence) / 2)
        low, high = funnel.overdispersed_limits(target, sizes, confidence, phi=phi, scale=scale)
        g = (lambda p: p) if scale == "identity" else (lambda p: np.arcsin(np.sqrt(p)))
        se = np.sqrt(target * (1 - target) / sizes) if scale == "identity" else 1 / (2 * np.sqrt(sizes))
        np.testing.assert_allclose((g(high) - g(target)) / se, z * 1.5, rtol=1e-9)
        unclipped = low > 0  # at n = 20 and 99.8% the lower limit is clipped at 0
        assert unclipped.sum() >= 3
        np.testing.assert_allclose(((g(target) - g(low)) / se)[unclipped], z * 1.5, rtol=1e-9)


def test_unit_phi_gives_the_normal_binomial_limits_and_tau2_keeps_the_funnel_open():
    target, sizes = 0.354, np.array([20, 33, 80, 101, 400])
    for confidence in (0.95, 0.998):
        np.testing.assert_allclose(
            funnel.overdispersed_limits(target, sizes, confidence, phi=1.0), funnel.wilson_limits(target, sizes, confidence)
        )
        np.testing.assert_allclose(
            funnel.overdispersed_limits(target, sizes, confidence, tau2=0.0), funnel.wilson_limits(target, sizes, confidence)
        )
    low, high = funnel.overdispersed_limits(target, [10**9], 0.95, tau2=0.01)
    assert (high[0] - target) == pytest.approx(stats.norm.ppf(0.975) * 0.1, rel=1e-6)  # half-width z * tau as n grows


def test_winsorise_pulls_in_the_tails_at_type_7_quantiles():
    values = np.arange(11.0)  # quantiles 0.1 and 0.9 are 1 and 9
    assert funnel.winsorise(values, 0.1).tolist() == [1.0, *range(1, 10), 9.0]
    assert funnel.winsorise(values, 0.0).tolist() == values.tolist()
    assert funnel.winsorise([5.0, -3.0, 0.0, 1.0, 2.0], 0.1).tolist() == pytest.approx([3.8, -1.8, 0.0, 1.0, 2.0])


def test_positions_agree_with_the_limits_and_the_two_models_can_disagree():
    counts, sizes = np.array([2, 30, 7, 90, 12, 41, 5, 160, 22, 15]), np.array([20, 60, 45, 210, 80, 120, 33, 400, 95, 150])
    est, table = funnel.overdispersed_positions(counts, sizes)
    assert est == funnel.dispersion(counts, sizes)
    assert est.phi > 1 and est.tau2 > 0
    share = counts / sizes
    low, high = funnel.overdispersed_limits(est.target, sizes, 0.95, phi=est.phi)
    assert ((table["position_multiplicative"] == "within_95") == ((share >= low) & (share <= high))).all()
    low, high = funnel.overdispersed_limits(est.target, sizes, 0.95, tau2=est.tau2)
    assert ((table["position_additive"] == "within_95") == ((share >= low) & (share <= high))).all()
    assert table["position_binomial"].tolist() == [funnel.position(int(c), int(n), est.target) for c, n in zip(counts, sizes, strict=True)]
    assert (table["position_multiplicative"] != table["position_additive"]).any()
    # estimated from a subset, every unit is still placed against that estimate
    est_sub, table_sub = funnel.overdispersed_positions(counts, sizes, estimate_from=np.arange(10) < 8)
    assert est_sub == funnel.dispersion(counts[:8], sizes[:8]) and len(table_sub) == 10


def test_under_dispersion_does_not_narrow_the_multiplicative_limits():
    counts, sizes = np.array([30, 30, 31, 29, 30]), np.array([100, 100, 100, 100, 100])
    est, table = funnel.overdispersed_positions(counts, sizes, target=0.3)
    assert est.phi < 1 and est.tau2 == 0
    assert (table["position_multiplicative"] == "within_95").all() and (table["position_additive"] == "within_95").all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: funnel.dispersion([3], [10]), "two or more"),
        (lambda: funnel.dispersion([3, 4], [10, 10], scale="logit"), "unknown scale"),
        (lambda: funnel.dispersion([3, 4], [10, 10], winsor_level=0.5), "Winsorisation level"),
        (lambda: funnel.dispersion([3, 12], [10, 10]), "between 0"),
        (lambda: funnel.dispersion([3, 4], [10, 10], target=1.0), "target"),
        (lambda: funnel.overdispersed_limits(0.3, [10], phi=1.2, tau2=0.01), "exactly one"),
        (lambda: funnel.overdispersed_limits(0.3, [10]), "exactly one"),
        (lambda: funnel.overdispersed_limits(0.3, [10], phi=0.0), "positive"),
        (lambda: funnel.overdispersed_limits(0.3, [10], tau2=-1.0), "non-negative"),
        (lambda: funnel.overdispersed_positions([3, 4], [10, 10], estimate_from=[True]), "flag each unit"),
    ],
)
def test_bad_overdispersion_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("name", ["inadequate", "good", "spread", "tight"])
def test_calibrated_test_and_q_profile_interval_match_an_independent_computation(name):
    # tests/fixtures/funnel_qprofile.csv: plain-Python loops and bisection (see the .py file beside it)
    ref = pd.read_csv(FIXTURES / "funnel_qprofile.csv").set_index("name").loc[name]
    counts = [int(v) for v in ref["counts"].split()]
    sizes = [int(v) for v in ref["sizes"].split()]
    got = funnel.dispersion(counts, sizes)
    assert got.target == pytest.approx(ref["target"], rel=1e-14)
    assert got.p_unwinsorised == pytest.approx(ref["p_unwinsorised"], rel=1e-10)
    assert got.tau2_low == pytest.approx(ref["tau2_low"], rel=1e-8, abs=1e-15)
    assert got.tau2_high == pytest.approx(ref["tau2_high"], rel=1e-8, abs=1e-15)
    # the Winsorised statistic is not the test: its p-value differs wherever Winsorisation changes a z-score
    raw = funnel.dispersion(counts, sizes, winsor_level=0.0)
    assert raw.p_value == pytest.approx(got.p_unwinsorised, rel=1e-12)


@pytest.mark.slow
def test_winsorised_statistic_has_a_null_mean_below_its_degrees_of_freedom_so_only_the_raw_test_is_calibrated():
    rng = np.random.default_rng(20050101)
    sizes = np.array([69, 81, 79, 83, 89, 81, 73, 101, 72, 70, 74])
    draws = [funnel.dispersion(rng.binomial(sizes, 0.24), sizes) for _ in range(2000)]
    winsorised = np.mean([d.statistic for d in draws])
    raw_rejections = np.mean([d.p_unwinsorised < 0.05 for d in draws])
    assert winsorised < 8.5  # about 7, not 10 (df)
    assert 0.03 < raw_rejections < 0.075
