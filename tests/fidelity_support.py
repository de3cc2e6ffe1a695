"""Drive BPMN models through Docket's engine commands, the way SpiffWorkflow's own tests drive its workflows:
deploy files, start a case, complete its open tasks by element id or label, move the clock and wake the case,
send messages and signals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from conftest import ADMIN

from engine.clock import clock
from engine.definitions.bundle import Bundle, bundle_from_file
from engine.deploy import deploy
from engine.instances import start_case, task_values, wake_case
from engine.queries import case_json, visible_case
from engine.runtime import Runtime
from engine.tasks import complete_task

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
            bundle = bundle_from_file(path) if not dmn else Bundle(bpmn=path.read_bytes(), filename=str(path))
            for extra in dmn:
                extra = SPIFF / extra if not Path(extra).is_absolute() else Path(extra)
                bundle.dmn[extra.name] = extra.read_text(encoding="utf-8")
            with self.rt.transaction() as session:
                done = deploy(session, ADMIN, bundle)
                keys += [d.definition.key for d in done.all]
        return keys

    def start(self, key: str, data: dict[str, Any] | None = None) -> int:
        return start_case(self.rt, ADMIN, key, data or {}).id

    def case(self, case_id: int) -> dict[str, Any]:
        with self.rt.reading() as session:
            return case_json(session, visible_case(session, ADMIN, case_id), history=True)

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
        return [e for e in self.case(case_id)["history"] if e["kind"] == kind]
