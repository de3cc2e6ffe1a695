"""Deploying definitions: check, then store a new version only when the content changed."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from .access import Actor
from .clock import utcnow
from .definitions.bundle import Bundle
from .definitions.check import Problem, check_bundle, has_errors
from .definitions.meta import read_process
from .definitions.parse import main_process
from .definitions.xml import parse_xml
from .errors import Forbidden, Invalid
from .models import Group, ProcessDefinition


@dataclass
class Deployment:
    definition: ProcessDefinition
    created: bool
    warnings: list[Problem]


def known_groups(session: so.Session) -> set[str]:
    return set(session.scalars(sa.select(Group.key)))


def check(session: so.Session, bundle: Bundle) -> list[Problem]:
    """Problems of ``bundle`` against the groups that exist in this database."""
    return check_bundle(bundle, known_groups(session))


def deploy(session: so.Session, actor: Actor, bundle: Bundle) -> Deployment:
    """Deploy ``bundle`` in the caller's transaction; raises Invalid (nothing stored) on any error."""
    if not actor.is_designer:
        raise Forbidden("only process designers and administrators may deploy processes")
    problems = check(session, bundle)
    if has_errors(problems):
        raise Invalid(
            f"{bundle.filename}: {sum(p.severity == 'error' for p in problems)} problem(s); nothing was deployed",
            [p.as_dict() for p in problems if p.severity == "error"],
        )
    meta = read_process(main_process(parse_xml(bundle.bpmn)))
    form_keys = meta.form_keys()
    digest = bundle.content_hash(form_keys)
    latest = session.scalars(
        sa.select(ProcessDefinition).where(ProcessDefinition.key == meta.key)
        .order_by(ProcessDefinition.version.desc()).limit(1).with_for_update()
    ).first()
    warnings = [p for p in problems if p.severity != "error"]
    if latest is not None and latest.content_hash == digest:
        return Deployment(latest, False, warnings)
    definition = ProcessDefinition(
        key=meta.key, version=(latest.version + 1) if latest else 1, name=meta.name, content_hash=digest,
        bpmn_xml=bundle.bpmn.decode("utf-8"), forms={k: bundle.forms[k] for k in sorted(form_keys)},
        dmn=dict(bundle.dmn), settings=dict(meta.settings), deployed_by=actor.username, deployed_at=utcnow(),
    )
    session.add(definition)
    session.flush()
    return Deployment(definition, True, warnings)
