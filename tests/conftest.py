"""Shared test configuration.

Hypothesis profiles: "ci" (the default) is bounded and derandomized, so a
run is reproducible and fits the suite's time budget on a 2-core machine;
"deep" runs many more examples for a local hunt. Choose with
HYPOTHESIS_PROFILE=deep.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Iterator

import pytest
from hypothesis import settings

from harness.store.checkpoint import THREAD_NAME

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None, print_blob=False)
settings.register_profile("deep", max_examples=2000, deadline=None, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# On a failure, hypothesis's pytest plugin imports hypothesis.extra._patching
# (libcst), whose import warns that mypy_extensions.TypedDict is deprecated;
# under filterwarnings=error that aborts the session with INTERNALERROR and
# hides the falsifying example. Import it once here, the warning silenced.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401


@pytest.fixture(autouse=True)
def no_checkpointer_left_running() -> Iterator[None]:
    """A checkpointer thread outliving its test is a Store or Checkpointer left open."""
    yield
    left = [t for t in threading.enumerate() if t.name == THREAD_NAME]
    assert not left, f"{len(left)} checkpointer thread(s) still running: a Store.open() or Checkpointer not closed"
