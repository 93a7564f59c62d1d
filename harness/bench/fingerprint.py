"""The machine a benchmark ran on, so numbers from two machines are never compared silently.

`fingerprint()` reads the CPU, cores, OS and kernel, Python, SQLite (version
and compile options), the filesystem holding the data and the pragmas in
force on the benchmark connection. `fingerprint_hash()` hashes the fields
that change timings; `differs()` lists those that disagree between two
fingerprints, for the warning printed when results from elsewhere are
compared.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sqlite3
import sys
from pathlib import Path
from typing import Any

#: Pragmas recorded with every result: each changes what a write or read costs.
RECORDED_PRAGMAS = (
    "journal_mode",
    "synchronous",
    "foreign_keys",
    "page_size",
    "cache_size",
    "mmap_size",
    "temp_store",
    "wal_autocheckpoint",
    "busy_timeout",
)

#: Fields whose difference makes two results incomparable (the hash covers them).
COMPARED_FIELDS = (
    "cpu_model",
    "cpu_count",
    "cpus_usable",
    "os",
    "kernel",
    "machine",
    "python",
    "sqlite_version",
    "sqlite_compile_options",
    "filesystem",
    "pragmas",
)


def fingerprint(data_dir: str | os.PathLike[str], conn: sqlite3.Connection | None = None) -> dict[str, Any]:
    """Describe this machine, the filesystem of data_dir and (when given) conn's pragmas."""
    probe = conn if conn is not None else sqlite3.connect(":memory:")
    try:
        info: dict[str, Any] = {
            "cpu_model": cpu_model(),
            "cpu_count": os.cpu_count() or 0,
            "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "os": platform.system(),
            "os_release": _os_release(),
            "kernel": platform.release(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "python_implementation": platform.python_implementation(),
            "sqlite_version": sqlite3.sqlite_version,
            "sqlite_compile_options": _compile_options(probe),
            "data_dir": os.fspath(data_dir),
            "filesystem": filesystem_type(data_dir),
            "pragmas": pragmas(probe) if conn is not None else {},
        }
    finally:
        if conn is None:
            probe.close()
    info["hash"] = fingerprint_hash(info)
    return info


def fingerprint_hash(info: dict[str, Any]) -> str:
    """A short stable hash over COMPARED_FIELDS (key order and other fields do not matter)."""
    stable = {name: info.get(name) for name in COMPARED_FIELDS}
    text = json.dumps(stable, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def differs(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The compared fields that disagree, each as 'field: A != B' (empty: same machine setup)."""
    out = []
    for name in COMPARED_FIELDS:
        left, right = a.get(name), b.get(name)
        if left != right:
            out.append(f"{name}: {_short(left)} != {_short(right)}")
    return out


def cpu_model() -> str:
    """The CPU model name (/proc/cpuinfo on Linux, platform.processor() elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def filesystem_type(path: str | os.PathLike[str]) -> str:
    """The filesystem type of the mount holding path (longest /proc/mounts prefix), or 'unknown'."""
    target = os.path.realpath(os.fspath(path))
    best, best_type = "", "unknown"
    try:
        lines = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "unknown"
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def pragmas(conn: sqlite3.Connection) -> dict[str, Any]:
    """The values of RECORDED_PRAGMAS on conn."""
    out: dict[str, Any] = {}
    for name in RECORDED_PRAGMAS:
        # The names are the constants above, never data.
        row = conn.execute(f"PRAGMA {name}").fetchone()  # noqa: S608
        out[name] = row[0] if row else None
    return out


def _compile_options(conn: sqlite3.Connection) -> list[str]:
    return sorted(row[0] for row in conn.execute("PRAGMA compile_options"))


def _os_release() -> str:
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{platform.system()} {platform.version()}".strip() or sys.platform


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if isinstance(value, (dict, list)) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
