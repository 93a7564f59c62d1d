"""harness.engine.sqltext: the one reading of SQL text the catalog, the migrations and the checks share."""

from __future__ import annotations

from harness.engine.sqltext import declared_rules, definition_spans, normalize, parse_create_table

TABLE = """CREATE TABLE t (
    id INTEGER PRIMARY KEY,
    "check" TEXT CONSTRAINT t_check_nn NOT NULL CHECK ("check" <> ''), -- a column named like a keyword
    Name TEXT COLLATE NOCASE CONSTRAINT t_name_short CHECK (length(Name) < 9 COLLATE binary),
    total INTEGER AS (id   *   2) STORED,
    CONSTRAINT t_pair CHECK (id > 0 AND "check" IS NOT NULL)
) STRICT"""


def test_a_constraint_name_belongs_to_the_constraint_after_it_only() -> None:
    rules = {(r.kind, r.column, r.name) for r in declared_rules(TABLE)}
    assert rules == {
        ("check", "check", None),  # t_check_nn names the NOT NULL
        ("check", "Name", "t_name_short"),
        ("generated", "total", None),
        ("check", None, "t_pair"),
    }


def test_rules_keep_the_text_as_written_and_its_normalized_form() -> None:
    total = next(r for r in declared_rules(TABLE) if r.kind == "generated")
    assert (total.text, total.expression) == ("id   *   2", "id * 2")
    assert total.label == "generated column"


def test_collation_is_the_columns_own_not_one_inside_its_check() -> None:
    text = parse_create_table(TABLE)
    assert text.collations == {"Name": "nocase"}
    assert text.generated == {"total": "id * 2"}
    assert [c.name for c in text.checks] == [None, "t_name_short", "t_pair"]


def test_spans_are_where_each_definition_is_written() -> None:
    spans = definition_spans(TABLE)
    assert [column for column, _, _ in spans] == ["id", "check", "Name", "total", None]
    column, start, end = spans[1]
    assert TABLE[start:end] == '"check" TEXT CONSTRAINT t_check_nn NOT NULL CHECK ("check" <> \'\')'


def test_normalize_drops_what_does_not_change_meaning() -> None:
    assert normalize('CREATE INDEX IF NOT EXISTS "I" ON t (a) -- why\n;') == "create index i on t ( a )"
    assert normalize("SELECT 'A'") != normalize("SELECT 'a'")
