"""Translate Camunda (JUEL) ``${...}`` expressions into the Python expressions Docket evaluates.

Only a safe subset is translated: names and dotted access (``a.b`` becomes ``a["b"]``, case data being dicts),
numbers, quoted strings, ``true``/``false``/``null``, comparisons (also ``eq ne lt gt le ge``), boolean logic
(``&& || !`` and ``and or not``), ``empty``, parentheses and arithmetic ``+ - * / %`` (also ``div mod``).
Everything else (method and function calls, brackets, ``?:``, lambdas, assignment...) raises ExpressionError.

Semantics follow Python where the two differ: ``empty x`` is ``(not x)`` (so also true for 0 and False),
``%`` takes the sign of the divisor, ``+`` concatenates strings, and null in composite text reads "None".
"""

from __future__ import annotations

import ast
import json
import keyword
import re
from typing import NamedTuple


class ExpressionError(ValueError):
    """A Camunda expression Docket cannot translate; the message says what is wrong and at which column."""


class _Token(NamedTuple):
    kind: str  # "num", "str", "name", "op" or "end"
    text: str  # source text; for "str" the decoded value
    col: int  # 1-based column in the text given to the public function


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[^\W\d][\w$]*|\$[\w$]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|->|\+=|[-+*/%()<>!.?:\[\]=;,{}&|])
""", re.VERBOSE)

_WORDS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
          "ge": ">=", "div": "/", "mod": "%"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_UNSUPPORTED = {
    "?": "ternary '?:'", ":": "ternary '?:'", "[": "index brackets '[...]'", "]": "index brackets '[...]'",
    "=": "assignment '='", "+=": "string concatenation '+='", "->": "lambda '->'",
    ";": "statement separator ';'", ",": "list or argument separator ','", "{": "set or map literal '{...}'",
    "&": "unknown operator '&'", "|": "unknown operator '|'", "instanceof": "operator 'instanceof'",
    "}": "'}' (text with several ${...} parts is not a single expression)",
}
# Python precedence of what we emit: a child binding more loosely than its parent gets parentheses.
_OR, _AND, _NOT, _CMP, _ADD, _MUL, _UNARY, _ATOM = range(1, 9)
_LEVELS = [({"||": "or"}, _OR), ({"&&": "and"}, _AND), ({"==": "==", "!=": "!="}, _CMP),
           ({"<": "<", ">": ">", "<=": "<=", ">=": ">="}, _CMP), ({"+": "+", "-": "-"}, _ADD),
           ({"*": "*", "/": "/", "%": "%"}, _MUL)]


def _unsupported(what: str, col: int) -> ExpressionError:
    return ExpressionError(f"unsupported in a Camunda expression: {what} at column {col} "
                           "(only comparisons and boolean logic are translated)")


def _invalid(what: str, col: int) -> ExpressionError:
    return ExpressionError(f"invalid Camunda expression: {what} at column {col}")


def _py_str(value: str) -> str:
    """A Python string literal for ``value`` (double-quoted where JSON quoting is also valid Python)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if ast.literal_eval(text) == value else repr(value)


def _string_end(src: str, start: int) -> int:
    """Index of the quote closing the string opened at ``start``, or -1."""
    i = start + 1
    while i < len(src):
        if src[i] == "\\":
            i += 2
        elif src[i] == src[start]:
            return i
        else:
            i += 1
    return -1


def _tokenize(src: str, offset: int) -> list[_Token]:
    tokens, i = [], 0
    while i < len(src):
        col = offset + i + 1
        if src[i] in "'\"":
            end = _string_end(src, i)
            if end < 0:
                raise _invalid(f"unterminated string {src[i:i + 12]!r}", col)
            value = re.sub(r"\\([\\'\"])", r"\1", src[i + 1:end])  # EL escapes: \' \" \\
            tokens.append(_Token("str", value, col))
            i = end + 1
            continue
        match = _TOKEN.match(src, i)
        if not match:
            raise _invalid(f"unknown character {src[i]!r}", col)
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup or "", match.group(), col))
        i = match.end()
    tokens.append(_Token("end", "", offset + len(src) + 1))
    return tokens


class _Parser:
    """Recursive descent over JUEL precedence; each rule returns (Python text, Python precedence)."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.pos += 1
        return token

    def operator(self, token: _Token) -> str | None:
        if token.kind == "op":
            return token.text
        return _WORDS.get(token.text) if token.kind == "name" else None

    def fail(self, token: _Token, expected: str) -> ExpressionError:
        if token.text in _UNSUPPORTED and token.kind in ("op", "name"):
            return _unsupported(_UNSUPPORTED[token.text], token.col)
        if token.kind == "end":
            return _invalid(f"unexpected end of expression (expected {expected})", token.col)
        return _invalid(f"expected {expected}, found {token.text!r}", token.col)

    def expression(self) -> str:
        text, _ = self.binary(0)
        if self.peek().kind != "end":
            raise self.fail(self.peek(), "an operator or the end")
        return text

    def binary(self, level: int) -> tuple[str, int]:
        if level == len(_LEVELS):
            return self.unary()
        ops, prec = _LEVELS[level]
        left = self.binary(level + 1)
        while (op := ops.get(self.operator(self.peek()) or "")) is not None:
            self.take()
            right = self.binary(level + 1)
            # Left-associative operators keep an equal-precedence left child bare (comparisons never chain);
            # only and/or (associative) keep an equal-precedence right child bare.
            left_text = left[0] if left[1] > prec or (left[1] == prec != _CMP) else f"({left[0]})"
            right_text = right[0] if right[1] > prec or (right[1] == prec < _NOT) else f"({right[0]})"
            left = (f"{left_text} {op} {right_text}", prec)
        return left

    def unary(self) -> tuple[str, int]:
        token = self.peek()
        op = "empty" if token.kind == "name" and token.text == "empty" else self.operator(token)
        if op not in ("!", "-", "+", "empty"):
            return self.primary()
        self.take()
        text, prec = self.unary()
        if op in ("!", "empty"):
            operand = text if prec >= _NOT else f"({text})"  # a parenthesised a && b comes back bare
            return (f"not {operand}", _NOT) if op == "!" else (f"(not {operand})", _ATOM)
        return op + (text if prec >= _UNARY else f"({text})"), _UNARY

    def primary(self) -> tuple[str, int]:
        token = self.take()
        if token.kind == "num":
            return (str(int(token.text)) if token.text.isdigit() else token.text), _ATOM
        if token.kind == "str":
            return _py_str(token.text), _ATOM
        if token.kind == "op" and token.text == "(":
            inner = self.binary(0)
            if self.peek().kind != "op" or self.peek().text != ")":
                raise self.fail(self.peek(), f"')' to close '(' at column {token.col}")
            self.take()
            return inner
        if token.kind != "name" or token.text in {*_WORDS, *_UNSUPPORTED, "empty"}:
            raise self.fail(token, "a value")
        if token.text in _LITERALS:
            return _LITERALS[token.text], _ATOM
        return self.name(token), _ATOM

    def name(self, token: _Token) -> str:
        if not token.text.isidentifier() or keyword.iskeyword(token.text) or token.text.startswith("__"):
            raise _unsupported(f"name {token.text!r} (not usable as a Python name)", token.col)
        dotted, text = token.text, token.text
        while self.peek().kind == "op" and self.peek().text == ".":
            self.take()
            prop = self.take()
            if prop.kind != "name":
                raise self.fail(prop, "a property name after '.'")
            dotted, text = f"{dotted}.{prop.text}", f"{text}[{_py_str(prop.text)}]"
        after = self.peek()
        if after.kind == "op" and after.text == ":" and self.peek(1).kind == "name":
            raise _unsupported(f"namespaced function '{dotted}:{self.peek(1).text}'", token.col)
        if after.kind == "op" and after.text == "(":
            what = f"method {dotted!r}" if "." in dotted else f"unknown function {dotted!r}"
            raise _unsupported(f"'(' call of {what}", after.col)
        return text


def _translate(src: str, offset: int) -> str:
    if not src.strip():
        raise _invalid("empty expression", offset + 1)
    text = _Parser(_tokenize(src, offset)).expression()
    try:
        compile(text, "<camunda>", "eval")
    except SyntaxError as exc:  # a bug in the translator rather than in the input
        raise _invalid(f"translation {text!r} is not valid Python ({exc.msg})", offset + 1) from exc
    return text


def is_camunda_expression(text: str) -> bool:
    """Whether the stripped text is wrapped in ``${...}`` or ``#{...}``."""
    stripped = text.strip()
    return len(stripped) >= 3 and stripped[:2] in ("${", "#{") and stripped.endswith("}")


def translate_camunda(text: str) -> str:
    """``'${amount > 1000 && approved}'`` -> ``'amount > 1000 and approved'``; raises ExpressionError.

    Columns in error messages count from 1 in ``text`` as given.
    """
    if not is_camunda_expression(text):
        raise ExpressionError(f"not a Camunda expression (expected ${{...}}): {text!r}")
    start = len(text) - len(text.lstrip()) + 2
    return _translate(text.strip()[2:-1], start)


def _closing_brace(text: str, start: int) -> int:
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char in "'\"":
            end = _string_end(text, i)
            if end < 0:
                raise _invalid(f"unterminated string {text[i:i + 12]!r}", i + 1)
            i = end
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise _invalid(f"'{text[start - 2:start]}' is never closed with '}}'", start - 1)


def translate_text_with_expressions(text: str) -> str:
    """Python for text mixing literals and ``${...}``: ``'dept:${lead}'`` -> ``'"dept:" + str(lead)'``.

    Plain text becomes a string literal (``'committee'`` -> ``'"committee"'``), a lone ``${x}`` becomes the
    bare expression (keeping its type, e.g. a list of users) and ``\\${`` stands for a literal ``${``.
    """
    parts: list[tuple[bool, str]] = []  # (is_expression, literal text or Python)
    literal, i = "", 0
    while i < len(text):
        if text.startswith(("\\${", "\\#{"), i):
            literal, i = literal + text[i + 1:i + 3], i + 3
        elif text.startswith(("${", "#{"), i):
            end = _closing_brace(text, i + 2)
            parts += [(False, literal)] if literal else []
            parts.append((True, _translate(text[i + 2:end], i + 2)))
            literal, i = "", end + 1
        else:
            literal, i = literal + text[i], i + 1
    parts += [(False, literal)] if literal or not parts else []
    if len(parts) == 1 and parts[0][0]:
        return parts[0][1]
    return " + ".join(f"str({python})" if is_expr else _py_str(python) for is_expr, python in parts)
