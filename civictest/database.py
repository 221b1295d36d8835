"""Engine-level settings that differ between SQLite and PostgreSQL."""
from __future__ import annotations

import math

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine, busy_timeout_ms: int = 5000) -> None:
    """SQLite: WAL for concurrent readers, a busy timeout instead of instant 'locked', foreign keys on."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not _has_ln(cursor):  # SQLite built without its math functions: the reports' time sums need ln()
            dbapi_connection.create_function("ln", 1, _ln, deterministic=True)
        cursor.close()


def _has_ln(cursor) -> bool:  # noqa: ANN001 - a DB-API cursor
    try:
        cursor.execute("SELECT ln(1)")
    except Exception:  # noqa: BLE001 - sqlite3.OperationalError: no such function
        return False
    return True


def _ln(value: float | None) -> float | None:
    """ln() as SQLite's math functions define it: NULL for NULL and for values <= 0."""
    return math.log(value) if value is not None and value > 0 else None
