"""A progress bar on stderr for long commands (ingest, backup), shown only when asked or on a TTY."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Update = Callable[[int, int], None]  # (completed, total)


def wanted(requested: bool) -> bool:
    """Show progress when --progress was given, or when stderr is a terminal."""
    return requested or sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, *, enabled: bool) -> Iterator[Update]:
    """Yield an update(completed, total) callback; a no-op when not enabled."""
    if not enabled:
        yield lambda _completed, _total: None
        return
    from rich.console import Console  # lazy: only long interactive runs pay for rich
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=None)

        def update(completed: int, total: int) -> None:
            bar.update(task, completed=completed, total=total or None)

        yield update
