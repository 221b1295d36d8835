"""Fixtures for the load and fault tests: a scratch database and real gunicorn servers, always cleaned up.

SQLite by default; when DATABASE_URL is PostgreSQL (CI's second pass) the servers use a dedicated
database on that server instead, so the suite's own tables stay empty and untouched.
"""
from __future__ import annotations

import pytest
from load.servers import Gunicorn, ScratchDatabase, postgres_url


@pytest.fixture
def scratch_db(tmp_path):
    database = ScratchDatabase(tmp_path, postgres_url())
    yield database
    database.drop()


@pytest.fixture
def sqlite_db(tmp_path):
    """A SQLite file whatever DATABASE_URL says (for SQLite-specific faults such as a held write lock)."""
    database = ScratchDatabase(tmp_path, None)
    yield database
    database.drop()


@pytest.fixture
def start_server(tmp_path):
    """start_server(database, workers=..., extra_env=...) -> a ready Gunicorn; every one is stopped afterwards."""
    servers: list[Gunicorn] = []

    def start(database: ScratchDatabase, **options) -> Gunicorn:  # noqa: ANN003
        server = Gunicorn(database.url, tmp_path, **options)
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


FIGURES = pytest.StashKey[list]()


@pytest.fixture
def figures(request):
    """figures(line): printed in the run's summary, so CI logs show the measured counts and times."""
    lines = request.config.stash.setdefault(FIGURES, [])
    return lambda line: lines.append(f"{request.node.name}: {line}")


PRINTED = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter, config):  # noqa: ANN001, ANN201
    """Also tests/deploy/conftest.py's hook: whichever runs first prints the figures, once."""
    lines = config.stash.get(FIGURES, [])
    if lines and not config.stash.get(PRINTED, False):
        config.stash[PRINTED] = True
        terminalreporter.section("load and fault test figures")
        for line in lines:
            terminalreporter.write_line(line)
