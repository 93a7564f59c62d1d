"""How every command module becomes a subcommand: the summary `ggen-db --help` lists, the description,
the example block its --help ends with (printed as written), its own arguments, and `run` as what it does.

A command module defines SUMMARY, EXAMPLE, `add_arguments(parser)` and `run(args) -> int`; its description is its
docstring after the summary line, unless it defines DESCRIPTION.
"""

from __future__ import annotations

import argparse
import inspect
from types import ModuleType
from typing import Any


def register(sub: argparse._SubParsersAction[Any], name: str, command: ModuleType) -> None:
    parser = sub.add_parser(name, help=command.SUMMARY, description=_description(command), epilog=command.EXAMPLE,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_arguments(parser)
    parser.set_defaults(func=command.run)


def add_database_argument(parser: argparse.ArgumentParser, purpose: str) -> None:
    """The DB positional of the commands that work on an existing database."""
    parser.add_argument("db", metavar="DB", help=f"the database to {purpose} (must exist)")


def _description(command: ModuleType) -> str:
    """DESCRIPTION, else the module docstring's paragraphs after the summary line, folded onto one line as
    --help prints them (so the command's prose is written once)."""
    if hasattr(command, "DESCRIPTION"):
        return str(command.DESCRIPTION)
    _summary, _, details = inspect.cleandoc(command.__doc__ or "").partition("\n\n")
    return " ".join(details.split())
