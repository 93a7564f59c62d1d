"""The one error family of ggen-db. The CLI turns these into one line and exit 2."""

from __future__ import annotations


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
    """A value breaks a rule of the contract; carries the table, column and rule."""

    def __init__(self, table: str, column: str, rule: str, message: str) -> None:
        self.table = table
        self.column = column
        self.rule = rule
        self.detail = message
        super().__init__(f"{table}.{column}: {rule}: {message}")
