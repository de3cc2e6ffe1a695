"""The ``x-options`` keyword: a form field whose options are organisation units, filled in when served."""

from __future__ import annotations

from engine.forms import UnitChoice, check_form_document, field_views, validate_submission, with_unit_options

FORM = {"type": "object", "required": ["lead"], "properties": {
    "lead": {"type": "string", "title": "主办单位", "x-widget": "select", "x-options": {"units": "department"}},
    "co": {"type": "array", "items": {"type": "string"}, "x-widget": "checkboxes", "uniqueItems": True,
           "x-options": {"units": ["department", "college"]}},
    "committees": {"type": "array", "items": {"type": "string"}, "x-options": {"units": "committee", "value": "group"}},
}}
UNITS = [UnitChoice("hr", "人事处", "department", "dept:hr", True),
         UnitChoice("old", "旧部门", "department", "dept:old", False),
         UnitChoice("cs", "计算机学院", "college", "dept:cs", True),
         UnitChoice("welfare", "福利保障专门委员会", "committee", "specialist:welfare", True)]


def test_served_form_offers_the_active_units_and_names_every_unit() -> None:
    form = with_unit_options(FORM, UNITS)
    assert form["properties"]["lead"]["enum"] == ["hr"]
    assert form["properties"]["lead"]["x-enum-labels"] == {"hr": "人事处", "old": "旧部门"}
    assert form["properties"]["co"]["items"]["enum"] == ["hr", "cs"]
    assert form["properties"]["committees"]["items"]["enum"] == ["specialist:welfare"]
    assert "enum" not in FORM["properties"]["lead"]  # the stored form is untouched
    views = {v.name: v for v in field_views(form, "zh_CN", {"lead": "hr"})}
    assert views["lead"].options == [("hr", "人事处")] and views["co"].widget == "checkboxes"
    assert validate_submission(form, {"lead": "old"})[0].field == "lead"  # inactive: refused
    assert validate_submission(form, {"lead": "hr", "co": ["cs"], "committees": ["specialist:welfare"]}) == []
    shown = with_unit_options(FORM, UNITS, include_inactive=True)
    assert dict(field_views(shown, "zh_CN", {"lead": "old"})[0].options)["old"] == "旧部门"


def test_check_refuses_a_malformed_x_options() -> None:
    assert check_form_document(FORM) == []
    bad = {"type": "object", "properties": {
        "a": {"type": "string", "x-options": {"units": ""}},
        "b": {"type": "string", "x-options": {"units": "department", "value": "name"}},
        "c": {"type": "string", "enum": ["x"], "x-options": {"units": "department"}},
        "d": {"type": "integer", "x-options": {"units": "department"}}}}
    problems = check_form_document(bad)
    assert len(problems) == 4 and all(p.startswith(f"field '{n}'") for p, n in zip(problems, "abcd", strict=True))
