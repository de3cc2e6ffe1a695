"""Behaviours a BPMN file names by property: `docket check` and deploy refuse an unknown casework, rule or stage
with the element id and the property's line; step rules run at their step's moments; date helpers reach the
sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT, deploy_file

from engine.access import Actor
from engine.cli import main
from engine.definitions.bundle import Bundle
from engine.errors import Invalid
from engine.instances import start_case
from engine.runtime import Runtime
from engine.tasks import complete_task

PROPOSALS = ROOT / "processes" / "proposals" / "proposals.bpmn"
SPIFF = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_check_names_the_element_and_line_of_an_unknown_rule_stage_or_casework(tmp_path: Path) -> None:
    text = PROPOSALS.read_text(encoding="utf-8")
    text = text.replace('name="rule" value="proposal_reply"', 'name="rule" value="proposal_replies"')
    text = text.replace('name="stage" value="closing"', 'name="stage" value="finished"')
    bad = tmp_path / "proposals.bpmn"
    bad.write_text(text, encoding="utf-8")
    (tmp_path / "forms").symlink_to(PROPOSALS.parent / "forms")
    (tmp_path / "templates").symlink_to(PROPOSALS.parent / "templates")
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    rule_line, stage_line = _line(text, "proposal_replies"), _line(text, 'value="finished"')
    assert f"{bad}:{rule_line} draft_reply rule 'proposal_replies' is unknown" in lines[0]
    assert any(line.startswith(f"{bad}:{stage_line} close_proposal stage 'finished'") for line in lines)

    unknown = PROPOSALS.read_text(encoding="utf-8").replace('name="casework" value="proposals"',
                                                            'name="casework" value="proposal"')
    bad.write_text(unknown, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    casework_line = _line(unknown, 'value="proposal"')
    assert f"{bad}:{casework_line} proposals casework 'proposal' is unknown" in result.output


def _small(rule: str = "proposal_rating", casework: str = "") -> Bundle:
    process_props = f'<spiffworkflow:property name="casework" value="{casework}"/>' if casework else ""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" {SPIFF} id="d" targetNamespace="t">
  <bpmn:process id="small" isExecutable="true">
    <bpmn:extensionElements><spiffworkflow:properties>{process_props}
      <spiffworkflow:property name="starters" value="delegate"/></spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ask"/>
    <bpmn:userTask id="ask" name="Ask">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateUsers" value="=initiator"/>
        <spiffworkflow:property name="rule" value="{rule}"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="due"/>
    <bpmn:scriptTask id="due"><bpmn:script>until = due_after(3, "workdays", "2026-06-08")
day = workdays_after("2026-06-08", 3)
last = end_of_day(days_after(day, 1))</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="due" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
    return Bundle(bpmn=xml.encode("utf-8"), filename="small.bpmn")


def test_deploy_refuses_an_unknown_rule_and_nothing_is_deployed(api: Any, people: dict[str, Actor]) -> None:
    bpmn = _small(rule="no_such_rule").bpmn
    res = api.post("/api/v1/processes", "admin", data=bpmn, headers={"Content-Type": "application/xml"})
    assert res.status_code == 422
    [problem] = [d for d in res.get_json()["error"]["details"] if "no_such_rule" in d["message"]]
    assert problem["element"] == "ask" and problem["line"] == _line(bpmn.decode(), "no_such_rule")
    assert api.get("/api/v1/processes/small", "admin").status_code == 404


def test_a_step_rule_runs_for_any_process_and_date_helpers_reach_scripts(rt: Runtime,
                                                                         people: dict[str, Actor]) -> None:
    """A rule is found by the name the step carries, whatever the process: the proposals feature's rating rule
    does nothing for a case that is not a proposal; the script sees the date helpers."""
    deploy_file(rt, _small())
    case = start_case(rt, people["wang"], "small", {})
    done = complete_task(rt, people["wang"], case.open_task_rows[0].id, {"rating": "satisfied"})
    assert done.status == "completed"
    assert done.data["day"] == "2026-06-11"  # three working days after Monday 8 June
    assert done.data["until"] == "2026-06-11T23:59:59+08:00"
    assert done.data["last"] == "2026-06-12T23:59:59+08:00"


def test_an_unknown_casework_is_refused_at_deploy(rt: Runtime, people: dict[str, Actor]) -> None:
    with pytest.raises(Invalid) as refused:
        deploy_file(rt, _small(casework="grievances"))
    assert any("casework 'grievances' is unknown" in d["message"] for d in refused.value.details)
