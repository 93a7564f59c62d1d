"""The conformance suite as pytest items: one per check of the registry, ids = the check codes.

    pytest tests/test_conformance.py                            # the shipped schema.sql
    pytest --ggen-schema my.sql tests/test_conformance.py       # another schema
    pytest --ggen-db .ggen/ggen.db tests/test_conformance.py    # a database, read-only

The options and the `ggen_db_check` fixture come from the ggen-db pytest
plugin (harness/plugin.py).
"""

from __future__ import annotations

import pytest

from harness.results import SKIPPED, Finding


def test_conformance(ggen_db_check: Finding) -> None:
    finding = ggen_db_check
    if finding.status == SKIPPED:
        pytest.skip(f"{finding.code}: {finding.message}")
    if not finding.ok:
        pytest.fail(f"{finding.code} [{finding.group}] {finding.status}: {finding.message}", pytrace=False)
