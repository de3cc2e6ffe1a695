"""Task forms: checking form files, validating and coercing submissions, building and rendering fields."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict

from engine.forms import (
    FieldError,
    check_form_document,
    coerce_form_input,
    field_views,
    form_title,
    validate_submission,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "webui" / "templates"

REVIEW_FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "提案审查",
    "x-i18n": {"en": {"title": "Proposal review"}},
    "x-order": ["decision", "reasons", "due", "co_departments", "score", "public", "case_no"],
    "required": ["decision", "reasons"],
    "properties": {
        "case_no": {"type": "string", "title": "提案编号", "readOnly": True},
        "public": {"type": "boolean", "title": "公开答复", "x-i18n": {"en": {"title": "Public reply"}}},
        "score": {"type": "integer", "minimum": 1, "maximum": 5, "title": "质量评分",
                  "x-i18n": {"en": {"title": "Quality score"}}},
        "decision": {
            "type": "string",
            "title": "审查结论",
            "description": "按提案工作条例第十二条作出",
            "enum": ["file", "merge", "suggestion", "reject"],
            "x-widget": "radio",
            "x-enum-labels": {"file": "立案", "merge": "并案", "suggestion": "转为意见建议",
                              "reject": "不予立案"},
            "x-i18n": {"en": {"title": "Decision", "description": "Per article 12 of the proposal rules",
                              "enum_labels": {"file": "Accept", "merge": "Merge", "reject": "Reject"}}},
        },
        "reasons": {"type": "string", "title": "理由", "x-widget": "textarea",
                    "minLength": 1, "maxLength": 200, "x-i18n": {"en": {"title": "Reasons"}}},
        "due": {"type": "string", "format": "date", "title": "办理期限"},
        "co_departments": {
            "type": "array",
            "title": "协办部门",
            "uniqueItems": True,
            "items": {"enum": ["hr", "finance", "logistics"]},
            "x-enum-labels": {"hr": "人事处", "finance": "财务处", "logistics": "后勤处"},
            "x-i18n": {"en": {"title": "Co-departments", "enum_labels": {"hr": "Human resources"}}},
        },
    },
}

GOOD = {"decision": "file", "reasons": "涉及全体教职工福利，应予立案。", "due": "2024-06-30",
        "co_departments": ["hr", "finance"], "score": 4, "public": True}


@pytest.fixture
def form() -> dict:
    return copy.deepcopy(REVIEW_FORM)


@pytest.fixture
def render():
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.globals["_"] = lambda text: text
    source = '{% from "macros/form.html" import render_fields %}{{ render_fields(fields) }}'
    template = env.from_string(source)
    return lambda fields: template.render(fields=fields)


# --- check_form_document ---------------------------------------------------------------------------------


def test_good_form_document_has_no_problems(form):
    assert check_form_document(form) == []


@pytest.mark.parametrize("doc, expected", [
    ([1, 2], "JSON object"),
    ({"type": "object", "properties": {"a": {"type": "strin"}}}, "not a valid JSON Schema"),
    ({"type": "object", "properties": {"a": {"maxLength": -1}}}, "not a valid JSON Schema"),
    ({"type": "array", "items": {"type": "string"}}, '"type": "object"'),
    ({"type": "object", "properties": {"a": {"type": "string", "x-widget": "slider"}}}, "x-widget 'slider'"),
    ({"type": "object", "properties": {"a": {"type": "string", "x-widget": "select"}}}, "needs an enum"),
    ({"type": "object", "properties": {"a": {"type": "string", "x-widget": "checkboxes"}}}, "items.enum"),
    ({"type": "object", "x-order": ["a", "b"], "properties": {"a": {"type": "string"}}}, "unknown field 'b'"),
    ({"type": "object", "x-order": "a", "properties": {"a": {"type": "string"}}}, "x-order must be a list"),
    ({"type": "object", "required": ["b"], "properties": {"a": {"type": "string"}}}, "required field 'b'"),
])
def test_bad_form_documents(doc, expected):
    problems = check_form_document(doc)
    assert problems, doc
    assert any(expected in p for p in problems), problems


# --- validate_submission ---------------------------------------------------------------------------------


def test_valid_submission(form):
    assert validate_submission(form, GOOD) == []


def test_errors_are_per_field_and_in_form_order(form):
    data = {"decision": "postpone", "due": "2024-02-30", "co_departments": ["hr", "hr"], "score": 9}
    errors = validate_submission(form, data)
    assert errors == [
        FieldError("decision", "must be one of: 立案, 并案, 转为意见建议, 不予立案"),
        FieldError("reasons", "is required"),
        FieldError("due", "must be a valid date (YYYY-MM-DD)"),
        FieldError("co_departments", "must not contain duplicates"),
        FieldError("score", "must be at most 5"),
    ]


def test_too_long_and_wrong_types(form):
    data = dict(GOOD, reasons="长" * 201, score="four", public="yes")
    assert validate_submission(form, data) == [
        FieldError("reasons", "must be at most 200 characters"),
        FieldError("score", "must be a whole number"),
        FieldError("public", "must be true or false"),
    ]


def test_array_item_errors_use_a_dotted_path(form):
    errors = validate_submission(form, dict(GOOD, co_departments=["hr", "library"]))
    assert errors == [FieldError("co_departments.1", "must be one of: 人事处, 财务处, 后勤处")]


def test_nested_objects_are_validated(form):
    form["properties"]["items"] = {
        "type": "array", "title": "明细",
        "items": {"type": "object", "required": ["name"], "additionalProperties": False,
                  "properties": {"name": {"type": "string"}, "amount": {"type": "number", "minimum": 0}}},
    }
    data = dict(GOOD, items=[{"name": "会场", "amount": 10}, {"amount": -1, "colour": "red"}])
    assert validate_submission(form, data) == [
        FieldError("items.1.name", "is required"),
        FieldError("items.1.colour", "is not an allowed field"),
        FieldError("items.1.amount", "must be at least 0"),
    ]


def test_date_time_and_email_formats():
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"},
                                               "mail": {"type": "string", "format": "email"}}}
    assert validate_submission(schema, {"at": "2024-05-01T09:30", "mail": "li@example.edu.cn"}) == []
    assert validate_submission(schema, {"at": "next Tuesday", "mail": "nobody"}) == [
        FieldError("at", "must be a valid date-time"),
        FieldError("mail", "must be a valid email"),
    ]


# --- coerce_form_input -----------------------------------------------------------------------------------


def test_coerce_a_complete_post(form):
    post = MultiDict([("csrf_token", "abc"), ("decision", "merge"), ("reasons", "与第 12 号提案\r\n内容相同"),
                      ("due", "2024-07-01"), ("co_departments", "hr"), ("co_departments", "logistics"),
                      ("score", " 3 "), ("public", "on"), ("case_no", "forged")])
    data, errors = coerce_form_input(form, post)
    assert errors == []
    assert data == {"decision": "merge", "reasons": "与第 12 号提案\n内容相同", "due": "2024-07-01",
                    "co_departments": ["hr", "logistics"], "score": 3, "public": True}
    assert validate_submission(form, data) == []


def test_coerce_empty_and_absent_values(form):
    post = MultiDict([("decision", ""), ("reasons", "   "), ("due", ""), ("score", "")])
    data, errors = coerce_form_input(form, post)
    assert errors == []
    assert data == {"co_departments": [], "public": False}  # unticked checkbox is False, not missing
    assert [e.field for e in validate_submission(form, data)] == ["decision", "reasons"]


def test_coerce_bad_numbers(form):
    _, errors = coerce_form_input(form, MultiDict([("score", "四")]))
    assert errors == [FieldError("score", "must be a number")]
    _, errors = coerce_form_input(form, MultiDict([("score", "3.5")]))
    assert errors == [FieldError("score", "must be a whole number")]
    data, errors = coerce_form_input(form, MultiDict([("score", "５")]))  # full-width digit from an IME
    assert errors == [] and data["score"] == 5


def test_coerce_radio_booleans_typed_enums_and_plain_dicts():
    schema = {"type": "object", "properties": {
        "agree": {"type": "boolean", "x-widget": "radio"},
        "level": {"enum": [1, 2, 3], "x-widget": "select"},
        "ratio": {"type": "number"},
    }}
    assert coerce_form_input(schema, {"agree": "false", "level": "2", "ratio": "0.5"}) == (
        {"agree": False, "level": 2, "ratio": 0.5}, [])
    data, errors = coerce_form_input(schema, {"agree": "maybe"})
    assert errors == [FieldError("agree", "must be yes or no")]


# --- field_views and form_title --------------------------------------------------------------------------


def test_field_views_follow_x_order_and_locale(form):
    zh = field_views(form, "zh_CN")
    en = field_views(form, "en")
    assert [f.name for f in zh] == REVIEW_FORM["x-order"]
    assert [f.label for f in zh][:3] == ["审查结论", "理由", "办理期限"]
    assert [f.label for f in en][:3] == ["Decision", "Reasons", "办理期限"]  # no English title: default
    decision = {f.name: f for f in en}["decision"]
    assert decision.widget == "radio" and decision.required
    assert decision.description == "Per article 12 of the proposal rules"
    assert decision.options == [("file", "Accept"), ("merge", "Merge"), ("suggestion", "转为意见建议"),
                                ("reject", "Reject")]
    assert form_title(form, "zh_CN") == "提案审查"
    assert form_title(form, "en") == "Proposal review"
    assert form_title({"type": "object"}, "en") is None


def test_field_views_widgets_values_and_errors(form):
    values = dict(GOOD, case_no="TA-2024-017")
    errors = [FieldError("reasons", "must be at most 200 characters")]
    fields = {f.name: f for f in field_views(form, "zh_CN", values, errors)}
    assert fields["due"].widget == "date" and fields["due"].input_type == "date"
    assert fields["co_departments"].widget == "checkboxes"
    assert fields["co_departments"].value == ["hr", "finance"]
    assert fields["score"].widget == "number" and fields["score"].value == "4"
    assert fields["score"].attrs == {"min": 1, "max": 5, "step": "1"}
    assert fields["reasons"].attrs == {"minlength": 1, "maxlength": 200}
    assert fields["reasons"].error == "must be at most 200 characters"
    assert fields["public"].widget == "checkbox" and fields["public"].value is True
    assert fields["case_no"].read_only and fields["case_no"].value == "TA-2024-017"
    assert fields["decision"].error is None


def test_field_views_keep_what_the_user_typed(form):
    post = MultiDict([("score", "abc"), ("co_departments", "finance")])
    fields = {f.name: f for f in field_views(form, "zh_CN", post)}
    assert fields["score"].value == "abc"
    assert fields["co_departments"].value == ["finance"]
    assert fields["public"].value is False


# --- the Jinja macro -------------------------------------------------------------------------------------


def test_macro_renders_required_marker_errors_and_selection(form, render):
    data = dict(GOOD, decision="merge", reasons="")
    errors = [FieldError("reasons", "is required")]
    html = render(field_views(form, "zh_CN", data, errors))
    assert "<form" not in html
    # radio group in a fieldset, with a legend carrying the required marker
    assert re.search(r'<fieldset class="field field-radio" id="field-decision" '
                     r'aria-describedby="field-decision-help">\s*<legend class="field-label">审查结论 '
                     r'<span class="field-required"[^>]*>\*</span></legend>', html)
    assert re.search(r'<input[^>]*type="radio"[^>]*value="merge" checked required>', html)
    assert re.search(r'<label for="field-decision-2">并案</label>', html)
    # textarea in error: wrapper class, aria wiring, message under the field
    assert '<div class="field field-textarea field-error">' in html
    assert re.search(r'<textarea[^>]*id="field-reasons"[^>]*maxlength="200"[^>]*'
                     r'aria-describedby="field-reasons-error" aria-invalid="true" required>', html)
    assert '<p class="field-error-text" id="field-reasons-error">is required</p>' in html
    # checkboxes, date and number inputs
    assert re.search(r'type="checkbox" id="field-co_departments-2" name="co_departments" value="finance" '
                     r'checked>', html)
    assert '<input class="field-input" type="date" id="field-due" name="due" value="2024-06-30">' in html
    assert 'type="number" id="field-score" name="score" value="4" min="1" max="5" step="1">' in html
    assert re.search(r'type="checkbox" id="field-public" name="public" value="true" checked>', html)
    # read-only: shown, never submitted
    assert re.search(r'<input[^>]*id="field-case_no" value=""[^>]*readonly>', html)
    assert 'name="case_no"' not in html


def test_macro_select_options(render):
    schema = {"type": "object", "required": ["level"], "properties": {
        "level": {"enum": ["a", "b"], "x-enum-labels": {"a": "一级", "b": "二级"}},
        "kind": {"enum": ["x", "y"], "title": "类别"},
    }}
    html = render(field_views(schema, "zh_CN", {"level": "b"}))
    level = html[html.index('id="field-level"'):html.index("</select>")]
    assert '<option value="">' not in level  # required and already chosen: no empty choice
    assert '<option value="b" selected>二级</option>' in level
    kind = html[html.index('id="field-kind"'):]
    assert '<option value="">Please choose</option>' in kind  # the msgid; pages read 请选择
    assert "selected" not in kind
    html = render(field_views(schema, "zh_CN"))
    assert '<option value="">Please choose</option>\n    <option value="a">一级</option>' in html  # placeholder


def test_macro_escapes_values(render):
    schema = {"type": "object", "properties": {"note": {"type": "string", "title": "<b>备注</b>"}}}
    html = render(field_views(schema, "zh_CN", {"note": '"><script>alert(1)</script>'}))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;备注&lt;/b&gt;" in html
