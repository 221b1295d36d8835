"""Issue 17, scale-out: nginx in front of two app servers that share PostgreSQL and Redis; one server is killed.

Debian's nginx (config generated in tmp_path, the proxy settings of deploy/nginx/proxy_params.conf) balances two
`gunicorn app:app` servers on their own ports, both on one fresh PostgreSQL database and one Redis database (own
number and key prefix) for rate limits. Before the load: a staff member logs in on server A and the cookie is used
directly on server B; a login limit is hit at the same count whether the posts alternate between the servers or go
to one. Then the exactly-once scenario of test_exactly_once.py runs through nginx, and server A (its gunicorn
master and workers) is SIGKILLed once 30% of the answers are acknowledged. Every acknowledged answer must be
stored exactly once.

Two servers sharing one SQLite file is not a deployment (SQLite is for one machine), so this runs in CI's
PostgreSQL pass only.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from helpers import csrf_token, make_user
from load.harness import Browser, Stats, exactly_once_problems, join_and_fill_profile
from load.servers import NGINX, ROOT, SECRET_KEY, Gunicorn, Nginx, seed_study
from load.test_exactly_once import TASKS, Run, _answer_task, _guarded, _read_back
from sqlalchemy import text

from civictest.config import env_flag

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RESIDENTS = 120
WORKERS = 2  # per app server
KILL_AFTER = 0.3
DEADLINE_SECONDS = 120
REDIS_URI = "redis://127.0.0.1:6379/12"  # a database of its own (tests/test_rate_limits.py uses 0, another test 11)
LOGIN_LIMIT = 10  # civictest/auth/views.py: 10 posts a minute per e-mail address
EXTRA = 4
STAFF_EMAIL = "scale-admin@example.jp"
MAILS = 20  # queued by a separate process after the load; the worker (Redis queue) must send each once
QUEUE_MAIL = """
from app import app
from civictest.extensions import db
from civictest.mail import queue_mail
with app.app_context():
    for number in range({mails}):
        queue_mail(kind="scale-out", dedupe_key=f"scale-out-{{number}}", to=f"resident{{number}}@example.jp",
                   subject="テスト", text="スケールアウトのテスト")
    db.session.commit()
"""


class Worker:
    """`flask --app app worker` (the job queue's consumer) on the shared database and Redis; mail goes to files."""

    def __init__(self, database_url: str, workdir: Path, env: dict):
        workdir.mkdir()
        self.outbox = workdir / "outbox"
        self.env = {**os.environ, **env, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
                    "MAIL_OUTBOX_DIR": str(self.outbox), "MAIL_SERVER": "", "PYTHONUNBUFFERED": "1"}
        self.log_path = workdir / "worker.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT,
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT)

    def queue_mails(self, count: int) -> None:
        """Queue mail from another process, as the app servers do (same database, same Redis queue)."""
        done = subprocess.run([sys.executable, "-c", QUEUE_MAIL.format(mails=count)], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]

    def wait_sent(self, count: int, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            if len(self.sent_files()) >= count:
                break
            time.sleep(0.2)
        return len(self.sent_files())

    def sent_files(self) -> list[Path]:
        return sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


def _needs(condition: bool, reason: str) -> None:
    """Outside CI a missing system part skips; in CI (.ci/run installs it) it fails."""
    if not condition:
        if env_flag("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URI, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        _needs(False, f"no Redis on 127.0.0.1:6379 ({error})")
    prefix = f"civictest-scale-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture
def cluster(scratch_db, redis_prefix, tmp_path):
    """(nginx, server A, server B, worker) on one fresh PostgreSQL database and one Redis prefix (rate limits and
    the job queue); all stopped afterwards."""
    if not scratch_db.is_postgres:
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL=postgresql+psycopg://...): two app servers share "
                    "one PostgreSQL database; SQLite is one machine's database")
    _needs(shutil.which(NGINX) is not None, f"no nginx at {NGINX} (apt-get install nginx-light)")

    def seed() -> None:
        seed_study(TASKS, capacity=RESIDENTS + 50)
        make_user("admin", [], STAFF_EMAIL)

    scratch_db.prepare(seed)
    env = {"RATELIMIT_STORAGE_URI": REDIS_URI, "RATELIMIT_KEY_PREFIX": redis_prefix, "PROXY_FIX_X_FOR": "1",
           "JOBS_REDIS_URL": REDIS_URI, "JOBS_NAME": redis_prefix}
    started = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            started.append(Gunicorn(scratch_db.url, tmp_path / name, workers=WORKERS, extra_env=env))
        for server in started:
            server.wait_ready(timeout=150)  # a bound for a hung server; a busy CI box takes a while to import
        worker = Worker(scratch_db.url, tmp_path / "worker", env)  # started after, to leave the CPU to the servers
        started.append(worker)
        proxy = Nginx(tmp_path / "nginx", [server.base for server in started[:2]])
        started.append(proxy)
        proxy.wait_ready()
        yield proxy, started[0], started[1], worker
    finally:
        for part in reversed(started):
            part.stop()


def _login_statuses(servers: list, email: str) -> list[int]:
    """LOGIN_LIMIT + EXTRA wrong-password posts for one address, one after the other, taking turns on `servers`;
    the CSRF token and session come from the first server and are sent unchanged to the others."""
    browser = Browser(servers[0].base, Stats())
    status, _, html = browser.send("GET", "/auth/login")
    assert status == 200
    form = {"csrf_token": csrf_token(html), "email": email, "password": "wrong password 123"}
    statuses = []
    for number in range(LOGIN_LIMIT + EXTRA):
        browser.base = servers[number % len(servers)].base
        statuses.append(browser.send_once("POST", "/auth/login", form)[0])
    return statuses


def _kill_server(server, run: Run, killed: list, deadline: float) -> None:  # noqa: ANN001
    """SIGKILL a whole app server once KILL_AFTER of the answers are acknowledged: its gunicorn master first (so
    that it cannot replace its workers), then each of its workers (children of that master, from /proc)."""
    while time.monotonic() < deadline and len(run.acknowledged) < KILL_AFTER * RESIDENTS * TASKS:
        time.sleep(0.02)
    workers = server.worker_pids()
    assert len(workers) == WORKERS
    os.kill(server.proc.pid, signal.SIGKILL)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    server.proc.wait(timeout=10)
    killed.extend([server.proc.pid, *workers])
    killed.append(len(run.acknowledged))


def _resident(base: str, stats: Stats, run: Run, number: int, deadline: float) -> None:
    """test_exactly_once's resident, whose browser also resends after nginx's 502/504 (the server it had reached
    died with the request)."""
    rng = random.Random(number)
    browser = Browser(base, stats, deadline=deadline, resend_on=(502, 503, 504))
    join_and_fill_profile(browser)
    for position in range(1, TASKS + 1):
        _answer_task(browser, run, position, rng)


def test_two_servers_behind_nginx_share_database_limits_and_sessions(cluster, scratch_db, figures):
    proxy, server_a, server_b, worker = cluster

    # Sessions: log in on A, use the cookie as it is on B (same SECRET_KEY, sessions in signed cookies).
    staff = Browser(server_a.base, Stats())
    status, _, html = staff.send("GET", "/auth/login")
    status, headers, _ = staff.send_once("POST", "/auth/login", {"csrf_token": csrf_token(html),
                                                                  "email": STAFF_EMAIL, "password": "correct horse battery"})
    assert status == 302 and headers["location"].endswith("/auth/staff"), (status, headers)
    staff.base = server_b.base
    status, headers, body = staff.send_once("GET", "/compare/")
    assert status == 200 and "ログアウト" in body, f"the session made on A is valid on B: {status} {headers}"
    staff.base = proxy.base
    assert staff.send_once("GET", "/manage/")[0] == 200
    anonymous = Browser(server_b.base, Stats())
    assert anonymous.send_once("GET", "/compare/")[0] == 302, "without the cookie B sends to the login page"

    # Rate limits: the same count whether the posts alternate between A and B or all go to A.
    alternating = _login_statuses([server_a, server_b], "alternate@example.jp")
    one_server = _login_statuses([server_a], "one-server@example.jp")
    expected = [400] * LOGIN_LIMIT + [429] * EXTRA
    assert alternating == expected, f"alternating A/B: {alternating}"
    assert one_server == expected, f"one server: {one_server}"

    # The exactly-once scenario through nginx, server A killed mid-run.
    stats, run, killed = Stats(), Run(), []
    started = time.monotonic()
    deadline = started + DEADLINE_SECONDS
    threads = [threading.Thread(target=_guarded, args=(run, _resident, proxy.base, stats, run, n, deadline))
               for n in range(RESIDENTS)]
    killer = threading.Thread(target=_guarded, args=(run, _kill_server, server_a, run, killed, deadline))
    for thread in [killer, *threads]:
        thread.start()
    for thread in [*threads, killer]:
        thread.join(timeout=max(deadline - time.monotonic(), 0) + 10)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "clients still running after the deadline"
    stored, participants, commented, stale = _read_back(scratch_db)

    upstreams = Counter(line.split()[3].split(",")[0].strip() for line in proxy.access_lines()
                        if line.startswith("POST /participate/tasks/"))
    gateway = {status: n for status, n in stats.statuses.items() if status in (502, 504)}
    figures(f"nginx + 2 gunicorn servers x {WORKERS} workers, PostgreSQL + Redis, {RESIDENTS} residents x {TASKS} "
            f"tasks: submitted {run.submissions}, acknowledged {len(run.acknowledged)}, stored {len(stored)}, "
            f"duplicates sent {run.duplicates_sent}, retried {stats.retries} (after 502/504: {gateway}, connection "
            f"errors: {dict(stats.connection_errors)}), server A (master {killed[:1]}, workers {killed[1:-1]}) "
            f"killed after {killed[-1:]} acknowledged answers; answer posts by upstream {dict(upstreams)}; "
            f"statuses {dict(stats.statuses)}; {elapsed:.1f} s")

    assert not run.failures, run.failures[:5]
    assert len(killed) == 2 + WORKERS, "server A was killed mid-run"
    assert server_a.proc.poll() is not None and not server_a.worker_pids()
    assert set(upstreams) == {server_a.base, server_b.base}, f"both servers took answers: {upstreams}"
    assert not [s for s in stats.statuses if s >= 500 and s not in (502, 503, 504)], f"server errors: {stats.statuses}"
    assert len(run.acknowledged) == run.submissions == RESIDENTS * TASKS, "every answer was acknowledged"
    assert exactly_once_problems(run.acknowledged, set(run.sent), stored) == []
    assert participants == RESIDENTS, "each resident joined exactly once, resends included"
    acknowledged_keys = {key for _, _, key in run.acknowledged}
    assert sorted(commented) == sorted(run.with_comment & acknowledged_keys), "one comment per commented answer"
    assert stale == []
    assert re.search(r"POST /participate/tasks/\d+ 302 " + re.escape(server_b.base), "\n".join(proxy.access_lines()))

    # The worker beside them: mail queued by another process on the shared database and Redis queue is sent once.
    worker.queue_mails(MAILS)
    sent = worker.wait_sent(MAILS)
    figures(f"worker (flask --app app worker, queue on Redis): {MAILS} mails queued, {sent} sent")
    assert sent == MAILS, f"{sent} of {MAILS} sent; worker log:\n{worker.log_path.read_text()[-2000:]}"
    engine = scratch_db.engine()
    try:
        with engine.connect() as connection:
            statuses = dict(connection.execute(text(
                "SELECT status, COUNT(*) FROM outgoing_mail GROUP BY status")).all())
    finally:
        engine.dispose()
    assert statuses == {"sent": MAILS}, statuses
