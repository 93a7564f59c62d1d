"""The one progress display of the long commands (bench, signoff, ingest, backup), on stderr.

A rich bar when shown (on a terminal, or when --progress asks for it); otherwise nothing, or, for
commands whose steps matter in a CI log (signoff), one line per new step with the time since the start.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

Update = Callable[[int, int], None]  # (completed, total)


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """--progress: a bar on stderr even when it is not a terminal."""
    parser.add_argument("--progress", action="store_true",
                        help="show a progress bar on stderr (default: only on a terminal)")


def wanted(requested: bool) -> bool:
    """Show progress when --progress was given, or when stderr is a terminal."""
    return requested or sys.stderr.isatty()


class ProgressDisplay:
    """Called as display(message, done, total); done/total count rounds, rows or bytes (0, 0 when unknown).

    bar: show a rich bar. keep: leave the finished bar on screen (else it disappears when done).
    log_steps: without a bar, print one line per new message.
    """

    def __init__(self, *, bar: bool, keep: bool = False, log_steps: bool = False, stream: TextIO | None = None) -> None:
        self.show_bar, self.keep, self.log_steps = bar, keep, log_steps
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.last_step = ""
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.show_bar:
            from rich.console import Console  # lazy: only runs that show a bar pay for rich
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                       TimeElapsedColumn())
            self.bar = Progress(*columns, console=Console(file=self.stream), transient=not self.keep)
            self.bar.start()
            self.task = self.bar.add_task("starting", total=None)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, message: str, done: int, total: int) -> None:
        new_step, self.last_step = message != self.last_step, message
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=message, completed=done, total=total or None)
        elif self.log_steps and new_step:  # a log line with the time since the start: a slow step shows in CI logs
            elapsed = time.monotonic() - self.started
            self.stream.write(f"[{elapsed:6.1f}s] {message}\n")
            self.stream.flush()

    def counter(self, message: str) -> Update:
        """An update(completed, total) callback that shows message (for APIs that report counts only)."""
        return lambda done, total: self(message, done, total)
