"""``docket check``: one line per problem (file:line element message), exit 1 on any error; both dialects;
Camunda ``${...}`` conditions translated (or refused by name) and actually run."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import ADMIN, deploy_file

from engine.cli import main
from engine.definitions.bundle import Bundle, bundle_from_file
from engine.definitions.check import check_bundle, has_errors
from engine.deploy import check as check_against_db
from engine.deploy import deploy
from engine.errors import Forbidden, Invalid
from engine.instances import start_case
from engine.models import Task
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.workdays import LOCAL

HERE = Path(__file__).parent / "bpmn" / "check"
SPIFF_GOOD = HERE / "leave_spiff.bpmn"
CAMUNDA_GOOD = HERE / "purchase_camunda.bpmn"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="https://docket.example/t">
"""
GROUP = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="candidateGroups" '
         'value="committee"/></spiffworkflow:properties></bpmn:extensionElements>')


def model(body: str, executable: str = "true", after: str = "") -> str:
    """A process ``p``: start -> ``body`` (which must take flow ``in`` and end with flow ``out``) -> end."""
    return (HEAD + f'  <bpmn:process id="p" isExecutable="{executable}">\n'
            '    <bpmn:startEvent id="start"/>\n'
            '    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="first"/>\n'
            f"{body}\n"
            '    <bpmn:endEvent id="end"/>\n'
            "  </bpmn:process>\n"
            f"{after}</bpmn:definitions>\n")


def task(tid: str = "first", extra: str = GROUP, attrs: str = "", to: str = "end") -> str:
    return (f'    <bpmn:userTask id="{tid}" name="Task {tid}"{attrs}>{extra}</bpmn:userTask>\n'
            f'    <bpmn:sequenceFlow id="out_{tid}" sourceRef="{tid}" targetRef="{to}"/>')


def gateway(condition: str, flow: str = "big", extra: str = "") -> str:
    return (f'    <bpmn:exclusiveGateway id="first" default="small"/>\n'
            f'    <bpmn:sequenceFlow id="{flow}" sourceRef="first" targetRef="a">\n'
            f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"{extra}>{condition}'
            '</bpmn:conditionExpression>\n'
            "    </bpmn:sequenceFlow>\n"
            '    <bpmn:sequenceFlow id="small" sourceRef="first" targetRef="b"/>\n'
            + task("a") + "\n" + task("b"))


def script(source: str) -> str:
    return ('    <bpmn:scriptTask id="first" name="Calculate">\n'
            f"      <bpmn:script>{source}</bpmn:script>\n"
            "    </bpmn:scriptTask>\n"
            '    <bpmn:sequenceFlow id="out" sourceRef="first" targetRef="end"/>')


def line_of(xml: str, needle: str) -> int:
    """The 1-based line of the first line of ``xml`` containing ``needle``."""
    return next(n for n, text in enumerate(xml.splitlines(), 1) if needle in text)


def run_check(path: Path, *options: str) -> tuple[int, list[tuple[int, str, str]]]:
    """Exit code and (line, element, message) of each output line of ``docket check``."""
    result = CliRunner().invoke(main, ["check", *options, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    problems = []
    for out in result.output.splitlines():
        assert out.startswith(f"{path}:"), out
        line, element, message = out[len(str(path)) + 1:].split(" ", 2)
        problems.append((int(line), element, message))
    return result.exit_code, problems


LANELESS = ('  <bpmn:laneSet id="lanes">\n'
            '    <bpmn:lane id="Lane_nameless"><bpmn:flowNodeRef>first</bpmn:flowNodeRef></bpmn:lane>\n'
            "  </bpmn:laneSet>\n")
CASES: dict[str, tuple[str, str, str, str]] = {
    # name: (BPMN, element id, text that starts the element's line, message fragment)
    "unknown form key": (
        model(task(extra=GROUP.replace('name="candidateGroups" value="committee"',
                                       'name="formKey" value="no-such-form"'))),
        "first", 'id="first"', "unknown form key 'no-such-form'"),
    "lane without group": (
        model(LANELESS + task(extra="")), "Lane_nameless", 'id="Lane_nameless"', "neither a name nor a group"),
    "gateway branch without condition": (
        model(gateway("amount &gt; 10").replace('default="small"', "")), "small", 'id="small"',
        "branch of gateway 'first' has no condition"),
    "unsupported element": (
        model('    <bpmn:serviceTask id="first" name="Call the API"/>\n'
              '    <bpmn:sequenceFlow id="out" sourceRef="first" targetRef="end"/>'),
        "first", 'id="first"', "serviceTask has no runtime behaviour"),
    "script syntax error": (
        model(script("total = 1\nratio = = total")), "first", "ratio = = total", "script:"),
    "script import": (model(script("import os")), "first", "import os", "import"),
    "camunda method call": (
        model(gateway("${order.total() &gt; 1000}")), "big", "${order.total()",
        "'(' call of method 'order.total'"),
    "camunda ternary": (model(gateway("${vip ? 1 : 0}")), "big", "${vip ?", "ternary '?:'"),
    "condition syntax error": (model(gateway("amount &gt;")), "big", "amount &gt;<", "condition:"),
    "condition language": (
        model(gateway("amount &gt; 10", extra=' language="http://groovy.codehaus.org/"')), "big",
        "amount &gt; 10", "condition language 'http://groovy.codehaus.org/' is not supported"),
    "not executable": (model(task(), executable="false"), "p", 'id="p"', "process is not executable"),
    "recursive call": (
        model('    <bpmn:callActivity id="first" calledElement="p"/>\n'
              '    <bpmn:sequenceFlow id="out" sourceRef="first" targetRef="end"/>'),
        "first", 'id="first"', "calling 'p' from 'p' is recursive"),
    "timer without time": (
        model('    <bpmn:intermediateCatchEvent id="first"><bpmn:timerEventDefinition id="t"/>'
              "</bpmn:intermediateCatchEvent>\n"
              '    <bpmn:sequenceFlow id="out" sourceRef="first" targetRef="end"/>'),
        "first", 'id="first"', "timer has no date, duration or cycle"),
    "decision missing": (
        model('    <bpmn:businessRuleTask id="first" camunda:decisionRef="fees"/>\n'
              '    <bpmn:sequenceFlow id="out" sourceRef="first" targetRef="end"/>'),
        "first", 'id="first"', "decision 'fees' is not in any DMN file"),
    "bad dueIn": (
        model(task(extra=GROUP.replace("</spiffworkflow:properties>",
                                       '<spiffworkflow:property name="dueIn" value="3 days"/>'
                                       "</spiffworkflow:properties>"))),
        "first", 'id="first"', "dueIn '3 days' is not an ISO 8601 duration"),
    "camunda assignment with a method call": (
        model(task(extra="", attrs=' camunda:candidateGroups="${groups.lookup()}"')), "first", 'id="first"',
        "method 'groups.lookup'"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_problem_is_named_with_its_element_and_line(tmp_path: Path, name: str) -> None:
    xml, element, needle, fragment = CASES[name]
    path = tmp_path / "model.bpmn"
    path.write_text(xml, encoding="utf-8")
    code, problems = run_check(path)
    assert code == 1, problems
    found = [p for p in problems if p[1] == element and fragment in p[2]]
    assert found, f"no problem on {element} with {fragment!r}: {problems}"
    assert found[0][0] == line_of(xml, needle) > 0


def test_unparseable_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.bpmn"
    path.write_text(HEAD + '  <bpmn:process id="p" isExecutable="true">\n    <bpmn:startEvent id="s">\n'
                    "  </bpmn:process>\n</bpmn:definitions>\n", encoding="utf-8")
    code, problems = run_check(path)
    assert code == 1
    assert len(problems) == 1
    line, element, message = problems[0]
    assert line == 8 and element == "-" and message.startswith("unparseable XML")


def test_groups_option_checks_lane_and_candidate_groups(tmp_path: Path) -> None:
    lanes = ('  <bpmn:laneSet id="lanes">\n'
             '    <bpmn:lane id="Lane_finance" name="finance"><bpmn:flowNodeRef>second</bpmn:flowNodeRef></bpmn:lane>\n'
             "  </bpmn:laneSet>\n")
    xml = model(lanes + task("first", to="second") + "\n" + task("second", extra=""))
    path = tmp_path / "groups.bpmn"
    path.write_text(xml, encoding="utf-8")
    assert run_check(path) == (0, [])  # without --groups, group names are not checked
    code, problems = run_check(path, "--groups", "delegate")
    assert code == 1
    assert (line_of(xml, 'id="first"'), "first", "group 'committee' does not exist (create it or map the lane "
            "to a group)") in problems
    assert any(p[:2] == (line_of(xml, 'id="second"'), "second") and "'finance'" in p[2] for p in problems)


def test_warning_alone_does_not_fail(tmp_path: Path) -> None:
    path = tmp_path / "nolane.bpmn"
    xml = model(task(extra=""))
    path.write_text(xml, encoding="utf-8")
    code, problems = run_check(path)
    assert code == 0
    assert problems == [(line_of(xml, 'id="first"'), "first",
                         "warning: user task has no lane or candidate groups: only administrators can do it")]


@pytest.mark.parametrize("path", [SPIFF_GOOD, CAMUNDA_GOOD], ids=["spiff", "camunda"])
def test_good_files_of_both_dialects_pass(path: Path) -> None:
    assert run_check(path) == (0, [])
    assert run_check(path, "--groups", "delegate,committee,presidium,supervisor,dept:hr") == (0, [])


def test_real_command_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    xml = model(gateway("${order.total() &gt; 1000}"))
    bad.write_text(xml, encoding="utf-8")
    cmd = [sys.executable, "-c", "from engine.cli import main; main()", "check", str(CAMUNDA_GOOD), str(bad)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [out] = done.stdout.splitlines()
    assert out.startswith(f"{bad}:{line_of(xml, '${order.total()')} big condition '${{order.total() > 1000}}': ")
    assert "method 'order.total'" in out


def test_dmn_file_on_its_own(tmp_path: Path) -> None:
    path = tmp_path / "fees.dmn"
    path.write_text('<?xml version="1.0"?>\n<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
                    'id="d" name="D" namespace="x">\n  <decision id="fees" name="Fees">\n'
                    '    <literalExpression id="le"><text>1</text></literalExpression>\n  </decision>\n'
                    "</definitions>\n", encoding="utf-8")
    code, problems = run_check(path)
    assert code == 1
    assert problems == [(3, "fees", "decision has no decision table (literal expressions, contexts and invocations "
                                    "are not supported)")]


def test_camunda_attributes_are_read() -> None:
    bundle = bundle_from_file(CAMUNDA_GOOD)
    assert not has_errors(check_bundle(bundle, {"delegate", "committee", "presidium", "supervisor"}))
    problems = check_bundle(bundle, {"delegate"})
    assert {(p.element, p.message) for p in problems} == {
        ("committee_review", "group 'committee' does not exist (create it or map the lane to a group)"),
        ("committee_review", "group 'presidium' does not exist (create it or map the lane to a group)"),
        ("quick_check", "group 'supervisor' does not exist (create it or map the lane to a group)"),
    }


def test_database_groups_guard_deploy(rt: Runtime, people: dict) -> None:
    xml = model('  <bpmn:laneSet id="lanes">\n'
                '    <bpmn:lane id="Lane_fin" name="finance"><bpmn:flowNodeRef>first</bpmn:flowNodeRef></bpmn:lane>\n'
                "  </bpmn:laneSet>\n" + task(extra=""))
    bundle = Bundle(bpmn=xml.encode(), filename="finance.bpmn")
    with rt.reading() as session:
        problems = check_against_db(session, bundle)
    assert [(p.element, p.line, p.message) for p in problems] == [
        ("first", line_of(xml, 'id="first"'), "group 'finance' does not exist (create it or map the lane to a group)")]
    with pytest.raises(Invalid) as refused, rt.transaction() as session:
        deploy(session, ADMIN, bundle)
    assert refused.value.details[0]["element"] == "first"


def _open_tasks(rt: Runtime, case_id: int) -> list[Task]:
    with rt.reading() as session:
        return list(session.scalars(sa.select(Task).where(Task.case_id == case_id,
                                                          Task.state.in_(("open", "claimed")))))


def _purchase(rt: Runtime, people: dict, data: dict[str, Any]) -> Task:
    case = start_case(rt, people["wang"], "purchase", {"title": "Laptops"})
    assert case.business_key.startswith("PUR-")  # businessKeyPrefix from camunda:properties
    [request] = _open_tasks(rt, case.id)
    assert request.name == "request" and request.form_key == "purchase-request"
    assert request.candidate_groups == ["delegate"]
    assert request.due_at == datetime(2030, 1, 15, 4, 0, tzinfo=UTC)  # camunda:dueDate, +08:00
    complete_task(rt, people["wang"], request.id, data)
    [after] = _open_tasks(rt, case.id)
    return after


def test_camunda_file_runs_to_the_branch_its_condition_selects(rt: Runtime, people: dict) -> None:
    definition = deploy_file(rt, bundle_from_file(CAMUNDA_GOOD))
    assert (definition.key, definition.version) == ("purchase", 1)
    with pytest.raises(Forbidden):  # camunda:candidateStarterGroups="delegate"
        start_case(rt, people["chen"], "purchase", {})

    review = _purchase(rt, people, {"amount": 5000, "approved": True, "review_by": "2030-02-01"})
    assert review.name == "committee_review"
    assert review.candidate_groups == ["committee", "presidium"]
    assert review.candidate_users == ["sun"]
    assert review.due_at == datetime(2030, 2, 1, 23, 59, 59, tzinfo=LOCAL)  # camunda:dueDate="${review_by}"
    complete_task(rt, people["zhao"], review.id, {})

    for data in ({"amount": 5000, "approved": False}, {"amount": 500, "approved": True}):
        check = _purchase(rt, people, data)
        assert check.name == "quick_check", data
        assert check.candidate_groups == ["supervisor"]
        assert (check.assignee, check.state) == ("wang", "claimed")  # camunda:assignee="${initiator}"
        assert check.due_at is not None and check.created_at + timedelta(days=2) < check.due_at \
            <= check.created_at + timedelta(days=4)  # dueIn P3D from camunda:properties


def test_spiff_file_runs(rt: Runtime, people: dict) -> None:
    deploy_file(rt, SPIFF_GOOD)
    case = start_case(rt, people["wang"], "leave_request", {"title": "Holiday"})
    [apply] = _open_tasks(rt, case.id)
    assert apply.candidate_users == ["wang"] and apply.form_key == "leave-apply"
    complete_task(rt, people["wang"], apply.id, {"days": 5})
    [approve] = _open_tasks(rt, case.id)
    assert approve.name == "approve" and approve.candidate_groups == ["dept:hr"]
    short = start_case(rt, people["wang"], "leave_request", {"title": "Half a day"})
    done = complete_task(rt, people["wang"], _open_tasks(rt, short.id)[0].id, {"days": 1})
    assert done.status == "completed"
    assert done.data["approved"] is True


REVIEWS = HEAD + """  <bpmn:process id="reviews" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="Review" camunda:assignee="${reviewer}">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="${reviewers}"
          camunda:elementVariable="reviewer"/>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="out" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_camunda_multi_instance_runs_once_per_element(rt: Runtime, people: dict) -> None:
    bundle = Bundle(bpmn=REVIEWS.encode(), filename="reviews.bpmn")
    assert not has_errors(check_bundle(bundle))
    deploy_file(rt, bundle)
    case = start_case(rt, people["admin"], "reviews", {"reviewers": ["zhao", "qian"]})
    for reviewer in ("zhao", "qian"):
        [review] = _open_tasks(rt, case.id)
        assert (review.name, review.assignee, review.state) == ("review", reviewer, "claimed")
        case = complete_task(rt, people[reviewer], review.id, {})
    assert case.status == "completed"
    assert case.data["reviewers"] == ["zhao", "qian"]
