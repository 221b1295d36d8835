"""Mail through the job queue: 10,000 messages to a real SMTP server by one worker, then a worker killed half way.

    python -m benchmarks mail [--messages 10000] [--kill-messages 2000] [--postgres-url URL | --no-postgres]

For SQLite (a scratch file) and PostgreSQL (a scratch database on --postgres-url, DATABASE_URL or
postgres@127.0.0.1; skipped when unreachable):

1. Throughput. An SMTP server (aiosmtpd, tests/smtp_server.py) runs in its own process and logs the
   Message-ID of every message it receives. This process renders (templates/mail/test.*, Japanese, each one in
   full) and queues --messages messages with civictest.mail.queue_mails, 1,000 a call, committing each (each
   commit hands its rows to the Huey queue, a SQLite file). Then ONE worker process (`flask --app app worker`, Huey's consumer, one
   thread) is started and timed until the server has received every message: messages per second (first to
   last message received) and the total (queueing + worker start-up + delivery). Target (issue 15): all
   10,000 in under 2 minutes.
2. Kill half way. --kill-messages more are queued, a worker is started and killed with SIGKILL once half of
   them reached the server, and a new worker process is started after MAIL_CLAIM_TIMEOUT (1 s here). When
   every row is sent: lost = queued messages the server never received, duplicates = copies beyond the first
   (target: lost 0, duplicates <= 1).
3. Panel selection for 100,000 members: see `measure_panel_selection` (the panel's own section).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.scratch import with_fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/smtp_server.py and tests/mail_processes.py

from mail_processes import received, start_smtp, start_worker, worker_env  # noqa: E402
from smtp_server import free_port  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "benchmark-secret"
TARGET_SECONDS = 120


def _app(url: str, jobs_path: Path, port: int):  # noqa: ANN202 - a Flask app
    from civictest import create_app
    from civictest.config import Config

    config = type("BenchConfig", (Config,), {
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "JOBS_SQLITE_PATH": str(jobs_path),
        "JOBS_REDIS_URL": "", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "civictest@city.example.jp", "PUBLIC_BASE_URL": "https://civictest.example.lg.jp",
    })
    return create_app(config)


def _queue(app, kind: str, count: int) -> float:  # noqa: ANN001
    """Render and queue `count` messages of `kind` (queue_mails, committing every 1,000); seconds taken."""
    from civictest import mail
    from civictest.extensions import db

    started = time.perf_counter()
    cpu = time.process_time()
    with app.app_context():
        unsubscribe_url_for = mail.unsubscribe_url_builder()
        batch = []
        for n in range(count):
            address = f"member{n}@example.jp"
            unsubscribe = unsubscribe_url_for(address)
            subject, text, html = mail.render("test", "ja", when=f"{kind} {n}", unsubscribe_url=unsubscribe)
            batch.append({"kind": kind, "dedupe_key": f"{kind}:{n}", "to": address, "subject": subject,
                          "text": text, "html": html, "unsubscribe_url": unsubscribe})
            if len(batch) == 1000:
                mail.queue_mails(batch)
                db.session.commit()
                batch = []
        mail.queue_mails(batch)
        db.session.commit()
    _queue.cpu_seconds = time.process_time() - cpu
    return time.perf_counter() - started


def _message_ids(app, kind: str) -> set[str]:  # noqa: ANN001
    from sqlalchemy import select

    from civictest.extensions import db
    from civictest.models import OutgoingMail

    with app.app_context():
        return set(db.session.scalars(select(OutgoingMail.message_id).where(OutgoingMail.kind == kind)))


def _waiting(app, kind: str) -> int:  # noqa: ANN001
    from sqlalchemy import func, select

    from civictest.extensions import db
    from civictest.models import OutgoingMail

    with app.app_context():
        db.session.remove()
        return db.session.scalar(select(func.count()).where(
            OutgoingMail.kind == kind, OutgoingMail.status.in_(("queued", "sending", "retry"))))


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a live process has used so far, from /proc (0.0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _count(log: Path, ids: set[str]) -> int:
    counts = received(log)
    return sum(counts[i] for i in ids)


def measure_throughput(app, env: dict, log: Path, messages: int, workdir: Path,  # noqa: ANN001
                       threads: int = 1) -> dict:
    load_before = _load()
    queue_seconds = _queue(app, "bench", messages)
    queue_cpu = _queue.cpu_seconds
    ids = _message_ids(app, "bench")
    started = time.perf_counter()
    worker = start_worker(env, log=workdir / "worker-throughput.log", threads=threads)
    first = None
    try:
        deadline = started + 600
        while time.perf_counter() < deadline:
            done = _count(log, ids)
            if done and first is None:
                first = time.perf_counter()
            if done >= messages:
                break
            time.sleep(0.05)
        finished = time.perf_counter()
        worker_cpu = _cpu_seconds(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    delivered = _count(log, ids)
    deliver_seconds = finished - (first or started)
    return {"messages": messages, "threads": threads, "delivered": delivered, "queue_s": queue_seconds,
            "worker_start_s": (first or finished) - started, "deliver_s": deliver_seconds,
            "per_second": delivered / deliver_seconds if deliver_seconds else 0.0,
            "total_s": queue_seconds + (finished - started), "queue_cpu_ms": 1000 * queue_cpu / messages,
            "worker_cpu_ms": 1000 * worker_cpu / max(delivered, 1), "load": f"{load_before} -> {_load()}"}


def measure_kill(app, env: dict, log: Path, messages: int, workdir: Path) -> dict:  # noqa: ANN001
    _queue(app, "kill", messages)
    ids = _message_ids(app, "kill")
    worker = start_worker(env, log=workdir / "worker-kill-1.log")
    while _count(log, ids) < messages // 2 and worker.poll() is None:
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    at_kill = _count(log, ids)
    time.sleep(1.2)  # MAIL_CLAIM_TIMEOUT: the row that was in flight is handed out again
    restarted = start_worker(env, log=workdir / "worker-kill-2.log")
    try:
        deadline = time.perf_counter() + 600
        while _waiting(app, "kill") and time.perf_counter() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # the last message's log line
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(30)
    counts = received(log)
    return {"messages": messages, "at_kill": at_kill, "lost": sum(1 for i in ids if counts[i] == 0),
            "duplicates": sum(max(counts[i] - 1, 0) for i in ids), "waiting": _waiting(app, "kill")}


def measure_panel_selection(url: str) -> dict | None:
    """Selection time for 100,000 panel members (issue 15; benchmarks/panel_selection.py): 100,000 members are
    added to the scratch database at `url`, then reading the candidates and the quota selection are timed."""
    from benchmarks import panel_selection

    row = panel_selection.measure(url)
    return {**row, "text": panel_selection.describe(row)}


def run(database: str, url: str, messages: int, kill_messages: int, threads: int = 1) -> dict:
    from flask_migrate import upgrade

    workdir = Path(tempfile.mkdtemp(prefix=f"civictest-bench-mail-{database}-"))
    try:
        port, log, jobs_path = free_port(), workdir / "received.log", workdir / "jobs.sqlite3"
        app = _app(url, jobs_path, port)
        with app.app_context():
            upgrade()
        env = worker_env(url, jobs_path, port, SECRET_KEY=SECRET_KEY)
        smtp = start_smtp(port, log)
        try:
            throughput = measure_throughput(app, env, log, messages, workdir, threads)
            _report_throughput(database, throughput)
            kill = measure_kill(app, env, log, kill_messages, workdir)
            _report_kill(database, kill)
        finally:
            smtp.terminate()
            smtp.wait(10)
            with app.app_context():
                from civictest.extensions import db

                db.engine.dispose()
        selection = measure_panel_selection(url)
        print(f"{database}: panel selection for 100,000 members: "
              f"{'not measured yet' if selection is None else selection['text']}", flush=True)
        return {"database": database, **throughput, "kill": kill, "selection": selection}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _report_throughput(database: str, row: dict) -> None:
    verdict = "met" if row["total_s"] < TARGET_SECONDS and row["delivered"] == row["messages"] else "MISSED"
    print(f"{database}: {row['delivered']:,}/{row['messages']:,} delivered by one worker process "
          f"({row['threads']} thread{'s' if row['threads'] > 1 else ''}): "
          f"{row['per_second']:.0f} messages/s; queueing {row['queue_s']:.1f} s, worker start-up "
          f"{row['worker_start_s']:.1f} s, delivery {row['deliver_s']:.1f} s, total {row['total_s']:.1f} s "
          f"(target < {TARGET_SECONDS} s: {verdict})", flush=True)
    print(f"{database}: CPU per message: rendering and queueing {row['queue_cpu_ms']:.1f} ms, worker (incl. its "
          f"start-up) {row['worker_cpu_ms']:.1f} ms; load average {row['load']} on {os.cpu_count()} CPUs", flush=True)


def _report_kill(database: str, row: dict) -> None:
    verdict = "met" if row["lost"] == 0 and row["duplicates"] <= 1 else "MISSED"
    print(f"{database}: worker killed (SIGKILL) after {row['at_kill']:,} of {row['messages']:,} messages, "
          f"restarted: lost {row['lost']}, duplicates {row['duplicates']}, still waiting {row['waiting']} "
          f"(target lost 0, duplicates <= 1: {verdict})", flush=True)


def _postgres_reachable(url: str) -> bool:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure: skip PostgreSQL
        return False


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks mail", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--kill-messages", type=int, default=2_000)
    parser.add_argument("--postgres-url", help="PostgreSQL server for a scratch database (default: DATABASE_URL)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="worker threads in the one worker process for the "
                        "throughput run (the kill run always uses one: one message in flight)")
    args = parser.parse_args(argv)
    sqlite_dir = Path(tempfile.mkdtemp(prefix="civictest-bench-mail-db-"))
    try:
        rows = [run("sqlite", f"sqlite:///{sqlite_dir}/bench.sqlite3", args.messages, args.kill_messages,
                    args.threads)]
    finally:
        shutil.rmtree(sqlite_dir, ignore_errors=True)
    postgres = None if args.no_postgres else (args.postgres_url or os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES)
    if postgres and postgres.startswith("postgres") and _postgres_reachable(postgres):
        rows.append(with_fresh_postgres(
            postgres, lambda url: run("postgresql", url, args.messages, args.kill_messages, args.threads),
            prefix="civictest_bench_mail"))
    failed = [row for row in rows if row["delivered"] < row["messages"] or row["kill"]["lost"]
              or row["kill"]["duplicates"] > 1]
    return 1 if failed else 0
