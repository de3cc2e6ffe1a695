"""Build executable SpiffWorkflow specs from a bundle, and cache them per deployed version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .meta import ProcessMeta, executable_processes, read_process
from .normalize import normalize
from .xml import bpmn, parse_xml


@dataclass
class ParsedDefinition:
    """An executable process: its spec, the specs it calls, and Docket's metadata."""

    key: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    meta: ProcessMeta
    forms: dict[str, Any]


class DefinitionError(Exception):
    """The BPMN cannot be turned into an executable process (the checker reports the details)."""


def main_process(root: etree._Element) -> etree._Element:
    """The executable process that no other process in the file calls (a process calling itself still counts)."""
    processes = executable_processes(root)
    if not processes:
        raise DefinitionError("the file has no executable process (isExecutable=\"true\")")
    called = {c.get("calledElement") for p in processes for c in p.iter(bpmn("callActivity"))
              if c.get("calledElement") != p.get("id")}
    top = [p for p in processes if p.get("id") not in called]
    if len(top) == 1:
        return top[0]
    if not top:
        raise DefinitionError("every executable process is called by another one (a cycle of call activities): "
                              "no top-level process to start")
    ids = ", ".join(p.get("id", "") for p in top)
    raise DefinitionError(f"the file has several top-level executable processes ({ids}); Docket runs one process "
                          "per file (with the processes it calls), so deploy each in its own file")


def build(bpmn: bytes, dmn: dict[str, str], forms: dict[str, Any], filename: str = "process.bpmn") -> ParsedDefinition:
    """Normalize and parse; raises XMLSyntaxError, NormalizeError, DefinitionError or ValidationException."""
    root = parse_xml(bpmn)
    process = main_process(root)
    meta = read_process(process)
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(normalize(root), filename=filename)
    for name, xml in dmn.items():
        parser.add_dmn_str(xml.encode("utf-8"), filename=name)
    spec = parser.get_spec(meta.key)
    subprocess_specs = parser.get_subprocess_specs(meta.key)
    return ParsedDefinition(meta.key, spec, subprocess_specs, meta, forms)


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
