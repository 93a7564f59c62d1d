"""How every command module adds its parser: the summary `ggen-db --help` lists, the description,
and the example block its --help ends with (printed as written)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeAlias

    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def add_command(sub: Subparsers, name: str, summary: str, description: str, example: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=summary, description=description, epilog=example,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
