"""Deploying definitions: check, then store a new version only when the content changed."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .access import Actor
from .clock import utcnow
from .definitions.bundle import Bundle
from .definitions.check import Problem, check_bundle, has_errors
from .definitions.meta import executable_processes, read_process
from .definitions.parse import build, main_process
from .definitions.xml import parse_xml
from .errors import Forbidden, Invalid
from .models import Group, ProcessDefinition
from .runtime import Runtime
from .subscriptions import register_start_events


@dataclass
class Deployment:
    """The outcome for the file's main process; ``others`` for each other executable process in the file."""

    definition: ProcessDefinition
    created: bool
    warnings: list[Problem]
    others: list[Deployment] = field(default_factory=list)

    @property
    def all(self) -> list[Deployment]:
        return [self, *self.others]


def known_groups(session: so.Session) -> set[str]:
    return set(session.scalars(sa.select(Group.key)))


def check(session: so.Session, bundle: Bundle) -> list[Problem]:
    """Problems of ``bundle`` against the groups that exist in this database."""
    return check_bundle(bundle, known_groups(session))


def stored_templates(bundle: Bundle) -> dict[str, str]:
    """The bundle's document templates as the definition row keeps them (file name -> base64)."""
    return {name: base64.b64encode(data).decode("ascii") for name, data in sorted(bundle.templates.items())}


def deploy_process(rt: Runtime, actor: Actor, bundle: Bundle) -> Deployment:
    """Deploy ``bundle`` as the next version of its process (the command behind the API and the CLI); identical
    content is a no-op. Errors as for :func:`deploy`."""
    with rt.transaction() as session:
        return deploy(session, actor, bundle)


def deploy(session: so.Session, actor: Actor, bundle: Bundle) -> Deployment:
    """Deploy ``bundle`` in the caller's transaction; raises Invalid (nothing stored) on any error. Every
    executable process of the file gets a version of its own (startable by its key); the main process's
    outcome is returned with the others in ``others``."""
    if not actor.is_designer:
        raise Forbidden("only process designers and administrators may deploy processes")
    problems = check(session, bundle)
    if has_errors(problems):
        raise Invalid(
            f"{bundle.filename}: {sum(p.severity == 'error' for p in problems)} problem(s); nothing was deployed",
            [p.as_dict() for p in problems if p.severity == "error"],
        )
    warnings = [p for p in problems if p.severity != "error"]
    root = parse_xml(bundle.bpmn)
    main = main_process(root)
    others = [p for p in executable_processes(root) if p is not main]
    first, *rest = [_deploy_process(session, actor, bundle, process, warnings) for process in [main, *others]]
    first.others = rest
    return first


def _deploy_process(session: so.Session, actor: Actor, bundle: Bundle, process: Any,
                    warnings: list[Problem]) -> Deployment:
    """A new version of one executable process of the file, unless its content is unchanged."""
    meta = read_process(process)
    form_keys = meta.form_keys()
    digest = bundle.content_hash(form_keys)
    latest = session.scalars(
        sa.select(ProcessDefinition).where(ProcessDefinition.key == meta.key)
        .order_by(ProcessDefinition.version.desc()).limit(1).with_for_update()
    ).first()
    if latest is not None and latest.content_hash == digest:
        return Deployment(latest, False, warnings)
    definition = ProcessDefinition(
        key=meta.key, version=(latest.version + 1) if latest else 1, name=meta.name, content_hash=digest,
        bpmn_xml=bundle.bpmn.decode("utf-8"), forms={k: bundle.forms[k] for k in sorted(form_keys)},
        dmn=dict(bundle.dmn), templates=stored_templates(bundle), settings=dict(meta.settings),
        deployed_by=actor.username, deployed_at=utcnow(),
        retired_at=latest.retired_at if latest else None, retired_by=latest.retired_by if latest else None,
    )
    session.add(definition)
    session.flush()
    parsed = build(bundle.bpmn, bundle.dmn, bundle.forms, bundle.filename, meta.key)
    register_start_events(session, definition, parsed)
    return Deployment(definition, True, warnings)
