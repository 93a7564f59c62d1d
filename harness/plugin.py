"""pytest plugin of ggen-db (entry point pytest11): the --schema / --db options.

Wiring only; the checks live in harness.checks.
"""

from __future__ import annotations
