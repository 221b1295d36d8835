"""The demo data set for tests that need it as a starting point: `load_demo(password)`.

`civictest.services.demo.load` takes ~20 s of CPU (12,000 rows, a scrypt hash per staff member, the tallies);
tests that only read the demo's figures (the dashboard against the API, the open-data package, the browser tests'
live server) need its rows, not another run of it. The first call in a test run calls demo.load for real and keeps
a copy of every table beside the tables (SQLite: an attached file; PostgreSQL: a schema of the test database);
later calls copy those rows back with INSERT ... SELECT on the database server (the values as stored, no Python
round trip), move the id sequences past them, and give the demo's staff accounts the password asked for.

The tests of demo.load itself (tests/test_demo.py, tests/cli/test_demo_cli.py) call it directly, never this.
When the tables are not empty, `load_demo` is demo.load as it is (which adds what is missing, or nothing).
"""
from __future__ import annotations

import os
import tempfile

from sqlalchemy import Integer, func, select, text, update
from werkzeug.security import generate_password_hash

from civictest.extensions import db
from civictest.models import User
from civictest.services import demo
from civictest.services.demo_data import STAFF

# {"sqlite": the snapshot file's path; a PostgreSQL database's URL: the snapshot schema's name in it}.
_snapshots: dict[str, str] = {}


def load_demo(password: str) -> None:
    """In an app context: the demo data set, with `password` for every demo staff account."""
    engine = db.engine
    tables = db.metadata.sorted_tables
    db.session.commit()
    if not _all_empty(engine, tables):
        demo.load(password=password)
        return
    key = _key(engine)
    if key not in _snapshots:
        demo.load(password=password)
        _snapshots[key] = _take(engine, tables)
        return
    _restore(engine, tables, _snapshots[key])
    emails = [email for email, *_ in STAFF]
    db.session.execute(update(User).where(User.email.in_(emails)).values(password_hash=generate_password_hash(password)))
    db.session.commit()
    db.session.expire_all()


def _key(engine) -> str:  # noqa: ANN001
    """SQLite: one snapshot file for every SQLite database; PostgreSQL: one per database (the snapshot is a schema
    in it, so the browser tests' scratch schema in the same database uses it too)."""
    if engine.dialect.name != "postgresql":
        return "sqlite"
    return engine.url.set(query={}).render_as_string(hide_password=False)


def _all_empty(engine, tables) -> bool:  # noqa: ANN001
    probe = " UNION ALL ".join(f"SELECT 1 WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    with engine.connect() as connection:
        return connection.execute(text(probe)).first() is None


def _take(engine, tables) -> str:  # noqa: ANN001
    """Copy every table into the snapshot; returns where it is (an attached file's path or a schema name)."""
    if engine.dialect.name == "postgresql":
        schema = f"demo_snapshot_{os.getpid()}_{len(_snapshots)}"
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            for table in tables:
                connection.execute(text(f'CREATE TABLE "{schema}"."{table.name}" AS SELECT * FROM "{table.name}"'))
        return schema
    path = os.path.join(tempfile.mkdtemp(prefix="civictest-demo-"), "demo.sqlite3")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"ATTACH DATABASE '{path}' AS demo_snapshot")
        try:
            for table in tables:
                connection.exec_driver_sql(f'CREATE TABLE demo_snapshot."{table.name}" AS SELECT * FROM "{table.name}"')
            connection.commit()
        finally:
            connection.rollback()
            connection.exec_driver_sql("DETACH DATABASE demo_snapshot")
    return path


def _restore(engine, tables, where: str) -> None:  # noqa: ANN001
    """The snapshot's rows into the (empty) tables, parents first; PostgreSQL's sequences past the largest ids."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                connection.execute(text(f'INSERT INTO "{table.name}" ({columns}) '
                                        f'SELECT {columns} FROM "{where}"."{table.name}"'))
            for table in tables:
                for column in table.primary_key.columns:
                    if column.autoincrement is False or not isinstance(column.type, Integer):
                        continue
                    sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                                  {"t": f'"{table.name}"', "c": column.name}).scalar()
                    if sequence:
                        largest = connection.execute(select(func.max(column))).scalar()
                        if largest is not None:
                            connection.execute(text("SELECT setval(CAST(:s AS regclass), :v, true)"),
                                               {"s": sequence, "v": largest})
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"ATTACH DATABASE '{where}' AS demo_snapshot")
        try:
            for table in tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) '
                                           f'SELECT {columns} FROM demo_snapshot."{table.name}"')
            connection.commit()
        finally:
            connection.rollback()
            connection.exec_driver_sql("DETACH DATABASE demo_snapshot")


def drop_snapshots() -> None:
    """At the end of the run: the PostgreSQL schemas (SQLite snapshots are files in the temporary folder)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    for url, where in list(_snapshots.items()):
        if url.startswith("postgresql"):
            engine = create_engine(url)
            try:
                with engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{where}" CASCADE'))
            except OperationalError as error:
                # A test's own temporary database (the load tests make and drop one) took its schema with it.
                if "does not exist" not in str(error):
                    raise
            finally:
                engine.dispose()
        _snapshots.pop(url)
