"""Structured logs: one JSON object per line on stderr (web workers add the request id and access fields)."""

from __future__ import annotations

import json
import logging
from typing import Any


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                                 "logger": record.name, "message": record.getMessage()}
        for key in ("request_id", "method", "path", "status", "ms", "user"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr as JSON (``docket serve`` and ``docket scheduler`` use this)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("spiff").setLevel(logging.WARNING)  # SpiffWorkflow logs every task state change
