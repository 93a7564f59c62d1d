"""The documented queries: each uses the index the contract names and scans no whole base table.

Plans are read on the target itself (EXPLAIN writes nothing), so on --db
they reflect that database's statistics, if it has any.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks.context import CheckContext
from harness.checks.plans import describe, full_scans, indexes_used, query_plan
from harness.checks.registry import CheckGroup, over_queries

INDEX_USE = CheckGroup("Index use")


@INDEX_USE.check("index_serves_{query}", subjects=over_queries)
def index_serves(ctx: CheckContext, query: str) -> Iterable[str]:
    """query {query} uses its index

    EXPLAIN QUERY PLAN of the documented query uses the index the contract names for it and every index whose
    `serves` lists it, and the query walks no base table from end to end (a bounded query, max_rows, may walk
    an index from one end).

    Fix: Create the index the contract names with the columns the query filters and orders on, in that order.
    """
    declared = ctx.contract.queries[query]
    plan = query_plan(ctx.target, declared.sql, declared.params)
    used = indexes_used(plan)
    # The query's own index, and every index whose `serves` names this query.
    wanted = [declared.index] if declared.index else []
    wanted += [i.name for i in ctx.contract.indexes if query in i.serves and i.name != declared.index]
    for index in wanted:
        if index not in used:
            yield f"{query}: does not use {index} (plan: {' / '.join(plan)})"
    derived = {t.name for t in ctx.contract.tables.values() if t.derived}
    for scan in full_scans(ctx.target, declared.sql, declared.params):
        if scan.table in derived or (scan.is_index and declared.max_rows is not None):
            continue
        yield f"{query}: {describe(scan)}"
