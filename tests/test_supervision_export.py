"""The supervisors' export holds every open task, not only the overdue and due-soon ones: each with its standing
in words, group and people names, the due time in local time."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from test_sla_api import NOW, late_cases

from engine.instances import start_case
from engine.models import Group
from engine.runtime import Runtime

__all__ = ["late_cases"]


def _login(client: Any, name: str) -> None:
    assert client.post("/login", data={"username": name, "password": f"pw-{name}"}).status_code == 302


def test_export_holds_every_open_task_by_name(web: Any, late_cases: list[Any], rt: Runtime, people: dict) -> None:
    old, late, soon = late_cases
    later = start_case(rt, people["li"], "sla_demo", {"title": "绿化"})  # due in about two weeks: on schedule
    with rt.transaction() as session:  # the test users' groups are named by their keys; give this one a name
        session.scalar(sa.select(Group).where(Group.key == "committee")).name = "提案工作委员会"
    _login(web, "sun")
    from openpyxl import load_workbook

    res = web.get("/supervision/export?format=xlsx")
    assert res.status_code == 200
    rows = list(load_workbook(io.BytesIO(res.data)).active.iter_rows(values_only=True))
    head, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert head == ("状态", "案件", "案件标题", "流程", "任务", "承办组", "承办人", "截止", "逾期天数")
    assert [r["案件"] for r in body] == [old.business_key, late.business_key, soon.business_key, later.business_key]
    assert [r["状态"] for r in body] == ["已逾期", "已逾期", "即将到期", "未到期"]
    assert body[0]["承办人"] == "Wang"  # the display name, not the username
    assert body[1]["承办组"] == "提案工作委员会"
    assert body[0]["流程"] == "督办测试" and isinstance(body[0]["截止"], datetime)
    assert body[0]["截止"] == datetime(2026, 9, 17, 23, 59)  # local (Asia/Shanghai) time
    assert body[0]["逾期天数"] == round((NOW - datetime.fromisoformat("2026-09-17T23:59:59+08:00"))
                                        .total_seconds() / 86400, 1)
    cells = [c for r in rows for c in r if isinstance(c, str) and c]
    assert not [c for c in cells if re.match(r"^[a-z_:]+$", c)]
    text = web.get("/supervision/export?format=csv&group=committee").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "状态" and len(lines) == 4  # header + the committee's three open tasks
    assert "T" not in lines[1][7]  # "2026-10-16 23:59:00", not an ISO stamp
    english = web.get("/supervision/export?format=csv&lang=en").data.decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Status,Case,")
    assert web.get("/supervision/export?format=pdf").status_code == 422
