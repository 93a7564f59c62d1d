"""The import layers (pyproject.toml [tool.importlinter], README "Development" → Layout) hold.

Here as well as in .ci/run, so the quick loop catches an upward import before it lands.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept() -> None:
    lint_imports = shutil.which("lint-imports")
    assert lint_imports, "lint-imports (import-linter, in the dev extra) is not installed"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[result.stdout.find("Broken contracts"):] or result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout
