"""The standing rules of the code's shape, read from the source itself:

* the BPMN file is the whole truth of a process: no Python string in ``engine/`` or ``webui/`` (demo data
  aside) is the id of an element of a shipped process, none names a process key, and no step or process is
  looked up by a literal name;
* the web layer reads through engine queries: no module under ``webui/`` imports SQLAlchemy or an ORM model;
* the core imports no feature, and no module imports itself back through others (function-level imports count).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).parent.parent
PACKAGES = ("engine", "webui")
CORE = ("engine.runtime", "engine.scheduler", "engine.users", "engine.instances", "engine.tasks", "engine.projection",
        "engine.casework", "engine.steps", "engine.hooks", "engine.behaviours", "engine.queries", "engine.models",
        "engine.access", "engine.dates", "engine.db")
FEATURES = ("engine.congress", "engine.disputes", "engine.inbox", "engine.ops", "engine.sla")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_demo(name: str) -> bool:
    return name.rsplit(".", 1)[-1].startswith("demo")


def _shipped() -> tuple[set[str], set[str], set[str]]:
    """(element ids, process keys, casework words) of every BPMN file under processes/."""
    ids, keys, words = set(), set(), set()
    for path in (ROOT / "processes").rglob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        ids.update(e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id"))
        for process in root.iter(f"{BPMN}process"):
            keys.add(process.get("id"))
        words.update(p.get("value") for p in root.iter() if isinstance(p.tag, str)
                     and p.tag.endswith("}property") and p.get("name") == "casework")
    return ids, keys, words


def _strings(tree: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def _source_modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for name, path in sorted(MODULES.items()):
        if not _is_demo(name):
            yield name, path, ast.parse(path.read_text(encoding="utf-8"))


def test_shipped_processes_are_read_from_their_files() -> None:
    ids, keys, words = _shipped()
    assert {"proposals", "mediation", "appeals"} <= keys and words == {"proposals", "mediation", "appeals"}
    assert len(ids) > 150


def test_python_names_no_element_id_and_no_process_key() -> None:
    """A process key that is also the casework word its own BPMN declares (``casework="mediation"``) is the
    feature's word, which the BPMN points to; any other key, and every element id, must not appear."""
    ids, keys, words = _shipped()
    forbidden = (ids | keys) - words
    found = [f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
             for _, path, tree in _source_modules() for node in _strings(tree) if node.value in forbidden]
    assert found == []


def _names_a_process_or_step(node: ast.AST) -> bool:
    """``x.process_key == "..."``, ``Task.name.in_(("...",))``, ``start_case(rt, actor, "...")`` and the like."""
    def literal(value: ast.AST) -> bool:
        return any(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(value))

    def looked_up(value: ast.AST) -> bool:
        return isinstance(value, ast.Attribute) and value.attr in ("process_key", "name") and \
            isinstance(value.value, ast.Name) and value.value.id in ("case", "task", "Case", "Task", "row", "t", "c")

    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        return any(looked_up(s) for s in sides) and any(literal(s) for s in sides if not looked_up(s))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "in_":
        return looked_up(node.func.value) and any(literal(a) for a in node.args)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "start_case":
        return len(node.args) > 2 and isinstance(node.args[2], ast.Constant)
    return False


def test_no_case_or_step_is_looked_up_by_a_literal_name() -> None:
    found = [f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
             for _, path, tree in _source_modules() for node in ast.walk(tree) if _names_a_process_or_step(node)]
    assert found == []


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The project modules ``name`` imports, anywhere in the file, with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                yield (f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base), node.lineno


def test_the_web_layer_imports_neither_sqlalchemy_nor_models() -> None:
    found = [f"{path.relative_to(ROOT)}:{line} {target}" for name, path in MODULES.items() if name.startswith("webui")
             for target, line in _imports(name, path)
             if target.split(".")[0] == "sqlalchemy" or target.rsplit(".", 1)[-1] == "models"]
    assert found == []


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules importing it runs: the target and the packages above it (their
    ``__init__`` runs first), except the packages the importing module is itself inside."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for target, _ in _imports(name, path):
            parts = target.split(".")
            for end in range(1, len(parts) + 1):
                step = ".".join(parts[:end])
                if step in MODULES and step != name and not name.startswith(step + "."):
                    targets.add(step)
        graph[name] = targets
    return graph


def test_the_core_imports_no_feature() -> None:
    graph = _graph()
    found = [f"{core} imports {target}" for core in CORE for target in graph[core]
             if any(target == f or target.startswith(f + ".") for f in FEATURES)]
    assert found == []


def test_no_import_cycles() -> None:
    """Tarjan's strongly connected components over every import, module-level or inside a function."""
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert cycles == []
