"""`ggen-db diff`: judge a schema change against what is deployed.

diff_schemas(old, new) loads each side (a schema file, a database opened
read-only, or `git:REV[:PATH]`), compares their normalized catalogs
(harness.engine.compare), classifies every change (harness.changes.classify),
checks that the contract's documented queries keep their index and scan no
growing table, decides data-dependent findings on --data (counting the rows
the new rule refuses, with examples), applies the project's severities and
the waivers, and returns a DiffReport. Nothing is written anywhere.
"""

from __future__ import annotations

import fnmatch
import os
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from harness.changes.classify import Finding, Probe, classify
from harness.changes.rules import FAIL, INFO, RULES, SEVERITIES, WARN
from harness.checks.plans import full_scans, indexes_used, query_plan
from harness.contract.model import Contract, load_contract
from harness.engine import db
from harness.engine.catalog import Catalog, catalog_of_script, read_catalog
from harness.engine.compare import compare
from harness.engine.introspection import quote_identifier
from harness.errors import InputError
from harness.jsonfile import read_json

SQLITE_HEADER = b"SQLite format 3\x00"
EXAMPLES = 3


@dataclass(frozen=True)
class Side:
    """One side of a diff: what it is (label), its catalog, and its schema text when it has one."""

    label: str
    catalog: Catalog
    script: str | None
    database: Path | None

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection holding this side's schema (a scratch copy, or the database read-only)."""
        conn = db.connect_read_only(self.database) if self.database else db.connect_memory()
        try:
            if self.database is None:
                db.apply_schema(conn, self.script or "", source=self.label)
            yield conn
        finally:
            conn.close()


@dataclass(frozen=True)
class Waiver:
    code: str
    object: str
    reason: str
    owner: str
    expires: date

    def matches(self, finding: JudgedFinding) -> bool:
        return self.code == finding.code and fnmatch.fnmatchcase(finding.object, self.object)


@dataclass(frozen=True)
class JudgedFinding:
    code: str
    cls: str
    severity: str
    object: str
    message: str
    data: str | None = None  # what --data showed
    waiver: Waiver | None = None

    @property
    def fails(self) -> bool:
        return self.severity == FAIL and self.waiver is None

    @property
    def title(self) -> str:
        return RULES[self.code].title


@dataclass(frozen=True)
class DiffReport:
    old: str
    new: str
    data: str | None
    findings: tuple[JudgedFinding, ...]
    changes: int

    @property
    def failed(self) -> tuple[JudgedFinding, ...]:
        return tuple(f for f in self.findings if f.fails)

    @property
    def exit_status(self) -> int:
        return 1 if self.failed else 0

    def counts(self) -> dict[str, int]:
        found = {FAIL: 0, WARN: 0, INFO: 0, "waived": 0}
        for f in self.findings:
            found["waived" if f.waiver else f.severity] += 1
        return found

    def classes(self) -> tuple[str, ...]:
        """The classes of the findings, in catalogue order."""
        seen = {f.cls for f in self.findings}
        return tuple(c for c in dict.fromkeys(r.cls for r in RULES.values()) if c in seen)


def diff_schemas(
    old: str,
    new: str,
    *,
    data: str | os.PathLike[str] | None = None,
    severities: Mapping[str, str] | None = None,
    waivers: Sequence[Waiver] = (),
    contract: Contract | None = None,
    today: date | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> DiffReport:
    """Compare OLD with NEW (each a schema file, a database, or git:REV[:PATH]) and judge every change."""
    before, after = load_side(old, "OLD", cwd), load_side(new, "NEW", cwd)
    changes = compare(before.catalog, after.catalog, versions=before.database is not None and after.database is not None)
    found = classify(changes, before.catalog, after.catalog)
    found += plan_findings(before, after, contract or load_contract())
    judged = [_judge(f, data, severities or {}) for f in found]
    judged = apply_waivers(judged, waivers, today or date.today())
    return DiffReport(before.label, after.label, os.fspath(data) if data else None, tuple(judged), len(changes))


# ------------------------------------------------------------------ sides
def load_side(spec: str, option: str, cwd: str | os.PathLike[str] | None = None) -> Side:
    """A side from `git:REV[:PATH]`, a SQLite database file, or a schema file."""
    if spec.startswith("git:"):
        script = git_schema(spec, option, cwd)
        return Side(spec, _catalog(script, spec), script, None)
    path = Path(cwd or ".") / spec
    if path.is_dir() or not path.is_file():
        raise InputError(f"{option} {spec}: no such file (a schema file, a database, or git:REV[:PATH])")
    with path.open("rb") as handle:
        is_database = handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if is_database:
        conn = db.connect_read_only(path)
        try:
            return Side(spec, read_catalog(conn), None, path)
        finally:
            conn.close()
    script = db.read_schema(path)
    return Side(spec, _catalog(script, spec), script, None)


def _catalog(script: str, label: str) -> Catalog:
    return catalog_of_script(script, source=label)


def git_schema(spec: str, option: str, cwd: str | os.PathLike[str] | None = None) -> str:
    """The text of PATH (default schema.sql) at git revision REV, for `git:REV[:PATH]`."""
    rev, _, path = spec[len("git:"):].partition(":")
    if not rev:
        raise InputError(f"{option} {spec}: git:REV[:PATH] needs a revision")
    shown = subprocess.run(
        ["git", "show", f"{rev}:{path or 'schema.sql'}"], cwd=cwd, capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        reason = (shown.stderr.strip().splitlines() or ["git failed"])[-1]
        raise InputError(f"{option} {spec}: {reason}")
    return shown.stdout


# ------------------------------------------------------------------ plans
def plan_findings(before: Side, after: Side, contract: Contract) -> list[Finding]:
    """BR107 for each documented query that loses an index, starts scanning a growing table or stops running."""
    derived = {t.name for t in contract.tables.values() if t.derived}
    found = []
    with before.connection() as old_conn, after.connection() as new_conn:
        for query in contract.queries.values():
            was = _plan(old_conn, query.sql, query.params, derived, query.max_rows is not None)
            now = _plan(new_conn, query.sql, query.params, derived, query.max_rows is not None)
            if isinstance(was, str):
                continue  # it did not run before either: not this change's doing
            if isinstance(now, str):
                found.append(Finding("BR107", query.name, f"documented query {query.name} no longer runs: {now}"))
                continue
            lost = sorted(was[0] - now[0])
            scans = sorted(now[1] - was[1])
            if scans or (lost and not now[0]):
                what = "; ".join(p for p in (
                    f"no longer uses {', '.join(lost)}" if lost else "",
                    f"now makes a {', '.join(scans)}" if scans else "",
                ) if p)
                found.append(Finding("BR107", query.name, f"documented query {query.name}: {what}"))
    return found


def _plan(
    conn: sqlite3.Connection, sql: str, params: Mapping[str, Any], derived: set[str], bounded: bool
) -> tuple[set[str], set[str]] | str:
    try:
        used = indexes_used(query_plan(conn, sql, params))
        scans = {
            f"full scan of {s.table}" for s in full_scans(conn, sql, params)
            if s.table not in derived and not (s.is_index and bounded)
        }
    except sqlite3.Error as e:
        return str(e)
    return used, scans


# ------------------------------------------------------------------ data
def _judge(finding: Finding, data: str | os.PathLike[str] | None, severities: Mapping[str, str]) -> JudgedFinding:
    code, found = finding.code, None
    if finding.probe is not None and data is not None:
        code, found = _decide(finding.probe, data)
    rule = RULES[code]
    message = finding.message if found is None else f"{finding.message}: {found}"
    return JudgedFinding(code, rule.cls, severities.get(code, rule.severity), finding.object, message, found)


def _decide(probe: Probe, data: str | os.PathLike[str]) -> tuple[str, str]:
    """(DD102 or DD103, what the data showed) for a probe run on the --data database."""
    conn = db.connect_read_only(data)
    table = quote_identifier(probe.table)
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (probe.table,)).fetchone()
        if not exists:
            return "DD103", f"{probe.table} does not exist in --data, no rows to break it"
        where = f"FROM {table} WHERE {probe.where}"  # noqa: S608 - the new schema's own expression, names quoted
        count = conn.execute(f"SELECT count(*) {where}").fetchone()[0]  # noqa: S608
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - quoted name
        rowids = [r[0] for r in conn.execute(f"SELECT rowid {where} LIMIT {EXAMPLES}")]  # noqa: S608
    except sqlite3.Error as e:
        return "DD102", f"could not be decided on --data ({e})"
    finally:
        conn.close()
    found = f"{count} of {total} rows of {probe.table} in --data {probe.what}"
    return ("DD102", f"{found} (rowid {', '.join(map(str, rowids))})") if count else ("DD103", found)


# ------------------------------------------------------------------ waivers and severities
def apply_waivers(findings: list[JudgedFinding], waivers: Sequence[Waiver], today: date) -> list[JudgedFinding]:
    """Each finding a live waiver covers is marked waived; expired, unknown or unused waivers are findings."""
    judged, used = [], set()
    live = [w for w in waivers if w.expires >= today and w.code in RULES]
    for finding in findings:
        waiver = next((w for w in live if w.matches(finding)), None)
        if waiver is not None:
            used.add(waiver)
            finding = replace(finding, waiver=waiver)
        judged.append(finding)
    for w in waivers:
        subject = f"{w.code} {w.object}"
        if w.code not in RULES:
            judged.append(_waiver_finding("WV102", subject, f"waiver names unknown rule code {w.code} (owner {w.owner})"))
        elif w.expires < today:
            judged.append(_waiver_finding("WV101", subject, f"waiver for {subject} expired on {w.expires} "
                                                            f"(owner {w.owner}: {w.reason})"))
        elif w not in used:
            judged.append(_waiver_finding("WV103", subject, f"waiver for {subject} matches no finding"))
    return judged


def _waiver_finding(code: str, subject: str, message: str) -> JudgedFinding:
    rule = RULES[code]
    return JudgedFinding(code, rule.cls, rule.severity, subject, message)


_WAIVER_FIELDS = ("code", "object", "reason", "owner", "expires")


def load_waivers(path: str | os.PathLike[str]) -> list[Waiver]:
    """Waivers from a JSON file: {"waivers": [{code, object, reason, owner, expires: YYYY-MM-DD}, ...]}."""
    entries = _json_file(path, "--waivers").get("waivers")
    if not isinstance(entries, list):
        raise InputError(f"--waivers {path}: needs a \"waivers\" list")
    found = []
    for at, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InputError(f"--waivers {path}: waiver {at} is not an object")
        missing = [f for f in _WAIVER_FIELDS if not isinstance(entry.get(f), str) or not entry[f].strip()]
        if missing:
            raise InputError(f"--waivers {path}: waiver {at} needs {', '.join(missing)} (non-empty text)")
        try:
            expires = date.fromisoformat(entry["expires"])
        except ValueError as e:
            raise InputError(f"--waivers {path}: waiver {at}: expires {entry['expires']!r} is not YYYY-MM-DD") from e
        found.append(Waiver(entry["code"], entry["object"], entry["reason"], entry["owner"], expires))
    return found


def load_severities(path: str | os.PathLike[str]) -> dict[str, str]:
    """Per-project severities from a JSON file: {"severity": {"BR104": "warn", ...}}."""
    table = _json_file(path, "--config").get("severity", {})
    if not isinstance(table, dict):
        raise InputError(f"--config {path}: \"severity\" must map rule codes to fail, warn or info")
    for code, severity in table.items():
        if code not in RULES:
            raise InputError(f"--config {path}: unknown rule code {code!r}")
        if severity not in SEVERITIES:
            raise InputError(f"--config {path}: {code}: severity must be fail, warn or info, not {severity!r}")
    return dict(table)


def _json_file(path: str | os.PathLike[str], option: str) -> dict[str, Any]:
    loaded = read_json(path, f"{option} {path}")
    if not isinstance(loaded, dict):
        raise InputError(f"{option} {path}: must be a JSON object")
    return loaded
