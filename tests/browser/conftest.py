"""Real-browser fixtures: the app served on 127.0.0.1 with the demo data, and Debian's Chromium via Playwright.

Database: a SQLite file in a temporary directory; when DATABASE_URL points at PostgreSQL (CI's second run),
a scratch schema of that database instead, dropped at the end. Either way the browser tests never share
tables with the rest of the suite, whose tests empty every table after each test.

Chromium: never `playwright install` (closed network); Playwright drives the system Chromium through
`executable_path`. When Chromium or Playwright is missing the tests are skipped with the reason, except
under CI (env CI set), where they fail: CI must always run them.
"""
from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from browser_support import DEMO_PASSWORD, DESKTOP, PHONE, chromium_path, launch_chromium
from civictest import create_app
from civictest.config import TestConfig, _database_url, env_flag
from civictest.extensions import db


@dataclass
class LiveServer:
    url: str
    app: object
    password: str = DEMO_PASSWORD


def _unavailable(reason: str):  # noqa: ANN202
    if env_flag("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def live_database():
    """A database URL of the browser tests' own (see the module docstring)."""
    configured = os.environ.get("DATABASE_URL")
    if configured and _database_url(configured).startswith("postgresql"):
        base = _database_url(configured)
        schema = f"browser_{os.getpid()}_{secrets.token_hex(3)}"
        admin = create_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        joiner = "&" if "?" in base else "?"
        yield f"{base}{joiner}options={quote(f'-csearch_path={schema}')}"
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        directory = tempfile.mkdtemp(prefix="civictest-browser-")
        yield f"sqlite:///{directory}/browser.sqlite3"
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(live_database):
    """The app with the demo data (open session DEMO-2026), served from a thread on a free port."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from demo_snapshot import load_demo

    config = type("BrowserConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": live_database})
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_demo(DEMO_PASSWORD)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would drown test output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (one browser for the whole run)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements-dev.txt)")
    path = chromium_path()
    if not path:
        _unavailable("no chromium executable (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)")
    manager = sync_playwright().start()
    try:
        chromium = launch_chromium(manager)
    except PlaywrightError as error:
        manager.stop()
        _unavailable(f"Chromium at {path} did not start: {error}")
    yield chromium
    chromium.close()
    manager.stop()


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh context (its own cookies): `new_page(js=False, phone=True)`; closed after the test."""
    contexts = []

    def open_page(*, js: bool = True, phone: bool = False, locale: str = "ja-JP"):  # noqa: ANN202
        options = {"viewport": PHONE if phone else DESKTOP, "locale": locale, "java_script_enabled": js,
                   "timezone_id": "Asia/Tokyo"}
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page with JavaScript on."""
    return new_page()
