"""The analysis's choices, in one place: every level, seed, listing limit and work budget the pipeline and its sentences use.

Change a choice here and every table, chart and sentence that depends on it follows; no module types
its own ``0.95`` or ``"95%"`` (sentences name a level with :func:`analysis.narrative.style.level_text`).
Each module that uses a choice keeps its own name for it (``funnel.WINSOR_LEVEL``,
``pair_bounds.LISTING_LIMIT``, ...), bound to the value here, so a test can still set it on that module.
This module imports nothing from the project: every layer may import it.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- levels

#: The confidence level of every interval the project publishes.
CONFIDENCE = 0.95

#: The significance level of every test the project reports (before any multiplicity adjustment).
ALPHA = 0.05

#: The power the detectable-difference calculation aims for.
POWER = 0.80

#: Confidence levels of the two pairs of limits drawn on every funnel: about two and three standard errors.
FUNNEL_LEVELS: tuple[float, ...] = (CONFIDENCE, 0.998)

#: Winsorisation level of the over-dispersed funnels: the share of z-scores pulled in at each end (Spiegelhalter's 10%).
WINSOR_LEVEL = 0.1

# --------------------------------------------------------------------------- seeds and Monte Carlo sizes

#: Seed of the Monte Carlo Fisher-Freeman-Halton test of the practice areas written to the outputs.
MONTE_CARLO_SEED = 20190204

#: Number of tables of that Monte Carlo test.
MONTE_CARLO_SAMPLES = 100_000

#: Seed of the Monte Carlo test used when an exact p-value would exceed its work budget (so that the fallback is reproducible).
FALLBACK_SEED = 20190204

#: Seed of the posterior draws behind the areas' ``p_weakest`` (:func:`analysis.stats.pooling.partial_pooling`).
POOLING_SEED = 20190205

#: Number of posterior draws behind ``p_weakest`` by default.
POOLING_DRAWS = 200_000

# --------------------------------------------------------------------------- listing limits

#: Most consistent tables :func:`analysis.stats.pair_bounds.pair_bounds` lists one by one; past it every range is
#: still exact (closed forms, linear programming), only the kappas' intervals (which need every table) are not given.
LISTING_LIMIT = 20_000

#: Most consistent tables that :func:`analysis.stats.agreement.agreement_bounds` lists one by one; past this (3 x 3
#: margins) it optimises instead.
ENUMERATION_LIMIT = 100_000

# --------------------------------------------------------------------------- work budgets (machine-independent units)

#: Most pairs of margins :func:`analysis.stats.pair_bounds.pair_bounds` takes without a mask (closed forms, vectorised).
MAX_PAIRS = 1_000_000

#: Most pairs of margins :func:`analysis.stats.pair_bounds.pair_bounds` takes with a mask (a few linear programmes per pair).
MAX_LP_PAIRS = 20_000

#: Largest array (cells) :func:`analysis.stats.pair_bounds.count_tables` builds for its dynamic programme.
MAX_COUNT_CELLS = 20_000_000

#: Default ceiling on the number of tables :func:`analysis.stats.contingency.enumerate_tables` will build (memory guard).
MAX_TABLES = 5_000_000

#: Largest p-value matrix (entries, ``(n + 1)^2`` for n cases) the sign-test programmes build: about 1,400 cases.
MAX_SIGN_TEST_WORK = 2_000_000

#: Work budget of the exact Fisher network algorithm (units of :mod:`analysis.stats.fisher_network`), so that a
#: refusal and the Monte Carlo fallback come back within 2 seconds.
MAX_FISHER_WORK = 30_000_000

#: Most candidate count vectors :class:`analysis.stats.consistent_set.CountSystem` builds for one group before it gives up.
MAX_CANDIDATES = 2_000_000

#: Most candidates checked one by one with the integer programme (groups tied to others by links).
MAX_CHECKED = 20_000
