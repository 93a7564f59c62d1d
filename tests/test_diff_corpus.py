"""The schema-change corpus (tests/schema_changes/corpus.py): each change gets its classification, exit
status and message from `ggen-db diff`, its data-dependent findings are decided on a generated
version-1 database, and each change a migration applies to is migrated from a populated version-1
database and converges (harness.changes.migrate, tests/_convergence.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from _convergence import converge, populate_source
from _versions import V1, V1_TEXT, create_table_sql
from schema_changes.corpus import CASES, Case, _creates

from harness.bench.datagen import DataSpec, build_database
from harness.changes.diff import diff_schemas
from harness.changes.rules import CLASSES, WAIVER
from harness.changes.versions import Versions, find_migrations
from harness.cli import main
from harness.engine.db import split_statements

IDS = [c.name for c in CASES]


def new_schema(case: Case) -> str:
    text = V1_TEXT
    for edit in case.edits:
        if callable(edit):
            text = edit(text)
        else:
            old, new = edit
            assert text.count(old) == 1, f"{case.name}: edit must match once: {old[:60]!r}"
            text = text.replace(old, new)
    assert text != V1_TEXT
    return text


def write_sides(case: Case, directory: Path) -> tuple[Path, Path]:
    new = directory / "new.sql"
    new.write_text(new_schema(case), encoding="utf-8")
    return V1, new


@pytest.fixture(scope="module")
def version_1_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "v1.db"
    build_database(path, DataSpec(receipts=400, agents=5), schema_file=V1)
    return path


def test_the_corpus_covers_every_class() -> None:
    assert len(CASES) >= 25
    assert len(set(IDS)) == len(IDS)
    assert {c.cls for c in CASES} == set(CLASSES) - {WAIVER, "data-dependent"}
    assert sum(c.data_codes is not None for c in CASES) >= 5  # data-dependent cases, decided on --data


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_diff_classifies_the_change(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write_sides(case, tmp_path)
    report = diff_schemas(str(old), str(new))
    assert sorted({f.code for f in report.findings}) == list(case.codes), [f"{f.code} {f.message}" for f in report.findings]
    assert case.cls in report.classes()
    assert any(case.message in f.message for f in report.findings), [f.message for f in report.findings]
    assert report.exit_status == case.exit_status
    assert main(["diff", str(old), str(new)]) == case.exit_status
    assert case.message in capsys.readouterr().out


@pytest.mark.parametrize("case", [c for c in CASES if c.data_codes is not None],
                         ids=[c.name for c in CASES if c.data_codes is not None])
def test_data_dependent_findings_are_decided_on_the_data(case: Case, tmp_path: Path, version_1_data: Path) -> None:
    old, new = write_sides(case, tmp_path)
    unverified = diff_schemas(str(old), str(new))
    assert "DD101" in [f.code for f in unverified.findings]
    report = diff_schemas(str(old), str(new), data=version_1_data)
    assert sorted({f.code for f in report.findings}) == sorted(case.data_codes or ()), [f.message for f in report.findings]
    decided = next(f for f in report.findings if f.code in ("DD102", "DD103"))
    assert "in --data" in (decided.data or "")


def migration_dir(case: Case, new_text: str, directory: Path) -> Path:
    """One migration (0002) taking version 1 to the case's schema: SQL, or a Python table rebuild."""
    directory.mkdir()
    statements = [case.migration_sql] if case.migration_sql else []
    for name in case.recreate:
        statements += _recreate(name, new_text)
    if not case.rebuild:
        (directory / "0002_change.sql").write_text("\n".join(statements) + "\n", encoding="utf-8")
        return directory
    creates = {t: create_table_sql(new_text, t) for t in case.rebuild}
    (directory / "0002_change.py").write_text(textwrap.dedent(f'''\
        import sqlite3

        from harness.changes.rebuild import rebuild_table

        CREATES = {creates!r}
        STATEMENTS = {statements!r}


        def upgrade(conn: sqlite3.Connection) -> None:
            """Rebuild {", ".join(case.rebuild)} with the new definition."""
            for table, create in CREATES.items():
                rebuild_table(conn, table, create)
            for statement in STATEMENTS:
                conn.execute(statement)
        '''), encoding="utf-8")
    return directory


def _recreate(name: str, new_text: str) -> list[str]:
    old = [s for s in split_statements(V1_TEXT) if _creates(s, name)]
    new = [s for s in split_statements(new_text) if _creates(s, name)]
    drop = []
    if old:
        kind = next(k for k in ("VIEW", "TRIGGER", "INDEX") if f"CREATE {k}" in old[0])
        drop = [f"DROP {kind} {name};"]
    return drop + [s[s.index("CREATE"):] for s in new]


MIGRATED = [c for c in CASES if c.migration_sql or c.rebuild or c.recreate]


def test_every_case_without_a_migration_says_why() -> None:
    for case in CASES:
        assert (case in MIGRATED) != bool(case.why_no_migration), case.name
    assert len(MIGRATED) >= 20


@pytest.mark.slow  # 26 populated databases migrated: CI runs it, the quick loop does not
@pytest.mark.parametrize("case", MIGRATED, ids=[c.name for c in MIGRATED])
def test_the_change_migrates_a_populated_version_1_database(case: Case, tmp_path: Path) -> None:
    new_text = new_schema(case)
    versions = Versions(V1_TEXT, find_migrations(migration_dir(case, new_text, tmp_path / "migrations")), new_text)
    source = populate_source(tmp_path, DataSpec(receipts=60, agents=4), [], "agent-01")
    converge(versions, 1, tmp_path, source)
