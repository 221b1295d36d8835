"""Shared fixtures: one app per test run on SQLite (a temporary file) or on DATABASE_URL's PostgreSQL.

The schema is built by the real migrations (`flask db upgrade`), and every test starts with empty tables.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from civictest import create_app
from civictest.config import TestConfig, _database_url
from civictest.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """DATABASE_URL when set (CI's PostgreSQL run), else a SQLite file in a temporary directory."""
    if os.environ.get("DATABASE_URL"):
        return _database_url(os.environ["DATABASE_URL"])
    return f"sqlite:///{tempfile.mkdtemp(prefix='civictest-')}/test.sqlite3"


def pytest_sessionfinish(session, exitstatus):  # noqa: ANN001, ANN201
    from demo_snapshot import drop_snapshots

    drop_snapshots()


def pytest_report_header(config):  # noqa: ANN001, ANN201
    url = database_url()
    return f"civictest database: {re.sub(r'//[^@/]*@', '//***@', url.split('?')[0])}"


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, even when a test holds one open.

    Flask reuses an app context that is already pushed, which would share `g` (Flask-WTF caches the CSRF
    token there) and the database session between the test and every request it makes.
    """

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        outer = has_app_context()
        if outer:
            db.session.commit()  # the request must see what the test wrote, and the test a fresh snapshot after
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer:
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    app = create_app(_config_for(database_url()))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _config_for(url: str) -> type[TestConfig]:
    return type("RunConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Every test that touches the app starts with empty tables, on both databases (and, on PostgreSQL, with
    every id sequence back at its start, as after TRUNCATE ... RESTART IDENTITY)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine, [t.name for t in db.metadata.sorted_tables])


def empty_tables(engine, tables: list[str]) -> None:  # noqa: ANN001
    """Delete every row of `tables` (in dependency order: children first) and restart the id sequences.

    Only the tables that hold rows are touched, found by one query: most tests write to a few of the ~50 tables,
    and on PostgreSQL a TRUNCATE of all of them costs about a second per test (a new file for each table and
    index), which was most of the PostgreSQL pass. Should the deletes fail (a foreign-key cycle), TRUNCATE ...
    CASCADE of every table does it as before."""
    probe = " UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        filled = {row[0] for row in connection.execute(text(probe))}
        used = connection.execute(text(
            "SELECT schemaname, sequencename, start_value FROM pg_sequences "
            "WHERE schemaname = current_schema() AND last_value IS NOT NULL")).all() if postgres else []
    if not filled and not used:
        return
    try:
        with engine.begin() as connection:
            for name in reversed(tables):
                if name in filled:
                    connection.execute(text(f'DELETE FROM "{name}"'))
            for schema, sequence, start in used:
                connection.execute(text("SELECT setval(CAST(:name AS regclass), :start, false)"),
                                   {"name": f'"{schema}"."{sequence}"', "start": start})
    except Exception:  # noqa: BLE001 - the slow way, which always works
        if not postgres:
            raise
        with engine.begin() as connection:
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture
def ctx(app):
    """An application context for tests that use the models directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 at a free port, and the app sending to it for this test.

    `.messages` is the list of received messages (email.message.EmailMessage); `.handler.reject[address] =
    "550 5.1.1 ..."` refuses a recipient, `.handler.tempfail = n` answers 451 to the next n recipients,
    `.stop()`/`.start()` take it down and up again (same port)."""
    from smtp_server import SmtpServer

    server = SmtpServer().start()
    saved = {key: app.config.get(key) for key in server.config()}
    app.config.update(server.config())
    yield server
    app.config.update(saved)
    server.stop()
    from civictest.mail.delivery import close_connection

    close_connection()


def run_mail_jobs(app, *, wait_retries: bool = True) -> int:
    """Run every queued job with the worker's own code (`flask worker --drain`); retries are waited for."""
    from civictest import jobs

    return jobs.drain(app, wait_scheduled=wait_retries, timeout=60)


@pytest.fixture
def drain_mail(app):
    """`drain_mail(app)` runs the job queue until it is empty (what `flask --app app worker --drain` does).
    The queue starts empty in every test that uses it."""
    from civictest import jobs

    jobs.bind(app)
    jobs.huey.flush()
    yield run_mail_jobs
    jobs.huey.flush()
