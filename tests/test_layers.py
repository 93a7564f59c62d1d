"""The import layers (pyproject.toml [tool.importlinter], README "Development" → Layout) hold.

Here as well as in .ci/run, so the quick loop catches an upward import before it lands.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNLAYERED = {"__init__", "__main__"}  # the package's own entry points, above every layer


def test_every_import_contract_is_kept() -> None:
    lint_imports = shutil.which("lint-imports")
    assert lint_imports, "lint-imports (import-linter, in the dev extra) is not installed"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[result.stdout.find("Broken contracts"):] or result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def _layers() -> list[str]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers: list[str] = next(c["layers"] for c in config["contracts"] if c["type"] == "layers")
    return layers


def test_every_module_of_the_package_has_a_layer() -> None:
    """A new subpackage must take its place in the layers, or the contract would not look at it."""
    layered = {name.strip() for layer in _layers() for name in layer.split("|")}
    harness = ROOT / "harness"
    children = {p.stem for p in harness.glob("*.py")} | {p.name for p in harness.iterdir() if (p / "__init__.py").exists()}
    assert children - UNLAYERED == layered


def test_the_readme_states_the_layers_of_the_contract() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("**Import layers**", 1)[1].split("```\n", 2)[1]
    assert block.splitlines() == _layers()
