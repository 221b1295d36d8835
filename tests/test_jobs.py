"""civictest.jobs: Huey bound to the app's storage (SQLite file or Redis), the worker command and its drain."""
from __future__ import annotations

import os
import uuid

import pytest

from civictest import jobs, mail
from civictest.extensions import db


def _redis_url() -> str | None:
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def test_sqlite_is_the_default_and_stays_unopened_until_used(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_SQLITE_PATH", str(tmp_path / "q" / "jobs.sqlite3"))
    try:
        jobs.bind(app)
        assert jobs.huey.binding[0] == "sqlite" and not (tmp_path / "q").exists()  # binding connects to nothing
        assert len(jobs.huey) == 0 and (tmp_path / "q" / "jobs.sqlite3").exists()
    finally:
        monkeypatch.undo()
        jobs.bind(app)


def test_redis_when_jobs_redis_url_is_set(app, ctx, smtp_server, monkeypatch):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", url)
    monkeypatch.setitem(app.config, "JOBS_NAME", f"civictest-test-{uuid.uuid4().hex[:8]}")
    try:
        jobs.bind(app)
        assert jobs.huey.binding[0] == "redis"
        mail.queue_mail(kind="invitation", dedupe_key="redis:1", to="taro@example.jp", subject="件名", text="本文")
        db.session.commit()
        assert len(jobs.huey) == 1  # the job is in Redis
        assert jobs.drain(app) == 1
        assert [m["To"] for m in smtp_server.messages] == ["taro@example.jp"]
        jobs.huey.flush()
    finally:
        monkeypatch.undo()
        jobs.bind(app)


def test_worker_drain_command(app, ctx, smtp_server, drain_mail):
    mail.queue_mail(kind="invitation", dedupe_key="cli:1", to="taro@example.jp", subject="件名", text="本文")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--drain"], catch_exceptions=False)
    assert result.exit_code == 0 and "ran 1 job(s)" in result.output
    assert len(smtp_server.messages) == 1
