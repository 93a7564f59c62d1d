"""harness.atomic: files appear whole or not at all, and nothing temporary is left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from harness.atomic import Replacing, publish, temporary_beside, write_directory, write_text
from harness.errors import InputError


def test_write_text_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "report.xml"
    target.write_text("old")
    assert write_text(target, "new ✓", option="--junit") == target
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert os.listdir(tmp_path) == ["report.xml"]


def test_write_text_honours_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_text(tmp_path / "a.json", "{}", option="--json")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o640


def test_a_failed_write_names_the_option_and_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "gone" / "x.json"
    with pytest.raises(InputError, match=r"^--json .*x\.json: cannot write \(No such file or directory\)$"):
        write_text(target, "{}", option="--json")
    assert os.listdir(tmp_path) == []


def test_replacing_removes_the_temporary_and_its_companions_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "cache.db"
    target.write_text("kept")
    with pytest.raises(RuntimeError), Replacing(target, companions=("-wal",)) as temporary:
        temporary.write_text("half")
        Path(f"{temporary}-wal").write_text("half")
        raise RuntimeError("build failed")
    assert os.listdir(tmp_path) == ["cache.db"] and target.read_text() == "kept"


def test_publish_without_overwrite_refuses_an_existing_target(tmp_path: Path) -> None:
    target = tmp_path / "dest.db"
    target.write_text("theirs")
    temporary = temporary_beside(target, mode=0o600)
    assert stat.S_IMODE(temporary.stat().st_mode) == 0o600 and temporary.name.startswith(".dest.db.")
    with pytest.raises(FileExistsError):
        publish(temporary, target, overwrite=False, durable=True)
    assert target.read_text() == "theirs"
    temporary.write_text("ours")
    publish(temporary, tmp_path / "new.db", overwrite=False, durable=True)
    assert (tmp_path / "new.db").read_text() == "ours" and not temporary.exists()


def test_write_directory_makes_a_new_directory_appear_complete_or_replaces_files_in_an_old_one(tmp_path: Path) -> None:
    target = tmp_path / "reports"
    written = write_directory(target, {"a.md": "A", "b.json": "B"})
    assert written == {"a.md": str(target / "a.md"), "b.json": str(target / "b.json")}
    (target / "notes.txt").write_text("mine")
    write_directory(target, {"a.md": "A2"})
    assert sorted(os.listdir(target)) == ["a.md", "b.json", "notes.txt"]
    assert (target / "a.md").read_text() == "A2"
    assert os.listdir(tmp_path) == ["reports"]
