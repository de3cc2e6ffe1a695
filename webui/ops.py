"""Health, readiness and metrics endpoints, and the request id carried through every log line."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import Counter

from flask import Blueprint, Flask, Response, g, jsonify, request

from engine.ops.health import gauges, readiness

from .runtime import rt

bp = Blueprint("ops", __name__)
_requests: Counter[tuple[str, str]] = Counter()
_durations: Counter[str] = Counter()
log = logging.getLogger("docket.http")


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """The process is up (no dependencies checked)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    """Database reachable, schema at head, scheduler heartbeat fresh (503 with the reasons otherwise)."""
    required = os.environ.get("DOCKET_REQUIRE_SCHEDULER", "1") != "0"
    state = readiness(rt(), scheduler_required=required)
    body = {"ready": state.ready, "database": state.database, "migrations": state.migrations,
            "scheduler": state.scheduler, "problems": state.problems}
    return jsonify(body), (200 if state.ready else 503)


@bp.get("/metrics")
def metrics():  # type: ignore[no-untyped-def]
    """Prometheus text format: database-wide gauges plus this worker's request counters.

    When DOCKET_METRICS_TOKEN is set, the scraper must send it as a bearer token.
    """
    token = os.environ.get("DOCKET_METRICS_TOKEN")
    if token and request.headers.get("Authorization", "") != f"Bearer {token}":
        return Response("unauthorized\n", status=401, mimetype="text/plain")
    lines = []
    for name, value in gauges(rt()).items():
        kind = "counter" if name.endswith("_total") else "gauge"
        lines += [f"# TYPE {name} {kind}", f"{name} {value:g}"]
    pid = os.getpid()
    lines.append("# TYPE docket_http_requests_total counter")
    for (method, status), count in sorted(_requests.items()):
        lines.append(f'docket_http_requests_total{{method="{method}",status="{status}",worker="{pid}"}} {count}')
    lines.append("# TYPE docket_http_request_seconds_sum counter")
    for method, seconds in sorted(_durations.items()):
        lines.append(f'docket_http_request_seconds_sum{{method="{method}",worker="{pid}"}} {seconds:.6f}')
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def init_app(app: Flask) -> None:
    """Request ids (X-Request-ID in and out), an access log line per request, counters for /metrics."""

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        response.headers["X-Request-ID"] = g.get("request_id", "")
        _requests[(request.method, str(response.status_code))] += 1
        _durations[request.method] += elapsed
        if request.endpoint not in ("ops.healthz", "ops.metrics", "static"):
            log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "request_id": g.get("request_id"), "method": request.method, "path": request.path,
                "status": response.status_code, "ms": round(elapsed * 1000, 1)})
        return response
