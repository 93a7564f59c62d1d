"""harness.bench.stats: nearest-rank percentiles, summaries, reliability rules, A/B comparison."""

from __future__ import annotations

import random

import pytest

from harness.bench import stats as benchstats
from harness.bench.stats import compare, contention_warnings, percentile, reliability_warnings, summarize


def test_percentile_is_nearest_rank_and_always_an_observed_value() -> None:
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 99.9) == 100
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([7.5], 99) == 7.5


def test_p99_of_300_rounds_leaves_three_rounds_above_it() -> None:
    values = [float(i) for i in range(300)]
    p99 = percentile(values, 99)
    assert sum(v > p99 for v in values) == 3


@pytest.mark.parametrize("bad", [0, -1, 100.5])
def test_percentile_refuses_out_of_range(bad: float) -> None:
    with pytest.raises(ValueError, match="percentile must be"):
        percentile([1.0], bad)


def test_summary_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        summarize([])


def test_summary_fields() -> None:
    s = summarize([1.0, 2.0, 3.0, 4.0])
    assert (s.rounds, s.min, s.max, s.mean, s.p50) == (4, 1.0, 4.0, 2.5, 2.0)
    assert s.stddev == pytest.approx(1.2909944)
    assert s.cv == pytest.approx(s.stddev / 2.5)
    assert s.at("p95") == 4.0
    with pytest.raises(ValueError, match="unknown percentile"):
        s.at("p42")
    assert summarize([5.0]).stddev == 0.0


def test_reliability_rules() -> None:
    steady = summarize([1.0 + 0.01 * (i % 7) for i in range(300)])
    assert reliability_warnings(steady, "p99") == []
    few = summarize([1.0] * 50)
    assert reliability_warnings(few, "p99") == [f"too few rounds: 50 < {benchstats.MIN_ROUNDS['p99']} needed for p99"]
    assert reliability_warnings(few, "p50") == []
    tail = summarize([1.0] * 290 + [100.0] * 10)
    reasons = reliability_warnings(tail, "p95")
    assert any(r.startswith("long tail") for r in reasons)
    assert any(r.startswith("noisy") for r in reasons)


def test_contention_warning_when_wall_time_far_exceeds_cpu_time() -> None:
    assert contention_warnings(10.0, 9.5) == []
    assert contention_warnings(30.0, 10.0) == ["machine busy: wall time 3.0x the CPU time (> 1.3x)"]
    assert contention_warnings(1.0, 0.0) == []


def _sample(seed: int, scale: float, n: int = 60) -> list[float]:
    rng = random.Random(seed)
    return [scale * rng.lognormvariate(0, 0.2) for _ in range(n)]


def test_compare_flags_a_large_significant_slowdown_as_regression() -> None:
    ab = compare(_sample(1, 3.0), _sample(2, 1.0))
    assert ab.ratio > 2.5 and ab.p_value < 1e-6
    assert ab.regression and ab.significant and not ab.improvement


def test_compare_flags_a_large_significant_speedup_as_improvement() -> None:
    ab = compare(_sample(1, 1.0), _sample(2, 3.0))
    assert ab.improvement and not ab.regression


def test_compare_same_distribution_is_neither() -> None:
    ab = compare(_sample(1, 1.0), _sample(2, 1.0))
    assert not ab.regression and not ab.improvement
    assert 0.8 < ab.ratio < 1.25


def test_a_significant_but_small_difference_is_not_a_regression() -> None:
    ab = compare(_sample(1, 1.1, n=2000), _sample(2, 1.0, n=2000), threshold=1.3)
    assert ab.significant and not ab.regression


def test_a_slower_tail_with_a_small_median_shift_is_not_a_regression() -> None:
    # 2,000 microsecond rounds: 5% slower in the middle (significant), a few interrupts in the tail.
    baseline = _sample(2, 1.0, n=2000)
    candidate = [t * 1.05 for t in _sample(1, 1.0, n=2000)]
    candidate[::50] = [8.0] * len(candidate[::50])
    assert summarize(candidate).p99 / summarize(baseline).p99 > 2
    ab = compare(candidate, baseline, threshold=1.3)
    assert ab.significant and 1.0 < ab.ratio < 1.3 and not ab.regression


def test_a_large_but_insignificant_difference_is_not_a_regression() -> None:
    ab = compare([1.0, 5.0], [1.0, 1.0])  # two rounds a side cannot be significant
    assert ab.p_value == 1.0 and not ab.regression


def test_identical_constant_samples_compare_equal() -> None:
    ab = compare([2.0] * 10, [2.0] * 10)
    assert ab.ratio == 1.0 and ab.p_value == 1.0


def test_threshold_must_exceed_one() -> None:
    with pytest.raises(ValueError, match="threshold"):
        compare([1.0] * 5, [1.0] * 5, threshold=1.0)
