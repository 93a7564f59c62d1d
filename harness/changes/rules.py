"""The rule catalogue of `ggen-db diff`: stable codes, classes, default severities.

A rule code never changes meaning once released; new rules take new codes.
Classes: destructive (data or a reader's column lost), breaking-writers (a
write that worked is refused), breaking-readers (a query or view returns
something else, or slower), data-dependent (existing rows may break the new
rule: decided with --data), rebuild (SQLite cannot ALTER it: the migration
must rebuild the table), safe (additive). Severities: fail (exit 1), warn,
info. A project may change any rule's severity (harness.changes.diff).
`python -m harness.changes.rules` prints the README catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

DESTRUCTIVE = "destructive"
BREAKING_WRITERS = "breaking-writers"
BREAKING_READERS = "breaking-readers"
DATA_DEPENDENT = "data-dependent"
REBUILD = "rebuild"
SAFE = "safe"
WAIVER = "waiver"
CLASSES = (DESTRUCTIVE, BREAKING_WRITERS, BREAKING_READERS, DATA_DEPENDENT, REBUILD, SAFE, WAIVER)

FAIL, WARN, INFO = "fail", "warn", "info"
SEVERITIES = (FAIL, WARN, INFO)


@dataclass(frozen=True)
class Rule:
    code: str
    cls: str
    severity: str  # the default
    title: str


_RULES = (
    Rule("DS101", DESTRUCTIVE, FAIL, "table dropped (its rows are lost)"),
    Rule("DS102", DESTRUCTIVE, FAIL, "column dropped (its values are lost, readers lose the column)"),
    Rule("DS103", DESTRUCTIVE, FAIL, "view dropped (its readers break)"),
    Rule("DS104", DESTRUCTIVE, FAIL, "index dropped"),
    Rule("DS105", DESTRUCTIVE, FAIL, "trigger dropped (what it enforced or maintained stops)"),
    Rule("DS106", DESTRUCTIVE, FAIL, "foreign key dropped"),
    Rule("BW101", BREAKING_WRITERS, FAIL, "NOT NULL column added without a default"),
    Rule("BW102", BREAKING_WRITERS, FAIL, "enumeration narrowed (a value writers send is refused)"),
    Rule("BW103", BREAKING_WRITERS, FAIL, "CHECK added or changed (it may refuse what was accepted)"),
    Rule("BW104", BREAKING_WRITERS, FAIL, "UNIQUE key or unique index added"),
    Rule("BW105", BREAKING_WRITERS, FAIL, "column type changed"),
    Rule("BW106", BREAKING_WRITERS, FAIL, "column made NOT NULL"),
    Rule("BW107", BREAKING_WRITERS, FAIL, "foreign key added (writes need the parent row)"),
    Rule("BW108", BREAKING_WRITERS, FAIL, "foreign key action changed (deletes and updates behave differently)"),
    Rule("BW109", BREAKING_WRITERS, FAIL, "default removed from a NOT NULL column"),
    Rule("BW110", BREAKING_WRITERS, WARN, "column default changed"),
    Rule("BW111", BREAKING_WRITERS, FAIL, "table made STRICT (values of another type are refused)"),
    Rule("BW112", BREAKING_WRITERS, FAIL, "trigger that can refuse writes (RAISE) added or changed"),
    Rule("BW113", BREAKING_WRITERS, FAIL, "primary key or WITHOUT ROWID changed"),
    Rule("BR101", BREAKING_READERS, FAIL, "view column dropped"),
    Rule("BR102", BREAKING_READERS, FAIL, "view column renamed"),
    Rule("BR103", BREAKING_READERS, FAIL, "view columns reordered"),
    Rule("BR104", BREAKING_READERS, FAIL, "view's row set or order changed (its SQL changed)"),
    Rule("BR105", BREAKING_READERS, FAIL, "table renamed (readers and writers name the old one)"),
    Rule("BR106", BREAKING_READERS, FAIL, "column renamed"),
    Rule("BR107", BREAKING_READERS, FAIL, "documented query loses its index, scans a growing table or stops running"),
    Rule("BR108", BREAKING_READERS, FAIL, "trigger body changed (what it maintains, e.g. a rollup, changes)"),
    Rule("BR109", BREAKING_READERS, FAIL, "generated column's expression changed (stored values change meaning)"),
    Rule("BR110", BREAKING_READERS, WARN, "table made loose (STRICT dropped: readers may get values of any type)"),
    Rule("BR111", BREAKING_READERS, WARN, "columns reordered (SELECT * and INSERT without a column list change)"),
    Rule("DD101", DATA_DEPENDENT, WARN, "existing rows may break the new rule (not verified: give --data)"),
    Rule("DD102", DATA_DEPENDENT, FAIL, "existing rows break the new rule (counted on --data)"),
    Rule("DD103", DATA_DEPENDENT, INFO, "existing rows keep the new rule (counted on --data)"),
    Rule("RB101", REBUILD, WARN, "SQLite cannot ALTER this: the migration must rebuild the table"),
    Rule("SF101", SAFE, INFO, "table added"),
    Rule("SF102", SAFE, INFO, "nullable column, or column with a default, added"),
    Rule("SF103", SAFE, INFO, "index added or redefined"),
    Rule("SF104", SAFE, INFO, "view added"),
    Rule("SF105", SAFE, INFO, "enumeration widened or CHECK dropped (more is accepted)"),
    Rule("SF106", SAFE, INFO, "trigger added"),
    Rule("SF107", SAFE, INFO, "constraint, index or trigger renamed"),
    Rule("SF108", SAFE, INFO, "NOT NULL dropped, default added, UNIQUE key dropped, AUTOINCREMENT changed"),
    Rule("SF109", SAFE, INFO, "schema version (user_version) changed"),
    Rule("WV101", WAIVER, FAIL, "waiver expired"),
    Rule("WV102", WAIVER, FAIL, "waiver names an unknown rule code"),
    Rule("WV103", WAIVER, WARN, "waiver matches no finding"),
)
RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def render_catalogue() -> str:
    """The README's table of rule codes (tests keep the README equal to this)."""
    lines = ["| code | class | default | finding |", "|---|---|---|---|"]
    lines += [f"| `{r.code}` | {r.cls} | {r.severity} | {r.title} |" for r in _RULES]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_catalogue(), end="")
