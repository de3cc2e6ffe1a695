"""Camunda Modeler extensions: input/output parameters, result variables, decision result mapping and the
initiator are honoured when a case runs; listeners, Java delegates and every other extension that would change
behaviour are refused by ``docket check`` with the element id and what to do instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import deploy_file

from engine.access import Actor
from engine.definitions.bundle import Bundle, bundle_from_file
from engine.definitions.check import check_bundle, has_errors
from engine.instances import start_case, task_values
from engine.runtime import Runtime
from engine.tasks import complete_task

CAMUNDA = Path(__file__).parent / "bpmn" / "camunda"


def test_parameters_result_variables_and_initiator_run(rt: Runtime, people: dict[str, Actor]) -> None:
    bundle = bundle_from_file(CAMUNDA / "io.bpmn")
    assert set(bundle.dmn) == {"fee_table.dmn"}
    deploy_file(rt, bundle)
    case = start_case(rt, people["li"], "camunda_io", {"base": 3, "label": "mine"})
    assert case.status == "running", case.error_message
    data = case.data
    assert data["total"] == 7 and data["result"] == 60  # input 'rate' = base * 2, output total = rate + 1
    assert data["summary"] == "fixed text" and data["seen"] == ["a", 3] and data["high"] == 4
    assert data["label"] == "mine"  # the input parameter shadowed the case variable only inside the task
    assert not {"rate", "tags", "limits", "camunda_locals_compute"} & set(data)  # the script task's locals are gone
    assert data["doubled"] == 6  # camunda:resultVariable of a one-expression script
    assert data["fee"] == 5  # the decision's single output (mapDecisionResult="singleEntry")
    assert data["starter"] == "li"  # camunda:initiator
    [task] = case.open_task_rows
    assert task_values(rt, people["zhao"], task.id)["hint"] == "Check mine"  # an input of the user task
    done = complete_task(rt, people["zhao"], task.id, {})
    assert done.status == "completed"
    assert done.data["checked_with"] == "Check mine"
    assert not {"hint", "camunda_locals_check"} & set(done.data)  # the user task's input left with it


HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="https://docket.example/t">\n'
        '  <bpmn:error id="err" name="Failed" errorCode="E1"/>\n'
        '  <bpmn:process id="p" isExecutable="true">\n'
        '    <bpmn:startEvent id="start"/>\n'
        '    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="first"/>\n')
TAIL = ('    <bpmn:sequenceFlow id="out" sourceRef="first" targetRef="end"/>\n'
        '    <bpmn:endEvent id="end"/>\n  </bpmn:process>\n</bpmn:definitions>\n')


def ext(body: str) -> str:
    return f"<bpmn:extensionElements>{body}</bpmn:extensionElements>"


REFUSED = {
    "execution listener": (
        '<bpmn:userTask id="first">' + ext("<camunda:executionListener class='a.B' event='start'/>")
        + "</bpmn:userTask>", "execution listeners are not supported: put the work in a script task"),
    "task listener": (
        '<bpmn:userTask id="first">' + ext("<camunda:taskListener event='create' expression='${x}'/>")
        + "</bpmn:userTask>", "task listeners are not supported"),
    "java class": ('<bpmn:task id="first" camunda:class="org.example.Work"/>', "camunda:class runs Java code"),
    "expression on a send task": ('<bpmn:sendTask id="first" camunda:expression="${mailer.send()}"/>',
                                  "camunda:expression runs Java code"),
    "external send task": ('<bpmn:sendTask id="first" camunda:type="external" camunda:topic="mail"/>',
                           'camunda:type="external" works on service tasks only: make first a service task'),
    "parameters on an event": (
        '<bpmn:intermediateThrowEvent id="first">'
        + ext("<camunda:inputOutput><camunda:inputParameter name='a'>1</camunda:inputParameter>"
              "</camunda:inputOutput>") + "</bpmn:intermediateThrowEvent>",
        "camunda:inputOutput on a intermediateThrowEvent is not supported"),
    "script parameter": (
        '<bpmn:task id="first">' + ext("<camunda:inputOutput><camunda:inputParameter name='a'><camunda:script "
                                       "scriptFormat='groovy'>1</camunda:script></camunda:inputParameter>"
                                       "</camunda:inputOutput>") + "</bpmn:task>",
        "camunda:input parameter 'a' uses a script"),
    "camunda form": ('<bpmn:userTask id="first" camunda:formRef="leave-form"/>',
                     "camunda:formRef is not supported: Camunda Forms"),
    "mapping outside a call": (
        '<bpmn:subProcess id="first">' + ext("<camunda:in source='a' target='b'/>")
        + '<bpmn:startEvent id="s1"/></bpmn:subProcess>', "camunda:in belongs on a call activity"),
    "result of a long script": (
        '<bpmn:scriptTask id="first" camunda:resultVariable="r"><bpmn:script>a = 1\nb = 2</bpmn:script>'
        "</bpmn:scriptTask>", "camunda:resultVariable on a script task needs a one-expression script"),
    "error code variable": (
        '<bpmn:task id="first"/><bpmn:boundaryEvent id="caught" attachedToRef="first">'
        '<bpmn:errorEventDefinition id="ed" errorRef="err" camunda:errorCodeVariable="code"/></bpmn:boundaryEvent>'
        '<bpmn:sequenceFlow id="c" sourceRef="caught" targetRef="end"/>',
        "camunda:errorCodeVariable is not supported"),
    "unknown extension": ('<bpmn:task id="first">' + ext("<camunda:somethingNew/>") + "</bpmn:task>",
                          "camunda:somethingNew is not supported: remove it"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_behaviour_changing_extensions_are_refused_by_element(name: str) -> None:
    body, fragment = REFUSED[name]
    problems = check_bundle(Bundle(bpmn=(HEAD + "    " + body + "\n" + TAIL).encode(), filename="t.bpmn"))
    found = [p for p in problems if p.severity == "error" and fragment in p.message]
    assert found, [p.message for p in problems]
    assert found[0].element in ("first", "caught") and found[0].line > 0


def test_job_executor_settings_are_ignored() -> None:
    body = '<bpmn:task id="first" camunda:asyncBefore="true" camunda:exclusive="false" camunda:jobPriority="5"/>'
    problems = check_bundle(Bundle(bpmn=(HEAD + "    " + body + "\n" + TAIL).encode(), filename="t.bpmn"))
    assert not has_errors(problems), problems
