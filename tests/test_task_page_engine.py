"""The engine behind the task page: conditional fields, the BPMN properties the checker reads, where a step
may be returned to (its own path only, through subprocesses), and a start event's form."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import deploy_file

from engine.access import Actor
from engine.approval.returns import return_task
from engine.conditions import applicable, evaluate
from engine.definitions.bundle import Bundle
from engine.definitions.check import check_bundle
from engine.errors import Invalid
from engine.forms import field_views
from engine.models import Case, Task
from engine.runtime import Runtime
from engine.startforms import submit_start_form
from engine.tasks import complete_task
from engine.taskview import task_view

FORM = {
    "type": "object", "required": ["outcome"],
    "properties": {
        "outcome": {"type": "string", "title": "结论", "enum": ["ok", "no", "later"],
                    "x-enum-labels": {"ok": "同意", "no": "不同意", "later": "暂缓"}},
        "reason": {"type": "string", "title": "理由"},
        "detail": {"type": "string", "title": "补充说明"},
        "when": {"type": "string", "format": "date", "title": "何时再议"},
        "note": {"type": "string", "title": "备注"},
        "copy": {"type": "boolean", "title": "抄送本人"},
        "email": {"type": "string", "title": "邮箱"},
        "cc_note": {"type": "string", "title": "抄送说明"},
    },
    "allOf": [
        {"if": {"properties": {"outcome": {"const": "no"}}, "required": ["outcome"]},
         "then": {"properties": {"reason": {}}, "required": ["reason", "note"]},
         "else": {"properties": {"when": {}}}},
        {"if": {"properties": {"reason": {"const": "other"}}, "required": ["reason"]},
         "then": {"properties": {"detail": {}}, "required": ["detail"]}},
    ],
    "dependentRequired": {"copy": ["email"]},
    "dependentSchemas": {"email": {"properties": {"cc_note": {}}}},
}


@pytest.mark.parametrize("data,shown,required", [
    ({}, {"when"}, {"outcome"}),
    ({"outcome": "no"}, {"reason"}, {"outcome", "reason", "note"}),
    ({"outcome": "no", "reason": "other"}, {"reason", "detail"}, {"outcome", "reason", "note", "detail"}),
    ({"outcome": "ok", "reason": "other"}, {"when"}, {"outcome"}),  # a hidden answer decides nothing
    ({"outcome": "ok", "copy": True}, {"when"}, {"outcome", "email"}),
    ({"outcome": "ok", "email": "a@b.cn"}, {"when", "cc_note"}, {"outcome"}),
])
def test_conditional_fields_apply_and_require_as_answered(data: dict[str, Any], shown: set[str],
                                                          required: set[str]) -> None:
    state = evaluate(FORM, data)
    assert {n for n, on in state.applies.items() if on} == shown
    assert state.required == required


def test_hidden_answers_are_dropped_and_the_page_gets_notes_and_conditions() -> None:
    assert applicable(FORM, {"outcome": "ok", "reason": "other", "detail": "x", "when": "2026-01-01"}) == \
        {"outcome": "ok", "when": "2026-01-01"}
    views = {v.name: v for v in field_views(FORM, "zh_CN", {"outcome": "no"})}
    assert views["reason"].applies and views["reason"].required and not views["when"].applies
    assert views["note"].required and views["note"].when  # always shown, required only for 不同意
    note = views["reason"].conditions[0]
    assert (note["kind"], note["tests"], note["required"]) == ("show", [("结论", ["不同意"], False)], True)
    when = json.loads(views["reason"].when)
    assert when["show"][0]["all"] == [{"field": "outcome", "not": False, "in": ["no"]}]
    assert json.loads(views["email"].when) == {"show": None, "require": [{"all": [{"field": "copy", "not": False}],
                                                                         "else": False}], "required": False}
    assert views["outcome"].when == ""  # not conditional at all


def _bpmn(body: str, process: str = "", start: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="https://docket.example/t">
  <bpmn:process id="paths" name="路径" isExecutable="true">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="businessKeyPrefix" value="测试 "/>{process}
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start">{start}<bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    {body}
  </bpmn:process>
</bpmn:definitions>""".encode()


def _task(task_id: str, extra: str = "", form: str = "simple") -> str:
    return (f'<bpmn:userTask id="{task_id}" name="{task_id} 步"><bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="formKey" value="{form}"/>'
            f'<spiffworkflow:property name="candidateGroups" value="committee"/>{extra}'
            '</spiffworkflow:properties></bpmn:extensionElements>')


def _prop(name: str, value: str) -> str:
    return f'<spiffworkflow:property name="{name}" value="{value}"/>'


SIMPLE = {"type": "object", "properties": {"note": {"type": "string", "title": "意见"}}}
PATHS = _bpmn(f"""
    {_task("s1")}<bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing></bpmn:parallelGateway>
    {_task("a1")}<bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>fa2</bpmn:outgoing></bpmn:userTask>
    {_task("b1", _prop("returnTo", "s1, a1"))}<bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>fb2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>fa2</bpmn:incoming><bpmn:incoming>fb2</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:subProcess id="sub"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:startEvent id="sub_start"><bpmn:outgoing>p0</bpmn:outgoing></bpmn:startEvent>
      {_task("p1")}<bpmn:incoming>p0</bpmn:incoming><bpmn:outgoing>p1f</bpmn:outgoing></bpmn:userTask>
      {_task("p2")}<bpmn:incoming>p1f</bpmn:incoming><bpmn:outgoing>p2f</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="sub_end"><bpmn:incoming>p2f</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="p0" sourceRef="sub_start" targetRef="p1"/>
      <bpmn:sequenceFlow id="p1f" sourceRef="p1" targetRef="p2"/>
      <bpmn:sequenceFlow id="p2f" sourceRef="p2" targetRef="sub_end"/>
    </bpmn:subProcess>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="s1"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s1" targetRef="split"/>
    <bpmn:sequenceFlow id="fa" sourceRef="split" targetRef="a1"/>
    <bpmn:sequenceFlow id="fb" sourceRef="split" targetRef="b1"/>
    <bpmn:sequenceFlow id="fa2" sourceRef="a1" targetRef="join"/>
    <bpmn:sequenceFlow id="fb2" sourceRef="b1" targetRef="join"/>
    <bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="sub"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="end"/>""",
                process=_prop("summary", "note"), start='<bpmn:extensionElements><spiffworkflow:properties>'
                '<spiffworkflow:property name="formKey" value="begin"/></spiffworkflow:properties>'
                '</bpmn:extensionElements>')
BEGIN = {"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "title": "意见"}}}


def _open(rt: Runtime, case_id: int, name: str) -> str:
    with rt.reading() as session:
        return session.scalar(sa.select(Task.id).where(Task.case_id == case_id, Task.name == name,
                                                       Task.state.in_(("open", "claimed"))))


def _targets(rt: Runtime, actor: Actor, task_id: str) -> list[str]:
    with rt.reading() as session:
        return [t["name"] for t in task_view(rt, session, actor, task_id, "zh_CN")["return_to"]]


def test_returns_stay_on_their_own_path_and_cross_subprocesses(rt: Runtime, people: dict[str, Actor]) -> None:
    deploy_file(rt, Bundle(bpmn=PATHS, filename="paths.bpmn", forms={"simple": SIMPLE, "begin": BEGIN}))
    zhao = people["zhao"]
    with pytest.raises(Invalid) as refused:  # the start event's form: refused, nothing is made
        submit_start_form(rt, zhao, "paths", {})
    assert refused.value.details[0]["field"] == "note"
    with rt.reading() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    case = submit_start_form(rt, zhao, "paths", {"note": "开始"})
    assert case.data["note"] == "开始" and case.business_key.endswith("-001")
    complete_task(rt, zhao, _open(rt, case.id, "s1"), {"note": "第一步"})
    complete_task(rt, zhao, _open(rt, case.id, "a1"), {"note": "甲支"})
    b1 = _open(rt, case.id, "b1")
    assert _targets(rt, zhao, b1) == ["s1"]  # a1 ran on the other branch: not b1's path
    with rt.reading() as session:
        assert task_view(rt, session, zhao, b1, "zh_CN")["summary"] == [{"label": "意见", "value": "第一步"}]
    complete_task(rt, zhao, b1, {"note": "乙支"})
    complete_task(rt, zhao, _open(rt, case.id, "p1"), {"note": "子流程"})
    p2 = _open(rt, case.id, "p2")
    assert _targets(rt, zhao, p2) == ["p1", "b1", "s1"]  # nearest first, out of the subprocess
    back = return_task(rt, zhao, p2, "s1", "从头再来")
    with rt.reading() as session:
        names = sorted(session.scalars(sa.select(Task.name).where(Task.case_id == case.id,
                                                                  Task.state.in_(("open", "claimed")))))
    assert names == ["s1"] and back.status == "running"


def test_checker_reads_the_task_page_properties() -> None:
    body = f"""
    {_task("s1", _prop("returnTo", "nowhere") + _prop("startForm", "true") + _prop("summary", "note, ghost"))}
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    {_task("s2", _prop("startForm", "true") + _prop("returnable", "maybe"))}
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="s1"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s1" targetRef="s2"/>
    <bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="end"/>"""
    problems = check_bundle(Bundle(bpmn=_bpmn(body, process=_prop("caseForm", "missing")), filename="t.bpmn",
                                   forms={"simple": SIMPLE}))
    found = {(p.element, p.severity, p.message.split(",")[0].split(":")[0]) for p in problems}
    assert ("s1", "error", "returnTo names 'nowhere'") in found
    assert ("s2", "error", "only one step of a process may be its startForm") in found
    assert ("s2", "error", "returnable 'maybe' must be true or false") in found
    assert ("s1", "warning", "summary names 'ghost'") in found
    assert ("paths", "error", "unknown form key 'missing' (no missing.json given)") in found
