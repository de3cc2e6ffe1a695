"""The designer's guide (docs/designer.md) cannot drift: its behaviour reference is the registry's, it names every
BPMN element the checker accepts or refuses, and every example file it points to passes ``docket check``."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from conftest import ROOT

from engine.behaviour_reference import reference, with_reference
from engine.behaviours import KINDS, behaviours
from engine.cli import main
from engine.definitions.check import SUPPORTED, UNSUPPORTED_REASON

GUIDE = ROOT / "docs" / "designer.md"
TEXT = GUIDE.read_text(encoding="utf-8")
EXAMPLES = sorted(set(re.findall(r"`((?:docs/examples|processes)/[\w/.-]+\.bpmn)`", TEXT)))


def test_the_guide_holds_the_reference_of_every_registered_behaviour() -> None:
    assert with_reference(TEXT) == TEXT, "run: docket behaviours --write docs/designer.md"
    for kind in KINDS:
        for behaviour in behaviours.all(kind):
            assert f"`{behaviour.name}" in reference(), (kind, behaviour.name)
            for param in behaviour.params:
                assert f"`{param.name}`" in TEXT, (behaviour.name, param.name)


def test_the_guide_names_every_element_the_checker_accepts_or_refuses() -> None:
    for element in sorted(SUPPORTED | set(UNSUPPORTED_REASON)):
        assert f"`{element}`" in TEXT, element


def test_the_guide_points_to_examples_of_both_dialects_and_the_four_services() -> None:
    assert len(EXAMPLES) >= 9
    assert "docs/examples/notify/notify_camunda.bpmn" in EXAMPLES
    for process in ("hardship_aid", "staff_suggestion", "resolution_supervision", "activity_signup"):
        assert f"processes/{process}/{process}.bpmn" in EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_example_of_the_guide_passes_docket_check(path: str) -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / path)])
    assert result.exit_code == 0, result.output
    assert result.output == "", result.output  # no warnings either
