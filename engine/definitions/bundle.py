"""A deployable bundle: one BPMN file plus the forms, DMN tables and document templates it uses."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Bundle:
    """What a designer deploys. ``forms`` maps form key -> parsed JSON; ``dmn`` maps file name -> XML;
    ``templates`` maps a document template's file name -> its bytes (DOCX)."""

    bpmn: bytes
    filename: str = "process.bpmn"
    forms: dict[str, Any] = field(default_factory=dict)
    dmn: dict[str, str] = field(default_factory=dict)
    form_errors: dict[str, str] = field(default_factory=dict)  # form key -> why the file could not be read
    templates: dict[str, bytes] = field(default_factory=dict)

    def add_generated_forms(self) -> None:
        """Forms for Camunda ``camunda:formData`` tasks that have no form file of their own."""
        from lxml import etree

        from .camunda_forms import generated_forms
        from .meta import form_key_of
        from .xml import parse_xml

        try:
            root = parse_xml(self.bpmn)
        except etree.XMLSyntaxError:
            return  # the checker reports it
        for key, schema in generated_forms(root, form_key_of).items():
            if key not in self.forms and key not in self.form_errors:
                self.forms[key] = schema

    def content_hash(self, form_keys: set[str]) -> str:
        """A hash over the BPMN, the referenced forms and the DMN tables: equal content, equal hash."""
        content = {
            "bpmn": self.bpmn.decode("utf-8", errors="replace").strip(),
            "forms": {k: self.forms[k] for k in sorted(form_keys) if k in self.forms},
            "dmn": {k: v.strip() for k, v in sorted(self.dmn.items())},
        }
        if self.templates:  # only then: the hash of a process without templates stays what it was
            content["templates"] = {k: hashlib.sha256(v).hexdigest() for k, v in sorted(self.templates.items())}
        raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()


def _read_forms(folder: Path, bundle: Bundle) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        try:
            bundle.forms.setdefault(path.stem, json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:
            bundle.form_errors[path.stem] = f"{path.name}: not valid JSON ({exc})"


TEMPLATE_SUFFIXES = (".docx",)


def read_templates(folder: Path, bundle: Bundle) -> None:
    """The document templates beside a BPMN file and in ``templates/`` beside it, by file name."""
    for path in [*sorted(folder.glob("*")), *sorted((folder / "templates").glob("*"))]:
        if path.suffix.lower() in TEMPLATE_SUFFIXES and path.is_file() and not path.name.startswith("~$"):
            bundle.templates.setdefault(path.name, path.read_bytes())


def bundle_from_file(path: Path, shared_forms: Path | None = None) -> Bundle:
    """A BPMN file with the forms in ``forms/`` beside it (then in ``shared_forms``), the DMN files beside
    it and in ``dmn/`` beside it, and the document templates beside it and in ``templates/``."""
    bundle = Bundle(bpmn=path.read_bytes(), filename=str(path))
    _read_forms(path.parent / "forms", bundle)
    if shared_forms is not None:
        _read_forms(shared_forms, bundle)
    for dmn in [*sorted(path.parent.glob("*.dmn")), *sorted((path.parent / "dmn").glob("*.dmn"))]:
        bundle.dmn.setdefault(dmn.name, dmn.read_bytes().decode("utf-8", errors="replace"))
    read_templates(path.parent, bundle)
    return bundle


def bundles_in(root: Path) -> list[Bundle]:
    """Every BPMN file under ``root`` (e.g. ``processes/``), each with its forms and DMN."""
    shared = root / "forms"
    return [bundle_from_file(p, shared) for p in sorted(root.rglob("*.bpmn")) if "tests" not in p.parts]
