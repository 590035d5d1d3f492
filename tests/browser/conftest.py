"""Browser tests: Debian's Chromium driven by PyPI's playwright (never `playwright install`), against
the portal served on a loopback port with CSRF on, as a user would see it."""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, World, make_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "screenshots")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/install-browser installs Debian's chromium (as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Live:
    """The portal on a loopback port, in a thread of the test process."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def live(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    server = Live(app)
    server.world = World()
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    # How long a wait may last before it fails, not a delay: a passing test never waits for it. Generous,
    # because on a busy two-core machine a page with an upload once took more than ten seconds.
    context.set_default_timeout(20000)
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.js_errors = errors
    yield pg
    context.close()


def login(page, live, username, password=PASSWORD):
    page.goto(live.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")


def shot(page, name: str) -> str:
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
