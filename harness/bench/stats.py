"""Statistics over raw benchmark rounds: percentiles, spread, reliability, A/B.

Pure functions over a list of durations (any unit; the callers use
milliseconds). No I/O, no clock: the runner measures, this module judges.

Percentile method: nearest rank. The p-th percentile of n sorted values is
the value at rank ceil(p/100 * n) (1-based). It is always a value that was
actually observed, never an interpolation between two rounds, and it is
conservative for latency budgets: with 300 rounds p99 is the 297th value,
so three rounds lie above it.

A/B comparison follows asv: a change is a regression only when the ratio of
the two samples' medians exceeds a threshold AND the Mann-Whitney U test
says the two samples differ (p < alpha). The ratio alone flags noise; the
test alone flags differences too small to matter.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import mannwhitneyu

# ------------------------------------------------- reliability (WARN rules)
# A measurement that breaks one of these rules is reported as WARN (not
# trusted either way) instead of PASS; a budget miss is still a FAIL.

#: Coefficient of variation (stddev / mean) above which the rounds are too
#: spread to trust. Latency samples are right-skewed; a CV above 1 means the
#: tail dominates the mean (a checkpoint or a noisy neighbour).
HIGH_CV = 1.0

#: p99 more than this many times p50: the tail is not the operation's cost
#: but something else (checkpoints, scheduler, page faults).
TAIL_RATIO = 20.0

#: Fewest rounds for which a percentile means anything: nearest rank needs
#: several observations above the percentile (p99 needs 300+: three rounds above it).
MIN_ROUNDS = {"p50": 10, "p95": 60, "p99": 300, "p999": 3000}

#: Wall time more than this many times the process's CPU time for a
#: CPU-bound operation (a read from a warm cache): the process waited for a
#: core, i.e. other work on the machine stretched the timings.
CONTENTION_RATIO = 1.3

# ------------------------------------------------------------- A/B defaults
#: Ratio (candidate / baseline) above which a significant difference counts
#: as a regression. 1.3: the spread of A/A runs on a 2-core shared VM with
#: interleaved rounds stays well inside it.
DEFAULT_THRESHOLD = 1.3

#: Significance level of the two-sided Mann-Whitney U test.
DEFAULT_ALPHA = 0.01

PERCENTILES = {"p50": 50.0, "p95": 95.0, "p99": 99.0, "p999": 99.9}


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (0 < p <= 100) of values; ValueError when empty."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {p}")
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one sample of round durations."""

    rounds: int
    min: float
    max: float
    mean: float
    stddev: float  # sample standard deviation (n - 1); 0 for one round
    p50: float
    p95: float
    p99: float
    p999: float

    @property
    def cv(self) -> float:
        """Coefficient of variation: stddev / mean (0 when the mean is 0)."""
        return self.stddev / self.mean if self.mean > 0 else 0.0

    def at(self, name: str) -> float:
        """The value of a named percentile: "p50", "p95", "p99" or "p999"."""
        if name not in PERCENTILES:
            raise ValueError(f"unknown percentile {name!r}; expected one of {', '.join(PERCENTILES)}")
        value: float = getattr(self, name)
        return value


def summarize(values: Sequence[float]) -> Summary:
    """Summary of a non-empty sample."""
    if not values:
        raise ValueError("summary of no values")
    return Summary(
        rounds=len(values),
        min=min(values),
        max=max(values),
        mean=statistics.fmean(values),
        stddev=statistics.stdev(values) if len(values) > 1 else 0.0,
        p50=percentile(values, 50),
        p95=percentile(values, 95),
        p99=percentile(values, 99),
        p999=percentile(values, 99.9),
    )


def reliability_warnings(summary: Summary, percentile_name: str) -> list[str]:
    """Why a measurement cannot be trusted (empty when it can); see the constants above."""
    reasons = []
    needed = MIN_ROUNDS.get(percentile_name, 0)
    if summary.rounds < needed:
        reasons.append(f"too few rounds: {summary.rounds} < {needed} needed for {percentile_name}")
    if summary.cv > HIGH_CV:
        reasons.append(f"noisy: CV {summary.cv:.2f} > {HIGH_CV}")
    if summary.p50 > 0 and summary.p99 / summary.p50 > TAIL_RATIO:
        reasons.append(f"long tail: p99 is {summary.p99 / summary.p50:.0f}x p50 (> {TAIL_RATIO:.0f}x)")
    return reasons


def contention_warnings(wall_ms: float, cpu_ms: float) -> list[str]:
    """A warning when a CPU-bound operation's wall time exceeds its CPU time by CONTENTION_RATIO."""
    if cpu_ms <= 0 or wall_ms / cpu_ms <= CONTENTION_RATIO:
        return []
    return [f"machine busy: wall time {wall_ms / cpu_ms:.1f}x the CPU time (> {CONTENTION_RATIO}x)"]


@dataclass(frozen=True)
class ABResult:
    """Candidate against baseline: the ratio of the medians and the U test."""

    candidate: float  # p50
    baseline: float  # p50
    ratio: float  # candidate / baseline p50; > 1 is slower
    p_value: float
    significant: bool
    regression: bool
    improvement: bool


def compare(
    candidate: Sequence[float],
    baseline: Sequence[float],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    alpha: float = DEFAULT_ALPHA,
) -> ABResult:
    """Compare two samples of round durations (asv-style: ratio of the medians AND significance).

    regression: ratio > threshold and p < alpha; improvement: ratio <
    1/threshold and p < alpha. The ratio is taken at the median because the
    U test asks whether one sample tends to be slower, which is a question
    about the middle of the distributions: a tail percentile of microsecond
    calls is a few interrupts, and gating on it with a test that 2,000 rounds
    make significant for a 5% shift would flag noise. Tails are judged
    against the budgets instead. Fewer than 3 rounds on a side cannot be
    significant (p is reported as 1).
    """
    if threshold <= 1:
        raise ValueError(f"threshold must be > 1, not {threshold}")
    cand = summarize(candidate).p50
    base = summarize(baseline).p50
    ratio = cand / max(base, 1e-12)  # a zero baseline (a clock that did not tick) stays finite
    p_value = _u_test(candidate, baseline)
    significant = p_value < alpha
    return ABResult(
        candidate=cand,
        baseline=base,
        ratio=ratio,
        p_value=p_value,
        significant=significant,
        regression=significant and ratio > threshold,
        improvement=significant and ratio < 1 / threshold,
    )


def _u_test(a: Sequence[float], b: Sequence[float]) -> float:
    if len(a) < 3 or len(b) < 3:
        return 1.0
    if len(set(a) | set(b)) == 1:
        return 1.0  # identical constant samples: no evidence of a difference
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
