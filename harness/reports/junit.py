"""The one JUnit XML writer: `ggen-db check --junit` and the sign-off's junit.xml describe their cases
with these records and get the document from render().

Built with ElementTree, so every attribute and text is escaped; characters XML 1.0 cannot carry at
all (even escaped: most control characters, lone surrogates), which SQLite messages may echo, become
U+FFFD so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - builds XML; nothing untrusted is parsed
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FAILURE, ERROR, SKIPPED = "failure", "error", "skipped"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Case:
    """One <testcase>. outcome: "" (passed), FAILURE, ERROR or SKIPPED, with its message, type and text.

    output: <system-out>, shown whatever the outcome (why a passing measurement is shaky, ...).
    """

    classname: str
    name: str
    time: str
    outcome: str = ""
    message: str = ""
    kind: str = ""
    text: str | None = None
    output: str | None = None


@dataclass(frozen=True)
class Suite:
    """One <testsuite>: its attributes (name first), its <properties> when any, its cases."""

    attributes: Mapping[str, str]
    cases: Sequence[Case]
    properties: Sequence[tuple[str, str]] = ()


def clean(text: object) -> str:
    """text with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(text))


def render(attributes: Mapping[str, str], suites: Sequence[Suite]) -> str:
    """The document: <testsuites attributes> holding the suites, indented, with an XML declaration."""
    root = ET.Element("testsuites", _cleaned(attributes))
    for suite in suites:
        element = ET.SubElement(root, "testsuite", _cleaned(suite.attributes))
        if suite.properties:
            properties = ET.SubElement(element, "properties")
            for name, value in suite.properties:
                ET.SubElement(properties, "property", {"name": clean(name), "value": clean(value)})
        for case in suite.cases:
            _add_case(element, case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _add_case(suite: ET.Element, case: Case) -> None:
    element = ET.SubElement(suite, "testcase", _cleaned(
        {"classname": case.classname, "name": case.name, "time": case.time}))
    if case.outcome:
        attributes = {"message": case.message, **({"type": case.kind} if case.kind else {})}
        outcome = ET.SubElement(element, case.outcome, _cleaned(attributes))
        if case.text is not None:
            outcome.text = clean(case.text)
    if case.output is not None:
        ET.SubElement(element, "system-out").text = clean(case.output)


def _cleaned(attributes: Mapping[str, str]) -> dict[str, str]:
    return {name: clean(value) for name, value in attributes.items()}
