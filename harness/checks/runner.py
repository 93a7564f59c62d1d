"""Running the registry against a schema file or a database: check_schema() is the public entry.

A schema file is loaded into an in-memory database; a database is opened
read-only and nothing is ever written to it. Each check becomes one Finding:
passed, failed (a promise is broken: the message names the table, column or
index and the rule), error (SQLite failed in an unexpected way, e.g. a
missing column) or skipped (the check does not apply to this kind of target).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from harness.checks.context import CheckContext
from harness.checks.registry import Broken, PlannedCheck, Skip, plan
from harness.contract.model import Contract, load_contract
from harness.engine import db as harness_db
from harness.engine.introspection import ddl_statements, inspect_schema
from harness.errors import UsageError
from harness.results import ERROR, FAILED, PASSED, SKIPPED, CheckReport, Finding

MAX_PROBLEMS_SHOWN = 6


def check_schema(
    schema: str | Path | None = None,
    db: str | Path | None = None,
    contract: str | Path | None = None,
) -> CheckReport:
    """Check a schema file (default: the shipped schema.sql) or a database (read-only) against the contract.

    Raises UsageError when both schema and db are given, InputError when a
    file cannot be used, SchemaLoadError when a schema statement fails and
    ContractError when the contract is invalid.
    """
    if schema is not None and db is not None:
        raise UsageError("--schema and --db are mutually exclusive; give one (a schema file or a database)")
    started = time.perf_counter()
    loaded = load_contract(contract)
    ctx = open_target(loaded, schema=schema, db=db)
    try:
        findings = run_checks(ctx)
    finally:
        ctx.close_scratches()
        ctx.target.close()
    return CheckReport(
        findings=tuple(findings),
        target=ctx.target_path,
        target_kind=ctx.target_kind,
        schema_sha256=hashlib.sha256(_schema_bytes(ctx)).hexdigest(),
        contract_version=loaded.contract_version,
        contract_sha256=loaded.sha256,
        sqlite_version=sqlite3.sqlite_version,
        duration_s=round(time.perf_counter() - started, 4),
    )


def open_target(contract: Contract, *, schema: str | Path | None = None, db: str | Path | None = None) -> CheckContext:
    """The check context of a schema file (loaded in memory) or of a database (opened read-only)."""
    if db is not None:
        conn = harness_db.connect_read_only(db)
        return _context(contract, conn, "db", str(db), None)
    text = harness_db.read_schema(schema)
    path = str(schema) if schema is not None else str(harness_db.schema_path())
    conn = harness_db.connect_memory()
    try:
        harness_db.apply_schema(conn, text, source=path)
    except BaseException:
        conn.close()
        raise
    return _context(contract, conn, "schema", path, text)


def _context(contract: Contract, conn: sqlite3.Connection, kind: str, path: str, text: str | None) -> CheckContext:
    return CheckContext(
        contract=contract,
        info=inspect_schema(conn),
        target=conn,
        target_kind=kind,
        target_path=path,
        ddl=ddl_statements(conn),
        schema_text=text,
    )


def _schema_bytes(ctx: CheckContext) -> bytes:
    text = ctx.schema_text if ctx.schema_text is not None else "\n".join(ctx.ddl)
    return text.encode("utf-8")


def run_checks(ctx: CheckContext, only: Iterable[str] | None = None) -> list[Finding]:
    """Run every planned check (or only the codes given), in the report's order."""
    wanted = set(only) if only is not None else None
    return [run_one(ctx, p) for p in plan(ctx.contract) if wanted is None or p.code in wanted]


def run_one(ctx: CheckContext, planned: PlannedCheck) -> Finding:
    started = time.perf_counter()
    try:
        if planned.spec.schema_only and ctx.target_kind != "schema":
            raise Skip("applies to a schema file only")
        problems = planned.run(ctx)
        status, message = (FAILED, _message(problems)) if problems else (PASSED, "")
    except Broken as e:
        status, message = FAILED, str(e)
    except Skip as e:
        status, message = SKIPPED, str(e)
    except sqlite3.IntegrityError as e:  # outside a probe: a write the contract allows was refused
        status, message = FAILED, f"{planned.obj or planned.code}: a write the contract allows is refused ({e})"
    except sqlite3.Error as e:
        status, message = ERROR, f"{planned.obj or planned.code}: SQLite error: {e}"
    finally:
        ctx.close_scratches()
    spec = planned.spec
    return Finding(
        code=planned.code,
        title=planned.title,
        group=spec.group,
        status=status,
        number=spec.number,
        obj=planned.obj,
        message=message,
        duration_s=round(time.perf_counter() - started, 4),
    )


def _message(problems: list[str]) -> str:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
