"""WSGI entry point for gunicorn (``docket serve``, the container): JSON logs with request ids on stderr, and
the session cookie marked ``Secure`` unless ``DOCKET_COOKIE_SECURE=0``."""

import os

from engine.ops.logs import configure_json_logging
from webui import create_app

os.environ.setdefault("DOCKET_COOKIE_SECURE", "1")  # production serves over HTTPS; the demo (http) does not

configure_json_logging()
app = create_app()
