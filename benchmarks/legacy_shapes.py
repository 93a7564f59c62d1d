"""The original design's index-served query shapes, verbatim, on two databases of the same data.

Not a benchmark target (pytest does not collect it): the measurement behind the README's "before and
after" of the readers who kept their queries. Each shape is a contract query `legacy_*` with its
example parameters (agent-01 is the busiest agent). The two databases are opened read-only and
called alternately: one unmeasured call each, then the median of 5.

    ggen-db bench --scale 1m --schema harness/changes/versions/0001.sql --workload lookup   # builds v1's 1m
    python benchmarks/legacy_shapes.py BEFORE.db AFTER.db

The generated databases are in the bench cache (GGEN_DB_CACHE, default ~/.cache/ggen-db), named by
scale, seed and schema hash. Prints a Markdown table: the shape, its median before and after, and the
plan after.
"""

from __future__ import annotations

import argparse
import statistics
import time

from harness.bench.rounds import query_plan
from harness.bench.workloads import load_workloads
from harness.engine import db

MEASURED_CALLS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="database of the original design or of version 1")
    parser.add_argument("after", help="database of the shipped schema, same data")
    args = parser.parse_args()
    conns = {"before": db.connect_read_only(args.before), "after": db.connect_read_only(args.after)}
    print("| shape | before | after | plan after |")
    print("|---|---|---|---|")
    for workload in (w for w in load_workloads() if w.name.startswith("legacy_")):
        times: dict[str, list[float]] = {side: [] for side in conns}
        for call in range(MEASURED_CALLS + 1):
            for side, conn in conns.items():
                started = time.perf_counter()
                conn.execute(workload.sql, dict(workload.params)).fetchall()
                if call:  # the first call of each side warms its cache
                    times[side].append((time.perf_counter() - started) * 1000)
        plan = " / ".join(line.strip() for line in query_plan(conns["after"], workload.sql, dict(workload.params)))
        print(f"| `{workload.name}` | {statistics.median(times['before']):.3f} ms "
              f"| {statistics.median(times['after']):.3f} ms | {plan} |", flush=True)


if __name__ == "__main__":
    main()
