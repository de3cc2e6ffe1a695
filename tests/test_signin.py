"""Sign-in throttling through the API and the login page: growing delays per (username, address), a limit
per address across usernames, strangers alone never lock a person out, each lock audited, admins unlock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from engine.clock import clock, utcnow
from engine.config import Settings
from engine.models import Event
from engine.runtime import Runtime
from engine.signin import ADDRESS_LIMIT, FREE_FAILURES

HOME, OFFICE = "10.1.0.7", "10.2.0.9"


def token(client: Any, user: str, password: str, address: str) -> Any:
    return client.post("/api/v1/tokens", json={"username": user, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def locks_recorded(rt: Runtime) -> list[dict]:
    with rt.reading() as session:
        return [e.data for e in session.scalars(sa.select(Event).where(Event.kind == "signin_locked")
                                                .order_by(Event.id))]


def test_wrong_passwords_from_one_address_pause_that_pair_longer_each_time(api: Any, rt: Runtime) -> None:
    client = api.client
    clock.freeze(utcnow())
    for _ in range(FREE_FAILURES):
        assert token(client, "zhao", "wrong", HOME).status_code == 401
    assert token(client, "zhao", "pw-zhao", HOME).status_code == 201  # the free failures cost nothing...
    for _ in range(FREE_FAILURES):
        assert token(client, "zhao", "wrong", HOME).status_code == 401  # ...and success forgot them
    assert token(client, "zhao", "wrong", HOME).status_code == 401  # one too many: paused for 2 s
    refused = token(client, "zhao", "pw-zhao", HOME)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert token(client, "zhao", "pw-zhao", OFFICE).status_code == 201  # the same person elsewhere: fine
    clock.advance(timedelta(seconds=3))
    assert token(client, "zhao", "wrong", HOME).status_code == 401  # the next failure: 4 s
    assert token(client, "zhao", "pw-zhao", HOME).headers["Retry-After"] == "4"
    clock.advance(timedelta(seconds=5))
    assert token(client, "zhao", "pw-zhao", HOME).status_code == 201
    recorded = locks_recorded(rt)
    assert [(e["scope"], e["username"], e["address"]) for e in recorded] == [("pair", "zhao", HOME)] * 2


def test_strangers_alone_never_lock_a_person_out(api: Any, rt: Runtime) -> None:
    client = api.client
    clock.freeze(utcnow())
    for i in range(12):  # twelve addresses, a few wrong passwords each, all for the committee chair
        for _ in range(FREE_FAILURES + 2):
            assert token(client, "zhao", "guess", f"192.0.2.{i}").status_code in (401, 429)
    assert token(client, "zhao", "pw-zhao", HOME).status_code == 201
    assert {e["address"] for e in locks_recorded(rt)} == {f"192.0.2.{i}" for i in range(12)}


def test_one_address_trying_many_usernames_is_paused_for_all(api: Any, rt: Runtime) -> None:
    client = api.client
    clock.freeze(utcnow())
    for i in range(ADDRESS_LIMIT):
        assert token(client, f"user{i}", "guess", "203.0.113.5").status_code == 401
    refused = token(client, "wang", "pw-wang", "203.0.113.5")  # even a right password from there
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 15 * 60
    assert token(client, "wang", "pw-wang", HOME).status_code == 201
    assert locks_recorded(rt)[-1] == {"scope": "address", "username": None, "address": "203.0.113.5",
                                      "failures": ADDRESS_LIMIT, "until": locks_recorded(rt)[-1]["until"]}
    clock.advance(timedelta(minutes=16))
    assert token(client, "wang", "pw-wang", "203.0.113.5").status_code == 201


def test_admin_lists_and_lifts_locks(api: Any, rt: Runtime) -> None:
    client = api.client
    clock.freeze(utcnow())
    for _ in range(FREE_FAILURES + 3):
        token(client, "chen", "wrong", HOME)
    for i in range(ADDRESS_LIMIT):
        token(client, f"nobody{i}", "guess", OFFICE)
    assert api.get("/api/v1/signin-locks", "wang").status_code == 403
    locks = api.get("/api/v1/signin-locks").get_json()
    assert {(lock["username"], lock["address"]) for lock in locks} == {("chen", HOME), (None, OFFICE)}
    assert api.post("/api/v1/users/chen/unlock", "wang").status_code == 403
    assert api.post("/api/v1/users/chen/unlock").get_json() == {"unlocked": 1}
    assert token(client, "chen", "pw-chen", HOME).status_code == 201
    assert api.post("/api/v1/signin-locks/unlock", json={}).status_code == 422
    assert api.post("/api/v1/signin-locks/unlock", json={"address": OFFICE}).get_json() == {"unlocked": 1}
    assert token(client, "chen", "pw-chen", OFFICE).status_code == 201
    assert api.get("/api/v1/signin-locks").get_json() == []
    with rt.reading() as session:
        lifted = session.scalars(sa.select(Event).where(Event.kind == "signin_unlocked")).all()
    assert [(e.actor, e.data["lifted"]) for e in lifted] == [("admin", 1), ("admin", 1)]


@pytest.fixture
def web(rt: Runtime, database_url: str, tmp_path: Any, people: dict) -> Any:
    from webui import create_app

    settings = Settings(database_url=database_url, secret_key="test-secret", home=tmp_path)
    return create_app(settings, runtime=rt, overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})


def test_login_page_pauses_and_the_admin_page_unlocks(web: Any, rt: Runtime) -> None:
    clock.freeze(utcnow())
    browser = web.test_client()
    for _ in range(FREE_FAILURES + 1):
        assert browser.post("/login", data={"username": "li", "password": "x"}).status_code == 401
    paused = browser.post("/login", data={"username": "li", "password": "pw-li"})
    assert paused.status_code == 429 and paused.headers["Retry-After"] == "2"
    assert "登录失败次数过多" in paused.get_data(as_text=True)

    admin = web.test_client()
    assert admin.post("/login", data={"username": "admin", "password": "pw-admin"},
                      environ_base={"REMOTE_ADDR": HOME}).status_code == 302
    page = admin.get("/signin-locks").get_data(as_text=True)
    assert "登录锁定" in page and ">li<" in page and "127.0.0.1" in page
    done = admin.post("/signin-locks/unlock", data={"username": "li"}, follow_redirects=True)
    assert done.status_code == 200 and "没有暂停的登录" in done.get_data(as_text=True)
    assert browser.post("/login", data={"username": "li", "password": "pw-li"}).status_code == 302

    member = web.test_client()
    member.post("/login", data={"username": "wang", "password": "pw-wang"}, environ_base={"REMOTE_ADDR": OFFICE})
    assert member.get("/signin-locks").status_code == 403
    assert member.post("/signin-locks/unlock", data={"username": "li"}).status_code == 403
