"""A check's findings: ``Problem`` (where and what, worded in any language) and the report that collects them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..wording import english, worded


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where, and what (a code with parameters, worded in any language)."""

    file: str
    line: int
    element: str
    message: str  # in English
    severity: str = "error"
    code: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, locale: str | None = None) -> str:
        """The message in ``locale`` (English without one)."""
        if not self.code or locale is None:
            return self.message
        return worded(self.code, dict(self.params), locale)

    def line_text(self, locale: str | None = None) -> str:
        """``file:line element message`` as ``docket check`` prints it."""
        where = f"{self.file}:{self.line}"
        prefix = "" if self.severity == "error" else f"{worded('severity_' + self.severity, {}, locale)}: "
        return f"{where} {self.element or '-'} {prefix}{self.text(locale)}"

    def __str__(self) -> str:
        return self.line_text()

    def as_dict(self, locale: str | None = None) -> dict[str, Any]:
        return {"element": self.element, "line": self.line, "severity": self.severity, "message": self.text(locale)}


class Report:
    """The problems found in one file, in the order found."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.root: etree._Element | None = None  # to find the line of an element named only by id
        self.problems: list[Problem] = []

    def add(self, node: etree._Element | None, message: str, severity: str = "error",
            element: str | None = None, line: int | None = None, code: str = "",
            params: dict[str, Any] | None = None) -> None:
        eid = element if element is not None else (node.get("id", "") if node is not None else "")
        ln = line if line is not None else (node.sourceline or 0 if node is not None else 0)
        if not ln and eid and self.root is not None:
            found = self.root.xpath("//*[@id=$eid]", eid=eid)
            ln = found[0].sourceline or 0 if found else 0
        self.problems.append(Problem(self.filename, ln, eid, message, severity, code,
                                     tuple(sorted((params or {}).items()))))

    def flag(self, node: etree._Element | None, code: str, severity: str = "error", element: str | None = None,
             line: int | None = None, **params: Any) -> None:
        """Add the problem ``code`` (a template of ``wording.TEMPLATES``) with its parameters."""
        self.add(node, english(code, params), severity, element, line, code, params)

    @property
    def failed(self) -> bool:
        return has_errors(self.problems)


def owner_id(node: etree._Element) -> str:
    """The id of ``node`` or of its nearest ancestor that has one."""
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id", "") if node is not None else ""


def has_errors(problems: list[Problem]) -> bool:
    """Whether any of ``problems`` blocks deployment (warnings do not)."""
    return any(p.severity == "error" for p in problems)
