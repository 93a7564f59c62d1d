"""Rounds against a baseline's rounds: the one comparison `ggen-db bench` and `ggen-db signoff` apply.

A comparison is the ratio of the medians and a Mann-Whitney p-value over the
raw rounds; a regression is a significant ratio beyond the workload's
threshold (writes tolerate more: harness.bench.workloads.WRITE_THRESHOLD).
The baseline is another schema measured in the same run (`bench
--baseline-schema`), an earlier run's results (`bench --compare`) or an
earlier sign-off (`signoff --baseline`). What a regression does to a
verdict is the caller's rule; this module only measures it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.bench import stats
from harness.bench.workloads import load_workloads
from harness.results import Comparison, WorkloadResult

#: A result's identity across runs: (workload, scale).
Key = tuple[str, str]


def compare_rounds(timings_ms: Sequence[float], baseline_ms: Sequence[float], *, threshold: float) -> Comparison:
    """timings_ms against baseline_ms (both raw rounds in milliseconds)."""
    ab = stats.compare(timings_ms, baseline_ms, threshold=threshold)
    before = stats.summarize(baseline_ms)
    return Comparison(
        baseline_p50_ms=before.p50, baseline_p95_ms=before.p95, baseline_p99_ms=before.p99,
        ratio=ab.ratio, p_value=ab.p_value, significant=ab.significant,
        regression=ab.regression, improvement=ab.improvement,
    )


def rounds_by_key(results: Sequence[WorkloadResult]) -> dict[Key, tuple[float, ...]]:
    """Each result's raw rounds by (workload, scale); results without rounds are left out."""
    return {(r.workload, r.scale): r.timings_ms for r in results if r.timings_ms}


def against_earlier(results: Sequence[WorkloadResult],
                    earlier: Mapping[Key, Sequence[float]]) -> dict[Key, Comparison]:
    """Each result compared with the earlier rounds of the same workload and scale, at its workload's threshold.

    Results the earlier run lacks (or that have no rounds) get no entry.
    """
    thresholds = {w.name: w.threshold for w in load_workloads()}
    found = {}
    for r in results:
        before = earlier.get((r.workload, r.scale))
        if before and r.timings_ms:
            threshold = thresholds.get(r.workload, stats.DEFAULT_THRESHOLD)
            found[(r.workload, r.scale)] = compare_rounds(r.timings_ms, before, threshold=threshold)
    return found
