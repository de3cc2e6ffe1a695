"""Deploying through the HTTP API: the checker guards it, versions follow content, cases stay on their version."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "bpmn" / "check"
XML = {"Content-Type": "application/xml"}

TRAVEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="https://docket.example/t">
  <bpmn:process id="travel" name="Travel request" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="Lane_staff" name="staff">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="group" value="delegate"/>
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>submit</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="submit"/>
    <bpmn:userTask id="submit" name="SUBMIT_TITLE">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="travel-form"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="approve"/>
    <bpmn:userTask id="approve" name="Approve">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="committee"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
FORM = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Travel", "type": "object",
        "required": ["destination"], "properties": {"destination": {"type": "string", "title": "Destination"}}}


def travel(title: str = "Submit the request") -> bytes:
    return TRAVEL.replace("SUBMIT_TITLE", title).encode()


def line_of(xml: bytes, needle: str) -> int:
    return next(n for n, text in enumerate(xml.decode().splitlines(), 1) if needle in text)


def upload(api: Any, bpmn: bytes, forms: dict[str, Any] | None = None, user: str = "admin",
           path: str = "/api/v1/processes") -> Any:
    """POST a multipart bundle: the BPMN as ``file`` and each form as a ``forms`` part."""
    data: dict[str, Any] = {"file": (io.BytesIO(bpmn), "travel.bpmn")}
    data["forms"] = [(io.BytesIO(json.dumps(form).encode()), f"{key}.json") for key, form in (forms or {}).items()]
    return api.post(path, user, data=data, content_type="multipart/form-data")


def processes(api: Any) -> list[dict]:
    res = api.get("/api/v1/processes")
    assert res.status_code == 200
    return res.get_json()


def test_invalid_bpmn_is_refused_with_element_and_line(api: Any) -> None:
    before = processes(api)
    bad = travel().replace(b'<bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end"/>',
                           b'<bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end"/>\n'
                           b'    <bpmn:serviceTask id="mailer"/>')
    res = upload(api, bad, {"travel-form": FORM})
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["details"] == [{"element": "mailer", "line": line_of(bad, 'id="mailer"'), "severity": "error",
                                 "message": "the service task names no connector: use spiffworkflow:serviceTaskOperator"
                                            ' id="<connector>" or camunda:type="external" camunda:topic='
                                            '"<connector>"'}]
    res = api.post("/api/v1/processes", data=travel(), headers=dict(XML))  # raw XML: the form is not given
    assert res.status_code == 422
    [detail] = res.get_json()["error"]["details"]
    assert detail["element"] == "submit" and detail["line"] == line_of(travel(), 'id="submit"')
    assert "unknown form key 'travel-form'" in detail["message"]
    res = api.post("/api/v1/processes", data=b"<bpmn:definitions", headers=dict(XML))
    assert res.status_code == 422
    [detail] = res.get_json()["error"]["details"]
    assert detail["line"] > 0 and detail["message"].startswith("unparseable XML")
    assert processes(api) == before
    assert api.get("/api/v1/processes/travel/versions").status_code == 404


def test_versions_follow_the_content(api: Any) -> None:
    first = upload(api, travel(), {"travel-form": FORM})
    assert first.status_code == 201, first.get_json()
    assert first.get_json() | {"warnings": []} == {"key": "travel", "version": 1, "created": True, "warnings": []}

    again = upload(api, travel(), {"travel-form": FORM})
    assert again.status_code == 200
    assert (again.get_json()["version"], again.get_json()["created"]) == (1, False)

    changed = upload(api, travel("Describe the trip"), {"travel-form": FORM})
    assert changed.status_code == 201
    assert (changed.get_json()["version"], changed.get_json()["created"]) == (2, True)

    new_form = {**FORM, "properties": {**FORM["properties"], "nights": {"type": "integer", "title": "Nights"}}}
    form_changed = upload(api, travel("Describe the trip"), {"travel-form": new_form})
    assert form_changed.status_code == 201
    assert form_changed.get_json()["version"] == 3

    unreferenced = upload(api, travel("Describe the trip"), {"travel-form": new_form, "other": FORM})
    assert unreferenced.status_code == 200  # a form the process does not use is not part of its content
    assert (unreferenced.get_json()["version"], unreferenced.get_json()["created"]) == (3, False)

    versions = api.get("/api/v1/processes/travel/versions").get_json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert len({v["hash"] for v in versions}) == 3
    assert [p["version"] for p in processes(api) if p["key"] == "travel"] == [3]
    assert b"Describe the trip" not in api.get("/api/v1/processes/travel/bpmn?version=1").data


def test_case_stays_pinned_to_its_version(api: Any) -> None:
    assert upload(api, travel(), {"travel-form": FORM}).status_code == 201
    started = api.post("/api/v1/cases", "wang", json={"process": "travel", "data": {"title": "Conference"}})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    assert case["version"] == 1

    assert upload(api, travel("Describe the trip"), {"travel-form": {**FORM, "required": []}}).status_code == 201
    pinned = api.get(f"/api/v1/cases/{case['id']}", "wang").get_json()
    assert pinned["version"] == 1
    [submit] = pinned["open_tasks"]
    assert submit["title"] == "Submit the request"
    refused = api.post(f"/api/v1/tasks/{submit['id']}/complete", "wang", json={"data": {}})
    assert refused.status_code == 422  # the v1 form still applies: destination is required there
    done = api.post(f"/api/v1/tasks/{submit['id']}/complete", "wang", json={"data": {"destination": "Xi'an"}})
    assert done.status_code == 200, done.get_json()
    [approve] = done.get_json()["case"]["open_tasks"]
    assert approve["name"] == "approve"
    finished = api.post(f"/api/v1/tasks/{approve['id']}/complete", "zhao", json={"data": {}})
    assert finished.get_json()["case"]["status"] == "completed"
    assert api.get(f"/api/v1/cases/{case['id']}").get_json()["version"] == 1

    newer = api.post("/api/v1/cases", "wang", json={"process": "travel", "data": {}}).get_json()
    assert newer["version"] == 2
    assert newer["open_tasks"][0]["title"] == "Describe the trip"


def test_check_endpoint_reports_without_deploying(api: Any) -> None:
    before = processes(api)
    res = upload(api, travel(), {}, path="/api/v1/processes/check")
    assert res.status_code == 200
    body = res.get_json()
    assert body["ok"] is False
    assert [(p["element"], p["line"], p["severity"]) for p in body["problems"]] == [
        ("submit", line_of(travel(), 'id="submit"'), "error")]
    lanes = travel().replace(b'value="delegate"', b'value="finance"')
    res = upload(api, lanes, {"travel-form": FORM}, path="/api/v1/processes/check")
    assert res.get_json() == {"ok": False, "problems": [
        {"element": "submit", "line": line_of(lanes, 'id="submit"'), "severity": "error",
         "message": "group 'finance' does not exist (create it or map the lane to a group)"}]}
    res = upload(api, travel(), {"travel-form": FORM}, path="/api/v1/processes/check")
    assert res.get_json() == {"ok": True, "problems": []}
    assert processes(api) == before


def test_camunda_bundle_deploys_over_http(api: Any) -> None:
    form = json.loads((HERE / "forms" / "purchase-request.json").read_text(encoding="utf-8"))
    res = upload(api, (HERE / "purchase_camunda.bpmn").read_bytes(), {"purchase-request": form})
    assert res.status_code == 201, res.get_json()
    assert (res.get_json()["key"], res.get_json()["version"]) == ("purchase", 1)


def test_only_designers_deploy(api: Any) -> None:
    before = processes(api)
    for path in ("/api/v1/processes", "/api/v1/processes/check"):
        res = upload(api, travel(), {"travel-form": FORM}, user="wang", path=path)
        assert res.status_code == 403, path
        assert res.get_json()["error"]["code"] == "forbidden"
    assert processes(api) == before
    res = upload(api, travel(), {"travel-form": FORM}, user="zhou")  # zhou is a designer, not an admin
    assert res.status_code == 201
