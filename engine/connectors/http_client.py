"""The ``http`` connector: one HTTP request to an allowed host, its answer kept in the case.

Off by default. ``DOCKET_HTTP_ALLOW`` lists the hosts (``host`` or ``host:port``; ``*.example.edu.cn`` for
sub-domains) requests may go to; ``DOCKET_HTTP_TIMEOUT`` is the time limit in seconds (10). A redirect is
followed only to the same host; an answer of 400 or more fails the step.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from engine.behaviours import Param, behaviours

from .checking import CheckContext, Finding
from .reading import Parameter
from .runner import ConnectorCall, ConnectorError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_BYTES = 1_000_000


def allowed_hosts() -> list[str]:
    """The hosts of ``DOCKET_HTTP_ALLOW`` (empty: outgoing requests are off)."""
    return [h.strip().lower() for h in os.environ.get("DOCKET_HTTP_ALLOW", "").split(",") if h.strip()]


def _allowed(url: str, hosts: list[str]) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    for rule in hosts:
        if rule.startswith("*."):
            if host.endswith(rule[1:]):
                return True
        elif rule in (host, with_port):
            return True
    return False


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only when it stays on the host of the request."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).netloc.lower() != urlsplit(req.full_url).netloc.lower():
            raise ConnectorError(f"{req.full_url} redirects to another host ({newurl}); not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_SameHostRedirects)


def check_request(method: str, url: str) -> str:
    """The upper-case method, once ``method`` and ``url`` are acceptable; raises ConnectorError."""
    verb = str(method or "GET").upper()
    if verb not in METHODS:
        raise ConnectorError(f"method '{method}' is not one of {', '.join(METHODS)}")
    if urlsplit(str(url)).scheme not in ("http", "https"):
        raise ConnectorError(f"url '{url}' is not an http:// or https:// address")
    return verb


def check_http(params: dict[str, Parameter], context: CheckContext) -> list[Finding]:
    """A constant method must be one Docket sends; a constant url must be http(s)."""
    found = []
    method, url = params.get("method"), params.get("url")
    if method is not None and method.is_literal and str(method.literal).upper() not in METHODS:
        found.append(Finding(method.line, f"method '{method.literal}' is not one of {', '.join(METHODS)}"))
    if url is not None and url.is_literal and urlsplit(str(url.literal)).scheme not in ("http", "https"):
        found.append(Finding(url.line, f"url '{url.literal}' is not an http:// or https:// address"))
    return found


@behaviours.connector(
    "http",
    zh="向设置允许的主机发送一次 HTTP 请求（默认关闭），结果写入案件数据。",
    doc="Send one HTTP request (JSON in and out) to a host the settings allow (DOCKET_HTTP_ALLOW; off when "
        "empty), within DOCKET_HTTP_TIMEOUT seconds (10). Redirects are followed only on the same host. An "
        "answer of 400 or more, a timeout or a refused host fails the step (case in error, retry possible).",
    params=[
        Param("method", "GET (default), POST, PUT, PATCH or DELETE"),
        Param("url", "the address, http:// or https://", required=True),
        Param("json", "a value sent as the JSON body"),
    ],
    errors="host not allowed; timeout; connection refused; status 400 or more; redirect to another host",
    result='{"status": 200, "json": the parsed answer or null, "text": the answer as text}',
    example_params={"method": "'POST'", "url": "'https://oa.example.edu.cn/api/notice'",
                    "json": '{"title": title}'},
    check=check_http,
)
def http_connector(call: ConnectorCall, method: str = "GET", url: str = "", json: Any = None) -> dict[str, Any]:
    """Send the request; returns the status and the answer."""
    verb = check_request(method, url)
    hosts = allowed_hosts()
    if not hosts:
        raise ConnectorError("outgoing HTTP is off (set DOCKET_HTTP_ALLOW to the hosts requests may go to)")
    if not _allowed(url, hosts):
        raise ConnectorError(f"host of {url} is not in DOCKET_HTTP_ALLOW")
    body = None if json is None else _dumps(json)
    request = urllib.request.Request(url, data=body, method=verb, headers={"Accept": "application/json"})
    if body is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    timeout = float(os.environ.get("DOCKET_HTTP_TIMEOUT", "10"))
    try:
        with _opener().open(request, timeout=timeout) as answer:
            status, raw = answer.status, answer.read(MAX_BYTES)
    except urllib.error.HTTPError as exc:
        raise ConnectorError(f"{verb} {url} answered {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConnectorError(f"{verb} {url} failed: {reason}") from exc
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed = _loads(text) if text.strip() else None
    except ValueError:
        parsed = None
    return {"status": status, "json": parsed, "text": text}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")


def _loads(text: str) -> Any:
    return json.loads(text)
