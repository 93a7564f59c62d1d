"""harness.contract.json_check: the one compiled JSON Schema check decides exactly as jsonschema.

Over every schema the package ships (harness/contract/formats/*.schema.json) and
every kind of ingest line (the row schemas derived from the contract): valid
documents from the schema itself, then one node replaced, dropped or added, with
values chosen to sit on the edges (5.0 for an integer, true for 1, a trailing
newline after a pattern's $, 257 characters for 256).
"""

from __future__ import annotations

import enum
import json
from importlib import resources
from typing import Any, cast

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from harness.contract.json_check import STRICT_JSON, UnsupportedKeyword, compile_schema

FORMATS = resources.files("harness.contract") / "formats"
SCHEMAS = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in FORMATS.iterdir() if p.name.endswith(".json")}
INGEST = SCHEMAS["ingest.schema.json"]
INGEST_KINDS = INGEST["properties"]["kind"]["enum"]
# (name, schema, root for its $refs)
CASES: list[tuple[str, Any, Any]] = [(name, schema, schema) for name, schema in sorted(SCHEMAS.items())] + [
    (f"ingest line {kind}", INGEST["$defs"][kind], INGEST) for kind in INGEST_KINDS
]
_SLOW = {"contract.schema.json", "signoff.schema.json"}  # jsonschema takes ~20 ms per document of these
PARAMS = [pytest.param(*case, id=case[0], marks=[pytest.mark.slow] if case[0] in _SLOW else []) for case in CASES]

EDGES: list[Any] = [
    None, True, False, 0, 1, -1, 5.0, 5.5, -0.0, 1e12, 10**12 + 1, 2**63, 1e400, -1e400, "", " ", "\t", "x",
    "a" * 256, "a" * 257, "ab" * 32, "ab" * 32 + "\n", "AB" * 32, "2026-01-29T12:00:00Z", "2026-01-29T12:00:00Z\n",
    "passed", "receipt", "running", [], [1, 1.0], ["a", "a"], {}, {"kind": "receipt"},
]  # fmt: skip
LEAVES = st.sampled_from(EDGES) | st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(
    max_size=6
)
JSON_VALUES = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


def _paths(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document: the root, each item and each member, recursively."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*path, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            found += _paths(value, (*path, i))
    return found


def _near(value: Any) -> list[Any]:
    """Values next to a valid one, where compiled checks go wrong: 5.0 for 5, true for 1, a final newline."""
    if type(value) is bool:
        return [not value, int(value), None, str(value).lower()]
    if type(value) in (int, float):
        number = int(value) if value == value and abs(value) < 1e300 else 0
        return [float(number), number + 1, -number - 1, number + 0.5, 10**12, 10**12 + 1, 2**63, 1e400, -1e400,
                number == 1, str(number)]  # fmt: skip
    if type(value) is str:
        return [value + "\n", "\n" + value, "", " ", "\t", value[:-1], value + "x", value.upper(),
                (value or "x") * (1 + 300 // max(1, len(value))), None, 5]  # fmt: skip
    if type(value) is list:
        return [[], value + value[:1], [None], {}, "[]"]
    if type(value) is dict:
        return [{}, [], None, "{}"]
    return ["", 0, False, "null"]


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


_REMOVE = object()


def _one_change_away(text: str, paths: list[tuple[Any, ...]]) -> list[Any]:
    """The document (JSON text) with one change at one of paths: each near value in turn, or the node removed."""
    found = []
    for path in paths:
        for value in [*_near(_at(STRICT_JSON.decode(text), path)), _REMOVE]:
            if not path:
                if value is not _REMOVE:
                    found.append(value)
                continue
            changed = STRICT_JSON.decode(text)  # a fresh copy per change
            parent = _at(changed, path[:-1])
            if value is _REMOVE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
            found.append(changed)
    return found


def _standalone(schema: Any, root: Any) -> Any:
    """The schema with the definitions its $refs point to."""
    return schema if schema is root else {**schema, "$defs": root["$defs"]}


def _real_documents() -> dict[str, Any]:
    """Valid documents of the two schemas hypothesis-jsonschema is too slow for (over a minute for ten)."""
    import _signoff_fakes as fake

    from harness.reports import signoff_json

    contract = json.loads((resources.files("harness.contract") / "contract.json").read_text(encoding="utf-8"))
    return {"contract.schema.json": contract, "signoff.schema.json": json.loads(signoff_json.render_json(fake.result()))}


_VALID: dict[str, st.SearchStrategy[str]] = {}  # valid documents as JSON text; from_schema is slow to build


def _valid_texts(name: str, schema: Any, root: Any) -> st.SearchStrategy[str]:
    if name not in _VALID:
        real = _real_documents().get(name)
        valid = st.just(real) if real is not None else from_schema(_standalone(schema, root))
        _VALID[name] = valid.map(json.dumps)
    return _VALID[name]


@st.composite
def documents(draw: st.DrawFn, name: str, schema: Any, root: Any) -> Any:
    """A JSON value near the schema: a valid document with one random change, sometimes any JSON value."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    document = STRICT_JSON.decode(draw(_valid_texts(name, schema, root)))
    path = draw(st.sampled_from(_paths(document)))
    mutation = draw(st.sampled_from(["none", "replace", "add"]))
    if mutation == "replace":
        if not path:
            return draw(JSON_VALUES)
        _at(document, path[:-1])[path[-1]] = draw(JSON_VALUES)
    elif mutation == "add":
        parent = _at(document, path)
        if isinstance(parent, dict):
            parent[draw(st.sampled_from(["kind", "zz_extra", "status"]) | st.text(max_size=6))] = draw(JSON_VALUES)
        elif isinstance(parent, list):
            parent.append(draw(JSON_VALUES))
    return document


@pytest.mark.parametrize(("name", "schema", "root"), CASES, ids=[c[0] for c in CASES])
def test_every_package_schema_compiles_without_falling_back(name: str, schema: Any, root: Any) -> None:
    compile_schema(schema, root=root, fallback=False)


@pytest.mark.parametrize(("name", "schema", "root"), PARAMS)
@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
def test_the_compiled_check_decides_exactly_as_jsonschema(name: str, schema: Any, root: Any, data: st.DataObject) -> None:
    """A valid document, every document one change away from it (at up to 25 places), and one random change."""
    validator = jsonschema.Draft202012Validator(_standalone(schema, root))
    check = compile_schema(schema, root=root, fallback=False)
    text = data.draw(_valid_texts(name, schema, root))
    paths = data.draw(st.permutations(_paths(STRICT_JSON.decode(text))))[:25]
    for document in [STRICT_JSON.decode(text), *_one_change_away(text, paths), data.draw(documents(name, schema, root))]:
        assert check(document) == validator.is_valid(document), document


# ------------------------------------------ values json.loads never returns
class Level(enum.IntEnum):
    ONE = 1


class Name(str):
    pass


NOT_JSON = st.recursive(
    LEAVES | st.just(Level.ONE) | st.builds(Name, st.sampled_from(["passed", "file_conflict", "s", "ab" * 32])),
    lambda inner: st.lists(inner, max_size=3).map(tuple) | st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["stage", "collision_type", "files", 1, None]), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


@pytest.mark.parametrize(
    "name", ["receipt.schema.json", "memory.schema.json", "context.schema.json", "collision_history.schema.json"]
)
@given(value=NOT_JSON)
def test_other_python_values_are_judged_no_looser_than_their_json(name: str, value: Any) -> None:
    """The store checks documents given as Python objects before serializing them: a yes must hold
    for the JSON text it stores (a tuple becomes an array, a key 1 becomes "1")."""
    schema = SCHEMAS[name]
    if not compile_schema(schema)(value):
        return
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return  # the store refuses what it cannot serialize
    assert jsonschema.Draft202012Validator(schema).is_valid(json.loads(text)), value


# ------------------------------------------------------------ the edges
@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"type": "integer"}, 5.0, True),  # jsonschema's integer includes 5.0
        ({"type": "integer"}, True, False),
        ({"type": "number", "minimum": 0}, float("nan"), True),  # jsonschema: NaN is a number, below nothing
        ({"type": "number", "maximum": 0}, float("nan"), True),
        ({"pattern": "^a$"}, "a\n", True),  # re.search: $ matches before a final newline
        ({"enum": [1]}, True, False),
        ({"enum": [1]}, 1.0, True),
        ({"const": False}, 0, False),
        ({"uniqueItems": True}, [1, 1.0], False),
        ({"uniqueItems": True}, [1, True], True),
        ({"format": "date-time"}, "not a date", True),  # an annotation in Draft 2020-12
        ({"then": False}, 1, True),  # then without if is ignored
        ({"type": "array"}, (1,), False),  # not JSON: stricter than jsonschema, which also says no
    ],
)
def test_edges_follow_jsonschema(schema: dict[str, Any], value: Any, valid: bool) -> None:
    assert jsonschema.Draft202012Validator(schema).is_valid(value) == valid
    assert compile_schema(schema, fallback=False)(value) == valid


def test_an_unknown_keyword_falls_back_to_jsonschema_or_is_refused() -> None:
    schema = {"type": "object", "patternProperties": {"^x": {"type": "integer"}}}
    with pytest.raises(UnsupportedKeyword, match="patternProperties"):
        compile_schema(schema, fallback=False)
    check = compile_schema(schema)
    assert check({"x1": 1}) and not check({"x1": "one"})


def test_refs_resolve_against_the_root_and_a_cycle_is_refused() -> None:
    root = {"$defs": {"n": {"type": "integer", "minimum": 3}}, "$ref": "#/$defs/n"}
    assert compile_schema(root)(3) and not compile_schema(root)(2)
    assert not compile_schema({"$ref": "#/$defs/n"}, root=root)(2)
    loop = {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    with pytest.raises(UnsupportedKeyword, match="itself"):
        compile_schema(loop, fallback=False)


def test_strict_json_refuses_the_constants() -> None:
    for text in ("NaN", "[Infinity]", '{"a": -Infinity}'):
        with pytest.raises(ValueError, match="is not JSON"):
            STRICT_JSON.decode(text)
    assert cast(dict[str, Any], STRICT_JSON.decode('{"a": 1e400}'))["a"] == float("inf")
