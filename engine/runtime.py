"""The runtime: sessions, parsed-spec cache, hot-workflow cache, and loading/saving a case's workflow.

Commands (``instances``, ``tasks``) and queries use one ``Runtime``; it holds nothing that must be
shared between processes — both caches are keyed by immutable ids and are safe to lose.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn import BpmnWorkflow

from . import dates, timers  # noqa: F401  (the date helpers; SpiffWorkflow's timers on the engine clock)
from .behaviours import behaviours
from .calls import CallResolver
from .connectors.script_engine import make_connector_script_engine
from .datastores import DataStores
from .db import command_session, make_engine, make_session_factory
from .definitions.parse import ParsedDefinition, SpecCache, build
from .errors import Conflict, NotFound
from .models import Case, ProcessDefinition
from .serializer import WorkflowStore
from .writes import STALE

CHECKED_OUT = "docket_checked_out"  # session.info: {case id: the workflow this transaction works on}


class WorkflowCache:
    """Deserialized workflows by (case id, revision). A command takes its entry out (so no two
    threads share a workflow object) and puts the new one back after its transaction commits."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[tuple[int, int], BpmnWorkflow] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def take(self, case_id: int, revision: int) -> BpmnWorkflow | None:
        with self._lock:
            return self._items.pop((case_id, revision), None)

    def put(self, case_id: int, revision: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._items[(case_id, revision)] = workflow
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Runtime:
    """Everything a command needs besides its arguments.

    The script engine offers the helpers registered when the runtime is built, so the composition root
    (``engine.features.load_features``) runs first."""

    def __init__(self, database_url: str, script_helpers: dict | None = None) -> None:
        self.database_url = database_url
        self.db: sa.Engine = make_engine(database_url)
        self.sessions = make_session_factory(self.db)
        self.specs = SpecCache()
        self.workflows = WorkflowCache()
        self.store = WorkflowStore()
        self.script_engine = make_connector_script_engine({**behaviours.helper_functions(), **(script_helpers or {})})

    @contextmanager
    def transaction(self) -> Iterator[so.Session]:
        """One unit of work: commit on success, roll back on any exception. Helpers that read the database find
        the session through ``engine.db.current_session``."""
        try:
            with self.sessions() as session, session.begin(), command_session(session):
                yield session
        except so.exc.StaleDataError as exc:
            raise Conflict(STALE) from exc

    @contextmanager
    def reading(self) -> Iterator[so.Session]:
        """A session for queries only."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[sa.Connection]:
        """A pooled connection for one read on the driver (``engine.direct``), without an ORM session: what a check
        made on every request (the API's bearer token) costs least with."""
        with self.db.connect() as connection:
            yield connection

    def definition(self, session: so.Session, definition_id: int) -> ParsedDefinition:
        """The parsed, executable definition of one deployed version (cached per version)."""

        def load() -> ParsedDefinition:
            row = session.get(ProcessDefinition, definition_id)
            if row is None:
                raise NotFound(f"process definition {definition_id} does not exist")
            parsed = build(row.bpmn_xml.encode("utf-8"), row.dmn or {}, row.forms or {}, f"{row.key}.bpmn", row.key)
            parsed.version = row.version
            return parsed

        return self.specs.get(definition_id, load)

    def new_workflow(self, session: so.Session, parsed: ParsedDefinition) -> BpmnWorkflow:
        """A fresh workflow of ``parsed`` for a new case, attached to ``session``."""
        workflow = BpmnWorkflow(parsed.spec, dict(parsed.subprocess_specs), script_engine=self.script_engine)
        return self.attach(workflow, session)

    def attach(self, workflow: BpmnWorkflow, session: so.Session) -> BpmnWorkflow:
        """Give a loaded workflow what is never serialized: the script engine, the resolver of called processes
        from other files and the data stores (both bound to the command's session)."""
        workflow.script_engine = self.script_engine
        workflow.call_resolver = CallResolver(session, self.definition)
        workflow.data_stores = DataStores(session, self.store.to_json_safe)
        return workflow

    def load(self, session: so.Session, case: Case, parsed: ParsedDefinition) -> BpmnWorkflow:
        """The case's stored workflow, with the processes it called from other files."""
        return self.store.loads(case.workflow, parsed, lambda definition_id: self.definition(session, definition_id))

    def case_definition(self, session: so.Session, case_id: int) -> ParsedDefinition:
        """The parsed definition the case runs on (its forms, its BPMN's reading).

        :raises NotFound: the case does not exist.
        """
        definition_id = session.scalar(sa.select(Case.definition_id).where(Case.id == case_id))
        if definition_id is None:
            raise NotFound(f"case {case_id} does not exist")
        return self.definition(session, definition_id)

    def checkout(self, case: Case, parsed: ParsedDefinition) -> BpmnWorkflow:
        """The case's workflow at its current revision, owned by the caller until ``checkin``.

        Within one transaction a case has one workflow: a second checkout of the same case (a reply delivered to
        the case whose throw started the replying case) gets the object the first one holds, so the workflow the
        command checks in after commit is the one that took the reply."""
        session = so.object_session(case)
        workflow = session.info.get(CHECKED_OUT, {}).get(case.id)
        if workflow is not None:
            return workflow
        workflow = self.workflows.take(case.id, case.revision)
        if workflow is None:
            workflow = self.load(session, case, parsed)
        self.hold(session, case, workflow)
        return self.attach(workflow, session)  # never serialized: set on every checkout

    def hold(self, session: so.Session, case: Case, workflow: BpmnWorkflow) -> None:
        """Note ``workflow`` as the one this transaction works on for ``case`` (see ``checkout``)."""
        session.info.setdefault(CHECKED_OUT, {})[case.id] = workflow

    def peek(self, case: Case, parsed: ParsedDefinition) -> BpmnWorkflow:
        """A read-only copy of the case's workflow (loaded fresh unless cached, or the one this transaction
        holds)."""
        session = so.object_session(case)
        held = session.info.get(CHECKED_OUT, {}).get(case.id)
        if held is not None:
            return held
        workflow = self.workflows.take(case.id, case.revision)
        if workflow is None:
            workflow = self.load(session, case, parsed)
        self.attach(workflow, session)
        self.workflows.put(case.id, case.revision, workflow)
        return workflow

    def checkin(self, case: Case, workflow: BpmnWorkflow) -> None:
        """Keep the workflow hot after its command committed at ``case.revision``."""
        self.workflows.put(case.id, case.revision, workflow)

    def dispose(self) -> None:
        self.db.dispose()
