"""The sandbox every gateway condition, expression and script task runs in.

Source is compiled with RestrictedPython under :class:`SandboxPolicy` (cached by
source text), run against a copy of the task data with safe builtins and guard hooks, under a
``sys.settrace`` step/time limit. After a script, only new or changed JSON-like values go back into the
task data; helpers, builtins, functions and modules never do.
"""

from __future__ import annotations

import ast
import functools
import logging
import re
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from types import CodeType, ModuleType, SimpleNamespace
from typing import Any, NamedTuple

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import IOPERATOR_TO_STR, copy_locations
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import guards
from .guards import GUARDS, SAFE_BUILTINS, SandboxViolation, set_current_run
from .provided import MODULES, provided_module, provided_name, script_locals

log = logging.getLogger(__name__)

_LINE = re.compile(r"^Line (\d+|None): (SyntaxError: )?")
_TRUSTED_FILES = frozenset({guards.guarded_getattr.__code__.co_filename, (lambda: 0).__code__.co_filename})
_TICK_CODE, _KEY_CODE = guards.tick.__code__, guards._counted(len).__code__
_SCALARS = frozenset({str, int, float, bool, type(None), date, datetime})
_KEYS = (str, int, float, bool, type(None))
_MAX_DEPTH = 100
_MISSING = object()


_BINOP_GUARDS = {
    ast.Pow: "_pow_", ast.Mult: "_mul_", ast.LShift: "_lshift_", ast.Add: "_add_", ast.Mod: "_mod_",
}


def _call(name: str, args: list[ast.expr], where: ast.AST) -> ast.Call:
    node = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    copy_locations(node, where)
    return node


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no imports or classes, size-checked operators, and
    ``except``/``finally`` blocks that cannot swallow a sandbox violation."""

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> ast.AST | list[ast.AST]:
        assigns = _provided_imports(node)
        if assigns is None:
            self.error(node, '"import" is not allowed in scripts; use the functions the engine provides '
                             f"(only {', '.join(sorted(MODULES))} may be imported, as the same safe modules).")
            return node
        return assigns

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "Class definitions are not allowed in scripts.")
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        return node if guard is None else _call(guard, [node.left, node.right], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        if node.format_spec is not None:
            args = [node.value, node.format_spec, ast.Constant(node.conversion)]
            node.value = _call("_format_", args, node.value)
            node.format_spec, node.conversion = None, -1
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        target = node.target
        if not isinstance(target, ast.Subscript):
            return super().visit_AugAssign(node)
        if isinstance(target.slice, ast.Slice):
            self.error(node, "Augmented assignment to a slice (x[a:b] += ...) is not allowed.")
            return node
        # d[k] += v  ->  _write_(t)[i] = _inplacevar_('+=', _getitem_(t := d, i := k), v)
        obj, key = self.visit(target.value), self.visit(target.slice)
        value = self.visit(node.value)
        t_obj, t_key = self.gen_tmp_name(), self.gen_tmp_name()
        load = _call("_getitem_", [ast.NamedExpr(ast.Name(t_obj, ast.Store()), obj),
                                   ast.NamedExpr(ast.Name(t_key, ast.Store()), key)], node)
        new_value = _call("_inplacevar_", [ast.Constant(IOPERATOR_TO_STR[type(node.op)]), load, value], node)
        store = ast.Subscript(_call("_write_", [ast.Name(t_obj, ast.Load())], node),
                              ast.Name(t_key, ast.Load()), ast.Store())
        assign = ast.Assign(targets=[store], value=new_value)
        copy_locations(assign, node)
        return assign

    def visit_While(self, node: ast.While) -> ast.AST:
        # CPython 3.11 emits no trace event for a loop that jumps to itself (``while True: pass``),
        # so every ``while`` body starts with a call: each call is a traced step.
        node = self.node_contents_visit(node)
        tick = ast.Expr(_call("_tick_", [], node.body[0]))
        copy_locations(tick, node.body[0])
        node.body.insert(0, tick)
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        node = self.node_contents_visit(node)
        for body in [h.body for h in node.handlers] + ([node.finalbody] if node.finalbody else []):
            check = ast.Expr(_call("_check_", [], body[0]))
            copy_locations(check, body[0])
            body.insert(0, check)
        return node


def _provided_imports(node: ast.Import | ast.ImportFrom) -> list[ast.AST] | None:
    """``import datetime`` / ``from datetime import timedelta as td`` as assignments of the provided modules,
    or None when the statement imports anything else."""
    if isinstance(node, ast.Import):
        pairs = [(alias.asname or alias.name, _call("_module_", [ast.Constant(alias.name)], node))
                 for alias in node.names if alias.name in MODULES]
    elif node.level == 0 and node.module in MODULES:
        pairs = [(alias.asname or alias.name, _call("_import_name_", [ast.Constant(node.module),
                                                                      ast.Constant(alias.name)], node))
                 for alias in node.names if alias.name != "*" and not alias.name.startswith("_")]
    else:
        return None
    if len(pairs) != len(node.names) or any(not n.isidentifier() or n.startswith("_") for n, _ in pairs):
        return None
    assigns: list[ast.AST] = []
    for name, value in pairs:
        assign = ast.Assign(targets=[ast.Name(name, ast.Store())], value=value)
        copy_locations(assign, node)
        assigns.append(assign)
    return assigns


class ScriptProblem(NamedTuple):
    """A static problem found in a script or expression."""

    line: int  # 1-based line within the source
    message: str


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> tuple[CodeType | None, tuple[ScriptProblem, ...]]:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, filename="<string>", policy=SandboxPolicy)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        return None, (ScriptProblem(getattr(exc, "lineno", None) or 1, f"cannot be compiled: {exc}"),)
    problems = []
    for error in result.errors:
        match = _LINE.match(error)
        line = int(match.group(1)) if match and match.group(1) != "None" else 1
        message = error[match.end():] if match else error
        if match and match.group(2):
            message = f"syntax error: {message}"
        problems.append(ScriptProblem(line, message))
    return (None if problems else result.code), tuple(problems)


def check_source(source: str, mode: str = "exec") -> list[ScriptProblem]:
    """Compile ``source`` with the sandbox policy (``"exec"`` for script tasks, ``"eval"`` for
    conditions and expressions) and return every problem found; never raises. Empty list = fine."""
    if not isinstance(source, str):
        return [ScriptProblem(1, f"expected text, got {type(source).__name__}")]
    return list(_compile(source, "eval" if mode == "eval" else "exec")[1])


def _code_for(source: str, mode: str) -> CodeType:
    code, problems = _compile(source, mode)
    if code is not None:
        return code
    n_lines = max(len(source.splitlines()), 1)
    error = SyntaxError("; ".join(f"Line {p.line}: {p.message}" for p in problems))
    error.lineno = min(max(problems[0].line, 1), n_lines)  # SpiffWorkflow indexes the script with it
    raise error


class _Run:
    """Step/time accounting for one evaluate/execute call; ``tracer`` is what ``sys.settrace`` gets."""

    __slots__ = ("violation", "tracer")

    def __init__(self, max_steps: int, max_seconds: float) -> None:
        self.violation: SandboxViolation | None = None
        deadline = time.monotonic() + max_seconds
        clock, trusted, tick_code, key_code = time.monotonic, _TRUSTED_FILES, _TICK_CODE, _KEY_CODE
        steps = 0

        def stop() -> None:
            if steps > max_steps:
                self.violation = SandboxViolation(
                    f"The script was stopped after {max_steps:,} steps; it may contain an endless loop.")
            else:
                self.violation = SandboxViolation(f"The script was stopped after running {max_seconds:g} "
                                                  "seconds; it may contain an endless loop.")
            raise self.violation

        def trace_line(frame: Any, event: str, arg: Any) -> Any:
            nonlocal steps
            steps += 1
            if steps > max_steps or clock() > deadline:
                stop()
            return trace_line

        def trace_call(frame: Any, event: str, arg: Any) -> Any:
            nonlocal steps
            code = frame.f_code
            if code.co_filename in trusted:  # guards: only loop ticks and key= callbacks are steps
                if code is tick_code or code is key_code:
                    steps += 1
                if steps > max_steps or clock() > deadline:
                    stop()
                return None
            steps += 1
            if steps > max_steps or clock() > deadline:
                stop()
            return trace_line

        self.tracer = trace_call

    def tracing_intact(self) -> bool:
        return sys.gettrace() is self.tracer


class _Unstorable(Exception):
    pass


def _storable(value: Any, depth: int = 0) -> Any:
    """``value`` as task data: JSON-like (tuples become lists) or ``_Unstorable``."""
    kind = type(value)
    if kind in _SCALARS or isinstance(value, (str, int, float, date)):
        return value
    if depth > _MAX_DEPTH:
        raise _Unstorable("it is nested too deeply (or contains itself)")
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, _KEYS):
                raise _Unstorable(f"it has a key of type {type(key).__name__}")
            out[key] = _storable(item, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_storable(item, depth + 1) for item in value]
    raise _Unstorable(f"it contains a {kind.__name__}")


def _not_data(value: Any) -> bool:
    """Values silently left out of task data, like SpiffWorkflow does with functions."""
    return callable(value) or isinstance(value, (ModuleType, SimpleNamespace, range, Iterator))


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that runs everything in the RestrictedPython sandbox.

    ``helpers`` are extra names (functions, constants) scripts may use; task data may not reuse their
    names. Helpers are shared by all scripts, so pass functions or immutable values.
    """

    def __init__(self, helpers: dict | None = None, max_steps: int = 200_000,
                 max_seconds: float = 2.0) -> None:
        helpers = dict(helpers or {})
        bad = [name for name in helpers if not name.isidentifier() or name.startswith("_")]
        if bad:
            raise ValueError(f"helper names must be identifiers not starting with '_': {bad}")
        super().__init__(helpers)
        self.max_steps, self.max_seconds = max_steps, max_seconds
        self._guards = dict(GUARDS, _module_=provided_module, _import_name_=provided_name,
                            __builtins__={**SAFE_BUILTINS, "locals": script_locals, **helpers})
        self._helper_names = tuple(helpers)
        self._reserved = frozenset(helpers)

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        """The value of ``expression`` over the task data ``context`` (which is not changed)."""
        code = _code_for(expression, "eval")
        self._check_overwrite(context, None)
        if external_context:
            scope = dict(external_context)
            scope.update(context)
        else:
            scope = dict(context)
        scope.update(self._guards)
        return self._run(code, scope)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run ``script``; on success write new/changed/deleted variables back into ``context``."""
        code = _code_for(script, "exec")
        self._check_overwrite(context, external_context)
        scope = dict(context)
        if external_context:
            scope.update(external_context)
        scope.update(self._guards)
        self._run(code, scope)
        self._write_back(scope, context, external_context or {})
        return True

    def _check_overwrite(self, context: dict, external_context: dict | None) -> None:
        clash = [name for name in self._helper_names if name in context] if self._helper_names else []
        if external_context:
            clash.extend(name for name in external_context if name in context)
        if clash:
            raise ValueError("Task data overwrites predefined function(s); please rename these variables or "
                             f"fields: {', '.join(sorted(clash))}")

    def _run(self, code: CodeType, scope: dict) -> Any:
        run = _Run(self.max_steps, self.max_seconds)
        previous_run = set_current_run(run)
        previous_tracer = sys.gettrace()
        sys.settrace(run.tracer)
        try:
            result = eval(code, scope)
        finally:
            sys.settrace(previous_tracer)
            set_current_run(previous_run)
        if run.violation is not None:
            raise run.violation
        return result

    def _write_back(self, scope: dict, context: dict, external: dict) -> None:
        updates, removed = {}, []
        for name, value in scope.items():
            if name[:1] == "_" or name in self._reserved or name in external:
                continue  # '_' names are guards/temporaries: scripts cannot use them
            if value is context.get(name, _MISSING):
                continue
            if type(value) not in _SCALARS and _not_data(value):
                removed.append(name)
                continue
            try:
                updates[name] = _storable(value)
            except _Unstorable as exc:
                raise SandboxViolation(f'The variable "{name}" cannot be stored in the task data: {exc}. '
                                       "Convert it (for example with list(...) or str(...)) or delete it "
                                       "with del.") from None
        removed.extend(name for name in context if name not in scope)
        for name in removed:
            if name in context:
                log.debug("script left %r out of the task data", name)
                del context[name]
        context.update(updates)

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise NotImplementedError("Docket has no service connectors; use a script task.")


def available_names(environment: SandboxEnvironment | None = None) -> set[str]:
    """The names every script has without defining them (built-ins, helpers)."""
    names = set(SAFE_BUILTINS) | {"locals", "print"}  # print: RestrictedPython collects it (_print_)
    if environment is not None:
        names |= set(environment._helper_names)
    return names


def make_script_engine(helpers: dict | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow ``PythonScriptEngine`` whose scripts and expressions run in the sandbox."""
    return PythonScriptEngine(environment=SandboxEnvironment(helpers))
