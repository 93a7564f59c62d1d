"""The `ggen-db` command: a thin layer over the Python API.

Each subcommand lives in its own module: SUMMARY, EXAMPLE, its docstring (after the summary line: the
--help description, unless it defines DESCRIPTION), `add_arguments(parser)` and `run(args)`, added by
cli._command.register; `run` calls one API function and renders the result with harness.reports, returning
the exit status. Long commands show progress through cli._progress. Errors of ggen-db's own type
become one line and exit 2; everything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from harness.errors import GgenDbError

COMMANDS = ("init", "check", "bench", "signoff", "ingest", "backup", "lint-queries", "migrate", "diff", "gate", "query",
            "get", "export", "stats", "archive", "maintain", "reset")
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command cut off by its reader


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line ('Error: ...') and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"Error: {self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from importlib import import_module

    from harness.cli._command import register

    parser = OneLineParser(
        prog="ggen-db",
        description="The ggen persistence schema: create databases, prove the schema, benchmark it, sign it off.",
    )
    parser.add_argument("--traceback", action="store_true", help="show the full traceback of an error")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMANDS:
        try:
            module_name = f"harness.cli.{name.replace('-', '_')}_cmd"  # lint-queries -> lint_queries_cmd
            module = import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            continue  # command not built yet
        register(sub, name, module)
    return parser


def _version() -> str:
    from harness import __version__

    return f"ggen-db {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        status: int = args.func(args)
    except GgenDbError as e:
        if args.traceback:
            raise
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`ggen-db ... | head`): stop quietly, as a command killed by
        # SIGPIPE would, and keep Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return status


if __name__ == "__main__":
    sys.exit(main())
