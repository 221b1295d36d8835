"""Issue 17: with RATELIMIT_STORAGE_URI=redis://..., a limit holds across the gunicorn workers of one server.

memory:// counts in each worker, so two workers let through twice the limit; Redis shares the counters. The
test uses the login form (10 posts a minute per e-mail address: the smallest limit) on a real gunicorn with
two workers, its own Redis database number and a key prefix of its own, deleted afterwards.
"""
from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from helpers import csrf_token
from load.harness import Browser, Stats

pytestmark = pytest.mark.slow

REDIS_URI = "redis://127.0.0.1:6379/11"  # not 0: tests/test_rate_limits.py uses database 0
LOGIN_LIMIT = 10  # civictest/auth/views.py: "10 per minute; 50 per hour" per e-mail address
EXTRA = 6


@pytest.fixture
def redis_prefix():
    """A fresh key prefix in REDIS_URI's database; every key under it is deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URI, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({error})")
    prefix = f"civictest-test-{uuid.uuid4().hex}"
    yield client, prefix
    for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        client.delete(key)
    assert not list(client.scan_iter(match=f"*{prefix}*")), "the test's keys are cleaned up"
    client.close()


def test_a_login_limit_holds_across_two_workers_through_redis(scratch_db, start_server, redis_prefix, tmp_path):
    client, prefix = redis_prefix
    scratch_db.prepare(lambda: None)
    server = start_server(scratch_db, workers=2,
                          extra_env={"RATELIMIT_STORAGE_URI": REDIS_URI, "RATELIMIT_KEY_PREFIX": prefix})
    assert "RATE LIMITS ARE PER WORKER" not in server.log_text()

    browser = Browser(server.base, Stats())
    status, _, html = browser.send("GET", "/auth/login")
    assert status == 200
    form = {"csrf_token": csrf_token(html), "email": "nobody@example.jp", "password": "wrong password 123"}
    with ThreadPoolExecutor(4) as pool:  # in parallel, so that both workers answer
        statuses = list(pool.map(lambda _: browser.send_once("POST", "/auth/login", form)[0],
                                 range(LOGIN_LIMIT + EXTRA)))

    access = server.access_log.read_text(errors="replace")
    answered_by = set(re.findall(r'^<(\d+)> "POST /auth/login ', access, re.M))
    assert len(answered_by) == 2, f"both workers must answer for the test to mean anything: {answered_by}"
    assert sorted(statuses).count(429) == EXTRA, statuses
    assert all(status == 400 for status in statuses if status != 429), statuses  # wrong password, not let in
    assert list(client.scan_iter(match=f"*{prefix}*")), "the counters live in Redis under the test's prefix"
