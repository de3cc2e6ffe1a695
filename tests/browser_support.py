"""What every browser test needs: the app on a local port, Debian's chromium, and screenshots.

    from browser_support import chromium, serve, shots
    pytestmark = needs_chromium
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
OUTPUT = Path(os.environ.get("DOCKET_TEST_OUTPUT", Path(__file__).resolve().parents[1] / "test-output"))
needs_chromium = [pytest.mark.browser,
                  pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """The Flask app on 127.0.0.1 and a free port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def shots(folder: str = "") -> Callable[[Any, str], None]:
    """``shot(page, name)`` saving full-page PNGs under the test output folder (``DOCKET_TEST_OUTPUT``)."""
    target = OUTPUT / folder if folder else OUTPUT

    def shot(page: Any, name: str) -> None:
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)

    return shot


def sign_in(browser: Any, base: str, user: str, **context: Any) -> Any:
    """A new browser context (zh-CN, 1280×860 unless given) signed in as ``user``; its page is on the inbox."""
    options = {"viewport": {"width": 1280, "height": 860}, "locale": "zh-CN", **context}
    page = browser.new_context(**options).new_page()
    login(page, base, user)
    return page


def login(page: Any, base: str, user: str) -> None:
    """Sign ``page`` in as ``user`` (password ``pw-<user>``) and wait for the inbox."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", f"pw-{user}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")
