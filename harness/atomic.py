"""Files that appear whole or not at all: the one way ggen-db writes a file.

Everything is first written under a hidden temporary name in the target's
directory (the same filesystem, so the rename is one atomic step), then
renamed onto the target; a failure removes the temporary and leaves the
target as it was. Used for the reports (`check --junit/--json/--markdown`,
`bench --json`, the sign-off's directory), the generated-data cache and
backups (durable: fsynced before and after the rename, never clobbering
without leave).

Imports: the standard library and harness.errors only (the bottom layer).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from harness.errors import InputError

#: The files SQLite may keep beside a database while it is open (what a database's temporary leaves behind).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def temporary_beside(target: Path, *, suffix: str = ".tmp", mode: int | None = None) -> Path:
    """An unused hidden name in target's directory; with mode, an empty file of that mode is created there first.

    mode: e.g. 0o600 for a private database, created exclusively before anything is written into it.
    """
    while True:
        path = target.parent / f".{target.name}.{secrets.token_hex(6)}{suffix}"
        if mode is None:
            if not os.path.lexists(path):
                return path
            continue
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
        except FileExistsError:
            continue
        os.chmod(path, mode)  # the umask may have taken bits away; mode is what was asked for
        return path


def publish(temporary: Path, target: Path, *, overwrite: bool = True, durable: bool = False) -> None:
    """Move temporary onto target in one step.

    overwrite=False: FileExistsError when target exists, even one that appeared meanwhile.
    durable: the file is on disk before the rename, and the rename is on disk after it.
    """
    if durable:
        _fsync(temporary)
    if overwrite:
        os.replace(temporary, target)
    else:
        _move_without_overwrite(temporary, target)
    if durable:
        _fsync(target.parent)


class Replacing:
    """`with Replacing(target) as temporary:` a temporary path beside target for the block to write,
    renamed onto target when the block succeeds.

    Whatever is left (the temporary, files named like it with a companion suffix such as SQLite's "-wal")
    is removed either way. mode: the temporary is created at once with this mode (temporary_beside), so an
    OSError from creating it comes from the constructor, before the block; durable: as publish().
    """

    def __init__(self, target: Path, *, suffix: str = ".tmp", companions: tuple[str, ...] = (),
                 mode: int | None = None, durable: bool = False) -> None:
        self.target, self.companions, self.durable = target, companions, durable
        self.temporary = temporary_beside(target, suffix=suffix, mode=mode)

    def __enter__(self) -> Path:
        return self.temporary

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if kind is None:
                publish(self.temporary, self.target, durable=self.durable)
        finally:
            for path in (self.temporary, *(Path(f"{self.temporary}{c}") for c in self.companions)):
                path.unlink(missing_ok=True)


def write_text(target: str | os.PathLike[str], text: str, *, option: str) -> Path:
    """Write the whole file or nothing (UTF-8); InputError naming the option when it cannot be written."""
    path = Path(target)
    try:
        with Replacing(path) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"{option} {path}: cannot write ({e.strerror})") from e
    return path


def write_directory(target: Path, files: Mapping[str, str]) -> dict[str, str]:
    """Write files (name -> text) into directory target so that they appear together.

    A new target is written as a staging directory and renamed into place in one step; in an
    existing one each file is replaced in one step. Returns each name's path.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # Not a 0700 temporary directory: its mode would become the target's; mkdir honours the umask.
    staging = temporary_beside(target, suffix="")
    staging.mkdir()
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if not target.exists():
            staging.rename(target)  # one atomic step: the directory appears complete
        else:
            for name in files:
                os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {name: os.fspath(target / name) for name in files}


def _move_without_overwrite(temporary: Path, target: Path) -> None:
    try:
        os.link(temporary, target)  # fails if target appeared meanwhile: no silent overwrite
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links: check, then rename
        if target.exists():
            raise FileExistsError(target) from None
        os.replace(temporary, target)
        return
    temporary.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
