"""Options from organisation units.

A field that offers units carries ``"x-options": {"units": "department"}`` (or a list of kinds) instead of an
``enum``; ``"value": "group"`` makes the option's value the unit's group key rather than the unit key. The
choices are filled in from the units table whenever the form is served or a submission is checked, so a unit
the office adds is offered at once and an inactive one is no longer accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .schema import item_enum, kind_of, properties_of

UNIT_OPTIONS = "x-options"
UNIT_VALUES = ("key", "group")


class UnitChoice(NamedTuple):
    key: str
    name: str
    kind: str
    group: str
    active: bool


def unit_option_fields(schema: Mapping[str, Any]) -> dict[str, tuple[tuple[str, ...], str]]:
    """field name -> (unit kinds, "key" or "group") for every field whose options come from units."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for name, prop in properties_of(schema).items():
        spec = prop.get(UNIT_OPTIONS) if isinstance(prop, dict) else None
        if isinstance(spec, dict):
            kinds = spec.get("units")
            kinds = (kinds,) if isinstance(kinds, str) else tuple(k for k in kinds or () if isinstance(k, str))
            found[name] = (kinds, spec.get("value", "key"))
    return found


def check_unit_options(doc: Mapping[str, Any]) -> list[str]:
    """Problems of the ``x-options`` keywords of a form."""
    problems = []
    for name, prop in properties_of(doc).items():
        if not isinstance(prop, dict) or UNIT_OPTIONS not in prop:
            continue
        spec = prop[UNIT_OPTIONS]
        kinds = spec.get("units") if isinstance(spec, dict) else None
        if not (isinstance(kinds, str) and kinds) and not (isinstance(kinds, list) and kinds and all(
                isinstance(k, str) and k for k in kinds)):
            problems.append(f"field '{name}': x-options needs \"units\": a unit kind or a list of kinds")
        elif spec.get("value", "key") not in UNIT_VALUES:
            problems.append(f"field '{name}': x-options \"value\" must be \"key\" or \"group\"")
        elif "enum" in prop or item_enum(prop) is not None:
            problems.append(f"field '{name}': x-options and enum exclude each other (the units are the options)")
        elif kind_of(prop) not in ("string", "array"):
            problems.append(f"field '{name}': x-options is for a text field or an array of texts")
    return problems


def with_unit_options(schema: Mapping[str, Any], units: list[UnitChoice], include_inactive: bool = False
                      ) -> dict[str, Any]:
    """A copy of ``schema`` whose unit fields offer the active units of their kinds (all units, for showing
    stored data, with ``include_inactive``); every unit of those kinds, active or not, keeps its name as a label."""
    fields = unit_option_fields(schema)
    if not fields:
        return dict(schema)
    out = dict(schema)
    props = dict(properties_of(schema))
    for name, (kinds, value) in fields.items():
        mine = [u for u in units if u.kind in kinds]
        labels = {(u.group if value == "group" else u.key): u.name for u in mine}
        offered = [(u.group if value == "group" else u.key) for u in mine if u.active or include_inactive]
        prop = dict(props[name])
        if kind_of(prop) == "array":
            items = dict(prop.get("items") if isinstance(prop.get("items"), dict) else {"type": "string"})
            items["enum"] = list(dict.fromkeys(offered))
            prop["items"] = items
        else:
            prop["enum"] = list(dict.fromkeys(offered))
        prop["x-enum-labels"] = {**labels, **(prop.get("x-enum-labels") or {})}
        props[name] = prop
    out["properties"] = props
    return out
