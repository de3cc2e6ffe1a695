"""The checker against hostile files: dangling flows, lanes naming missing nodes, literal timers that are not
ISO 8601, duplicate ids (both lines named); and its messages in Chinese for a Chinese caller."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.definitions.bundle import Bundle
from engine.definitions.check import check_bundle

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
        'targetNamespace="https://docket.example/t">\n'
        '  <bpmn:process id="p" isExecutable="true">\n'
        '    <bpmn:startEvent id="start"/>\n')
TAIL = '    <bpmn:endEvent id="end"/>\n  </bpmn:process>\n</bpmn:definitions>\n'


def timer(value: str, kind: str = "timeDuration") -> str:
    return ('    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="wait"/>\n'
            f'    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t">'
            f"<bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n"
            '    <bpmn:sequenceFlow id="out" sourceRef="wait" targetRef="end"/>\n')


FLOWS = ('    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="work"/>\n'
         '    <bpmn:task id="work"/>\n'
         '    <bpmn:sequenceFlow id="out" sourceRef="work" targetRef="end"/>\n')
HOSTILE = {
    # name: (body, element, needle on the element's line, fragment)
    "source names nothing": (FLOWS.replace('sourceRef="work"', 'sourceRef="ghost"'), "out", 'id="out"',
                             "sequence flow starts at 'ghost', which is not an element of this process"),
    "target names nothing": (FLOWS.replace('targetRef="end"', 'targetRef="nowhere"'), "out", 'id="out"',
                             "sequence flow ends at 'nowhere', which is not an element of this process"),
    "lane names a missing node": (
        '    <bpmn:laneSet id="ls"><bpmn:lane id="staff" name="staff"><bpmn:flowNodeRef>work</bpmn:flowNodeRef>'
        "\n      <bpmn:flowNodeRef>phantom</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>\n" + FLOWS,
        "staff", "phantom", "lane lists node 'phantom', which is not in the process"),
    "duration P1X": (timer("P1X"), "wait", "P1X", "timer duration 'P1X' is not an ISO 8601 duration"),
    "quoted duration": (timer('"P3Q"'), "wait", "P3Q", "timer duration 'P3Q' is not an ISO 8601 duration"),
    "date": (timer("2026-13-45T09:00:00", "timeDate"), "wait", "2026-13-45",
             "timer date '2026-13-45T09:00:00' is not an ISO 8601 date-time"),
    "cycle": (timer("R3/PT", "timeCycle"), "wait", "R3/PT", "timer cycle 'R3/PT' is not an ISO 8601 repetition"),
    "timer expression": (timer("due_in +"), "wait", "due_in +", "timer: "),
}


def line_of(xml: str, needle: str) -> int:
    return next(n for n, text in enumerate(xml.splitlines(), 1) if needle in text)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_are_refused_on_the_element_at_fault(name: str) -> None:
    body, element, needle, fragment = HOSTILE[name]
    xml = HEAD + body + TAIL
    problems = check_bundle(Bundle(bpmn=xml.encode(), filename="hostile.bpmn"))
    found = [p for p in problems if p.severity == "error" and fragment in p.message]
    assert found, [str(p) for p in problems]
    assert found[0].element == element and found[0].line == line_of(xml, needle)
    assert not any(p.element == "start" for p in problems)  # never blamed on the start event


@pytest.mark.parametrize("value,kind", [("PT0.25S", "timeDuration"), ('"P14D"', "timeDuration"),
                                         ("2026-03-01T09:00:00+08:00", "timeDate"), ("R2/PT0.1S", "timeCycle"),
                                         ("R/2026-03-01T09:00:00Z/P1D", "timeCycle"), ("wait_for", "timeDuration")])
def test_valid_timers_pass(value: str, kind: str) -> None:
    problems = check_bundle(Bundle(bpmn=(HEAD + timer(value, kind) + TAIL).encode(), filename="ok.bpmn"))
    assert not problems, [str(p) for p in problems]


def test_duplicate_ids_are_named_with_both_lines() -> None:
    xml = HEAD + FLOWS.replace('<bpmn:task id="work"/>', '<bpmn:task id="work"/>\n    <bpmn:task id="work"/>') + TAIL
    problems = [p for p in check_bundle(Bundle(bpmn=xml.encode(), filename="dup.bpmn")) if p.code == "duplicate_id"]
    assert len(problems) == 1
    first, second = [n for n, text in enumerate(xml.splitlines(), 1) if 'id="work"' in text]
    assert problems[0].element == "work" and problems[0].line == first
    assert f"on lines {first}, {second}" in problems[0].message
    assert "form has the same ID" not in str(problems)


def run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_messages_in_chinese_for_a_chinese_caller(tmp_path: Path) -> None:
    path = tmp_path / "hostile.bpmn"
    xml = HEAD + '    <bpmn:laneSet id="ls"><bpmn:lane id="staff"><bpmn:flowNodeRef>work</bpmn:flowNodeRef>' \
        "</bpmn:lane></bpmn:laneSet>\n" + FLOWS.replace('<bpmn:task id="work"/>', '<bpmn:userTask id="work"/>') \
        .replace('targetRef="end"', 'targetRef="nowhere"') + TAIL
    path.write_text(xml, encoding="utf-8")
    code, english = run(["check", str(path)], {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""})
    assert code == 1 and "is not an element of this process" in english
    code, chinese = run(["check", str(path)], {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""})
    assert code == 1
    assert chinese.count("\n") == english.count("\n")
    assert "nowhere" in chinese and "is not an element" not in chinese
    assert "不是本流程中的元素" in chinese and "泳道" in chinese
    assert run(["check", "--lang", "zh", str(path)], {"LANG": "C.UTF-8"})[1] == chinese
    assert run(["check", "--lang", "en", str(path)], {"LANG": "zh_CN.UTF-8"})[1] == english


def test_real_command_line_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "timer.bpmn"
    path.write_text(HEAD + timer("P1X") + TAIL, encoding="utf-8")
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    done = subprocess.run([sys.executable, "-c", "from engine.cli import main; main()", "check", str(path)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=Path(__file__).parent.parent)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "'P1X'" in done.stdout and "ISO 8601" in done.stdout and "is not" not in done.stdout


def test_python_builtins_scripts_lack_are_refused() -> None:
    xml = HEAD + ('    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="work"/>\n'
                  '    <bpmn:scriptTask id="work"><bpmn:script>data = open("/etc/passwd").read()\n'
                  "names = list(locals())</bpmn:script></bpmn:scriptTask>\n"
                  '    <bpmn:sequenceFlow id="out" sourceRef="work" targetRef="end"/>\n') + TAIL
    problems = check_bundle(Bundle(bpmn=xml.encode(), filename="open.bpmn"))
    assert [(p.element, p.code, dict(p.params)["name"]) for p in problems] == [("work", "builtin_unavailable", "open")]
    assert "Python's open() is not available in scripts" in problems[0].message


def test_web_callers_read_problems_in_their_language(app: Any, api: Any) -> None:
    xml = (HEAD + FLOWS.replace('targetRef="end"', 'targetRef="nowhere"') + TAIL).encode()
    headers = {"Content-Type": "application/xml"}
    english = api.post("/api/v1/processes/check", data=xml, headers=headers).get_json()["problems"]
    assert english[0]["message"] == "sequence flow ends at 'nowhere', which is not an element of this process"
    chinese = api.post("/api/v1/processes/check", data=xml, headers={**headers, "Accept-Language": "zh-CN"})
    assert chinese.get_json()["problems"][0]["message"] == "顺序流的终点 'nowhere' 不是本流程中的元素"

    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/login", data={"username": "zhou", "password": "pw-zhou"}).status_code in (302, 303)
    page = client.post("/designer/upload", data={"action": "check", "bpmn": (io.BytesIO(xml), "hostile.bpmn")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "顺序流的终点 &#39;nowhere&#39; 不是本流程中的元素" in page and "is not an element" not in page
