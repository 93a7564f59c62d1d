"""Time bounds given on the command line: `24h`, `7d`, `30m`, a date, or a timestamp.

A bound becomes the text the `*_utc` columns hold ('YYYY-MM-DD HH:MM:SS.SSS', UTC), so
it compares correctly with every stored form. A relative bound counts back from `now`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from harness.contract.model import is_timestamp, utc_text
from harness.errors import UsageError

EARLIEST = "0000-01-01 00:00:00.000"  # below every stored *_utc value
LATEST = "9999-12-31 24:00:00.000"  # above every stored *_utc value (hours stop at 23)
_RELATIVE = re.compile(r"(\d{1,6})([mhdw])")
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
RULE = "a duration back from now (30m, 24h, 7d, 2w), a date (2026-01-29) or a timestamp (2026-01-29T12:00:00Z)"


@dataclass(frozen=True)
class Window:
    """[since, until) in UTC text; the defaults take every row."""

    since: str = EARLIEST
    until: str = LATEST


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def bound(text: str, *, option: str, now: datetime | None = None) -> str:
    """One bound as UTC text; UsageError naming the option when it is neither form."""
    relative = _RELATIVE.fullmatch(text.strip())
    if relative:
        instant = (now or now_utc()) - int(relative.group(1)) * _UNIT[relative.group(2)]
        return instant.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.") + f"{instant.microsecond // 1000:03d}"
    stamp = text.strip()
    if _DATE.fullmatch(stamp):
        stamp += " 00:00:00"
    if not is_timestamp(stamp):
        raise UsageError(f"{option} {text!r}: not {RULE}")
    return utc_text(stamp)


def window(since: str | None, until: str | None, *, now: datetime | None = None) -> Window:
    """The window of --since/--until; UsageError when it is empty by construction."""
    result = Window(
        bound(since, option="--since", now=now) if since else EARLIEST,
        bound(until, option="--until", now=now) if until else LATEST,
    )
    if result.since >= result.until:
        raise UsageError(f"--since {since!r} is not before --until {until!r}")
    return result
