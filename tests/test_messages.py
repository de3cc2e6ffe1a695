"""Messages and signals between cases (API.md "Messages and signals"): a message sent through the API continues
the waiting case it correlates with and starts the process whose start event catches it; a case's throw
continues another case in the same transaction; signals are broadcast; every delivery is in both cases'
history; who may send is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import deploy_file

from engine.runtime import Runtime

ORDERS = Path(__file__).parent / "bpmn" / "messages" / "orders.bpmn"
ORDERS_INSTANT = ORDERS.with_name("orders_instant.bpmn")  # the same, with a billing that pays at once


@pytest.fixture
def shop(rt: Runtime, people: dict) -> None:
    deploy_file(rt, ORDERS)


def start(api: Any, process: str, data: dict[str, Any], user: str = "wang") -> dict[str, Any]:
    res = api.post("/api/v1/cases", user, json={"process": process, "data": data})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def case(api: Any, case_id: int) -> dict[str, Any]:
    res = api.get(f"/api/v1/cases/{case_id}")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def complete(api: Any, body: dict[str, Any], name: str, user: str, data: dict[str, Any] | None = None) -> dict:
    task = next(t for t in body["open_tasks"] if t["name"] == name)
    res = api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"data": data or {}})
    assert res.status_code == 200, res.get_json()
    return res.get_json()["case"]


def cases_of(api: Any, process: str) -> list[dict[str, Any]]:
    return api.get(f"/api/v1/cases?process={process}").get_json()["items"]


def history(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in body["history"] if e["kind"] == kind]


def place(api: Any, order_no: str) -> dict[str, Any]:
    """An order case whose order was placed: it waits for the payment, a billing case was started."""
    order = start(api, "order", {"order_no": order_no})
    return complete(api, order, "place", "wang")


def test_a_thrown_message_starts_a_case_whose_reply_continues_the_thrower(api: Any, shop: None) -> None:
    order = place(api, "A-1")
    assert order["status"] == "running" and order["open_tasks"] == []  # waiting in the receive task
    [billing] = cases_of(api, "billing")
    billing = case(api, billing["id"])
    assert billing["data"]["order_no"] == "A-1"  # the message carried the order's data
    assert [t["name"] for t in billing["open_tasks"]] == ["bill"]
    [received] = history(billing, "message_received")
    assert received["name"] == "order_placed" and received["data"]["order_no"] == "A-1"
    assert received["correlation"] == {"order_no": "A-1"}
    assert (received["from_case"], received["from"]) == (order["id"], order["business_key"])
    assert history(case(api, order["id"]), "message_sent") == [
        {"name": "order_placed", "delivered": [], "started": [billing["id"]]}]

    billing = complete(api, billing, "bill", "zhao", {"invoice": "INV-7"})
    assert billing["status"] == "completed"
    order = case(api, order["id"])
    assert [t["name"] for t in order["open_tasks"]] == ["ship"]  # the payment message continued the order
    assert order["data"]["invoice"] == "INV-7"
    [received] = history(order, "message_received")
    assert received["name"] == "payment" and received["from_case"] == billing["id"]
    assert history(case(api, billing["id"]), "message_sent") == [
        {"name": "payment", "delivered": [order["id"]], "started": []}]


def test_a_reply_in_the_same_transaction_stays_in_the_thrower(api: Any, rt: Runtime, people: dict) -> None:
    """The billing case pays at once: the payment reaches the order in the transaction that placed it. The next
    commands on the order (in the same worker, from its hot workflow) see the payment and keep it."""
    deploy_file(rt, ORDERS_INSTANT)
    order = place(api, "I-1")
    assert [t["name"] for t in order["open_tasks"]] == ["ship"]  # paid while being placed
    res = api.post("/api/v1/messages", json={"name": "customer_note", "correlation": {"order_no": "I-1"},
                                             "data": {"note": "leave it at the door"}})
    assert res.status_code == 200 and res.get_json()["delivered"] == [order["id"]], res.get_json()
    order = case(api, order["id"])
    assert [t["name"] for t in order["open_tasks"]] == ["ship"]  # the note did not undo the payment
    assert complete(api, order, "ship", "zhao")["status"] == "completed"
    rt.workflows.clear()  # the stored workflow agrees
    assert case(api, order["id"])["status"] == "completed"


def test_an_api_message_reaches_only_the_correlated_case(api: Any, shop: None) -> None:
    first, second = place(api, "A-1"), place(api, "B-2")
    res = api.post("/api/v1/messages", json={"name": "payment", "correlation": {"order_no": "B-2"},
                                             "data": {"amount": 120}})
    assert res.status_code == 200, res.get_json()
    assert res.get_json() == {"delivered": [second["id"]], "started": []}
    second = case(api, second["id"])
    assert [t["name"] for t in second["open_tasks"]] == ["ship"] and second["data"]["amount"] == 120
    assert history(second, "message_received")[-1]["correlation"] == {"order_no": "B-2"}
    assert case(api, first["id"])["open_tasks"] == []  # still waiting for its own payment

    again = api.post("/api/v1/messages", json={"name": "payment", "correlation": {"order_no": "B-2"}})
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"
    wrong = api.post("/api/v1/messages", json={"name": "payment", "correlation": {"order_no": "Z-9"}})
    assert wrong.status_code == 404


def test_an_api_message_starts_a_message_start_process(api: Any, shop: None) -> None:
    res = api.post("/api/v1/messages", "li", json={"name": "order_placed", "data": {"order_no": "C-3"}})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["delivered"] == [] and len(body["started"]) == 1
    billing = case(api, body["started"][0])
    assert billing["process"] == "billing" and billing["data"]["order_no"] == "C-3"
    assert billing["started_by"] == "li"
    assert [t["name"] for t in billing["open_tasks"]] == ["bill"]
    assert history(billing, "message_received")[0]["name"] == "order_placed"


def test_boundary_and_event_subprocess_by_business_key_and_who_may_send(api: Any, shop: None) -> None:
    order = start(api, "order", {"order_no": "D-4"})
    note = {"name": "customer_note", "correlation": {"businessKey": order["business_key"]}, "data": {"note": "hi"}}
    assert api.post("/api/v1/messages", "chen", json=note).status_code == 403  # not a starter of 'order'
    res = api.post("/api/v1/messages", "wang", json=note)
    assert res.status_code == 200 and res.get_json()["delivered"] == [order["id"]]
    after = case(api, order["id"])
    assert [t["name"] for t in after["open_tasks"]] == ["place"]  # the event sub-process did not interrupt
    assert history(after, "message_received")[0]["data"] == {"note": "hi"}

    other = api.post("/api/v1/messages", json={"name": "withdraw", "correlation": {"businessKey": "NO-SUCH"}})
    assert other.status_code == 404
    res = api.post("/api/v1/messages", json={"name": "withdraw", "correlation": {"businessKey": order["business_key"]}})
    assert res.status_code == 200 and res.get_json()["delivered"] == [order["id"]]
    after = case(api, order["id"])
    assert after["status"] == "completed" and after["open_tasks"] == []  # the boundary event interrupted 'place'


def test_signals_are_broadcast_to_waiting_cases_and_start_processes(api: Any, shop: None) -> None:
    one, two = start(api, "closing", {}, "admin"), start(api, "closing", {}, "admin")
    assert api.post("/api/v1/signals", "wang", json={"name": "shop_closing"}).status_code == 403
    res = api.post("/api/v1/signals", "zhou", json={"name": "shop_closing", "data": {"at": "22:00"}})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert sorted(body["delivered"]) == sorted([one["id"], two["id"]]) and len(body["started"]) == 1
    for c in (one, two):
        done = case(api, c["id"])
        assert done["status"] == "completed"
        assert history(done, "signal_received")[0] == {"name": "shop_closing", "data": {"at": "22:00"}}
    watch = case(api, body["started"][0])
    assert watch["process"] == "night_watch" and [t["name"] for t in watch["open_tasks"]] == ["patrol"]
    assert api.post("/api/v1/signals", "zhou", json={"name": "shop_closing"}).get_json()["delivered"] == []


def test_bad_requests_change_nothing(api: Any, shop: None) -> None:
    for body in ({}, {"name": ""}, {"name": "payment", "data": [1]}, {"name": "payment", "correlation": "x"}):
        res = api.post("/api/v1/messages", json=body)
        assert res.status_code == 422, body
        assert res.get_json()["error"]["code"] == "invalid"
    assert api.post("/api/v1/messages", None, json={"name": "payment"}).status_code == 401
    assert api.post("/api/v1/signals", json={"name": "nobody_listens"}).status_code == 404
    assert cases_of(api, "billing") == []


def test_subscriptions_rebuilt_after_an_upgrade(api: Any, shop: None, rt: Runtime) -> None:
    """Cases and processes from before subscriptions existed are found again after ``docket subscriptions``."""
    import sqlalchemy as sa

    from engine.messages import rebuild_subscriptions
    from engine.models import Case, EventSubscription

    order = place(api, "E-5")
    with rt.transaction() as session:  # the state an upgraded database starts from
        session.execute(sa.delete(EventSubscription))
        session.execute(sa.update(Case).values(subscription_digest=None))
    assert api.post("/api/v1/messages", json={"name": "payment", "correlation": {"order_no": "E-5"}}).status_code == 404
    cases, processes = rebuild_subscriptions(rt)
    assert cases >= 1 and processes == 4
    res = api.post("/api/v1/messages", json={"name": "payment", "correlation": {"order_no": "E-5"}})
    assert res.status_code == 200 and res.get_json()["delivered"] == [order["id"]]
    started = api.post("/api/v1/messages", json={"name": "order_placed", "data": {"order_no": "F-6"}}).get_json()
    assert len(started["started"]) == 1  # the start events are registered again too


def test_a_retired_process_is_not_started_by_a_message(api: Any, shop: None) -> None:
    assert api.post("/api/v1/processes/billing/retire", "admin").status_code == 200
    res = api.post("/api/v1/messages", "admin", json={"name": "order_placed", "data": {"order_no": "C-4"}})
    assert res.status_code == 404, res.get_json()  # nothing waits for it and its start process is retired
    assert api.post("/api/v1/processes/billing/restore", "admin").status_code == 200
    res = api.post("/api/v1/messages", "admin", json={"name": "order_placed", "data": {"order_no": "C-5"}})
    assert res.status_code == 200 and len(res.get_json()["started"]) == 1
