"""init, migrate, diff and gate: --help ends with an example, and each README section documents every
option, choice and example line of its --help."""

from __future__ import annotations

import pytest
from _operate_db import undocumented

from harness.cli import main


@pytest.mark.parametrize("command", ["init", "migrate", "diff", "gate"])
def test_help_ends_with_an_example_and_the_readme_documents_it(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert lines[-3] == "example:" and lines[-1].strip().startswith(f"ggen-db {command} ")
    assert undocumented(command) == []
