"""ggen-db: the ggen persistence schema, its conformance suite and its SLO benchmarks."""

from __future__ import annotations

from harness.contract.model import Contract, load_contract
from harness.errors import GgenDbError

__version__ = "0.1.0"

__all__ = ["Contract", "GgenDbError", "__version__", "load_contract"]
