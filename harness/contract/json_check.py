"""JSON documents: strict parsing, and the one compiled JSON Schema check of ggen-db.

jsonschema costs 35-200 us per document, more than the write it guards, so the
store (its JSON columns) and ingest (its line format) compile each schema once
into plain closures: one per schema node, specialized to the node's type when
it has one (one type test, then its own keywords), which keeps a receipt
document at a few microseconds.

The verdict is jsonschema's (Draft 2020-12, is_valid) for every JSON value,
that is everything json.loads returns: tests/test_json_check.py proves it with
hypothesis over every schema in harness/contract/formats and every kind of
ingest line. For other Python values (a tuple, a str or int subclass, a dict
with a non-str key, anything that is not JSON) a node with keywords says no
where jsonschema might say yes: stricter, never looser, so a caller holding
such a value serializes it and asks again. A schema that uses a keyword
outside the compiled set is checked by jsonschema itself (or, with
fallback=False, refused with UnsupportedKeyword when it is compiled).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema

Check = Callable[[Any], bool]


# ------------------------------------------------------------ strict parsing
def reject_constant(name: str) -> Any:
    """parse_constant for json: NaN, Infinity and -Infinity are not JSON (RFC 8259)."""
    raise ValueError(f"{name} is not JSON")


# Built once: json.loads(text, parse_constant=...) would build a decoder per call.
STRICT_JSON = json.JSONDecoder(parse_constant=reject_constant)


# --------------------------------------------------------------- compiling
class UnsupportedKeyword(ValueError):
    """The schema uses a keyword (or a form of one) that compile_schema does not compile."""


# Keywords that never change a verdict: annotations ("format" too: Draft 2020-12
# only annotates it unless a format checker is asked for, and none is).
_ANNOTATIONS = frozenset({
    "$schema", "$comment", "$defs", "title", "description", "default", "examples", "deprecated",
    "readOnly", "writeOnly", "format",
})  # fmt: skip
_STRING_KEYWORDS = frozenset({"minLength", "maxLength", "pattern"})
_NUMBER_KEYWORDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_OBJECT_KEYWORDS = frozenset({"properties", "additionalProperties", "required", "minProperties", "maxProperties"})
_ARRAY_KEYWORDS = frozenset({"items", "minItems", "maxItems", "uniqueItems"})
_GENERAL_KEYWORDS = frozenset({"enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"})
_KNOWN = _STRING_KEYWORDS | _NUMBER_KEYWORDS | _OBJECT_KEYWORDS | _ARRAY_KEYWORDS | _GENERAL_KEYWORDS | {"type", "$id"}

# A node with only one of these checks nothing else: its one check is the node's.
_SELF_CONTAINED = (frozenset({"enum"}), frozenset({"const"}), frozenset({"$ref"}))
_JSON_TYPES = frozenset({str, int, float, bool, type(None), dict, list})
_TYPE_NAMES: Mapping[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,),
}  # fmt: skip


def _always(v: Any) -> bool:
    return True


def _never(v: Any) -> bool:
    return False


def compile_schema(schema: Any, *, root: Any = None, fallback: bool = True) -> Check:
    """A yes/no for schema over a parsed JSON document: jsonschema's verdict, compiled.

    root is the document that "$ref": "#/..." points into (default: schema itself).
    A schema with a keyword outside the compiled set gets jsonschema's own is_valid,
    or UnsupportedKeyword with fallback=False.
    """
    try:
        return _Compiler(schema if root is None else root).node(schema, top=True)
    except UnsupportedKeyword:
        if not fallback:
            raise
        if root is not None and isinstance(schema, dict):
            schema = {**schema, "$defs": root.get("$defs", {})}
        return jsonschema.Draft202012Validator(schema).is_valid


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}
        self.resolving: set[str] = set()

    def node(self, node: Any, *, top: bool = False) -> Check:
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, dict):
            raise UnsupportedKeyword(f"a schema must be an object or a boolean, not {node!r}")
        keys = frozenset(node) - _ANNOTATIONS
        unknown = keys - _KNOWN
        if unknown:
            raise UnsupportedKeyword(", ".join(sorted(unknown)))
        if "$id" in keys and not top:
            raise UnsupportedKeyword("$id below the top (a new base for $ref)")
        keys -= {"$id"}
        if not keys:
            return _always
        names = node.get("type")
        kinds = (names,) if isinstance(names, str) else tuple(names) if isinstance(names, list) else None
        if kinds is None and "type" in keys:
            raise UnsupportedKeyword(f"type {names!r}")
        if kinds is not None and any(k not in _TYPE_NAMES for k in kinds):
            raise UnsupportedKeyword(f"type {names!r}")
        general = self._general(node, keys)
        if kinds is not None and len(kinds) == 1 and not general:
            return self._typed(kinds[0], node)
        if keys in _SELF_CONTAINED:  # exact about types on their own: no wrapper (a stage's status enum)
            return general[0]
        return self._generic(node, kinds, general)

    # ---------------------------------------------------------- typed nodes
    def _typed(self, kind: str, node: dict[str, Any]) -> Check:
        """A node with one type and only that type's keywords: one closure, type test first."""
        if kind == "string":
            return _string_check(node)
        if kind == "object":
            return self._object_check(node)
        if kind == "array":
            return self._array_check(node)
        if kind in ("integer", "number"):
            return _number_check(node, integer=kind == "integer")
        if kind == "boolean":
            return lambda v: type(v) is bool
        return lambda v: v is None

    def _generic(self, node: dict[str, Any], kinds: tuple[str, ...] | None, general: list[Check]) -> Check:
        """Any other node: the type (if given), the keywords of the value's own type, then the rest."""
        type_ok = _type_test(kinds) if kinds is not None else None
        by_type: dict[type, Check] = {}  # the keywords of each JSON type present, for values of that type
        if _STRING_KEYWORDS & node.keys():
            by_type[str] = _string_check(node)
        if _NUMBER_KEYWORDS & node.keys():
            by_type[int] = by_type[float] = _number_check(node, integer=False)
        if _OBJECT_KEYWORDS & node.keys():
            by_type[dict] = self._object_check(node)
        if _ARRAY_KEYWORDS & node.keys():
            by_type[list] = self._array_check(node)
        applicators = tuple(general)

        def check(v: Any) -> bool:
            kind = type(v)
            if kind not in _JSON_TYPES or (type_ok is not None and not type_ok(v)):
                return False
            own = by_type.get(kind)
            if own is not None and not own(v):
                return False
            for applicator in applicators:
                if not applicator(v):
                    return False
            return True

        return check

    # ------------------------------------------------------------- keywords
    def _general(self, node: dict[str, Any], keys: frozenset[str]) -> list[Check]:
        """Keywords that apply to a value of any type: enum, const, $ref and the combinators."""
        checks: list[Check] = []
        if "enum" in keys:
            checks.append(_enum(list(node["enum"])))
        if "const" in keys:
            checks.append(_enum([node["const"]]))
        if "$ref" in keys:
            checks.append(self._ref(node["$ref"]))
        if "allOf" in keys:
            every = tuple(self.node(sub) for sub in node["allOf"])
            checks.append(lambda v: all(c(v) for c in every))
        if "anyOf" in keys:
            options = tuple(self.node(sub) for sub in node["anyOf"])
            checks.append(lambda v: any(c(v) for c in options))
        if "oneOf" in keys:
            choices = tuple(self.node(sub) for sub in node["oneOf"])
            checks.append(lambda v: sum(1 for c in choices if c(v)) == 1)
        if "not" in keys:
            negated = self.node(node["not"])
            checks.append(lambda v: not negated(v))
        if "if" in keys:  # then / else without if are ignored, as the specification says
            condition = self.node(node["if"])
            then = self.node(node.get("then", True))
            otherwise = self.node(node.get("else", True))
            checks.append(lambda v: then(v) if condition(v) else otherwise(v))
        return checks

    def _ref(self, pointer: Any) -> Check:
        if not isinstance(pointer, str) or not pointer.startswith("#"):
            raise UnsupportedKeyword(f"$ref {pointer!r} (only references inside the schema are compiled)")
        known = self.refs.get(pointer)
        if known is not None:
            return known
        if pointer in self.resolving:
            raise UnsupportedKeyword(f"$ref {pointer} refers to itself")
        self.resolving.add(pointer)
        target = self.root
        for part in filter(None, pointer[1:].split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                target = target[int(part)] if isinstance(target, list) else target[part]
            except (KeyError, IndexError, ValueError, TypeError) as e:
                raise UnsupportedKeyword(f"$ref {pointer} does not resolve") from e
        check = self.refs[pointer] = self.node(target)
        self.resolving.discard(pointer)
        return check

    def _object_check(self, node: dict[str, Any]) -> Check:
        """A dict, with properties, additionalProperties, required, min/maxProperties."""
        properties = {name: self.node(sub) for name, sub in node.get("properties", {}).items()}
        extra = self.node(node.get("additionalProperties", True))
        required = tuple(node.get("required", ()))
        low, high = node.get("minProperties", 0), node.get("maxProperties")
        if not properties and extra is _always and not required and not low and high is None:
            return lambda v: type(v) is dict
        get = properties.get

        def check(v: Any) -> bool:
            if type(v) is not dict:
                return False
            for name in required:
                if name not in v:
                    return False
            for k, item in v.items():
                if type(k) is not str or not get(k, extra)(item):
                    return False
            return low <= len(v) and (high is None or len(v) <= high)

        return check

    def _array_check(self, node: dict[str, Any]) -> Check:
        """A list, with items (every item: there is no prefixItems), min/maxItems and uniqueItems."""
        item = self.node(node.get("items", True))
        low, high = node.get("minItems", 0), node.get("maxItems")
        unique = node.get("uniqueItems") is True
        if not low and high is None and not unique:
            if item is _always:
                return lambda v: type(v) is list
            return lambda v: type(v) is list and all(map(item, v))
        return lambda v: (
            type(v) is list
            and low <= len(v)
            and (high is None or len(v) <= high)
            and all(map(item, v))
            and (not unique or _unique(v))
        )


def _string_check(node: dict[str, Any]) -> Check:
    """A str, with minLength, maxLength (in code points) and pattern (re.search, as jsonschema)."""
    low, high = node.get("minLength", 0), node.get("maxLength")
    regex = re.compile(node["pattern"]) if "pattern" in node else None
    if regex is None:
        if high is None:
            return (lambda v: type(v) is str and low <= len(v)) if low else (lambda v: type(v) is str)
        return lambda v: type(v) is str and low <= len(v) <= high
    search = regex.search
    if high is None:
        return lambda v: type(v) is str and low <= len(v) and search(v) is not None
    return lambda v: type(v) is str and low <= len(v) <= high and search(v) is not None


def _number_check(node: dict[str, Any], *, integer: bool) -> Check:
    """An integer (jsonschema's: 5.0 is one) or a number, with minimum, maximum and their exclusive forms.

    Bounds are written as "not v < minimum", as jsonschema tests them: NaN passes every bound.
    """
    is_kind = _is_integer if integer else _is_number
    low, high = node.get("minimum"), node.get("maximum")
    above, below = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if above is None and below is None and high is None:
        if low is None:
            return is_kind
        if integer:  # the common shape (a count), in one closure
            return lambda v: (type(v) is int or (type(v) is float and v.is_integer())) and not v < low
        return lambda v: (type(v) is int or type(v) is float) and not v < low
    return lambda v: is_kind(v) and not (
        (low is not None and v < low)
        or (high is not None and v > high)
        or (above is not None and v <= above)
        or (below is not None and v >= below)
    )


def _is_integer(v: Any) -> bool:
    """jsonschema's integer: an int (not a bool), or a float with no fractional part (5.0)."""
    return type(v) is int or (type(v) is float and v.is_integer())


def _is_number(v: Any) -> bool:
    return type(v) is int or type(v) is float


def _type_test(kinds: tuple[str, ...]) -> Check:
    python_types = frozenset(t for kind in kinds for t in _TYPE_NAMES[kind])
    integral_floats = "integer" in kinds and "number" not in kinds
    if not integral_floats:
        return lambda v: type(v) in python_types
    return lambda v: type(v) in python_types or (type(v) is float and v.is_integer())


def _enum(values: list[Any]) -> Check:
    """enum / const of JSON scalars, compared as jsonschema compares them.

    A string equals only a string, true and false only themselves (not 1 and 0),
    numbers by value (1 == 1.0).
    """
    if not all(v is None or type(v) in (str, bool, int, float) for v in values):
        raise UnsupportedKeyword("enum or const of arrays or objects")
    strings = frozenset(v for v in values if type(v) is str)
    if all(v is None or type(v) is str for v in values):
        allowed = frozenset(values)
        return lambda v: (v is None or type(v) is str) and v in allowed
    flags = tuple(v for v in values if type(v) is bool)
    numbers = tuple(v for v in values if type(v) in (int, float))
    null = None in values

    def check(v: Any) -> bool:
        kind = type(v)
        if kind is str:
            return v in strings
        if kind is bool:
            return any(v is flag for flag in flags)
        if kind is int or kind is float:
            return any(v == number for number in numbers)
        return v is None and null

    return check


def _unique(items: list[Any]) -> bool:
    """uniqueItems: no two items equal as jsonschema compares them."""
    if all(type(item) is str for item in items):
        return len(set(items)) == len(items)
    return not any(_json_equal(a, b) for i, a in enumerate(items) for b in items[i + 1 :])


def _json_equal(a: Any, b: Any) -> bool:
    """jsonschema's equality of two JSON values (true is not 1, 1 is 1.0, containers item by item)."""
    if a is b:
        return True
    if type(a) is str or type(b) is str:
        return bool(a == b)
    if type(a) is bool or type(b) is bool:
        return False  # two equal bools are the same object, caught above
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict and type(b) is dict:
        return len(a) == len(b) and all(k in b and _json_equal(v, b[k]) for k, v in a.items())
    if type(a) in (list, dict) or type(b) in (list, dict):
        return False
    return bool(a == b)


__all__ = ["STRICT_JSON", "Check", "UnsupportedKeyword", "compile_schema", "reject_constant"]
