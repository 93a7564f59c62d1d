"""The operator commands' --help ends with an example, and each one's README section says what --help says."""

from __future__ import annotations

import pytest
from _operate_db import run_cli, undocumented

COMMANDS = ("query", "get", "export", "stats", "archive", "maintain", "reset")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_an_example_and_the_readme_documents_it(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run_cli(capsys, command, "--help")
    assert code == 0
    lines = out.rstrip().splitlines()
    example = lines.index("example:")
    assert lines[example + 1:] and all(line.strip().startswith("ggen-db ") for line in lines[example + 1:])
    assert undocumented(command) == []
