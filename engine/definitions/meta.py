"""What Docket reads from a BPMN file beyond SpiffWorkflow: task assignment, forms, due dates, settings.

Both dialects designers use are read:

* SpiffWorkflow: ``spiffworkflow:properties`` on a user task with ``formKey`` (or spiff-arena's
  ``formJsonSchemaFilename``), ``candidateGroups``, ``candidateUsers``, ``assignee``, ``dueIn``,
  ``calendar``, ``dueDate``, ``dueFrom`` (the case-data field whose date starts the ``dueIn`` clock);
* Camunda Modeler: the ``camunda:formKey``, ``camunda:candidateGroups``, ``camunda:candidateUsers``,
  ``camunda:assignee`` and ``camunda:dueDate`` attributes, plus ``camunda:properties``; on the process,
  ``camunda:candidateStarterGroups`` (the ``starters`` setting).

Assignment values are lists of literals (``committee, presidium``), a Python expression after ``=``
(``="dept:" + lead_department``) or Camunda ``${...}`` text. Expressions are kept as Python source and
evaluated on case data by the task projection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .camunda_forms import form_data
from .expressions import ExpressionError, is_camunda_expression, translate_text_with_expressions
from .xml import NS, bpmn, camunda, extension_properties

TASK_TAGS = ("userTask", "manualTask")


@dataclass(frozen=True)
class Assignment:
    """Literal principals plus Python expressions that yield a principal or a list of them."""

    literals: tuple[str, ...] = ()
    expressions: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.literals or self.expressions)


@dataclass(frozen=True)
class TaskMeta:
    """Docket's reading of one user task."""

    element_id: str
    title: str
    line: int
    form_key: str | None = None
    candidate_groups: Assignment = Assignment()
    candidate_users: Assignment = Assignment()
    assignee: Assignment = Assignment()
    due_in: str | None = None
    due_date: str | None = None  # Python expression yielding a date/datetime/ISO string
    calendar: str = "calendar"
    due_from: str | None = None  # a case-data field holding the date the dueIn clock starts from
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProcessMeta:
    """Docket's reading of one executable process: its tasks, lanes and settings."""

    key: str
    name: str
    tasks: dict[str, TaskMeta]
    lane_groups: dict[str, str]  # lane name -> group key
    lanes_unmapped: tuple[tuple[str, int], ...]  # (lane id, line) of lanes with neither name nor group
    settings: dict[str, str]
    initiator: str | None = None  # camunda:initiator: the variable that receives the starter's username
    start_form: str | None = None  # the form key of the process's start event (a start form)
    start_step: str | None = None  # the user task marked ``startForm``: filled before the case exists

    def form_keys(self) -> set[str]:
        """Every form the process uses: its steps', its start event's and its ``caseForm``."""
        keys = {t.form_key for t in self.tasks.values() if t.form_key}
        return keys | {k for k in (self.start_form, (self.settings.get("caseForm") or "").strip()) if k}


def parse_assignment(value: str | None) -> Assignment:
    """Read ``committee, presidium`` / ``=expr`` / ``${expr}``-style text; raises ExpressionError."""
    if not value or not value.strip():
        return Assignment()
    text = value.strip()
    if text.startswith("="):
        return Assignment(expressions=(text[1:].strip(),))
    if "${" in text or "#{" in text:
        if is_camunda_expression(text) or "," not in text:
            return Assignment(expressions=(translate_text_with_expressions(text),))
    literals, expressions = [], []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if "${" in part or "#{" in part:
            expressions.append(translate_text_with_expressions(part))
        else:
            literals.append(part)
    return Assignment(tuple(literals), tuple(expressions))


def _form_key(node: etree._Element, props: dict[str, str]) -> str | None:
    key = node.get(camunda("formKey")) or props.get("formKey")
    if not key and props.get("formJsonSchemaFilename"):
        key = props["formJsonSchemaFilename"].removesuffix(".json").removesuffix("-schema")
    if key and key.startswith("embedded:"):
        key = key.split("/")[-1].removesuffix(".html").removesuffix(".json")
    if not key and form_data(node) is not None:
        key = node.get("id")  # a Camunda generated form, named after its task
    return key or None


def form_key_of(node: etree._Element) -> str | None:
    """The form key Docket uses for a user task element."""
    return _form_key(node, extension_properties(node))


def _due_date(node: etree._Element, props: dict[str, str]) -> str | None:
    text = node.get(camunda("dueDate")) or props.get("dueDate")
    if not text:
        return None
    text = text.strip()
    if text.startswith("="):
        return text[1:].strip()
    if is_camunda_expression(text):
        return translate_text_with_expressions(text)
    return repr(text)  # an ISO date literal


def _assignment(node: etree._Element, props: dict[str, str], name: str) -> Assignment:
    value = node.get(camunda(name)) or props.get(name)
    try:
        return parse_assignment(value)
    except ExpressionError as exc:
        raise ExpressionError(f"{name} {value!r}: {exc}") from exc


def read_task(node: etree._Element) -> TaskMeta:
    """Docket's metadata for one user/manual task element; raises ExpressionError on bad expressions."""
    props = extension_properties(node)
    try:
        due_date = _due_date(node, props)
    except ExpressionError as exc:
        raise ExpressionError(f"dueDate {node.get(camunda('dueDate')) or props.get('dueDate')!r}: {exc}") from exc
    return TaskMeta(
        element_id=node.get("id", ""),
        title=node.get("name") or node.get("id", ""),
        line=node.sourceline or 0,
        form_key=_form_key(node, props),
        candidate_groups=_assignment(node, props, "candidateGroups"),
        candidate_users=_assignment(node, props, "candidateUsers"),
        assignee=_assignment(node, props, "assignee"),
        due_in=(props.get("dueIn") or None),
        due_date=due_date,
        calendar=props.get("calendar", "calendar"),
        due_from=(props.get("dueFrom") or "").strip() or None,
        properties=props,
    )


def _lanes(process: etree._Element) -> tuple[dict[str, str], list[tuple[str, int]]]:
    mapping: dict[str, str] = {}
    unmapped: list[tuple[str, int]] = []
    for lane in process.iter(bpmn("lane")):
        props = extension_properties(lane)
        group = props.get("group") or props.get("candidateGroups") or (lane.get("name") or "").strip()
        if group:
            mapping[(lane.get("name") or "").strip() or lane.get("id", "")] = group
        else:
            unmapped.append((lane.get("id", ""), lane.sourceline or 0))
    return mapping, unmapped


def _settings(process: etree._Element) -> dict[str, str]:
    """The process's properties; Camunda's ``candidateStarterGroups`` attribute stands for ``starters``."""
    settings = extension_properties(process)
    starters = (process.get(camunda("candidateStarterGroups")) or "").strip()
    if starters and "starters" not in settings:
        settings["starters"] = starters
    return settings


def called_processes(process: etree._Element) -> list[etree._Element]:
    """The processes of the same file that ``process`` calls, directly or through other call activities."""
    by_id = {p.get("id"): p for p in process.getroottree().getroot().iterfind("bpmn:process", NS)}
    found: dict[str, etree._Element] = {}
    todo = [process]
    while todo:
        for call in todo.pop().iter(bpmn("callActivity")):
            target = by_id.get(call.get("calledElement"))
            if target is not None and target is not process and target.get("id") not in found:
                found[target.get("id", "")] = target
                todo.append(target)
    return list(found.values())


def is_true(value: str | None) -> bool:
    """A BPMN property read as a flag: true, yes or 1."""
    return (value or "").strip().lower() in ("true", "yes", "1")


def _start(process: etree._Element, tasks: dict[str, TaskMeta]) -> tuple[str | None, str | None]:
    """(the form key of the process's plain start event, the user task marked ``startForm``)."""
    form = None
    for node in process.iterfind("bpmn:startEvent", NS):
        if not any(str(child.tag).endswith("EventDefinition") for child in node):
            form = _form_key(node, extension_properties(node)) or form
    step = next((t.element_id for t in tasks.values() if is_true(t.properties.get("startForm"))), None)
    return form, step


def read_process(process: etree._Element) -> ProcessMeta:
    """Read one ``bpmn:process`` element: its tasks and lanes, those inside subprocesses and those of the
    processes it calls in the same file included (their tasks run in its cases); settings are its own."""
    tasks: dict[str, TaskMeta] = {}
    lanes: dict[str, str] = {}
    unmapped: list[tuple[str, int]] = []
    for proc in [process, *called_processes(process)]:
        for tag in TASK_TAGS:
            for node in proc.iter(bpmn(tag)):
                try:
                    tasks.setdefault(node.get("id", ""), read_task(node))
                except ExpressionError:
                    continue  # reported by the checker
        proc_lanes, proc_unmapped = _lanes(proc)
        lanes = {**proc_lanes, **lanes}
        unmapped += proc_unmapped
    start_form, start_step = _start(process, tasks)
    return ProcessMeta(
        key=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        tasks=tasks,
        lane_groups=lanes,
        lanes_unmapped=tuple(unmapped),
        settings=_settings(process),
        initiator=initiator_variable(process),
        start_form=start_form,
        start_step=start_step,
    )


def initiator_variable(process: etree._Element) -> str | None:
    """The variable a start event's ``camunda:initiator`` names, if any."""
    for start in process.iterchildren(bpmn("startEvent")):
        name = (start.get(camunda("initiator")) or "").strip()
        if name:
            return name
    return None


def is_executable(process: etree._Element) -> bool:
    """``isExecutable`` is true or absent (SpiffWorkflow and Camunda both run a process without it)."""
    return process.get("isExecutable", "true").strip().lower() == "true"


def executable_processes(root: etree._Element) -> list[etree._Element]:
    """The ``bpmn:process`` elements that can run (the ones Docket deploys)."""
    return [p for p in root.iterfind("bpmn:process", NS) if is_executable(p)]
