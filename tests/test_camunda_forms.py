"""Camunda Modeler's generated forms (camunda:formData) become Docket forms that validate submissions."""

from __future__ import annotations

from typing import Any

from engine.definitions.bundle import Bundle

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="leave" name="Leave" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="apply"/>
    <bpmn:userTask id="apply" name="申请" camunda:candidateGroups="committee">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="days" label="天数" type="long">
          <camunda:validation><camunda:constraint name="required"/><camunda:constraint name="min" config="1"/>
          <camunda:constraint name="max" config="30"/></camunda:validation>
        </camunda:formField>
        <camunda:formField id="kind" label="类别" type="enum">
          <camunda:value id="annual" name="年假"/><camunda:value id="sick" name="病假"/>
        </camunda:formField>
        <camunda:formField id="urgent" label="加急" type="boolean" defaultValue="false"/>
        <camunda:formField id="start" label="开始日期" type="date"/>
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_generated_form_is_deployed_and_validates(api: Any) -> None:
    res = api.post("/api/v1/processes", data=BPMN.encode(), headers={"Content-Type": "application/xml"})
    assert res.status_code == 201, res.get_json()
    case = api.post("/api/v1/cases", "zhao", json={"process": "leave"}).get_json()
    task = case["open_tasks"][0]
    assert task["form"] == "apply"
    schema = api.get(f"/api/v1/tasks/{task['id']}", "zhao").get_json()["schema"]
    assert schema["required"] == ["days"]
    assert schema["properties"]["days"] == {"type": "integer", "title": "天数", "minimum": 1, "maximum": 30}
    assert schema["properties"]["kind"]["x-enum-labels"] == {"annual": "年假", "sick": "病假"}
    assert schema["properties"]["start"]["format"] == "date"
    bad = api.post(f"/api/v1/tasks/{task['id']}/complete", "zhao", json={"data": {"days": 45, "kind": "x"}})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.get_json()["error"]["details"]} == {"days", "kind"}
    ok = api.post(f"/api/v1/tasks/{task['id']}/complete", "zhao",
                  json={"data": {"days": 3, "kind": "annual", "urgent": True, "start": "2026-12-01"}})
    assert ok.status_code == 200 and ok.get_json()["case"]["status"] == "completed"


def test_a_form_file_wins_over_generated_fields(api: Any) -> None:
    own = {"type": "object", "properties": {"note": {"type": "string", "title": "备注"}}}
    bundle = Bundle(bpmn=BPMN.encode(), forms={"apply": own})
    bundle.add_generated_forms()
    assert bundle.forms["apply"] is own
