"""The script sandbox: escapes fail, resource bombs stop, legitimate scripts work, SpiffWorkflow wiring."""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timedelta

import pytest
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.scripts import (
    SandboxEnvironment,
    SandboxViolation,
    ScriptProblem,
    check_source,
    make_script_engine,
)
from engine.scripts.sandbox import _compile

PROBLEM = "compile-time problem"  # reported by check_source, SyntaxError at run time

# (id, script, expected failure). Every script tries to set ``canary``; it must never be set.
ESCAPES = [
    ("subclasses", "canary = ().__class__.__base__.__subclasses__()", PROBLEM),
    ("func-globals-dunder", "canary = (lambda: 0).__globals__", PROBLEM),
    ("builtins-name", "canary = __builtins__", PROBLEM),
    ("dunder-import", "canary = __import__('os')", PROBLEM),
    ("import", "import os\ncanary = os", PROBLEM),
    ("import-from", "from os import path\ncanary = path", PROBLEM),
    ("import-in-function", "def f():\n    import os\n    return os\ncanary = f()", PROBLEM),
    ("open", "canary = open('/etc/passwd').read()", NameError),
    ("eval", "canary = eval('1')", PROBLEM),
    ("exec", "exec('canary = 1')", PROBLEM),
    ("compile", "canary = compile('1', '<x>', 'eval')", NameError),
    ("type-of", "canary = type(1)", NameError),
    ("type-new-class", "canary = type('X', (), {})", NameError),
    ("class-statement", "class X:\n    pass\ncanary = X", PROBLEM),
    ("getattr-dunder", "canary = getattr(1, '__class__')", SandboxViolation),
    ("getattr-format", "canary = getattr(str, 'format')('{0.__class__}', 1)", SandboxViolation),
    ("str-format", "canary = '{0.__class__}'.format(1)", SandboxViolation),
    ("str-format-map", "canary = '{a.__init__.__globals__}'.format_map({'a': len})", SandboxViolation),
    ("str-type-format", "canary = str.format('{0.__class__}', 1)", SandboxViolation),
    ("generator-frame", "canary = (x for x in [1]).gi_frame.f_globals", PROBLEM),
    ("generator-code", "g = (x for x in [1])\ncanary = g.gi_code", PROBLEM),
    ("generator-frame-getattr", "g = (x for x in [1])\ncanary = getattr(g, 'gi_frame')", SandboxViolation),
    ("vars", "canary = vars()", NameError),
    ("globals", "canary = globals()", NameError),
    ("dir", "canary = dir()", NameError),
    ("object-subclasses", "canary = object.__subclasses__()", PROBLEM),
    ("mro-comprehension", "canary = [c for c in ().__class__.__mro__]", PROBLEM),
    ("mro-method", "canary = str.mro()", SandboxViolation),
    ("sys", "canary = sys.modules", NameError),
    ("os", "canary = os.system('true')", NameError),
    ("func-globals-py2", "f = lambda: 0\ncanary = f.func_globals", SandboxViolation),
    ("breakpoint", "breakpoint()\ncanary = 1", PROBLEM),
    ("help", "canary = help()", NameError),
    ("setattr", "setattr(math, 'pi', 3)\ncanary = 1", NameError),
    ("delattr", "delattr(math, 'pi')\ncanary = 1", NameError),
    ("super", "canary = super()", NameError),
    ("classmethod", "canary = classmethod(len)", NameError),
    ("object", "canary = object", NameError),
    ("attribute-write", "math.pi = 3\ncanary = 1", SandboxViolation),
    ("system-exit", "raise SystemExit(1)", NameError),
    ("print-to-file", "print('x', file=canary)", NameError),
    ("traceback-frame", "try:\n    1/0\nexcept Exception as e:\n    canary = e.__traceback__", PROBLEM),
    ("except-star", "try:\n    pass\nexcept* ValueError:\n    canary = 1", PROBLEM),
    ("async", "async def f():\n    pass\ncanary = f", PROBLEM),
]

# Resource bombs that would run in C without trace events.
BOMBS = [
    ("pow-tower", "canary = 10**10**10"),
    ("str-mult", "canary = 'a' * 10**10"),
    ("list-mult", "canary = [0] * 10**10"),
    ("lshift", "canary = 1 << 10**10"),
    ("pow-builtin", "canary = pow(10, 10**10)"),
    ("aug-pow", "x = 2\nx **= 10**10\ncanary = x"),
    ("aug-mult-item", "d = {'a': 'x'}\nd['a'] *= 10**10\ncanary = d"),
    ("aug-lshift", "x = 1\nx <<= 10**10\ncanary = x"),
    ("doubling", "s = 'ab'\nfor i in range(64):\n    s = s + s\ncanary = s"),
    ("extend-doubling", "l = [0]\nfor i in range(64):\n    l.extend(l)\ncanary = l"),
    ("ljust", "canary = 'x'.ljust(10**10)"),
    ("join", "canary = '-'.join(['a' * 10**6] * 100)"),
    ("percent-width", "canary = '%0999999999d' % 1"),
    ("percent-star", "canary = '%*d' % (10**9, 1)"),
    ("fstring-width", "canary = f'{1:>{10**9}}'"),
    ("range", "canary = list(range(10**12))"),
    ("sum-lists", "canary = sum([[0] * 1000] * 1000, [])"),
    ("to-bytes", "canary = (1).to_bytes(10**10, 'big')"),
    ("factorial", "canary = math.factorial(10**7)"),
    ("unbound-method", "canary = str.ljust('x', 10**10)"),
]


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment(helpers={
        "datetime": datetime, "date": date, "timedelta": timedelta, "double": lambda x: x * 2,
    })


@pytest.mark.parametrize("script, expected", [e[1:] for e in ESCAPES], ids=[e[0] for e in ESCAPES])
def test_escape_attempts_fail(env: SandboxEnvironment, script: str, expected: object) -> None:
    ctx = {"x": 1}
    if expected is PROBLEM:
        assert check_source(script), "check_source should report the forbidden construct"
        with pytest.raises(SyntaxError):
            env.execute(script, ctx)
    else:
        assert check_source(script) == []
        with pytest.raises(expected):  # type: ignore[call-overload]
            env.execute(script, ctx)
    assert ctx == {"x": 1}  # nothing leaked into the task data, canary never set


@pytest.mark.parametrize("script", [b[1] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_resource_bombs_stop_fast(env: SandboxEnvironment, script: str) -> None:
    ctx: dict = {}
    started = time.monotonic()
    with pytest.raises(SandboxViolation):
        env.execute(script, ctx)
    assert time.monotonic() - started < 1.0
    assert "canary" not in ctx


@pytest.mark.parametrize("expression", [
    "().__class__", "__import__('os')", "(lambda: 0).__globals__", "[c for c in ().__class__.__mro__]",
])
def test_escapes_in_conditions_are_reported(env: SandboxEnvironment, expression: str) -> None:
    assert check_source(expression, "eval")
    with pytest.raises(SyntaxError):
        env.evaluate(expression, {})


@pytest.mark.parametrize("expression, error", [
    ("'{0.__class__}'.format(amount)", SandboxViolation),
    ("getattr(amount, '__class__')", SandboxViolation),
    ("type(amount)", NameError),
    ("10**10**10 > amount", SandboxViolation),
    ("sum(1 for a in range(10**6) for b in range(10**6))", SandboxViolation),
])
def test_condition_runtime_escapes(env: SandboxEnvironment, expression: str, error: type) -> None:
    with pytest.raises(error):
        env.evaluate(expression, {"amount": 3})


def test_endless_loop_hits_step_limit() -> None:
    env = SandboxEnvironment(max_steps=10_000, max_seconds=30)
    started = time.monotonic()
    with pytest.raises(SandboxViolation, match="10,000 steps"):
        env.execute("while True: pass", {})
    assert time.monotonic() - started < 1.0


def test_slow_script_hits_time_limit() -> None:
    env = SandboxEnvironment(max_steps=10**12, max_seconds=0.2)
    started = time.monotonic()
    with pytest.raises(SandboxViolation, match="0.2 seconds"):
        env.execute("x = 0\nwhile True:\n    x = (x + 1) % 7", {})
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("script", [
    "try:\n    while True: pass\nexcept Exception:\n    pass\nwhile True: pass",
    "try:\n    while True: pass\nexcept:\n    canary = 1",
    "try:\n    while True: pass\nfinally:\n    canary = 1\n    while True: pass",
    "def f():\n    try:\n        f()\n    except:\n        pass\n    while True: pass\nf()",
    "canary = sorted([list(range(10**6))] * 10**6, key=sum)",
])
def test_limit_cannot_be_swallowed(script: str) -> None:
    env = SandboxEnvironment(max_steps=20_000, max_seconds=0.5)
    ctx: dict = {}
    started = time.monotonic()
    with pytest.raises(SandboxViolation):
        env.execute(script, ctx)
    assert time.monotonic() - started < 2.0
    assert "canary" not in ctx


def test_previous_tracer_is_restored(env: SandboxEnvironment) -> None:
    def outer_tracer(frame, event, arg):  # stands in for coverage/debugger
        return None

    previous = sys.gettrace()
    sys.settrace(outer_tracer)
    try:
        env.evaluate("1 + 1", {})
        assert sys.gettrace() is outer_tracer
        with pytest.raises(SandboxViolation):
            SandboxEnvironment(max_steps=1000).execute("while True: pass", {})
        assert sys.gettrace() is outer_tracer
    finally:
        sys.settrace(previous)


def test_legitimate_script(env: SandboxEnvironment) -> None:
    ctx = {"amount": 120, "name": "  ada lovelace ", "items": [3, 1, 2], "votes": {"yes": 4, "no": 1}}
    env.execute(
        "total = amount * 2 + 10 - 5 // 2\n"
        "ratio = round(amount / 7, 2)\n"
        "clean = name.strip().title()\n"
        "shout = name.strip().upper()\n"
        "words = name.split()\n"
        "ordered = sorted(items, reverse=True)\n"
        "squares = [i * i for i in items if i > 1]\n"
        "lookup = {w: len(w) for w in words}\n"
        "votes['abstain'] = 2\n"
        "votes['yes'] += 1\n"
        "items.append(4)\n"
        "count = len(items)\n"
        "label = f'{clean}: {total:>6} ({ratio:.1f})'\n"
        "legacy = '%s has %d items' % (clean, count)\n"
        "winner = max(votes, key=lambda k: votes[k])\n"
        "pair = (1, 2)\n"
        "a, b = pair\n"
        "n = 0\n"
        "while n < 5:\n"
        "    n += 1\n"
        "if any(v > 3 for v in votes.values()) and all(isinstance(i, int) for i in items):\n"
        "    flag = True\n"
        "printed_text = str(sum(items)) + '!'\n",
        ctx,
    )
    assert ctx["total"] == 248 and ctx["ratio"] == 17.14
    assert ctx["clean"] == "Ada Lovelace" and ctx["shout"] == "ADA LOVELACE"
    assert ctx["words"] == ["ada", "lovelace"] and ctx["lookup"] == {"ada": 3, "lovelace": 8}
    assert ctx["ordered"] == [3, 2, 1] and ctx["squares"] == [9, 4]
    assert ctx["votes"] == {"yes": 5, "no": 1, "abstain": 2} and ctx["winner"] == "yes"
    assert ctx["items"] == [3, 1, 2, 4] and ctx["count"] == 4
    assert ctx["label"] == "Ada Lovelace:    248 (17.1)"
    assert ctx["legacy"] == "Ada Lovelace has 4 items"
    assert ctx["pair"] == [1, 2] and (ctx["a"], ctx["b"]) == (1, 2)
    assert ctx["n"] == 5 and ctx["flag"] is True and ctx["printed_text"] == "10!"


def test_helpers_are_callable_and_not_left_behind(env: SandboxEnvironment) -> None:
    ctx = {"opened": datetime(2024, 3, 1, 9, 0)}
    env.execute(
        "due = opened + timedelta(days=14)\n"
        "weekday = due.strftime('%A')\n"
        "today_ok = date(2024, 3, 15) == due.date()\n"
        "twice = double(21)\n"
        "root = math.sqrt(16)\n"
        "def local_helper(v):\n"
        "    return v + 1\n"
        "three = local_helper(2)\n"
        "gen = (i for i in range(3))\n",
        ctx,
    )
    assert ctx == {
        "opened": datetime(2024, 3, 1, 9, 0), "due": datetime(2024, 3, 15, 9, 0), "weekday": "Friday",
        "today_ok": True, "twice": 42, "root": 4.0, "three": 3,
    }
    for name in ("datetime", "date", "timedelta", "double", "math", "local_helper", "gen", "__builtins__"):
        assert name not in ctx
    assert not any(k.startswith("_") for k in ctx)


def test_task_data_may_not_overwrite_helpers(env: SandboxEnvironment) -> None:
    with pytest.raises(ValueError, match="double"):
        env.execute("x = 1", {"double": 3})
    with pytest.raises(ValueError, match="double"):
        env.evaluate("x == 1", {"double": 3, "x": 1})


def test_builtins_may_be_shadowed_by_task_data(env: SandboxEnvironment) -> None:
    assert env.evaluate('type == "appeal" and max > 2', {"type": "appeal", "max": 3}) is True


def test_task_data_stays_json_like(env: SandboxEnvironment) -> None:
    ctx = {"keep": 1, "gone": 2}
    env.execute("t = (1, [2, (3,)])\nd = {'when': date(2024, 1, 1)}\nf = len\ndel gone", ctx)
    assert ctx == {"keep": 1, "t": [1, [2, [3]]], "d": {"when": date(2024, 1, 1)}}
    for script, culprit in [("s = {1, 2}", "s"), ("fs = [lambda: 1]", "fs"), ("k = {(1, 2): 3}", "k")]:
        with pytest.raises(SandboxViolation, match=f'"{culprit}"'):
            env.execute(script, dict(ctx))


def test_failed_script_leaves_task_data_untouched(env: SandboxEnvironment) -> None:
    ctx = {"a": 1}
    with pytest.raises(ZeroDivisionError):
        env.execute("b = 2\na = 5\n1 / 0", ctx)
    assert ctx == {"a": 1}


def test_evaluate_does_not_change_task_data(env: SandboxEnvironment) -> None:
    ctx = {"a": 1}
    assert env.evaluate("(b := a + 1) == 2", ctx) is True
    assert ctx == {"a": 1}


def test_compiled_code_is_cached(env: SandboxEnvironment) -> None:
    expression = "amount > 10 and kind == 'cache-test'"
    env.evaluate(expression, {"amount": 1, "kind": "x"})
    hits = _compile.cache_info().hits
    for _ in range(5):
        env.evaluate(expression, {"amount": 11, "kind": "cache-test"})
    assert _compile.cache_info().hits >= hits + 5


def test_simple_condition_is_cheap(env: SandboxEnvironment) -> None:
    ctx = {"amount": 20, "kind": "x", **{f"field{i}": i for i in range(20)}}
    expression = 'amount > 10 and kind == "x"'
    env.evaluate(expression, ctx)
    n = 2000
    started = time.perf_counter()
    for _ in range(n):
        env.evaluate(expression, ctx)
    per_call = (time.perf_counter() - started) / n
    assert per_call < 250e-6  # about 3 µs on a developer machine; generous for loaded CI


def test_check_source_reports_lines() -> None:
    script = "a = 1\nb = 2\nif a > b\n    c = 3\n"
    problems = check_source(script)
    assert len(problems) == 1 and problems[0].line == 3
    assert isinstance(problems[0], ScriptProblem) and "syntax error" in problems[0].message

    script = "a = 1\n\nx = [i for i in range(3)]\nimport os\ny = a.__class__\n"
    assert [(p.line, "import" in p.message) for p in check_source(script)] == [(4, True), (5, False)]
    assert check_source("a = 1\nb = a + 2\n") == []
    assert check_source("amount > 10 and", "eval")[0].line == 1
    assert check_source("x = 1", "eval")  # a statement is not an expression
    assert check_source(None)  # type: ignore[arg-type]  # never raises


def test_runtime_syntax_error_names_the_line(env: SandboxEnvironment) -> None:
    with pytest.raises(SyntaxError, match="Line 3") as info:
        env.execute("a = 1\nb = 2\nimport os\n", {})
    assert info.value.lineno == 3


# -- end to end through SpiffWorkflow ----------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://docket.test/bpmn">
  <bpmn:process id="triage" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="score" name="Score">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_big</bpmn:outgoing><bpmn:outgoing>to_small</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score"/>
    <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="gw"/>
    <bpmn:sequenceFlow id="to_big" sourceRef="gw" targetRef="big">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">BIG</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="gw" targetRef="small">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">not (BIG)</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="big"><bpmn:incoming>to_big</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="small"><bpmn:incoming>to_small</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _workflow(script: str) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    xml = BPMN.replace("SCRIPT", _xml_text(script)).replace("BIG", _xml_text('amount > 10 and kind == "x"'))
    parser.add_bpmn_str(xml.encode("utf-8"), "triage.bpmn")
    spec = parser.get_spec("triage")
    return BpmnWorkflow(spec, parser.get_subprocess_specs("triage"), script_engine=make_script_engine())


def _reached(workflow: BpmnWorkflow) -> set[str]:
    return {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)}


@pytest.mark.parametrize("script, branch", [
    ("amount = 5 * 3\nkind = 'x'.lower()", "big"),
    ("amount = len([1, 2])\nkind = 'x'", "small"),
])
def test_workflow_takes_the_right_branch(script: str, branch: str) -> None:
    workflow = _workflow(script)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert branch in _reached(workflow) and ({"big", "small"} - {branch}).isdisjoint(_reached(workflow))
    assert set(workflow.data) >= {"amount", "kind"}


def test_workflow_escape_errors_the_task() -> None:
    workflow = _workflow("amount = 11\nkind = 'x'\nleak = getattr(kind, '__class__')")
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert info.value.error_type == "SandboxViolation"
    assert info.value.line_number == 3
    task = workflow.get_next_task(spec_name="score", state=TaskState.ERROR)
    assert task is not None and task.state == TaskState.ERROR
    assert "leak" not in task.data
    assert not workflow.is_completed()


def test_locals_gives_only_the_script_variables(env: SandboxEnvironment) -> None:
    """``locals()`` (SpiffWorkflow scripts ask it which variables exist) is a copy of the task data and what the
    script set: no guard, helper or builtin reaches the script through it."""
    ctx = {"x": 1}
    env.execute("y = 2\nseen = sorted(locals())\nhas_x = 'x' in locals()\nlocals()['x'] = 5", ctx)
    assert ctx["seen"] == ["x", "y"] and ctx["has_x"] is True and ctx["x"] == 1
