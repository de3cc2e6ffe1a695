"""What the SLA notifications and the overdue chart say: a reminder's title follows the task's state when it is
sent, the two escalation levels read differently and reach a person once per round, the chart's gridlines carry
their own values and nothing is drawn outside the picture."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from conftest import sign_in
from test_sla_common import HEAD, SLA, _props, deploy_xml, events, local, notes, open_tasks

from engine.clock import clock
from engine.instances import start_case
from engine.runtime import Runtime
from engine.sla.charts import line_chart
from engine.sla.reminders import run_due

SVG = "{http://www.w3.org/2000/svg}"
ESCALATING = HEAD + f"""<bpmn:process id="sla_escalating" name="督办升级测试" isExecutable="true">
{_props(remindBeforeDays="0", remindEveryDays="0", escalateAfterDays="3", escalateTo="supervisor",
        escalateAgainAfterDays="7", escalateAgainTo="admin", businessKeyPrefix="ESC-")}
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="handle"/>
<bpmn:userTask id="handle" name="承办答复">{_props(candidateGroups="committee", dueIn="P2D")}</bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process></bpmn:definitions>"""


def _said(rt: Runtime, user: str) -> list[tuple[str, str, str]]:
    """(kind, title, body) of the user's SLA notifications, oldest first."""
    return [(n.kind, n.title, n.body or "") for kind in ("sla_reminder", "sla_overdue", "sla_escalation")
            for n in notes(rt, user, kind)]


def test_a_reminder_says_due_soon_before_the_deadline_and_overdue_after_it(rt: Runtime, people: dict,
                                                                           web: Any) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {"title": "食堂价格"})  # due 2026-10-16 23:59, committee
    about = f"「承办答复」：{case.business_key}：食堂价格"
    seen = 0
    for when, kind, title, body in (
            (local(2026, 10, 14, 9, 30), "sla_reminder", "即将到期" + about,
             "将于 2026-10-16 23:59 到期（剩余 2 天 14 小时），请及时办理。"),
            (local(2026, 10, 16, 9, 30), "sla_reminder", "即将到期" + about,
             "将于今天 23:59 到期（剩余 14 小时），请及时办理。"),
            (local(2026, 10, 17, 0, 30), "sla_overdue", "已逾期" + about,
             "已于 2026-10-16 23:59 到期，现已逾期，请尽快办理。"),
            (local(2026, 10, 17, 9, 30), "sla_reminder", "已逾期 9 小时" + about,
             "已逾期 9 小时（期限 2026-10-16 23:59），请尽快办理。"),
            (local(2026, 10, 19, 9, 30), "sla_reminder", "已逾期 2 天" + about,
             "已逾期 2 天 9 小时（期限 2026-10-16 23:59），请尽快办理。")):
        clock.freeze(when)
        run_due(rt)
        said = [(k, t, b) for k, t, b in _said(rt, "zhao") if k != "sla_escalation"]
        assert len(said) == seen + 1 and (kind, title, body) in said
        seen += 1
    sign_in(web, "zhao")
    page = web.get("/notifications/").get_data(as_text=True)
    assert "已逾期 2 天" + about in page and "已超期" not in page


def test_after_downtime_the_reminder_of_a_long_overdue_task_says_how_late_it_is(rt: Runtime,
                                                                                people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {})
    clock.freeze(local(2026, 10, 31, 10, 0))  # nothing ran since: 14 days and 10 hours late
    run_due(rt)
    said = _said(rt, "zhao")
    about = f"「承办答复」：{case.business_key}"
    assert ("sla_reminder", "已逾期 14 天" + about,
            "已逾期 14 天 10 小时（期限 2026-10-16 23:59），请尽快办理。") in said
    assert ("sla_overdue", "已逾期" + about,
            "已于 2026-10-16 23:59 到期，现已逾期 14 天 10 小时，请尽快办理。") in said
    assert not [t for _k, t, _b in said if "即将到期" in t or "已超期" in t]


def test_the_second_escalation_reads_differently_from_the_first(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, ESCALATING, "escalating")
    clock.freeze(local(2026, 10, 12, 10, 0))
    case = start_case(rt, people["wang"], "sla_escalating", {})  # due 10-14 23:59
    about = f"「承办答复」：{case.business_key}"
    clock.freeze(local(2026, 10, 18, 0, 30))
    run_due(rt)
    first = ("sla_escalation", "督办升级" + about, "已逾期 3 天 0 小时（期限 2026-10-14 23:59），请督办。")
    assert [s for s in _said(rt, "sun") if s[0] == "sla_escalation"] == [first]
    clock.freeze(local(2026, 10, 22, 0, 30))
    run_due(rt)
    second = ("sla_escalation", "再次督办升级" + about, "已逾期 7 天 0 小时（期限 2026-10-14 23:59），请督办。")
    assert [s for s in _said(rt, "admin") if s[0] == "sla_escalation"] == [first, second]
    assert [s for s in _said(rt, "sun") if s[0] == "sla_escalation"] == [first]


def test_both_escalations_due_at_once_reach_each_person_once(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, ESCALATING, "escalating")
    clock.freeze(local(2026, 10, 12, 10, 0))
    case = start_case(rt, people["wang"], "sla_escalating", {})
    clock.freeze(local(2026, 10, 28, 10, 0))  # after a long stop: both levels are due in one round
    run_due(rt)
    about = f"「承办答复」：{case.business_key}"
    assert [t for k, t, _b in _said(rt, "admin") if k == "sla_escalation"] == ["再次督办升级" + about]
    assert [t for k, t, _b in _said(rt, "sun") if k == "sla_escalation"] == ["督办升级" + about]
    levels = {e.data["level"]: e.data["recipients"] for e in events(rt, "task_escalated")}
    assert levels == {1: ["sun"], 2: ["admin"]}
    assert {e.task_id for e in events(rt, "task_escalated")} == {open_tasks(rt, case.id)[0].id}


def _width(text: str, size: float) -> float:
    """A generous guess at a text's drawn width (digits and Latin about 0.6 em, CJK a full em)."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _check_chart(svg: str) -> list[int]:
    """Assert the line chart's gridlines are labelled with the value their height stands for and that every
    element lies inside the viewBox; returns the gridline values."""
    root = ET.fromstring(svg)
    _x0, _y0, width, height = (float(v) for v in root.get("viewBox").split())
    circles = [(float(c.get("cy")), int(c.find(f"{SVG}title").text.rsplit(": ", 1)[1]))
               for c in root.iter(f"{SVG}circle")]
    (y_low, v_low), (y_high, v_high) = min(circles, key=lambda c: c[1]), max(circles, key=lambda c: c[1])
    per_unit = (y_low - y_high) / (v_high - v_low)  # pixels per count, read off the data points

    grid = [float(line.get("y1")) for line in root.iter(f"{SVG}line")]
    ticks = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert len(grid) == len(ticks) >= 2
    values = []
    for y, tick in zip(grid, ticks, strict=True):
        assert re.fullmatch(r"\d+", tick.text), tick.text  # integers only
        value = int(tick.text)
        assert abs(float(tick.get("y")) - 4 - y) < 0.01  # the label sits on its gridline
        assert abs(y_low - (value - v_low) * per_unit - y) < 0.15  # and names the value drawn at that height
        values.append(value)
    assert values == sorted(values) and values[0] == 0 and values[-1] >= v_high

    for line in root.iter(f"{SVG}line"):
        for x in (line.get("x1"), line.get("x2")):
            assert 0 <= float(x) <= width
    for cy, _v in circles:
        assert 0 <= cy <= height
    for shape in (*root.iter(f"{SVG}polyline"), *root.iter(f"{SVG}polygon")):
        for pair in shape.get("points").split():
            x, y = (float(v) for v in pair.split(","))
            assert 0 <= x <= width and 0 <= y <= height
    for text in root.iter(f"{SVG}text"):
        size, x, y = float(text.get("font-size")), float(text.get("x")), float(text.get("y"))
        w = _width(text.text, size)
        start = {"end": x - w, "middle": x - w / 2}.get(text.get("text-anchor"), x)
        assert 0 <= start and start + w <= width, (text.text, start, start + w, width)
        assert y - size >= 0 and y + size * 0.25 <= height
    return values


@pytest.mark.parametrize("most", [1, 2, 3, 5, 7, 10, 37])
@pytest.mark.parametrize("width", [420, 560])
def test_the_chart_labels_its_gridlines_with_their_own_values(most: int, width: int) -> None:
    days = [f"{11 if d < 27 else 12}-{(d + 4 if d < 27 else d - 26):02d}" for d in range(30)]  # 11-04 … 12-03
    counts = [round(most * i / 29) for i in range(30)]
    values = _check_chart(line_chart(list(zip(days, counts, strict=True)), "逾期趋势", width=width))
    assert values[-1] == {1: 1, 2: 2, 3: 3, 5: 5, 7: 8, 10: 10, 37: 40}[most]
    assert 2 <= len(values) <= 6


def test_the_board_chart_keeps_its_labels_inside(rt: Runtime, people: dict, web: Any) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    for _ in range(2):
        start_case(rt, people["wang"], "sla_demo", {})
    clock.freeze(local(2026, 10, 30, 10, 0))
    sign_in(web, "sun")
    page = web.get("/supervision/").get_data(as_text=True)
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)
    assert _check_chart(svg) == [0, 1, 2]
    assert ">10-30</text>" in svg  # the last day is labelled


def test_english_pages_word_each_sla_notice_by_what_it_says(rt: Runtime, people: dict, web: Any) -> None:
    deploy_xml(rt, ESCALATING, "escalating")
    clock.freeze(local(2026, 10, 12, 10, 0))
    start_case(rt, people["wang"], "sla_escalating", {})  # due 10-14 23:59
    for when in (local(2026, 10, 18, 0, 30), local(2026, 10, 22, 0, 30)):
        clock.freeze(when)
        run_due(rt)
    sign_in(web, "admin")
    page = web.get("/notifications/?lang=en").get_data(as_text=True)
    assert "Escalated: “承办答复” is overdue" in page and "Escalated again: “承办答复” is still overdue" in page
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    start_case(rt, people["wang"], "sla_demo", {})
    clock.freeze(local(2026, 10, 14, 9, 30))
    run_due(rt)
    clock.freeze(local(2026, 10, 31, 10, 0))
    run_due(rt)
    sign_in(web, "zhao")
    page = web.get("/notifications/?lang=en").get_data(as_text=True)
    for words in ("Due soon: “承办答复” is due at 2026-10-16 23:59", "Overdue: “承办答复” was due at 2026-10-16 23:59",
                  "Still overdue: “承办答复” was due at 2026-10-16 23:59"):
        assert words in page
    assert "is due at 2026-10-16 23:59" not in page.split("Due soon:")[0]  # nothing overdue says "is due"
