"""Malformed and extreme requests against every route of the demo site: never a 5xx, always the documented
error shape (``{"error": {"code", "message", "details"}}`` on the API, the error page on pages).

The corpus is built from the app's own URL map, so routes added later are swept too: unauthenticated calls
to every route, out-of-range and poisoned path parameters, query strings with huge numbers, NUL and broken
percent-encodings, and JSON bodies that are too deep, too big, of the wrong type, with lone surrogates, NUL,
huge numbers, NaN, or sent with the wrong content type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from demo_site import Site, demo_site

CODES = {"unauthenticated", "forbidden", "not_found", "conflict", "invalid", "too_many_requests", "internal"}
HUGE = "99999999999999999999"
WRITE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Probe:
    """One request of the corpus."""

    method: str
    path: str
    why: str
    user: str | None = "admin"
    body: bytes | None = None
    content_type: str | None = None
    browser: bool = False
    form: dict[str, Any] | None = field(default=None)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_site(tmp_path_factory.mktemp("inputs")) as built:
        yield built


def _rules(site: Site) -> list[Any]:
    return [r for r in site.app.url_map.iter_rules() if r.endpoint != "static"]


def _real_values(site: Site) -> dict[str, str]:
    """A value that exists for each kind of path parameter (so the poisoned body reaches the view)."""
    task = site.some("SELECT id FROM task WHERE state IN ('open', 'claimed') ORDER BY created_at LIMIT 1")
    case = site.some("SELECT min(id) FROM process_instance")
    key = site.some("SELECT key FROM process_definition ORDER BY id LIMIT 1")
    return {"task_id": task, "case_id": str(case), "key": key, "username": "wang", "action": "pause",
            "fmt": "csv", "year": "2026", "filename": "docket.css"}


def _fill(rule: Any, values: dict[str, str], poison: dict[str, str] | None = None) -> str:
    """The rule's path with each parameter set to a real value, or to ``poison`` for the named ones."""
    path = rule.rule

    def replace(match: re.Match[str]) -> str:
        converter, args, name = match.group(1), match.group(2), match.group(3)
        if poison and name in poison:
            return poison[name]
        if converter == "any":
            return re.findall(r"[\w-]+", args or "")[0]
        if converter == "int":
            return values.get(name, "1")
        return values.get(name, "x")

    return re.sub(r"<(?:(\w+)(\([^)]*\))?:)?(\w+)>", replace, path)


def _json_bodies() -> Iterator[tuple[str, bytes, str]]:
    yield "deep arrays", b"[" * 100_000 + b"]" * 100_000, "application/json"
    yield "deep objects", b'{"a":' * 5000 + b"1" + b"}" * 5000, "application/json"
    yield "900 levels under data", b'{"data":' + b'{"x":' * 900 + b"1" + b"}" * 900 + b"}", "application/json"
    yield "lone surrogate value", b'{"username":"\\ud800","data":{"title":"\\udfff"},"reason":"\\ud800"}', \
        "application/json"
    yield "lone surrogate key", b'{"\\ud800":1,"data":{"\\udc00":"x"}}', "application/json"
    yield "NUL", b'{"username":"a\\u0000b","password":"x","data":{"title":"a\\u0000"},"reason":"\\u0000",' \
                 b'"name":"\\u0000","user":"\\u0000"}', "application/json"
    yield "huge ints", ('{"attachments":[%s],"ids":[%s],"data":{"n":%s},"days":%s,"session_id":%s}'
                        % ((HUGE,) * 5)).encode(), "application/json"
    yield "huge negative", ('{"ids":[-%s],"data":{"n":-%s},"days":-%s}' % ((HUGE,) * 3)).encode(), \
        "application/json"
    yield "int64 edge", b'{"ids":[9223372036854775807],"attachments":[2147483648],"days":2147483648}', \
        "application/json"
    yield "NaN", b'{"data":{"n":NaN},"days":Infinity}', "application/json"
    yield "1e999", b'{"data":{"n":1e999},"days":-1e999}', "application/json"
    yield "array", b"[1,2,3]", "application/json"
    yield "string", b'"text"', "application/json"
    yield "number", b"42", "application/json"
    yield "null", b"null", "application/json"
    yield "wrong types", json.dumps({"data": [1], "username": 5, "password": [], "user": {}, "ids": "x",
                                     "reason": 7, "attachments": "1", "name": None, "message": [],
                                     "holidays": 3, "process": 9}).encode(), "application/json"
    yield "truncated", b'{"data": {"a": ', "application/json"
    yield "invalid utf-8", b'{"reason": "\xff\xfe"}', "application/json"
    yield "oversize", b'{"data": {"x": "' + b"a" * (3 * 1024 * 1024) + b'"}}', "application/json"
    yield "json as text/plain", b'{"data": {}}', "text/plain"
    yield "xml body", b"<x/>", "application/xml"
    yield "bad multipart", b"--nope\r\n\r\n", "multipart/form-data; boundary=B"
    yield "no content type", b'{"data": {}}', ""


NUMBERS = ("page", "year", "session", "filter", "version", "v", "compare", "to", "days")


def _query_strings(api: bool) -> Iterator[tuple[str, str]]:
    """Query strings for a GET route: each number on its own for the API, all at once for pages (slower)."""
    odd = "page=abc&overdue=maybe&sort=;drop&format=exe&scope=everything&retired=2&lang=xx&q=%ED%A0%80&kind=%FF"
    if not api:
        yield "huge numbers", "&".join(f"{n}={HUGE}" for n in NUMBERS)
        yield "int32 max", "&".join(f"{n}=2147483647" for n in NUMBERS)
        yield "negative numbers and odd values", "&".join(f"{n}=-5" for n in NUMBERS) + "&" + odd
        yield "NUL everywhere", "q=a%00b&process=%00&status=%00&scope=%00&sort=%00&group=%00&lang=%00"
        return
    for value, why in ((HUGE, "huge"), ("2147483648", "past int32"), ("2147483647", "int32 max"), ("-5", "negative")):
        yield f"{why} page", f"page={value}"
        yield f"{why} year and ids", "&".join(f"{n}={value}" for n in NUMBERS if n != "page")
    yield "NUL everywhere", "q=a%00b&process=%00&status=%00&scope=%00&state=%00&sort=%00&group=%00&format=%00"
    yield "odd values", odd


def corpus(site: Site) -> list[Probe]:
    """Every probe, built from the URL map."""
    values = _real_values(site)
    probes: list[Probe] = []
    for rule in _rules(site):
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        api = rule.rule.startswith("/api/")
        params = {name: conv or "default" for conv, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
                                                                          rule.rule)}
        for method in methods:
            path = _fill(rule, values)
            probes.append(Probe(method, path, "unauthenticated", user=None, browser=not api))
            if rule.endpoint == "auth.logout":  # would sign the sweeping client out
                continue
            for name, conv in params.items():
                poisons = [HUGE, "2147483648"] if conv == "int" else \
                    ["a%00b", "%ED%A0%80", "x" * 3000, "..%2F..%2Fetc%2Fpasswd"]
                for poison in poisons:
                    probes.append(Probe(method, _fill(rule, values, {name: poison}), f"path {name}={poison[:20]}",
                                        browser=not api))
            if method == "GET":
                for why, query in list(_query_strings(api))[:None if api or not params else 1]:
                    probes.append(Probe(method, f"{path}?{query}", why, browser=not api))
            elif api:
                for why, body, ctype in _json_bodies():
                    probes.append(Probe(method, path, why, body=body, content_type=ctype))
            else:
                probes.append(Probe(method, path, "NUL in form", browser=True,
                                    form={k: "a\x00b" for k in ("username", "password", "q", "reason", "note",
                                                                "name", "next", "days", "user", "text", "title")}))
                probes.append(Probe(method, path, "huge numbers in form", browser=True,
                                    form={k: HUGE for k in ("id", "days", "session_id", "case", "to", "user",
                                                            "task", "year", "page", "filter")}))
                probes.append(Probe(method, path, "wrong types in form", browser=True,
                                    form={k: "²" for k in ("id", "days", "session_id", "case", "to", "year")}))
    return probes


def _send(site: Site, clients: dict[str, Any], probe: Probe) -> Any:
    if probe.browser and probe.user:
        client = clients.setdefault(f"browser:{probe.user}", site.browser(probe.user))
        return client.open(probe.path, method=probe.method, data=probe.form)
    client = clients.setdefault("plain", site.app.test_client())
    headers = site.headers(probe.user) if not probe.browser else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if probe.body is not None:
        kwargs["data"] = probe.body
        if probe.content_type:
            kwargs["content_type"] = probe.content_type
    elif probe.form is not None:
        kwargs["data"] = probe.form
    return client.open(probe.path, method=probe.method, **kwargs)


def _shape_problem(probe: Probe, res: Any) -> str | None:
    """What is wrong with the answer, or None."""
    if res.status_code == 503 and probe.path.startswith("/readyz"):
        return None  # not ready: no scheduler runs beside this test (the documented answer)
    if res.status_code >= 500:
        return f"{res.status_code}"
    if res.status_code < 400:
        return None
    if probe.path.startswith("/api/"):
        body = res.get_json(silent=True)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or error.get("code") not in CODES or not isinstance(error.get("message"), str) \
                or not isinstance(error.get("details", []), list):
            return f"{res.status_code} not the documented shape: {res.data[:120]!r}"
    elif res.mimetype != "text/html" and probe.path not in ("/metrics",):
        return f"{res.status_code} {res.mimetype} instead of the error page"
    return None


def test_corpus_of_malformed_requests_gives_no_5xx_and_the_documented_shape(site: Site) -> None:
    probes = corpus(site)
    assert len(probes) >= 300
    clients: dict[str, Any] = {}
    site.token("admin")
    problems = []
    statuses: dict[int, int] = {}
    for probe in probes:
        res = _send(site, clients, probe)
        statuses[res.status_code] = statuses.get(res.status_code, 0) + 1
        problem = _shape_problem(probe, res)
        if problem:
            problems.append(f"{probe.method} {probe.path[:100]} ({probe.why}): {problem}")
    assert not problems, f"{len(problems)} of {len(probes)}:\n" + "\n".join(problems)
    assert statuses.get(422, 0) > 100 and statuses.get(401, 0) > 50


SECURITY_HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def test_every_page_and_api_route_answers_with_the_security_headers(site: Site) -> None:
    """Each route of the URL map, signed in (pages: session; API: token) and not: the headers are always there."""
    values = _real_values(site)
    browser = site.browser("admin")
    plain = site.app.test_client()
    missing = []
    seen = 0
    for rule in _rules(site) + [r for r in site.app.url_map.iter_rules() if r.endpoint == "static"]:
        path = _fill(rule, values)
        api = rule.rule.startswith("/api/")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "auth.logout":
                continue
            signed = plain.open(path, method=method, headers=site.headers("admin")) if api else \
                browser.open(path, method=method)
            for res in (signed, plain.open(path, method=method)):
                seen += 1
                csp = res.headers.get("Content-Security-Policy", "")
                wrong = {k: res.headers.get(k) for k, v in SECURITY_HEADERS.items() if res.headers.get(k) != v}
                if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp or wrong:
                    missing.append(f"{method} {path} {res.status_code}: {wrong} {csp!r}")
                if res.content_type and res.content_type.lower().count("charset") > 1:
                    missing.append(f"{method} {path}: {res.content_type}")
    assert seen > 200
    assert not missing, "\n".join(missing)
