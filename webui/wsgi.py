"""WSGI entry point for gunicorn: ``gunicorn webui.wsgi:app`` (JSON logs with request ids on stderr)."""

from webui import create_app
from webui.ops import configure_json_logging

configure_json_logging()
app = create_app()
