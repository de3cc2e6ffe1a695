"""A diagram drawn in the web modeler before it may be deployed: it gets the name and key the designer typed,
and it must have a start event and a user task (an empty or unnamed process is never deployed)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from engine.definitions.check import Problem
from engine.definitions.parse import main_process
from engine.definitions.xml import bpmn, parse_xml
from engine.errors import Invalid

KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
PLACEHOLDERS = {"new_process", "New process", "Process_1", ""}


def name_process(xml: bytes, key: str, name: str, placeholders: Iterable[str] = ()) -> bytes:
    """``xml`` with its main process's id set to ``key`` and its name to ``name`` (the diagram follows); an empty
    ``key`` or ``name`` keeps what the diagram says. ``placeholders`` are further names that mean "not named yet"
    (the new diagram's name in each language the modeler speaks).

    :raises Invalid: naming the field when the key or the name is missing, a placeholder or malformed.
    """
    try:
        root = parse_xml(xml)
        process = main_process(root)
    except Exception:  # the checker names what is wrong with the file
        root = process = None
    key = (key or "").strip() or (process.get("id", "") if process is not None else "")
    name = (name or "").strip() or (process.get("name", "") if process is not None else "")
    problems = []
    if key in PLACEHOLDERS or not KEY.match(key):
        problems.append({"field": "key", "message": "give the process a key: a letter, then letters, digits, _ or - "
                                                    "(e.g. leave_request)"})
    if name in PLACEHOLDERS or name in set(placeholders) or len(name) > 256:
        problems.append({"field": "name", "message": "give the process a name (at most 256 characters)"})
    if problems:
        raise Invalid("a process needs a name and a key before it is deployed", problems)
    if root is None or process is None:
        return xml
    old = process.get("id")
    if (old, process.get("name")) == (key, name):
        return xml
    process.set("id", key)
    process.set("name", name)
    for node in root.iter():
        if node.get("bpmnElement") == old:
            node.set("bpmnElement", key)
        if node.get("processRef") == old:
            node.set("processRef", key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def emptiness_problems(xml: bytes, filename: str = "modeler.bpmn") -> list[Problem]:
    """A start event and at least one user task are required of a process drawn in the modeler."""
    try:
        process = main_process(parse_xml(xml))
    except Exception:  # the checker names what is wrong with the file
        return []
    pid, line = process.get("id", ""), process.sourceline or 0
    problems = []
    if process.find(bpmn("startEvent")) is None:
        problems.append(Problem(filename, line, pid, "the process has no start event: draw one where cases begin"))
    if next(process.iter(bpmn("userTask")), None) is None:
        problems.append(Problem(filename, line, pid, "the process has no user task: draw at least one step that a "
                                                     "person does"))
    return problems
