"""Scratch databases for benchmarks: created fresh on the server, dropped afterwards whatever happens."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def with_fresh_postgres(server_url: str, action: Callable[[str], T], prefix: str = "civictest_bench") -> T:
    """action(url) against a new database on the PostgreSQL server at server_url, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{os.getpid()}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return action(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
