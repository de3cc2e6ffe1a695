"""Shared pieces of the SLA tests: a timed process and helpers (no tests here)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from conftest import deploy_file

from engine.definitions.bundle import Bundle
from engine.models import Event, Notification, Task
from engine.runtime import Runtime

CST = ZoneInfo("Asia/Shanghai")
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">')


def _props(**props: str) -> str:
    inner = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in props.items())
    return (f"<bpmn:extensionElements><spiffworkflow:properties>{inner}</spiffworkflow:properties>"
            "</bpmn:extensionElements>")


SLA = HEAD + f"""<bpmn:process id="sla_demo" name="督办测试" isExecutable="true">
{_props(remindBeforeDays="2", remindEveryDays="1", escalateAfterDays="2", escalateTo="supervisor",
        escalateAgainAfterDays="5", escalateAgainTo="presidium", businessKeyPrefix="SLA-")}
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="handle"/>
<bpmn:userTask id="handle" name="承办答复">{_props(candidateGroups="committee", dueIn="P10D", calendar="workdays",
                                                  extensionMax="P5D", lockAfterDue="true")}</bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="rate"/>
<bpmn:userTask id="rate" name="评价答复">{_props(assignee="=initiator", dueIn="P3D")}</bpmn:userTask>
<bpmn:sequenceFlow id="f3" sourceRef="rate" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process></bpmn:definitions>"""

APPEAL = HEAD + f"""<bpmn:process id="appeal_filing" name="申诉" isExecutable="true">
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="file"/>
<bpmn:userTask id="file" name="提出复核">{_props(candidateUsers="=initiator", dueIn="P30D",
                                              dueFrom="sanction.known_on")}</bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="file" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process></bpmn:definitions>"""

TIMER = HEAD + """<bpmn:process id="timer_wait" isExecutable="true">
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration>
</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after"/>
<bpmn:userTask id="after" name="After">""" + _props(candidateGroups="committee") + """</bpmn:userTask>
<bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process></bpmn:definitions>"""


def deploy_xml(rt: Runtime, xml: str, name: str) -> object:
    return deploy_file(rt, Bundle(bpmn=xml.encode(), filename=f"{name}.bpmn"))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def open_tasks(rt: Runtime, case_id: int) -> list[Task]:
    with rt.reading() as s:
        return list(s.scalars(sa.select(Task).where(Task.case_id == case_id, Task.state.in_(("open", "claimed")))))


def events(rt: Runtime, kind: str) -> list[Event]:
    with rt.reading() as s:
        return list(s.scalars(sa.select(Event).where(Event.kind == kind).order_by(Event.id)))


def notes(rt: Runtime, username: str, kind: str) -> list[Notification]:
    with rt.reading() as s:
        return list(s.scalars(sa.select(Notification).where(Notification.username == username,
                                                             Notification.kind == kind).order_by(Notification.id)))
