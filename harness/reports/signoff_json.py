"""signoff.json: writing it, and reading an earlier one back for --baseline.

The document holds every figure of the sign-off, including each workload's
raw rounds, so a later sign-off can test its own rounds against them. Its
format is harness/contract/formats/signoff.schema.json (JSON Schema draft 2020-12);
non-finite floats (an infinite headroom) are written as null, because JSON
has no Infinity.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import jsonschema

from harness.contract.model import document_schema
from harness.errors import InputError
from harness.results import SignoffResult

SCHEMA_NAME = "signoff.schema.json"


def render_json(result: SignoffResult) -> str:
    return json.dumps(finite(result.to_dict()), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def finite(value: Any) -> Any:
    """A copy of value (dicts, lists, tuples, scalars) with NaN and infinities replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def problem(data: Any) -> str | None:
    """Why data is not a valid signoff.json document (the most relevant error), or None."""
    validator = jsonschema.Draft202012Validator(document_schema(SCHEMA_NAME))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return f"at {where}: {error.message}"


def load_signoff_json(path: str | os.PathLike[str], option: str = "--baseline") -> dict[str, Any]:
    """An earlier signoff.json, validated; InputError naming the option and the rule otherwise."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError(f"{option} {path}: no such file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{option} {path}: cannot read ({e})") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{option} {path}: not JSON (line {e.lineno}: {e.msg})") from e
    why = problem(data)
    if why is not None:
        raise InputError(f"{option} {path}: not a valid ggen-db signoff.json ({why})")
    loaded: dict[str, Any] = data
    return loaded
