"""Resident answer submissions vs a bare hello of the same app, under the same gunicorn, as ratios.

    python -m benchmarks web [--seconds 10] [--rounds 3] [--connections 16] [--workers 2] [--postgres-url URL]

For SQLite (a temporary file) and PostgreSQL (a temporary database on --postgres-url, DATABASE_URL or
postgres@127.0.0.1; skipped when unreachable): start `gunicorn -w N` (sync workers, no access log),
load GET /_bench/hello for --seconds, then POST /participate/tasks/<n> for --seconds, --rounds times in
turn (so that load from other programs meets both alike), and print the median requests/s, p50/p99 latency
and submission/hello ratio over the rounds, each round's ratio, and the peak RSS of the workers.

The submissions are the real endpoint: session cookie, CSRF token, signed ticket, WTForms, rate limits,
ON CONFLICT insert of the attempt and its comment (every other answer has one), commit, redirect. Each
request answers a different (participant, task), so every one stores a row (checked against the database
afterwards). Sessions, CSRF tokens and tickets are made beforehand with the app's own signing, so the load
generator only replays them. The hello route and a REMOTE_ADDR taken from X-Bench-Client (one address per
participant, as residents on their own phones) exist only in this benchmark's app factory, `bench_app()`.
Load comes from wrk (Debian: apt-get install -y wrk) when installed, else from a slower Python generator.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import web_load as load
from benchmarks.scratch import with_fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "benchmark-secret"
INVITE_CODE = "BENCHMK-2026WEB"
TASKS = 5
MAX_RATE = 1200  # submissions per second the pre-made requests can feed; far above this box's rate
WARM_UP = 60
HELLO = ("/_bench/hello", "", "", "")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SQLITE_TARGET = 0.15  # issue 8: submission/hello on SQLite (a bare one-row insert measured about 0.25 here)


def bench_app():  # noqa: ANN201 - gunicorn factory: `gunicorn 'benchmarks.web:bench_app()'`
    """The real app (config from the environment) plus a hello route and a per-request client address."""
    from civictest import create_app

    app = create_app()
    app.add_url_rule("/_bench/hello", "bench_hello", lambda: "hello")
    inner = app.wsgi_app

    def wsgi(environ, start_response):  # noqa: ANN001, ANN202
        client = environ.get("HTTP_X_BENCH_CLIENT")
        if client:
            environ["REMOTE_ADDR"] = client
        return inner(environ, start_response)

    app.wsgi_app = wsgi
    return app


# -- database and pre-made requests ------------------------------------------------------------

def _prepare(url: str, participants: int) -> list[tuple[str, str, str, str]]:
    """Migrate and seed the database; (path, cookie, client address, body) for every submission."""
    from flask_migrate import upgrade

    from civictest import create_app
    from civictest.config import TestConfig
    from civictest.extensions import db

    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY}))
    with app.app_context():
        upgrade()
        people, tasks = _seed(db, participants)
        requests = _requests(app, people, tasks)
        db.session.remove()
        db.engine.dispose()
    return requests


def _seed(db, participants: int) -> tuple[list[str], list[int]]:  # noqa: ANN001
    from datetime import date

    from civictest.models import Department, Participant, Service, Task
    from civictest.models.base import utcnow
    from civictest.services import catalog, participation

    service = Service(department=Department(code="bench", name_ja="ベンチ部", name_en="Bench"),
                      name_ja="ベンチマーク", name_en="Benchmark")
    service.tasks = [Task(title_ja=f"タスク{i}", title_en=f"Task {i}", instructions_ja="説明") for i in range(TASKS)]
    db.session.add(service)
    db.session.flush()
    study = catalog.create_iteration(service, "第1版", starts_on=date(2026, 1, 1)).study
    db.session.flush()
    catalog.set_study_tasks(study, [task.id for task in service.tasks])
    session = catalog.create_session(study, invite_code=INVITE_CODE, capacity=participants)
    db.session.flush()
    people = [Participant(public_id=os.urandom(16).hex(), session_id=session.id, join_key=os.urandom(16).hex(),
                          receipt_code=participation.new_receipt_code(), consent_version="2026-11",
                          consented_at=utcnow(), profile_done=True) for _ in range(participants)]
    db.session.add_all(people)
    db.session.commit()
    return [p.public_id for p in people], [task.id for task in service.tasks]


def _requests(app, people: list[str], task_ids: list[int]) -> list[tuple[str, str, str, str]]:  # noqa: ANN001
    """One browser session per participant (cookie + CSRF token), one signed ticket per task page."""
    from urllib.parse import urlencode

    from flask import session
    from flask_wtf.csrf import generate_csrf

    from civictest.participate import tickets

    cookie_name = app.config["SESSION_COOKIE_NAME"]
    made = []
    for number, public_id in enumerate(people):
        with app.app_context(), app.test_request_context():  # a fresh `g`: Flask-WTF caches the token there
            session["participant"] = public_id
            token = generate_csrf()
            cookie = f"{cookie_name}={app.session_interface.get_signing_serializer(app).dumps(dict(session))}"
            client = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
            for position, task_id in enumerate(task_ids, 1):
                comment = "申請ボタンが見つかりませんでした" if (number + position) % 2 else ""
                body = urlencode({"csrf_token": token, "ticket": tickets.issue(public_id, task_id),
                                  "outcome": "success", "seq": "5", "comment": comment})
                made.append((f"/participate/tasks/{position}", cookie, client, body))
    # Interleave participants, so that no one sends their tasks back to back (their per-minute limit).
    return [made[i] for position in range(len(task_ids)) for i in range(position, len(made), len(task_ids))]


def _stored_attempts(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT COUNT(*) FROM attempt")).scalar()
    finally:
        engine.dispose()


# -- one database ------------------------------------------------------------------------------

def measure(name: str, url: str, args: argparse.Namespace, workdir: Path) -> list[dict]:
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    participants = math.ceil((MAX_RATE * args.seconds * args.rounds + WARM_UP) / TASKS)
    started = time.monotonic()
    requests = _prepare(url, participants)
    print(f"{name}: {participants} participants, {len(requests)} submissions prepared in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    server = load.Server(url, workdir / name, args.workers, SECRET_KEY)
    try:
        server.wait_ready()
        warm, timed = requests[:WARM_UP], requests[WARM_UP:]
        load.warm_up(server.base, warm)
        before = _stored_attempts(url)
        rounds = [_round(server, args, workdir / name, timed[i::args.rounds]) for i in range(args.rounds)]
        stored = _stored_attempts(url) - before
        memory = server.peak_rss_mib()
    finally:
        server.stop()
    hello, submit = (_median_of([r[i] for r in rounds]) for i in (0, 1))
    ratios = [s["rps"] / h["rps"] for h, s in rounds]
    hello.update(database=name, endpoint="hello")
    submit.update(database=name, endpoint="submission", stored=stored, answered=sum(s["requests"] for _, s in rounds),
                  ratio=statistics.median(ratios), ratios=ratios,
                  cpu_ratio=statistics.median(h["cpu_ms"] / s["cpu_ms"] for h, s in rounds))
    for row in (hello, submit):
        row.update(workers=args.workers, peak_rss_mib=memory, loadavg=load_before)
    return [hello, submit]


def _round(server: load.Server, args: argparse.Namespace, workdir: Path, specs: list) -> tuple[dict, dict]:
    """One hello run and one submission run, back to back, so that both meet the same load from elsewhere."""
    hello = _timed(server, lambda: load.run(server.base, "GET", [HELLO], args, workdir))
    return hello, _timed(server, lambda: load.run(server.base, "POST", specs, args, workdir))


def _median_of(runs: list[dict]) -> dict:
    """The median of each figure over the rounds (errors and requests summed)."""
    figures = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms", "cpu_ms")}
    return {**figures, "errors": sum(run["errors"] for run in runs), "requests": sum(run["requests"] for run in runs),
            "generator": runs[0]["generator"]}


def _timed(server: load.Server, action) -> dict:  # noqa: ANN001
    """action()'s figures plus the server's CPU milliseconds per answered request."""
    cpu = server.cpu_seconds()
    figures = action()
    figures["cpu_ms"] = 1000 * (server.cpu_seconds() - cpu) / max(figures["requests"], 1)
    return figures


def _postgres_admin_url(given: str | None) -> str | None:
    """A PostgreSQL URL that answers within 3 s, or None."""
    from sqlalchemy import create_engine, text

    from civictest.config import _database_url

    env = os.environ.get("DATABASE_URL", "")
    url = _database_url(given or (env if env.startswith("postgres") else DEFAULT_POSTGRES))
    engine = create_engine(url, connect_args={"connect_timeout": 3}, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return url
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL rows are skipped
        return None
    finally:
        engine.dispose()


# -- report ------------------------------------------------------------------------------------

def print_table(rows: list[dict], args: argparse.Namespace) -> None:
    print(f"\nWeb benchmark: {args.rounds} rounds of a {args.seconds:g} s hello run and a {args.seconds:g} s submission "
          f"run, {args.connections} connections, gunicorn -w {args.workers} (sync), load from "
          f"{rows[0]['generator']}; load average before: {rows[0]['loadavg']}\n")
    print(f"{'database':<11}{'endpoint':<12}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'rows':>7}"
          f"{'ratio':>7}{'CPU ms/req':>11}{'CPU ratio':>10}{'worker RSS MiB':>15}")
    for row in rows:
        ratio, cpu_ratio = (f"{row['ratio']:.3f}", f"{row['cpu_ratio']:.3f}") if "ratio" in row else ("1", "1")
        print(f"{row['database']:<11}{row['endpoint']:<12}{row['rps']:>8.1f}{row['p50_ms']:>8.1f}{row['p99_ms']:>8.1f}"
              f"{row['errors']:>7}{row.get('stored', '-')!s:>7}{ratio:>7}{row['cpu_ms']:>11.2f}{cpu_ratio:>10}"
              f"{row['peak_rss_mib']:>15.0f}")
    for row in rows:
        if row["endpoint"] == "submission" and row["database"] == "sqlite":
            verdict = "meets" if row["ratio"] >= SQLITE_TARGET else "MISSES"
            each = ", ".join(f"{r:.3f}" for r in row["ratios"])
            print(f"\nSQLite submission/hello = {row['ratio']:.3f}, median of rounds {each} ({row['cpu_ratio']:.3f} "
                  f"by CPU per request): {verdict} the target >= {SQLITE_TARGET}")
    print("figures = median over the rounds; ratio = submission req/s / hello req/s of the same round; CPU ratio =\n"
          "hello CPU per request / submission CPU per request (gunicorn processes; steadier than req/s when other\n"
          "programs share the cores); errors = non-2xx/3xx answers plus socket errors, all rounds; rows = attempts\n"
          "stored during all rounds, one per request: the answered ones (" + ", ".join(
              f"{r['database']} {r['answered']}" for r in rows if "answered" in r) + ") plus at most one in flight\n"
          "per connection when each run stops; worker RSS = peak resident set (VmHWM) of the largest worker")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks web", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="hello and submission runs, alternated")
    parser.add_argument("--postgres-url", help="server to create a temporary database on")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="civictest-bench-"))
    try:
        rows = measure("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", args, workdir)
        admin = None if args.no_postgres else _postgres_admin_url(args.postgres_url)
        if admin:
            rows += with_fresh_postgres(admin, lambda url: measure("postgresql", url, args, workdir))
        else:
            print("PostgreSQL: skipped (no server answered; pass --postgres-url)", file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
