"""Messages and signals between cases: sent through the API, or thrown by a case and not caught inside it.

A **message** goes to every running case waiting for it (intermediate catch event, receive task, boundary
event, event sub-process start, event-based gateway) whose correlation matches, and starts a case of each
process whose start event catches it. Correlation: a catch that declares correlation properties (BPMN
``correlationKey``/``correlationProperty``, SpiffWorkflow's process-variable correlations) matches on the values
the case holds for them (a case holding none yet takes the first message, as SpiffWorkflow does); a catch that
declares none compares each given property with the case data field of that name, and ``businessKey`` with the
case's business key (Camunda's correlation by business key and variables). A **signal** is broadcast: every
case waiting for it, and every process it starts.

Waiting cases are found through ``event_subscription`` rows (indexed by kind and name), never by reading
workflows. Everything happens in the caller's transaction, and every delivery is audited on the receiving
case (``message_received`` / ``signal_received``) and, when a case threw it, on the throwing case
(``message_sent`` / ``signal_sent``, with the cases reached).

Who may send a message through the API is a process setting, ``messageSenders`` (groups; default:
administrators and whoever may start the process); signals through the API: administrators and designers.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import WorkflowException

from .access import SYSTEM, Actor
from .behaviours import Registry
from .casework import advance, clean_input, command_scope, record, save
from .clock import utcnow
from .definitions.specs import MessageEvent, SignalEvent
from .errors import Forbidden, Invalid, NotFound
from .instances import may_start, open_case
from .models import Case, EventSubscription, ProcessDefinition
from .runtime import Runtime
from .scheduler import Jobs
from .subscriptions import catching, declared_properties, flat, kind_of, register_start_events, sync_subscriptions

MAX_DELIVERIES = 200  # per command: a chain of cases messaging each other stops with an error beyond this
_ROUTING = "docket_routing"  # session.info key: the queue of thrown events while a command routes them


@dataclass
class Delivery:
    """Where a message or signal went."""

    delivered: list[int] = field(default_factory=list)
    started: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int]]:
        return {"delivered": self.delivered, "started": self.started}


def _groups(text: str | None) -> set[str]:
    return {g.strip() for g in (text or "").split(",") if g.strip()}


def may_send(actor: Actor, definition: ProcessDefinition) -> bool:
    """May ``actor`` send this process's cases a message (or start one with it) through the API?"""
    senders = _groups((definition.settings or {}).get("messageSenders"))
    if senders:
        return actor.is_admin or bool(actor.groups & senders)
    return may_start(actor, definition)


def _json(rt: Runtime, value: Any) -> Any:
    return rt.store.to_json_safe(value)


def _matches(rt: Runtime, row: EventSubscription, case: Case | None, given: dict[str, Any]) -> bool:
    """Does a message with correlation ``given`` reach the catch of ``row``? (See the module docstring.)"""
    given = _json(rt, given)
    if "businessKey" in given and case is not None and given["businessKey"] != case.business_key:
        return False
    wanted = {k: v for k, v in given.items() if k != "businessKey"}
    declared = (row.correlation or {}).get("properties") or []
    if declared:
        known = (row.correlation or {}).get("values") or {}
        if case is None or not known:
            return True  # a start event, or a case that holds no correlation yet: the first message is its own
        shared = [p for p in wanted if p in known]
        if not shared:
            return not wanted and "businessKey" in given
        return all(known[p] == wanted[p] for p in shared)
    if case is None:
        return True
    data = case.data or {}
    return all(data.get(p) == v for p, v in wanted.items())


def _event(kind: str, name: str, payload: Any, correlations: dict[str, Any], result_var: str | None = None
           ) -> BpmnEvent:
    definition = MessageEvent(name) if kind == "message" else SignalEvent(name)
    event = BpmnEvent(definition, payload=deepcopy(payload), correlations=deepcopy(correlations))
    event.result_var = result_var  # a Camunda thrower names the variable the catcher fills
    return event


def _correlations_for(workflow: Any, kind: str, name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The event correlations (``{key: {property: value}}``) of a message sent with property values ``given``:
    each value under the correlation keys the waiting catches of ``workflow`` declare for it."""
    if kind != "message":
        return {}
    out: dict[str, Any] = {}
    for task in workflow.event_manager.tasks.values():
        for definition in catching(getattr(task.task_spec, "event_definition", None)):
            if kind_of(definition) != kind or definition.name != name:
                continue
            for prop in declared_properties(definition):
                if prop.name in given:
                    for key in prop.correlation_keys:
                        out.setdefault(key, {})[prop.name] = given[prop.name]
    return out


class _Router:
    """Delivers one message or signal inside a transaction."""

    def __init__(self, rt: Runtime, session: so.Session, now: datetime, actor: Actor,
                 allowed: Callable[[ProcessDefinition], bool], source: Case | None) -> None:
        self.rt, self.session, self.now, self.actor = rt, session, now, actor
        self.allowed, self.source = allowed, source
        self.refused = 0

    def route(self, kind: str, name: str, payload: Any, given: dict[str, Any],
              correlations: dict[str, Any] | None = None, result_var: str | None = None) -> Delivery:
        """Deliver to the waiting cases and start the processes; ``correlations`` are a thrown message's own
        (``{key: {property: value}}``), ``given`` the same flattened (or an API sender's property values)."""
        done = Delivery()
        rows = self.session.scalars(sa.select(EventSubscription).where(
            EventSubscription.kind == kind, EventSubscription.name == name).order_by(EventSubscription.id)).all()
        case_rows: dict[int, list[EventSubscription]] = {}
        for row in rows:
            if row.case_id is not None and (self.source is None or row.case_id != self.source.id):
                case_rows.setdefault(row.case_id, []).append(row)
        cases = self.session.scalars(sa.select(Case).where(Case.id.in_(case_rows), Case.status == "running")
                                     .order_by(Case.id)).all() if case_rows else []
        starts = {(r.process_key, r.element) for r in rows if r.case_id is None}
        begun: set[str] = set()  # processes whose waiting start event took it: no second case is started
        for case in cases:
            matching = [r for r in case_rows[case.id] if _matches(self.rt, r, case, given)]
            if matching and self._allowed(case.definition):
                if self._deliver(case, kind, name, payload, given, correlations, result_var):
                    done.delivered.append(case.id)
                    begun |= {r.process_key for r in matching if (r.process_key, r.element) in starts}
        for row in rows:
            if row.case_id is None and row.process_key not in begun and _matches(self.rt, row, None, given):
                definition = self.session.get(ProcessDefinition, row.definition_id)
                if definition is not None and definition.retired_at is None and self._allowed(definition):
                    done.started.append(self._start(definition, kind, name, payload, given, result_var))
        return done

    def _allowed(self, definition: ProcessDefinition) -> bool:
        if self.allowed(definition):
            return True
        self.refused += 1
        return False

    def _deliver(self, case: Case, kind: str, name: str, payload: Any, given: dict[str, Any],
                 correlations: dict[str, Any] | None, result_var: str | None) -> bool:
        parsed = self.rt.definition(self.session, case.definition_id)
        workflow = self.rt.checkout(case, parsed)
        if correlations is None:
            correlations = _correlations_for(workflow, kind, name, given)
        try:
            workflow.send_event(_event(kind, name, payload, correlations, result_var))
        except WorkflowException:  # SpiffWorkflow found no catch that takes it after all
            return False
        scope = command_scope(self.session, case, parsed, case.definition_id, self.actor, self.now)
        error = advance(workflow, scope)
        save(self.rt, self.session, case, parsed, workflow, self.now, error)
        record(self.session, case, self.actor, f"{kind}_received", self.now, data=self._audit(name, payload, given))
        if error:
            record(self.session, case, self.actor, "case_error", self.now, data={"message": error},
                   process=parsed.meta)
        return True

    def _start(self, definition: ProcessDefinition, kind: str, name: str, payload: Any,
               given: dict[str, Any], result_var: str | None) -> int:
        case, _ = open_case(self.rt, self.session, self.actor, definition, {}, self.now,
                            _event(kind, name, payload, {}, result_var))
        record(self.session, case, self.actor, f"{kind}_received", self.now, data=self._audit(name, payload, given))
        return case.id

    def _audit(self, name: str, payload: Any, given: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "data": _json(self.rt, payload)}
        if given:
            out["correlation"] = _json(self.rt, given)
        if self.source is not None:
            out["from_case"] = self.source.id
            out["from"] = self.source.business_key
        return out


def _payload(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise Invalid("'data' must be an object", [{"field": "data", "message": "must be an object"}])
    return clean_input(data)


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("'name' (the BPMN message or signal name) is required",
                      [{"field": "name", "message": "is required"}])
    return name.strip()


def send_message(rt: Runtime, actor: Actor, name: str, correlation: dict[str, Any] | None = None,
                 data: dict[str, Any] | None = None) -> Delivery:
    """Deliver the message ``name`` to the waiting cases it correlates with and start the processes it starts."""
    name, payload = _name(name), _payload(data)
    if correlation is not None and not isinstance(correlation, dict):
        raise Invalid("'correlation' must be an object", [{"field": "correlation", "message": "must be an object"}])
    now = utcnow()
    with rt.transaction() as session:
        router = _Router(rt, session, now, actor, lambda d: may_send(actor, d), None)
        done = _drained(session, lambda: router.route("message", name, payload, dict(correlation or {})))
        _nothing(done, router, f"no case waits for message '{name}' with that correlation, and no process starts "
                               "with it")
    return done


def send_signal(rt: Runtime, actor: Actor, name: str, data: dict[str, Any] | None = None) -> Delivery:
    """Broadcast the signal ``name`` to every case waiting for it and start the processes it starts."""
    if not actor.is_designer:
        raise Forbidden("only administrators and process designers may send signals")
    name, payload = _name(name), _payload(data)
    now = utcnow()
    with rt.transaction() as session:
        router = _Router(rt, session, now, actor, lambda d: True, None)
        done = _drained(session, lambda: router.route("signal", name, payload, {}))
        _nothing(done, router, f"no case waits for signal '{name}', and no process starts with it")
    return done


def _nothing(done: Delivery, router: _Router, message: str) -> None:
    if done.delivered or done.started:
        return
    if router.refused:
        raise Forbidden("you may not send this to the cases or processes that wait for it")
    raise NotFound(message)


def _drained(session: so.Session, first: Callable[[], Delivery]) -> Delivery:
    """Run ``first`` with the session's queue of thrown events open, then deliver what the reached cases threw."""
    if _ROUTING in session.info:
        return first()
    session.info[_ROUTING] = []
    try:
        done = first()
        _drain(session)
        return done
    finally:
        session.info.pop(_ROUTING, None)


def _drain(session: so.Session) -> None:
    queue: list[tuple[Runtime, Case, list[Any], datetime]] = session.info[_ROUTING]
    delivered = 0
    while queue:
        rt, case, events, now = queue.pop(0)
        for event in events:
            kind = kind_of(event.event_definition)
            if kind is None:
                continue  # errors and escalations nobody caught end with their case
            router = _Router(rt, session, now, SYSTEM, lambda d: True, case)
            given = flat(event.correlations) if kind == "message" else {}
            done = router.route(kind, event.event_definition.name, event.payload, given,
                                event.correlations if kind == "message" else None,
                                getattr(event, "result_var", None))
            delivered += len(done.delivered) + len(done.started)
            if delivered > MAX_DELIVERIES:
                raise Invalid(f"case {case.business_key}: more than {MAX_DELIVERIES} messages and signals in one "
                              "step (do cases keep messaging each other?)")
            record(session, case, SYSTEM, f"{kind}_sent", now,
                   data={"name": event.event_definition.name, **done.as_dict()})


def on_events_thrown(session: so.Session, rt: Runtime, case: Case, events: list[Any], now: datetime) -> None:
    """``events_thrown`` hook: queue what a case threw; the outermost delivery in the transaction routes it."""
    if not any(kind_of(e.event_definition) for e in events):
        return
    if _ROUTING in session.info:
        session.info[_ROUTING].append((rt, case, events, now))
        return
    session.info[_ROUTING] = [(rt, case, events, now)]
    try:
        _drain(session)
    finally:
        session.info.pop(_ROUTING, None)


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """Deliver what a case throws and nothing in it catches to the other cases waiting for it."""
    hooks.subscribe("events_thrown", on_events_thrown)


def rebuild_subscriptions(rt: Runtime) -> tuple[int, int]:
    """Write the subscription rows of every running case and of every process's latest version again (after
    an upgrade from a version without them); returns (cases, processes). One transaction per case."""
    with rt.reading() as session:
        case_ids = list(session.scalars(sa.select(Case.id).where(Case.status.in_(("running", "error")))))
        latest = (sa.select(ProcessDefinition.key, sa.func.max(ProcessDefinition.version).label("version"))
                  .group_by(ProcessDefinition.key).subquery())
        definition_ids = list(session.scalars(sa.select(ProcessDefinition.id).join(
            latest, sa.and_(ProcessDefinition.key == latest.c.key, ProcessDefinition.version == latest.c.version))))
    for definition_id in definition_ids:
        with rt.transaction() as session:
            definition = session.get(ProcessDefinition, definition_id)
            register_start_events(session, definition, rt.definition(session, definition_id))
    for case_id in case_ids:
        with rt.transaction() as session:
            case = session.get(Case, case_id)
            case.subscription_digest = "rebuild"  # whatever the rows say now, write them again
            sync_subscriptions(session, case, rt.checkout(case, rt.definition(session, case.definition_id)))
    return len(case_ids), len(definition_ids)
