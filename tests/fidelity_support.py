"""Drive BPMN models through Docket's engine commands, the way SpiffWorkflow's own tests drive its workflows:
deploy files, start a case, complete its open tasks by element id or label, move the clock and wake the case,
send messages and signals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from conftest import ADMIN

from engine.clock import clock
from engine.definitions.bundle import Bundle
from engine.deploy import check, deploy
from engine.designer.diagram import case_diagram
from engine.instances import start_case, task_values, wake_case
from engine.messages import send_message, send_signal
from engine.queries import case_json, list_cases, visible_case
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.users import create_group

HERE = Path(__file__).resolve()
CORPUS = next((p / "shared" / "conformance" for p in HERE.parents if (p / "shared" / "conformance").is_dir()),
              HERE.parents[2] / "shared" / "conformance")
SPIFF = CORPUS / "spiffworkflow"


class Driver:
    """One runtime; every call is an engine command or query, as the web layer would make it."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        clock.freeze(clock.now())  # timers fire when the test moves the clock, never on their own

    def deploy(self, *paths: Path | str, dmn: tuple[Path | str, ...] = ()) -> list[str]:
        """Deploy each BPMN file (relative paths are under SpiffWorkflow's corpus) with the DMN files given;
        returns the keys deployed."""
        keys: list[str] = []
        for path in paths:
            path = SPIFF / path if not Path(path).is_absolute() else Path(path)
            bundle = Bundle(bpmn=path.read_bytes(), filename=str(path))
            for extra in dmn:
                extra = SPIFF / extra if not Path(extra).is_absolute() else Path(extra)
                bundle.dmn[extra.name] = extra.read_text(encoding="utf-8")
            with self.rt.transaction() as session:  # lanes name groups: the office would create them first
                missing = {dict(p.params)["group"] for p in check(session, bundle) if p.code == "group_missing"}
                for group in sorted(missing):
                    create_group(session, group, group)
            with self.rt.transaction() as session:
                done = deploy(session, ADMIN, bundle)
                keys += [d.definition.key for d in done.all]
        return keys

    def start(self, key: str, data: dict[str, Any] | None = None) -> int:
        return start_case(self.rt, ADMIN, key, data or {}).id

    def case(self, case_id: int, history: bool = False) -> dict[str, Any]:
        with self.rt.reading() as session:
            return case_json(session, visible_case(session, ADMIN, case_id), history=history)

    def data(self, case_id: int) -> dict[str, Any]:
        return self.case(case_id)["data"]

    def status(self, case_id: int) -> str:
        return self.case(case_id)["status"]

    def open_tasks(self, case_id: int) -> list[str]:
        """The element ids of the case's open tasks, oldest first."""
        return [t["name"] for t in self.case(case_id)["open_tasks"]]

    def complete(self, case_id: int, name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Complete the case's first open task whose element id or label is ``name``."""
        tasks = self.case(case_id)["open_tasks"]
        found = next((t for t in tasks if name in (t["name"], t["title"])), None)
        assert found is not None, f"no open task {name!r} in {[t['name'] for t in tasks]}"
        complete_task(self.rt, ADMIN, found["id"], data or {})
        return self.case(case_id)

    def open_task_data(self, case_id: int, name: str) -> list[tuple[str, dict[str, Any]]]:
        """(task id, the data the task sees) for each open task ``name`` of the case."""
        return [(t["id"], task_values(self.rt, ADMIN, t["id"])) for t in self.case(case_id)["open_tasks"]
                if name in (t["name"], t["title"])]

    def complete_id(self, task_id: str, data: dict[str, Any] | None = None) -> None:
        complete_task(self.rt, ADMIN, task_id, data or {})

    def wait(self, case_id: int, delta: timedelta) -> dict[str, Any]:
        """Move the clock and let the scheduler fire the case's due timers."""
        clock.advance(delta)
        wake_case(self.rt, case_id)
        return self.case(case_id)

    def events(self, case_id: int, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.case(case_id, history=True)["history"] if e["kind"] == kind]

    def path(self, case_id: int) -> dict[str, set[str]]:
        """The elements of the case that ran (``completed``), wait or are ready (``current``), or failed."""
        with self.rt.reading() as session:
            found = case_diagram(self.rt, session, ADMIN, case_id)
        return {k: set(found[k]) for k in ("completed", "current", "errors")}

    def result(self, case_id: int) -> dict[str, Any]:
        """The case data as SpiffWorkflow's workflow data: without Docket's record of who started the case."""
        return {k: v for k, v in self.data(case_id).items() if k != "initiator"}

    def send(self, name: str, correlation: dict[str, Any] | None = None, data: dict[str, Any] | None = None
             ) -> dict[str, list[int]]:
        return send_message(self.rt, ADMIN, name, correlation, data).as_dict()

    def signal(self, name: str, data: dict[str, Any] | None = None) -> dict[str, list[int]]:
        return send_signal(self.rt, ADMIN, name, data).as_dict()

    def cases_of(self, process: str) -> list[int]:
        with self.rt.reading() as session:
            return sorted(c["id"] for c in list_cases(session, ADMIN, process=process)["items"])
