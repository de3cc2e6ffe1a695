"""Run-time guards for sandboxed scripts: the ``_getattr_``-style hooks RestrictedPython's generated code
calls, size checks for operations that run in C (``10**10**10``, ``'a' * 10**10``) and the safe builtins.

Everything here is trusted code: the tracer in ``sandbox.py`` does not trace line by line into it.
"""

from __future__ import annotations

import math
import operator
import random
import re
import string
import threading
from types import ModuleType, SimpleNamespace
from typing import Any

from RestrictedPython import safe_builtins
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_STR_LEN = 10_000_000  # characters (or bytes) in one text value
MAX_ITEMS = 1_000_000  # elements in one list, tuple or range
MAX_WIDTH = 10_000  # field width / precision in % and f-string formatting
MAX_SMALL_ARG = 5_000  # argument limit for factorial, comb, perm

BLOCKED_ATTRS = INSPECT_ATTRIBUTES | {
    "mro", "func_globals", "func_code", "func_closure", "func_defaults", "func_dict", "im_func", "im_self",
    "im_class", "gi_running", "cr_running",
}
STR_BLOCKED_ATTRS = frozenset({"format", "format_map", "translate"})  # "{0.__class__}".format(x)
_SEQUENCES = (str, bytes, bytearray, list, tuple)
_TEXTS = (str, bytes, bytearray)


class SandboxViolation(Exception):
    """A script broke a sandbox rule at run time (step/time limit, forbidden attribute, oversized
    value, ...). The message says which rule, in words a process designer understands."""


# -- run state shared with the tracer ------------------------------------------------------------

_local = threading.local()


def set_current_run(run: Any) -> Any:
    previous = getattr(_local, "run", None)
    _local.run = run
    return previous


def check_pending() -> None:
    """Injected at the top of every ``except``/``finally`` body: a violation cannot be swallowed."""
    run = getattr(_local, "run", None)
    if run is None:
        return
    if run.violation is None and not run.tracing_intact():
        run.violation = SandboxViolation("The script was stopped: it went too deep (too much recursion).")
    if run.violation is not None:
        raise run.violation


def tick() -> None:
    """Called at the top of every ``while`` body; the tracer counts the call."""


# -- size checks ----------------------------------------------------------------------------------

def _check_size(n: int, like: Any) -> None:
    if isinstance(like, _TEXTS):
        if n > MAX_STR_LEN:
            raise SandboxViolation(f"The script tried to build a text of {n:,} characters; "
                                   f"the limit is {MAX_STR_LEN:,}.")
    elif n > MAX_ITEMS:
        raise SandboxViolation(f"The script tried to build a list of {n:,} items; "
                               f"the limit is {MAX_ITEMS:,}.")


def _check_bits(bits: float) -> None:
    if bits > MAX_INT_BITS:
        raise SandboxViolation(f"The script tried to compute a number of about {int(bits * 0.30103):,} "
                               f"digits; the limit is {int(MAX_INT_BITS * 0.30103):,}.")


def guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None and isinstance(base, int) and isinstance(exp, int) and exp > 1 and abs(base) > 1:
        _check_bits(exp * math.log2(abs(base)))
    return pow(base, exp) if mod is None else pow(base, exp, mod)


def guarded_mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float or tb is float:
        return a * b
    if isinstance(a, int) and isinstance(b, int):
        _check_bits(a.bit_length() + b.bit_length())
    elif isinstance(a, _SEQUENCES) and isinstance(b, int):
        _check_size(len(a) * b, a)
    elif isinstance(b, _SEQUENCES) and isinstance(a, int):
        _check_size(len(b) * a, b)
    return a * b


def guarded_lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and a:
        _check_bits(a.bit_length() + b)
    return a << b


def guarded_add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_size(len(a) + len(b), a)
    return a + b


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBER = re.compile(r"\d+")


def _check_widths(numbers: list[str], where: str) -> None:
    for number in numbers:
        if number == "*":
            raise SandboxViolation(f"'*' widths are not allowed in {where}.")
        if number and int(number) > MAX_WIDTH:
            raise SandboxViolation(f"A width or precision of {int(number):,} in {where} is too large "
                                   f"(the limit is {MAX_WIDTH:,}).")


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, _TEXTS):
        text = a if isinstance(a, str) else a.decode("latin-1")
        for match in _PERCENT_SPEC.finditer(text):
            _check_widths([g for g in match.groups() if g], "%-formatting")
    return a % b


def format_value(value: Any, spec: str, conversion: int) -> str:
    """An f-string field with a format spec: ``f"{value!r:>10}"``."""
    if conversion == 114:
        value = repr(value)
    elif conversion == 115:
        value = str(value)
    elif conversion == 97:
        value = ascii(value)
    _check_widths(_NUMBER.findall(spec), "a format specification")
    return format(value, spec)


_INPLACE = {
    "-=": operator.isub, "*=": guarded_mul, "/=": operator.itruediv, "//=": operator.ifloordiv,
    "%=": guarded_mod, "**=": guarded_pow, "<<=": guarded_lshift, ">>=": operator.irshift,
    "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor, "@=": operator.imatmul,
}


def guarded_inplacevar(op: str, x: Any, y: Any) -> Any:
    """``x op= y``; lists are changed in place, as in plain Python."""
    if op == "+=":
        if isinstance(x, _SEQUENCES) and isinstance(y, _SEQUENCES):
            _check_size(len(x) + len(y), x)
        return operator.iadd(x, y)
    if op == "*=" and isinstance(x, list) and isinstance(y, int):
        _check_size(len(x) * y, x)
        return operator.imul(x, y)
    return _INPLACE[op](x, y)


# -- attribute access, writes, calls --------------------------------------------------------------

def _counted(fn: Any) -> Any:
    """Wrap a callable handed to C code (``sorted(key=...)``) so every call is a traced step."""
    if fn is None:
        return None

    def call(*args: Any) -> Any:
        return fn(*args)
    return call


def _pad(obj: Any, method: Any) -> Any:
    def padded(width: int, *args: Any) -> Any:
        _check_size(width, obj)
        return method(width, *args)
    return padded


def _expandtabs(obj: Any, method: Any) -> Any:
    def expanded(tabsize: int = 8) -> Any:
        _check_size(len(obj) + obj.count("\t" if isinstance(obj, str) else b"\t") * max(tabsize, 0), obj)
        return method(tabsize)
    return expanded


def _join(obj: Any, method: Any) -> Any:
    def joined(iterable: Any) -> Any:
        items = list(iterable)
        total = len(obj) * max(len(items) - 1, 0)
        for item in items:
            if isinstance(item, _TEXTS):
                total += len(item)
        _check_size(total, obj)
        return method(items)
    return joined


def _replace(obj: Any, method: Any) -> Any:
    def replaced(old: Any, new: Any, count: int = -1) -> Any:
        grow = len(new) - len(old)
        if grow > 0:
            n = obj.count(old)
            _check_size(len(obj) + (n if count < 0 else min(n, count)) * grow, obj)
        return method(old, new, count)
    return replaced


def _list_extend(obj: Any, method: Any) -> Any:
    def extended(iterable: Any) -> Any:
        if isinstance(iterable, _SEQUENCES):
            _check_size(len(obj) + len(iterable), obj)
        return method(iterable)
    return extended


def _list_sort(obj: Any, method: Any) -> Any:
    def sort(*, key: Any = None, reverse: bool = False) -> None:
        return method(key=_counted(key), reverse=reverse)
    return sort


def _to_bytes(obj: Any, method: Any) -> Any:
    def to_bytes(*args: Any, **kwargs: Any) -> Any:
        _check_size(args[0] if args else kwargs.get("length", 1), b"")
        return method(*args, **kwargs)
    return to_bytes


_SIZED_METHODS = {
    "ljust": (_TEXTS, _pad), "rjust": (_TEXTS, _pad), "center": (_TEXTS, _pad), "zfill": (_TEXTS, _pad),
    "expandtabs": (_TEXTS, _expandtabs), "join": (_TEXTS, _join), "replace": (_TEXTS, _replace),
    "extend": ((list, bytearray), _list_extend), "sort": (list, _list_sort), "to_bytes": (int, _to_bytes),
}
_BUILTIN_TYPES = frozenset({str, bytes, bytearray, list, tuple, dict, set, frozenset, int, float, bool})
_MISSING = object()


def guarded_getattr(obj: Any, name: str, default: Any = _MISSING) -> Any:
    """``obj.name`` in a script, and the script's ``getattr``."""
    if type(name) is not str:
        raise TypeError("attribute name must be a string")
    if name[:1] == "_" or name in BLOCKED_ATTRS or (name in STR_BLOCKED_ATTRS and (
            isinstance(obj, str) or (type(obj) is type and issubclass(obj, str)))):
        raise SandboxViolation(f'Scripts may not use the attribute "{name}".')
    sized = _SIZED_METHODS.get(name)
    if sized is not None and type(obj) is type and obj in _BUILTIN_TYPES:
        raise SandboxViolation(f'Call "{name}" on a value (like "text.{name}(...)"), not on the type.')
    try:
        value = getattr(obj, name)
    except AttributeError:
        if default is _MISSING:
            raise
        return default
    if type(value) is ModuleType:
        raise SandboxViolation(f'Scripts may not use the module "{name}".')
    if sized is not None and isinstance(obj, sized[0]):
        return sized[1](obj, value)
    return value


def guarded_write(obj: Any) -> Any:
    """Target of ``obj[key] = ...``, ``del obj[key]``, ``obj.attr = ...``: only dicts and lists."""
    if isinstance(obj, (dict, list)):
        return obj
    raise SandboxViolation(f"Scripts may only change dicts and lists, not a {type(obj).__name__}.")


def guarded_apply(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def unpack_sequence(it: Any, spec: Any, getiter: Any) -> Any:
    return it  # ``_getiter_`` is plain ``iter``, so Python's own unpacking is as safe


class PrintCollector:
    """``print`` in a script: the text is kept (up to a limit) but goes nowhere."""

    def __init__(self, _getattr_: Any = None) -> None:
        self.parts: list[str] = []
        self.size = 0

    def _call_print(self, *objects: Any, sep: str = " ", end: str = "\n") -> None:
        text = str(sep).join(str(o) for o in objects) + str(end)
        if self.size + len(text) <= 100_000:
            self.parts.append(text)
            self.size += len(text)

    def __call__(self) -> str:
        return "".join(self.parts)


# -- builtins -------------------------------------------------------------------------------------

def guarded_range(*args: int) -> range:
    r = range(*args)
    try:
        n = len(r)
    except OverflowError:
        n = MAX_ITEMS + 1
    _check_size(n, r)
    return r


def guarded_sum(iterable: Any, /, start: Any = 0) -> Any:
    if isinstance(start, _SEQUENCES):
        raise SandboxViolation("sum() only adds numbers; use ''.join(...) for text or a loop for lists.")
    return sum(iterable, start)


def _with_key(fn: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("key") is not None:
            kwargs["key"] = _counted(kwargs["key"])
        return fn(*args, **kwargs)
    call.__name__ = fn.__name__
    return call


def guarded_map(fn: Any, *iterables: Any) -> Any:
    return map(_counted(fn), *iterables)


def guarded_filter(fn: Any, iterable: Any) -> Any:
    return filter(_counted(fn), iterable)


def _small_args(fn: Any) -> Any:
    def call(*args: int) -> Any:
        for arg in args:
            if isinstance(arg, int) and arg > MAX_SMALL_ARG:
                raise SandboxViolation(f"math.{fn.__name__}() only takes arguments up to {MAX_SMALL_ARG:,}.")
        return fn(*args)
    return call


def _prod(iterable: Any, *, start: Any = 1) -> Any:
    result = start
    for item in iterable:
        result = guarded_mul(result, item)
    return result


_MATH_NAMES = (
    "pi e tau inf nan ceil floor trunc fabs sqrt isqrt exp log log2 log10 pow sin cos tan asin acos atan "
    "atan2 hypot degrees radians isclose isfinite isinf isnan copysign fmod modf fsum gcd dist"
).split()
_rng = random.Random()
MATH = SimpleNamespace(**{n: getattr(math, n) for n in _MATH_NAMES}, prod=_prod,
                       factorial=_small_args(math.factorial), comb=_small_args(math.comb),
                       perm=_small_args(math.perm))
RANDOM = SimpleNamespace(**{n: getattr(_rng, n) for n in (
    "random", "randint", "randrange", "uniform", "choice", "choices", "sample", "shuffle", "gauss")})
STRING = SimpleNamespace(capwords=string.capwords, **{n: getattr(string, n) for n in (
    "ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits", "hexdigits", "octdigits",
    "punctuation", "printable", "whitespace")})

_INTERNAL_IMPORTS = frozenset({"time", "_strptime", "datetime", "_datetime", "calendar", "locale",
                               "unicodedata"})


def internal_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                    level: int = 0) -> Any:
    """``__import__`` for C code only (``datetime.strftime`` imports ``time``); scripts cannot name it."""
    if level or name not in _INTERNAL_IMPORTS:
        raise ImportError(f"Scripts may not import {name!r}.")
    return __import__(name, globals, locals, fromlist, level)


_DROPPED_BUILTINS = {"__build_class__", "setattr", "delattr", "_getattr_", "id", "pow", "range",
                     "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
SAFE_BUILTINS: dict[str, Any] = {k: v for k, v in safe_builtins.items() if k not in _DROPPED_BUILTINS}
SAFE_BUILTINS.update(
    list=list, tuple=tuple, dict=dict, set=set, frozenset=frozenset, enumerate=enumerate, zip=zip,
    reversed=reversed, any=any, all=all, len=len, abs=abs, round=round, isinstance=isinstance,
    str=str, int=int, float=float, bool=bool, min=_with_key(min), max=_with_key(max),
    sorted=_with_key(sorted), sum=guarded_sum, range=guarded_range, pow=guarded_pow,
    getattr=guarded_getattr, __import__=internal_import, map=guarded_map, filter=guarded_filter,
    math=MATH, random=RANDOM, string=STRING,
)

GUARDS: dict[str, Any] = {
    "_getattr_": guarded_getattr, "_getitem_": operator.getitem, "_getiter_": iter, "_write_": guarded_write,
    "_iter_unpack_sequence_": unpack_sequence, "_unpack_sequence_": unpack_sequence,
    "_inplacevar_": guarded_inplacevar, "_apply_": guarded_apply, "_print_": PrintCollector,
    "_pow_": guarded_pow, "_mul_": guarded_mul, "_lshift_": guarded_lshift, "_add_": guarded_add,
    "_mod_": guarded_mod, "_format_": format_value, "_check_": check_pending, "_tick_": tick,
}
