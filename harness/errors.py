"""The one error family of ggen-db, and the one record of a broken rule. The CLI turns errors into one line and exit 2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One broken rule in the contract's words: where (table, column), which rule, and why.

    The row checks, the store, the database's refusals and ingest all report this record
    (ValidationError carries it). column is a real column, or "(row)" for the row as a
    whole; an ingest line that is not a row yet names "(line)" or "kind" with table "".
    """

    table: str
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.table else self.column
        return f"{where}: {self.rule}: {self.message}"


class GgenDbError(Exception):
    """Base of every error ggen-db raises on purpose; its str() is the one line a user sees."""


class UsageError(GgenDbError):
    """An argument or option is wrong: names the argument and the rule."""


class InputError(GgenDbError):
    """A file or database given as input cannot be used (missing, unreadable, not a database)."""


class ContractError(GgenDbError):
    """The contract file is missing or does not match its JSON Schema."""


class SchemaLoadError(GgenDbError):
    """A schema file does not load; carries the failing statement."""

    def __init__(self, path: str, statement: str, reason: str) -> None:
        self.path = path
        self.statement = statement
        self.reason = reason
        first_line = " ".join(statement.split())[:120]
        super().__init__(f"{path}: statement does not load ({reason}): {first_line}")


class SchemaVersionError(GgenDbError):
    """The database was written by a newer schema version than this ggen-db knows."""


class ValidationError(GgenDbError):
    """A value breaks a rule of the contract; carries the Problem (table, column, rule, message)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))

    @property
    def table(self) -> str:
        return self.problem.table

    @property
    def column(self) -> str:
        return self.problem.column

    @property
    def rule(self) -> str:
        return self.problem.rule
