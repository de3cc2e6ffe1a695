"""The registry of named behaviours: registration rules and helpers reaching the sandbox."""

from __future__ import annotations

import pytest

from engine.behaviours import Behaviour, Param, Registry
from engine.scripts import make_script_engine


def test_connector_declares_its_parameters() -> None:
    reg = Registry()

    @reg.connector("echo", doc="Return the text.", params=[Param("text", "what to return", required=True),
                                                           Param("upper", "capitalise")])
    def echo(call: object, text: str, upper: bool = False) -> str:
        return text.upper() if upper else text

    found = reg.find("connector", "echo")
    assert found is not None and found.fn is echo
    assert found.required == ("text",)
    assert found.param("upper") is not None and found.param("missing") is None
    assert reg.find("connector", "other") is None


def test_a_name_cannot_be_taken_twice() -> None:
    reg = Registry()
    reg.property("stage", doc="The stage label.")
    with pytest.raises(ValueError, match="registered twice"):
        reg.property("stage", doc="Something else.")
    with pytest.raises(ValueError, match="identifiers"):
        reg.add(Behaviour("helper", "not a name", "bad"))
    with pytest.raises(ValueError, match="unknown behaviour kind"):
        reg.add(Behaviour("gadget", "x", "bad"))


def test_helpers_are_callable_from_sandboxed_expressions() -> None:
    reg = Registry()

    @reg.helper("twice", doc="Double a number.")
    def twice(n: int) -> int:
        return 2 * n

    engine = make_script_engine(reg.helper_functions())
    assert engine.environment.evaluate("twice(n) + 1", {"n": 20}) == 41
