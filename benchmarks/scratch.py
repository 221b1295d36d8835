"""Scratch databases for benchmarks: created fresh on the server, dropped afterwards whatever happens."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
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


def each_size(sizes: list[int], postgres_url: str | None, measure: Callable[[str, str, int], dict],
              name: str) -> list[dict]:
    """measure(database, url, size) on a scratch SQLite file and, with a server URL, a scratch PostgreSQL
    database, for every size in turn; the rows in that order."""
    rows = []
    for size in sizes:
        workdir = Path(tempfile.mkdtemp(prefix=f"civictest-bench-{name}-"))
        try:
            rows.append(measure("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", size))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if postgres_url:
            rows.append(with_fresh_postgres(postgres_url, lambda url, n=size: measure("postgresql", url, n),
                                            prefix=f"civictest_bench_{name}"))
        print(f"... {size:,} done", file=sys.stderr, flush=True)
    return rows


def size_options(parser: argparse.ArgumentParser, budget: float) -> None:
    """The options every scale benchmark takes: sizes, rounds, time budget and the PostgreSQL server."""
    parser.add_argument("--attempts", type=int, action="append", help="attempts per iteration (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=budget, help="seconds of timed rounds per size at most")
    parser.add_argument("--postgres-url", help="PostgreSQL server for a scratch database (default: DATABASE_URL)")
    parser.add_argument("--no-postgres", action="store_true")
