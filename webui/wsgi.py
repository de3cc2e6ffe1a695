"""WSGI entry point for gunicorn: ``gunicorn webui.wsgi:app`` (JSON logs with request ids on stderr)."""

from engine.ops.logs import configure_json_logging
from webui import create_app

configure_json_logging()
app = create_app()
