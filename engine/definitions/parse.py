"""Build executable SpiffWorkflow specs from a bundle, and cache them per deployed version."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .meta import ProcessMeta, executable_processes, read_process
from .normalize import normalize
from .specs import DocketParser
from .xml import bpmn, parse_xml


@dataclass
class ParsedDefinition:
    """An executable process: its spec, the specs it calls, and Docket's metadata."""

    key: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    meta: ProcessMeta
    forms: dict[str, Any]
    version: int = 0  # the deployed version (set when loaded from the database)


class DefinitionError(Exception):
    """The BPMN cannot be turned into an executable process (the checker reports the details)."""


def top_processes(root: etree._Element) -> list[etree._Element]:
    """The executable processes that no other process in the file calls (a process calling itself still
    counts), in the file's order."""
    processes = executable_processes(root)
    called = {c.get("calledElement") for p in processes for c in p.iter(bpmn("callActivity"))
              if c.get("calledElement") != p.get("id")}
    return [p for p in processes if p.get("id") not in called]


def main_process(root: etree._Element) -> etree._Element:
    """The file's first top-level executable process (the one a deployment names)."""
    processes = executable_processes(root)
    if not processes:
        raise DefinitionError("the file has no executable process (isExecutable=\"true\")")
    top = top_processes(root)
    if not top:
        raise DefinitionError("every executable process is called by another one (a cycle of call activities): "
                              "no top-level process to start")
    return top[0]


def find_process(root: etree._Element, key: str | None) -> etree._Element:
    """The executable process ``key`` of the file (its main process when ``key`` is None)."""
    if key is None:
        return main_process(root)
    for process in executable_processes(root):
        if process.get("id") == key:
            return process
    raise DefinitionError(f"the file has no executable process '{key}'")


def build(bpmn: bytes, dmn: dict[str, str], forms: dict[str, Any], filename: str = "process.bpmn",
          key: str | None = None) -> ParsedDefinition:
    """Normalize and parse the process ``key`` (default: the file's main process); raises XMLSyntaxError,
    NormalizeError, DefinitionError or ValidationException. Called processes from other files map to None in
    ``subprocess_specs``: they are resolved when the call starts."""
    root = parse_xml(bpmn)
    process = find_process(root, key)
    meta = read_process(process)
    parser = DocketParser()
    parser.add_bpmn_str(normalize(root), filename=filename)
    for name, xml in dmn.items():
        parser.add_dmn_str(xml.encode("utf-8"), filename=name)
    spec = parser.get_spec(meta.key)
    subprocess_specs = parser.called_specs(meta.key)
    return ParsedDefinition(meta.key, spec, subprocess_specs, meta, forms)


ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>")


def spiff_message(exc: BaseException) -> str:
    """A SpiffWorkflow exception's message without lxml element reprs and trailing dots."""
    text = str(exc.args[0] if exc.args else exc).strip()
    return ELEMENT_REPR.sub(r"<\1>", text).rstrip(". ") or type(exc).__name__


def is_dmn(root: etree._Element) -> bool:
    return etree.QName(root).localname == "definitions" and "/spec/DMN/" in (etree.QName(root).namespace or "")


def dmn_problems(root: etree._Element, filename: str) -> list[tuple[str, int, str]]:
    """(element id, line, message) for each reason SpiffWorkflow's DMN engine cannot run this DMN file: it
    reads one decision per file, made of a decision table."""
    ns = etree.QName(root).namespace

    def at(node: etree._Element, message: str) -> tuple[str, int, str]:
        return node.get("id", ""), node.sourceline or 0, message

    found = [at(n, "decision services are not supported (only decision tables are)")
             for n in root.iterchildren(f"{{{ns}}}decisionService")]
    decisions = list(root.iterchildren(f"{{{ns}}}decision"))
    if not decisions:
        return [*found, at(root, "the DMN file has no decision")]
    found += [at(extra, "a DMN file may hold only one decision (the engine reads one decision table per file): "
                        "put each decision in its own file") for extra in decisions[1:]]
    if decisions[0].find(f"{{{ns}}}decisionTable") is None:
        found.append(at(decisions[0], "decision has no decision table (literal expressions, contexts and "
                                      "invocations are not supported)"))
    if found:
        return found
    try:
        parser = SpiffBpmnParser()
        parser.add_dmn_xml(root, filename=filename)
        for dmn_parser in parser.dmn_parsers.values():
            dmn_parser.parse()
    except ValidationException as exc:
        node = next(iter(root.xpath("//*[@id=$i]", i=exc.id)), decisions[0]) if exc.id else decisions[0]
        found.append(at(node, spiff_message(exc)))
    except Exception as exc:  # the DMN parser's own bugs must still come out as a named problem
        found.append(at(decisions[0], f"the engine cannot read this decision table: {type(exc).__name__}: {exc}"))
    return found


class SpecCache:
    """Parsed definitions by definition id (one per deployed version); thread-safe LRU."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[int, ParsedDefinition] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, definition_id: int, load: Callable[[], ParsedDefinition]) -> ParsedDefinition:
        with self._lock:
            found = self._items.get(definition_id)
            if found is not None:
                self._items.move_to_end(definition_id)
                return found
        parsed = load()
        with self._lock:
            self._items[definition_id] = parsed
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return parsed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
