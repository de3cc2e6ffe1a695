"""Conditional fields of a form: which fields apply, and which are required, given the answers so far.

JSON Schema says it with ``if``/``then``/``else`` (at the root or in the root's ``allOf``),
``dependentRequired`` and ``dependentSchemas``:

* a field named in the ``properties`` of a ``then``, ``else`` or ``dependentSchemas`` part (and not required at
  the root) is *conditional*: it applies, and is shown, only while one of the conditions naming it holds;
* a field named in such a part's ``required`` (or a ``dependentRequired`` list) is required only while that
  condition holds; if no part's ``properties`` names it, it is shown all the time.

Hidden answers do not count: a field that no longer applies is ignored when deciding the others (so a chain of
conditions resolves the way the page shows it).

The server validates the whole schema with jsonschema as before; this module tells the form what to show,
what to mark required, and lets the page drop answers of fields that do not apply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator


@dataclass(frozen=True)
class Test:
    """One test of a condition on another field: its value is (or is not) one of ``values``; ``values`` None
    means the field merely has an answer."""

    field: str
    values: tuple[Any, ...] | None = None
    negate: bool = False


@dataclass
class Rule:
    """While the condition holds, ``fields`` apply (they are shown only then) and ``required`` must be answered.

    ``tests`` all hold for the condition to hold (``otherwise`` turns it round: an ``else`` branch);
    ``schema`` is the ``if`` schema the server evaluates; ``simple`` is False when the tests do not capture the
    ``if`` schema (the page then leaves the fields shown).
    """

    tests: list[Test]
    fields: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    schema: dict[str, Any] | None = None
    otherwise: bool = False
    simple: bool = True

    def holds(self, data: Mapping[str, Any]) -> bool:
        """Does the condition hold for ``data`` (only the fields that apply)?"""
        if self.schema is not None:
            valid = Draft202012Validator(self.schema).is_valid(dict(data))
            return valid != self.otherwise
        return all(_passes(t, data) for t in self.tests)

    def as_json(self) -> dict[str, Any]:
        """For the page's script: ``{"all": [{"field", "in"?, "not"}], "else": bool}`` (``in``: the values as
        the HTML form sends them)."""
        return {"all": [{"field": t.field, "not": t.negate,
                         **({"in": [v if isinstance(v, str) else json.dumps(v) for v in t.values]}
                            if t.values is not None else {})} for t in self.tests],
                "else": self.otherwise}


def _passes(test: Test, data: Mapping[str, Any]) -> bool:
    value = data.get(test.field)
    if test.values is None:
        found = value not in (None, "", [])
    elif isinstance(value, list):
        found = any(v in test.values for v in value)
    else:
        found = value in test.values
    return found != test.negate


def _tests(schema: Mapping[str, Any]) -> tuple[list[Test], bool]:
    """The tests an ``if`` schema makes, and whether they capture it entirely."""
    tests: list[Test] = []
    simple = set(schema) <= {"properties", "required", "type"}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name, rule in props.items():
        rule = rule if isinstance(rule, dict) else {}
        negate = False
        if set(rule) == {"not"} and isinstance(rule["not"], dict):
            rule, negate = rule["not"], True
        if "const" in rule and set(rule) <= {"const", "type"}:
            tests.append(Test(name, (rule["const"],), negate))
        elif isinstance(rule.get("enum"), list) and set(rule) <= {"enum", "type"}:
            tests.append(Test(name, tuple(rule["enum"]), negate))
        elif isinstance(rule.get("contains"), dict) and "const" in rule["contains"]:
            tests.append(Test(name, (rule["contains"]["const"],), negate))
        else:
            simple = False
    for name in schema.get("required") or ():
        if name not in props:
            tests.append(Test(name))
    return tests, simple


def _named(part: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    required = {n for n in part.get("required") or () if isinstance(n, str)}
    props = set(part["properties"]) if isinstance(part.get("properties"), dict) else set()
    return props, required


def rules_of(schema: Mapping[str, Any]) -> list[Rule]:
    """Every condition of the form (see the module's rules)."""
    rules: list[Rule] = []
    parts = [schema] + [p for p in schema.get("allOf") or () if isinstance(p, dict)]
    for part in parts:
        condition = part.get("if")
        if isinstance(condition, dict):
            tests, simple = _tests(condition)
            for branch, otherwise in (("then", False), ("else", True)):
                if isinstance(part.get(branch), dict):
                    fields, required = _named(part[branch])
                    rules.append(Rule(tests, fields, required, dict(condition), otherwise, simple))
        for name, needed in (part.get("dependentRequired") or {}).items():
            names = {n for n in needed if isinstance(n, str)}
            rules.append(Rule([Test(name)], set(), names))
        for name, sub in (part.get("dependentSchemas") or {}).items():
            if isinstance(sub, dict):
                fields, required = _named(sub)
                rules.append(Rule([Test(name)], fields, required))
    return rules


def requiring_rules(schema: Mapping[str, Any]) -> dict[str, list[Rule]]:
    """field -> the rules under which it is required, for the fields required only conditionally."""
    always = set(schema.get("required") or ())
    found: dict[str, list[Rule]] = {}
    for rule in rules_of(schema):
        for name in rule.required - always:
            found.setdefault(name, []).append(rule)
    return found


def conditional_fields(schema: Mapping[str, Any]) -> dict[str, list[Rule]]:
    """field -> the rules under which it applies, for the fields that apply only conditionally."""
    always = set(schema.get("required") or ())
    found: dict[str, list[Rule]] = {}
    for rule in rules_of(schema):
        for name in rule.fields - always:
            found.setdefault(name, []).append(rule)
    return found


@dataclass
class State:
    """What applies to one set of answers: the fields shown and the fields required now."""

    applies: dict[str, bool]
    required: set[str]
    sometimes_required: set[str]


def evaluate(schema: Mapping[str, Any], data: Mapping[str, Any]) -> State:
    """Which conditional fields apply to ``data`` and which fields are required (hidden answers ignored)."""
    conditional = conditional_fields(schema)
    rules = rules_of(schema)
    seen = {n: True for n in conditional}
    for _ in range(len(conditional) + 1):  # a chain of conditions settles in as many rounds as it has links
        visible = {k: v for k, v in data.items() if seen.get(k, True)}
        now = {n: any(r.holds(visible) for r in conditional[n]) for n in conditional}
        if now == seen:
            break
        seen = now
    visible = {k: v for k, v in data.items() if seen.get(k, True)}
    required = set(schema.get("required") or ())
    sometimes: set[str] = set()
    for rule in rules:
        sometimes |= rule.required
        if rule.holds(visible):
            required |= {n for n in rule.required if seen.get(n, True)}
    return State(seen, required, sometimes - set(schema.get("required") or ()))


def applicable(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without the answers of fields that do not apply (left behind in a hidden part of the form)."""
    state = evaluate(schema, data)
    return {k: v for k, v in data.items() if state.applies.get(k, True)}
