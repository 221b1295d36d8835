"""A worker killed with SIGKILL half way through a few hundred messages, then restarted: nothing is lost and
at most the one message in flight arrives twice (counted at a real SMTP server in its own process)."""
from __future__ import annotations

import signal
import time

from mail_processes import received, start_smtp, start_worker, wait_for, worker_env
from smtp_server import free_port
from sqlalchemy import func, select

from civictest import jobs, mail
from civictest.extensions import db
from civictest.models import OutgoingMail

COUNT = 300


def test_killed_worker_loses_nothing_and_repeats_at_most_one(app, ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_SQLITE_PATH", str(tmp_path / "jobs.sqlite3"))
    jobs.bind(app)  # the test queues into the jobs file the worker processes read
    try:
        smtp_log, port = tmp_path / "received.log", free_port()
        smtp = start_smtp(port, smtp_log)
        try:
            for n in range(COUNT):
                mail.queue_mail(kind="invitation", dedupe_key=f"invitation:{n}", to=f"member{n}@example.jp",
                                subject=f"ご招待 {n}", text="本文", unsubscribe_url=mail.unsubscribe_url_for(
                                    f"member{n}@example.jp"))
            db.session.commit()
            env = worker_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "jobs.sqlite3", port)
            worker = start_worker(env, log=tmp_path / "worker1.log")
            reached = wait_for(smtp_log, COUNT // 2, timeout=120)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            assert COUNT // 2 <= reached < COUNT, "the worker must be killed half way"
            killed_at = sum(received(smtp_log).values())
            # Restarted after the claim timeout: the worker's drain (its start-up sweep, then Huey's execution
            # of every job left in the queue), here in the test process to spare a second app start-up;
            # `python -m benchmarks mail` restarts a separate worker process.
            time.sleep(1.2)
            monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
            monkeypatch.setitem(app.config, "MAIL_PORT", port)
            monkeypatch.setitem(app.config, "MAIL_CLAIM_TIMEOUT", 1)
            jobs.drain(app, wait_scheduled=True, timeout=120)
        finally:
            from civictest.mail.delivery import close_connection

            close_connection()
            smtp.terminate()
            smtp.wait(10)
        counts = received(smtp_log)
        expected = set(db.session.scalars(select(OutgoingMail.message_id)))
        lost = expected - set(counts)
        duplicates = sum(n - 1 for n in counts.values())
        assert killed_at < COUNT
        lost_rows = db.session.execute(select(OutgoingMail.id, OutgoingMail.status, OutgoingMail.attempts)
                                       .where(OutgoingMail.message_id.in_(lost))).all() if lost else []
        assert lost == set(), f"lost {len(lost)}: (id, status, attempts) {lost_rows}"
        assert duplicates <= 1, f"{duplicates} duplicates"
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).where(OutgoingMail.status == "sent")) == COUNT
    finally:
        monkeypatch.undo()
        jobs.bind(app)
