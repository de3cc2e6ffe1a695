"""Start forms: a process whose start shows a form has no case until that form is submitted valid.

Two ways for a BPMN file to declare one:

* a ``formKey`` on the plain start event (SpiffWorkflow property or ``camunda:formKey``): the submitted data
  are the case's first variables;
* the property ``startForm="true"`` on the process's first user task (usually assigned to ``=initiator``): the
  starter fills that step's form before the case exists, and the case starts and completes the step in one
  transaction, so the step's rules and history run as for any other step.

Either way a refused submission leaves nothing behind: no case, no business key used up. Drafts of a start
form are kept per user (``start:<process key>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy.orm as so

from .access import Actor
from .approval.drafts import checked_draft, draft_of, drop_drafts, put_draft, start_target
from .behaviours import behaviours
from .casework import clean_input
from .clock import utcnow
from .errors import Conflict, Forbidden, Invalid, NotFound
from .forms import validate_submission
from .instances import begin_case, may_start
from .models import Case
from .office.units import served_form
from .queries import latest_definition
from .runtime import Runtime
from .tasks import finish_task

START_FORM = "startForm"
behaviours.property(START_FORM, doc="On the first user task of a process (assigned to the starter): its form is "
                                    "the process's start form. The case, and its business key, exist only once "
                                    "that form is submitted valid; the case starts and completes the step in one "
                                    "transaction. A plain start event's `formKey` is a start form too.")


@dataclass
class StartForm:
    """What the start page shows: the process, its form (None when it starts without one) and the draft."""

    process: str
    name: str
    version: int
    schema: dict[str, Any] | None
    step: str | None
    draft: dict[str, Any] | None = None
    draft_saved_at: str | None = None


def start_form(rt: Runtime, session: so.Session, actor: Actor, process_key: str) -> StartForm:
    """The start form of the latest version of ``process_key`` with the actor's draft.

    :raises NotFound: the process is not deployed. :raises Conflict: it is retired.
    :raises Forbidden: the actor may not start it.
    """
    definition = latest_definition(session, process_key)
    if definition.retired_at is not None:
        raise Conflict(f"process '{process_key}' is retired: it takes no new cases")
    if not may_start(actor, definition):
        raise Forbidden(f"you may not start process '{process_key}'")
    parsed = rt.definition(session, definition.id)
    meta = parsed.meta
    key = meta.start_form
    if meta.start_step is not None:
        key = meta.tasks[meta.start_step].form_key or key
    schema = served_form(session, parsed.forms.get(key)) if key else None
    draft = draft_of(session, actor.username, start_target(process_key)) if schema is not None else None
    return StartForm(process_key, definition.name, definition.version, schema, meta.start_step,
                     draft.data if draft else None, draft.saved_at.isoformat() if draft else None)


def submit_start_form(rt: Runtime, actor: Actor, process_key: str, data: Any) -> Case:
    """Validate the start form and start the case with it, all in one transaction (nothing is left behind
    when it fails); the actor's start draft is removed.

    :raises Invalid: the form has errors (``details`` name the fields). :raises Forbidden: may not start.
    :raises NotFound: the process is not deployed.
    """
    if not isinstance(data, dict):
        raise Invalid("the form data must be a JSON object", [{"field": "data", "message": "must be an object"}])
    data = clean_input(data)
    now = utcnow()
    with rt.transaction() as session:
        form = start_form(rt, session, actor, process_key)
        if form.schema is not None:
            errors = validate_submission(form.schema, data)
            if errors:
                raise Invalid("the form has errors", [e.detail() for e in errors])
        definition = latest_definition(session, process_key)
        title_field = (definition.settings or {}).get("titleField", "title")
        first = {title_field: data[title_field]} if form.step and title_field in data else {}
        case, workflow = begin_case(rt, session, actor, definition, first if form.step else dict(data), now)
        if form.step is not None:
            task = next((t for t in case.open_task_rows or [] if t.name == form.step), None)
            if task is None:
                raise Conflict(f"the start form's step '{form.step}' did not open when the case started")
            if task.assignee not in (None, actor.username):
                raise Forbidden(f"the start form's step '{form.step}' is not the starter's")
            workflow = finish_task(rt, session, actor, case, task, data, now, workflow)
        drop_drafts(session, start_target(process_key), actor.username)
    rt.checkin(case, workflow)
    return case


def save_start_draft(rt: Runtime, actor: Actor, process_key: str, data: Any) -> dict[str, Any]:
    """Keep ``data`` as the actor's draft of the process's start form (not validated; no case is made).

    :raises NotFound: the process is not deployed or has no start form. :raises Forbidden: may not start it.
    :raises Invalid: the draft is not a JSON object.
    """
    data = checked_draft(data)
    with rt.transaction() as session:
        if start_form(rt, session, actor, process_key).schema is None:
            raise NotFound(f"process '{process_key}' has no start form")
        row = put_draft(session, actor.username, start_target(process_key), data)
        return {"saved_at": row.saved_at.isoformat(), "data": row.data}
