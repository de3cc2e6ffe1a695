"""A step's post-script that fails puts the case in error with the message (never a 500), keeps the earlier
state, and the step can be retried after the data is fixed."""

from __future__ import annotations

from typing import Any

from conftest import deploy_file

from engine.definitions.bundle import Bundle
from engine.runtime import Runtime

XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="post" name="后置脚本" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill"/>
    <bpmn:userTask id="fill" name="填写">
      <bpmn:extensionElements>
        <spiffworkflow:properties><spiffworkflow:property name="assignee" value="=initiator"/>
        </spiffworkflow:properties>
        <spiffworkflow:postScript>share = 100 / parts</spiffworkflow:postScript>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="next"/>
    <bpmn:userTask id="next" name="下一步">
      <bpmn:extensionElements>
        <spiffworkflow:properties><spiffworkflow:property name="assignee" value="=initiator"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="next" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_failing_post_script_puts_the_case_in_error_and_can_be_retried(api: Any, rt: Runtime) -> None:
    deploy_file(rt, Bundle(bpmn=XML.encode("utf-8"), filename="post.bpmn"))
    case = api.post("/api/v1/cases", "li", json={"process": "post", "data": {}}).get_json()
    res = api.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", "li", json={"data": {"parts": 0}})
    assert res.status_code == 200, res.get_json()
    failed = res.get_json()["case"]
    assert failed["status"] == "error" and "填写 (fill)" in failed["error"] and "division by zero" in failed["error"]
    assert failed["open_tasks"] == []
    res = api.post(f"/api/v1/cases/{case['id']}/retry", "admin", json={"data": {"parts": 4}})
    retried = res.get_json()
    assert res.status_code == 200 and retried["status"] == "running", retried
    assert [t["name"] for t in retried["open_tasks"]] == ["fill"]  # the step is open again, with the fix
