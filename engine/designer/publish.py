"""Bundles from the browser (an uploaded file or the modeler's XML), checked and optionally deployed."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import PurePath

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.definitions.bundle import TEMPLATE_SUFFIXES, Bundle
from engine.definitions.check import Problem, has_errors
from engine.definitions.meta import read_process
from engine.definitions.parse import main_process
from engine.definitions.xml import parse_xml
from engine.deploy import check, deploy
from engine.errors import Forbidden
from engine.models import ProcessDefinition
from engine.runtime import Runtime


@dataclass
class Outcome:
    """What checking (and deploying) a bundle gave."""

    problems: list[Problem]
    key: str | None = None
    version: int | None = None
    created: bool = False
    forms_from_version: list[str] = field(default_factory=list)  # form keys taken from the deployed version

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def process_key(bpmn: bytes) -> str | None:
    """The id of the file's main process, or None when the file cannot be read that far."""
    try:
        return main_process(parse_xml(bpmn)).get("id")
    except Exception:  # the checker reports why
        return None


def make_bundle(filename: str, bpmn: bytes, extra: list[tuple[str, bytes]]) -> Bundle:
    """A bundle from a BPMN file plus form (``*.json``, the key is the file's stem), DMN (``*.dmn``) and
    document template (``*.docx``) files."""
    bundle = Bundle(bpmn=bpmn, filename=PurePath(filename or "process.bpmn").name)
    for name, data in extra:
        path = PurePath(name)
        if path.suffix.lower() == ".json":
            try:
                bundle.forms[path.stem] = json.loads(data.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                bundle.form_errors[path.stem] = f"{path.name}: not valid JSON ({exc})"
        elif path.suffix.lower() == ".dmn":
            bundle.dmn[path.name] = data.decode("utf-8", errors="replace")
        elif path.suffix.lower() in TEMPLATE_SUFFIXES:
            bundle.templates[path.name] = data
    return bundle


def _latest(session: so.Session, key: str) -> ProcessDefinition | None:
    return session.scalars(sa.select(ProcessDefinition).where(ProcessDefinition.key == key)
                           .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def _fill_from_latest(session: so.Session, bundle: Bundle) -> list[str]:
    """Forms, DMN and document templates the bundle lacks are taken from the process's deployed version."""
    key = process_key(bundle.bpmn)
    latest = _latest(session, key) if key else None
    if latest is None:
        return []
    try:
        wanted = read_process(main_process(parse_xml(bundle.bpmn))).form_keys()
    except Exception:
        wanted = set()
    taken = sorted(k for k in wanted if k not in bundle.forms and k not in bundle.form_errors
                   and k in (latest.forms or {}))
    for k in taken:
        bundle.forms[k] = latest.forms[k]
    for name, xml in (latest.dmn or {}).items():
        bundle.dmn.setdefault(name, xml)
    for name, data in (latest.templates or {}).items():
        bundle.templates.setdefault(name, base64.b64decode(data))
    return taken


def publish(rt: Runtime, actor: Actor, bundle: Bundle, do_deploy: bool) -> Outcome:
    """Check ``bundle``; when ``do_deploy`` and there is no error, deploy it (one transaction)."""
    if not actor.is_designer:
        raise Forbidden("only process designers and administrators may deploy processes")
    with rt.transaction() as session:
        taken = _fill_from_latest(session, bundle)
        problems = check(session, bundle)
        outcome = Outcome(problems, process_key(bundle.bpmn), forms_from_version=taken)
        if not do_deploy or has_errors(problems):
            return outcome
        done = deploy(session, actor, bundle)
        outcome.key, outcome.version, outcome.created = done.definition.key, done.definition.version, done.created
        return outcome
