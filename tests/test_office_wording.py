"""What the administration pages say: the change history in labels and names (never a recorded key or JSON),
a congress's groups named once, its periods as a number and a unit (stored as before), session dates as the
office set them, the sign-in locks under the admin tabs, and the demo's people in their units."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from conftest import HERE, Api, deploy_file, sign_in
from flask_babel import force_locale
from test_api import REGISTER

from engine.access import ADMIN as ADMIN_GROUP
from engine.access import Actor
from engine.clock import utcnow
from engine.congress.congresses import get_congress
from engine.demo_people import UNITS as PEOPLE_UNITS
from engine.demo_people import USERS as DEMO_PEOPLE
from engine.demo_people import ensure_people
from engine.office.audit import ADMIN_KINDS, audit
from engine.office.demo import STAFF_UNITS, ensure_units
from engine.office.demo import UNITS as DEMO_UNITS
from engine.runtime import Runtime
from engine.users import find_user
from webui.admin.history import FIELD_LABELS

ADMIN = Actor("admin", frozenset({ADMIN_GROUP}))
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")  # how a recorded field's key looks


@pytest.fixture
def app(form_app: Any, people: dict) -> Any:
    return form_app


@pytest.fixture
def web(app: Any) -> Any:
    """``web(user)``: a client signed in as ``user`` through the sign-in form."""
    return lambda user: sign_in(app.test_client(), user)


@pytest.fixture
def api(app: Any) -> Api:
    return Api(app.test_client())


def words(app: Any, text: Any) -> str:
    """A lazy string as a Chinese page shows it."""
    with app.test_request_context(), force_locale("zh_CN"):
        return str(text)


def visible(page: str) -> str:
    """The text a reader sees: no tags, hidden inputs or attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def history_table(client: Any, query: str = "") -> str:
    page = client.get(f"/admin/history{query}").get_data(as_text=True)
    start = page.index('<table class="list history" id="history">')
    return page[start:page.index("</table>", start)]


def upload(api: Any, path: str, name: str, data: bytes) -> Any:
    return api.post(path, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def change_everything(rt: Runtime, api: Api, web: Any) -> None:
    """One change of every kind the history records, through the API and the pages."""
    admin = web("admin")
    admin.post("/admin/units", data={"name": "图书馆", "key": "library", "kind": "department"})
    admin.post("/admin/units/library", data={"name": "图书馆（档案馆）"})
    admin.post("/admin/units/library", data={"active": "false"})
    assert api.post("/api/v1/users", json={"username": "xu", "password": "pw-xu", "display_name": "许老师",
                                            "groups": ["delegate"], "unit": "hr"}).status_code == 201
    assert api.call("PATCH", "/api/v1/users/xu", json={"unit": "logistics", "groups": ["delegate", "committee"],
                                                       "email": "xu@example.edu"}).status_code == 200
    assert api.call("PATCH", "/api/v1/users/xu", json={"password": "new-secret"}).status_code == 200
    review = deploy_file(rt, HERE / "bpmn" / "review" / "review.bpmn")
    started = api.post("/api/v1/cases", "wang", json={"process": review.key, "data": {"title": "关于食堂"}})
    first = started.get_json()["open_tasks"][0]
    done = api.post(f"/api/v1/tasks/{first['id']}/complete", "wang", json={"data": REGISTER}).get_json()
    held = done["case"]["open_tasks"][0]
    assert api.post(f"/api/v1/tasks/{held['id']}/claim", "qian").status_code == 200
    assert api.call("PATCH", "/api/v1/users/qian", json={"active": False}).status_code == 200  # hands it back
    assert upload(api, "/api/v1/users/import", "名单.csv",
                  "用户名,姓名,单位,密码\nt1,甲老师,人事处,pw-t1\n".encode()).status_code == 200
    res = api.post("/api/v1/congresses", json={
        "key": "c8", "name": "第八届教职工代表大会", "scope": "school",
        "settings": {"min_cosigners": 2, "archive": "members", "reply_due": "P3M", "rating_workdays": 10,
                     "categories": ["teaching", "welfare"], "reply_lock": True,
                     "rates": {"completion_rate": {"num": ["closed"], "den": ["registered"]}}}})
    assert res.status_code == 201, res.get_json()
    assert api.call("PATCH", "/api/v1/congresses/c8", json={"name": "第八届教代会",
                                                            "settings": {"co_opinion_due": "P45D"}}).status_code == 200
    now = utcnow()
    session = api.post("/api/v1/congresses/c8/sessions", json={
        "name": "八届一次", "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=30)).isoformat()})
    assert api.post(f"/api/v1/congresses/c8/sessions/{session.get_json()['id']}/close").status_code == 200
    assert api.post("/api/v1/congresses/c8/delegates", json={"username": "wang", "delegation": "第一代表团"}
                    ).status_code == 201
    assert api.call("DELETE", "/api/v1/congresses/c8/delegates/wang").status_code == 200
    assert upload(api, "/api/v1/congresses/c8/delegates/import", "代表.csv",
                  "用户名,姓名,代表团,密码\nd2,代表二,第一代表团,pw-d2\n".encode()).status_code == 200
    assert api.call("PUT", "/api/v1/calendar/2027", json={"holidays": ["2027-01-01"], "workdays": ["2027-02-20"]}
                    ).status_code == 200
    assert api.post("/api/v1/calendar/recompute", json={"dry_run": False}).status_code == 200
    with rt.transaction() as s:  # a recomputation that moved a due date, as the engine records one
        audit(s, ADMIN, "due_dates_recomputed", "calendar", None,
              [{"task": held["id"], "case": started.get_json()["business_key"], "from": now.isoformat(),
                "to": (now + timedelta(days=3)).isoformat()}])
    assert api.post(f"/api/v1/processes/{review.key}/retire").status_code == 200
    assert api.post(f"/api/v1/processes/{review.key}/restore").status_code == 200


def test_the_history_names_every_field_and_value_of_every_kind_of_change(rt: Runtime, api: Api, web: Any,
                                                                          app: Any) -> None:
    change_everything(rt, api, web)
    admin = web("admin")
    for kind in ADMIN_KINDS:
        table = history_table(admin, f"?kind={kind}")
        assert f'data-kind="{kind}"' in table, kind
        labels = re.findall(r'<span class="hist-pair"><span class="muted">([^<]*)</span>', table)
        assert labels or kind == "password_reset", kind  # a reset records no value
        raw = [label for label in labels if IDENTIFIER.match(label)]
        assert not raw, (kind, raw)  # every recorded field by its label
        seen = visible(table)
        assert not re.search(r'[{}"]|\bP\d+[DWMY]\b|\d{4}-\d\d-\d\dT\d', seen), (kind, seen)  # no JSON, no ISO
        assert "<code class=\"muted\">" not in table, kind
    seen = visible(history_table(admin))
    for what in ("本届代表", "3 个月", "45 天", "人事处", "后勤保障处", "第八届教代会"):
        assert what in seen, what
    users = visible(history_table(admin, "?kind=user_created"))
    assert re.search(r"xu\s", users) and "许老师" in users  # the username is the login name, the name the name
    changed = history_table(admin, "?kind=user_updated")
    shown = set(re.findall(r'<span class="hist-pair"><span class="muted">([^<]*)</span>', changed))
    assert "xu@example.edu" in changed and shown == {words(app, FIELD_LABELS[k]) for k in ("email", "unit", "groups")}
    released = visible(history_table(admin, "?kind=user_deactivated"))
    assert " · " in released  # the task handed back, by its case and title
    target = history_table(admin, "?target=congress:c8/delegate:wang")
    assert "第八届教代会" in visible(target) and "congress:" not in visible(target)


def test_the_congress_page_names_each_group_once(api: Api, web: Any) -> None:
    res = api.post("/api/v1/congresses", json={"key": "cs8", "name": "计算机学院二级教代会", "scope": "cs"})
    assert res.status_code == 201, res.get_json()
    page = web("admin").get("/admin/congresses/cs8").get_data(as_text=True)
    head = visible(page[page.index("<h1>"):page.index('id="import-delegates"')])
    for name in ("计算机学院二级教代会提案工作委员会", "计算机学院二级教代会主席团"):  # the groups it created
        assert head.count(name) == 1, head
    assert "（提案工作委员会）" not in head and "committee" not in head and "presidium" not in head


def _form(**settings: str) -> dict[str, str]:
    return {"name": "第八届教职工代表大会", **{f"s_{k}": v for k, v in settings.items()}}


def test_congress_periods_are_a_number_and_a_unit_stored_as_before(rt: Runtime, api: Api, web: Any,
                                                                    app: Any) -> None:
    from webui.admin.common import SETTING_LABELS

    api.post("/api/v1/congresses", json={"key": "c8", "name": "第八届教职工代表大会", "scope": "school"})
    admin = web("admin")
    res = admin.post("/admin/congresses/c8", data=_form(reply_due="2", reply_due_unit="M", co_opinion_due="2",
                                                        co_opinion_due_unit="M", rehandle_due="45",
                                                        rehandle_due_unit="D"), follow_redirects=True)
    assert res.status_code == 200
    with rt.reading() as s:
        stored = get_congress(s, "c8").settings
    assert stored == {"co_opinion_due": "P2M", "rehandle_due": "P45D"}  # 2 个月 of the reply is the default P2M
    page = res.get_data(as_text=True)
    assert 'name="s_co_opinion_due" value="2"' in page and 'name="s_rehandle_due" value="45"' in page
    assert re.search(r'name="s_co_opinion_due_unit".*?<option value="M" selected', page, re.S)
    seen = visible(page)
    assert "ISO" not in seen and not re.search(r"\bP\d+[DWMY]\b", seen) and 'pattern="P' not in page

    for bad in ("0", "1.5", "两", "-3", "²"):
        res = admin.post("/admin/congresses/c8", data=_form(reply_due=bad, reply_due_unit="M"), follow_redirects=True)
        seen = visible(res.get_data(as_text=True))
        assert words(app, SETTING_LABELS["reply_due"]) in seen.split("未保存")[1], bad  # the flash names the field
    res = admin.post("/admin/congresses/c8", data=_form(reply_due="2", reply_due_unit="Y"), follow_redirects=True)
    assert words(app, SETTING_LABELS["reply_due"]) in visible(res.get_data(as_text=True)).split("未保存")[1]
    with rt.reading() as s:
        assert get_congress(s, "c8").settings == stored  # nothing changed

    assert api.call("PATCH", "/api/v1/congresses/c8", json={"settings": {"reply_due": "P1M15D"}}).status_code == 200
    page = admin.get("/admin/congresses/c8").get_data(as_text=True)
    assert 'name="s_reply_due_kept" value="P1M15D"' in page and "P1M15D" not in visible(page)
    admin.post("/admin/congresses/c8", data=_form(co_opinion_due="2", co_opinion_due_unit="M",
                                                  reply_due_kept="P1M15D"))
    with rt.reading() as s:  # a period the fields cannot show stays as it was
        assert get_congress(s, "c8").settings == {"co_opinion_due": "P2M", "reply_due": "P1M15D"}


def test_session_dates_show_the_day_when_the_session_runs_whole_days(rt: Runtime, api: Api, web: Any) -> None:
    api.post("/api/v1/congresses", json={"key": "c8", "name": "第八届教职工代表大会", "scope": "school"})
    admin = web("admin")
    today = utcnow().date()
    end = today + timedelta(days=20)
    admin.post("/admin/congresses/c8/sessions", data={"name": "八届一次", "opens_at": today.isoformat(),
                                                      "closes_at": end.isoformat()})
    row = re.search(r'<tr data-session="\d+">.*?</tr>', admin.get("/admin/congresses/c8").get_data(as_text=True),
                    re.S)
    assert row and f"<td>{end.isoformat()}</td>" in row.group(0) and f"<td>{today.isoformat()}</td>" in row.group(0)
    session_id = re.search(r'data-session="(\d+)"', row.group(0)).group(1)
    admin.post(f"/admin/congresses/c8/sessions/{session_id}/close")
    row = re.search(r'<tr data-session="\d+">.*?</tr>', admin.get("/admin/congresses/c8").get_data(as_text=True),
                    re.S)
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>", row.group(0))  # closed now: the moment it closed


def test_sign_in_locks_sit_under_the_admin_tabs(web: Any) -> None:
    page = web("admin").get("/signin-locks").get_data(as_text=True)
    tabs = page[page.index('class="tabs admin-tabs"'):page.index("</nav>", page.index('class="tabs admin-tabs"'))]
    assert 'href="/admin/units"' in tabs and 'href="/admin/history"' in tabs
    assert re.search(r'href="/signin-locks" class="active"', tabs)
    assert web("wang").get("/signin-locks").status_code == 403


def test_the_demo_people_work_in_units(rt: Runtime) -> None:
    with rt.transaction() as s:
        ensure_units(s, units=[*DEMO_UNITS, *STAFF_UNITS])
    ensure_people(rt)
    with rt.reading() as s:
        for username, _name, _groups in DEMO_PEOPLE:
            assert find_user(s, username).unit == PEOPLE_UNITS[username], username
    assert set(PEOPLE_UNITS.values()) <= {key for key, *_ in [*DEMO_UNITS, *STAFF_UNITS]}
