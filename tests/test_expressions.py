"""Camunda (JUEL) expressions translated into Python, and the parts that are refused."""

from __future__ import annotations

import operator
import random

import pytest

from engine.definitions.expressions import (
    ExpressionError,
    is_camunda_expression,
    translate_camunda,
    translate_text_with_expressions,
)

VARS = {
    "amount": 1500, "approved": True, "rejected": False, "status": "pending", "comment": "", "note": "已阅",
    "score": 4, "count": 6, "total": 10, "a": 10, "b": 5, "c": 5, "x": "x", "y": "y", "nothing": None,
    "decision": "立案", "members": [], "applicant": {"dept": {"name": "物理系", "size": 40}, "title": "教授"},
}


def run(python: str, variables: dict | None = None) -> object:
    return eval(python, {"__builtins__": {"str": str}}, dict(VARS, **(variables or {})))  # noqa: S307


@pytest.mark.parametrize("juel, expected", [
    ("${amount > 1000 && approved}", True),
    ("${amount gt 1000 and not approved}", False),
    ("${amount >= 1500 && amount le 1500}", True),
    ("${status == 'pending' || status eq \"open\"}", True),
    ("${status != 'pending'}", False),
    ("${status ne 'closed' and score lt 5}", True),
    ("${!approved || rejected}", False),
    ("${!rejected}", True),
    ("${empty comment}", True),
    ("${not empty note}", True),
    ("${empty members && empty nothing}", True),
    ("${nothing == null}", True),
    ("${approved == true && rejected == false}", True),
    ("${applicant.dept.name == '物理系'}", True),
    ("${applicant.dept.size ge 40 && applicant.title == '教授'}", True),
    ("${decision == '立案'}", True),
    ("${count % 2 == 0}", True),
    ("${count mod 4 == 2 && total div 4 == 2.5}", True),
    ("${(a + b) * 2 >= 30}", True),
    ("${a - b - c == 0}", True),  # left-associative: (10 - 5) - 5
    ("${a - (b - c) == 10}", True),
    ("${-score < -3}", True),
    ("${-(a + b) == -15}", True),
    ("${total / 4 == 2.5}", True),
    ("${1.5e3 == amount}", True),
    ("${!x == y}", False),  # JUEL: (!x) == y, not !(x == y)
    ("${score < 5 == true}", True),  # JUEL: (score < 5) == true, not a chained comparison
    ("${!(approved && rejected)}", True),
    ("${approved || rejected && false}", True),  # && binds tighter than ||
    ("${(approved || rejected) && false}", False),
    ("${'it\\'s' == \"it's\"}", True),
    ("#{ approved }", True),
    ("  ${approved}  ", True),
])
def test_translations_evaluate_like_juel(juel, expected):
    python = translate_camunda(juel)
    compile(python, "<test>", "eval")
    assert run(python) == expected


@pytest.mark.parametrize("juel, python", [
    ("${amount > 1000 && approved}", "amount > 1000 and approved"),
    ("${a.b.c}", 'a["b"]["c"]'),
    ("${empty x}", "(not x)"),
    ("${true || null}", "True or None"),
    ("${!a == b}", "(not a) == b"),
    ("${x < y == true}", "(x < y) == True"),
])
def test_translation_text(juel, python):
    assert translate_camunda(juel) == python


@pytest.mark.parametrize("juel, problem, column", [
    ("${execution.getVariable('x') == 1}", "'(' call of method 'execution.getVariable'", 24),
    ("${now() > due}", "'(' call of unknown function 'now'", 6),
    ("${approved ? 'yes' : 'no'}", "ternary '?:'", 12),
    ("${items[0] == 'a'}", "index brackets", 8),
    ("${status = 'done'}", "assignment '='", 10),
    ("${applicant instanceof Person}", "operator 'instanceof'", 13),
    ("${list.stream().filter(x -> x > 1)}", "'(' call of method 'list.stream'", 14),
    ("${x -> x + 1}", "lambda '->'", 5),
    ("${status == 'done}", "unterminated string", 13),
    ("${fn:contains(name, 'a')}", "namespaced function 'fn:contains'", 3),
    ("${a & b}", "unknown operator '&'", 5),
    ("${a # b}", "unknown character '#'", 5),
    ("${}", "empty expression", 3),
    ("${a +}", "unexpected end of expression", 6),
    ("${(a || b}", "expected ')' to close '(' at column 3", 10),
    ("${a b}", "found 'b'", 5),
    ("${class == 1}", "name 'class'", 3),
    ("${__class__}", "name '__class__'", 3),
    ("${a} and ${b}", "several ${...} parts", 4),
])
def test_rejections_name_the_problem_and_column(juel, problem, column):
    with pytest.raises(ExpressionError) as info:
        translate_camunda(juel)
    message = str(info.value)
    assert problem in message
    assert f"at column {column}" in message


def test_unsupported_constructs_explain_the_subset():
    with pytest.raises(ExpressionError, match=r"only comparisons and boolean logic are translated"):
        translate_camunda("${execution.getVariable('amount') > 1000}")
    with pytest.raises(ExpressionError, match="not a Camunda expression"):
        translate_camunda("amount > 1000")
    assert issubclass(ExpressionError, ValueError)


@pytest.mark.parametrize("text, expected", [
    ("${a}", True), (" #{a} ", True), ("${a", False), ("a}", False), ("committee", False), ("$a}", False),
])
def test_is_camunda_expression(text, expected):
    assert is_camunda_expression(text) is expected


@pytest.mark.parametrize("text, python, value", [
    ("dept:${lead}", '"dept:" + str(lead)', "dept:li"),
    ("committee", '"committee"', "committee"),
    ("${lead}", "lead", "li"),  # a lone expression keeps its type
    ("${members}", "members", ["li", "wang"]),
    ("${applicant.dept}-${year}届", 'str(applicant["dept"]) + "-" + str(year) + "届"', "物理系-2024届"),
    ('say "hi" ${lead}', '"say \\"hi\\" " + str(lead)', 'say "hi" li'),
    ("${lead == '}'}", 'lead == "}"', False),
    ("\\${lead}", '"${lead}"', "${lead}"),
    ("", '""', ""),
])
def test_text_with_expressions(text, python, value):
    assert translate_text_with_expressions(text) == python
    variables = {"lead": "li", "members": ["li", "wang"], "applicant": {"dept": "物理系"}, "year": 2024}
    assert run(python, variables) == value


@pytest.mark.parametrize("text, problem", [
    ("dept:${lead", "never closed"),
    ("dept:${lead.getName()}", "call of method 'lead.getName'"),
    ("x ${'abc}", "unterminated string"),
])
def test_text_with_bad_expressions(text, problem):
    with pytest.raises(ExpressionError, match=problem):
        translate_text_with_expressions(text)


# JUEL precedence, loosest first; the printer below is independent of the translator's parser.
_BINARY = [("||", operator.or_, 1), ("&&", operator.and_, 2), ("==", operator.eq, 3), ("!=", operator.ne, 3),
           ("<", operator.lt, 4), (">=", operator.ge, 4), ("+", operator.add, 5), ("-", operator.sub, 5),
           ("*", operator.mul, 6)]


def _tree(rng: random.Random, depth: int) -> tuple[str, object, int]:
    """A random expression as (JUEL text with minimal parentheses, its value, its JUEL precedence)."""
    if depth == 0 or rng.random() < 0.2:
        name = rng.choice(["a", "b", "c", "approved", "rejected", "3", "0"])
        return name, run(name), 9
    if rng.random() < 0.2:
        text, value, prec = _tree(rng, depth - 1)
        text = text if prec >= 7 else f"({text})"
        return (f"!{text}", not value, 7) if rng.random() < 0.5 else (f"-{text}", -value, 7)
    symbol, func, prec = rng.choice(_BINARY)
    left, right = _tree(rng, depth - 1), _tree(rng, depth - 1)
    left_text = left[0] if left[2] >= prec else f"({left[0]})"
    right_text = right[0] if right[2] > prec else f"({right[0]})"
    if symbol in ("&&", "||"):  # Python's and/or return an operand, as the translation will
        value = (left[1] and right[1]) if symbol == "&&" else (left[1] or right[1])
    else:
        value = func(left[1], right[1])
    return f"{left_text} {symbol} {right_text}", value, prec


def test_random_expressions_keep_juel_precedence():
    rng = random.Random(20240601)
    for _ in range(500):
        text, value, _ = _tree(rng, 4)
        assert run(translate_camunda("${" + text + "}")) == value, text
