"""Issue 17: the Dockerfile, compose.yaml, systemd units and nginx configs run what CI runs natively.

There is no container daemon here, so images are not built. Instead: the Dockerfile installs the same hash-checked
lock CI tests (every pinned version and hash of requirements.lock is in requirements-dev.lock), starts gunicorn with
the same gunicorn.conf.py the load tests use, and compose, systemd and the Procfile agree on the migrate, web and
worker commands; the migrate command itself is run on a fresh SQLite database; the health check's path answers on
both sides of a split deployment; every nginx config passes `nginx -t`; the systemd units pass
`systemd-analyze verify` when that tool is installed. CI also runs `docker-compose config -q` (.ci/run).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from load.servers import NGINX, make_nginx_prefix, nginx_prefix_directives, nginx_test
from sqlalchemy import create_engine, inspect

from civictest.config import env_flag

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SYSTEMD = ROOT / "deploy" / "systemd"
PROCFILE = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ": " in line)
MIGRATE = ["flask", "--app", "app", "db", "upgrade"]
WEB = ["gunicorn", "--config", "gunicorn.conf.py", "app:app"]
WORKER = ["flask", "--app", "app", "worker"]
VENV = "/opt/civictest/venv/bin/"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", "\n".join(line for line in DOCKERFILE.splitlines()
                                              if not line.lstrip().startswith("#")))
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip()]


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def _locked(path: Path) -> dict[str, str]:
    """{name==version: its hash lines} of a pip-compile lock."""
    entries, current = {}, None
    for line in path.read_text().splitlines():
        if re.match(r"^[A-Za-z0-9_.-]+==", line):
            current = line.split()[0]
            entries[current] = ""
        elif current and "--hash=" in line:
            entries[current] += line.strip().rstrip("\\").strip() + " "
    return entries


def test_the_image_installs_the_lock_ci_tests_with_hashes():
    runs = [args for name, args in _dockerfile_instructions() if name == "RUN"]
    assert "pip install --require-hashes -r requirements.lock" in runs
    assert _dockerfile_instructions()[0] == ("FROM", "python:3.11-slim-bookworm")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q --require-hashes -r requirements-dev.lock" in ci
    runtime, dev = _locked(ROOT / "requirements.lock"), _locked(ROOT / "requirements-dev.lock")
    assert runtime and not [pin for pin in runtime if pin not in dev], "every runtime pin is what CI installs"
    differing = [pin for pin, hashes in runtime.items() if set(hashes.split()) - set(dev[pin].split())]
    assert differing == [], "the same files (hashes) as CI"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == "3.11", "CI runs the image's Python"


def test_the_image_runs_as_a_user_with_compiled_translations_and_a_health_check():
    instructions = _dockerfile_instructions()
    users = [args for name, args in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any("pybabel compile -d civictest/translations" in args for name, args in instructions if name == "RUN")
    health = next(args for name, args in instructions if name == "HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in health
    assert json.loads(next(args for name, args in instructions if name == "CMD")) == WEB


def test_compose_systemd_and_procfile_run_the_same_commands():
    services = COMPOSE["services"]
    assert {"app", "worker", "migrate", "db", "redis", "nginx"} <= set(services)
    assert services["migrate"]["command"] == MIGRATE == shlex.split(PROCFILE["release"])
    assert services["app"]["command"] == WEB
    assert services["worker"]["command"] == WORKER
    if "worker" in PROCFILE:  # added by the job-queue branch
        assert shlex.split(PROCFILE["worker"]) == WORKER
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["db"]["image"].startswith("postgres:16") and services["redis"]["image"].startswith("redis:7")
    environment = services["app"]["environment"]
    assert environment["RATELIMIT_STORAGE_URI"].startswith("redis://redis:")
    assert environment["JOBS_REDIS_URL"].startswith("redis://redis:")
    assert environment["PROXY_FIX_X_FOR"] == "1" and "PUBLIC_BASE_URL" in environment
    assert "${SECRET_KEY" in environment["SECRET_KEY"] and services["worker"]["environment"] == environment

    web, worker, retention = (_unit(f"civictest-{name}.service") for name in ("web", "worker", "retention"))
    assert web["ExecStart"] == [VENV + shlex.join(WEB)]
    assert web["ExecStartPre"] == [VENV + shlex.join(MIGRATE)]
    assert worker["ExecStart"] == [VENV + shlex.join(WORKER)]
    assert retention["ExecStart"] == [VENV + "flask --app app retention"]
    for unit in (web, worker, retention):
        assert unit["NoNewPrivileges"] == ["yes"] and unit["ProtectSystem"] == ["strict"] and unit["User"] != ["root"]
    timer = (SYSTEMD / "civictest-retention.timer").read_text()
    assert "OnCalendar=*-*-* 03:30:00" in timer and "Persistent=true" in timer


def test_the_migrate_command_builds_the_schema_on_a_fresh_database(tmp_path):
    """compose's `migrate` command, run as it is here (SQLite; the PostgreSQL pass uses the same migrations)."""
    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x"}
    done = subprocess.run(COMPOSE["services"]["migrate"]["command"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    from civictest.extensions import db

    engine = create_engine(f"sqlite:///{database}")
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {table.name for table in db.metadata.sorted_tables} | {"alembic_version"} <= tables


@pytest.mark.parametrize("side", ["resident", "staff", "both"])
def test_the_health_check_answers_on_every_side(app, side):
    from civictest import create_app
    from civictest.config import TestConfig

    one = create_app(type("Side", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                                   "CIVICTEST_SERVE": side}))
    assert one.test_client().get("/healthz").status_code == 200
    from civictest.extensions import db

    with one.app_context():
        db.engine.dispose()


def _needs(tool: str) -> None:
    if shutil.which(tool) is None:
        if env_flag("CI"):
            pytest.fail(f"{tool} is missing (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")


@pytest.mark.parametrize("name", ["civictest.conf", "resident.conf", "staff.conf"])
def test_nginx_configs_pass_nginx_t(tmp_path, name):
    """Each server config inside a generated main config whose paths are under tmp_path (the prefix). The compose
    host name `app` is replaced by 127.0.0.1 (nginx -t resolves upstream names) and the include points at the
    repository's proxy_params.conf; nothing else changes."""
    _needs(NGINX)
    make_nginx_prefix(tmp_path)
    server = (ROOT / "deploy" / "nginx" / name).read_text()
    assert "server app:8000" in server and "/etc/nginx/civictest/proxy_params.conf" in server
    server = server.replace("server app:8000", "server 127.0.0.1:8000").replace(
        "/etc/nginx/civictest/proxy_params.conf", str(ROOT / "deploy" / "nginx" / "proxy_params.conf"))
    (tmp_path / name).write_text(server)
    main, http = nginx_prefix_directives(tmp_path)
    config = tmp_path / "nginx.conf"
    config.write_text(f"{main}events {{}}\nhttp {{\n{http}include {tmp_path / name};\n}}\n")
    checked = nginx_test(config, tmp_path)
    assert checked.returncode == 0, checked.stderr


def test_a_broken_nginx_config_fails_nginx_t(tmp_path):
    """The check above can fail."""
    _needs(NGINX)
    make_nginx_prefix(tmp_path)
    main, http = nginx_prefix_directives(tmp_path)
    config = tmp_path / "nginx.conf"
    config.write_text(f"{main}events {{}}\nhttp {{\n{http}server {{ listen 8080; proxy_pass_nonsense on; }}\n}}\n")
    assert nginx_test(config, tmp_path).returncode != 0


def test_systemd_units_verify(tmp_path):
    """`systemd-analyze verify` on copies whose virtualenv path is this Python's (the executables must exist)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (not in CI's apt line: the units' commands are checked above)")
    bin_dir = str(Path(shutil.which("flask")).parent) + "/"
    for path in SYSTEMD.glob("civictest-*.*"):
        (tmp_path / path.name).write_text(path.read_text().replace(VENV, bin_dir))
    units = sorted(str(path) for path in tmp_path.iterdir())
    checked = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    problems = [line for line in (checked.stdout + checked.stderr).splitlines()
                if line.strip() and "Failed to connect to bus" not in line]
    assert checked.returncode == 0 and problems == [], "\n".join(problems)
