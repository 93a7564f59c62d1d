"""WAL checkpoints off the writers' commit path: a background checkpointer.

In WAL mode SQLite copies the log back into the database (a checkpoint) from
inside the COMMIT that pushes the log past `wal_autocheckpoint` pages. That
commit then pays for writing and fsyncing thousands of pages, which lands in
the p95 of batches and the p99.9 of single inserts. A `Checkpointer` runs
PASSIVE checkpoints from its own thread and connection instead, so commits
only append to the log. PASSIVE never waits for readers or writers and never
blocks them; the writers' own autocheckpoint (db.WAL_AUTOCHECKPOINT_PAGES)
stays as the backstop for a process that runs no checkpointer.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass

from harness.engine import db
from harness.errors import UsageError

#: Seconds between checkpoint attempts; an attempt with nothing to copy returns without syncing.
#: Short, so that little is left to copy when a writer's backstop checkpoint does run: 100 store
#: batches of 100 at 1m, timed on a working copy while the two duration indexes still existed,
#: had a p95 of 48 ms with 100 ms between attempts and 28.5 ms with 25 ms.
DEFAULT_INTERVAL_S = 0.025
#: The name of every checkpointer thread (a test finds one left running by it).
THREAD_NAME = "ggen-db-checkpointer"


@dataclass
class CheckpointStats:
    """What a checkpointer did: attempts, attempts another checkpoint made busy, the largest log
    it saw (frames), and the time its attempts took."""

    attempts: int = 0
    busy: int = 0
    largest_log_frames: int = 0
    seconds: float = 0.0
    longest_s: float = 0.0


class Checkpointer:
    """PASSIVE WAL checkpoints every `interval_s` seconds from a background thread.

    Use as a context manager around the writes (or start() / stop()). It opens
    its own connection to `path`; stop() runs one last checkpoint, joins the
    thread and closes the connection. Any number of processes may each run
    one: a checkpoint already running elsewhere makes an attempt report busy.
    """

    def __init__(self, path: str | os.PathLike[str], *, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        if not interval_s > 0:
            raise UsageError(f"interval_s: must be a positive number of seconds, got {interval_s!r}")
        self.path = os.fspath(path)
        self.interval_s = interval_s
        self.stats = CheckpointStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def start(self) -> Checkpointer:
        if self._thread is not None:
            raise UsageError("Checkpointer.start: already running")
        self._conn = db.connect(self.path)
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> CheckpointStats:
        """Stop the thread after a last checkpoint; returns the stats."""
        if self._thread is None:
            return self.stats
        self._stop.set()
        self._thread.join()
        self._thread = None
        self.checkpoint_now()
        assert self._conn is not None
        self._conn.close()
        self._conn = None
        return self.stats

    def __enter__(self) -> Checkpointer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.checkpoint_now()

    def checkpoint_now(self) -> None:
        """One PASSIVE checkpoint attempt (thread-safe; a no-op when stopped)."""
        with self._lock:
            if self._conn is None:
                return
            t0 = time.perf_counter()
            try:
                busy, log, _ = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.OperationalError:
                busy, log = 1, 0  # a locked database: the next attempt retries
            self._count(int(busy), int(log), time.perf_counter() - t0)

    def _count(self, busy: int, log: int, elapsed: float) -> None:
        s = self.stats
        s.attempts += 1
        s.busy += busy
        s.largest_log_frames = max(s.largest_log_frames, log)
        s.seconds += elapsed
        s.longest_s = max(s.longest_s, elapsed)
