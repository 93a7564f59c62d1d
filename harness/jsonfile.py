"""Reading a JSON file named by the user: one reader, so every command words a missing or broken file alike.

Imports: the standard library and harness.errors only (the bottom layer).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from harness.errors import InputError


def read_json(path: str | os.PathLike[str], where: str) -> Any:
    """The JSON value in the file at path; InputError "<where>: no such file" or "<where>: not a JSON file
    (why)" (where names the file, and the option that gave it)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError(f"{where}: no such file") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{where}: not a JSON file ({e})") from e
