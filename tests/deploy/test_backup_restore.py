"""Issue 17: the backup and restore commands of docs/deployment.md, run exactly as written.

Each command block marked `<!-- test: NAME -->` in the guide is read from the guide and run with bash (-e, so a
failing command such as `check-counts` finding stale rows fails the test), with the variables the guide names
(DB_FILE, BACKUP_FILE; PGHOST, PGUSER, PGDATABASE) and DATABASE_URL set. A database populated through the app
(residents joining and answering with comments, a finding, staff) is backed up, restored into a fresh database,
and then every table's row count, the attempts themselves and `flask --app app check-counts` must be equal.
SQLite runs in the SQLite pass, PostgreSQL in the PostgreSQL pass.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import IsolatedClient
from helpers import RESIDENT_CODE as CODE
from helpers import make_service, make_session, make_user, submit
from load.servers import is_postgres_url
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from civictest.config import _database_url, env_flag

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
RESIDENTS = 8


def guide_block(name: str) -> str:
    """The bash block right after `<!-- test: NAME -->` in docs/deployment.md."""
    match = re.search(rf"<!-- test: {re.escape(name)} -->\n```bash\n(.*?)```", GUIDE, re.S)
    assert match, f"docs/deployment.md has no block marked `<!-- test: {name} -->`"
    return match.group(1)


def run_block(name: str, env: dict) -> str:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", guide_block(name)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "SECRET_KEY": "restore-test", **env})
    assert done.returncode == 0, f"{name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def populate(url: str) -> None:
    """Migrations, then data written through the app's own pages: answers with comments, tallies, a finding."""
    from flask_migrate import upgrade

    from civictest import create_app
    from civictest.config import TestConfig
    from civictest.extensions import db
    from civictest.models import Finding

    app = create_app(type("Populate", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        service = make_service(tasks=2)
        make_session(service, invite_code=CODE)
        make_user("admin", [], "admin@example.jp")
        make_user("service_team", [service], "team@example.jp")
        db.session.add(Finding(service_id=service.id, found_in_id=service.iterations[0].id, title="ボタン", severity=2))
        db.session.commit()
        for number in range(RESIDENTS):
            client = app.test_client()
            assert submit(client, f"/join/{CODE}/consent", {"agree": "y"}).status_code == 302
            assert submit(client, "/participate/profile", {"device": "smartphone"}).status_code == 302
            for position in (1, 2):
                answer = {"outcome": ("success", "failure")[number % 2], "seq": str(1 + number % 7),
                          "comment": f"コメント{number}-{position}" if number % 3 else ""}
                assert submit(client, f"/participate/tasks/{position}", answer).status_code == 302
        db.session.remove()
        db.engine.dispose()


def snapshot(url: str) -> tuple[dict[str, int], list]:
    """Every table's row count, and the attempts themselves."""
    engine = create_engine(url)
    try:
        tables = sorted(inspect(engine).get_table_names())
        with engine.connect() as connection:
            counts = {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar() for name in tables}
            attempts = [tuple(row) for row in connection.execute(text(
                "SELECT id, participant_id, task_id, outcome, idempotency_key, counts FROM attempt ORDER BY id"))]
    finally:
        engine.dispose()
    return counts, attempts


def check_counts(url: str) -> str:
    """`flask --app app check-counts` in this process (the restore block runs it as a command on the restored one)."""
    from civictest import create_app
    from civictest.config import TestConfig
    from civictest.extensions import db

    app = create_app(type("Check", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["check-counts"])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return result.output


def _needs(tool: str) -> None:
    if shutil.which(tool) is None:
        if env_flag("CI"):
            pytest.fail(f"{tool} is missing (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")


def _assert_same(source: str, restored: str, restored_report: str) -> tuple[dict, str]:
    counts, attempts = snapshot(source)
    assert counts["attempt"] == RESIDENTS * 2 and counts["participant"] == RESIDENTS and counts["comment"] > 0
    assert counts["finding"] == 1 and counts["alembic_version"] == 1
    assert snapshot(restored) == (counts, attempts), "every table's row count and the attempts are restored"
    report = check_counts(source)
    expected = report.strip().splitlines()  # check-counts ends the restore block's output
    assert restored_report.strip().splitlines()[-len(expected):] == expected, "check-counts says the same on both"
    assert report.startswith("0 attempts with stale counting values, 0 stale tally rows")
    return counts, report


def test_sqlite_backup_and_restore_as_documented(tmp_path, figures):
    if is_postgres_url(os.environ.get("DATABASE_URL")):
        pytest.skip("runs in the SQLite pass (the PostgreSQL pass runs the pg_dump / pg_restore test)")
    _needs("sqlite3")
    source, fresh, backup = tmp_path / "civictest.sqlite3", tmp_path / "restored.sqlite3", tmp_path / "backup.sqlite3"
    populate(f"sqlite:///{source}")
    output = run_block("sqlite-backup", {"DB_FILE": str(source), "BACKUP_FILE": str(backup),
                                         "DATABASE_URL": f"sqlite:///{source}"})
    assert output.strip() == "ok", "PRAGMA integrity_check of the backup"
    assert not fresh.exists()
    restored = run_block("sqlite-restore", {"DB_FILE": str(fresh), "BACKUP_FILE": str(backup),
                                            "DATABASE_URL": f"sqlite:///{fresh}"})
    counts, report = _assert_same(f"sqlite:///{source}", f"sqlite:///{fresh}", restored)
    figures(f"SQLite: {sum(counts.values())} rows in {len(counts)} tables restored equal; check-counts: {report.strip()}")


@pytest.fixture
def postgres_databases():
    """(admin URL, source name, fresh name): two new databases on DATABASE_URL's server, dropped afterwards."""
    url = os.environ.get("DATABASE_URL")
    if not is_postgres_url(url):
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL=postgresql+psycopg://...); the SQLite pass runs the "
                    "sqlite3 .backup / .restore test")
    base = make_url(_database_url(url))
    names = [f"{base.database}_restore_{os.getpid()}_{part}"[:63] for part in ("src", "new")]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base, *names
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_backup_and_restore_as_documented(postgres_databases, tmp_path, figures):
    _needs("pg_dump")
    _needs("pg_restore")
    base, source_name, fresh_name = postgres_databases
    source = base.set(database=source_name).render_as_string(hide_password=False)
    fresh = base.set(database=fresh_name).render_as_string(hide_password=False)
    populate(source)
    libpq = {"PGHOST": base.host or "127.0.0.1", "PGPORT": str(base.port or 5432), "PGUSER": base.username or "",
             **({"PGPASSWORD": base.password} if base.password else {})}
    backup = tmp_path / "civictest.dump"
    run_block("postgres-backup", {**libpq, "PGDATABASE": source_name, "BACKUP_FILE": str(backup),
                                  "DATABASE_URL": source})
    assert backup.stat().st_size > 0
    restored = run_block("postgres-restore", {**libpq, "PGDATABASE": fresh_name, "BACKUP_FILE": str(backup),
                                              "DATABASE_URL": fresh})
    counts, report = _assert_same(source, fresh, restored)
    figures(f"PostgreSQL: {sum(counts.values())} rows in {len(counts)} tables restored equal; "
            f"check-counts: {report.strip()}")
