"""Survey invitations at city scale (issue 16): N personal links queued and sent by the worker to a local SMTP server.

    python -m benchmarks survey --invitations 54000 [--invite-budget 900] [--no-postgres | --postgres-url URL]

On a scratch database (SQLite; also PostgreSQL with a server): a staff survey with one open wave and a roster of
N people (e-mail, 局/部/課, grade; added with services.surveys.commit_roster). Then, as `flask --app app survey
invite --wave ID` does: services.survey_invitations.invite (a new link per person; the templates rendered
once per wave, each mail queued in the outgoing_mail table through mail.queue_mails), one commit (which hands the rows to the job queue), after_queueing. ONE
worker process (`flask --app app worker`, one thread; civictest/mail/delivery.py as it stands) sends them to an
SMTP server (aiosmtpd, tests/smtp_server.py) in its own process that logs every Message-ID it receives. Timed:
queueing (invite + commit), and delivery from the first to the last message received: messages per second.
The worker is stopped after --invite-budget seconds; what it delivered by then is reported.
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from mail_processes import received, start_smtp, start_worker, worker_env  # noqa: E402
from smtp_server import free_port  # noqa: E402


def _setup(app, n: int) -> int:  # noqa: ANN001
    """A survey with one open wave and a roster of n people; the wave's id."""
    from benchmarks.survey import _units, roster_csv
    from civictest.extensions import db
    from civictest.models import Department, Service
    from civictest.services import surveys

    with app.app_context():
        department = Department(code="soumu", name_ja="総務局", name_en="General Affairs Bureau")
        db.session.add(Service(department=department, name_ja="職員ポータル", name_en="Staff portal"))
        db.session.flush()
        survey = surveys.create_survey(department, "職員のデジタル環境調査", title_en="Staff digital environment survey")
        surveys.add_item(survey, "agreement5", "業務に必要な端末がそろっている", wording_en="I have the devices I need")
        wave = surveys.create_wave(survey, "2026年度")
        surveys.ensure_units([u[3] for u in _units() if u[4] == 3])
        plan = surveys.plan_roster(wave, roster_csv(n), "roster.csv")
        assert plan.ok, plan.problems[:3]
        surveys.commit_roster(wave, plan)
        surveys.set_wave_state(wave, "open")
        db.session.commit()
        return wave.id


def measure(database: str, url: str, n: int, budget: float) -> dict:
    from flask_migrate import upgrade

    from benchmarks.mail import SECRET_KEY, _app, _cpu_seconds, _load
    from civictest.extensions import db
    from civictest.models import SurveyWave
    from civictest.services import survey_invitations

    workdir = Path(tempfile.mkdtemp(prefix=f"civictest-bench-invite-{database}-"))
    try:
        port, log, jobs_path = free_port(), workdir / "received.log", workdir / "jobs.sqlite3"
        app = _app(url, jobs_path, port)
        with app.app_context():
            upgrade()
        wave_id = _setup(app, n)
        load_before = _load()
        started = time.perf_counter()
        with app.app_context(), app.test_request_context(base_url="https://civictest.example.lg.jp"):
            queued = survey_invitations.invite(db.session.get(SurveyWave, wave_id))
            db.session.commit()
            survey_invitations.after_queueing()
        queue_s = time.perf_counter() - started
        env = worker_env(url, jobs_path, port, SECRET_KEY=SECRET_KEY)
        smtp = start_smtp(port, log)
        worker = start_worker(env, log=workdir / "worker.log")
        begin, first, done = time.perf_counter(), None, 0
        try:
            while time.perf_counter() - begin < budget:
                done = sum(received(log).values())
                if done and first is None:
                    first = time.perf_counter()
                if done >= queued:
                    break
                time.sleep(0.5)
            finished = time.perf_counter()
            worker_cpu = _cpu_seconds(worker.pid)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
            smtp.terminate()
            smtp.wait(10)
            with app.app_context():
                db.engine.dispose()
        deliver_s = finished - (first or begin)
        return {"database": database, "roster": n, "queued": queued, "queue_s": queue_s,
                "worker_start_s": (first or finished) - begin, "delivered": done, "deliver_s": deliver_s,
                "per_second": done / deliver_s if deliver_s > 0 else 0.0,
                "worker_cpu_ms": 1000 * worker_cpu / max(done, 1), "complete": done >= queued,
                "load": f"{load_before} -> {_load()}"}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def describe(row: dict) -> str:
    return (f"{row['database']}: {row['queued']:,} invitations queued in {row['queue_s']:.1f} s "
            f"({row['queued'] / max(row['queue_s'], 1e-9):.0f} per second); worker delivered {row['delivered']:,} "
            f"in {row['deliver_s']:.1f} s after a {row['worker_start_s']:.1f} s start: {row['per_second']:.0f} messages "
            f"per second, {row['worker_cpu_ms']:.1f} ms worker CPU each"
            + ("" if row["complete"] else " (STOPPED at the budget before all were delivered)")
            + f"; load {row['load']}")


def run(server: str | None, n: int, budget: float) -> list[dict]:
    from benchmarks.scratch import with_fresh_postgres

    rows = []
    workdir = Path(tempfile.mkdtemp(prefix="civictest-bench-invite-db-"))
    try:
        rows.append(measure("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", n, budget))
        print(describe(rows[-1]), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if server:
        rows.append(with_fresh_postgres(server, lambda url: measure("postgresql", url, n, budget),
                                        prefix="civictest_bench_invite"))
        print(describe(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":  # pragma: no cover
    print("use: python -m benchmarks survey --invitations N", file=sys.stderr)
    raise SystemExit(os.EX_USAGE)
