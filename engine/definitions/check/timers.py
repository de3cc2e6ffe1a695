"""Timer events: a literal value is valid ISO 8601 (duration, date or cycle); an expression compiles."""

from __future__ import annotations

import ast
import re
from datetime import datetime

from lxml import etree

from ..expressions import ExpressionError, is_camunda_expression, translate_camunda
from ..xml import bpmn, local
from .report import Report, owner_id
from .scripts import check_expression

DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


TIMER_KINDS = {"timeDuration": "duration", "timeDate": "date", "timeCycle": "cycle"}
ISO_START = re.compile(r"^(R\d*/|P(?=[\dT])|\d{4}-\d)", re.IGNORECASE)


def _timer_literal(text: str) -> str | None:
    """The ISO text of a literal timer value (quoted, or bare as Camunda Modeler writes it), or None when the
    value is an expression evaluated when the timer starts."""
    if is_camunda_expression(text):
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text if ISO_START.match(text) else None
    return value if isinstance(value, str) else None


def _iso_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return bool(re.match(r"^\d{4}-?W\d\d-?\d(T.+)?$", text))
    return True


def _iso_cycle(text: str) -> bool:
    parts = text.upper().replace("--", "/").split("/")
    if len(parts) not in (2, 3) or not re.match(r"^R\d*$", parts[0]):
        return False
    rest = parts[1:]
    durations = [p for p in rest if DURATION.match(p)]
    return bool(durations) and all(DURATION.match(p) or _iso_date(p) for p in rest)


def check_timer(report: Report, definition: etree._Element) -> None:
    """Literal timer values must be valid ISO 8601; expressions must compile in the sandbox."""
    for child in definition.iterchildren(*(bpmn(t) for t in TIMER_KINDS)):
        text = (child.text or "").strip()
        if not text:
            continue
        kind = TIMER_KINDS[local(child.tag)]
        literal = _timer_literal(text)
        element = owner_id(definition.getparent())
        if literal is None:
            source = text
            if is_camunda_expression(text):
                try:
                    source = translate_camunda(text)
                except ExpressionError as exc:
                    report.flag(child, "expression_problem", element=element, what="timer", detail=str(exc))
                    continue
            check_expression(report, child, source, "timer", element=element)
            continue
        valid = {"duration": lambda v: bool(DURATION.match(v)), "date": _iso_date, "cycle": _iso_cycle}[kind]
        if not valid(literal.strip()):
            report.flag(child, f"timer_{kind}_invalid", element=element, value=repr(literal))
